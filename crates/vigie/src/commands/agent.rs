//! `vigie agent`: the SNMP agent daemon, in place of Net-SNMP's `snmpd`.
//!
//! Quick form: `vigie agent --listen udp:127.0.0.1:1161 --rocommunity public
//! [--rwcommunity private] [--state-dir DIR]`; full form: `--config FILE` (TOML, below). Both
//! may be combined: the flags add to the file. SIGHUP reads the configuration again and
//! applies its listen addresses, communities, users, views, GETBULK cap, notification
//! targets, `pass`, `pass_persist`, `extend` and `proxy` tables and the `AgentX` master's
//! timeout, retries and `GetBulk` choice without dropping requests (the master's sockets wait
//! for a restart, and the log says so), then sends warmStart to the new targets; a configuration that fails to load, an
//! extension table that overlaps a built-in group, or an address that cannot be bound,
//! leaves the running one in place.
//!
//! ```toml
//! listen = ["udp:0.0.0.0:161", "udp6:[::]:161"]
//! state_dir = "/var/lib/vigie/agent"
//! max_repetitions = 100          # GETBULK cap
//! max_message_size = 65507       # largest v1/v2c response
//! authentication_traps = true    # authenticationFailure on bad communities (default off)
//! engine_id = "0x80001f8804726f75746572"  # optional, as snmpd's exactEngineID (default:
//!                                # generated once per RFC 3411 and kept in state_dir)
//!
//! [amplification]                # responses to unauthenticated requests (v1, v2c,
//! factor = 32                    # noAuthNoPriv) are at most factor × the request's size,
//! floor = 2048                   # or floor bytes if larger (the defaults); `enabled =
//!                                # false` removes the bound (commands/agent/amplification.rs)
//!
//! [[community]]
//! name = "public"
//! access = "ro"                  # or "rw"
//! source = "10.0.0.0/8"          # optional: from where
//! view = ".1.3.6.1.2.1"          # optional: the subtree it sees
//! context = "far"                # optional: its requests are in this SNMPv3 context
//!                                # (a [[proxy]] context, a subagent's)
//!
//! [[user]]                       # SNMPv3 (USM), with VACM access like snmpd's rouser/rwuser
//! name = "alice"
//! auth = "SHA-256"               # MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
//! auth_password = "…"
//! privacy = "AES"                # optional: DES, AES, AES-192, AES-256, …
//! priv_password = "…"
//! access = "rw"
//! level = "authPriv"             # optional: the least level accepted (default: the user's)
//! view = ".1.3.6.1.2.1"          # optional
//! context = "far"                # optional: the only context it may use (default: all)
//!
//! [system]
//! contact = "noc@example.net"    # fixed values are read-only, as in snmpd
//! location = "rack 4"
//!
//! [[trap]]                       # coldStart, warmStart, linkDown/linkUp, authenticationFailure
//! target = "udp:192.0.2.1:162"
//! community = "public"
//! version = "v2c"                # or "v1", or "v3" (below)
//! kind = "inform"                # or "trap" (default); informs are v2c or v3
//!
//! [[trap]]                       # SNMPv3, as Net-SNMP's `trapsess -v3 -u -l -a -A -x -X`
//! target = "udp:192.0.2.1:162"
//! version = "v3"
//! user = "notifier"              # traps: the receiver knows it with `createUser -e ENGINEID`
//! level = "authPriv"             # optional: the most the keys allow (default)
//! auth = "SHA"
//! auth_password = "…"
//! privacy = "AES"
//! priv_password = "…"
//! ```

mod agentx;
mod amplification;
mod extensions;
mod notify;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use clap::Args;
use serde::Deserialize;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use vigie_agent::host::HostPaths;
use vigie_agent::mib::host_resources::HostResources;
use vigie_agent::mib::interfaces::Interfaces;
use vigie_agent::notification::Notification;
use vigie_agent::snmp::{
    EngineIdentity, engine_group, mpd_stats_group, snmp_group, usm_stats_group,
};
use vigie_agent::system::{AgentCapabilities, SystemConfig, system_group_with};
use vigie_agent::usm::{Users, user_group};
use vigie_agent::vacm::{SharedVacm, vacm_group};
use vigie_agent::{Agent, AgentConfig, Registry, State};
use vigie_net::{ReloadHandle, Responder, SharedHandler};
use vigie_snmp::community::{CommunityTable, SourceNetwork};
use vigie_snmp::engine::{
    DropReason, RequestContext, ResponderConfig, ResponderEngine, SnmpCounters, UsmConfig, UsmUser,
};
use vigie_snmp::usm::{AuthProtocol, Credentials, EngineId, KeyInput, LocalClock, PrivProtocol};
use vigie_snmp::vacm::{Permission, Shorthand, Vacm, ViewScope, ViewSubtree};
use vigie_snmp::{AnyPdu, Oid, Pdu, PduKind, SecurityLevel, SecurityModel, Version};

use self::notify::{Destinations, Originator, Target};
use crate::exit::Exit;

/// `vigie agent` options.
#[derive(Debug, Clone, Args)]
pub(crate) struct AgentArgs {
    /// Address to listen on: udp:HOST:PORT, udp6:[HOST]:PORT or HOST:PORT (repeatable).
    #[arg(long, value_name = "ADDRESS")]
    listen: Vec<String>,
    /// A read-only community, from any source (repeatable).
    #[arg(long, value_name = "COMMUNITY")]
    rocommunity: Vec<String>,
    /// A read-write community, from any source (repeatable).
    #[arg(long, value_name = "COMMUNITY")]
    rwcommunity: Vec<String>,
    /// Where the engine ID, snmpEngineBoots and SNMP-set system values are kept.
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    // The help is an attribute: clap shows doc comments as written, backticks included.
    #[arg(
        long,
        value_name = "SOCKET",
        help = "Be an AgentX master on this socket: /path, unix:/path or tcp:HOST:PORT, as \
                snmpd's -x (repeatable)"
    )]
    agentx: Vec<String>,
}

/// Runs the agent until it is killed.
pub(crate) fn run(args: &AgentArgs) -> Exit {
    let settings = match Settings::load(args) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("vigie agent: {error}");
            return Exit::Failure;
        }
    };
    let args = args.clone();
    super::block_on(async move {
        match serve(settings, args).await {
            Ok(()) => Exit::Success,
            Err(error) => {
                eprintln!("vigie agent: {error}");
                Exit::Failure
            }
        }
    })
}

/// `vigie agent`: the assembled agent, reloaded on SIGHUP, until it is killed.
async fn serve(settings: Settings, args: AgentArgs) -> Result<(), String> {
    let stateless = settings.state_dir.is_none();
    let running = start(settings).await?;
    for address in &running.local_addrs {
        eprintln!(
            "vigie agent {}: listening on udp:{address}",
            env!("CARGO_PKG_VERSION")
        );
    }
    if stateless {
        eprintln!(
            "vigie agent: no state directory: snmpEngineBoots and SNMP-set values are not kept"
        );
    }
    let reloader = running.reloader.clone();
    tokio::spawn(async move {
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            eprintln!("vigie agent: cannot watch SIGHUP: the configuration cannot be reloaded");
            return;
        };
        while hangups.recv().await.is_some() {
            match Settings::load(&args) {
                Ok(settings) => match reloader.apply(settings).await {
                    Ok(kept) => {
                        eprintln!("vigie agent: configuration reloaded");
                        for line in kept {
                            eprintln!("vigie agent: {line}");
                        }
                    }
                    Err(error) => eprintln!("vigie agent: reload failed: {error}"),
                },
                Err(error) => {
                    eprintln!(
                        "vigie agent: reload failed, the running configuration stays: {error}"
                    );
                }
            }
        }
    });
    running.run(std::future::pending()).await
}

/// Assembles the agent from `settings` and binds its sockets: the MIB groups, the engine,
/// the notification originator (coldStart is sent here) and the background samplers. Shared
/// by `vigie agent` and the built-in agent of `vigie serve`; the caller then [`Running::run`]s it.
pub(crate) async fn start(settings: Settings) -> Result<Running, String> {
    let start = Instant::now();
    let state = Arc::new(match &settings.state_dir {
        Some(dir) => State::open(dir).map_err(|error| error.to_string())?,
        None => State::in_memory(),
    });
    let identity =
        EngineIdentity::load_exact(&state, rand::random(), settings.engine_id.as_deref())
            .map_err(|error| error.to_string())?;
    let engine_id = EngineId::new(identity.id.clone()).map_err(|error| error.to_string())?;
    // The users, for the engine and for usmUserTable, which a reload updates together.
    let users: Users = Arc::new(RwLock::new(settings.users.clone()));
    // The access rules, for the agent and for the VACM tables, updated together too.
    let shared_vacm: SharedVacm = Arc::new(RwLock::new(settings.vacm.clone()));
    let mut engine = ResponderEngine::new(ResponderConfig {
        communities: settings.communities,
        max_message_size: settings.max_message_size,
    })
    .with_usm(
        UsmConfig {
            engine_id: engine_id.clone(),
            boots: identity.boots,
            users: settings.users,
        },
        start,
        rand::random(),
    );
    // No reflection amplifier: responses to unauthenticated requests stay within a bounded
    // multiple of the request (`[amplification]`; docs/reliability.md, "SNMP security").
    engine.set_amplification_limit(settings.amplification);
    let max_message_size = engine.config().max_message_size();
    let mut responder = Responder::bind(&settings.listen, engine)
        .await
        .map_err(|error| error.to_string())?;
    let listening: Vec<(SocketAddr, SocketAddr)> = settings
        .listen
        .iter()
        .copied()
        .zip(responder.local_addrs())
        .collect();
    let authen_traps = Arc::new(AtomicBool::new(settings.authentication_traps));
    let mut registry = Registry::new();
    // sysORTable's rows added by AgentX subagents.
    let capabilities = AgentCapabilities::default();
    let interfaces = Interfaces::new(HostPaths::live(), start, Arc::clone(&state));
    let host_resources = HostResources::new(HostPaths::live(), Arc::clone(&interfaces));
    let mut groups: Vec<Box<dyn vigie_agent::mib::Mib>> = vec![
        Box::new(system_group_with(
            &settings.system,
            start,
            Arc::clone(&state),
            capabilities.clone(),
        )),
        Box::new(snmp_group(responder.counters(), Arc::clone(&authen_traps))),
        Box::new(engine_group(&identity, start, max_message_size)),
        Box::new(mpd_stats_group(responder.counters())),
        Box::new(usm_stats_group(responder.counters())),
        Box::new(user_group(identity.id.clone(), Arc::clone(&users))),
        Box::new(vacm_group(&shared_vacm)),
    ];
    groups.extend(interfaces.handlers());
    groups.extend(host_resources.handlers());
    for group in groups {
        registry
            .register(group)
            .map_err(|error| error.to_string())?;
    }
    let mut installed = Vec::new();
    for (context, handler) in extensions::handlers(&settings.extensions).await? {
        installed.push((context.clone(), handler.root().clone()));
        registry
            .register_in(&context, handler)
            .map_err(|error| error.to_string())?;
    }
    // Subagents' regions overlay the groups; their table is the registry's before it moves
    // into the agent.
    let agentx_regions = settings
        .agentx
        .as_ref()
        .map(|_| agentx::attach(&mut registry));
    let agent = Arc::new(RwLock::new(Agent::new(
        registry,
        settings.vacm,
        AgentConfig {
            max_repetitions: settings.max_repetitions,
        },
    )));
    let destinations = Arc::new(RwLock::new(Destinations {
        agent_addr: agent_addr(&settings.listen),
        targets: settings.traps,
    }));
    let originator = Originator {
        destinations: Arc::clone(&destinations),
        start,
        enterprise: settings.system.object_id.clone(),
        engine_id,
        clock: LocalClock::new(identity.boots, start),
    };
    let mut master = None;
    if let (Some(config), Some(regions)) = (settings.agentx.clone(), agentx_regions) {
        let running = agentx::run(config, regions, capabilities, originator.clone(), start).await?;
        for address in &running.addresses {
            eprintln!("vigie agent: AgentX master on {address}");
        }
        master = Some(Arc::new(running));
    }
    originator.send(Notification::ColdStart).await;
    let (notify, notifications) = mpsc::channel(NOTIFICATION_QUEUE);
    tokio::spawn(originator.run(notifications));
    // linkDown/linkUp: interfaces read on this clock (RFC 2863 §6).
    let watched = Arc::clone(&interfaces);
    let link_notify = notify.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(LINK_POLLING);
        loop {
            ticks.tick().await;
            for event in watched.poll_link_events(Instant::now()) {
                let _ = link_notify.try_send(Notification::Link(event));
            }
        }
    });
    // hrProcessorLoad averages samples taken on this clock, not only when managers ask.
    let sampled = Arc::clone(&host_resources);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PROCESSOR_SAMPLING);
        loop {
            ticks.tick().await;
            sampled.sample_processors(Instant::now());
        }
    });
    let reloader = AgentReload {
        reloads: responder.reload_handle(),
        agent: Arc::clone(&agent),
        users,
        vacm: shared_vacm,
        destinations,
        listening: Arc::new(tokio::sync::Mutex::new(listening)),
        notify: notify.clone(),
        extensions: Arc::new(std::sync::Mutex::new(installed)),
        blocking: Arc::new(AtomicBool::new(
            settings.extensions.blocks() || settings.agentx.is_some(),
        )),
        agentx: master,
    };
    Ok(Running {
        // AgentX requests wait for subagents: they need the blocking threads too.
        workers: workers(reloader.blocking.load(Ordering::Relaxed)),
        local_addrs: responder.local_addrs(),
        responder,
        handler: Handler {
            agent,
            notify,
            authen_traps,
        },
        reloader,
    })
}

/// An assembled agent whose sockets are bound, ready to answer.
pub(crate) struct Running {
    /// The addresses it listens on (ports resolved).
    pub(crate) local_addrs: Vec<SocketAddr>,
    /// Applies a new configuration while it runs.
    pub(crate) reloader: AgentReload,
    responder: Responder,
    handler: Handler,
    /// Requests answered at once ([`workers`]).
    workers: usize,
}

impl Running {
    /// Answers requests until `shutdown` completes.
    pub(crate) async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), String> {
        self.responder
            .run_shared(Arc::new(self.handler), self.workers, shutdown)
            .await
            .map_err(|error| error.to_string())
    }
}

/// Applies a reloaded configuration to a running agent: its listen addresses, communities,
/// users, views, GETBULK cap and notification targets, between two requests, then sends
/// warmStart. The state directory and system values need a restart.
#[derive(Clone)]
pub(crate) struct AgentReload {
    reloads: ReloadHandle,
    agent: Arc<RwLock<Agent>>,
    /// The users, as usmUserTable shows them.
    users: Users,
    /// The access rules, as the VACM tables show them.
    vacm: SharedVacm,
    /// The notification targets, as the originator reads them.
    destinations: Arc<RwLock<Destinations>>,
    /// Each address as configured, with the address its socket is bound to (port 0
    /// resolved); one reload at a time.
    listening: Arc<tokio::sync::Mutex<Vec<(SocketAddr, SocketAddr)>>>,
    notify: mpsc::Sender<Notification>,
    /// Where the `[[pass]]`, `[[pass_persist]]`, `[[extend]]` and `[[proxy]]` handlers are
    /// registered: (context, root).
    extensions: Arc<std::sync::Mutex<Vec<Installed>>>,
    /// Whether requests are answered on blocking threads, which handlers that block need:
    /// from the start with `AgentX` or such a handler, else from the reload that adds one.
    blocking: Arc<AtomicBool>,
    /// The `AgentX` master, when one started: its requests wait for subagents.
    agentx: Option<Arc<agentx::Running>>,
}

impl AgentReload {
    /// Swaps in `settings`: its addresses first (when one cannot be bound, nothing changes
    /// and the error says which), then its access configuration and targets; fails when the
    /// agent has stopped. Returns what was kept as it runs until a restart (the `AgentX`
    /// master's sockets, or the master itself), one line each.
    pub(crate) async fn apply(&self, settings: Settings) -> Result<Vec<String>, String> {
        let mut listening = self.listening.lock().await;
        // The first handler that may block moves the requests to blocking threads before it
        // is installed; answering inline again waits until the last one is gone.
        let blocks = settings.extensions.blocks() || self.agentx.is_some();
        if blocks && !self.blocking.load(Ordering::Relaxed) {
            self.reloads
                .set_workers(BLOCKING_WORKERS)
                .await
                .map_err(|error| error.to_string())?;
            self.blocking.store(true, Ordering::Relaxed);
        }
        // The extension tables are built anew (programs checked, proxies' clients opened),
        // then swapped in between two requests, all or nothing; a `pass_persist` child of the
        // old tables is stopped when its handler is dropped.
        let added = extensions::handlers(&settings.extensions).await?;
        let added_keys: Vec<Installed> = added
            .iter()
            .map(|(context, handler)| (context.clone(), handler.root().clone()))
            .collect();
        let (removed, previous) = {
            let mut installed = self
                .extensions
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let removed = self
                .agent
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .registry_mut()
                .replace(&installed, added)
                .map_err(|error| error.to_string())?;
            (removed, std::mem::replace(&mut *installed, added_keys))
        };
        // An address configured as before, or naming a socket's bound address (`vigie
        // serve` reloads with the port resolved), keeps that socket.
        let wanted: Vec<SocketAddr> = settings
            .listen
            .iter()
            .map(|address| {
                listening
                    .iter()
                    .find(|(configured, bound)| configured == address || bound == address)
                    .map_or(*address, |(_, bound)| *bound)
            })
            .collect();
        let bound = match self.reloads.rebind(wanted).await {
            Ok(bound) => bound,
            Err(error) => {
                // Nothing changes: the previous extension tables go back.
                let mut installed = self
                    .extensions
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let _ = self
                    .agent
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .registry_mut()
                    .replace(&installed, removed);
                *installed = previous;
                return Err(error.to_string());
            }
        };
        // The old handlers go now, outside the agent's lock.
        drop(removed);
        if !blocks && self.blocking.load(Ordering::Relaxed) {
            self.reloads
                .set_workers(WORKERS)
                .await
                .map_err(|error| error.to_string())?;
            self.blocking.store(false, Ordering::Relaxed);
        }
        *listening = settings.listen.iter().copied().zip(bound).collect();
        *self
            .destinations
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Destinations {
            agent_addr: agent_addr(&settings.listen),
            targets: settings.traps,
        };
        let agent = Arc::clone(&self.agent);
        let vacm = settings.vacm;
        let max_repetitions = settings.max_repetitions;
        let shared_users = Arc::clone(&self.users);
        let table_users = settings.users.clone();
        let shared_vacm = Arc::clone(&self.vacm);
        let table_vacm = vacm.clone();
        self.reloads
            .reload(settings.communities, settings.users, move || {
                *shared_users.write().unwrap_or_else(PoisonError::into_inner) = table_users;
                *shared_vacm.write().unwrap_or_else(PoisonError::into_inner) = table_vacm;
                let mut agent = agent.write().unwrap_or_else(PoisonError::into_inner);
                agent.set_vacm(vacm);
                agent.set_config(AgentConfig { max_repetitions });
            })
            .await
            .map_err(|error| error.to_string())?;
        let kept = match (&self.agentx, &settings.agentx) {
            (Some(master), config) => master.reload(config.as_ref()),
            (None, Some(_)) => vec![
                "agentx: the AgentX master starts with the agent: restart it to serve subagents"
                    .to_owned(),
            ],
            (None, None) => Vec::new(),
        };
        let _ = self.notify.try_send(Notification::WarmStart);
        Ok(kept)
    }
}

/// Where an extension handler is registered: its context (empty for the default one) and
/// its root.
type Installed = (Vec<u8>, Oid);

/// The request handler: the agent, and authenticationFailure for bad communities.
struct Handler {
    agent: Arc<RwLock<Agent>>,
    notify: mpsc::Sender<Notification>,
    authen_traps: Arc<AtomicBool>,
}

impl SharedHandler for Handler {
    fn handle(
        &self,
        now: Instant,
        request: &RequestContext,
        pdu: &AnyPdu,
        counters: &SnmpCounters,
    ) -> Option<Pdu> {
        // Reads run side by side; a SET runs alone, so that its test, commit and undo
        // phases see no other request's changes (RFC 3416 §4.2.5: as if simultaneous).
        if matches!(pdu, AnyPdu::Pdu(set) if set.kind == PduKind::SetRequest) {
            let agent = self.agent.write().unwrap_or_else(PoisonError::into_inner);
            return Some(agent.process(now, request, pdu, counters));
        }
        let agent = self.agent.read().unwrap_or_else(PoisonError::into_inner);
        Some(agent.process(now, request, pdu, counters))
    }

    fn dropped(&self, _from: SocketAddr, reason: &DropReason) {
        if matches!(reason, DropReason::BadCommunity(_))
            && self.authen_traps.load(Ordering::Relaxed)
        {
            // A full queue drops the notification: bad packets must not pile up memory.
            let _ = self.notify.try_send(Notification::AuthenticationFailure);
        }
    }
}

/// The v1 agent-addr: the first IPv4 address listened on, as snmpd sends its own.
fn agent_addr(listen: &[SocketAddr]) -> std::net::Ipv4Addr {
    listen
        .iter()
        .find_map(|address| match address.ip() {
            std::net::IpAddr::V4(ip) if !ip.is_unspecified() => Some(ip),
            _ => None,
        })
        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED)
}

/// Requests answered at once. One: each is answered on the responder's task, because handing
/// requests to worker threads halved the GET rate on loopback (56 000/s to 23 000/s, 8
/// managers); the served groups answer from caches and short `/proc` reads. A slow group
/// would call for more, at that cost.
const WORKERS: usize = 1;
/// Requests answered at once when a handler may block (a `pass` or `extend` program, a
/// proxy): each on a blocking thread, so that a slow one holds up only its own request.
const BLOCKING_WORKERS: usize = 8;

/// How many requests are answered at once: [`WORKERS`] inline, or [`BLOCKING_WORKERS`] on
/// blocking threads when a configured handler `blocks`.
fn workers(blocks: bool) -> usize {
    if blocks { BLOCKING_WORKERS } else { WORKERS }
}
/// How often processors are sampled for hrProcessorLoad.
const PROCESSOR_SAMPLING: Duration = Duration::from_secs(5);
/// How often interfaces are read for linkDown/linkUp.
const LINK_POLLING: Duration = Duration::from_secs(5);
/// Notifications waiting to be sent, at most; more are dropped (a flood of bad
/// communities must not become a flood of memory).
const NOTIFICATION_QUEUE: usize = 64;

/// The validated configuration: flags and file merged.
pub(crate) struct Settings {
    listen: Vec<SocketAddr>,
    state_dir: Option<PathBuf>,
    communities: CommunityTable,
    vacm: Vacm,
    system: SystemConfig,
    max_repetitions: u32,
    max_message_size: usize,
    authentication_traps: bool,
    /// `engine_id`: the snmpEngineID set by the configuration (Net-SNMP's `exactEngineID`).
    engine_id: Option<Vec<u8>>,
    traps: Vec<Target>,
    users: Vec<(bytes::Bytes, Credentials)>,
    extensions: extensions::Extensions,
    /// The `[agentx]` master's settings, when it is enabled.
    agentx: Option<agentx::AgentxSettings>,
    /// `[amplification]`: the bound on responses to unauthenticated requests; `None` when
    /// disabled.
    amplification: Option<vigie_snmp::engine::AmplificationLimit>,
}

impl Settings {
    /// The built-in agent of `vigie serve`: one address, one read-only community seeing
    /// everything, its engine ID and boots kept in `state_dir`, its notifications sent as
    /// v2c informs to `notify` (the station's own receiver) when given.
    pub(crate) fn builtin(
        listen: SocketAddr,
        community: &str,
        state_dir: PathBuf,
        notify: Option<(SocketAddr, String)>,
    ) -> Result<Self, String> {
        let mut settings = Self::load(&AgentArgs {
            listen: vec![listen.to_string()],
            rocommunity: vec![community.to_owned()],
            rwcommunity: Vec::new(),
            state_dir: Some(state_dir),
            config: None,
            agentx: Vec::new(),
        })?;
        settings.traps = notify
            .into_iter()
            .map(|(address, community)| Target {
                address,
                version: Version::V2c,
                community,
                inform: true,
                usm: None,
            })
            .collect();
        Ok(settings)
    }

    /// Merges the command line and the file it names; `fuzz/fuzz_targets/agent_config.rs`
    /// calls it too.
    pub(crate) fn load(args: &AgentArgs) -> Result<Self, String> {
        let (file, source) = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| format!("{}: {error}", path.display()))?;
                if let Some(warning) = crate::config::permissions::warning(path, &text) {
                    eprintln!("vigie agent: warning: {warning}");
                }
                let file: FileConfig = toml::from_str(&text)
                    .map_err(|error| located(path, &text, error.span(), error.message()))?;
                (file, Some((path.clone(), text)))
            }
            None => (FileConfig::default(), None),
        };
        let at = |span: std::ops::Range<usize>, message: String| match &source {
            Some((path, text)) => located(path, text, Some(span), &message),
            None => message,
        };
        let mut listen = Vec::new();
        for text in &args.listen {
            listen.push(parse_listen(text).map_err(|error| format!("--listen {text}: {error}"))?);
        }
        for text in &file.listen {
            listen.push(
                parse_listen(text.get_ref())
                    .map_err(|error| at(text.span(), format!("listen: {error}")))?,
            );
        }
        if listen.is_empty() {
            return Err("no address to listen on: give --listen udp:HOST:PORT or `listen` in the configuration".to_owned());
        }
        let mut vacm = Vacm::new();
        let mut communities = CommunityTable::new();
        let mut shorthand = Shorthand::new();
        let mut add = |permission, name: &str, source, scope, context: Option<&[u8]>| {
            shorthand
                .community(
                    &mut vacm,
                    &mut communities,
                    permission,
                    name,
                    source,
                    scope,
                    context,
                )
                .map(|_| ())
                .map_err(|error| error.to_string())
        };
        for name in &args.rocommunity {
            add(Permission::ReadOnly, name, None, ViewScope::All, None)
                .map_err(|error| format!("--rocommunity: {error}"))?;
        }
        for name in &args.rwcommunity {
            add(Permission::ReadWrite, name, None, ViewScope::All, None)
                .map_err(|error| format!("--rwcommunity: {error}"))?;
        }
        for community in &file.community {
            let permission = match community.access.get_ref().as_str() {
                "ro" => Permission::ReadOnly,
                "rw" => Permission::ReadWrite,
                other => {
                    return Err(at(
                        community.access.span(),
                        format!("community.access: `{other}` is neither \"ro\" nor \"rw\""),
                    ));
                }
            };
            let source = match &community.source {
                Some(text) => Some(
                    text.get_ref()
                        .parse::<SourceNetwork>()
                        .map_err(|error| at(text.span(), format!("community.source: {error}")))?,
                ),
                None => None,
            };
            let scope = match &community.view {
                Some(text) => {
                    ViewScope::Subtree(parse_subtree(text.get_ref()).ok_or_else(|| {
                        at(
                            text.span(),
                            format!("community.view: `{}` is not an OID", text.get_ref()),
                        )
                    })?)
                }
                None => ViewScope::All,
            };
            // snmpd's `rocommunity NAME SOURCE OID CONTEXT`: the community's requests are
            // in that context.
            let context = community
                .context
                .as_ref()
                .map(|text| text.get_ref().as_bytes());
            add(permission, community.name.get_ref(), source, scope, context)
                .map_err(|error| at(community.name.span(), format!("community.name: {error}")))?;
        }
        let mut users = Vec::new();
        for user in &file.user {
            let permission = match user.access.get_ref().as_str() {
                "ro" => Permission::ReadOnly,
                "rw" => Permission::ReadWrite,
                other => {
                    return Err(at(
                        user.access.span(),
                        format!("user.access: `{other}` is neither \"ro\" nor \"rw\""),
                    ));
                }
            };
            let credentials = usm_credentials(
                "user",
                &user.auth,
                &user.auth_password,
                user.privacy.as_ref(),
                user.priv_password.as_ref(),
                &at,
            )?;
            let level = match &user.level {
                Some(level) => parse_level("user", level, &at)?,
                None => credentials.level(),
            };
            let scope = match &user.view {
                Some(text) => {
                    ViewScope::Subtree(parse_subtree(text.get_ref()).ok_or_else(|| {
                        at(
                            text.span(),
                            format!("user.view: `{}` is not an OID", text.get_ref()),
                        )
                    })?)
                }
                None => ViewScope::All,
            };
            shorthand
                .user(
                    &mut vacm,
                    permission,
                    SecurityModel::Usm,
                    user.name.get_ref(),
                    level,
                    scope,
                    user.context.as_ref().map(|text| text.get_ref().as_bytes()),
                )
                .map_err(|error| at(user.name.span(), format!("user.name: {error}")))?;
            users.push((
                bytes::Bytes::from(user.name.get_ref().clone().into_bytes()),
                credentials,
            ));
        }
        let mut system = SystemConfig::default();
        if let Some(file_system) = file.system {
            system.descr = file_system.descr;
            system.contact = file_system.contact;
            system.name = file_system.name;
            system.location = file_system.location;
            if let Some(services) = file_system.services {
                system.services = services;
            }
            if let Some(text) = file_system.object_id {
                system.object_id =
                    text.get_ref()
                        .trim_start_matches('.')
                        .parse()
                        .map_err(|_| {
                            at(
                                text.span(),
                                format!("system.object_id: `{}` is not an OID", text.get_ref()),
                            )
                        })?;
            }
        }
        let mut traps = Vec::new();
        for trap in &file.trap {
            traps.push(trap_target(trap, &at)?);
        }
        let extensions = extensions::Extensions::load(
            &file.pass,
            &file.pass_persist,
            &file.extend,
            &file.proxy,
            &at,
        )?;
        // A proxied context exists for VACM (vacmContextTable, RFC 3415 §2.2).
        for context in extensions.contexts() {
            vacm.add_context(context)
                .map_err(|error| format!("proxy.context: {error}"))?;
        }
        Ok(Self {
            listen,
            state_dir: args.state_dir.clone().or(file.state_dir),
            communities,
            vacm,
            system,
            max_repetitions: file
                .max_repetitions
                .unwrap_or_else(|| AgentConfig::default().max_repetitions),
            max_message_size: file.max_message_size.unwrap_or(0),
            authentication_traps: file.authentication_traps.unwrap_or(false),
            engine_id: match &file.engine_id {
                Some(text) => Some(
                    parse_engine_id(text.get_ref())
                        .map_err(|error| at(text.span(), format!("engine_id: {error}")))?,
                ),
                None => None,
            },
            traps,
            users,
            agentx: agentx::load(&args.agentx, file.agentx.as_ref(), &at)?,
            amplification: amplification::load(file.amplification.as_ref(), &at)?,
            extensions,
        })
    }
}

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    listen: Vec<toml::Spanned<String>>,
    state_dir: Option<PathBuf>,
    max_repetitions: Option<u32>,
    max_message_size: Option<usize>,
    authentication_traps: Option<bool>,
    engine_id: Option<toml::Spanned<String>>,
    #[serde(default)]
    community: Vec<FileCommunity>,
    system: Option<FileSystem>,
    #[serde(default)]
    trap: Vec<FileTrap>,
    #[serde(default)]
    user: Vec<FileUser>,
    #[serde(default)]
    pass: Vec<extensions::FilePass>,
    #[serde(default)]
    pass_persist: Vec<extensions::FilePass>,
    #[serde(default)]
    extend: Vec<extensions::FileExtend>,
    #[serde(default)]
    proxy: Vec<extensions::FileProxy>,
    agentx: Option<agentx::FileAgentx>,
    amplification: Option<amplification::FileAmplification>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileUser {
    name: toml::Spanned<String>,
    auth: toml::Spanned<String>,
    auth_password: toml::Spanned<String>,
    privacy: Option<toml::Spanned<String>>,
    priv_password: Option<toml::Spanned<String>>,
    access: toml::Spanned<String>,
    level: Option<toml::Spanned<String>>,
    view: Option<toml::Spanned<String>>,
    /// The only context the user may use (`rouser NAME LEVEL OID CONTEXT`); every context
    /// when absent.
    context: Option<toml::Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCommunity {
    name: toml::Spanned<String>,
    access: toml::Spanned<String>,
    source: Option<toml::Spanned<String>>,
    view: Option<toml::Spanned<String>>,
    /// The context the community's requests are in (`rocommunity NAME SOURCE OID CONTEXT`).
    context: Option<toml::Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSystem {
    descr: Option<String>,
    object_id: Option<toml::Spanned<String>>,
    contact: Option<String>,
    name: Option<String>,
    location: Option<String>,
    services: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTrap {
    target: toml::Spanned<String>,
    community: Option<toml::Spanned<String>>,
    version: Option<toml::Spanned<String>>,
    kind: Option<toml::Spanned<String>>,
    user: Option<toml::Spanned<String>>,
    level: Option<toml::Spanned<String>>,
    auth: Option<toml::Spanned<String>>,
    auth_password: Option<toml::Spanned<String>>,
    privacy: Option<toml::Spanned<String>>,
    priv_password: Option<toml::Spanned<String>>,
}

/// A `[[trap]]` section as a target: v1 and v2c with a community, v3 with a user.
fn trap_target(
    trap: &FileTrap,
    at: &impl Fn(std::ops::Range<usize>, String) -> String,
) -> Result<Target, String> {
    let address = parse_listen(trap.target.get_ref())
        .map_err(|error| at(trap.target.span(), format!("trap.target: {error}")))?;
    let version = match &trap.version {
        None => Version::V2c,
        Some(text) => match text.get_ref().as_str() {
            "v2c" | "2c" => Version::V2c,
            "v1" | "1" => Version::V1,
            "v3" | "3" => Version::V3,
            other => {
                return Err(at(
                    text.span(),
                    format!("trap.version: `{other}` is not \"v1\", \"v2c\" or \"v3\""),
                ));
            }
        },
    };
    let inform = match &trap.kind {
        None => false,
        Some(text) => match text.get_ref().as_str() {
            "trap" => false,
            "inform" if version != Version::V1 => true,
            other => {
                return Err(at(
                    text.span(),
                    format!("trap.kind: `{other}` is not \"trap\" or (with v2c or v3) \"inform\""),
                ));
            }
        },
    };
    // Fields of the other versions are mistakes, said as such rather than ignored.
    let misplaced = if version == Version::V3 {
        trap.community
            .as_ref()
            .map(|text| (text.span(), "community"))
    } else {
        [
            (&trap.user, "user"),
            (&trap.level, "level"),
            (&trap.auth, "auth"),
            (&trap.auth_password, "auth_password"),
            (&trap.privacy, "privacy"),
            (&trap.priv_password, "priv_password"),
        ]
        .into_iter()
        .find_map(|(field, name)| field.as_ref().map(|text| (text.span(), name)))
    };
    let named = match version {
        Version::V1 => "v1",
        Version::V2c => "v2c",
        Version::V3 => "v3",
    };
    if let Some((span, field)) = misplaced {
        return Err(at(
            span,
            format!("trap.{field}: not a field of a {named} target"),
        ));
    }
    if version != Version::V3 {
        let Some(community) = &trap.community else {
            return Err(at(
                trap.target.span(),
                format!("trap.community: a {named} target needs a community"),
            ));
        };
        return Ok(Target {
            address,
            version,
            community: community.get_ref().clone(),
            inform,
            usm: None,
        });
    }
    let Some(user) = &trap.user else {
        return Err(at(
            trap.target.span(),
            "trap.user: a v3 target needs a user".to_owned(),
        ));
    };
    let usm = v3_user(
        "trap",
        &V3Fields {
            user,
            level: trap.level.as_ref(),
            auth: trap.auth.as_ref(),
            auth_password: trap.auth_password.as_ref(),
            privacy: trap.privacy.as_ref(),
            priv_password: trap.priv_password.as_ref(),
        },
        at,
    )?;
    Ok(Target {
        address,
        version,
        community: String::new(),
        inform,
        usm: Some(usm),
    })
}

/// The `SNMPv3` user fields of a `[[trap]]` or `[[proxy]]` table, as written.
pub(super) struct V3Fields<'a> {
    pub(super) user: &'a toml::Spanned<String>,
    pub(super) level: Option<&'a toml::Spanned<String>>,
    pub(super) auth: Option<&'a toml::Spanned<String>>,
    pub(super) auth_password: Option<&'a toml::Spanned<String>>,
    pub(super) privacy: Option<&'a toml::Spanned<String>>,
    pub(super) priv_password: Option<&'a toml::Spanned<String>>,
}

/// The USM user `fields` describe, as `trapsess -v3` and `proxy -v3` take one: the level
/// defaults to the most the keys allow; `section` names the table in errors.
pub(super) fn v3_user(
    section: &str,
    fields: &V3Fields<'_>,
    at: &impl Fn(std::ops::Range<usize>, String) -> String,
) -> Result<UsmUser, String> {
    let credentials = match (fields.auth, fields.auth_password) {
        (Some(auth), Some(password)) => Some(usm_credentials(
            section,
            auth,
            password,
            fields.privacy,
            fields.priv_password,
            at,
        )?),
        (None, None) => match fields.privacy.or(fields.priv_password) {
            Some(text) => {
                return Err(at(
                    text.span(),
                    format!("{section}.privacy: needs auth and auth_password"),
                ));
            }
            None => None,
        },
        (Some(text), None) => {
            return Err(at(
                text.span(),
                format!("{section}.auth: needs auth_password"),
            ));
        }
        (None, Some(text)) => {
            return Err(at(
                text.span(),
                format!("{section}.auth_password: needs auth"),
            ));
        }
    };
    let most = credentials
        .as_ref()
        .map_or(SecurityLevel::NoAuthNoPriv, Credentials::level);
    let level = match fields.level {
        Some(text) => parse_level(section, text, at)?,
        None => most,
    };
    UsmUser::new(
        fields.user.get_ref().clone().into_bytes(),
        level,
        credentials,
    )
    .map_err(|_| {
        let span = fields
            .level
            .map_or_else(|| fields.user.span(), toml::Spanned::span);
        at(
            span,
            format!("{section}.level: {level} needs keys the user was not given (at most {most})"),
        )
    })
}

/// A USM user's keys from its protocols and passwords (`user` sections and [`v3_user`]).
fn usm_credentials(
    section: &str,
    auth: &toml::Spanned<String>,
    auth_password: &toml::Spanned<String>,
    privacy: Option<&toml::Spanned<String>>,
    priv_password: Option<&toml::Spanned<String>>,
    at: &impl Fn(std::ops::Range<usize>, String) -> String,
) -> Result<Credentials, String> {
    let protocol: AuthProtocol = auth
        .get_ref()
        .parse()
        .map_err(|error| at(auth.span(), format!("{section}.auth: {error}")))?;
    let credentials = Credentials::new(
        protocol,
        KeyInput::Password(auth_password.get_ref().as_bytes()),
    )
    .map_err(|error| {
        at(
            auth_password.span(),
            format!("{section}.auth_password: {error}"),
        )
    })?;
    match (privacy, priv_password) {
        (Some(privacy), Some(password)) => {
            let protocol: PrivProtocol = privacy
                .get_ref()
                .parse()
                .map_err(|error| at(privacy.span(), format!("{section}.privacy: {error}")))?;
            credentials
                .with_privacy(protocol, KeyInput::Password(password.get_ref().as_bytes()))
                .map_err(|error| at(password.span(), format!("{section}.priv_password: {error}")))
        }
        (None, None) => Ok(credentials),
        (Some(privacy), None) => Err(at(
            privacy.span(),
            format!("{section}.privacy: needs priv_password"),
        )),
        (None, Some(password)) => Err(at(
            password.span(),
            format!("{section}.priv_password: needs privacy"),
        )),
    }
}

/// `noAuthNoPriv`, `authNoPriv` or `authPriv`.
fn parse_level(
    section: &str,
    text: &toml::Spanned<String>,
    at: &impl Fn(std::ops::Range<usize>, String) -> String,
) -> Result<SecurityLevel, String> {
    text.get_ref().parse::<SecurityLevel>().map_err(|_| {
        at(
            text.span(),
            format!(
                "{section}.level: `{}` is not noAuthNoPriv, authNoPriv or authPriv",
                text.get_ref()
            ),
        )
    })
}

/// `FILE:LINE:COLUMN: message`, from a byte span of the file.
/// An `engine_id` value: `0x` and 5 to 32 octets in hexadecimal (RFC 3411 `SnmpEngineID`),
/// as Net-SNMP's `exactEngineID` and `-e` take it.
fn parse_engine_id(text: &str) -> Result<Vec<u8>, String> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(|| format!("`{text}` must be hexadecimal, starting 0x"))?;
    if digits.len() % 2 != 0 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(format!(
            "`{text}` is not an even number of hexadecimal digits"
        ));
    }
    let octets: Vec<u8> = (0..digits.len())
        .step_by(2)
        .filter_map(|at| u8::from_str_radix(digits.get(at..at + 2)?, 16).ok())
        .collect();
    if !(5..=32).contains(&octets.len()) {
        return Err(format!(
            "{} octets: an engine ID has 5 to 32 (RFC 3411)",
            octets.len()
        ));
    }
    Ok(octets)
}

fn located(path: &Path, text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> String {
    let Some(span) = span else {
        return format!("{}: {message}", path.display());
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
    format!("{}:{line}:{column}: {}", path.display(), message.trim_end())
}

/// `udp:HOST:PORT`, `udp6:[HOST]:PORT` or `HOST:PORT`, with a numeric host.
fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let address = text
        .strip_prefix("udp6:")
        .or_else(|| text.strip_prefix("udp:"))
        .unwrap_or(text);
    address
        .parse()
        .map_err(|_| format!("`{text}` is not udp:ADDRESS:PORT or udp6:[ADDRESS]:PORT"))
}

/// A view subtree in dotted form, leading dot optional.
fn parse_subtree(text: &str) -> Option<ViewSubtree> {
    let arcs: Vec<u32> = text
        .trim_start_matches('.')
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    ViewSubtree::new(&arcs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(config: Option<PathBuf>) -> AgentArgs {
        AgentArgs {
            listen: vec!["udp:127.0.0.1:0".into()],
            rocommunity: vec!["public".into()],
            rwcommunity: Vec::new(),
            state_dir: None,
            config,
            agentx: Vec::new(),
        }
    }

    fn load(toml: &str) -> Result<Settings, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.toml");
        std::fs::write(&path, toml).unwrap();
        Settings::load(&args(Some(path)))
            .map_err(|error| error.replace(&dir.path().display().to_string(), "DIR"))
    }

    #[test]
    fn reads_a_full_configuration() {
        let settings = load(
            "listen = [\"udp6:[::1]:0\"]\nmax_repetitions = 5\n[[community]]\nname = \"private\"\naccess = \"rw\"\nsource = \"127.0.0.0/8\"\nview = \".1.3.6.1.2.1.1\"\n[system]\nlocation = \"rack\"\n[[trap]]\ntarget = \"udp:127.0.0.1:162\"\ncommunity = \"public\"\nversion = \"v1\"\n",
        )
        .unwrap();
        assert_eq!(settings.listen.len(), 2);
        assert_eq!(settings.max_repetitions, 5);
        assert_eq!(settings.communities.entries().len(), 2);
        assert_eq!(settings.system.location.as_deref(), Some("rack"));
        assert_eq!(settings.traps[0].version, Version::V1);
    }

    #[test]
    fn the_documented_example_loads() {
        let source = include_str!("agent.rs");
        let example: String = source
            .lines()
            .skip_while(|line| *line != "//! ```toml")
            .skip(1)
            .take_while(|line| *line != "//! ```")
            .map(|line| {
                line.trim_start_matches("//!")
                    .trim_start()
                    .replace('…', "a-long-secret")
                    + "\n"
            })
            .collect();
        let settings = load(&example).unwrap();
        assert_eq!(settings.users.len(), 1);
        assert!(settings.authentication_traps);
        assert!(settings.traps[0].inform);
        assert_eq!(settings.system.contact.as_deref(), Some("noc@example.net"));
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let error = load(
            "listen = [\"udp:127.0.0.1:0\"]\n\n[[community]]\nname = \"x\"\naccess = \"write\"\n",
        )
        .err()
        .unwrap();
        assert_eq!(
            error,
            "DIR/agent.toml:5:10: community.access: `write` is neither \"ro\" nor \"rw\""
        );
        let error = load("listen = [\"udp:127.0.0.1:0\"]\nbogus = 1\n")
            .err()
            .unwrap();
        assert!(
            error.starts_with("DIR/agent.toml:2:1: unknown field `bogus`"),
            "{error}"
        );
        let error =
            load("[[community]]\nname = \"x\"\naccess = \"ro\"\nsource = \"10.0.0.0/99\"\n")
                .err()
                .unwrap();
        assert!(
            error.starts_with("DIR/agent.toml:4:10: community.source:"),
            "{error}"
        );
    }

    #[test]
    fn reads_an_exact_engine_id_and_refuses_malformed_ones() {
        let settings = load("engine_id = \"0x80001F8804726f75746572\"\n").unwrap();
        assert_eq!(
            settings.engine_id.as_deref(),
            Some(
                &[
                    0x80, 0x00, 0x1f, 0x88, 0x04, b'r', b'o', b'u', b't', b'e', b'r'
                ][..]
            )
        );
        assert_eq!(load("").unwrap().engine_id, None);
        for (text, message) in [
            ("8000", "`8000` must be hexadecimal, starting 0x"),
            (
                "0x800",
                "`0x800` is not an even number of hexadecimal digits",
            ),
            (
                "0x80zz",
                "`0x80zz` is not an even number of hexadecimal digits",
            ),
            (
                "0x80001f88",
                "4 octets: an engine ID has 5 to 32 (RFC 3411)",
            ),
        ] {
            let error = load(&format!("\n\nengine_id = \"{text}\"\n"))
                .err()
                .unwrap();
            assert_eq!(error, format!("DIR/agent.toml:3:13: engine_id: {message}"));
        }
    }

    #[test]
    fn reads_v3_notification_targets_and_refuses_inconsistent_ones() {
        let settings = load(
            "[[trap]]\ntarget = \"udp:127.0.0.1:162\"\nversion = \"v3\"\nkind = \"inform\"\n\
             user = \"notifier\"\nauth = \"SHA-256\"\nauth_password = \"a-long-secret\"\n\
             privacy = \"AES\"\npriv_password = \"another-secret\"\n\n\
             [[trap]]\ntarget = \"udp:127.0.0.1:162\"\nversion = \"v3\"\nuser = \"plain\"\n",
        )
        .unwrap();
        let [secure, plain] = &settings.traps[..] else {
            panic!("two targets: {:?}", settings.traps);
        };
        assert!(secure.inform);
        let user = secure.usm.as_ref().unwrap();
        assert_eq!(user.level, SecurityLevel::AuthPriv);
        assert_eq!(&user.user_name[..], b"notifier");
        assert!(!format!("{secure:?}").contains("secret"), "{secure:?}");
        assert_eq!(
            plain.usm.as_ref().map(|user| user.level),
            Some(SecurityLevel::NoAuthNoPriv)
        );

        let error = load(
            "[[trap]]\ntarget = \"udp:127.0.0.1:162\"\nversion = \"v3\"\nuser = \"u\"\n\
             level = \"authPriv\"\nauth = \"SHA\"\nauth_password = \"a-long-secret\"\n",
        )
        .err()
        .unwrap();
        assert!(
            error.starts_with("DIR/agent.toml:5:9: trap.level: authPriv needs keys"),
            "{error}"
        );
        let error = load(
            "[[trap]]\ntarget = \"udp:127.0.0.1:162\"\nversion = \"v1\"\n\
             community = \"public\"\nkind = \"inform\"\n",
        )
        .err()
        .unwrap();
        assert!(error.contains("trap.kind: `inform` is not"), "{error}");
        let error = load(
            "[[trap]]\ntarget = \"udp:127.0.0.1:162\"\nversion = \"v3\"\nuser = \"u\"\n\
             community = \"public\"\n",
        )
        .err()
        .unwrap();
        assert!(
            error.contains("trap.community: not a field of a v3 target"),
            "{error}"
        );
        let error = load("[[trap]]\ntarget = \"udp:127.0.0.1:162\"\n")
            .err()
            .unwrap();
        assert!(
            error.contains("trap.community: a v2c target needs a community"),
            "{error}"
        );
    }

    #[test]
    fn a_proxied_context_exists_and_a_community_maps_to_it() {
        let settings = load(
            "listen = [\"udp:127.0.0.1:0\"]\n\
             [[community]]\nname = \"farside\"\naccess = \"ro\"\ncontext = \"far\"\n\
             [[proxy]]\noid = \".1.3\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             community = \"public\"\ncontext = \"far\"\n",
        )
        .unwrap();
        assert!(settings.vacm.has_context(b"far"));
        assert!(!settings.vacm.has_context(b"near"));
        let view = settings.vacm.view(
            SecurityModel::V2c,
            b"comm1",
            SecurityLevel::NoAuthNoPriv,
            vigie_snmp::vacm::ViewType::Read,
            b"far",
        );
        assert!(view.is_ok(), "{view:?}");
    }

    #[test]
    fn parses_listen_addresses_as_net_snmp_writes_them() {
        assert_eq!(
            parse_listen("udp:127.0.0.1:1161"),
            Ok("127.0.0.1:1161".parse().unwrap())
        );
        assert_eq!(
            parse_listen("udp6:[::1]:1161"),
            Ok("[::1]:1161".parse().unwrap())
        );
        assert!(parse_listen("udp:localhost").is_err());
    }
}
