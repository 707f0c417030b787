//! The HH importer's CSV parsing (`server::import::format` and `days`): a whole file goes through
//! what `server::import::write::parse_all` does before any database work (header, every line,
//! whole-day assembly, incomplete days), and every value that comes out must be a possible one.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use portal_fuzz::import::days::DayAssembler;
use portal_fuzz::import::format::{parse_line, Columns, DayCache};
use portal_fuzz::import::KnownSupply;

/// The supply points the corpus files name (MPAN cores with valid check digits).
const KNOWN: [u64; 3] = [1012345678903, 2400000000004, 1800000000000];

fuzz_target!(|data: &[u8]| {
    let known: HashMap<u64, KnownSupply> = KNOWN
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            let id = i as i64 + 1;
            (
                m,
                KnownSupply {
                    id,
                    organisation_id: 100 + id,
                },
            )
        })
        .collect();
    // As parse_all configures its reader (server/src/import/write.rs).
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(data);
    let Ok(header) = csv.byte_headers().cloned() else {
        return;
    };
    let Ok(cols) = Columns::from_header(&header) else {
        return;
    };
    let mut days = DayAssembler::default();
    let mut cache = DayCache::default();
    let mut rec = csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => continue,
        }
        let line = rec.position().map_or(0, |p| p.line());
        let Ok(v) = parse_line(&rec, &cols, &known, &mut cache) else {
            continue;
        };
        assert!((46..=50).contains(&v.periods_in_day), "{v:?}");
        assert!(v.period >= 1 && v.period <= v.periods_in_day, "{v:?}");
        assert!(v.value_milli >= 0, "{v:?}");
        if let Ok(Some(day)) = days.push(v, line) {
            assert_eq!(day.vals.len(), usize::from(v.periods_in_day));
            assert_eq!(day.statuses.len(), day.vals.len());
        }
    }
    let _ = days.incomplete();
});
