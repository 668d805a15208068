//! `[amplification]`: the bound on responses to unauthenticated requests, so that the agent
//! is no reflection amplifier (docs/reliability.md, "SNMP security").
//!
//! ```toml
//! [amplification]
//! factor = 32      # a response is at most 32 × its request's size…
//! floor = 2048     # …or 2048 bytes, whichever is larger
//! enabled = true   # false: only the message sizes bound responses
//! ```
//!
//! It applies to v1, v2c and `noAuthNoPriv` version 3 requests, whose source address can be
//! forged; authenticated requests are bounded by the message sizes only. Read at start; a
//! reload (SIGHUP) keeps the bound the agent started with.

use std::ops::Range;

use serde::Deserialize;
use vigie_snmp::engine::{AmplificationLimit, MAX_MESSAGE_SIZE, MIN_MESSAGE_SIZE};

/// The largest `factor`: beyond, the bound no longer bounds anything a datagram can carry.
const MAX_FACTOR: i64 = 1_000;

/// The `[amplification]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAmplification {
    enabled: Option<bool>,
    factor: Option<toml::Spanned<i64>>,
    floor: Option<toml::Spanned<i64>>,
}

/// The bound the table sets: [`AmplificationLimit::DEFAULT`] without a table, `None` with
/// `enabled = false`; errors carry `FILE:LINE:COL: amplification.field`.
pub(super) fn load(
    file: Option<&FileAmplification>,
    at: &impl Fn(Range<usize>, String) -> String,
) -> Result<Option<AmplificationLimit>, String> {
    let mut limit = AmplificationLimit::DEFAULT;
    let Some(file) = file else {
        return Ok(Some(limit));
    };
    if let Some(factor) = &file.factor {
        limit.factor = within(factor, 1, MAX_FACTOR)
            .map_err(|range| at(factor.span(), format!("amplification.factor: {range}")))?;
    }
    if let Some(floor) = &file.floor {
        let (low, high) = (to_i64(MIN_MESSAGE_SIZE), to_i64(MAX_MESSAGE_SIZE));
        limit.floor = within(floor, low, high)
            .map_err(|range| at(floor.span(), format!("amplification.floor: {range}")))?;
    }
    Ok(file.enabled.unwrap_or(true).then_some(limit))
}

/// The value of `field` when it lies in `low..=high`, else the message saying so.
fn within(field: &toml::Spanned<i64>, low: i64, high: i64) -> Result<usize, String> {
    let value = *field.get_ref();
    if (low..=high).contains(&value) {
        usize::try_from(value).map_err(|_| format!("{value} is not between {low} and {high}"))
    } else {
        Err(format!("{value} is not between {low} and {high}"))
    }
}

fn to_i64(size: usize) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::{AgentArgs, Settings};
    use super::*;

    fn load_file(toml: &str) -> Result<Option<AmplificationLimit>, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.toml");
        std::fs::write(&path, toml).unwrap();
        let args = AgentArgs {
            listen: vec!["udp:127.0.0.1:0".into()],
            rocommunity: vec!["public".into()],
            rwcommunity: Vec::new(),
            state_dir: None,
            config: Some(path),
            agentx: Vec::new(),
        };
        Settings::load(&args)
            .map(|settings| settings.amplification)
            .map_err(|error| error.replace(&dir.path().display().to_string(), "DIR"))
    }

    #[test]
    fn without_a_table_the_default_bound_applies() {
        assert_eq!(load_file(""), Ok(Some(AmplificationLimit::DEFAULT)));
        assert_eq!(
            load_file("[amplification]\n"),
            Ok(Some(AmplificationLimit::DEFAULT))
        );
    }

    #[test]
    fn the_table_sets_the_factor_and_the_floor_or_removes_the_bound() {
        assert_eq!(
            load_file("[amplification]\nfactor = 8\nfloor = 1500\n"),
            Ok(Some(AmplificationLimit {
                factor: 8,
                floor: 1_500
            }))
        );
        assert_eq!(
            load_file("[amplification]\nfactor = 4\n"),
            Ok(Some(AmplificationLimit {
                factor: 4,
                floor: 2_048
            }))
        );
        assert_eq!(load_file("[amplification]\nenabled = false\n"), Ok(None));
    }

    #[test]
    fn out_of_range_values_are_refused_with_file_line_and_field() {
        assert_eq!(
            load_file("listen = []\n[amplification]\nfactor = 0\n"),
            Err("DIR/agent.toml:3:10: amplification.factor: 0 is not between 1 and 1000".into())
        );
        assert_eq!(
            load_file("[amplification]\nfactor = 2\nfloor = 100\n"),
            Err("DIR/agent.toml:3:9: amplification.floor: 100 is not between 484 and 65507".into())
        );
        assert_eq!(
            load_file("[amplification]\nfloor = 70000\n"),
            Err(
                "DIR/agent.toml:2:9: amplification.floor: 70000 is not between 484 and 65507"
                    .into()
            )
        );
        let misspelt = load_file("[amplification]\nfactr = 2\n").unwrap_err();
        assert!(
            misspelt.starts_with("DIR/agent.toml:2:1: unknown field `factr`"),
            "{misspelt}"
        );
        let wrong_type = load_file("[amplification]\nfactor = \"32\"\n").unwrap_err();
        assert!(
            wrong_type.starts_with("DIR/agent.toml:2:10:"),
            "{wrong_type}"
        );
    }
}
