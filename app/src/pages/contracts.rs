//! Contracts page.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::states::Empty;

#[component]
pub fn ContractsPage() -> impl IntoView {
    view! {
        <Title text="Contracts" />
        <div class="page-head">
            <h1>"Contracts"</h1>
            <p class="page-head__lead">"Your supply contracts: periods, rates and the supply points they cover."</p>
        </div>
        <section class="card">
            <Empty message="Nothing to show here yet." />
        </section>
    }
}
