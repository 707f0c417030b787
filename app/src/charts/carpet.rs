//! The carpet plot as SVG: a column per day, each split into that day's 46, 48 or 50 periods from
//! midnight (bottom) to midnight (top), coloured from pale (little) to dark red (the 99th
//! percentile and above); grey where there is no value. A strip under the plot marks weekends
//! and clock-change days.
use chrono::Datelike;
use plotters::prelude::*;

use super::axis::{heat, GRID_BOLD as GRID, LABEL as AXIS_TEXT, MISSING_SHADE as MISSING};
use crate::domain::analysis::carpet::Carpet;

const CHANGE_DAY: RGBColor = RGBColor(106, 61, 154);
const WEEKEND: RGBColor = RGBColor(120, 132, 142);

pub fn carpet_svg(c: &Carpet) -> String {
    let mut svg = String::new();
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
        let scale = if c.scale_kwh > 0.0 { c.scale_kwh } else { 1.0 };
        let cells = c.days.iter().enumerate().flat_map(|(i, d)| {
            let per = 24.0 / f64::from(d.periods);
            d.cells.iter().enumerate().map(move |(p, v)| {
                let colour = v.map_or(MISSING, |kwh| heat(kwh / scale));
                let (x0, x1) = (i as f64, i as f64 + 1.0);
                let (y0, y1) = (p as f64 * per, (p + 1) as f64 * per);
                Rectangle::new([(x0, y0), (x1, y1)], colour.filled())
            })
        });
        let _ = chart.draw_series(cells);
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
        let months = c
            .days
            .iter()
            .enumerate()
            .filter(|(i, d)| *i > 0 && d.date.day() == 1);
        let _ =
            chart.draw_series(months.map(|(i, _)| {
                PathElement::new(vec![(i as f64, 0.0), (i as f64, 24.0)], WHITE.stroke_width(1))
            }));
        let _ = root.present();
    }
    svg
}
