//! Consumption page.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::states::Empty;

#[component]
pub fn ConsumptionPage() -> impl IntoView {
    view! {
        <Title text="Consumption" />
        <div class="page-head">
            <h1>"Consumption"</h1>
            <p class="page-head__lead">"Half-hourly consumption by supply point, with settlement run and data status."</p>
        </div>
        <section class="card">
            <Empty message="Nothing to show here yet." />
        </section>
    }
}
