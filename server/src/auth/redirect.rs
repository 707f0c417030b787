//! Where to send a user after signing in. The target comes from the query string (`next`), so it
//! is attacker-controlled: it is resolved against the portal's own origin the way a browser would
//! (WHATWG URL parsing, which drops TAB/CR/LF and reads `\` as `/`), and accepted only when the
//! result stays on that origin and its path is one of the portal's pages. Anything else is `/`.
use app::routes::PAGES;
use url::Url;

/// A placeholder origin: only its identity matters (a different origin after resolving means the
/// target tried to leave the portal).
const OWN_ORIGIN: &str = "https://portal.invalid/";

/// The local path (with its query, without a fragment) to redirect to, or `/`.
pub fn safe_next(next: &str) -> String {
    resolve(next).unwrap_or_else(|| "/".to_owned())
}

fn resolve(next: &str) -> Option<String> {
    // Refuse outright what a browser would silently repair: control characters (TAB, CR, LF, NUL
    // and the rest), backslashes and anything not starting with a single slash.
    if next.len() > 2048
        || !next.starts_with('/')
        || next.starts_with("//")
        || next.chars().any(|c| c.is_control() || c == '\\')
    {
        return None;
    }
    let base = Url::parse(OWN_ORIGIN).ok()?;
    let url = base.join(next).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let path = url.path();
    let known = PAGES.iter().any(|p| p.path == path && p.path != "/login");
    if !known {
        return None;
    }
    Some(match url.query() {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_pages_are_kept_with_their_query() {
        assert_eq!(safe_next("/"), "/");
        assert_eq!(safe_next("/sites"), "/sites");
        assert_eq!(safe_next("/sites?site=3"), "/sites?site=3");
        assert_eq!(
            safe_next("/consumption?range=12m#chart"),
            "/consumption?range=12m"
        );
        assert_eq!(safe_next("/account"), "/account");
    }

    #[test]
    fn anything_that_could_leave_the_portal_goes_home() {
        for attack in [
            "/\t/evil.example",
            "/\t\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/sites\r\nSet-Cookie: x=1",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
            " /sites",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "/%09/evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "/../../evil.example",
            "/sites/../..//evil.example",
            "/@evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(attack), "/", "{attack:?}");
        }
    }

    #[test]
    fn only_known_pages_are_targets() {
        assert_eq!(safe_next("/api/sites/list"), "/");
        assert_eq!(safe_next("/auth/logout"), "/");
        assert_eq!(
            safe_next("/login?next=/sites"),
            "/",
            "no loop back to the login page"
        );
        assert_eq!(safe_next("/pkg/ic-portal.js"), "/");
        assert_eq!(safe_next("/no-such-page"), "/");
        // Dot segments resolve first, as a browser would: still a local page.
        assert_eq!(safe_next("/x/../sites"), "/sites");
        assert_eq!(safe_next(&format!("/sites?{}", "a".repeat(3000))), "/");
    }

    #[test]
    fn the_query_is_re_encoded_so_no_header_can_be_injected() {
        let out = safe_next("/sites?site=3&q=a b\"<x>");
        assert!(
            !out.contains(' ') && !out.contains('"') && !out.contains('<'),
            "{out}"
        );
        assert!(out.starts_with("/sites?site=3&q=a%20b"), "{out}");
    }
}
