//! First start: with no admin password, vigie prints once on stderr a one-time setup code
//! and the address of the set-up page, as Jenkins does with its initial admin password. The
//! page (`/setup` of the web UI) asks for the code and the new password; whoever holds the
//! code can read the server's console, so nobody on the network can claim the account
//! before its operator does. Only the code's hash is kept, in memory: a restart before the
//! password is set prints a new code. `vigie admin set-password` sets the password from the
//! command line instead, and closes the page.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use anyhow::Context as _;
use vigie_manager::store::Store;
use vigie_manager::web::SetupCode;

/// The account the set-up page creates.
pub(crate) const ADMIN: &str = "admin";

/// With no admin password yet, a new setup code, printed once with the page's address for
/// the server listening on `http`; `None` when the password is set.
pub(crate) async fn setup_code(
    store: &Store,
    http: SocketAddr,
) -> anyhow::Result<Option<SetupCode>> {
    if store
        .has_admin()
        .await
        .context("reading the admin account")?
    {
        return Ok(None);
    }
    let (hash, code) = SetupCode::generate();
    // stderr, not the log: the code must not land in a log collector's index.
    eprintln!(
        "vigie serve: first start: no admin password is set. Open\n\n    {url}\n\n\
         and enter this one-time setup code, then choose the password of the account \
         {ADMIN:?}:\n\n    {code}\n\n\
         The code is shown this once and works until the password is set (a restart prints \
         a new one). Or set the password with `vigie admin set-password`.",
        url = setup_url(http),
    );
    tracing::info!(
        account = ADMIN,
        "first start: waiting for the admin password at /setup"
    );
    Ok(Some(hash))
}

/// `http://HOST:PORT/setup`, a wildcard address shown as the loopback one of its family
/// (a browser cannot open `0.0.0.0`).
fn setup_url(http: SocketAddr) -> String {
    let host = match http.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/setup", SocketAddr::new(host, http.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setup_url_names_a_reachable_host() {
        let url = |text: &str| setup_url(text.parse().unwrap());
        assert_eq!(url("127.0.0.1:8080"), "http://127.0.0.1:8080/setup");
        assert_eq!(url("0.0.0.0:8080"), "http://127.0.0.1:8080/setup");
        assert_eq!(url("[::]:8080"), "http://[::1]:8080/setup");
        assert_eq!(url("192.0.2.7:80"), "http://192.0.2.7:80/setup");
    }
}
