//! Sessions of the web UI.
//!
//! A session is opened when the admin logs in. The browser keeps a random 256-bit token in a
//! cookie; the store keeps only its SHA-256 (as for API tokens: a copy of the database opens
//! no session), the user, the session's CSRF token and two times. A session ends at logout,
//! after [`SessionPolicy::idle`] without a request, or [`SessionPolicy::lifetime`] after
//! login, whichever comes first (OWASP Session Management Cheat Sheet, "Session Expiration").

use std::fmt;
use std::time::Duration;

use rand::RngCore;
use sha2::{Digest, Sha256};

use vigie_notify::db::DbRow;
use vigie_notify::with_pool;

use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after login, used or not.
    pub lifetime: Duration,
}

impl Default for SessionPolicy {
    /// Twelve idle hours (a night shift with the status page open refreshes it), one week in
    /// all.
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(12 * 3_600),
            lifetime: Duration::from_secs(7 * 24 * 3_600),
        }
    }
}

/// An open session, as a request finds it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebSession {
    /// The logged-in account.
    pub user: String,
    /// The synchroniser token every form of this session carries.
    pub csrf: String,
    /// When the user logged in.
    pub created_at: Timestamp,
}

impl fmt::Debug for WebSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSession")
            .field("user", &self.user)
            .field("csrf", &"***")
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// A freshly opened session: the cookie's token (shown to the browser once) and the session.
pub struct NewWebSession {
    token: String,
    /// The session.
    pub session: WebSession,
}

impl NewWebSession {
    /// The token to put in the session cookie.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl fmt::Debug for NewWebSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewWebSession")
            .field("token", &"***")
            .field("session", &self.session)
            .finish()
    }
}

impl Store {
    /// Opens a session for `user`. A new token at every login: a token planted before the
    /// login (session fixation) never becomes a logged-in session.
    pub async fn create_web_session(
        &self,
        user: &str,
        now: Timestamp,
    ) -> Result<NewWebSession, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let token = random_hex();
            let csrf = random_hex();
            sqlx::query(
                "INSERT INTO web_sessions (token_sha256, user_name, csrf_token, created_at, \
                 last_seen) VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(digest(&token))
            .bind(user)
            .bind(&csrf)
            .bind(now.millis())
            .execute(pool)
            .await?;
            Ok(NewWebSession {
                token,
                session: WebSession {
                    user: user.to_owned(),
                    csrf,
                    created_at: now,
                },
            })
        })
    }

    /// The open session whose cookie holds `token`, if any; records the use.
    ///
    /// An expired session is deleted and reads as none. The last use is written at most once a
    /// minute, so that a page's auto-refresh does not turn every read into a commit.
    pub async fn web_session(
        &self,
        token: &str,
        now: Timestamp,
        policy: SessionPolicy,
    ) -> Result<Option<WebSession>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let key = digest(token);
            let row = sqlx::query(
                "SELECT user_name, csrf_token, created_at, last_seen FROM web_sessions \
                 WHERE token_sha256 = $1",
            )
            .bind(&key)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let created_at = Timestamp(row.try_get("created_at")?);
            let last_seen = Timestamp(row.try_get("last_seen")?);
            let expired = last_seen < now.saturating_sub(policy.idle)
                || created_at < now.saturating_sub(policy.lifetime);
            if expired {
                sqlx::query("DELETE FROM web_sessions WHERE token_sha256 = $1")
                    .bind(&key)
                    .execute(pool)
                    .await?;
                return Ok(None);
            }
            if last_seen < now.saturating_sub(TOUCH_EVERY) {
                sqlx::query("UPDATE web_sessions SET last_seen = $1 WHERE token_sha256 = $2")
                    .bind(now.millis())
                    .bind(&key)
                    .execute(pool)
                    .await?;
            }
            Ok(Some(WebSession {
                user: row.try_get("user_name")?,
                csrf: row.try_get("csrf_token")?,
                created_at,
            }))
        })
    }

    /// Ends the session whose cookie holds `token` (logout); false if there was none.
    pub async fn delete_web_session(&self, token: &str) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM web_sessions WHERE token_sha256 = $1")
                .bind(digest(token))
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Ends every session of `user`, e.g. after a password change.
    pub async fn delete_web_sessions_of(&self, user: &str) -> Result<u64, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM web_sessions WHERE user_name = $1")
                .bind(user)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }

    /// Deletes expired sessions; returns how many.
    pub async fn prune_web_sessions(
        &self,
        now: Timestamp,
        policy: SessionPolicy,
    ) -> Result<u64, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done =
                sqlx::query("DELETE FROM web_sessions WHERE last_seen < $1 OR created_at < $2")
                    .bind(now.saturating_sub(policy.idle).millis())
                    .bind(now.saturating_sub(policy.lifetime).millis())
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected())
        })
    }
}

/// 256 random bits in lowercase hexadecimal.
fn random_hex() -> String {
    let mut bytes = [0_u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// The stored form of a session token.
fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

const TOKEN_BYTES: usize = 32;
/// How stale `last_seen` may get before a read writes it.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[tokio::test]
    async fn a_session_opens_reads_back_and_ends_at_logout() {
        for (_dir, store) in crate::store::test_stores().await {
            let policy = SessionPolicy::default();
            let new = store
                .create_web_session("admin", Timestamp(0))
                .await
                .unwrap();
            assert_eq!(new.token().len(), 64);
            assert_ne!(new.token(), new.session.csrf);
            let found = store
                .web_session(new.token(), Timestamp(HOUR), policy)
                .await
                .unwrap();
            assert_eq!(found.as_ref(), Some(&new.session));
            assert_eq!(
                store
                    .web_session("not-a-token", Timestamp(HOUR), policy)
                    .await
                    .unwrap(),
                None
            );
            assert!(store.delete_web_session(new.token()).await.unwrap());
            assert!(!store.delete_web_session(new.token()).await.unwrap());
            assert_eq!(
                store
                    .web_session(new.token(), Timestamp(HOUR), policy)
                    .await
                    .unwrap(),
                None
            );
        }
    }

    #[tokio::test]
    async fn the_token_itself_is_never_stored() {
        for (_dir, store) in crate::store::test_stores().await {
            let new = store
                .create_web_session("admin", Timestamp(0))
                .await
                .unwrap();
            let stored: String = with_pool!(store.pool(), |pool| sqlx::query_scalar(
                "SELECT token_sha256 FROM web_sessions"
            )
            .fetch_one(pool)
            .await
            .unwrap());
            assert_ne!(stored, new.token());
            assert_eq!(stored, digest(new.token()));
            assert!(format!("{new:?}").contains("***"));
            assert!(!format!("{new:?}").contains(new.token()));
        }
    }

    #[tokio::test]
    async fn sessions_end_when_idle_and_at_their_lifetime() {
        for (_dir, store) in crate::store::test_stores().await {
            let policy = SessionPolicy {
                idle: Duration::from_secs(3_600),
                lifetime: Duration::from_secs(3 * 3_600),
            };
            let new = store
                .create_web_session("admin", Timestamp(0))
                .await
                .unwrap();
            // Used every 50 minutes, it survives idleness but not its lifetime.
            for step in 1..=3 {
                let at = Timestamp(step * 50 * 60_000);
                assert!(
                    store
                        .web_session(new.token(), at, policy)
                        .await
                        .unwrap()
                        .is_some()
                );
            }
            assert!(
                store
                    .web_session(new.token(), Timestamp(3 * HOUR + 1), policy)
                    .await
                    .unwrap()
                    .is_none()
            );
            let idle = store
                .create_web_session("admin", Timestamp(0))
                .await
                .unwrap();
            assert!(
                store
                    .web_session(idle.token(), Timestamp(HOUR + 1), policy)
                    .await
                    .unwrap()
                    .is_none()
            );
            let other = store
                .create_web_session("admin", Timestamp(10 * HOUR))
                .await
                .unwrap();
            assert_eq!(
                store
                    .prune_web_sessions(Timestamp(10 * HOUR), policy)
                    .await
                    .unwrap(),
                0
            );
            assert_eq!(store.delete_web_sessions_of("admin").await.unwrap(), 1);
            assert!(
                store
                    .web_session(other.token(), Timestamp(10 * HOUR), policy)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
    }
}
