//! Bills: fixed-point money, contract tariffs, dated regulated rates, the shadow bill rebuilt from
//! half-hourly data, and its line-by-line comparison with an invoice (bill validation).
pub mod check;
pub mod money;
pub mod regulated;
pub mod shadow;
pub mod tariff;

#[cfg(test)]
mod tests;

pub use check::{validate, BilledLine, BilledTotals, LineCheck, Outcome, Tolerance, Validation, Verdict};
pub use money::{line_amount, Rate, VatRate};
pub use regulated::{DatedRate, RegulatedKind, RegulatedRates};
pub use shadow::{
    shadow_bill, BillingPeriod, ChargeType, DataCheck, MeterDay, ShadowBill, ShadowLine, SupplyData,
};
pub use tariff::{LevyTreatment, NightHours, RateName, RateStructure, Tariff};
