//! Invoices page.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::states::Empty;

#[component]
pub fn InvoicesPage() -> impl IntoView {
    view! {
        <Title text="Invoices" />
        <div class="page-head">
            <h1>"Invoices"</h1>
            <p class="page-head__lead">"Invoices by billing period, with their lines and status."</p>
        </div>
        <section class="card">
            <Empty message="Nothing to show here yet." />
        </section>
    }
}
