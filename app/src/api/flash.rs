//! A one-time message across a form's redirect (post, redirect, get). Pages render on the server
//! only and forms are plain HTML, so a server fn that succeeds for a form cannot hand its answer
//! to the page directly: it sets a short-lived cookie, and the next page the browser renders shows
//! the message once and clears it (`components::flash::Flash`). HttpOnly and `__Host-`, so only
//! this host's server sets it; shown as text, never as HTML.
pub const COOKIE: &str = "__Host-portal_flash";

/// Longest message kept (characters).
pub const MAX_CHARS: usize = 300;

/// The cookie's value: every byte outside `[A-Za-z0-9-_.~ ]` percent-encoded (space as `+`).
pub fn encode(message: &str) -> String {
    message
        .chars()
        .take(MAX_CHARS)
        .collect::<String>()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The message of a cookie value; `None` when it is not one `encode` wrote.
pub fn decode(value: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(value.len());
    let mut it = value.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [it.next()?, it.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => bytes.push(b),
            _ => return None,
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    (!text.is_empty() && text.chars().count() <= MAX_CHARS).then_some(text)
}

/// Sets the message the next page shows (in a server fn or route answering a form).
#[cfg(feature = "ssr")]
pub fn set(message: &str) {
    use leptos::prelude::use_context;
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=60",
        encode(message)
    );
    if let (Some(opts), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        opts.append_header(http::header::SET_COOKIE, value);
    }
}

/// The message this request carries, if any, and clears it so it shows once.
#[cfg(feature = "ssr")]
pub fn take() -> Option<String> {
    use leptos::prelude::use_context;
    let parts = use_context::<http::request::Parts>()?;
    let value = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())?;
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_static(
                "__Host-portal_flash=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0",
            ),
        );
    }
    decode(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_round_trips_through_the_cookie() {
        let m = "Invitation sent to sam.patel@castlegate.example. The link works until 2 Dec 2026 16:05 (UK time).";
        let v = encode(m);
        assert!(
            v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~+%".contains(&b)),
            "{v}"
        );
        assert_eq!(decode(&v).as_deref(), Some(m));
        assert_eq!(
            decode(&encode("Café — 5 % off")).as_deref(),
            Some("Café — 5 % off")
        );
    }

    #[test]
    fn anything_else_in_the_cookie_is_ignored() {
        assert_eq!(decode("<script>"), None);
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%E2%80"), None, "not UTF-8");
        assert_eq!(decode(""), None);
        let long = "x".repeat(MAX_CHARS + 1);
        assert_eq!(
            decode(&encode(&long)).map(|m| m.len()),
            Some(MAX_CHARS),
            "cut to the limit"
        );
        assert_eq!(decode(&long), None, "longer than encode writes");
    }
}
