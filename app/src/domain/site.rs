//! What a site is used for: the kinds the portal knows, with their labels.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum SiteKind {
    ColdStore,
    Office,
    Factory,
    School,
    Warehouse,
    SolarWarehouse,
    Leisure,
}

impl SiteKind {
    pub const ALL: [SiteKind; 7] = [
        Self::ColdStore,
        Self::Office,
        Self::Factory,
        Self::School,
        Self::Warehouse,
        Self::SolarWarehouse,
        Self::Leisure,
    ];

    /// The name stored in the database (`sites.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ColdStore => "cold_store",
            Self::Office => "office",
            Self::Factory => "factory",
            Self::School => "school",
            Self::Warehouse => "warehouse",
            Self::SolarWarehouse => "solar_warehouse",
            Self::Leisure => "leisure",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How the kind reads on screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::ColdStore => "Cold store",
            Self::Office => "Office",
            Self::Factory => "Factory",
            Self::School => "School",
            Self::Warehouse => "Warehouse",
            Self::SolarWarehouse => "Warehouse with solar",
            Self::Leisure => "Leisure centre",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for k in SiteKind::ALL {
            assert_eq!(SiteKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
        assert_eq!(SiteKind::parse("castle"), None);
        assert_eq!(SiteKind::SolarWarehouse.label(), "Warehouse with solar");
    }
}
