//! Consumption charts: the dashboard's portfolio curve, and the consumption page's interactive
//! chart of up to six supply points over any span (tooltips, shading, capacity, drill-down).
use chrono::{DateTime, Utc};
use plotters::prelude::*;

use super::axis;
use crate::domain::aggregate::Granularity;
use crate::domain::consumption_buckets::{axis_ticks, format_quantity, Bucket, ChartUnit, Shade};
use crate::domain::date_span::DateSpan;

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

/// One supply point's line (or bars) on the interactive chart.
pub struct ChartSeries<'a> {
    pub label: &'a str,
    pub colour: RGBColor,
    pub buckets: &'a [Bucket],
    /// Drawn as a horizontal line when the unit is kW or kVA.
    pub capacity_kva: f64,
    /// Whether the supply point exports (on-site generation): its export goes below the axis.
    pub has_export: bool,
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 360;

/// The interactive consumption chart: plotters draws the axes, shading of estimated and missing
/// buckets, bars (one supply point, days or months) or lines (half-hours, or several supply
/// points) and export below the axis; over it goes an overlay of our own: x labels at local
/// midnights / month starts, the agreed capacity line, and one transparent hit area per bucket
/// carrying when and which periods as `data-*` attributes and its whole tooltip as a `<title>`
/// (a native tooltip without JavaScript; the hydrated client shows it in its own). A day or month bucket's hit area is a link to the narrower span `drill(span)`;
/// a half-hour's is focusable with the keyboard. All series share the span, so bucket `i` is
/// the same time in each. Empty when there is nothing to draw.
pub fn interactive_svg(
    series: &[ChartSeries<'_>],
    g: Granularity,
    unit: ChartUnit,
    drill: &dyn Fn(DateSpan) -> String,
) -> String {
    let Some(first) = series.first() else {
        return String::new();
    };
    let n = first.buckets.len();
    if n == 0 {
        return String::new();
    }
    let values: Vec<Vec<Option<f64>>> = series
        .iter()
        .map(|s| s.buckets.iter().map(|b| b.value(unit)).collect())
        .collect();
    let exports: Vec<Vec<Option<f64>>> = series
        .iter()
        .map(|s| {
            s.buckets
                .iter()
                .map(|b| b.export_value(unit).filter(|_| s.has_export).map(|v| -v))
                .collect()
        })
        .collect();
    let top = values
        .iter()
        .flatten()
        .flatten()
        .copied()
        .chain(series.iter().filter(|_| unit.is_demand()).map(|s| s.capacity_kva))
        .fold(0.0f64, f64::max)
        .max(1.0)
        * 1.1;
    let low = exports.iter().flatten().flatten().copied().fold(0.0f64, f64::min);
    let bottom = if low < 0.0 { low * 1.1 } else { 0.0 };
    // Per bucket, the worst shade over the supply points, and the largest share of its
    // half-hours that are so: a day with one estimate in 48 is shaded lightly, not like a day
    // of estimates.
    let shades: Vec<(Shade, f64)> = (0..n)
        .map(|i| {
            series
                .iter()
                .filter_map(|s| s.buckets.get(i))
                .map(|b| {
                    let total = f64::from((b.actual + b.estimated + b.missing).max(1));
                    let share = match b.shade() {
                        Shade::Missing => f64::from(b.missing) / total,
                        Shade::Estimated => f64::from(b.estimated) / total,
                        Shade::None => 0.0,
                    };
                    (b.shade(), share)
                })
                .fold((Shade::None, 0.0), |a, b| {
                    let rank = |s: Shade| match s {
                        Shade::None => 0,
                        Shade::Estimated => 1,
                        Shade::Missing => 2,
                    };
                    match rank(b.0).cmp(&rank(a.0)) {
                        std::cmp::Ordering::Greater => b,
                        std::cmp::Ordering::Equal => (a.0, a.1.max(b.1)),
                        std::cmp::Ordering::Less => a,
                    }
                })
        })
        .collect();

    let mut svg = String::new();
    let geometry;
    {
        let backend = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT));
        let root = backend.into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(20)
            .x_label_area_size(30)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..n as f64, bottom..top);
        let Ok(mut chart) = chart else {
            return String::new();
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .light_line_style(axis::GRID_LIGHT)
            .bold_line_style(axis::GRID_BOLD)
            .y_desc(unit.axis_label(g))
            .y_label_formatter(&|v| {
                let s = format!("{:.0}", v.abs());
                if *v < 0.0 && s != "0" {
                    format!("-{s}")
                } else {
                    s
                }
            })
            .label_style(("sans-serif", 12).into_font().color(&axis::LABEL))
            .axis_desc_style(("sans-serif", 12).into_font().color(&axis::AXIS_DESC))
            .draw();
        let x = |i: usize| i as f64;
        let _ = chart.draw_series(shades.iter().enumerate().filter_map(|(i, (s, share))| {
            let colour = match s {
                Shade::None => return None,
                Shade::Estimated => axis::ESTIMATED_SHADE,
                Shade::Missing => axis::MISSING_SHADE,
            };
            let opacity = 0.35 + 0.65 * share.clamp(0.0, 1.0);
            Some(Rectangle::new(
                [(x(i), bottom), (x(i + 1), top)],
                colour.mix(opacity).filled(),
            ))
        }));
        let bars = series.len() == 1 && !matches!(g, Granularity::HalfHour | Granularity::Hour);
        for (k, s) in series.iter().enumerate() {
            if bars {
                let _ = chart.draw_series(s.buckets.iter().enumerate().filter_map(|(i, b)| {
                    let v = b.value(unit)?;
                    let colour = if b.estimated > 0 {
                        s.colour.mix(0.5)
                    } else {
                        s.colour.mix(1.0)
                    };
                    let mut bar = Rectangle::new([(x(i), 0.0), (x(i + 1), v)], colour.filled());
                    bar.set_margin(0, 0, 1, 1);
                    Some(bar)
                }));
                let _ = chart.draw_series(exports[k].iter().enumerate().filter_map(|(i, v)| {
                    let v = (*v)?;
                    let mut bar = Rectangle::new([(x(i), v), (x(i + 1), 0.0)], axis::EXPORT.filled());
                    bar.set_margin(0, 0, 1, 1);
                    Some(bar)
                }));
                continue;
            }
            let area = series.len() == 1;
            for segment in segments(&values[k]) {
                draw_segment(&mut chart, &segment, s.colour, area);
            }
            for segment in segments(&exports[k]) {
                let colour = if series.len() == 1 { axis::EXPORT } else { s.colour };
                draw_segment(&mut chart, &segment, colour, series.len() == 1);
            }
        }
        if bottom < 0.0 {
            let _ = chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n as f64, 0.0)],
                axis::LABEL.stroke_width(1),
            )));
        }
        let (left, y_top) = chart.backend_coord(&(0.0, top));
        let (right, y_bottom) = chart.backend_coord(&(n as f64, bottom));
        let y_of = |v: f64| chart.backend_coord(&(0.0, v)).1;
        let capacities: Vec<(f64, i32, RGBColor)> = if unit.is_demand() {
            series
                .iter()
                .map(|s| (s.capacity_kva, y_of(s.capacity_kva), s.colour))
                .collect()
        } else {
            Vec::new()
        };
        geometry = Geometry {
            left,
            right,
            y_top,
            y_bottom,
            capacities,
        };
        let _ = root.present();
    }
    let Some(close) = svg.rfind("</svg>") else {
        return svg;
    };
    svg.truncate(close);
    svg.push_str(&overlay(series, g, unit, &geometry, drill));
    svg.push_str("</svg>\n");
    svg
}

/// Where plotters put the plotting area, in SVG pixels.
struct Geometry {
    left: i32,
    right: i32,
    y_top: i32,
    y_bottom: i32,
    /// Agreed capacity, its y, and the colour of its supply point.
    capacities: Vec<(f64, i32, RGBColor)>,
}

/// Runs of consecutive values (a gap breaks the line), as (bucket index, value).
fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn draw_segment(chart: &mut Chart<'_, '_>, segment: &[(usize, f64)], colour: RGBColor, area: bool) {
    let points = segment.iter().map(|(i, v)| (*i as f64 + 0.5, *v));
    if let [(i, v)] = segment {
        let _ = chart.draw_series(std::iter::once(Circle::new(
            (*i as f64 + 0.5, *v),
            2,
            colour.filled(),
        )));
    } else if area {
        let _ = chart
            .draw_series(AreaSeries::new(points, 0.0, colour.mix(0.15)).border_style(colour.stroke_width(2)));
    } else {
        let _ = chart.draw_series(LineSeries::new(points, colour.stroke_width(2)));
    }
}

/// The overlay: x labels, capacity lines and hit areas, as SVG text appended inside the chart.
fn overlay(
    series: &[ChartSeries<'_>],
    g: Granularity,
    unit: ChartUnit,
    geo: &Geometry,
    drill: &dyn Fn(DateSpan) -> String,
) -> String {
    use std::fmt::Write;
    let Some(first) = series.first() else {
        return String::new();
    };
    let n = first.buckets.len().max(1);
    let width = f64::from(geo.right - geo.left);
    let px = |i: usize| f64::from(geo.left) + width * i as f64 / n as f64;
    let mut out = String::from(r#"<g class="chart-overlay" font-family="sans-serif" font-size="12">"#);
    // X labels: at each label's bucket start (half-hours: local midnight).
    let max_labels = 10;
    let mut last_x = f64::NEG_INFINITY;
    for (i, label) in axis_ticks(first.buckets, g, max_labels) {
        let x = px(i);
        if x - last_x < 60.0 {
            continue;
        }
        last_x = x;
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{b}" y2="{b5}" stroke="#43535f"/><text class="x-label" x="{x:.1}" y="{ty}" fill="#43535f">{label}</text>"##,
            b = geo.y_bottom,
            b5 = geo.y_bottom + 5,
            ty = geo.y_bottom + 18,
            label = axis::escape(&label),
        );
    }
    for (kva, y, colour) in &geo.capacities {
        let _ = write!(
            out,
            r#"<line class="capacity-line" data-capacity="{kva}" x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="2" stroke-dasharray="6 4"/><text x="{tx}" y="{ty}" text-anchor="end" fill="{c}">Agreed capacity {kva} kVA</text>"#,
            l = geo.left,
            r = geo.right,
            c = axis::hex(*colour),
            tx = geo.right - 4,
            ty = y - 4,
        );
    }
    let drills = !matches!(g, Granularity::HalfHour | Granularity::Hour);
    for (i, b) in first.buckets.iter().enumerate() {
        let when = b.when_label(g);
        let period = b.period_label(g);
        let mut lines = Vec::new();
        for s in series {
            let Some(sb) = s.buckets.get(i) else { continue };
            let value = sb
                .value(unit)
                .map_or_else(|| "no value".to_string(), |v| format_quantity(v, unit.symbol()));
            lines.push(format!(
                "{}: {value} · {} · run {}",
                s.label,
                sb.status_label(),
                sb.runs_label()
            ));
            if s.has_export {
                if let Some(e) = sb.export_value(unit) {
                    lines.push(format!(
                        "{} export: {}",
                        s.label,
                        format_quantity(e, unit.symbol())
                    ));
                }
            }
        }
        let title = format!("{when} · {period}\n{}", lines.join("\n"));
        let (x0, x1) = (px(i), px(i + 1));
        let centre = 100.0 * ((x0 + x1) / 2.0) / f64::from(WIDTH);
        // The lines of each supply point are in the <title> only (its first line is when and
        // period): the client reads them from there, so they are not in the page twice.
        let attrs = format!(
            r#"class="hit" data-tip="" data-when="{}" data-period="{}" data-x="{centre:.1}""#,
            axis::escape(&when),
            axis::escape(&period),
        );
        let rect = format!(
            r##"<rect x="{x0:.2}" y="{y}" width="{w:.2}" height="{h}" fill="#000" fill-opacity="0"/>"##,
            y = geo.y_top,
            w = (x1 - x0).max(0.5),
            h = geo.y_bottom - geo.y_top,
        );
        match b.drill_down(g).filter(|_| drills) {
            Some(span) => {
                let _ = write!(
                    out,
                    r#"<a href="{}" {attrs}><title>{}</title>{rect}</a>"#,
                    axis::escape(&drill(span)),
                    axis::escape(&title)
                );
            }
            None => {
                let _ = write!(
                    out,
                    r#"<g tabindex="0" {attrs}><title>{}</title>{rect}</g>"#,
                    axis::escape(&title)
                );
            }
        }
    }
    out.push_str("</g>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::channel::ValueStatus;
    use crate::domain::consumption_buckets::{build_buckets, DayReading};
    use crate::domain::settlement_run::SettlementRun;
    use crate::domain::settlement_time::periods_in_day;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn day(date: &str, kwh: f64, export: Option<f64>) -> DayReading {
        let n = usize::from(periods_in_day(d(date)));
        DayReading {
            date: d(date),
            run: SettlementRun::SF,
            kwh: vec![kwh; n],
            status: vec![ValueStatus::Actual; n],
            kvarh_import: vec![],
            kvarh_export: vec![],
            export_kwh: export.map(|e| vec![e; n]),
        }
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    #[test]
    fn every_bucket_gets_a_hit_area_with_its_tooltip_and_days_link_to_their_half_hours() {
        let span = DateSpan::parse("2026-10-24", "2026-10-27").unwrap();
        let days = [day("2026-10-24", 1.0, None), day("2026-10-25", 2.0, None)];
        let buckets = build_buckets(span, Granularity::Day, &days, d("2020-01-01"));
        let series = [ChartSeries {
            label: "Castlegate House",
            colour: axis::BRAND,
            buckets: &buckets,
            capacity_kva: 250.0,
            has_export: false,
        }];
        let svg = interactive_svg(&series, Granularity::Day, ChartUnit::Kwh, &|s| {
            format!("/consumption?from={}&to={}", s.from(), s.to())
        });
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(count(&svg, r#"class="hit""#), 4);
        assert_eq!(count(&svg, "<a href="), 4);
        assert!(svg.contains(r#"<a href="/consumption?from=2026-10-25&amp;to=2026-10-25""#));
        assert!(svg.contains(
            "<title>Sun 25 Oct 2026 · periods 1–50&#10;Castlegate House: 100 kWh · actual · run SF</title>"
        ));
        assert!(svg.contains(r#"data-when="Tue 27 Oct 2026""#));
        assert!(svg.contains("Castlegate House: no value · missing · run no data"));
        assert_eq!(count(&svg, "capacity-line"), 0, "no capacity line on energy");
        assert!(svg.contains(">24 Oct</text>"));
    }

    #[test]
    fn demand_draws_the_capacity_and_half_hours_are_focusable_not_links() {
        let span = DateSpan::day(d("2026-06-01"));
        let buckets = build_buckets(
            span,
            Granularity::HalfHour,
            &[day("2026-06-01", 1.0, Some(0.5))],
            d("2020-01-01"),
        );
        let series = [ChartSeries {
            label: "Avonmouth Solar Depot",
            colour: axis::BRAND,
            buckets: &buckets,
            capacity_kva: 300.0,
            has_export: true,
        }];
        let svg = interactive_svg(&series, Granularity::HalfHour, ChartUnit::Kw, &|_| String::new());
        assert_eq!(count(&svg, r#"tabindex="0""#), 48);
        assert_eq!(count(&svg, "<a href="), 0);
        assert!(svg.contains(r#"class="capacity-line" data-capacity="300""#));
        assert!(svg.contains("Agreed capacity 300 kVA"));
        assert!(svg.contains("Avonmouth Solar Depot export: 1.0 kW"));
        assert!(svg.contains(r#"data-period="period 1 of 48""#));
    }

    #[test]
    fn nothing_to_draw_is_an_empty_string() {
        assert!(interactive_svg(&[], Granularity::Day, ChartUnit::Kwh, &|_| String::new()).is_empty());
    }
}
