//! The retention task: events, cleared alarms and finished (delivered or abandoned) outbox
//! notifications older than `[storage] retention_days` are pruned at start, then once a day,
//! and again at once when a reload changes the period.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use vigie_manager::store::Store;
use vigie_notify::Outbox;

/// Starts pruning `store` and, when response management runs, its `outbox`; `retention`
/// carries the live period, `shutdown` ends the task.
pub(crate) fn start_retention(
    store: Store,
    outbox: Option<Outbox>,
    mut retention: watch::Receiver<Duration>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let period = *retention.borrow_and_update();
            let cutoff = super::now().saturating_sub(period);
            match store.prune_before(cutoff, BATCH).await {
                Ok(pruned) if pruned.events > 0 || pruned.alarms > 0 => tracing::info!(
                    events = pruned.events,
                    alarms = pruned.alarms,
                    days = period.as_secs() / 86_400,
                    "retention: pruned"
                ),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "retention: pruning failed"),
            }
            if let Some(outbox) = &outbox {
                match outbox.prune_finished(period, BATCH).await {
                    Ok(0) => {}
                    Ok(notifications) => tracing::info!(
                        notifications,
                        days = period.as_secs() / 86_400,
                        "retention: pruned finished outbox notifications"
                    ),
                    Err(error) => tracing::error!(%error, "retention: pruning the outbox failed"),
                }
            }
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                changed = retention.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    })
}

/// Once a day, as the documentation says.
const EVERY: Duration = Duration::from_secs(86_400);
/// Rows per delete transaction: short enough that trap intake never waits long.
const BATCH: u32 = 5_000;
