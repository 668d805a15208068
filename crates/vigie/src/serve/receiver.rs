//! The trap and inform receiver: `[receiver]` into `vigie_manager::receiver::ReceiverConfig`,
//! its engine ID kept in `DATA_DIR/receiver` (so that v3 inform senders' configurations
//! stay valid across restarts), and started so that a socket it cannot bind (port 162
//! without privilege, a port taken) shows it DOWN with the reason and the fix while the rest
//! runs on.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use vigie_agent::State;
use vigie_agent::snmp::EngineIdentity;
use vigie_manager::desk::AlarmDesk;
use vigie_manager::receiver::{
    QUEUE_WATCH_PERIOD, QUEUE_WATCH_QUIET, Receiver, ReceiverConfig, ReceiverParts,
    ReceiverReloadHandle, ReceiverUser, TrapCommunity, watch_queue,
};
use vigie_manager::status::StatusRegistry;
use vigie_snmp::usm::{Credentials, EngineId, KeyInput};

use crate::config::ReceiverSettings;

/// The component name in `/api/v1/health`.
pub(crate) const COMPONENT: &str = "receiver";

/// A running receiver.
pub(crate) struct RunningReceiver {
    /// Where it listens.
    pub(crate) local_addrs: Vec<SocketAddr>,
    /// Applies new communities and users.
    pub(crate) reload: ReceiverReloadHandle,
    /// The engine identity, to build a reloaded configuration.
    identity: (EngineId, u32),
    /// Stops reading, stores what was read, then ends.
    pub(crate) task: JoinHandle<()>,
}

impl RunningReceiver {
    /// Swaps communities and users without losing a notification.
    pub(crate) fn apply(&self, settings: &ReceiverSettings) -> anyhow::Result<()> {
        let config = receiver_config(settings, self.identity.clone())?;
        self.reload
            .reload(&config)
            .map_err(|error| anyhow::anyhow!("{error}"))
    }
}

/// Binds and starts the receiver, and the watch that raises a system alarm through `desk`
/// while its queue is full; `None` (and the component DOWN with the reason and the fix)
/// when it cannot listen.
pub(crate) async fn start_receiver(
    settings: &ReceiverSettings,
    data_dir: &Path,
    parts: ReceiverParts,
    desk: Arc<AlarmDesk>,
    status: &StatusRegistry,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<Option<RunningReceiver>> {
    let identity = engine_identity(data_dir)?;
    let config = receiver_config(settings, identity.clone())?;
    let metrics = Arc::clone(&parts.metrics);
    let receiver = match Receiver::bind(config, parts).await {
        Ok(receiver) => receiver,
        Err(error) => {
            let reason = error.status_reason();
            eprintln!("vigie serve: the trap receiver is DOWN: {reason}");
            tracing::error!(%reason, "trap receiver not started");
            status.set_down(COMPONENT, reason, super::now());
            return Ok(None);
        }
    };
    let local_addrs = receiver.local_addrs();
    metrics.watch_sockets(&local_addrs);
    let reload = receiver.reload_handle();
    // A full queue drops notifications: a system alarm says so while it lasts.
    let mut watch_shutdown = shutdown.clone();
    // So does a storm of notifications failing authentication.
    tokio::spawn(super::auth_storm::watch(
        receiver.counters(),
        Arc::clone(&desk),
        shutdown.clone(),
    ));
    tokio::spawn(watch_queue(
        receiver.stats(),
        desk,
        QUEUE_WATCH_PERIOD,
        QUEUE_WATCH_QUIET,
        async move {
            let _ = watch_shutdown.wait_for(|stop| *stop).await;
        },
    ));
    let task = receiver.spawn(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    });
    for address in &local_addrs {
        eprintln!("vigie serve: traps and informs on udp:{address}");
        tracing::info!(%address, "trap receiver listening");
    }
    status.set_up(COMPONENT, super::now());
    Ok(Some(RunningReceiver {
        local_addrs,
        reload,
        identity,
        task,
    }))
}

/// The receiver's snmpEngineID and boots, kept like the agent's but apart from it: the two
/// are distinct SNMP engines.
fn engine_identity(data_dir: &Path) -> anyhow::Result<(EngineId, u32)> {
    let dir = data_dir.join("receiver");
    let state = State::open(&dir)
        .with_context(|| format!("cannot open the receiver's state in {}", dir.display()))?;
    let identity =
        EngineIdentity::load(&state, rand::random()).context("reading the receiver's engine ID")?;
    let id = EngineId::new(identity.id).context("the receiver's stored engine ID")?;
    Ok((id, identity.boots))
}

/// `[receiver]` in the manager's terms.
fn receiver_config(
    settings: &ReceiverSettings,
    (engine_id, engine_boots): (EngineId, u32),
) -> anyhow::Result<ReceiverConfig> {
    let communities = settings
        .communities
        .iter()
        .enumerate()
        .map(|(at, community)| TrapCommunity {
            community: Bytes::from(community.expose().as_bytes().to_vec()),
            // Net-SNMP names its communities' security names comm1, comm2, ….
            security_name: format!("comm{}", at + 1),
            source: None,
        })
        .collect();
    let users = settings
        .users
        .iter()
        .map(|user| {
            // Validation refuses receiver users without authentication.
            let Some((auth, password)) = &user.auth else {
                anyhow::bail!("[[receiver.users]] {}: needs auth", user.name);
            };
            let mut credentials =
                Credentials::new(*auth, KeyInput::Password(password.expose().as_bytes())).map_err(
                    |error| anyhow::anyhow!("[[receiver.users]] {}: {error}", user.name),
                )?;
            if let Some((privacy, password)) = &user.privacy {
                credentials = credentials
                    .with_privacy(*privacy, KeyInput::Password(password.expose().as_bytes()))
                    .map_err(|error| {
                        anyhow::anyhow!("[[receiver.users]] {}: {error}", user.name)
                    })?;
            }
            Ok(ReceiverUser {
                name: user.name.clone(),
                engine_id: user.engine_id.clone(),
                credentials,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(ReceiverConfig {
        listen: settings.listen.clone(),
        communities,
        users,
        engine_id,
        engine_boots,
        ..ReceiverConfig::default()
    })
}

/// The MIBs the receiver names notifications with.
pub(crate) fn mibs() -> Arc<vigie_mib::MibSet> {
    Arc::new(vigie_mib::MibSet::builtin())
}

impl RunningReceiver {
    /// Where a local sender reaches it: its first address, loopback for a wildcard.
    pub(crate) fn local_target(&self) -> Option<SocketAddr> {
        let address = *self.local_addrs.first()?;
        Some(match address.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => {
                SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, address.port()))
            }
            ip if ip.is_unspecified() => {
                SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, address.port()))
            }
            _ => address,
        })
    }
}
