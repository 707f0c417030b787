//! The stylesheet parses as intended: every block closed, and nothing nested by accident (an
//! unclosed rule makes every rule after it apply only inside it, which a browser does not report).
const CSS: &str = include_str!("../../style/main.css");

/// The stylesheet without comments.
fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..].split_once("*/").map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

#[test]
fn every_block_is_closed_and_only_at_rules_hold_rules() {
    let css = without_comments(CSS);
    let mut depth = 0i32;
    let mut openers: Vec<String> = Vec::new();
    let mut selector = String::new();
    for (i, c) in css.char_indices() {
        match c {
            '{' => {
                let head = selector.trim().to_owned();
                if depth >= 1 {
                    let parent = openers.last().cloned().unwrap_or_default();
                    assert!(
                        parent.starts_with('@'),
                        "rule `{head}` is nested inside `{parent}` (byte {i}): is a `}}` missing?"
                    );
                }
                openers.push(head);
                depth += 1;
                selector.clear();
            }
            '}' => {
                depth -= 1;
                assert!(depth >= 0, "a `}}` closes nothing at byte {i}");
                openers.pop();
                selector.clear();
            }
            ';' => selector.clear(),
            _ => selector.push(c),
        }
    }
    assert_eq!(depth, 0, "unclosed blocks: {openers:?}");
}
