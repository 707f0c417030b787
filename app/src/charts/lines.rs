//! A line chart of up to six named series over a numeric x axis, with optional horizontal
//! reference lines (capacity, base load) and a legend. Gaps (`None`) break a line.
use plotters::prelude::*;

use super::axis::{GRID_BOLD as GRID, GRID_LIGHT as LIGHT_GRID, LABEL as AXIS_TEXT, PALETTE as SERIES};

pub struct Series {
    pub name: String,
    /// (x, y); `None` where there is no value.
    pub points: Vec<(f64, Option<f64>)>,
}

pub struct LineChart<'a> {
    pub y_desc: &'a str,
    pub x_range: (f64, f64),
    pub x_labels: usize,
    pub x_label: &'a dyn Fn(f64) -> String,
    pub series: Vec<Series>,
    /// (y, label, colour).
    pub references: Vec<(f64, String, RGBColor)>,
}

/// Consecutive runs of defined points, so a gap breaks the line.
fn segments(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for (x, y) in points {
        match (y, out.last_mut()) {
            (Some(y), Some(segment)) => segment.push((*x, *y)),
            (None, Some(segment)) if !segment.is_empty() => out.push(Vec::new()),
            _ => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

pub fn lines_svg(c: &LineChart) -> String {
    let mut svg = String::new();
    let top = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1))
        .chain(c.references.iter().map(|r| r.0))
        .fold(0.0f64, f64::max);
    if c.series.iter().all(|s| s.points.iter().all(|p| p.1.is_none())) {
        return svg;
    }
    {
        let root = SVGBackend::with_string(&mut svg, (960, 360)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(70)
            .build_cartesian_2d(c.x_range.0..c.x_range.1, 0f64..(top.max(0.001) * 1.12))
        else {
            return String::new();
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(LIGHT_GRID)
            .bold_line_style(GRID)
            .y_desc(c.y_desc)
            .x_labels(c.x_labels)
            .x_label_formatter(&|x| (c.x_label)(*x))
            .y_label_formatter(&|v| {
                if top < 10.0 {
                    format!("{v:.2}")
                } else {
                    format!("{v:.0}")
                }
            })
            .label_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .axis_desc_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .draw();
        for (y, label, colour) in &c.references {
            let (y, colour) = (*y, *colour);
            if let Ok(drawn) = chart.draw_series(std::iter::once(PathElement::new(
                vec![(c.x_range.0, y), (c.x_range.1, y)],
                colour.stroke_width(2),
            ))) {
                drawn.label(label.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
                });
            }
        }
        for (i, s) in c.series.iter().enumerate() {
            let colour = SERIES[i % SERIES.len()];
            for (k, seg) in segments(&s.points).into_iter().enumerate() {
                if let Ok(drawn) = chart.draw_series(LineSeries::new(seg, colour.stroke_width(2))) {
                    if k == 0 {
                        drawn.label(s.name.clone()).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                        });
                    }
                }
            }
        }
        if c.series.len() + c.references.len() > 1 {
            super::axis::draw_legend(&mut chart);
        }
        let _ = root.present();
    }
    svg
}

/// The x label of a clock slot (0–47) as `HH:MM`.
pub fn slot_label(x: f64) -> String {
    let s = x.round().clamp(0.0, 48.0) as u32;
    format!("{:02}:{:02}", (s / 2) % 24, (s % 2) * 30)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_break_lines_into_segments() {
        let pts = vec![
            (0.0, Some(1.0)),
            (1.0, None),
            (2.0, Some(2.0)),
            (3.0, Some(3.0)),
            (4.0, None),
        ];
        assert_eq!(
            segments(&pts),
            vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
        assert!(segments(&[(0.0, None)]).is_empty());
    }

    #[test]
    fn slots_read_as_clock_times() {
        assert_eq!(slot_label(0.0), "00:00");
        assert_eq!(slot_label(3.0), "01:30");
        assert_eq!(slot_label(47.0), "23:30");
    }

    #[test]
    fn a_chart_with_no_values_draws_nothing() {
        let label = |_: f64| String::new();
        let c = LineChart {
            y_desc: "kW",
            x_range: (0.0, 1.0),
            x_labels: 2,
            x_label: &label,
            series: vec![Series {
                name: "a".into(),
                points: vec![(0.0, None)],
            }],
            references: vec![],
        };
        assert_eq!(lines_svg(&c), "");
    }
}
