//! `[agentx]` and `--agentx`: the master agent of `vigie agent` (RFC 2741), as snmpd's
//! `master agentx`, `agentXSocket`, `agentXPerms`, `agentXTimeout` and `agentXRetries`.
//!
//! ```toml
//! [agentx]
//! master = true
//! socket = ["/var/agentx/master", "tcp:127.0.0.1:705"]
//! timeout = 5      # seconds
//! retries = 5
//! mode = "0777"    # the Unix sockets' permissions
//! getbulk = false  # GETBULK to subagents as AgentX GetBulk (default: GetNext, as snmpd)
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::mpsc;
use vigie_agent::agentx::{
    DEFAULT_MODE, DEFAULT_RETRIES, DEFAULT_SOCKET, DEFAULT_TIMEOUT, Master, MasterConfig,
    MasterEvent, MasterSettings, SocketAddress,
};
use vigie_agent::system::AgentCapabilities;
use vigie_agent::{DynamicRegions, Registry};

use super::notify::Originator;

/// The `[agentx]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAgentx {
    master: Option<bool>,
    #[serde(default)]
    socket: Vec<toml::Spanned<String>>,
    timeout: Option<toml::Spanned<u64>>,
    retries: Option<u32>,
    mode: Option<toml::Spanned<String>>,
    getbulk: Option<bool>,
}

/// The master's validated settings; `None` in [`load`] when the master is off.
pub(super) type AgentxSettings = MasterConfig;

/// Merges `--agentx` (each a socket, which enables the master as snmpd's `-x` does) and the
/// `[agentx]` table; errors carry `FILE:LINE:COL: agentx.field`.
pub(super) fn load(
    flags: &[String],
    file: Option<&FileAgentx>,
    at: &impl Fn(std::ops::Range<usize>, String) -> String,
) -> Result<Option<AgentxSettings>, String> {
    let enabled = !flags.is_empty() || file.is_some_and(|file| file.master.unwrap_or(true));
    if !enabled {
        return Ok(None);
    }
    let mut sockets = Vec::new();
    for text in flags {
        sockets.push(
            text.parse::<SocketAddress>()
                .map_err(|error| format!("--agentx {text}: {error}"))?,
        );
    }
    let mut config = MasterConfig {
        sockets: Vec::new(),
        timeout: DEFAULT_TIMEOUT,
        retries: DEFAULT_RETRIES,
        mode: DEFAULT_MODE,
        get_bulk: false,
    };
    if let Some(file) = file {
        // The command line's sockets replace the file's, as snmpd's -x replaces agentXSocket.
        if flags.is_empty() {
            for text in &file.socket {
                sockets.push(
                    text.get_ref()
                        .parse::<SocketAddress>()
                        .map_err(|error| at(text.span(), format!("agentx.socket: {error}")))?,
                );
            }
        }
        if let Some(timeout) = &file.timeout {
            if *timeout.get_ref() == 0 || *timeout.get_ref() > MAX_TIMEOUT {
                return Err(at(
                    timeout.span(),
                    format!("agentx.timeout: give 1 to {MAX_TIMEOUT} seconds"),
                ));
            }
            config.timeout = Duration::from_secs(*timeout.get_ref());
        }
        if let Some(retries) = file.retries {
            config.retries = retries;
        }
        config.get_bulk = file.getbulk.unwrap_or(false);
        if let Some(mode) = &file.mode {
            config.mode = u32::from_str_radix(mode.get_ref().trim_start_matches("0o"), 8)
                .ok()
                .filter(|mode| *mode <= 0o777)
                .ok_or_else(|| {
                    at(
                        mode.span(),
                        "agentx.mode: write octal permissions such as \"0770\"".to_owned(),
                    )
                })?;
        }
    }
    if sockets.is_empty() {
        sockets.push(SocketAddress::Unix(DEFAULT_SOCKET.into()));
    }
    config.sockets = sockets;
    Ok(Some(config))
}

/// A table for subagents' regions, attached to `registry` (before it moves into the agent).
pub(super) fn attach(registry: &mut Registry) -> Arc<DynamicRegions> {
    let regions = Arc::new(DynamicRegions::new());
    registry.attach(Arc::clone(&regions));
    regions
}

/// Binds the master's sockets and runs it over `regions`: subagents' notifications go out
/// through `originator`, their agent capabilities into `capabilities` (sysORTable). Returns
/// the addresses listened on and the master's reloadable settings.
pub(super) async fn run(
    config: AgentxSettings,
    regions: Arc<DynamicRegions>,
    capabilities: AgentCapabilities,
    originator: Originator,
    start: Instant,
) -> Result<Running, String> {
    let (events, mut received) = mpsc::channel(EVENT_QUEUE);
    let master = Master::bind(config.clone(), regions, events, start)
        .await
        .map_err(|error| error.to_string())?
        .with_capabilities(capabilities);
    let addresses = master.local_addrs();
    let settings = master.settings();
    tokio::spawn(master.run());
    tokio::spawn(async move {
        while let Some(event) = received.recv().await {
            if let MasterEvent::Notify(varbinds) = event {
                originator.send_varbinds(varbinds).await;
            }
        }
    });
    Ok(Running {
        addresses,
        started: config,
        settings,
    })
}

/// A master started by [`run`].
pub(super) struct Running {
    /// The addresses listened on, TCP ports resolved.
    pub(super) addresses: Vec<SocketAddress>,
    /// The configuration it started with: its sockets and mode stay until a restart.
    started: AgentxSettings,
    settings: MasterSettings,
}

impl Running {
    /// Applies a reloaded `[agentx]`: the timeout, retries and `GetBulk` choice at once, to the
    /// sessions already open too. Returns what the reload cannot change: the sockets and
    /// their mode, and the master started or stopped, which wait for the next start.
    pub(super) fn reload(&self, config: Option<&AgentxSettings>) -> Vec<String> {
        let Some(config) = config else {
            return vec![
                "agentx: the AgentX master keeps running until the agent is restarted".to_owned(),
            ];
        };
        self.settings.apply(config);
        let mut kept = Vec::new();
        if config.sockets != self.started.sockets {
            kept.push(format!(
                "agentx.socket: the master keeps listening on {} until the agent is restarted",
                list(&self.started.sockets)
            ));
        }
        if config.mode != self.started.mode {
            kept.push(format!(
                "agentx.mode: the sockets keep mode {:04o} until the agent is restarted",
                self.started.mode
            ));
        }
        kept
    }
}

fn list(sockets: &[SocketAddress]) -> String {
    sockets
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The longest timeout accepted, in seconds (Net-SNMP's field is one octet).
const MAX_TIMEOUT: u64 = 255;
/// Subagent notifications waiting for the originator, at most; more are refused to the
/// subagent (processingError).
const EVENT_QUEUE: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml: &str) -> Result<Option<AgentxSettings>, String> {
        #[derive(Deserialize)]
        struct Wrapper {
            agentx: FileAgentx,
        }
        let wrapper: Wrapper = toml::from_str(toml).map_err(|error| error.to_string())?;
        load(&[], Some(&wrapper.agentx), &|span, message| {
            format!("{}..{}: {message}", span.start, span.end)
        })
    }

    #[test]
    fn reads_the_table_and_the_flag() {
        let config = parse(
            "[agentx]\nsocket = [\"/tmp/m\", \"tcp:127.0.0.1:705\"]\ntimeout = 2\nretries = \
             1\nmode = \"0770\"\n",
        )
        .expect("valid")
        .expect("enabled");
        assert_eq!(
            config.sockets,
            [
                SocketAddress::Unix("/tmp/m".into()),
                SocketAddress::Tcp("127.0.0.1:705".parse().expect("literal")),
            ]
        );
        assert_eq!(config.timeout, Duration::from_secs(2));
        assert_eq!(config.retries, 1);
        assert_eq!(config.mode, 0o770);
        assert!(!config.get_bulk);
        assert_eq!(parse("[agentx]\nmaster = false\n"), Ok(None));
        let bulk = parse("[agentx]\ngetbulk = true\n")
            .expect("valid")
            .expect("enabled");
        assert!(bulk.get_bulk);
        let default = parse("[agentx]\n").expect("valid").expect("enabled");
        assert_eq!(
            default.sockets,
            [SocketAddress::Unix(DEFAULT_SOCKET.into())]
        );
        let flagged = load(&["tcp:127.0.0.1:7050".to_owned()], None, &|_, message| {
            message
        })
        .expect("valid")
        .expect("enabled");
        assert_eq!(
            flagged.sockets,
            [SocketAddress::Tcp(
                "127.0.0.1:7050".parse().expect("literal")
            )]
        );
        assert_eq!(load(&[], None, &|_, message| message), Ok(None));
    }

    #[test]
    fn errors_name_the_field() {
        let error = parse("[agentx]\nsocket = [\"tcp:nowhere\"]\n").expect_err("refused");
        assert!(error.contains("agentx.socket"), "{error}");
        let error = parse("[agentx]\ntimeout = 0\n").expect_err("refused");
        assert!(error.contains("agentx.timeout"), "{error}");
        let error = parse("[agentx]\nmode = \"999\"\n").expect_err("refused");
        assert!(error.contains("agentx.mode"), "{error}");
    }

    #[tokio::test]
    async fn a_reload_says_what_waits_for_a_restart() {
        let started = MasterConfig {
            sockets: vec![SocketAddress::Tcp("127.0.0.1:0".parse().expect("literal"))],
            ..MasterConfig::default()
        };
        let (events, _received) = mpsc::channel(1);
        let master = Master::bind(
            started.clone(),
            Arc::new(DynamicRegions::new()),
            events,
            Instant::now(),
        )
        .await
        .expect("bind on loopback");
        let running = Running {
            addresses: master.local_addrs(),
            started: started.clone(),
            settings: master.settings(),
        };
        let tuned = MasterConfig {
            timeout: Duration::from_secs(9),
            retries: 1,
            get_bulk: true,
            ..started.clone()
        };
        assert_eq!(running.reload(Some(&tuned)), Vec::<String>::new());
        let moved = MasterConfig {
            sockets: vec![SocketAddress::Unix("/run/agentx".into())],
            mode: 0o700,
            ..started.clone()
        };
        let kept = running.reload(Some(&moved));
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept[0].starts_with("agentx.socket:"), "{kept:?}");
        assert!(kept[0].contains("tcp:127.0.0.1:0"), "{kept:?}");
        assert!(kept[1].contains("mode 0777"), "{kept:?}");
        let stopped = running.reload(None);
        assert!(stopped[0].contains("keeps running"), "{stopped:?}");
    }
}
