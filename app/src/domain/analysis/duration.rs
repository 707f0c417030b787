//! The load-duration curve: every half-hour's demand sorted from highest to lowest, with the base
//! load, the peak and the load factor an energy manager reads off it.
use super::{percentile, HalfHour};

#[derive(Debug, Clone, PartialEq)]
pub struct LoadDuration {
    /// kW of every half-hour with a value, highest first.
    pub curve_kw: Vec<f64>,
    /// The 5th percentile of demand: the load that is always on.
    pub base_kw: f64,
    pub peak_kw: f64,
    pub mean_kw: f64,
    /// Mean over peak demand (0–1): how evenly the capacity is used.
    pub load_factor: f64,
}

impl LoadDuration {
    /// At most `n` points of the curve as (share of the time in %, kW), for drawing; the first
    /// is the peak and the last the lowest demand.
    pub fn sampled(&self, n: usize) -> Vec<(f64, f64)> {
        let len = self.curve_kw.len();
        if len == 0 || n == 0 {
            return Vec::new();
        }
        let n = n.min(len).max(2.min(len));
        (0..n)
            .map(|k| {
                let i = if n == 1 { 0 } else { k * (len - 1) / (n - 1) };
                (100.0 * (i as f64 + 1.0) / len as f64, self.curve_kw[i])
            })
            .collect()
    }

    /// The share of half-hours (in %) with demand above `kw`.
    pub fn share_above(&self, kw: f64) -> f64 {
        if self.curve_kw.is_empty() {
            return 0.0;
        }
        let above = self.curve_kw.partition_point(|v| *v > kw);
        100.0 * above as f64 / self.curve_kw.len() as f64
    }
}

/// The curve of the half-hours that have a value; `None` when none has.
pub fn load_duration(half_hours: impl IntoIterator<Item = HalfHour>) -> Option<LoadDuration> {
    let mut kw: Vec<f64> = half_hours
        .into_iter()
        .filter(HalfHour::has_value)
        .map(|h| h.kw())
        .collect();
    if kw.is_empty() {
        return None;
    }
    kw.sort_unstable_by(f64::total_cmp);
    let base_kw = percentile(&kw, 5.0)?;
    let peak_kw = *kw.last()?;
    let mean_kw = kw.iter().sum::<f64>() / kw.len() as f64;
    kw.reverse();
    Some(LoadDuration {
        curve_kw: kw,
        base_kw,
        peak_kw,
        mean_kw,
        load_factor: if peak_kw > 0.0 { mean_kw / peak_kw } else { 0.0 },
    })
}

#[cfg(test)]
mod tests {
    use super::super::half_hours;
    use super::super::testing::day;
    use super::*;

    #[test]
    fn a_flat_night_and_a_day_shift_give_base_peak_and_load_factor() {
        // Periods 1–16 at 50 kWh (100 kW), 17–48 at 150 kWh (300 kW): base 100 kW, peak 300 kW,
        // mean (16×100 + 32×300)/48 = 233.33 kW, load factor 0.7778.
        let d = day("2026-01-14", |p| if p <= 16 { 50_000 } else { 150_000 });
        let ld = load_duration(half_hours(&[d])).unwrap();
        assert_eq!(ld.curve_kw.len(), 48);
        assert_eq!((ld.base_kw, ld.peak_kw), (100.0, 300.0));
        assert!((ld.mean_kw - 233.333_333).abs() < 1e-5);
        assert!((ld.load_factor - 0.777_778).abs() < 1e-5);
        assert!((ld.share_above(100.0) - 66.666_667).abs() < 1e-5);
        assert_eq!(ld.curve_kw.first(), Some(&300.0));
    }

    #[test]
    fn missing_periods_are_left_out_and_the_base_is_the_fifth_percentile() {
        // 20 half-hours valued 1..20 kWh (2..40 kW) and the rest missing: 5th percentile by
        // nearest rank is the 1st of 20, 2 kW.
        let mut d = day("2026-01-14", |p| i32::from(p) * 1000);
        for s in d.statuses.iter_mut().skip(20) {
            *s = b'M';
        }
        let ld = load_duration(half_hours(&[d])).unwrap();
        assert_eq!(ld.curve_kw.len(), 20);
        assert_eq!((ld.base_kw, ld.peak_kw), (2.0, 40.0));
        let s = ld.sampled(5);
        assert_eq!(s.first(), Some(&(5.0, 40.0)));
        assert_eq!(s.last(), Some(&(100.0, 2.0)));
        assert_eq!(s.len(), 5);
    }

    #[test]
    fn nothing_to_draw_without_values() {
        let mut d = day("2026-01-14", |_| 0);
        d.statuses.fill(b'M');
        assert_eq!(load_duration(half_hours(&[d])), None);
    }
}
