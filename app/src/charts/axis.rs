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

/// Series colours, in order, distinct for up to six supply points compared on one chart (the
/// brand blue first; the others readable on white and told apart by people with the common
/// colour-vision deficiencies as far as six colours allow).
pub const PALETTE: [RGBColor; 6] = [
    BRAND,
    RGBColor(214, 96, 18),
    RGBColor(46, 139, 87),
    RGBColor(148, 52, 140),
    RGBColor(196, 36, 48),
    RGBColor(92, 92, 92),
];

/// Export (on-site generation) drawn below the axis.
pub const EXPORT: RGBColor = RGBColor(201, 150, 0);
/// Background of buckets with estimated half-hours.
pub const ESTIMATED_SHADE: RGBColor = RGBColor(253, 236, 196);
/// Background of buckets with missing half-hours (or no data).
pub const MISSING_SHADE: RGBColor = RGBColor(226, 230, 234);
/// The agreed supply capacity line.
pub const CAPACITY: RGBColor = RGBColor(196, 36, 48);

/// `#125e8a`, for HTML legends and SVG attributes.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Text for an SVG or HTML attribute value or element: `&`, `<`, `>`, `"` and newlines escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

/// The series legend of a chart, top right on a white panel, as every chart draws it.
pub fn draw_legend<'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut plotters::chart::ChartContext<'a, plotters::prelude::SVGBackend<'a>, CT>,
) {
    use plotters::prelude::*;
    let _ = chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID_BOLD)
        .label_font(("sans-serif", 12).into_font().color(&LABEL))
        .draw();
}

/// The DUoS bands' colours, red, amber, green.
pub const BAND_RED: RGBColor = RGBColor(192, 57, 43);
pub const BAND_AMBER: RGBColor = RGBColor(214, 137, 16);
pub const BAND_GREEN: RGBColor = RGBColor(39, 130, 78);

/// A sequential colour from pale yellow (0) through orange to dark red (1 and above).
pub fn heat(t: f64) -> RGBColor {
    const STOPS: [(f64, (f64, f64, f64)); 5] = [
        (0.0, (255.0, 255.0, 229.0)),
        (0.25, (254.0, 227.0, 145.0)),
        (0.5, (254.0, 153.0, 41.0)),
        (0.75, (217.0, 72.0, 1.0)),
        (1.0, (127.0, 39.0, 4.0)),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let k = STOPS
        .windows(2)
        .position(|w| t <= w[1].0)
        .unwrap_or(STOPS.len() - 2);
    let ((t0, a), (t1, b)) = (STOPS[k], STOPS[k + 1]);
    let f = (t - t0) / (t1 - t0);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heat_scale_runs_pale_to_dark_and_clamps() {
        assert_eq!(heat(0.0), RGBColor(255, 255, 229));
        assert_eq!(heat(1.0), RGBColor(127, 39, 4));
        assert_eq!(heat(7.0), heat(1.0));
        assert_eq!(heat(-1.0), heat(0.0));
        assert_eq!(heat(f64::NAN), heat(0.0));
        assert_eq!(heat(0.5), RGBColor(254, 153, 41));
    }
}
