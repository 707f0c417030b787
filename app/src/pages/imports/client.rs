//! The browser half of the upload form (hydrate only): sends the form's files by XMLHttpRequest,
//! whose upload progress events fill the first half of the bar, then reads the route's streamed
//! progress lines as they arrive (the response text grows) to fill the second half and collect
//! each file's result.
use leptos::prelude::*;
use leptos::web_sys::{FormData, HtmlFormElement, ProgressEvent, XmlHttpRequest};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::upload_form::{FileResult, Phase, MAX_BYTES_ATTRIBUTE};
use crate::api::imports::{UploadEvent, PROGRESS_MEDIA_TYPE, UPLOAD_PATH};
use crate::domain::import_upload::{human_bytes, MAX_FILES};

/// What the progress lines tell so far: the files received, and how far the text has been read.
struct Reading {
    names: Vec<String>,
    consumed: usize,
}

pub fn submit(
    ev: leptos::ev::SubmitEvent,
    input: NodeRef<leptos::html::Input>,
    phase: RwSignal<Phase>,
    results: RwSignal<Vec<FileResult>>,
) {
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
        return; // the browser posts the form itself
    };
    let (count, size) = input
        .get_untracked()
        .and_then(|i| i.files())
        .map(|files| {
            let size: f64 = (0..files.length())
                .filter_map(|i| files.get(i))
                .map(|f| f.size())
                .sum();
            (files.length() as usize, size)
        })
        .unwrap_or((0, 0.0));
    if count == 0 {
        return; // `required` has the browser ask for a file
    }
    // The limit the page states, on an element inside the form (none found: the server decides).
    let max_bytes = form
        .query_selector(&format!("[{MAX_BYTES_ATTRIBUTE}]"))
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute(MAX_BYTES_ATTRIBUTE))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    ev.prevent_default();
    results.set(Vec::new());
    // The server checks too; saying it here saves sending what would be refused.
    if count > MAX_FILES {
        phase.set(Phase::Failed(format!(
            "Upload at most {MAX_FILES} files at once; nothing was imported."
        )));
        return;
    }
    if size > max_bytes as f64 {
        phase.set(Phase::Failed(format!(
            "These files come to {}, more than the {} the portal takes at once; nothing was imported. \
             Upload fewer files at a time, or split a large file (by month, say).",
            human_bytes(size as u64),
            human_bytes(max_bytes)
        )));
        return;
    }
    if let Err(reason) = send(&form, phase, results) {
        phase.set(Phase::Failed(reason));
    }
}

fn send(
    form: &HtmlFormElement,
    phase: RwSignal<Phase>,
    results: RwSignal<Vec<FileResult>>,
) -> Result<(), String> {
    let broken = |_| "The browser could not start the upload; reload the page and try again.".to_string();
    let data = FormData::new_with_form(form).map_err(broken)?;
    let xhr = XmlHttpRequest::new().map_err(broken)?;
    xhr.open("POST", UPLOAD_PATH).map_err(broken)?;
    xhr.set_request_header("Accept", PROGRESS_MEDIA_TYPE)
        .map_err(broken)?;
    phase.set(Phase::Uploading {
        sent: 0.0,
        total: 0.0,
    });

    let on_upload = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() {
            phase.set(Phase::Uploading {
                sent: e.loaded(),
                total: e.total(),
            });
        }
    });
    xhr.upload()
        .map_err(broken)?
        .set_onprogress(Some(on_upload.as_ref().unchecked_ref()));

    let reading = std::rc::Rc::new(std::cell::RefCell::new(Reading {
        names: Vec::new(),
        consumed: 0,
    }));
    let on_progress = {
        let xhr = xhr.clone();
        let reading = reading.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |_: ProgressEvent| {
            if xhr.status().unwrap_or(0) == 200 {
                read_lines(&xhr, &mut reading.borrow_mut(), phase, results, false);
            }
        })
    };
    xhr.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));

    let on_load = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |_: ProgressEvent| {
            let status = xhr.status().unwrap_or(0);
            if status == 200 {
                read_lines(&xhr, &mut reading.borrow_mut(), phase, results, true);
                if phase.with_untracked(Phase::busy) {
                    phase.set(Phase::Failed(
                        "The portal stopped answering before every file was done; see the history for what was imported.".into(),
                    ));
                }
            } else {
                let text = xhr.response_text().ok().flatten().unwrap_or_default();
                phase.set(Phase::Failed(if text.trim().is_empty() {
                    format!("The upload was refused (HTTP {status}); nothing was imported.")
                } else {
                    text
                }));
            }
        })
    };
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));

    let on_error = Closure::<dyn FnMut(ProgressEvent)>::new(move |_: ProgressEvent| {
        phase.set(Phase::Failed(
            "The upload could not reach the portal (the connection broke off). Check the history before trying again: files already imported are listed there.".into(),
        ));
    });
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    xhr.send_with_opt_form_data(Some(&data)).map_err(broken)?;
    // One upload at a time, and the request holds these until it ends: let them live.
    on_upload.forget();
    on_progress.forget();
    on_load.forget();
    on_error.forget();
    Ok(())
}

/// Applies the complete lines received since the last call (the last line may still be arriving,
/// unless `all` says the answer is complete).
fn read_lines(
    xhr: &XmlHttpRequest,
    reading: &mut Reading,
    phase: RwSignal<Phase>,
    results: RwSignal<Vec<FileResult>>,
    all: bool,
) {
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    let fresh = text.get(reading.consumed..).unwrap_or("");
    let complete = if all {
        fresh.len()
    } else {
        fresh.rfind('\n').map_or(0, |i| i + 1)
    };
    for line in fresh[..complete].lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<UploadEvent>(line) {
            Ok(event) => apply(event, reading, phase, results),
            Err(_) => leptos::logging::warn!("upload: an unreadable progress line: {line}"),
        }
    }
    reading.consumed += complete;
}

fn apply(
    event: UploadEvent,
    reading: &mut Reading,
    phase: RwSignal<Phase>,
    results: RwSignal<Vec<FileResult>>,
) {
    let count = reading.names.len();
    let name = |i: usize| reading.names.get(i).cloned().unwrap_or_default();
    match event {
        UploadEvent::Received { files } => {
            reading.names = files.iter().map(|f| f.name.clone()).collect();
            if let Some(first) = files.first() {
                phase.set(Phase::Importing {
                    index: 0,
                    count: files.len(),
                    name: first.name.clone(),
                    read: 0,
                    total: first.bytes,
                });
            }
        }
        UploadEvent::Progress { file, bytes, total } => phase.set(Phase::Importing {
            index: file,
            count,
            name: name(file),
            read: bytes,
            total,
        }),
        UploadEvent::Finished { file, entry } => {
            results.update(|r| r.push(FileResult::Entry(*entry)));
            if file + 1 < count {
                phase.set(Phase::Importing {
                    index: file + 1,
                    count,
                    name: name(file + 1),
                    read: 0,
                    total: 1,
                });
            }
        }
        UploadEvent::Failed { file, message } => results.update(|r| {
            r.push(FileResult::Failed {
                name: name(file),
                message,
            })
        }),
        UploadEvent::Done { entries } => phase.set(Phase::Done { count, entries }),
    }
}
