//! The built-in agent: `vigie agent`'s assembly (shared with `commands::agent`) answering for
//! the local host on loopback, and registered in the inventory as the device `localhost` so
//! that the poller shows a device, its interfaces and live values from the first start.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::{DeviceUpdate, NewDevice, SnmpCredentials, Store};

use crate::commands::agent::{self as assembly, AgentReload, Settings};
use crate::config::{AgentSettings, Secret};

/// The inventory name of the built-in agent.
pub(crate) const LOCALHOST: &str = "localhost";
/// The component name in `/api/v1/health`.
pub(crate) const COMPONENT: &str = "agent";

/// A running built-in agent.
pub(crate) struct BuiltinAgent {
    /// Where it answers.
    pub(crate) address: SocketAddr,
    /// Applies a new community.
    reload: AgentReload,
    state_dir: std::path::PathBuf,
    /// Where its notifications go, and with which community.
    notify: Option<(SocketAddr, String)>,
    /// The task answering requests.
    pub(crate) task: JoinHandle<()>,
}

impl BuiltinAgent {
    /// Swaps, while it runs, its community and the community its informs carry to the
    /// station's receiver (`None` keeps the current one); the address needs a restart.
    pub(crate) async fn reconfigure(
        &mut self,
        community: &Secret,
        receiver_community: Option<&Secret>,
    ) -> Result<(), String> {
        let notify = match (&self.notify, receiver_community) {
            (Some((address, _)), Some(receiver)) => Some((*address, receiver.expose().to_owned())),
            (notify, _) => notify.clone(),
        };
        let settings = Settings::builtin(
            self.address,
            community.expose(),
            self.state_dir.clone(),
            notify.clone(),
        )?;
        // The built-in agent has no AgentX master: nothing is kept for a restart.
        self.reload.apply(settings).await?;
        self.notify = notify;
        Ok(())
    }
}

/// Starts the built-in agent, its engine ID and boots kept in `DATA_DIR/agent`, its
/// notifications (coldStart, linkDown/linkUp, …) sent as informs to `notify`; on failure
/// (the port is taken) the agent is shown DOWN with the reason and the fix, and `None` is
/// returned so that the rest keeps running.
pub(crate) async fn start_agent(
    settings: &AgentSettings,
    data_dir: &Path,
    status: &StatusRegistry,
    notify: Option<(SocketAddr, &Secret)>,
    mut shutdown: watch::Receiver<bool>,
) -> Option<BuiltinAgent> {
    let notify = notify.map(|(address, community)| (address, community.expose().to_owned()));
    let state_dir = data_dir.join("agent");
    let started = async {
        let built = Settings::builtin(
            settings.listen,
            settings.community.expose(),
            state_dir.clone(),
            notify.clone(),
        )
        .map_err(anyhow::Error::msg)?;
        assembly::start(built).await.map_err(anyhow::Error::msg)
    };
    let running = match started.await {
        Ok(running) => running,
        Err(error) => {
            let reason = format!(
                "{error}; fix: free udp:{} or choose another with --agent ADDR or [agent] listen",
                settings.listen
            );
            eprintln!("vigie serve: the built-in agent is not running: {reason}");
            tracing::error!(%reason, "built-in agent not started");
            status.set_down(COMPONENT, reason, super::now());
            return None;
        }
    };
    let address = running
        .local_addrs
        .first()
        .copied()
        .unwrap_or(settings.listen);
    let reload = running.reloader.clone();
    let component = status.clone();
    let task = tokio::spawn(async move {
        let stopped = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(error) = running.run(stopped).await {
            tracing::error!(%error, "the built-in agent stopped");
            component.set_down(COMPONENT, format!("stopped: {error}"), super::now());
        }
    });
    status.set_up(COMPONENT, super::now());
    tracing::info!(address = %address, "built-in agent listening");
    Some(BuiltinAgent {
        address,
        reload,
        state_dir,
        notify,
        task,
    })
}

/// Adds the built-in agent to the inventory as `localhost`, or points the existing entry at
/// its current address and community.
pub(crate) async fn register_localhost(
    store: &Store,
    address: SocketAddr,
    community: &Secret,
    interval: Duration,
) -> anyhow::Result<()> {
    // An agent bound to the unspecified address answers on loopback too.
    let ip = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let credentials = SnmpCredentials::v2c(community.expose().as_bytes().to_vec())
        .map_err(|error| anyhow::anyhow!("[agent] community: {error}"))?;
    let now = super::now();
    match store
        .device_by_name(LOCALHOST)
        .await
        .context("reading the inventory")?
    {
        None => {
            store
                .create_device(
                    &NewDevice {
                        name: LOCALHOST.to_owned(),
                        address: ip,
                        port: address.port(),
                        poll_interval: interval,
                        enabled: true,
                        credentials,
                    },
                    now,
                )
                .await
                .context("adding localhost to the inventory")?;
            tracing::info!(%address, "added the built-in agent to the inventory as localhost");
        }
        Some(device)
            if device.address != ip
                || device.port != address.port()
                || device.credentials != credentials =>
        {
            store
                .update_device(
                    device.id,
                    &DeviceUpdate {
                        address: Some(ip),
                        port: Some(address.port()),
                        credentials: Some(credentials),
                        ..DeviceUpdate::default()
                    },
                )
                .await
                .context("updating localhost in the inventory")?;
            tracing::info!(%address, "pointed the inventory's localhost at the built-in agent");
        }
        Some(_) => {}
    }
    Ok(())
}

/// Moves `localhost` from the poll interval `old` to `new`, when it polls at `old` (the
/// default it was registered with, not an interval set through the API).
pub(crate) async fn follow_interval(
    store: &Store,
    old: Duration,
    new: Duration,
) -> anyhow::Result<()> {
    let device = store
        .device_by_name(LOCALHOST)
        .await
        .context("reading the inventory")?;
    if let Some(device) = device.filter(|device| device.poll_interval() == old) {
        store
            .update_device(
                device.id,
                &DeviceUpdate {
                    poll_interval: Some(new),
                    ..DeviceUpdate::default()
                },
            )
            .await
            .context("updating localhost in the inventory")?;
    }
    Ok(())
}
