//! `vigie log actions`: the troubleshooting log of response management, one line per
//! delivery attempt (time, action, rule, alarm, relay, stage, SMTP code, enhanced code, server
//! text, classification, fix), read from the database in the data directory where
//! vigie-notify's outbox writes it (table `outbox_attempts`; rotation there is a row cap).
//!
//! The seed's `sw-reponse-mgmt.log` gave the operator a Java exception to match against a
//! table; each line here already carries its classification and its fix.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use vigie_notify::{AttemptLog, AttemptOutcome, AttemptQuery, AttemptRecord};

use vigie_notify::db::{Pool, PostgresUrl};

use crate::commands::block_on;
use crate::config::Config;
use crate::exit::Exit;
use crate::paths;

/// `vigie log …`.
#[derive(Debug, Args)]
pub(crate) struct LogArgs {
    #[command(subcommand)]
    command: LogCommand,
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// The troubleshooting log of response management: one line per delivery attempt,
    /// oldest first, with its classification and fix.
    Actions(ActionsArgs),
}

/// `vigie log actions` arguments.
#[derive(Debug, Args)]
struct ActionsArgs {
    /// The data directory (default: `$VIGIE_DATA_DIR`, `/var/lib/vigie` as root, else
    /// `$XDG_DATA_HOME/vigie` or `~/.local/share/vigie`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The configuration file of `vigie serve`: its `[server] data_dir`, and its
    /// `[storage] url` when the log is in PostgreSQL.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Keep printing new attempts as they are logged (Ctrl-C to stop).
    #[arg(short, long)]
    follow: bool,
    /// Only attempts since this time: a duration back from now (`90s`, `15m`, `2h`, `7d`) or
    /// a UTC date (`2026-11-23`, `2026-11-23T22:00:00Z`, `2026-11-23 22:00`).
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// At most this many attempts, the newest (default 100, or all with --since).
    #[arg(short = 'n', long, value_name = "N")]
    limit: Option<u32>,
    /// Only attempts that did not deliver.
    #[arg(long)]
    failures: bool,
    /// Only this action's attempts.
    #[arg(long, value_name = "NAME")]
    action: Option<String>,
    /// One JSON object per line, as stored.
    #[arg(long)]
    json: bool,
}

/// Runs `vigie log …`.
pub(crate) fn run(args: &LogArgs) -> Exit {
    match &args.command {
        LogCommand::Actions(actions) => block_on(run_actions(actions)),
    }
}

/// Formats one attempt as a logfmt-style line a human reads left to right: when, how it
/// ended, where it came from, where it went, where it stopped, what the server said, what
/// vigie made of it and what to do.
pub(crate) fn format_line(record: &AttemptRecord) -> String {
    let outcome = match record.outcome {
        AttemptOutcome::Delivered => "delivered",
        AttemptOutcome::Retry => "retry",
        AttemptOutcome::Failed => "failed",
    };
    let field = |value: Option<&str>| value.map_or_else(|| "-".to_owned(), quote);
    format!(
        "{}  {outcome:<9} action={} rule={} alarm={} relay={} stage={} code={} enhanced={} class={} text={} fix={}",
        utc(from_ms(record.at_ms)),
        field(record.action.as_deref()),
        field(record.rule.as_deref()),
        field(record.alarm_id.as_deref()),
        field(Some(record.target.as_str()).filter(|t| !t.is_empty())),
        field(record.stage.as_deref()),
        record
            .smtp_code
            .map_or_else(|| "-".to_owned(), |c| c.to_string()),
        field(record.enhanced_code.as_deref()),
        field(record.classification.as_deref()),
        field(record.server_text.as_deref()),
        field(record.fix.as_deref()),
    )
}

/// `2026-11-23 22:31:05 UTC`.
pub(crate) fn utc(time: SystemTime) -> String {
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

async fn run_actions(args: &ActionsArgs) -> Exit {
    let since_ms = match args
        .since
        .as_deref()
        .map(|s| parse_since(s, SystemTime::now()))
    {
        None => None,
        Some(Ok(ms)) => Some(ms),
        Some(Err(())) => {
            eprintln!(
                "vigie log actions: --since {:?}: expected a duration (90s, 15m, 2h, 7d) or a UTC date (2026-11-23, 2026-11-23T22:00:00Z)",
                args.since.as_deref().unwrap_or_default()
            );
            return Exit::Failure;
        }
    };
    let (from_config, url) = match args.config.as_deref().map(Config::load) {
        None => (None, None),
        Some(Ok(config)) => (config.server.data_dir, config.storage.url),
        Some(Err(error)) => {
            eprintln!("vigie log actions: {error:#}");
            return Exit::Failure;
        }
    };
    let data_dir = paths::data_dir(args.data_dir.as_deref().or(from_config.as_deref()));
    let database = paths::database(&data_dir);
    let opened = match &url {
        Some(url) => open_postgres(url).await.map(Some),
        None => open(&database, args.follow).await,
    };
    let log = match opened {
        Ok(Some(log)) => log,
        Ok(None) => {
            eprintln!(
                "vigie log actions: no troubleshooting log at {}: nothing was sent yet from this data directory (vigie serve and vigie smtp test write it).",
                database.display()
            );
            return Exit::Success;
        }
        Err(message) => {
            eprintln!("vigie log actions: {message}");
            return Exit::Failure;
        }
    };
    let default_limit = if since_ms.is_some() { u32::MAX } else { 100 };
    let query = AttemptQuery {
        limit: args.limit.unwrap_or(default_limit),
        action: args.action.clone(),
        channel: None,
        notification_id: None,
        failures_only: args.failures,
    };
    let mut last_id = match read(&log, &query, i64::MIN, since_ms).await {
        Ok(records) => {
            if !print(&records, args.json) {
                return Exit::Success;
            }
            records.last().map_or(0, |r| r.id)
        }
        Err(message) => {
            eprintln!("vigie log actions: {message}");
            return Exit::Failure;
        }
    };
    if !args.follow {
        return Exit::Success;
    }
    let follow_query = AttemptQuery {
        limit: FOLLOW_BATCH,
        ..query
    };
    loop {
        tokio::time::sleep(FOLLOW_INTERVAL).await;
        match read(&log, &follow_query, last_id, since_ms).await {
            Ok(records) => {
                if !print(&records, args.json) {
                    return Exit::Success;
                }
                if let Some(last) = records.last() {
                    last_id = last.id;
                }
            }
            Err(message) => {
                eprintln!("vigie log actions: {message}");
                return Exit::Failure;
            }
        }
    }
}

/// Opens the log read-only; `None` when there is no database (yet). With `wait`, waits for
/// it to appear, as `tail -F` does.
async fn open(database: &Path, wait: bool) -> Result<Option<AttemptLog>, String> {
    while !database.exists() {
        if !wait {
            return Ok(None);
        }
        tokio::time::sleep(FOLLOW_INTERVAL).await;
    }
    AttemptLog::open_read_only(database)
        .await
        .map(Some)
        .map_err(|error| format!("cannot open {}: {error}", database.display()))
}

/// The log in the PostgreSQL database of `url` (its password never in the error).
async fn open_postgres(url: &PostgresUrl) -> Result<AttemptLog, String> {
    Pool::connect_postgres(url, 1)
        .await
        .map(AttemptLog::from_pool)
        .map_err(|error| format!("cannot open {url}: {error}"))
}

/// The records after `after_id` and since `since_ms`, oldest first.
async fn read(
    log: &AttemptLog,
    query: &AttemptQuery,
    after_id: i64,
    since_ms: Option<i64>,
) -> Result<Vec<AttemptRecord>, String> {
    let mut records = match log.records(query).await {
        Ok(records) => records,
        // A database without the outbox's tables: nothing was ever sent from it.
        // (SQLite says "no such table", PostgreSQL "relation … does not exist".)
        Err(error)
            if error.to_string().contains("no such table")
                || error.to_string().contains("does not exist") =>
        {
            Vec::new()
        }
        Err(error) => return Err(format!("cannot read the troubleshooting log: {error}")),
    };
    records.retain(|r| r.id > after_id && since_ms.is_none_or(|since| r.at_ms >= since));
    records.reverse();
    Ok(records)
}

/// Prints the records; `false` when stdout is closed (a pager quit), to stop quietly.
fn print(records: &[AttemptRecord], json: bool) -> bool {
    let mut out = std::io::stdout().lock();
    for record in records {
        let line = if json {
            serde_json::to_string(record).unwrap_or_default()
        } else {
            format_line(record)
        };
        if writeln!(out, "{line}").is_err() {
            return false;
        }
    }
    out.flush().is_ok()
}

/// A value as logfmt writes it: bare when it is one word, else in double quotes with `"` and
/// `\` escaped and line breaks as `\n`.
fn quote(value: &str) -> String {
    let bare = !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_whitespace() && c != '"' && c != '=' && c != '\\');
    if bare {
        return value.to_owned();
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// `--since`: milliseconds since the Unix epoch.
fn parse_since(text: &str, now: SystemTime) -> Result<i64, ()> {
    let text = text.trim();
    if let Some(back) = parse_duration(text) {
        let at = now.checked_sub(back).unwrap_or(UNIX_EPOCH);
        return Ok(to_ms(at));
    }
    parse_utc(text).map(|seconds| seconds.saturating_mul(1000))
}

/// `90s`, `15m`, `2h`, `7d`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(number.checked_mul(unit)?))
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM` or `HH:MM:SS`, and `Z`:
/// seconds since the Unix epoch.
fn parse_utc(text: &str) -> Result<i64, ()> {
    let text = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let number = |s: &str, digits: usize| -> Result<i64, ()> {
        if s.len() != digits || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        s.parse().map_err(|_| ())
    };
    let mut parts = date.split('-');
    let year = number(parts.next().ok_or(())?, 4)?;
    let month = number(parts.next().ok_or(())?, 2)?;
    let day = number(parts.next().ok_or(())?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(());
    }
    let mut seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY;
    if let Some(time) = time {
        let mut parts = time.split(':');
        let hour = number(parts.next().ok_or(())?, 2)?;
        let minute = number(parts.next().ok_or(())?, 2)?;
        let second = parts.next().map_or(Ok(0), |s| number(s, 2))?;
        if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
            return Err(());
        }
        seconds += hour * 3600 + minute * 60 + second;
    }
    Ok(seconds)
}

fn to_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day number since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

const SECONDS_PER_DAY: i64 = 86_400;
/// How often `--follow` looks for new attempts.
const FOLLOW_INTERVAL: Duration = Duration::from_millis(500);
/// The most attempts one `--follow` poll reads.
const FOLLOW_BATCH: u32 = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AttemptRecord {
        AttemptRecord {
            id: 7,
            notification_id: 0,
            attempt: 1,
            at_ms: 1_795_991_465_000,
            channel: "cli".to_owned(),
            kind: "email".to_owned(),
            action: Some("vigie smtp test".to_owned()),
            rule: None,
            alarm_id: None,
            target: "127.0.0.1:2587".to_owned(),
            stage: Some("AUTH".to_owned()),
            smtp_code: Some(535),
            enhanced_code: Some("5.7.8".to_owned()),
            server_text: Some("Authentication credentials invalid".to_owned()),
            classification: Some("bad_credentials".to_owned()),
            fix: Some("Create SMTP credentials".to_owned()),
            detail: None,
            duration_ms: 12,
            outcome: AttemptOutcome::Failed,
        }
    }

    #[test]
    fn a_line_holds_every_field_in_order() {
        assert_eq!(
            format_line(&record()),
            "2026-11-29 22:31:05 UTC  failed    action=\"vigie smtp test\" rule=- alarm=- relay=127.0.0.1:2587 stage=AUTH code=535 enhanced=5.7.8 class=bad_credentials text=\"Authentication credentials invalid\" fix=\"Create SMTP credentials\""
        );
    }

    #[test]
    fn quoting_escapes_what_would_break_the_line() {
        assert_eq!(quote("AUTH"), "AUTH");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a \"b\"\nc"), "\"a \\\"b\\\"\\nc\"");
    }

    #[test]
    fn dates_round_trip_through_day_numbers() {
        for days in [-719_468, -1, 0, 1, 11_016, 20_415, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(
            utc(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29 00:00:00 UTC"
        );
    }

    #[test]
    fn since_takes_durations_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_since("15m", now), Ok((1_000_000 - 900) * 1000));
        assert_eq!(parse_since("2d", now), Ok(827_200_000));
        assert_eq!(parse_since("12d", now), Ok(0));
        assert_eq!(parse_since("1970-01-02", now), Ok(86_400_000));
        assert_eq!(parse_since("1970-01-01T01:00:30Z", now), Ok(3_630_000));
        assert_eq!(parse_since("1970-01-01 01:00", now), Ok(3_600_000));
        for bad in ["", "5y", "yesterday", "1970-13-01", "1970-01-01T25:00"] {
            assert_eq!(parse_since(bad, now), Err(()), "{bad}");
        }
    }
}
