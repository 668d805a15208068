//! The HOST-RESOURCES-MIB `hrSystem` group (RFC 2790 §4.1): uptime, date, users,
//! processes, and the kernel's load parameters.

use std::fs;
use std::time::Duration;

use super::HostPaths;
use super::read_text;

/// Parses `/proc/uptime` (`"2677.95 2784.03"`): the time since boot.
pub fn parse_uptime(text: &str) -> Option<Duration> {
    // Parsed as decimal digits, not as a float, so that hundredths stay exact.
    let field = text.split_whitespace().next()?;
    let (whole, fraction) = field.split_once('.').unwrap_or((field, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: u64 = whole.parse().ok()?;
    let nanos = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0_u32, |acc, digit| acc * 10 + u32::from(digit - b'0'));
    Some(Duration::new(seconds, nanos))
}

/// `hrSystemUptime` (`TimeTicks`): hundredths of a second since boot, wrapping at 2^32 as
/// `TimeTicks` do (RFC 2578 §7.1.8).
pub fn uptime_ticks(uptime: Duration) -> u32 {
    let ticks = uptime.as_millis() / 10;
    // Wrapping modulo 2^32 is the TimeTicks semantics; the mask makes the cast exact.
    u32::try_from(ticks & u128::from(u32::MAX)).unwrap_or(0)
}

/// `hrSystemDate`: the `DateAndTime` octets (`SNMPv2-TC`, RFC 2579) of a time given as the
/// duration since the Unix epoch, in UTC with the explicit offset `+0:00` (11 octets:
/// year (2, big-endian), month, day, hour, minutes, seconds, deci-seconds, '+', 0, 0).
///
/// UTC is used because the agent does not read the time-zone database; the offset octets
/// say so, so a manager still gets the right instant.
pub fn date_and_time(since_epoch: Duration) -> [u8; 11] {
    let seconds = since_epoch.as_secs();
    let days = seconds / SECONDS_PER_DAY;
    let in_day = seconds % SECONDS_PER_DAY;
    let (year, month, day) = civil_from_days(days);
    let year = u16::try_from(year).unwrap_or(u16::MAX).to_be_bytes();
    let two_digits = |value: u64| u8::try_from(value).unwrap_or(0);
    [
        year[0],
        year[1],
        month,
        day,
        two_digits(in_day / 3600),
        two_digits(in_day % 3600 / 60),
        two_digits(in_day % 60),
        two_digits(u64::from(since_epoch.subsec_millis() / 100)),
        b'+',
        0,
        0,
    ]
}

/// Counts the processes of the host: the numeric directories of the procfs root.
pub fn count_processes(paths: &HostPaths) -> u32 {
    let Ok(entries) = fs::read_dir(paths.proc_root()) else {
        return 0;
    };
    let count = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
        })
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// `hrSystemMaxProcesses`: `/proc/sys/kernel/pid_max`, the most process IDs the kernel
/// hands out; 0 ("no fixed maximum", RFC 2790) when it cannot be read.
pub fn max_processes(paths: &HostPaths) -> i32 {
    paths
        .proc_text("sys/kernel/pid_max")
        .and_then(|text| text.trim().parse::<i32>().ok())
        .filter(|&max| max > 0)
        .unwrap_or(0)
}

/// `hrSystemInitialLoadParameters`: the kernel command line (`/proc/cmdline`), cut to the
/// 128 octets the MIB allows (`InternationalDisplayString (SIZE (0..128))`), as Net-SNMP
/// does.
pub fn load_parameters(paths: &HostPaths) -> Vec<u8> {
    let mut bytes = read_text(&paths.proc_root().join("cmdline"))
        .unwrap_or_default()
        .trim_end_matches(['\n', '\0'])
        .as_bytes()
        .to_vec();
    bytes.truncate(MAX_LOAD_PARAMETERS);
    bytes
}

/// `hrSystemNumUsers`: the number of `USER_PROCESS` records of a glibc utmp file (Linux
/// x86-64 and aarch64 layout, 384-octet records with `ut_type` first). A missing file (a
/// container without logins) counts 0 users.
pub fn count_users(utmp: &[u8]) -> u32 {
    let count = utmp
        .chunks_exact(UTMP_RECORD)
        .filter(|record| {
            record
                .first_chunk::<4>()
                .is_some_and(|ut_type| i32::from_ne_bytes(*ut_type) == USER_PROCESS)
        })
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Reads the utmp file and counts its logged-in users (0 when it is missing).
pub fn read_num_users(paths: &HostPaths) -> u32 {
    fs::read(paths.utmp()).map_or(0, |bytes| count_users(&bytes))
}

/// Reads `/proc/uptime`.
pub fn read_uptime(paths: &HostPaths) -> Option<Duration> {
    paths
        .proc_text("uptime")
        .and_then(|text| parse_uptime(&text))
}

/// The Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`,
/// restricted to dates after the epoch).
fn civil_from_days(days: u64) -> (u64, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (
        year,
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

const SECONDS_PER_DAY: u64 = 86_400;
/// `hrSystemInitialLoadParameters` is at most 128 octets.
const MAX_LOAD_PARAMETERS: usize = 128;
/// `sizeof(struct utmp)` on glibc Linux (x86-64, aarch64).
const UTMP_RECORD: usize = 384;
/// `USER_PROCESS` (`utmp.h`).
const USER_PROCESS: i32 = 7;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn fixture_paths() -> HostPaths {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host");
        HostPaths::new(root.join("proc"), root.join("sys"), root.join("utmp"))
    }

    #[test]
    fn uptime_parsing_and_ticks() {
        assert_eq!(
            parse_uptime("2677.95 2784.03\n"),
            Some(Duration::from_millis(2_677_950))
        );
        assert_eq!(
            read_uptime(&fixture_paths()),
            Some(Duration::from_millis(2_867_790))
        );
        assert_eq!(parse_uptime(""), None);
        assert_eq!(parse_uptime("-5 1"), None);
        assert_eq!(parse_uptime("abc"), None);
        assert_eq!(uptime_ticks(Duration::from_millis(2_677_950)), 267_795);
        // 2^32 ticks later the value wraps.
        let wrapped = Duration::from_millis(10 * (1_u64 << 32) + 120);
        assert_eq!(uptime_ticks(wrapped), 12);
    }

    #[test]
    fn date_and_time_octets() {
        // 2026-11-23 20:10:59.4 UTC (the time snmpd answered 07 EA 0B 17 14 0A 3B …).
        let at = Duration::from_millis(1_795_464_659_400);
        assert_eq!(
            date_and_time(at),
            [0x07, 0xEA, 11, 23, 20, 10, 59, 4, b'+', 0, 0]
        );
        assert_eq!(
            date_and_time(Duration::ZERO),
            [0x07, 0xB2, 1, 1, 0, 0, 0, 0, b'+', 0, 0]
        );
        // 2024-02-29 (leap day) 23:59:59.
        let leap = Duration::from_secs(1_709_251_199);
        assert_eq!(date_and_time(leap)[..7], [0x07, 0xE8, 2, 29, 23, 59, 59]);
    }

    #[test]
    fn fixture_system_values() {
        let paths = fixture_paths();
        assert_eq!(max_processes(&paths), 32_768);
        assert_eq!(
            load_parameters(&paths),
            b"BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0b9e5f0c-5d1e-4d2a-9c53-0f2f4a1b7e10 ro quiet"
        );
        // The fixture tree holds no numeric directories and no utmp file.
        assert_eq!(count_processes(&paths), 0);
        assert_eq!(read_num_users(&paths), 0);
        let missing = HostPaths::new("/nonexistent", "/nonexistent", "/nonexistent");
        assert_eq!(max_processes(&missing), 0);
        assert!(load_parameters(&missing).is_empty());
    }

    #[test]
    fn live_processes_include_this_one() {
        assert!(count_processes(&HostPaths::live()) >= 1);
    }

    #[test]
    fn users_from_utmp_records() {
        let mut utmp = vec![0_u8; UTMP_RECORD * 3 + 10];
        utmp[..4].copy_from_slice(&USER_PROCESS.to_ne_bytes());
        utmp[UTMP_RECORD..UTMP_RECORD + 4].copy_from_slice(&2_i32.to_ne_bytes());
        utmp[2 * UTMP_RECORD..2 * UTMP_RECORD + 4].copy_from_slice(&USER_PROCESS.to_ne_bytes());
        // A trailing partial record is ignored.
        utmp[3 * UTMP_RECORD..3 * UTMP_RECORD + 4].copy_from_slice(&USER_PROCESS.to_ne_bytes());
        assert_eq!(count_users(&utmp), 2);
        assert_eq!(count_users(&[]), 0);
    }

    #[test]
    fn long_command_line_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("cmdline"), "x".repeat(300) + "\n").unwrap();
        let paths = HostPaths::new(dir.path(), dir.path(), dir.path().join("utmp"));
        assert_eq!(load_parameters(&paths).len(), 128);
    }
}
