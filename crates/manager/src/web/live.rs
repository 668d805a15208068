//! Live updates of the Alarms and Events pages, as server-sent events (HTML Living Standard
//! §9.2).
//!
//! Each stream reads the store once per [`TICK`] and sends what changed as ready-made HTML
//! rows, rendered by the same templates as the page: the alarm table whole when it differs
//! from what was last sent (event `alarms`), and the events newer than the page's newest
//! (event `events`, with the newest id as the SSE `id`). Reading the store rather than
//! listening to the desk means every writer (trap intake, poller, API, another vigie node on
//! the same database) shows up, at the cost of one small query per tick and open page.
//!
//! A stream ends after [`MAX_STREAM`], when its session ends, or at once when
//! [`crate::web::WebConfig::stop`] turns true (a graceful shutdown waits for open streams);
//! the page's script reconnects (a new session check each time), and without JavaScript the
//! pages are plain tables.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;

use crate::store::{EventFilter, SessionPolicy};
use crate::web::WebState;
use crate::web::auth::{Operator, now};
use crate::web::form::{SESSION_COOKIE, cookie};
use crate::web::pages::{AlarmQuery, alarm_rows};

/// How often a stream reads the store.
const TICK: Duration = Duration::from_millis(500);
/// How long one stream lasts before the browser reconnects.
const MAX_STREAM: Duration = Duration::from_secs(300);
/// New events sent per tick at most; a page reload shows any beyond.
const EVENTS_PER_TICK: u32 = 100;

/// What a stream remembers between ticks.
struct Tick {
    state: WebState,
    operator: Operator,
    session: String,
    policy: SessionPolicy,
    deadline: tokio::time::Instant,
    first: bool,
    stop: Option<tokio::sync::watch::Receiver<bool>>,
}

impl Tick {
    fn new(state: WebState, operator: Operator, headers: &HeaderMap) -> Self {
        let policy = state.config.sessions;
        let stop = state.config.stop.clone();
        Self {
            session: cookie(headers, SESSION_COOKIE)
                .unwrap_or_default()
                .to_owned(),
            state,
            operator,
            policy,
            deadline: tokio::time::Instant::now() + MAX_STREAM,
            first: true,
            stop,
        }
    }

    /// Waits for the next tick; false when the stream should end (its time is up, or its
    /// session ended or cannot be read).
    async fn wait(&mut self) -> bool {
        if self.stopping() {
            return false;
        }
        if !self.first {
            match &mut self.stop {
                // The server is shutting down: end the stream now, so that a graceful
                // shutdown does not wait for it.
                Some(stop) => {
                    tokio::select! {
                        () = tokio::time::sleep(TICK) => {}
                        _ = stop.changed() => return false,
                    }
                }
                None => tokio::time::sleep(TICK).await,
            }
        }
        self.first = false;
        if tokio::time::Instant::now() >= self.deadline {
            return false;
        }
        matches!(
            self.state
                .app
                .store
                .web_session(&self.session, now(), self.policy)
                .await,
            Ok(Some(_))
        )
    }
}

impl Tick {
    /// Whether the server asked the streams to end.
    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow())
    }
}

/// `GET /alarms/live?…`: the alarm table of the page's filter, whenever it changes.
pub(super) async fn alarms(
    State(state): State<WebState>,
    operator: Operator,
    headers: HeaderMap,
    Query(query): Query<AlarmQuery>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let tick = Tick::new(state, operator, &headers);
    let stream = stream::unfold(
        (tick, query, String::new()),
        |(mut tick, query, mut last)| async move {
            loop {
                if !tick.wait().await {
                    return None;
                }
                let Ok(rows) = alarm_rows(&tick.state, &tick.operator, &query).await else {
                    // A failed read is logged by the page error; try again at the next tick.
                    continue;
                };
                if rows != last {
                    last.clone_from(&rows);
                    let event = Event::default().event("alarms").data(rows);
                    return Some((Ok(event), (tick, query, last)));
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The query of the events stream: the newest event the page shows.
#[derive(Debug, Deserialize)]
pub(super) struct EventsQuery {
    after: Option<i64>,
}

/// `GET /events/live?after=N`: rows of the events stored after event `N`, newest first.
pub(super) async fn events(
    State(state): State<WebState>,
    operator: Operator,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let tick = Tick::new(state, operator, &headers);
    let after = query.after.unwrap_or(0);
    let stream = stream::unfold((tick, after), |(mut tick, mut after)| async move {
        loop {
            if !tick.wait().await {
                return None;
            }
            let filter = EventFilter {
                limit: EVENTS_PER_TICK,
                ..EventFilter::default()
            };
            let Ok(page) = tick.state.app.store.events(&filter).await else {
                continue;
            };
            let fresh: Vec<_> = page
                .items
                .into_iter()
                .filter(|event| event.id.0 > after)
                .collect();
            let Some(newest) = fresh.first().map(|event| event.id.0) else {
                continue;
            };
            let rendered = tick.state.templates.render(
                "event_rows.html",
                minijinja::context! { events => &fresh, fresh => true, now => now().millis() },
            );
            let Ok(rows) = rendered else {
                continue;
            };
            after = newest;
            let event = Event::default()
                .event("events")
                .id(newest.to_string())
                .data(rows);
            return Some((Ok(event), (tick, after)));
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
