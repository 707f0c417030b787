//! Server-rendered charts (plotters, SVG backend): the first paint has the chart before any WASM.
pub mod bars;
pub mod carpet;
pub mod lines;
pub mod palette;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;
use plotters::prelude::*;

use crate::domain::aggregate::Granularity;

/// Consumption over time: bars for days and months, a line for half-hours.
pub fn consumption_svg(points: &[(DateTime<Utc>, f64)], granularity: Granularity) -> String {
    let mut svg = String::new();
    if points.is_empty() {
        return svg;
    }
    {
        let backend = SVGBackend::with_string(&mut svg, (960, 340));
        let root = backend.into_drawing_area();
        let _ = root.fill(&WHITE);
        let n = points.len();
        let max = points.iter().map(|(_, v)| *v).fold(0.0f64, f64::max).max(1.0) * 1.1;
        let unit = match granularity {
            Granularity::HalfHour => "kWh per half-hour",
            Granularity::Hour => "kWh per hour",
            Granularity::Day => "kWh per day",
            Granularity::Week => "kWh per week",
            Granularity::Month => "kWh per month",
            Granularity::Quarter => "kWh per quarter",
        };
        let label = |i: usize| -> String {
            let t = points.get(i).map(|(t, _)| t.with_timezone(&London));
            match (t, granularity) {
                (Some(t), Granularity::Month | Granularity::Quarter) => t.format("%b %Y").to_string(),
                (Some(t), Granularity::HalfHour | Granularity::Hour) => t.format("%a %-d %H:%M").to_string(),
                (Some(t), _) => t.format("%-d %b").to_string(),
                (None, _) => String::new(),
            }
        };
        let chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(70)
            .build_cartesian_2d(0usize..n, 0f64..max);
        let Ok(mut chart) = chart else {
            return String::new();
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(232, 237, 241))
            .bold_line_style(RGBColor(223, 229, 234))
            .y_desc(unit)
            .x_labels(8)
            .x_label_formatter(&|i| label(*i))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", 12).into_font().color(&RGBColor(67, 83, 95)))
            .axis_desc_style(("sans-serif", 12).into_font().color(&RGBColor(107, 122, 134)))
            .draw();
        let brand = RGBColor(18, 94, 138);
        if granularity == Granularity::HalfHour {
            let _ = chart.draw_series(
                AreaSeries::new(
                    points.iter().enumerate().map(|(i, (_, v))| (i, *v)),
                    0.0,
                    brand.mix(0.15),
                )
                .border_style(brand.stroke_width(2)),
            );
        } else {
            let _ = chart.draw_series(points.iter().enumerate().map(|(i, (_, v))| {
                let mut bar = Rectangle::new([(i, 0.0), (i + 1, *v)], brand.filled());
                bar.set_margin(0, 0, 1, 1);
                bar
            }));
        }
        let _ = root.present();
    }
    svg
}
