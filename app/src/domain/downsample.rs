//! Reducing long series to a chartable number of points without losing their peaks.

/// Largest-Triangle-Three-Buckets: `threshold` points chosen to keep the visual shape.
/// Points must be sorted by x. The first and last points are always kept; the input is
/// returned unchanged when `threshold >= len` or `threshold < 3`.
pub fn lttb(points: &[(f64, f64)], threshold: usize) -> Vec<(f64, f64)> {
    let n = points.len();
    if threshold >= n || threshold < 3 {
        return points.to_vec();
    }
    // Index where bucket k of the n − 2 inner points begins; clamped so the edge after the
    // last bucket is n − 1, the last point.
    let every = (n - 2) as f64 / (threshold - 2) as f64;
    let edge = |k: usize| ((k as f64 * every).floor() as usize + 1).min(n - 1);

    let mut sampled = Vec::with_capacity(threshold);
    sampled.push(points[0]);
    let mut a = points[0];
    for i in 0..threshold - 2 {
        // The next bucket's average is the third corner; after the last bucket that "next
        // bucket" is just the last point.
        let (lo, hi) = (edge(i + 1), edge(i + 2).max(edge(i + 1) + 1).min(n));
        let next = &points[lo..hi];
        let len = next.len() as f64;
        let avg_x = next.iter().map(|p| p.0).sum::<f64>() / len;
        let avg_y = next.iter().map(|p| p.1).sum::<f64>() / len;

        let mut best = points[edge(i)];
        let mut best_area = -1.0;
        for &p in &points[edge(i)..edge(i + 1)] {
            let area = ((a.0 - avg_x) * (p.1 - a.1) - (a.0 - p.0) * (avg_y - a.1)).abs();
            if area > best_area {
                best_area = area;
                best = p;
            }
        }
        sampled.push(best);
        a = best;
    }
    sampled.push(points[n - 1]);
    sampled
}

/// Splits the points into `buckets` runs of equal count and keeps each run's minimum and
/// maximum (by y), in their original order: at most 2 × `buckets` points. The input is
/// returned unchanged when `buckets` is 0 or 2 × `buckets` >= len.
pub fn min_max(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    let n = points.len();
    if buckets == 0 || buckets.saturating_mul(2) >= n {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(2 * buckets);
    for k in 0..buckets {
        let (lo, hi) = (k * n / buckets, (k + 1) * n / buckets);
        let (mut imin, mut imax) = (lo, lo);
        for i in lo..hi {
            if points[i].1 < points[imin].1 {
                imin = i;
            }
            if points[i].1 > points[imax].1 {
                imax = i;
            }
        }
        let (first, second) = (imin.min(imax), imin.max(imax));
        out.push(points[first]);
        if second != first {
            out.push(points[second]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat_with(n: usize, spikes: &[(usize, f64)]) -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = (0..n).map(|i| (i as f64, 0.0)).collect();
        for &(i, y) in spikes {
            pts[i].1 = y;
        }
        pts
    }

    fn strictly_increasing_x(pts: &[(f64, f64)]) -> bool {
        pts.windows(2).all(|w| w[0].0 < w[1].0)
    }

    #[test]
    fn lttb_returns_the_input_when_there_is_nothing_to_reduce() {
        let pts = flat_with(10, &[(5, 1.0)]);
        assert_eq!(lttb(&pts, 10), pts);
        assert_eq!(lttb(&pts, 50), pts);
        assert_eq!(lttb(&pts, 2), pts);
        assert!(lttb(&[], 5).is_empty());
    }

    #[test]
    fn lttb_to_three_points_keeps_the_ends_and_the_single_spike() {
        let pts = flat_with(10, &[(5, 100.0)]);
        assert_eq!(lttb(&pts, 3), vec![(0.0, 0.0), (5.0, 100.0), (9.0, 0.0)]);
    }

    #[test]
    fn lttb_keeps_a_peak_and_a_trough_in_their_own_buckets() {
        // every = 98 / 2 = 49; the peak wins bucket 1..50, the trough bucket 50..99.
        let pts = flat_with(100, &[(30, 50.0), (70, -40.0)]);
        assert_eq!(
            lttb(&pts, 4),
            vec![(0.0, 0.0), (30.0, 50.0), (70.0, -40.0), (99.0, 0.0)]
        );
    }

    #[test]
    fn lttb_returns_exactly_threshold_points_in_order() {
        let pts: Vec<(f64, f64)> = (0..17_520)
            .map(|i| (i as f64, ((i as f64) / 48.0).sin() * 10.0 + (i % 7) as f64))
            .collect();
        for threshold in [3, 4, 100, 999, 17_519] {
            let out = lttb(&pts, threshold);
            assert_eq!(out.len(), threshold);
            assert_eq!(out[0], pts[0]);
            assert_eq!(out[threshold - 1], pts[17_519]);
            assert!(strictly_increasing_x(&out));
        }
    }

    #[test]
    fn min_max_keeps_each_buckets_extremes_in_time_order() {
        let ys = [5.0, 1.0, 9.0, 3.0, 2.0, 8.0, 4.0, 6.0];
        let pts: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect();
        assert_eq!(
            min_max(&pts, 2),
            vec![(1.0, 1.0), (2.0, 9.0), (4.0, 2.0), (5.0, 8.0)]
        );
    }

    #[test]
    fn min_max_puts_a_maximum_before_a_later_minimum() {
        let pts = vec![(0.0, 3.0), (1.0, 9.0), (2.0, 5.0), (3.0, 0.0), (4.0, 4.0)];
        assert_eq!(min_max(&pts, 1), vec![(1.0, 9.0), (3.0, 0.0)]);
    }

    #[test]
    fn min_max_keeps_spikes_and_bounds_its_size() {
        let pts = flat_with(10_000, &[(1234, 500.0), (8765, -300.0)]);
        let out = min_max(&pts, 100);
        assert!(out.len() <= 200);
        assert!(out.contains(&(1234.0, 500.0)));
        assert!(out.contains(&(8765.0, -300.0)));
        assert!(strictly_increasing_x(&out));
    }

    #[test]
    fn min_max_returns_the_input_when_it_is_already_small() {
        let pts = flat_with(6, &[]);
        assert_eq!(min_max(&pts, 3), pts);
        assert_eq!(min_max(&pts, 0), pts);
    }
}
