//! MPAN cores (`app::domain::mpan`): any text either parses to a core that round-trips, or is
//! refused with an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_fuzz::domain::mpan::{check_digit, Distributor, MpanCore};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(core) = MpanCore::parse(text) else {
        let _ = MpanCore::parse(text).unwrap_err().to_string();
        return;
    };
    let shown = core.to_string();
    assert_eq!(shown.len(), 13, "{shown}");
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(digits, shown, "the core is the input's digits");
    assert_eq!(MpanCore::parse(&shown), Ok(core), "round trip");
    let mut first = [0u8; 12];
    for (d, c) in first.iter_mut().zip(shown.bytes()) {
        *d = c - b'0';
    }
    assert_eq!(check_digit(first), core.check_digit());
    assert!(core.distributor_id() < 100);
    assert!(core.unique_id() < 10_000_000_000);
    if let Some(area) = core.distributor() {
        assert_eq!(Distributor::from_id(core.distributor_id()), Ok(area));
    }
});
