//! What every chart shares: the palette, the axis and label styles, and how a bucket start reads
//! on an axis. Charts of their own kind (consumption, a heatmap, …) sit beside this module.
use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;
use plotters::style::RGBColor;

use crate::domain::aggregate::Granularity;

/// The brand colour: the first series of a chart.
pub const BRAND: RGBColor = RGBColor(18, 94, 138);
/// Axis tick labels.
pub const LABEL: RGBColor = RGBColor(67, 83, 95);
/// Axis descriptions ("kWh per day").
pub const AXIS_DESC: RGBColor = RGBColor(107, 122, 134);
/// Horizontal grid lines.
pub const GRID_LIGHT: RGBColor = RGBColor(232, 237, 241);
pub const GRID_BOLD: RGBColor = RGBColor(223, 229, 234);

/// The y-axis description of energy per bucket.
pub fn energy_unit_label(granularity: Granularity) -> &'static str {
    match granularity {
        Granularity::HalfHour => "kWh per half-hour",
        Granularity::Hour => "kWh per hour",
        Granularity::Day => "kWh per day",
        Granularity::Week => "kWh per week",
        Granularity::Month => "kWh per month",
        Granularity::Quarter => "kWh per quarter",
    }
}

/// How a bucket starting at `t` is labelled on a time axis (London local time).
pub fn time_label(t: DateTime<Utc>, granularity: Granularity) -> String {
    let t = t.with_timezone(&London);
    match granularity {
        Granularity::Month | Granularity::Quarter => t.format("%b %Y").to_string(),
        Granularity::HalfHour | Granularity::Hour => t.format("%a %-d %H:%M").to_string(),
        _ => t.format("%-d %b").to_string(),
    }
}
