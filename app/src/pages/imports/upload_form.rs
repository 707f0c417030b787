//! The upload form with its progress bar: an `#[island]`, the one part of the Imports page that
//! runs in the browser. Without JavaScript the form posts the files as plain multipart to the
//! upload route, which redirects to the results; with it, the files go by XMLHttpRequest, whose
//! upload events drive the bar, and the route's streamed progress lines (`UploadEvent`) then drive
//! it through the import, ending with each file's summary or bad lines.
use leptos::prelude::*;

use super::EntryResult;
use crate::api::imports::{results_href, ImportEntry, UPLOAD_PATH};
use crate::domain::import_upload::{human_bytes, MAX_FILES};

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    /// Sending the files: bytes sent of the request's bytes.
    Uploading {
        sent: f64,
        total: f64,
    },
    /// The server imports file `index` (of `count`): bytes read of `total`.
    Importing {
        index: usize,
        count: usize,
        name: String,
        read: u64,
        total: u64,
    },
    /// Every file is done.
    Done {
        count: usize,
        entries: Vec<i64>,
    },
    /// The upload was refused or broke off: the reason.
    Failed(String),
}

impl Phase {
    /// The bar's value out of 100: uploading fills the first half, importing the second.
    pub fn percent(&self) -> f64 {
        match self {
            Phase::Idle | Phase::Failed(_) => 0.0,
            Phase::Uploading { total, .. } if *total <= 0.0 => 0.0,
            Phase::Uploading { sent, total } => 50.0 * ratio(*sent, *total),
            Phase::Importing {
                index,
                count,
                read,
                total,
                ..
            } => {
                let per_file = 1.0 / (*count).max(1) as f64;
                50.0 + 50.0 * per_file * (*index as f64 + ratio(*read as f64, *total as f64))
            }
            Phase::Done { .. } => 100.0,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Phase::Idle => String::new(),
            Phase::Uploading { total, .. } if *total <= 0.0 => "Uploading…".to_owned(),
            Phase::Uploading { sent, total } => format!(
                "Uploading: {} of {} ({:.0} %)",
                human_bytes(*sent as u64),
                human_bytes(*total as u64),
                100.0 * ratio(*sent, *total)
            ),
            Phase::Importing {
                index,
                count,
                name,
                read,
                total,
            } if read >= total => {
                format!(
                    "Importing file {} of {count}, {name}: checking and saving",
                    index + 1
                )
            }
            Phase::Importing {
                index,
                count,
                name,
                read,
                total,
            } => format!(
                "Importing file {} of {count}, {name}: {:.0} % read",
                index + 1,
                100.0 * ratio(*read as f64, *total as f64)
            ),
            Phase::Done { count, .. } => format!("Done: {count} file(s) processed."),
            Phase::Failed(reason) => reason.clone(),
        }
    }

    pub fn busy(&self) -> bool {
        matches!(self, Phase::Uploading { .. } | Phase::Importing { .. })
    }
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (part / whole).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// A file's result as the bar's events bring it.
#[derive(Debug, Clone, PartialEq)]
pub enum FileResult {
    Entry(ImportEntry),
    Failed { name: String, message: String },
}

/// The attribute that carries the upload limit (bytes) into the island, on an element of its
/// children, so the island takes no props and needs nothing from outside it.
pub const MAX_BYTES_ATTRIBUTE: &str = "data-max-bytes";

/// The limit as the page shows it, carrying [`MAX_BYTES_ATTRIBUTE`] for the island.
#[component]
pub fn UploadLimitNote(max_bytes: u64) -> impl IntoView {
    view! {
        <p class="muted small" data-max-bytes={max_bytes.to_string()}>
            {format!(
                "Up to {MAX_FILES} files and {} at once. Each file is imported on its own: all of it or, if any line is wrong, none of it.",
                human_bytes(max_bytes)
            )}
        </p>
    }
}

/// The form. Its children (server-rendered) go inside it, above the button: the limit note.
#[island]
pub fn UploadForm(children: Children) -> impl IntoView {
    let phase = RwSignal::new(Phase::Idle);
    let results = RwSignal::new(Vec::<FileResult>::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        super::client::submit(ev, input, phase, results);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, input);
    };
    view! {
        <form
            class="form upload"
            method="post"
            action=UPLOAD_PATH
            enctype="multipart/form-data"
            on:submit=on_submit
            data-testid="upload-form"
        >
            <label class="field">
                "CSV files"
                <input node_ref=input type="file" name="files" multiple accept=".csv,text/csv" required />
            </label>
            {children()}
            <div>
                <button class="button" type="submit" disabled=move || phase.with(Phase::busy)>
                    "Upload and import"
                </button>
            </div>
            <Show when=move || phase.with(|p| *p != Phase::Idle)>
                <div class="upload__progress" data-testid="upload-progress">
                    <progress
                        max="100"
                        value=move || format!("{:.1}", phase.with(Phase::percent))
                        aria-label="Upload and import progress"
                    ></progress>
                    <p
                        class=move || if phase.with(|p| matches!(p, Phase::Failed(_))) { "state state--error" } else { "small" }
                        role="status"
                        data-testid="upload-status"
                    >
                        {move || phase.with(Phase::label)}
                    </p>
                </div>
            </Show>
        </form>
        <Show when=move || results.with(|r| !r.is_empty())>
            <div class="upload__results" data-testid="upload-results">
                {move || results.get().into_iter().map(|r| view! { <FileResultView r /> }).collect_view()}
                {move || phase.with(|p| match p {
                    Phase::Done { entries, .. } if !entries.is_empty() => Some(view! {
                        <p class="small">
                            // The history below was read when the page opened.
                            <a href={results_href(entries)}>"Show these results with the updated history"</a>
                        </p>
                    }),
                    _ => None,
                })}
            </div>
        </Show>
    }
}

#[component]
fn FileResultView(r: FileResult) -> impl IntoView {
    match r {
        FileResult::Entry(entry) => view! { <EntryResult entry /> }.into_any(),
        FileResult::Failed { name, message } => view! {
            <article class="import-result">
                <h3>{name} " " <span class="tag tag--red">"Failed, nothing imported"</span></h3>
                <p class="state state--error">{message}</p>
            </article>
        }
        .into_any(),
    }
}
