//! The intake journal's segment reader on arbitrary files (a disk that damaged one, a crash
//! that cut one): never a panic, and every record it accepts writes back to a record that
//! reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_manager::journal::parse_segment;

fuzz_target!(|data: &[u8]| {
    let (records, _) = parse_segment(data);
    let mut written = Vec::new();
    for record in &records {
        record.encode(&mut written);
    }
    let (again, stopped) = parse_segment(&written);
    assert_eq!(stopped, None);
    assert_eq!(again, records);
});
