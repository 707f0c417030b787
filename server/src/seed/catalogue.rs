//! The demo customers: who they are, their sites and supplies.
use chrono::NaiveDate;

pub struct DemoCustomer {
    pub name: &'static str,
    pub account_number: &'static str,
    pub sites: Vec<DemoSite>,
}

pub struct DemoSite {
    pub name: &'static str,
    /// One of: cold_store, office, factory, school, warehouse, solar_warehouse, leisure.
    pub kind: &'static str,
    pub address_line: &'static str,
    pub town: &'static str,
    pub postcode: &'static str,
    pub supplies: Vec<DemoSupply>,
}

pub struct DemoSupply {
    pub distributor_id: u8,
    pub mtc: i16,
    pub llfc: i16,
    pub measurement_class: &'static str,
    pub agreed_capacity_kva: i32,
    pub has_export: bool,
    pub energised_from: NaiveDate,
    pub meter_make: &'static str,
}

fn supply(distributor_id: u8, llfc: i16, kva: i32) -> DemoSupply {
    DemoSupply {
        distributor_id,
        mtc: 845,
        llfc,
        measurement_class: "C",
        agreed_capacity_kva: kva,
        has_export: false,
        energised_from: NaiveDate::from_ymd_opt(2019, 4, 1).expect("valid date"),
        meter_make: "E10BG",
    }
}

pub fn demo_customers() -> Vec<DemoCustomer> {
    vec![
        DemoCustomer {
            name: "Castlegate Group Ltd",
            account_number: "NGE-100234",
            sites: vec![
                DemoSite {
                    name: "Felixstowe Cold Store",
                    kind: "cold_store",
                    address_line: "Dock Road",
                    town: "Felixstowe",
                    postcode: "IP11 3QW",
                    supplies: vec![supply(10, 521, 800)],
                },
                DemoSite {
                    name: "Castlegate House",
                    kind: "office",
                    address_line: "14 Finsbury Square",
                    town: "London",
                    postcode: "EC2A 1BR",
                    supplies: vec![supply(12, 210, 250)],
                },
                DemoSite {
                    name: "Leicester Works",
                    kind: "factory",
                    address_line: "Freemen's Common Road",
                    town: "Leicester",
                    postcode: "LE2 7SQ",
                    // The main intake runs above its agreed capacity on busy winter days.
                    supplies: vec![supply(11, 530, 1000), supply(11, 530, 400)],
                },
                DemoSite {
                    name: "Castlegate Academy",
                    kind: "school",
                    address_line: "Crosspool Lane",
                    town: "Sheffield",
                    postcode: "S10 5PB",
                    supplies: vec![supply(23, 420, 200)],
                },
                DemoSite {
                    name: "Daventry Distribution Centre",
                    kind: "warehouse",
                    address_line: "Royal Oak Way North",
                    town: "Daventry",
                    postcode: "NN11 8PQ",
                    supplies: vec![supply(14, 511, 500)],
                },
                DemoSite {
                    name: "Avonmouth Solar Depot",
                    kind: "solar_warehouse",
                    address_line: "Kingsweston Lane",
                    town: "Bristol",
                    postcode: "BS11 8AZ",
                    supplies: vec![DemoSupply {
                        has_export: true,
                        ..supply(22, 515, 300)
                    }],
                },
            ],
        },
        DemoCustomer {
            name: "Riverside Leisure Ltd",
            account_number: "NGE-200871",
            sites: vec![
                DemoSite {
                    name: "Riverside Leisure Centre",
                    kind: "leisure",
                    address_line: "Quayside",
                    town: "Newcastle upon Tyne",
                    postcode: "NE1 3DX",
                    supplies: vec![supply(15, 310, 350)],
                },
                DemoSite {
                    name: "Riverside Offices",
                    kind: "office",
                    address_line: "2 Sandhill",
                    town: "Newcastle upon Tyne",
                    postcode: "NE1 3AF",
                    supplies: vec![supply(15, 210, 120)],
                },
            ],
        },
    ]
}
