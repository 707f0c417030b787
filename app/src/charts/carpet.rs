//! The carpet plot as SVG: a column per day, each split into that day's 46, 48 or 50 periods from
//! midnight (bottom) to midnight (top), coloured from pale (little) to dark red (the 99th
//! percentile and above, in 16 steps); grey where there is no value. A strip under the plot marks weekends
//! and clock-change days.
use std::fmt::Write;

use chrono::Datelike;
use plotters::prelude::*;

use super::axis::{heat, GRID_BOLD as GRID, LABEL as AXIS_TEXT, MISSING_SHADE as MISSING};
use crate::domain::analysis::carpet::Carpet;

const CHANGE_DAY: RGBColor = RGBColor(106, 61, 154);
const WEEKEND: RGBColor = RGBColor(120, 132, 142);
/// Colour steps of the scale; cells without a value are one more.
const LEVELS: usize = 16;

pub fn carpet_svg(c: &Carpet) -> String {
    let mut svg = String::new();
    let mut paths = vec![String::new(); LEVELS + 1];
    let mut month_lines = String::new();
    let n = c.days.len();
    if n == 0 {
        return svg;
    }
    {
        let root = SVGBackend::with_string(&mut svg, (960, 420)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..n as f64, -1f64..24f64)
        else {
            return String::new();
        };
        let day_at = |x: f64| c.days.get(x.max(0.0) as usize);
        let _ = chart
            .configure_mesh()
            .disable_mesh()
            .y_labels(9)
            .y_label_formatter(&|h| {
                if *h >= 0.0 {
                    format!("{:02}:00", *h as u32)
                } else {
                    String::new()
                }
            })
            .x_labels(if n <= 62 { n.min(16) } else { 14 })
            .x_label_formatter(&|x| match day_at(*x) {
                Some(d) if n > 62 => d.date.format("%b %y").to_string(),
                Some(d) => d.date.format("%-d %b").to_string(),
                None => String::new(),
            })
            .y_desc("UK clock time (periods of the day)")
            .label_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .axis_desc_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .axis_style(GRID.stroke_width(1))
            .draw();
        // The cells: colour quantised to LEVELS steps, and in each day's column the consecutive
        // periods of one step merged into one rectangle; each step is one <path>, so a meter-year
        // is a few hundred kilobytes of SVG, not a <rect> per half-hour.
        let scale = if c.scale_kwh > 0.0 { c.scale_kwh } else { 1.0 };
        let level = |v: Option<f64>| {
            v.map_or(LEVELS, |kwh| {
                ((kwh / scale).clamp(0.0, 1.0) * (LEVELS - 1) as f64).round() as usize
            })
        };
        for (i, d) in c.days.iter().enumerate() {
            let per = 24.0 / f64::from(d.periods);
            let mut p = 0;
            while p < d.cells.len() {
                let l = level(d.cells[p]);
                let mut q = p + 1;
                while q < d.cells.len() && level(d.cells[q]) == l {
                    q += 1;
                }
                let (x0, y0) = chart.backend_coord(&(i as f64, q as f64 * per));
                let (x1, y1) = chart.backend_coord(&(i as f64 + 1.0, p as f64 * per));
                let _ = write!(paths[l], "M{x0} {y0}h{}v{}h{}z", x1 - x0, y1 - y0, x0 - x1);
                p = q;
            }
        }
        for (i, d) in c.days.iter().enumerate() {
            if i > 0 && d.date.day() == 1 {
                let (x, y0) = chart.backend_coord(&(i as f64, 24.0));
                let (_, y1) = chart.backend_coord(&(i as f64, 0.0));
                let _ = write!(month_lines, "M{x} {y0}V{y1}");
            }
        }
        // The strip: weekends grey, clock-change days purple, month starts as ticks.
        let strip = c.days.iter().enumerate().filter_map(|(i, d)| {
            let colour = if d.clock_change() {
                CHANGE_DAY
            } else if d.weekend {
                WEEKEND
            } else {
                return None;
            };
            Some(Rectangle::new(
                [(i as f64, -0.9), (i as f64 + 1.0, -0.3)],
                colour.filled(),
            ))
        });
        let _ = chart.draw_series(strip);
        let _ = root.present();
    }
    let mut cells = String::from(r#"<g shape-rendering="crispEdges">"#);
    for (l, d) in paths.iter().enumerate().filter(|(_, d)| !d.is_empty()) {
        let RGBColor(r, g, b) = if l == LEVELS {
            MISSING
        } else {
            heat(l as f64 / (LEVELS - 1) as f64)
        };
        let _ = write!(cells, r##"<path fill="#{r:02x}{g:02x}{b:02x}" d="{d}"/>"##);
    }
    if !month_lines.is_empty() {
        let _ = write!(
            cells,
            r##"<path fill="none" stroke="#ffffff" d="{month_lines}"/>"##
        );
    }
    cells.push_str("</g>");
    match svg.rfind("</svg>") {
        Some(end) => svg.insert_str(end, &cells),
        None => return String::new(),
    }
    svg
}
