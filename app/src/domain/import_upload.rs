//! HH file uploads through the portal: what came of a file, the upload limits, and how a file's
//! name is kept (the importer itself is the server's `import` library).
use serde::{Deserialize, Serialize};

/// The most files one upload may carry.
pub const MAX_FILES: usize = 20;

/// The longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// What came of one uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum ImportOutcome {
    /// New day-rows were written.
    Imported,
    /// Every day-row was already held: a re-import, nothing changed.
    Unchanged,
    /// Bad lines (or a bad file): nothing was written.
    Rejected,
    /// The portal failed while importing (logged): nothing was written.
    Failed,
}

impl ImportOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imported => "imported",
            Self::Unchanged => "unchanged",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Imported => "Imported",
            Self::Unchanged => "Already held, nothing changed",
            Self::Rejected => "Rejected, nothing imported",
            Self::Failed => "Failed, nothing imported",
        }
    }

    /// The tag colour class the pages use.
    pub fn tag_class(self) -> &'static str {
        match self {
            Self::Imported => "tag tag--green",
            Self::Unchanged => "tag",
            Self::Rejected | Self::Failed => "tag tag--red",
        }
    }
}

/// A file name as uploaded, kept for the history: the last path component (some browsers send a
/// whole path), control characters dropped, at most [`MAX_FILE_NAME_CHARS`]; `None` when nothing
/// is left (no file was chosen).
pub fn clean_file_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let name: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let name = name.trim().to_owned();
    (!name.is_empty()).then_some(name)
}

/// A byte count for people: `812 B`, `14.2 KB`, `63.0 MB` (decimal units, as browsers show sizes).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_its_last_component_only() {
        assert_eq!(
            clean_file_name("C:\\Users\\am\\hh 2026.csv").as_deref(),
            Some("hh 2026.csv")
        );
        assert_eq!(clean_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_file_name("a\u{0}b\r\n.csv").as_deref(), Some("ab.csv"));
        assert_eq!(clean_file_name(""), None);
        assert_eq!(clean_file_name("  "), None);
        assert_eq!(clean_file_name("dir/"), None);
        let long = "x".repeat(300);
        assert_eq!(
            clean_file_name(&long).unwrap().chars().count(),
            MAX_FILE_NAME_CHARS
        );
    }

    #[test]
    fn sizes_read_as_browsers_show_them() {
        assert_eq!(human_bytes(812), "812 B");
        assert_eq!(human_bytes(14_200), "14.2 KB");
        assert_eq!(human_bytes(63_000_000), "63.0 MB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.2 MB");
    }

    #[test]
    fn outcomes_round_trip_through_their_names() {
        for o in [
            ImportOutcome::Imported,
            ImportOutcome::Unchanged,
            ImportOutcome::Rejected,
            ImportOutcome::Failed,
        ] {
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
        }
    }
}
