//! Consumption over time: bars for days and months, a line for half-hours.
use chrono::{DateTime, Utc};
use plotters::prelude::*;

use super::axis;
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
        let label = |i: usize| -> String {
            points
                .get(i)
                .map(|(t, _)| axis::time_label(*t, granularity))
                .unwrap_or_default()
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
            .light_line_style(axis::GRID_LIGHT)
            .bold_line_style(axis::GRID_BOLD)
            .y_desc(axis::energy_unit_label(granularity))
            .x_labels(8)
            .x_label_formatter(&|i| label(*i))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", 12).into_font().color(&axis::LABEL))
            .axis_desc_style(("sans-serif", 12).into_font().color(&axis::AXIS_DESC))
            .draw();
        let brand = axis::BRAND;
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
