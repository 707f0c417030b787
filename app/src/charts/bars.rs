//! A bar chart of labelled values, each bar in its own colour, with an optional horizontal
//! reference line (the agreed capacity on the demand chart).
use plotters::prelude::*;

use super::axis::{GRID_BOLD as GRID, GRID_LIGHT as LIGHT_GRID, LABEL as AXIS_TEXT};

pub struct Bar {
    pub label: String,
    pub value: f64,
    pub colour: RGBColor,
}

pub struct BarChart<'a> {
    pub y_desc: &'a str,
    pub bars: Vec<Bar>,
    /// (y, label, colour).
    pub reference: Option<(f64, String, RGBColor)>,
}

pub fn bars_svg(c: &BarChart) -> String {
    let mut svg = String::new();
    let n = c.bars.len();
    if n == 0 {
        return svg;
    }
    let top = c
        .bars
        .iter()
        .map(|b| b.value)
        .chain(c.reference.iter().map(|r| r.0))
        .fold(0.0f64, f64::max)
        .max(0.001)
        * 1.12;
    {
        let root = SVGBackend::with_string(&mut svg, (960, 340)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(70)
            // A segmented 0..k axis has a segment per value 0..=k: n bars need 0..n-1.
            .build_cartesian_2d((0..n.saturating_sub(1).max(1)).into_segmented(), 0f64..top)
        else {
            return String::new();
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(LIGHT_GRID)
            .bold_line_style(GRID)
            .y_desc(c.y_desc)
            .x_labels(n.min(14))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => c.bars.get(*i).map_or(String::new(), |b| b.label.clone()),
                _ => String::new(),
            })
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .axis_desc_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .draw();
        let _ = chart.draw_series(c.bars.iter().enumerate().map(|(i, b)| {
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), b.value),
                ],
                b.colour.filled(),
            );
            r.set_margin(0, 0, 6, 6);
            r
        }));
        if let Some((y, label, colour)) = &c.reference {
            let colour = *colour;
            if let Ok(drawn) = chart.draw_series(std::iter::once(PathElement::new(
                vec![(SegmentValue::Exact(0), *y), (SegmentValue::Exact(n), *y)],
                colour.stroke_width(2),
            ))) {
                drawn.label(label.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
                });
            }
            super::axis::draw_legend(&mut chart);
        }
        let _ = root.present();
    }
    svg
}
