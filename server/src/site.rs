//! The browser's files under `LEPTOS_SITE_ROOT`: which content-hashed names the pages ask for,
//! and how the files are served (cache lifetime, pre-compressed variants).
//!
//! Names: Leptos's own mechanism. A hash file (`js: …`, `wasm: …`, `css: …`) gives the hash in
//! each file's name (`ic-portal.<hash>.wasm`); `HydrationScripts` and `HashedStylesheet` read it
//! when `LeptosOptions::hash_files` is on. `cargo leptos build|watch` (with `hash-files = true` in
//! `Cargo.toml`) writes it beside the server binary and sets `LEPTOS_HASH_FILES`, and then nothing
//! here changes. `scripts/build-site.sh` writes it into the site root instead ([`HASH_FILE`]):
//! the script cannot know which binary will serve the site (debug, release, a test binary, the
//! Lambda `bootstrap`), and a site that carries its own hash file can be copied anywhere.
use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use leptos::config::LeptosOptions;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The hash file `scripts/build-site.sh` writes in the site root, in Leptos's format.
pub const HASH_FILE: &str = "hash.txt";

/// Files whose name carries their content's hash never change: a year, and no revalidation.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Files under `/pkg` without a hash in their name (`cargo leptos watch` leaves wasm-bindgen's
/// snippets unhashed): kept, but checked with the server before each use.
pub const REVALIDATE: &str = "no-cache";
/// Files of `public/` (the favicon): the same name across builds, so a short lifetime.
pub const PUBLIC_FILE: &str = "public, max-age=3600";

/// The Leptos options of `server serve`: the environment (`LEPTOS_*`), then the hash file.
pub fn leptos_options() -> anyhow::Result<LeptosOptions> {
    let options = leptos::config::get_configuration(None)?.leptos_options;
    if std::env::var_os("LEPTOS_HASH_FILES").is_some() {
        // Set by cargo-leptos (or by hand): Leptos reads its hash file where cargo-leptos put it.
        return Ok(options);
    }
    Ok(with_site_hash_file(options))
}

/// Points `options` at the site root's hash file when there is one (the page then asks for the
/// hashed names it gives), else turns hashing off (the page asks for `ic-portal.js` and so on).
pub fn with_site_hash_file(mut options: LeptosOptions) -> LeptosOptions {
    match site_hash_file(&options.site_root) {
        Some(path) => {
            // Leptos joins the name to the binary's directory; an absolute path replaces it.
            options.hash_file = path.into();
            options.hash_files = true;
        }
        None => {
            tracing::warn!(
                site_root = %options.site_root,
                "no {HASH_FILE} in the site root: pages will ask for unhashed file names \
                 (build the site with scripts/build-site.sh)"
            );
            options.hash_files = false;
        }
    }
    options
}

fn site_hash_file(site_root: &str) -> Option<String> {
    let path: PathBuf = std::path::absolute(Path::new(site_root).join(HASH_FILE)).ok()?;
    if !path.is_file() {
        return None;
    }
    path.to_str().map(str::to_owned)
}

/// The `<link>` of the stylesheet, by its hashed name, for the few pages written by hand outside
/// Leptos (a refusal of a request); Leptos's `HashedStylesheet` makes it, as on every other page.
pub fn stylesheet_link(options: &LeptosOptions) -> String {
    use leptos::prelude::*;
    use leptos_meta::HashedStylesheet;
    let options = options.clone();
    view! { <HashedStylesheet options /> }.to_html()
}

/// Whether the last segment of `path` names a file by its content, `stem.HASH.ext`: HASH is the
/// 22-character URL-safe base64 of an MD5 digest, as cargo-leptos and scripts/build-site.sh write.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.rsplit('.');
    let (Some(ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !ext.is_empty()
        && !stem.is_empty()
        && hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `/pkg/*` (the WASM client, its JS, the stylesheet): files of the site root's pkg directory,
/// the `.br` or `.gz` variant written at build time when the request accepts it (the response
/// compression layer leaves a response with a `Content-Encoding` alone), with cache headers by
/// name. An unknown name is a plain 404. These requests skip authentication (nothing here is
/// private, and a static file should not cost a session lookup).
pub fn pkg_routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let files = leptos_axum::site_pkg_dir_service(options);
    Router::new()
        .route_service(&leptos_axum::site_pkg_dir_service_route_path(options), files)
        .layer(axum::middleware::from_fn(pkg_cache_headers))
}

async fn pkg_cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_content_hashed(req.uri().path());
    let mut res = next.run(req).await;
    if served(res.status()) {
        let value = if hashed { IMMUTABLE } else { REVALIDATE };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        vary_on_encoding(&mut res);
    }
    res
}

/// A file of the site root outside `/pkg` (what `public/` holds), with its cache header; `None`
/// when there is no such file, so the caller renders the page instead.
/// (The request's parts, not the request: its body is not `Sync`, so a reference to it would
/// make the handler's future not `Send`.)
pub async fn public_file(
    options: &LeptosOptions,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<Response> {
    if !matches!(*method, Method::GET | Method::HEAD) {
        return None;
    }
    let mut probe = axum::http::Request::builder().method(method).uri(uri);
    for name in [header::ACCEPT_ENCODING, header::IF_MODIFIED_SINCE, header::RANGE] {
        if let Some(value) = headers.get(&name) {
            probe = probe.header(name, value);
        }
    }
    let probe = probe.body(axum::body::Body::empty()).ok()?;
    let files = ServeDir::new(&*options.site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    let mut res = files.oneshot(probe).await.ok()?.into_response();
    if !served(res.status()) {
        return None;
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_FILE));
    vary_on_encoding(&mut res);
    Some(res)
}

/// A file (or part of one) was sent, or the client's copy is still good.
fn served(status: StatusCode) -> bool {
    status.is_success() || status == StatusCode::NOT_MODIFIED
}

/// The body depends on `Accept-Encoding` (a pre-compressed variant, or the compression layer's).
fn vary_on_encoding(res: &mut Response) {
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
}

#[cfg(test)]
mod tests {
    use super::{is_content_hashed, stylesheet_link, with_site_hash_file, HASH_FILE};
    use leptos::config::LeptosOptions;

    #[test]
    fn pages_written_by_hand_link_the_stylesheet_the_hash_file_names() {
        let root = std::env::temp_dir().join(format!("ic-portal-site-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&root).unwrap();
        let options = || {
            LeptosOptions::builder()
                .output_name("ic-portal")
                .site_root(root.to_str().unwrap())
                .build()
        };
        // No hash file: the plain name.
        let plain = stylesheet_link(&with_site_hash_file(options()));
        std::fs::write(
            root.join(HASH_FILE),
            "js: a\nwasm: b\ncss: Cs7yUe2oPi6rTw4qEs1d-g\n",
        )
        .unwrap();
        let hashed = stylesheet_link(&with_site_hash_file(options()));
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(plain, r#"<link rel="stylesheet" href="/pkg/ic-portal.css">"#);
        assert_eq!(
            hashed,
            r#"<link rel="stylesheet" href="/pkg/ic-portal.Cs7yUe2oPi6rTw4qEs1d-g.css">"#
        );
    }

    #[test]
    fn names_with_a_content_hash_are_told_from_others() {
        assert!(is_content_hashed("/pkg/ic-portal.5Xq1u2sWl0n3qNk6c5s1ZA.wasm"));
        assert!(is_content_hashed(
            "/pkg/snippets/x-1/inline0.5Xq1u2sWl0n3qNk6c5s1ZA.js"
        ));
        assert!(is_content_hashed("/pkg/ic-portal.a-b_c12345678901234567.css"));
        assert!(!is_content_hashed("/pkg/ic-portal.wasm"));
        assert!(!is_content_hashed("/pkg/snippets/x-1/inline0.js"));
        // 21 and 23 characters, a character outside URL-safe base64, no stem, no extension.
        assert!(!is_content_hashed("/pkg/ic-portal.5Xq1u2sWl0n3qNk6c5s1Z.wasm"));
        assert!(!is_content_hashed("/pkg/ic-portal.5Xq1u2sWl0n3qNk6c5s1ZAB.wasm"));
        assert!(!is_content_hashed("/pkg/ic-portal.5Xq1u2sWl0n3qNk6c5s1Z+.wasm"));
        assert!(!is_content_hashed("/pkg/.5Xq1u2sWl0n3qNk6c5s1ZA.wasm"));
        assert!(!is_content_hashed("/pkg/ic-portal.5Xq1u2sWl0n3qNk6c5s1ZA."));
        // The hash must be in the file's own name, not in a directory above it.
        assert!(!is_content_hashed("/pkg/a.5Xq1u2sWl0n3qNk6c5s1ZA.d/ic-portal.js"));
    }
}
