//! Colours shared by the charts (the page's palette, `style/main.css`).
use plotters::style::RGBColor;

pub const BRAND: RGBColor = RGBColor(18, 94, 138);
pub const AXIS_TEXT: RGBColor = RGBColor(67, 83, 95);
pub const GRID: RGBColor = RGBColor(223, 229, 234);
pub const LIGHT_GRID: RGBColor = RGBColor(232, 237, 241);
pub const MISSING: RGBColor = RGBColor(217, 221, 225);
pub const CAPACITY: RGBColor = RGBColor(192, 57, 43);

/// Series colours, distinct for up to six lines (Okabe–Ito, readable by colour-blind users).
pub const SERIES: [RGBColor; 6] = [
    BRAND,
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

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
