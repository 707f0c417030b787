//! Download half-hourly data: a plain GET form that asks the export route
//! (`/consumption/export.csv`) for the chosen supply points (or all), dates, channels and runs, in
//! the import format (long) or one row per meter-day (wide). Works without JavaScript; the file
//! streams from the database.
use chrono::{TimeDelta, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::consumption::consumption_points;
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::channel::Channel;
use crate::domain::settlement_run::RunChoice;

#[component]
pub fn DataExportPage() -> impl IntoView {
    let points = Resource::new(|| (), |_| consumption_points());
    let today = Utc::now().date_naive();
    let from = (today - TimeDelta::days(31)).to_string();
    let to = (today - TimeDelta::days(1)).to_string();
    view! {
        <Title text="Download half-hourly data" />
        <div class="page-head">
            <h1>"Download half-hourly data"</h1>
            <p class="page-head__lead">"Every half-hour of your supply points as CSV, with each value's status and settlement run. The long form is the format the portal imports, so the file can be loaded back; the wide form has one row per meter, channel and day with 50 period columns, blank where a day has 46 or 48."</p>
        </div>
        <section class="card">
            <form class="form" method="get" action="/consumption/export.csv" data-testid="export-form">
                <fieldset class="fieldset">
                    <legend>"Supply points"</legend>
                    <p class="muted small">"None ticked means all of the supply points you can see."</p>
                    <Suspense fallback=|| view! { <Loading what="supply points" /> }>
                        {move || Suspend::new(async move {
                            match points.await {
                                Ok(list) => view! {
                                    <div class="checks">
                                        {list.into_iter().map(|p| view! {
                                            <label class="check"><input type="checkbox" name="sp" value=p.id.to_string() />{p.label}</label>
                                        }).collect_view()}
                                    </div>
                                }.into_any(),
                                Err(error) => view! { <ErrorNotice error /> }.into_any(),
                            }
                        })}
                    </Suspense>
                </fieldset>
                <div class="form form--inline">
                    <label class="field">"From"<input class="input" type="date" name="from" value=from required /></label>
                    <label class="field">"To (inclusive)"<input class="input" type="date" name="to" value=to required /></label>
                    <label class="field">"Settlement run"
                        <select class="select" name="run">
                            {RunChoice::offered().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                            <option value="all">"Every run held"</option>
                        </select>
                    </label>
                </div>
                <fieldset class="fieldset">
                    <legend>"Channels"</legend>
                    <div class="checks">
                        {Channel::ALL.into_iter().map(|c| view! {
                            <label class="check"><input type="checkbox" name="channels" value=c.code() checked=c == Channel::ActiveImport />{format!("{} ({})", c.name(), c.code())}</label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <fieldset class="fieldset">
                    <legend>"Layout"</legend>
                    <label class="check"><input type="radio" name="form" value="long" checked=true />"Long: one row per half-hour (the import format)"</label>
                    <label class="check"><input type="radio" name="form" value="wide" />"Wide: one row per meter, channel and day, periods P01–P50 as columns"</label>
                </fieldset>
                <div><button class="button" type="submit">"Download CSV"</button></div>
            </form>
        </section>
    }
}
