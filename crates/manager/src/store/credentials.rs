//! API tokens and the admin account's password.
//!
//! Tokens are 256 random bits, so a SHA-256 of each is enough to store (no dictionary
//! attack applies) and lets every request be checked with one indexed lookup. The admin
//! password is chosen by a person, so it is stored as an Argon2id hash (RFC 9106) with a
//! random salt. Neither a token nor a password is ever stored, logged or returned after
//! creation.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use vigie_notify::db::DbRow;
use vigie_notify::with_pool;

use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// An API token's identity (not the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TokenId(pub i64);

/// The holder of a valid token: its id and the name it was created with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenOwner {
    /// The token's id.
    pub id: TokenId,
    /// The name it was created with.
    pub name: String,
}

/// A freshly created API token: shown once to whoever created it, then only its hash is kept.
pub struct ApiToken {
    /// Its id, to list and revoke it.
    pub id: TokenId,
    secret: String,
}

impl ApiToken {
    /// The token to send as `Authorization: Bearer …`.
    pub fn expose(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiToken")
            .field("id", &self.id)
            .field("secret", &"***")
            .finish()
    }
}

impl Store {
    /// Creates an API token named `name` (a label for people).
    pub async fn create_token(&self, name: &str, now: Timestamp) -> Result<ApiToken, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let mut bytes = [0_u8; TOKEN_BYTES];
            rand::rng().fill_bytes(&mut bytes);
            let secret = format!("{TOKEN_PREFIX}{}", hex(&bytes));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (name, token_sha256, created_at) VALUES ($1, $2, $3) \
                 RETURNING id",
            )
            .bind(name)
            .bind(token_digest(&secret))
            .bind(now.millis())
            .fetch_one(pool)
            .await?;
            Ok(ApiToken {
                id: TokenId(id),
                secret,
            })
        })
    }

    /// Who holds the token `presented`, if it is a valid one.
    pub async fn check_token(&self, presented: &str) -> Result<Option<TokenOwner>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row = sqlx::query("SELECT id, name FROM api_tokens WHERE token_sha256 = $1")
                .bind(token_digest(presented))
                .fetch_optional(pool)
                .await?;
            row.map(|row| {
                Ok(TokenOwner {
                    id: TokenId(row.try_get("id")?),
                    name: row.try_get("name")?,
                })
            })
            .transpose()
        })
    }

    /// Revokes a token; false if there was none with this id.
    pub async fn revoke_token(&self, id: TokenId) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Sets (or replaces) the password of the admin account `name`.
    pub async fn set_admin_password(
        &self,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let mut salt = [0_u8; SALT_BYTES];
            rand::rng().fill_bytes(&mut salt);
            let password = password.to_owned();
            // Argon2 takes tens of milliseconds of CPU on purpose: keep it off the runtime.
            let hash = tokio::task::spawn_blocking(move || {
                let salt = SaltString::encode_b64(&salt).map_err(StoreError::PasswordHash)?;
                Argon2::default()
                    .hash_password(password.as_bytes(), &salt)
                    .map(|hash| hash.to_string())
                    .map_err(StoreError::PasswordHash)
            })
            .await??;
            sqlx::query(
                "INSERT INTO admin_accounts (name, password_hash, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, \
                 updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(hash)
            .bind(now.millis())
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Whether `password` is the admin account `name`'s; false for an unknown account.
    pub async fn verify_admin_password(
        &self,
        name: &str,
        password: &str,
    ) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row = sqlx::query("SELECT password_hash FROM admin_accounts WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?;
            let Some(row) = row else {
                return Ok(false);
            };
            let stored: String = row.try_get("password_hash")?;
            let password = password.to_owned();
            tokio::task::spawn_blocking(move || {
                let hash = PasswordHash::new(&stored).map_err(StoreError::PasswordHash)?;
                Ok(Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok())
            })
            .await?
        })
    }

    /// Whether an admin password has been set (the first start asks for one when not).
    pub async fn has_admin(&self) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admin_accounts")
                .fetch_one(pool)
                .await?;
            Ok(count > 0)
        })
    }
}

/// The stored form of a token: SHA-256 in lowercase hexadecimal.
fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Tokens start with `vigie_` so that secret scanners and people recognise them.
const TOKEN_PREFIX: &str = "vigie_";
const TOKEN_BYTES: usize = 32;
/// RFC 9106 §3.1 recommends 128-bit salts.
const SALT_BYTES: usize = 16;
