//! Money by DUoS time band: the kWh used in the red, amber and green bands of the supply's
//! distributor and what that energy cost at the unit rates of the contract in force on each day.
//! Under a flat or day/night contract the bands do not change the unit rate: the page says so,
//! and the figures show what the energy in each band cost, not a band price.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::HalfHour;
use crate::domain::billing::{line_amount, RateName, RateStructure, Tariff};
use crate::domain::duos::{Band, BandTable};
use crate::domain::units::Pence;

/// A contract's tariff over the days it is in force (both ends inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct ContractTerm {
    pub reference: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tariff: Tariff,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandLine {
    pub band: Band,
    pub kwh: f64,
    /// The energy of this band that a contract priced, and what it cost (before levy and VAT).
    pub priced_kwh: f64,
    pub cost: Pence,
}

impl BandLine {
    /// Average p/kWh of the priced energy of the band.
    pub fn average_p_per_kwh(&self) -> Option<f64> {
        (self.priced_kwh > 0.0).then(|| self.cost.pence() as f64 / self.priced_kwh)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BandCost {
    /// Red, amber and green, in that order.
    pub lines: Vec<BandLine>,
    /// The rate structures of the contracts that priced the energy, in the order met.
    pub structures: Vec<RateStructure>,
    /// kWh on days no contract covers, or at a rate the contract does not price.
    pub unpriced_kwh: f64,
}

impl BandCost {
    pub fn line(&self, band: Band) -> Option<&BandLine> {
        self.lines.iter().find(|l| l.band == band)
    }

    pub fn total_kwh(&self) -> f64 {
        self.lines.iter().map(|l| l.kwh).sum()
    }

    pub fn total_cost(&self) -> Pence {
        self.lines.iter().map(|l| l.cost).sum()
    }

    /// The red band's share of the kWh, in %.
    pub fn red_share(&self) -> f64 {
        let total = self.total_kwh();
        match self.line(Band::Red) {
            Some(l) if total > 0.0 => 100.0 * l.kwh / total,
            _ => 0.0,
        }
    }

    /// Adds another supply point's figures (a site's points, each priced on its own).
    pub fn absorb(&mut self, other: &BandCost) {
        for o in &other.lines {
            match self.lines.iter_mut().find(|l| l.band == o.band) {
                Some(l) => {
                    l.kwh += o.kwh;
                    l.priced_kwh += o.priced_kwh;
                    l.cost += o.cost;
                }
                None => self.lines.push(*o),
            }
        }
        for s in &other.structures {
            if !self.structures.contains(s) {
                self.structures.push(*s);
            }
        }
        self.unpriced_kwh += other.unpriced_kwh;
    }

    /// Whether every contract prices by band (otherwise moving load between bands does not change
    /// the energy cost).
    pub fn priced_by_band(&self) -> bool {
        !self.structures.is_empty() && self.structures.iter().all(|s| *s == RateStructure::Banded)
    }
}

/// kWh and cost by band for a supply on `distributor_id`, over the half-hours with a value.
/// Amounts are rounded once per band and rate, as invoice lines are.
pub fn band_cost(
    half_hours: impl IntoIterator<Item = HalfHour>,
    distributor_id: u8,
    bands: &BandTable,
    contracts: &[ContractTerm],
) -> BandCost {
    let order = [Band::Red, Band::Amber, Band::Green];
    let mut wh: BTreeMap<Band, i64> = BTreeMap::new();
    let mut priced: BTreeMap<(Band, RateName, i64), i64> = BTreeMap::new();
    let mut structures = Vec::new();
    let mut unpriced_wh = 0i64;
    for h in half_hours.into_iter().filter(HalfHour::has_value) {
        let band = bands.classify(distributor_id, h.start);
        let v = (h.kwh * 1000.0).round() as i64;
        *wh.entry(band).or_default() += v;
        let term = contracts.iter().find(|c| h.date >= c.from && h.date <= c.to);
        let rated = term.and_then(|c| {
            let name = c.tariff.rate_name_at(bands, distributor_id, h.start);
            Some((c, name, c.tariff.unit_rate(name)?))
        });
        match rated {
            Some((c, name, rate)) => {
                if !structures.contains(&c.tariff.structure) {
                    structures.push(c.tariff.structure);
                }
                *priced.entry((band, name, rate.0)).or_default() += v;
            }
            None => unpriced_wh += v,
        }
    }
    let lines = order
        .into_iter()
        .map(|band| {
            let groups = priced.iter().filter(|((b, _, _), _)| *b == band);
            let priced_wh: i64 = groups.clone().map(|(_, w)| w).sum();
            BandLine {
                band,
                kwh: wh.get(&band).copied().unwrap_or(0) as f64 / 1000.0,
                priced_kwh: priced_wh as f64 / 1000.0,
                cost: groups
                    .map(|((_, _, rate), w)| line_amount(*w, crate::domain::billing::Rate(*rate)))
                    .sum(),
            }
        })
        .collect();
    BandCost {
        lines,
        structures,
        unpriced_kwh: unpriced_wh as f64 / 1000.0,
    }
}

/// A site's band figures, for ranking where shifting load pays.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteBandCost {
    pub site_id: i64,
    pub site_name: String,
    pub cost: BandCost,
}

/// Sites ordered by the cost of their red-band energy, dearest first (then by red share).
pub fn rank_by_red_cost(mut sites: Vec<SiteBandCost>) -> Vec<SiteBandCost> {
    let red = |s: &SiteBandCost| s.cost.line(Band::Red).map_or(Pence(0), |l| l.cost);
    sites.sort_by(|a, b| {
        red(b)
            .cmp(&red(a))
            .then(b.cost.red_share().total_cmp(&a.cost.red_share()))
            .then(a.site_name.cmp(&b.site_name))
    });
    sites
}

#[cfg(test)]
mod tests {
    use super::super::half_hours;
    use super::super::testing::{date, day};
    use super::*;
    use crate::domain::billing::{LevyTreatment, NightHours, Rate, VatRate};

    fn tariff(structure: RateStructure, rates: &[(RateName, i64)]) -> Tariff {
        Tariff {
            structure,
            unit_rates: rates.iter().map(|(n, r)| (*n, Rate(*r))).collect(),
            night: NightHours::default(),
            standing_per_day: Rate(0),
            capacity_per_kva_day: Rate(0),
            excess_per_kva_day: Rate(0),
            reactive_per_kvarh: Rate(0),
            vat: VatRate::STANDARD,
            levy: LevyTreatment::Main,
        }
    }

    fn term(from: &str, to: &str, t: Tariff) -> ContractTerm {
        ContractTerm {
            reference: "C-1".into(),
            from: date(from),
            to: date(to),
            tariff: t,
        }
    }

    // Eastern (distributor 10) in `example_2025`: weekday red 16:00–19:00, amber 07:00–16:00
    // and 19:00–23:00, green otherwise; weekends green.
    const EASTERN: u8 = 10;

    fn table() -> BandTable {
        BandTable::example_2025()
    }

    #[test]
    fn a_banded_contract_prices_each_band_at_its_rate_on_a_clock_change_day() {
        // Mon 26 Oct 2026 is an ordinary weekday after the change; Sun 25 Oct has 50 periods, all
        // green. 1 kWh in every period.
        let days = vec![day("2026-10-25", |_| 1000), day("2026-10-26", |_| 1000)];
        let banded = tariff(
            RateStructure::Banded,
            &[
                (RateName::Red, 3_000_000),
                (RateName::Amber, 2_000_000),
                (RateName::Green, 1_000_000),
            ],
        );
        let c = band_cost(
            half_hours(&days),
            EASTERN,
            &table(),
            &[term("2026-10-01", "2027-09-30", banded)],
        );
        let red = c.line(Band::Red).unwrap();
        let amber = c.line(Band::Amber).unwrap();
        let green = c.line(Band::Green).unwrap();
        // Monday: red 6 periods, amber 26 (07:00–16:00 = 18, 19:00–23:00 = 8), green 16; Sunday 50 green.
        assert_eq!((red.kwh, amber.kwh, green.kwh), (6.0, 26.0, 66.0));
        assert_eq!(red.cost, Pence(180));
        assert_eq!(amber.cost, Pence(520));
        assert_eq!(green.cost, Pence(660));
        assert_eq!(c.total_cost(), Pence(1360));
        assert!(c.priced_by_band());
        assert!((c.red_share() - 600.0 / 98.0).abs() < 1e-9);
        assert_eq!(red.average_p_per_kwh(), Some(30.0));
    }

    #[test]
    fn a_flat_contract_costs_every_band_the_same_and_says_it_is_not_banded() {
        let days = vec![day("2026-10-26", |_| 1000)];
        let flat = tariff(RateStructure::Flat, &[(RateName::All, 2_500_000)]);
        let c = band_cost(
            half_hours(&days),
            EASTERN,
            &table(),
            &[term("2026-01-01", "2026-12-31", flat)],
        );
        assert!(!c.priced_by_band());
        assert_eq!(c.structures, vec![RateStructure::Flat]);
        assert_eq!(c.line(Band::Red).unwrap().cost, Pence(150));
        assert_eq!(c.line(Band::Red).unwrap().average_p_per_kwh(), Some(25.0));
        assert_eq!(c.line(Band::Green).unwrap().average_p_per_kwh(), Some(25.0));
    }

    #[test]
    fn days_without_a_contract_are_counted_as_unpriced_and_a_new_contract_takes_over() {
        let days = vec![
            day("2026-09-29", |_| 1000),
            day("2026-09-30", |_| 1000),
            day("2026-10-01", |_| 1000),
        ];
        let old = tariff(RateStructure::Flat, &[(RateName::All, 1_000_000)]);
        let new = tariff(
            RateStructure::DayNight,
            &[(RateName::Day, 2_000_000), (RateName::Night, 1_000_000)],
        );
        let c = band_cost(
            half_hours(&days),
            EASTERN,
            &table(),
            &[
                term("2026-09-30", "2026-09-30", old),
                term("2026-10-01", "2027-09-30", new),
            ],
        );
        assert_eq!(c.unpriced_kwh, 48.0);
        assert_eq!(c.structures, vec![RateStructure::Flat, RateStructure::DayNight]);
        // 30 Sep: 48 kWh at 10 p = 480 p; 1 Oct: 14 night periods (00:00–07:00) at 10 p + 34 day at 20 p = 820 p.
        assert_eq!(c.total_cost(), Pence(480 + 820));
    }

    #[test]
    fn sites_rank_by_red_band_cost() {
        let mk = |id: i64, name: &str, red_kwh: i32| {
            let days = vec![day("2026-10-26", |p| {
                if (33..=38).contains(&p) {
                    red_kwh
                } else {
                    100
                }
            })];
            let banded = tariff(
                RateStructure::Banded,
                &[
                    (RateName::Red, 3_000_000),
                    (RateName::Amber, 2_000_000),
                    (RateName::Green, 1_000_000),
                ],
            );
            SiteBandCost {
                site_id: id,
                site_name: name.into(),
                cost: band_cost(
                    half_hours(&days),
                    EASTERN,
                    &table(),
                    &[term("2026-01-01", "2026-12-31", banded)],
                ),
            }
        };
        let ranked = rank_by_red_cost(vec![mk(1, "Small", 1000), mk(2, "Big", 9000), mk(3, "Mid", 4000)]);
        let names: Vec<&str> = ranked.iter().map(|s| s.site_name.as_str()).collect();
        assert_eq!(names, vec!["Big", "Mid", "Small"]);
    }
}
