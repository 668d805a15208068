//! `vigie smtp certs`, `vigie smtp test` and `vigie log actions` against a real SMTP relay:
//! aiosmtpd running vigie-notify's `tests/smtpd/relay.py` on a free loopback port, with a
//! certificate from a test CA that no system trusts. The fingerprints vigie prints are
//! checked against `openssl x509` on the files it saved.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::relay::{Pki, Relay, ServerCert, aiosmtpd_available};

/// The `vigie` binary under test.
const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");
const USER: &str = "ses-smtp-user";
const PASSWORD: &str = "ses-smtp-password-42";

#[test]
fn starttls_chain_is_captured_saved_imported_and_then_trusted() {
    if !peers_available() {
        return;
    }
    let pki = Pki::new("vigie test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&relay_args("starttls", &cert, &key, &[]));
    let port = relay.port().to_string();
    let data = tempfile::tempdir().expect("test setup");
    let save = data.path().join("saved");
    let data_dir = data.path().join("vigie");

    // Before any import: the chain is shown and saved, and does not validate.
    let shown = vigie(
        &[
            "smtp",
            "certs",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--starttls",
            "--save",
            path(&save),
            "--data-dir",
            path(&data_dir),
        ],
        None,
    );
    let stdout = text(&shown.stdout);
    assert_eq!(
        shown.status.code(),
        Some(1),
        "the chain does not validate yet"
    );
    assert!(stdout.contains("(STARTTLS, TLSv1_3"), "{stdout}");
    assert!(stdout.contains("[1] relay.test"), "{stdout}");
    assert!(stdout.contains("[2] vigie test CA"), "{stdout}");
    assert!(stdout.contains("issuer      CN=vigie test CA"), "{stdout}");
    assert!(
        stdout.contains("validation: FAILED, the chain does not lead to a trusted root"),
        "{stdout}"
    );
    assert!(stdout.contains("fix: Capture the chain"), "{stdout}");
    assert!(stdout.contains("--import vigietestCA"), "{stdout}");
    // Files named by CN, as the seed's script names them, with the fingerprints printed.
    for (file, index) in [("relay.test.pem", 1), ("vigietestCA.pem", 2)] {
        let saved = save.join(file);
        assert!(stdout.contains(&format!("saved {}", saved.display())));
        let block = certificate_block(&stdout, index);
        for digest in ["sha256", "sha1"] {
            let fingerprint = openssl_fingerprint(&saved, digest);
            assert!(
                block.contains(&fingerprint),
                "{digest} {fingerprint}\n{block}"
            );
        }
        assert!(block.contains("days left"), "{block}");
    }
    assert!(
        !data_dir.join("trust").exists(),
        "showing must not create the store"
    );

    // Before the import, a test mail fails on the certificate, with the capture as the fix.
    let untrusted = send_test(relay.port(), &data_dir, "--starttls");
    assert_eq!(untrusted.status.code(), Some(1));
    let stderr = text(&untrusted.stderr);
    assert!(stderr.contains("(untrusted_certificate)"), "{stderr}");
    assert!(stderr.contains("vigie smtp certs --host"), "{stderr}");

    // Import the CA by its file name: the chain validates right after.
    let imported = vigie(
        &[
            "smtp",
            "certs",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--data-dir",
            path(&data_dir),
            "--import",
            "vigietestCA",
        ],
        None,
    );
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        text(&imported.stderr)
    );
    let stdout = text(&imported.stdout);
    assert!(stdout.contains("imported vigietestCA into"), "{stdout}");
    assert!(
        stdout.contains("after import: the chain validates"),
        "{stdout}"
    );
    assert!(data_dir.join("trust/vigietestCA.pem").exists());

    let again = vigie(
        &[
            "smtp",
            "certs",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--data-dir",
            path(&data_dir),
            "--json",
        ],
        None,
    );
    assert_eq!(again.status.code(), Some(0));
    let document: serde_json::Value =
        serde_json::from_slice(&again.stdout).expect("certs --json prints JSON");
    assert_eq!(document["validation"]["valid"], true);
    assert_eq!(document["encryption"], "STARTTLS");
    assert_eq!(document["certificates"][0]["common_name"], "relay.test");
    assert_eq!(document["certificates"][1]["file_name"], "vigietestCA.pem");

    // Now the real send goes through, and its reply is printed and logged.
    let sent = send_test(relay.port(), &data_dir, "--starttls");
    let stdout = text(&sent.stdout);
    assert_eq!(sent.status.code(), Some(0), "{}", text(&sent.stderr));
    assert!(stdout.contains("accepted by 127.0.0.1:"), "{stdout}");
    assert!(
        stdout.contains("250 2.0.0 Ok: queued as VIGIE0001"),
        "{stdout}"
    );
    assert!(stdout.contains("log: "), "{stdout}");
    assert!(!stdout.contains(PASSWORD) && !text(&sent.stderr).contains(PASSWORD));
    let received = relay.contents();
    assert_eq!(received.len(), 1);
    assert!(received[0].contains("Subject: vigie test message"));

    // The log shows both attempts, oldest first.
    let log = vigie(&["log", "actions", "--data-dir", path(&data_dir)], None);
    assert_eq!(log.status.code(), Some(0));
    let lines: Vec<String> = text(&log.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains(" failed "), "{}", lines[0]);
    assert!(lines[0].contains("stage=TLS"), "{}", lines[0]);
    assert!(
        lines[0].contains("class=untrusted_certificate"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(" delivered "), "{}", lines[1]);
    assert!(
        lines[1].contains("action=\"vigie smtp test\""),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("code=250"), "{}", lines[1]);
}

#[test]
fn implicit_tls_chain_is_captured_and_imported() {
    if !peers_available() {
        return;
    }
    let pki = Pki::new("vigie implicit CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&relay_args("implicit", &cert, &key, &[]));
    let port = relay.port().to_string();
    let data = tempfile::tempdir().expect("test setup");
    let save = data.path().join("saved");
    let data_dir = data.path().join("vigie");

    let outcome = vigie(
        &[
            "smtp",
            "certs",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--tls",
            "--no-system-roots",
            "--save",
            path(&save),
            "--data-dir",
            path(&data_dir),
            "--import",
            "all",
        ],
        None,
    );
    assert_eq!(outcome.status.code(), Some(0), "{}", text(&outcome.stderr));
    let stdout = text(&outcome.stdout);
    assert!(stdout.contains("(implicit TLS, TLSv1_3"), "{stdout}");
    assert!(stdout.contains("validation: FAILED"), "{stdout}");
    assert!(stdout.contains("imported relay.test into"), "{stdout}");
    assert!(stdout.contains("imported vigieimplicitCA into"), "{stdout}");
    assert!(
        stdout.contains("after import: the chain validates"),
        "{stdout}"
    );
    assert!(save.join("relay.test.pem").exists());
    assert!(save.join("vigieimplicitCA.pem").exists());

    let sent = send_test(relay.port(), &data_dir, "--tls");
    assert_eq!(sent.status.code(), Some(0), "{}", text(&sent.stderr));
    assert!(text(&sent.stdout).contains("(implicit TLS, TLSv1_3"));
}

#[test]
fn a_535_relay_gives_the_credentials_classification_and_its_fix() {
    if !peers_available() {
        return;
    }
    let pki = Pki::new("vigie 535 CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&relay_args("starttls", &cert, &key, &["--auth-reject"]));
    let port = relay.port().to_string();
    let data = tempfile::tempdir().expect("test setup");
    let data_dir = data.path().join("vigie");
    let imported = vigie(
        &[
            "smtp",
            "certs",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--data-dir",
            path(&data_dir),
            "--import",
            "2",
        ],
        None,
    );
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        text(&imported.stderr)
    );

    let failed = send_test(relay.port(), &data_dir, "--starttls");
    assert_eq!(failed.status.code(), Some(1));
    let stderr = text(&failed.stderr);
    assert!(
        stderr.contains("not delivered at the AUTH stage"),
        "{stderr}"
    );
    assert!(stderr.contains("(bad_credentials)"), "{stderr}");
    assert!(stderr.contains("relay said: 535"), "{stderr}");
    assert!(
        stderr.contains("fix: Create SMTP credentials in the SES console"),
        "{stderr}"
    );
    assert!(stderr.contains("not the IAM access key"), "{stderr}");
    let stdout = text(&failed.stdout);
    assert!(stdout.contains("log: "), "{stdout}");
    assert!(stdout.contains("class=bad_credentials"), "{stdout}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));

    // The JSON log passes the stored records through; --failures keeps this one.
    let log = vigie(
        &[
            "log",
            "actions",
            "--data-dir",
            path(&data_dir),
            "--json",
            "--failures",
            "--since",
            "1h",
        ],
        None,
    );
    assert_eq!(log.status.code(), Some(0));
    let records: Vec<serde_json::Value> = text(&log.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON record per line"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record["outcome"], "failed");
    assert_eq!(record["stage"], "AUTH");
    assert_eq!(record["smtp_code"], 535);
    assert_eq!(record["classification"], "bad_credentials");
    assert_eq!(record["action"], "vigie smtp test");
    assert!(
        record["fix"]
            .as_str()
            .is_some_and(|f| f.contains("IAM access key"))
    );
    assert!(!text(&log.stdout).contains(PASSWORD));
}

#[test]
fn log_actions_without_a_database_says_so() {
    let data = tempfile::tempdir().expect("test setup");
    let outcome = vigie(&["log", "actions", "--data-dir", path(data.path())], None);
    assert_eq!(outcome.status.code(), Some(0));
    assert!(text(&outcome.stdout).is_empty());
    assert!(text(&outcome.stderr).contains("no troubleshooting log at"));
    let bad = vigie(
        &[
            "log",
            "actions",
            "--data-dir",
            path(data.path()),
            "--since",
            "yesterday",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
}

/// `vigie smtp test` through the relay on `port` as `USER`, the password in the environment.
fn send_test(port: u16, data_dir: &Path, mode: &str) -> Output {
    vigie(
        &[
            "smtp",
            "test",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            mode,
            "--from",
            "alerts@example.com",
            "--to",
            "ops@example.com",
            "--user",
            USER,
            "--data-dir",
            path(data_dir),
        ],
        Some(PASSWORD),
    )
}

fn relay_args<'a>(mode: &'a str, cert: &'a Path, key: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--mode",
        mode,
        "--cert",
        path(cert),
        "--key",
        path(key),
        "--auth-user",
        USER,
        "--auth-password",
        PASSWORD,
    ];
    args.extend_from_slice(extra);
    args
}

/// Runs `vigie args…` with no password in the environment unless `password` is given.
fn vigie(args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(VIGIE);
    command
        .args(args)
        .env_remove("VIGIE_SMTP_PASSWORD")
        .env_remove("VIGIE_DATA_DIR")
        .stdin(Stdio::null());
    if let Some(password) = password {
        command.env("VIGIE_SMTP_PASSWORD", password);
    }
    command.output().expect("vigie runs")
}

/// The lines of certificate `index` (1-based) in `certs` output.
fn certificate_block(stdout: &str, index: usize) -> String {
    let start = stdout
        .find(&format!("[{index}] "))
        .expect("the certificate is shown");
    let rest = &stdout[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// `openssl x509 -fingerprint` of a saved PEM file: `AB:CD:…`.
fn openssl_fingerprint(file: &Path, digest: &str) -> String {
    let output = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-fingerprint",
            &format!("-{digest}"),
            "-in",
        ])
        .arg(file)
        .output()
        .expect("openssl runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let line = text(&output.stdout);
    line.trim()
        .split_once('=')
        .map(|(_, fingerprint)| fingerprint.to_owned())
        .expect("openssl prints NAME=FINGERPRINT")
}

fn path(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether aiosmtpd and openssl are there; without them the test is skipped, unless
/// `VIGIE_REQUIRE_PEERS=1`.
fn peers_available() -> bool {
    if !aiosmtpd_available() {
        return false;
    }
    let ok = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
            "openssl (Debian package `openssl`) is required (VIGIE_REQUIRE_PEERS=1) but not available"
        );
        eprintln!("skipped: openssl (Debian package `openssl`) is not installed");
    }
    ok
}
