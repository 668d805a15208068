//! First start: with no admin account, vigie creates `admin` with a random password and
//! prints it once on stderr, as Jenkins and Argo CD do with their initial admin password.
//! Unlike a default password (Grafana's admin/admin) it is never the same on two
//! installations, and unlike a set-it-on-first-visit page nobody on the network can claim
//! the account before its operator does. `vigie admin set-password` changes it.

use anyhow::Context as _;
use rand::Rng as _;
use vigie_manager::store::Store;

/// The account created at first start.
pub(crate) const ADMIN: &str = "admin";

/// Creates the admin account if there is none, and prints its password once.
pub(crate) async fn ensure_admin(store: &Store) -> anyhow::Result<()> {
    if store
        .has_admin()
        .await
        .context("reading the admin account")?
    {
        return Ok(());
    }
    let password = generate();
    store
        .set_admin_password(ADMIN, &password, super::now())
        .await
        .context("creating the admin account")?;
    // stderr, not the log: the password must not land in a log collector's index.
    eprintln!(
        "vigie serve: first start: created the account {ADMIN:?} with the password\n\n    {password}\n\n\
         It is shown this once. Change it with `vigie admin set-password`."
    );
    tracing::info!(account = ADMIN, "first start: admin account created");
    Ok(())
}

/// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 116 bits.
fn generate() -> String {
    let mut rng = rand::rng();
    (0..LENGTH)
        .map(|_| {
            let index = rng.random_range(0..ALPHABET.len());
            char::from(ALPHABET.get(index).copied().unwrap_or(b'x'))
        })
        .collect()
}

const LENGTH: usize = 20;
const ALPHABET: &[u8] = b"23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_and_differ() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), LENGTH);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }
}
