//! The options every Net-SNMP tool shares (`snmpcmd(1)`), parsed in two stages: the command
//! line into an [`Invocation`], then the invocation into a [`Client`] for the agent.
//!
//! Texts, their order and exit statuses follow Net-SNMP 5.9.3's `snmp_parse_args`: an option
//! error prints its message then the usage on stderr and exits 1; a missing agent or community
//! is found after all options are read.

use std::io::Write as _;
use std::time::Duration;

use vigie_net::{Client, Session, resolve_target};
use vigie_snmp::Version;

use crate::exit::Exit;
use crate::getopt::{self, Item, Ordering};
use crate::output::OutputOptions;
use crate::report::Report;

/// What one tool is: its Net-SNMP name, its vigie subcommand and how it reads its operands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tool {
    /// Net-SNMP's program name, used as the prefix of its messages (`snmpget: …`).
    pub(crate) name: &'static str,
    /// The vigie subcommand.
    pub(crate) command: &'static str,
    /// The operands, as the usage line shows them.
    pub(crate) operands: &'static str,
    /// Whether options may follow operands.
    pub(crate) ordering: Ordering,
    /// The `-C` section of the usage, and any text after it.
    pub(crate) app_help: &'static str,
    /// The port when the agent address has none: 161, or 162 for notifications.
    pub(crate) default_port: u16,
}

/// The command line, read.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    /// `-v`; `None` is Net-SNMP's default, `SNMPv3`.
    pub(crate) version: Option<Version>,
    /// `-c`.
    pub(crate) community: Option<String>,
    /// `-u`, the `SNMPv3` security name.
    pub(crate) security_name: Option<String>,
    /// `-r`.
    pub(crate) retries: u32,
    /// `-t`.
    pub(crate) timeout: Duration,
    /// `-O` and `--json`.
    pub(crate) output: OutputOptions,
    /// The operands: the agent first.
    pub(crate) operands: Vec<String>,
}

impl Invocation {
    /// The agent address as typed.
    pub(crate) fn agent(&self) -> &str {
        self.operands.first().map_or("", String::as_str)
    }

    /// The operands after the agent.
    pub(crate) fn rest(&self) -> &[String] {
        self.operands.get(1..).unwrap_or_default()
    }
}

/// A tool's handler for `-C` letters: gets the argument of one `-C` option, and a way to take
/// the next command-line argument (`-CE OID` does).
pub(crate) type AppFlags<'a> =
    dyn FnMut(&str, &mut dyn FnMut() -> Option<String>) -> Result<(), AppFlagError> + 'a;

/// A `-C` argument the tool refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AppFlagError {
    /// A letter the tool does not know: `Unknown flag passed to -C: x`, exit 1.
    Unknown(char),
    /// A letter whose value is missing or wrong: the usage, exit 1.
    Usage,
}

/// Reads the command line. On `Err`, the messages are printed and the exit status is given.
pub(crate) fn parse(
    tool: &Tool,
    args: &[String],
    app: &mut AppFlags<'_>,
) -> Result<Invocation, Exit> {
    let items = match getopt::scan(args, tool.ordering, option_takes_argument) {
        Ok(items) => items,
        Err(error) => return Err(usage_error(tool, &format!("{}: {error}", tool.name))),
    };
    let mut invocation = Invocation {
        version: None,
        community: None,
        security_name: None,
        retries: DEFAULT_RETRIES,
        timeout: DEFAULT_TIMEOUT,
        output: OutputOptions::default(),
        operands: Vec::new(),
    };
    let mut items = items.into_iter().peekable();
    while let Some(item) = items.next() {
        let (letter, value) = match item {
            Item::Operand(text) => {
                invocation.operands.push(text);
                continue;
            }
            Item::Long(name) => {
                match name.as_str() {
                    "help" => return Err(usage(tool)),
                    "version" => return Err(version()),
                    "json" => invocation.output.json = true,
                    _ => {
                        return Err(usage_error(
                            tool,
                            &format!("{}: unrecognized option '--{name}'", tool.name),
                        ));
                    }
                }
                continue;
            }
            Item::Short(letter, value) => (letter, value.unwrap_or_default()),
        };
        match letter {
            'h' => return Err(usage(tool)),
            'V' => return Err(version()),
            'v' => {
                invocation.version = Some(match value.to_ascii_lowercase().as_str() {
                    "1" => Version::V1,
                    "2c" => Version::V2c,
                    "3" => Version::V3,
                    _ => {
                        return Err(usage_error(
                            tool,
                            &format!("Invalid version specified after -v flag: {value}"),
                        ));
                    }
                });
            }
            'c' => invocation.community = Some(value),
            'u' => invocation.security_name = Some(value),
            'r' => {
                invocation.retries = leading_integer(&value)
                    .ok_or_else(|| usage_error(tool, "Invalid number of retries after -r flag."))?;
            }
            't' => {
                invocation.timeout = leading_seconds(&value).ok_or_else(|| {
                    usage_error(tool, "Invalid timeout in seconds after -t flag.")
                })?;
            }
            'O' => {
                let mut next_operand =
                    || match items.next_if(|item| matches!(item, Item::Operand(_))) {
                        Some(Item::Operand(text)) => Some(text),
                        _ => None,
                    };
                if let Err(error) = invocation.output.apply(&value, &mut next_operand) {
                    return Err(usage_error(tool, &error.to_string()));
                }
            }
            'C' => {
                let mut next_argument = || match items.next() {
                    Some(Item::Operand(text)) => Some(text),
                    Some(Item::Short(letter, Some(value))) => Some(format!("-{letter}{value}")),
                    Some(Item::Short(letter, None)) => Some(format!("-{letter}")),
                    Some(Item::Long(name)) => Some(format!("--{name}")),
                    None => None,
                };
                match app(&value, &mut next_argument) {
                    Ok(()) => {}
                    Err(AppFlagError::Unknown(letter)) => {
                        eprintln!("Unknown flag passed to -C: {letter}");
                        return Err(Exit::Failure);
                    }
                    Err(AppFlagError::Usage) => return Err(usage(tool)),
                }
            }
            // Accepted for compatibility: MIB loading (-m, -M, -P, -I) takes effect when the
            // MIB compiler lands; logging, debugging and SNMPv3 parameters are not used yet.
            _ => {}
        }
    }
    if invocation.operands.is_empty() {
        return Err(usage_error(tool, "No hostname specified."));
    }
    if matches!(invocation.version, Some(Version::V1 | Version::V2c))
        && invocation.community.is_none()
    {
        return Err(usage_error(tool, "No community name specified."));
    }
    Ok(invocation)
}

/// Opens the session to the agent, printing Net-SNMP's message when that fails.
pub(crate) async fn open(
    tool: &Tool,
    invocation: &Invocation,
    report: &mut Report,
) -> Result<Client, Exit> {
    let Some(version @ (Version::V1 | Version::V2c)) = invocation.version else {
        let message = if invocation.security_name.is_none() {
            "No securityName specified"
        } else {
            "SNMPv3 is not supported by vigie yet"
        };
        report.fatal("session", &format!("{}: {message}", tool.name));
        return Err(Exit::Failure);
    };
    let agent = invocation.agent();
    let Ok(target) = resolve_target(agent, tool.default_port).await else {
        report.fatal(
            "unknownHost",
            &format!("{}: Unknown host ({agent})", tool.name),
        );
        return Err(Exit::Failure);
    };
    let mut session = Session::new(
        target,
        version,
        invocation.community.clone().unwrap_or_default(),
    );
    session.timeout = invocation.timeout;
    session.retries = invocation.retries;
    match Client::new(session).await {
        Ok(client) => Ok(client),
        Err(error) => {
            report.fatal("socket", &format!("{}: {error}", tool.name));
            Err(Exit::Failure)
        }
    }
}

/// Prints `message` then the usage, as Net-SNMP does for a bad command line.
pub(crate) fn usage_error(tool: &Tool, message: &str) -> Exit {
    eprintln!("{message}");
    usage(tool)
}

/// Prints the usage on stderr; Net-SNMP exits 1 after it, `-h` included.
pub(crate) fn usage(tool: &Tool) -> Exit {
    let mut stderr = std::io::stderr().lock();
    let _ = write!(
        stderr,
        "USAGE: vigie {} [OPTIONS] {}\n\n  (Net-SNMP's {} with the same options and output)\n\n{COMMON_HELP}{}",
        tool.command, tool.operands, tool.name, tool.app_help
    );
    Exit::Failure
}

fn version() -> Exit {
    eprintln!("vigie version: {}", env!("CARGO_PKG_VERSION"));
    Exit::Success
}

/// Which letters `snmp_parse_args` knows, and which take an argument.
fn option_takes_argument(letter: char) -> Option<bool> {
    match letter {
        'V' | 'h' | 'd' => Some(false),
        'Y' | 'm' | 'M' | 'O' | 'I' | 'P' | 'D' | 'v' | 'r' | 't' | 'c' | 'Z' | 'e' | 'E' | 'n'
        | 'u' | 'l' | 'x' | 'X' | 'a' | 'A' | 'p' | 'T' | '3' | 'L' | 's' | 'S' | 'k' | 'K'
        | 'C' => Some(true),
        _ => None,
    }
}

/// `-r`: Net-SNMP wants a leading digit and reads the number it starts with.
fn leading_integer(text: &str) -> Option<u32> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    Some(digits.parse().unwrap_or(u32::MAX))
}

/// `-t`: the decimal number the text starts with (`atof`), which must be positive.
fn leading_seconds(text: &str) -> Option<Duration> {
    let trimmed = text.trim_start();
    let mut end = 0;
    let mut seen_dot = false;
    for (at, c) in trimmed.char_indices() {
        match c {
            '0'..='9' => end = at + 1,
            '.' if !seen_dot => {
                seen_dot = true;
                end = at + 1;
            }
            '+' | '-' if at == 0 => end = 1,
            _ => break,
        }
    }
    let seconds: f64 = trimmed.get(..end)?.parse().ok()?;
    if seconds <= 0.0 || !seconds.is_finite() {
        return None;
    }
    Duration::try_from_secs_f64(seconds).ok()
}

/// Net-SNMP's default number of retries.
const DEFAULT_RETRIES: u32 = 5;
/// Net-SNMP's default timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

const COMMON_HELP: &str = "\
OPTIONS:
  -h, --help\t\tdisplay this help message
  -V, --version\t\tdisplay package version number
  -v 1|2c|3\t\tspecifies SNMP version to use (SNMPv3 is not supported yet)
SNMP Version 1 or 2c specific
  -c COMMUNITY\t\tset the community string
General communication options
  -r RETRIES\t\tset the number of retries
  -t TIMEOUT\t\tset the request timeout (in seconds)
General options
  -m MIB[:...]\t\tload given list of MIBs (accepted; no MIB is loaded yet)
  -M DIR[:...]\t\tlook in given list of directories for MIBs (accepted)
  -O OUTOPTS\t\tToggle various defaults controlling output display:
\t\t\t  a:  print all strings in ascii format
\t\t\t  f:  print full OIDs on output
\t\t\t  j:  print one JSON document (same as --json)
\t\t\t  n:  print OIDs numerically
\t\t\t  p PRECISION:  display floating point values with specified PRECISION
\t\t\t  q:  quick print for easier parsing
\t\t\t  Q:  quick print with equal-signs
\t\t\t  s, S, u:  OID styles (the same as the default while no MIB is loaded)
\t\t\t  t:  print timeticks unparsed as numeric integers
\t\t\t  T:  print human-readable text along with hex strings
\t\t\t  v:  print values only (not OID = value)
\t\t\t  x:  print all strings in hex format
\t\t\t  0, b, e, E, U, X:  accepted (they need MIBs)
  --json\t\tprint one JSON document on stdout:
\t\t\t  {\"varbinds\":[{\"oid\":\".1.3.6.1.2.1.1.3.0\",\"type\":\"Timeticks\",\"value\":1234}],
\t\t\t   \"error\":{\"kind\":\"errorStatus\",\"message\":\"...\",...}}
\t\t\t  \"error\" is present only when the command failed; \"kind\" is one of
\t\t\t  errorStatus (with status, code, index, oid), timeout, notIncreasing,
\t\t\t  unknownHost, session, socket, request
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_need_a_leading_digit() {
        assert_eq!(leading_integer("3"), Some(3));
        assert_eq!(leading_integer("1x"), Some(1));
        assert_eq!(leading_integer("-1"), None);
        assert_eq!(leading_integer("x"), None);
    }

    #[test]
    fn timeout_is_a_positive_leading_number() {
        assert_eq!(leading_seconds("2.5"), Some(Duration::from_millis(2500)));
        assert_eq!(leading_seconds("1x"), Some(Duration::from_secs(1)));
        assert_eq!(leading_seconds("0"), None);
        assert_eq!(leading_seconds("-1"), None);
        assert_eq!(leading_seconds("x"), None);
    }

    #[test]
    fn option_table_matches_snmp_parse_args() {
        assert_eq!(option_takes_argument('d'), Some(false));
        assert_eq!(option_takes_argument('D'), Some(true));
        assert_eq!(option_takes_argument('C'), Some(true));
        assert_eq!(option_takes_argument('Q'), None);
        assert_eq!(option_takes_argument('5'), None);
    }
}
