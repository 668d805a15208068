//! The options every Net-SNMP tool shares (`snmpcmd(1)`), parsed in two stages: the command
//! line into an [`Invocation`], then the invocation into a [`Client`] for the agent.
//!
//! Texts, their order and exit statuses follow Net-SNMP 5.9.3's `snmp_parse_args`: an option
//! error prints its message then the usage on stderr and exits 1; a missing agent or community
//! is found after all options are read.

use std::io::Write as _;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use vigie_net::{Client, RequestError, Session, resolve_target};
use vigie_snmp::engine::UsmUser;
use vigie_snmp::usm::{
    AuthProtocol, Credentials, EngineId, EngineTime, KeyInput, PrivProtocol, UsmError,
};
use vigie_snmp::{SecurityLevel, Version};

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
    /// The other `SNMPv3` options.
    pub(crate) v3: V3Options,
    /// `-r`.
    pub(crate) retries: u32,
    /// `-t`.
    pub(crate) timeout: Duration,
    /// `-O` and `--json`.
    pub(crate) output: OutputOptions,
    /// The operands: the agent first.
    pub(crate) operands: Vec<String>,
    /// `-d`: every datagram dumped to stderr.
    pub(crate) dump: bool,
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

/// The `SNMPv3` options of `snmpcmd(1)`: `-l -a -A -x -X -e -E -n -Z -3k -3K -3m -3M`.
#[derive(Debug, Clone, Default)]
pub(crate) struct V3Options {
    /// `-l`; Net-SNMP's default is noAuthNoPriv.
    pub(crate) level: Option<SecurityLevel>,
    /// `-a`; Net-SNMP's default is MD5.
    pub(crate) auth_protocol: Option<AuthProtocol>,
    /// `-A`, `-3m` or `-3k`: the authentication secret.
    pub(crate) auth_secret: Option<Secret>,
    /// `-x`; Net-SNMP's default is DES.
    pub(crate) priv_protocol: Option<PrivProtocol>,
    /// `-X`, `-3M` or `-3K`: the privacy secret.
    pub(crate) priv_secret: Option<Secret>,
    /// `-e`: the authoritative engine ID (for traps, the sender's own).
    pub(crate) engine_id: Option<EngineId>,
    /// `-E`: the context engine ID.
    pub(crate) context_engine_id: Option<Vec<u8>>,
    /// `-n`: the context name.
    pub(crate) context_name: Option<String>,
    /// `-Z boots,time`.
    pub(crate) engine_time: Option<EngineTime>,
}

/// An `SNMPv3` secret as given on the command line. `Debug` hides it.
#[derive(Clone)]
pub(crate) enum Secret {
    /// `-A`/`-X`.
    Password(Vec<u8>),
    /// `-3m`/`-3M`, hex.
    MasterKey(Vec<u8>),
    /// `-3k`/`-3K`, hex.
    LocalizedKey(Vec<u8>),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Secret {
    fn input(&self) -> KeyInput<'_> {
        match self {
            Self::Password(bytes) => KeyInput::Password(bytes),
            Self::MasterKey(bytes) => KeyInput::MasterKey(bytes),
            Self::LocalizedKey(bytes) => KeyInput::LocalizedKey(bytes),
        }
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
        v3: V3Options::default(),
        retries: DEFAULT_RETRIES,
        timeout: DEFAULT_TIMEOUT,
        output: OutputOptions::default(),
        operands: Vec::new(),
        dump: false,
    };
    // MIB selection (`-m`, `-M`): loaded once the options are read, as Net-SNMP does.
    let mut mib_modules: Option<String> = None;
    let mut mib_dirs: Option<String> = None;
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
            'd' => invocation.dump = true,
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
            'm' => mib_modules = Some(value),
            'M' => mib_dirs = Some(value),
            'l' | 'a' | 'A' | 'x' | 'X' | 'e' | 'E' | 'n' | 'Z' => {
                parse_v3_option(letter, value, &mut invocation.v3)
                    .map_err(|message| usage_error(tool, &message))?;
            }
            '3' => {
                let key = match items.next_if(|item| matches!(item, Item::Operand(_))) {
                    Some(Item::Operand(text)) => Some(text),
                    _ => None,
                };
                parse_v3_key(&value, key.as_deref(), &mut invocation.v3)
                    .map_err(|message| usage_error(tool, &message))?;
            }
            // Accepted for compatibility: MIB parser options (-P, -I), logging, debugging and
            // SNMPv3 parameters are not used yet.
            _ => {}
        }
    }
    crate::mibs::init(mib_modules.as_deref(), mib_dirs.as_deref());
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
    open_as(tool, invocation, report, Role::Requester).await
}

/// Which side of `SNMPv3`'s authority this tool is (RFC 3412 §7.1 step 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Requests and informs: the agent or receiver is authoritative, and is discovered.
    Requester,
    /// Traps: the sender is authoritative; `-e` and `-Z` are its own engine ID and clock.
    TrapSender,
}

/// [`open`] for a tool in `role`.
pub(crate) async fn open_as(
    tool: &Tool,
    invocation: &Invocation,
    report: &mut Report,
    role: Role,
) -> Result<Client, Exit> {
    let version = invocation.version.unwrap_or(Version::V3);
    let user = if version == Version::V3 {
        let Some(name) = &invocation.security_name else {
            report.fatal(
                "session",
                &format!("{}: No securityName specified", tool.name),
            );
            return Err(Exit::Failure);
        };
        match usm_user(tool, name, &invocation.v3, role) {
            Ok(user) => {
                let _ = TIMEOUT_HINT.set(timeout_hint(&user));
                Some(user)
            }
            Err(message) => {
                report.fatal("session", &message);
                return Err(Exit::Failure);
            }
        }
    } else {
        None
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
    session.usm = user;
    let client = if invocation.dump {
        Client::with_trace(session, std::sync::Arc::new(crate::dump::to_stderr)).await
    } else {
        Client::new(session).await
    };
    match client {
        Ok(client) => Ok(client),
        Err(error) => {
            report.fatal("socket", &format!("{}: {error}", tool.name));
            Err(Exit::Failure)
        }
    }
}

/// What vigie adds after Net-SNMP's timeout text for this process's `SNMPv3` session, if
/// anything: agents drop, without a Report, requests they cannot decrypt.
pub(crate) fn v3_timeout_hint() -> Option<&'static str> {
    TIMEOUT_HINT.get().and_then(Option::as_deref)
}

static TIMEOUT_HINT: OnceLock<Option<String>> = OnceLock::new();

fn timeout_hint(user: &UsmUser) -> Option<String> {
    let privacy = user.priv_protocol()?;
    let mut hint = format!(
        "An authPriv request went unanswered: agents such as Net-SNMP's drop requests they \
         cannot decrypt without a Report, so check the privacy password and protocol ({privacy})."
    );
    if let Some(other) = RequestError::other_key_extension(privacy) {
        hint.push_str(&format!(
            "\nThe agent may use the other key-extension scheme: try {other} instead of {privacy}."
        ));
    }
    Some(hint)
}

/// Reads one of `-l -a -A -x -X -e -E -n -Z`, with Net-SNMP's messages for bad values.
fn parse_v3_option(letter: char, value: String, v3: &mut V3Options) -> Result<(), String> {
    match letter {
        'l' => {
            let level = match value.to_ascii_lowercase().as_str() {
                "noauthnopriv" | "1" | "nanp" => SecurityLevel::NoAuthNoPriv,
                "authnopriv" | "2" | "anp" => SecurityLevel::AuthNoPriv,
                "authpriv" | "3" | "ap" => SecurityLevel::AuthPriv,
                _ => {
                    return Err(format!(
                        "Invalid security level specified after -3l flag: {value}"
                    ));
                }
            };
            v3.level = Some(level);
        }
        'a' => {
            let protocol = value.parse().map_err(|_| {
                format!("Invalid authentication protocol specified after -3a flag: {value}")
            })?;
            v3.auth_protocol = Some(protocol);
        }
        'x' => {
            let protocol = value.parse().map_err(|_| {
                format!("Invalid privacy protocol specified after -3x flag: {value}")
            })?;
            v3.priv_protocol = Some(protocol);
        }
        'A' => v3.auth_secret = Some(Secret::Password(value.into_bytes())),
        'X' => v3.priv_secret = Some(Secret::Password(value.into_bytes())),
        'e' => {
            let bytes =
                hex(&value).ok_or_else(|| "Bad engine ID value after -3e flag.".to_owned())?;
            let engine_id = EngineId::new(bytes)
                .map_err(|_| "Invalid engine ID value after -e flag.".to_owned())?;
            v3.engine_id = Some(engine_id);
        }
        'E' => {
            let bytes =
                hex(&value).ok_or_else(|| "Bad engine ID value after -3E flag.".to_owned())?;
            if bytes.is_empty() {
                return Err("Invalid engine ID value after -E flag.".to_owned());
            }
            v3.context_engine_id = Some(bytes);
        }
        'n' => v3.context_name = Some(value),
        'Z' => {
            let (boots, time) = value.split_once(',').unwrap_or((&value, ""));
            let boots = leading_integer(boots)
                .ok_or_else(|| "Need engine boots value after -3Z flag.".to_owned())?;
            let time = if value.contains(',') {
                leading_integer(time)
                    .ok_or_else(|| "Need engine time after \"-3Z engineBoot,\".".to_owned())?
            } else {
                0
            };
            v3.engine_time = Some(EngineTime::new(boots, time));
        }
        _ => {}
    }
    Ok(())
}

/// Reads `-3k KEY`, `-3K KEY`, `-3m KEY`, `-3M KEY`: hex keys, localized or master.
fn parse_v3_key(which: &str, key: Option<&str>, v3: &mut V3Options) -> Result<(), String> {
    let letter = which.chars().next().unwrap_or(' ');
    if !matches!(letter, 'k' | 'K' | 'm' | 'M') {
        return Err(format!("Unknown SNMPv3 option passed to -3: {letter}."));
    }
    let bytes = key
        .and_then(hex)
        .filter(|bytes| !bytes.is_empty())
        .ok_or_else(|| format!("Bad key value after -3{letter} flag."))?;
    match letter {
        'k' => v3.auth_secret = Some(Secret::LocalizedKey(bytes)),
        'm' => v3.auth_secret = Some(Secret::MasterKey(bytes)),
        'K' => v3.priv_secret = Some(Secret::LocalizedKey(bytes)),
        _ => v3.priv_secret = Some(Secret::MasterKey(bytes)),
    }
    Ok(())
}

/// Hex octets, with an optional `0x` prefix, as `snmp_hex_to_binary` reads them.
fn hex(text: &str) -> Option<Vec<u8>> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16).ok()
        })
        .collect()
}

/// The `SNMPv3` user of the session, with Net-SNMP's texts when its keys cannot be made.
fn usm_user(tool: &Tool, name: &str, v3: &V3Options, role: Role) -> Result<UsmUser, String> {
    let level = v3.level.unwrap_or(SecurityLevel::NoAuthNoPriv);
    let auth_protocol = v3.auth_protocol.unwrap_or(AuthProtocol::Md5);
    let priv_protocol = v3.priv_protocol.unwrap_or(PrivProtocol::Des);
    let credentials = if level.is_authenticated() {
        let secret = v3.auth_secret.as_ref().ok_or_else(|| {
            format!(
                "{}: USM authentication failure (incorrect password or key)",
                tool.name
            )
        })?;
        let credentials = Credentials::new(auth_protocol, secret.input())
            .map_err(|error| key_error(tool, &error, "authentication"))?;
        if level == SecurityLevel::AuthPriv {
            let secret = v3
                .priv_secret
                .as_ref()
                .ok_or_else(|| format!("{}: USM generic error", tool.name))?;
            Some(
                credentials
                    .with_privacy(priv_protocol, secret.input())
                    .map_err(|error| key_error(tool, &error, "privacy"))?,
            )
        } else {
            Some(credentials)
        }
    } else {
        None
    };
    let mut user = UsmUser::new(Bytes::from(name.as_bytes().to_vec()), level, credentials)
        .map_err(|_| format!("{}: USM generic error", tool.name))?;
    user.context_name = Bytes::from(v3.context_name.clone().unwrap_or_default().into_bytes());
    user.context_engine_id = v3.context_engine_id.clone().map(Bytes::from);
    user.engine_time = v3.engine_time;
    user.engine_id = match (&v3.engine_id, role) {
        (Some(engine_id), _) => Some(engine_id.clone()),
        (None, Role::Requester) => None,
        // A trap sender without `-e` is an engine of its own: a random ID in RFC 3411's
        // "octets" format under Net-SNMP's enterprise, as snmptrap makes one.
        (None, Role::TrapSender) => {
            let random: [u8; 8] = rand::random();
            EngineId::with_format(NET_SNMP_ENTERPRISE, 5, &random).ok()
        }
    };
    if role == Role::TrapSender && user.engine_time.is_none() {
        // snmptrap's clock: boots 1 and the host's uptime in hundredths of a second, which
        // grows from one run to the next as a receiver's time window wants.
        let time = crate::commands::trap::host_uptime().min(MAX_ENGINE_TIME);
        user.engine_time = Some(EngineTime::new(1, time));
    }
    Ok(user)
}

/// Net-SNMP's texts when a key cannot be made from what was given.
fn key_error(tool: &Tool, error: &UsmError, which: &str) -> String {
    match error {
        UsmError::PasswordTooShort => format!(
            "Error: passphrase chosen is below the length requirements of the USM (min=8).\n\
             {}:  (The supplied password length is too short.)\n\
             Error generating a key (Ku) from the supplied {which} pass phrase. ",
            tool.name
        ),
        _ => format!(
            "{}: USM authentication failure (incorrect password or key)",
            tool.name
        ),
    }
}

/// The largest snmpEngineTime (RFC 3414 §2.2.1).
const MAX_ENGINE_TIME: u32 = 2_147_483_647;

/// Net-SNMP's private enterprise number, under which its engine IDs are made.
const NET_SNMP_ENTERPRISE: u32 = 8072;

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
  -v 1|2c|3\t\tspecifies SNMP version to use
SNMP Version 1 or 2c specific
  -c COMMUNITY\t\tset the community string
SNMP Version 3 specific
  -a PROTOCOL\t\tset authentication protocol (MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512)
  -A PASSPHRASE\t\tset authentication protocol pass phrase
  -e ENGINE-ID\t\tset security engine ID (e.g. 800000020109840301)
  -E ENGINE-ID\t\tset context engine ID (e.g. 800000020109840301)
  -l LEVEL\t\tset security level (noAuthNoPriv|authNoPriv|authPriv)
  -n CONTEXT\t\tset context name (e.g. bridge1)
  -u USER-NAME\t\tset security name (e.g. bert)
  -x PROTOCOL\t\tset privacy protocol (DES|AES|AES192|AES256|AES192C|AES256C|3DES)
  -X PASSPHRASE\t\tset privacy protocol pass phrase
  -Z BOOTS,TIME\t\tset destination engine boots/time
  -3[k|K|m|M] KEY\tset localized or master authentication (k, m) or privacy (K, M)
\t\t\t  key, in hex
General communication options
  -r RETRIES\t\tset the number of retries
  -t TIMEOUT\t\tset the request timeout (in seconds)
General options
  -m MIB[:...]\t\tload given list of MIBs (ALL for all; '' for none;
\t\t\t  +MIB adds to, -MIB comes before, the default list: vigie's built-in
\t\t\t  modules; also MIBS and 'mibs' in snmp.conf; Debian's system-wide
\t\t\t  'mibs :' is not honoured, vigie carries its modules)
  -M DIR[:...]\t\tlook in given list of directories for MIBs (also MIBDIRS,
\t\t\t  'mibdirs'; default $HOME/.snmp/mibs:/usr/share/snmp/mibs:...)
  -O OUTOPTS\t\tToggle various defaults controlling output display:
\t\t\t  a:  print all strings in ascii format
\t\t\t  f:  print full OIDs on output
\t\t\t  j:  print one JSON document (same as --json)
\t\t\t  n:  print OIDs numerically
\t\t\t  p PRECISION:  display floating point values with specified PRECISION
\t\t\t  q:  quick print for easier parsing
\t\t\t  Q:  quick print with equal-signs
\t\t\t  s:  print only the last symbolic element of an OID
\t\t\t  S:  print MIB module-id plus last element (the default)
\t\t\t  u:  print OIDs using UCD-style prefix suppression
\t\t\t  t:  print timeticks unparsed as numeric integers
\t\t\t  T:  print human-readable text along with hex strings
\t\t\t  v:  print values only (not OID = value)
\t\t\t  x:  print all strings in hex format
\t\t\t  b:  do not break OID indexes down
\t\t\t  e:  print enums numerically
\t\t\t  U:  don't print units
\t\t\t  X:  extended index format
\t\t\t  0, E:  accepted
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
    fn v3_options_parse_with_net_snmp_messages() {
        let mut v3 = V3Options::default();
        parse_v3_option('l', "authPriv".to_owned(), &mut v3).unwrap();
        parse_v3_option('a', "SHA-256".to_owned(), &mut v3).unwrap();
        parse_v3_option('x', "AES256C".to_owned(), &mut v3).unwrap();
        parse_v3_option('e', "0x8000000001020304".to_owned(), &mut v3).unwrap();
        parse_v3_option('Z', "3,1200".to_owned(), &mut v3).unwrap();
        assert_eq!(v3.level, Some(SecurityLevel::AuthPriv));
        assert_eq!(v3.auth_protocol, Some(AuthProtocol::Sha256));
        assert_eq!(v3.priv_protocol, Some(PrivProtocol::Aes256C));
        assert_eq!(
            v3.engine_id.as_ref().map(EngineId::as_bytes),
            Some(&[0x80, 0, 0, 0, 1, 2, 3, 4][..])
        );
        assert_eq!(v3.engine_time, Some(EngineTime::new(3, 1200)));
        let error = |letter, value: &str| {
            parse_v3_option(letter, value.to_owned(), &mut V3Options::default()).unwrap_err()
        };
        assert_eq!(
            error('l', "foo"),
            "Invalid security level specified after -3l flag: foo"
        );
        assert_eq!(
            error('a', "FOO"),
            "Invalid authentication protocol specified after -3a flag: FOO"
        );
        assert_eq!(
            error('x', "FOO"),
            "Invalid privacy protocol specified after -3x flag: FOO"
        );
        assert_eq!(error('e', "zz"), "Bad engine ID value after -3e flag.");
        assert_eq!(error('e', "0x"), "Invalid engine ID value after -e flag.");
        assert_eq!(error('Z', "x"), "Need engine boots value after -3Z flag.");
        assert_eq!(
            error('Z', "1,x"),
            "Need engine time after \"-3Z engineBoot,\"."
        );
    }

    #[test]
    fn v3_keys_are_hex_after_dash_3() {
        let mut v3 = V3Options::default();
        parse_v3_key("k", Some("0x0102"), &mut v3).unwrap();
        assert!(matches!(v3.auth_secret, Some(Secret::LocalizedKey(ref key)) if key == &[1, 2]));
        parse_v3_key("M", Some("a0b1"), &mut v3).unwrap();
        assert!(matches!(v3.priv_secret, Some(Secret::MasterKey(ref key)) if key == &[0xa0, 0xb1]));
        assert_eq!(
            parse_v3_key("k", Some("zz"), &mut v3).unwrap_err(),
            "Bad key value after -3k flag."
        );
        assert_eq!(
            parse_v3_key("q", Some("00"), &mut v3).unwrap_err(),
            "Unknown SNMPv3 option passed to -3: q."
        );
    }

    #[test]
    fn v3_defaults_are_net_snmp_defaults() {
        let tool = Tool {
            name: "snmpget",
            command: "get",
            operands: "",
            ordering: Ordering::Permute,
            app_help: "",
            default_port: 161,
        };
        let mut v3 = V3Options {
            level: Some(SecurityLevel::AuthPriv),
            ..V3Options::default()
        };
        v3.auth_secret = Some(Secret::Password(b"authpass1".to_vec()));
        v3.priv_secret = Some(Secret::Password(b"privpass1".to_vec()));
        let user = usm_user(&tool, "bert", &v3, Role::Requester).unwrap();
        let credentials = user.credentials.as_ref().unwrap();
        assert_eq!(credentials.auth_protocol(), AuthProtocol::Md5);
        assert_eq!(credentials.priv_protocol(), Some(PrivProtocol::Des));
        assert_eq!(user.engine_id, None, "a requester discovers");
        let trap = usm_user(&tool, "bert", &v3, Role::TrapSender).unwrap();
        assert!(trap.engine_id.is_some(), "a trap sender has an engine ID");
        v3.priv_secret = None;
        assert_eq!(
            usm_user(&tool, "bert", &v3, Role::Requester).unwrap_err(),
            "snmpget: USM generic error"
        );
        v3.auth_secret = Some(Secret::Password(b"short".to_vec()));
        assert!(
            usm_user(&tool, "bert", &v3, Role::Requester)
                .unwrap_err()
                .contains("(The supplied password length is too short.)")
        );
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
