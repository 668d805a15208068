//! Secrets never shown: `vigie serve` and `vigie agent` are started with distinctive
//! communities, USM passwords, the SMTP password, a webhook key and trap-forward credentials
//! planted in their configuration, then everything that could show them is exercised — every
//! GET route of the API and of the web UI (logged in), `/metrics`, `openapi.json`, a
//! delivery refused with 535, a webhook that cannot connect, traps with a wrong community and
//! v3 traps with a wrong password, polls with a wrong community and an unknown user, config
//! errors next to a secret, `vigie log actions`, `vigie smtp test` — with the logs at debug
//! level. No planted secret may appear anywhere: not as written, not in hex, not in base64
//! (alone, or as AUTH PLAIN's `\0user\0password`, or as `user:password`).
//!
//! Also here: the warning for configuration files holding secrets that others can read.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_interop::{Peer, free_udp_port, require, run_netsnmp};

use crate::relay::{Relay, aiosmtpd_available};
use crate::support::vigie;

const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");

const RECEIVER_COMMUNITY: &str = "rcvComm-Q7x2vPq";
const RECEIVER_AUTH: &str = "rcvAuth-K3p9wLm";
const RECEIVER_PRIV: &str = "rcvPriv-M5t1zRb";
const AGENT_COMMUNITY: &str = "agtComm-R4v7nYe";
const DEVICE_COMMUNITY: &str = "devComm-W8n4kUs";
const DEVICE_AUTH: &str = "devAuth-H2j6qTo";
const DEVICE_PRIV: &str = "devPriv-L9c3xGa";
const SMTP_USER: &str = "smtp-user-secrets";
const SMTP_PASSWORD: &str = "smtpPass-Z6q8rVd";
const WEBHOOK_SECRET: &str = "hookSec-B1y5mJc";
const FORWARD_COMMUNITY: &str = "fwdComm-E7u2hNf";
const FORWARD_AUTH: &str = "fwdAuth-P4g8sKw";
const FORWARD_PRIV: &str = "fwdPriv-D6f1bXi";
/// A community an operator mistyped, or an attacker guessed: not shown either, since a
/// near-miss reveals the real one.
const WRONG_COMMUNITY: &str = "wrongComm-T3s9aHl";
const ADMIN_PASSWORD: &str = "adminPass-V5k2cQz";
/// The agent's own.
const AGENT_FILE_COMMUNITY: &str = "agtFileComm-N8r3uWy";
const AGENT_USER_AUTH: &str = "agtUserAuth-J7d4eSx";
const AGENT_USER_PRIV: &str = "agtUserPriv-F2w9oBv";

const LINK_DOWN: &str = ".1.3.6.1.6.3.1.1.5.3";
const IF_INDEX: &str = ".1.3.6.1.2.1.2.2.1.1";
const SENDER_ENGINE: &str = "0x8000000001020399";

/// Every planted secret.
const SECRETS: &[&str] = &[
    RECEIVER_COMMUNITY,
    RECEIVER_AUTH,
    RECEIVER_PRIV,
    AGENT_COMMUNITY,
    DEVICE_COMMUNITY,
    DEVICE_AUTH,
    DEVICE_PRIV,
    SMTP_PASSWORD,
    WEBHOOK_SECRET,
    FORWARD_COMMUNITY,
    FORWARD_AUTH,
    FORWARD_PRIV,
    WRONG_COMMUNITY,
    ADMIN_PASSWORD,
    AGENT_FILE_COMMUNITY,
    AGENT_USER_AUTH,
    AGENT_USER_PRIV,
];

/// What was seen: where, and the text.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    fn add(&mut self, place: impl Into<String>, text: impl Into<String>) {
        self.0.push((place.into(), text.into()));
    }

    fn places(&self) -> usize {
        self.0.len()
    }

    /// Panics naming the place and the form of the first secret found.
    fn assert_clean(&self) {
        let forms: Vec<(String, String)> = SECRETS
            .iter()
            .flat_map(|secret| {
                let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
                [
                    ((*secret).to_owned(), format!("{secret} (as written)")),
                    (hex.clone(), format!("{secret} (hex)")),
                    (hex.to_uppercase(), format!("{secret} (HEX)")),
                    (base64(secret.as_bytes()), format!("{secret} (base64)")),
                    (
                        base64(format!("\0{SMTP_USER}\0{secret}").as_bytes()),
                        format!("{secret} (AUTH PLAIN)"),
                    ),
                    (
                        base64(format!("{SMTP_USER}:{secret}").as_bytes()),
                        format!("{secret} (base64 user:password)"),
                    ),
                ]
            })
            .collect();
        for (place, text) in &self.0 {
            for (form, what) in &forms {
                assert!(
                    !text.contains(form.as_str()),
                    "{what} appears in {place}:\n{text}"
                );
            }
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn serve_config(relay_port: u16, agent: &str, dead_port: u16) -> String {
    format!(
        r#"[receiver]
communities = ["{RECEIVER_COMMUNITY}"]
[[receiver.users]]
name = "trapuser"
engine_id = "{SENDER_ENGINE}"
auth = "SHA-256"
auth_password = "{RECEIVER_AUTH}"
privacy = "AES"
priv_password = "{RECEIVER_PRIV}"

[agent]
community = "{AGENT_COMMUNITY}"

[poller]
interval = "5s"
timeout = "300ms"
retries = 0

[[devices]]
name = "wrong-community"
address = "{agent}"
version = "v2c"
community = "{DEVICE_COMMUNITY}"

[[devices]]
name = "unknown-user"
address = "{agent}"
version = "v3"
[devices.user]
name = "poller"
auth = "SHA-256"
auth_password = "{DEVICE_AUTH}"
privacy = "AES"
priv_password = "{DEVICE_PRIV}"

[smtp]
host = "127.0.0.1"
port = {relay_port}
encryption = "none"
insecure_plaintext_auth = true
from = "vigie@example.net"
user = "{SMTP_USER}"
password = "{SMTP_PASSWORD}"

[[actions]]
name = "mail-noc"
kind = "email"
to = ["noc@example.net"]

[[actions]]
name = "hook"
kind = "webhook"
url = "http://127.0.0.1:{dead_port}/hook"
secret = "{WEBHOOK_SECRET}"

[[actions]]
name = "forward-v2c"
kind = "trap"
target = "127.0.0.1:{dead_port}"
community = "{FORWARD_COMMUNITY}"

[[actions]]
name = "forward-v3"
kind = "trap"
target = "127.0.0.1:{dead_port}"
user = "forwarder"
auth = "SHA-256"
auth_password = "{FORWARD_AUTH}"
privacy = "AES"
priv_password = "{FORWARD_PRIV}"

[[rules]]
name = "everything"
actions = ["mail-noc", "hook", "forward-v2c", "forward-v3"]
group_wait = "0s"
"#
    )
}

/// A running process, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn planted_secrets_appear_in_no_log_answer_page_or_error() {
    if !aiosmtpd_available() || !require(&[Peer::Snmptrap, Peer::Snmpget]) {
        return;
    }
    let relay = Relay::start(&[
        "--mode",
        "plain",
        "--auth-reject",
        "--auth-user",
        SMTP_USER,
        "--auth-password",
        SMTP_PASSWORD,
    ]);
    let dir = tempfile::tempdir().expect("test setup");
    let data = dir.path();
    let data_dir = data.to_str().expect("UTF-8 temp dir");
    let http = free_tcp_address();
    let traps = format!("127.0.0.1:{}", free_udp_port());
    let agent = format!("127.0.0.1:{}", free_udp_port());
    let dead_port = free_tcp_address().port();
    let config = data.join("vigie.toml");
    std::fs::write(&config, serve_config(relay.port(), &agent, dead_port)).expect("test setup");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("setup");
    let mut seen = Seen::default();

    // The admin password, before the start, as an operator sets it.
    let mut admin = Command::new(VIGIE)
        .args(["admin", "set-password", "--data-dir", data_dir])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigie admin starts");
    writeln!(admin.stdin.take().expect("piped"), "{ADMIN_PASSWORD}").expect("stdin");
    let admin = admin.wait_with_output().expect("vigie admin ends");
    assert!(admin.status.success(), "{admin:?}");
    seen.add("vigie admin set-password", output_text(&admin));

    let log = data.join("serve.log");
    let serve = Process(
        Command::new(VIGIE)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .args(["--data-dir", data_dir, "--http", &http.to_string()])
            .args(["--traps", &traps, "--agent", &agent])
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(data.join("serve.out")).expect("test setup"))
            .stderr(std::fs::File::create(&log).expect("test setup"))
            .spawn()
            .expect("vigie serve starts"),
    );
    wait_http(http, &log);
    let created = vigie("token", &["create", "secrets", "--data-dir", data_dir]);
    assert!(created.success(), "{created:?}");
    let token = created.stdout.trim().to_owned();
    seen.add("vigie token create (stderr)", created.stderr);

    // Traps: a good one (which the rule sends everywhere), wrong communities, v3 with a
    // wrong password and with an unknown user.
    let trap = |community: &str| {
        run_netsnmp(
            Peer::Snmptrap,
            &[
                "-v2c",
                "-c",
                community,
                &traps,
                "",
                LINK_DOWN,
                &format!("{IF_INDEX}.7"),
                "i",
                "7",
            ],
        )
    };
    assert!(trap(RECEIVER_COMMUNITY).success());
    for _ in 0..3 {
        assert!(trap(WRONG_COMMUNITY).success());
    }
    for (user, auth) in [("trapuser", "wrong-auth-pass"), ("nobody", RECEIVER_AUTH)] {
        let sent = run_netsnmp(
            Peer::Snmptrap,
            &[
                "-v3",
                "-e",
                SENDER_ENGINE,
                "-u",
                user,
                "-l",
                "authPriv",
                "-a",
                "SHA-256",
                "-A",
                auth,
                "-x",
                "AES",
                "-X",
                RECEIVER_PRIV,
                &traps,
                "",
                LINK_DOWN,
            ],
        );
        assert!(sent.success(), "{sent:?}");
    }
    // The built-in agent asked with a wrong community.
    let _ = run_netsnmp(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            WRONG_COMMUNITY,
            "-t",
            "0.3",
            "-r",
            "0",
            &agent,
            ".1.3.6.1.2.1.1.1.0",
        ],
    );

    // The deliveries fail (535, connection refused) and the polls time out or are refused:
    // wait until the troubleshooting log holds the 535 and both devices were polled.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, attempts) = get(http, "/api/v1/log/actions", &token);
        if attempts.contains("535") && attempts.contains("hook") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no 535 in the log: {attempts}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Both devices polled and found unreachable (a wrong community and an unknown user
    // look the same from outside: no answer, or a Report), within a few polls.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, alarms) = get(http, "/api/v1/alarms", &token);
        if alarms.contains("wrong-community") && alarms.contains("unknown-user") {
            break;
        }
        if Instant::now() > deadline {
            eprintln!("the devices' reachability alarms were not raised: {alarms}");
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // Test Action through the API too: the 535 and its fix in the answer.
    let (code, answer) = request(
        http,
        "POST",
        "/api/v1/actions/mail-noc/test",
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    );
    assert_eq!(code, 200, "{answer}");
    assert!(answer.contains("535"), "{answer}");
    seen.add("POST /api/v1/actions/mail-noc/test", answer);
    let (_, answer) = request(
        http,
        "POST",
        "/api/v1/actions/hook/test",
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    );
    seen.add("POST /api/v1/actions/hook/test", answer);

    // Every GET route of the API, each {id} replaced by every id and name its list holds.
    for path in api_get_paths(http, &token) {
        let (code, body) = get(http, &path, &token);
        assert!(code < 500, "GET {path}: {code} {body}");
        seen.add(format!("GET {path}"), body);
    }
    // Without a token: 401s, and health.
    let (_, health) = request(http, "GET", "/api/v1/health", &[], "");
    seen.add("GET /api/v1/health", health);

    // The web UI, logged in: every GET page.
    let session = login(http);
    for path in web_get_paths(http, &token) {
        let (code, body) = request(
            http,
            "GET",
            &path,
            &[("Cookie", &format!("vigie_session={session}"))],
            "",
        );
        assert!(code < 500, "GET {path}: {code}");
        // `/setup` leads to `/login` once the password is set; no other page does.
        assert!(
            path == "/setup" || !body.to_ascii_lowercase().contains("\nlocation: /login"),
            "GET {path}: logged out"
        );
        seen.add(format!("page {path}"), body);
    }

    // The tools that read the same data directory.
    let actions_log = vigie("log", &["actions", "--data-dir", data_dir]);
    assert!(actions_log.stdout.contains("535"), "{actions_log:?}");
    seen.add(
        "vigie log actions",
        format!("{}{}", actions_log.stdout, actions_log.stderr),
    );
    let mut smtp_test = Command::new(VIGIE)
        .args(["smtp", "test", "--host", "127.0.0.1", "--port"])
        .arg(relay.port().to_string())
        .args([
            "--plain",
            "--insecure-plaintext-auth",
            "--from",
            "vigie@example.net",
        ])
        .args([
            "--to",
            "noc@example.net",
            "--user",
            SMTP_USER,
            "--data-dir",
            data_dir,
        ])
        .env("VIGIE_SMTP_PASSWORD", SMTP_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("vigie smtp test runs");
    assert!(!smtp_test.status.success());
    let text = output_text(&smtp_test);
    assert!(text.contains("535"), "{text}");
    seen.add("vigie smtp test", text);
    smtp_test = Command::new(VIGIE)
        .args(["smtp", "test", "--host", "127.0.0.1", "--port"])
        .arg(relay.port().to_string())
        .args([
            "--plain",
            "--insecure-plaintext-auth",
            "--from",
            "vigie@example.net",
        ])
        .args(["--to", "noc@example.net", "--user", SMTP_USER, "--json"])
        .args(["--data-dir", data_dir])
        .env("VIGIE_SMTP_PASSWORD", SMTP_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("vigie smtp test runs");
    seen.add("vigie smtp test --json", output_text(&smtp_test));

    // A reload through the API, then stop, so that the last lines are written.
    let (_, reloaded) = request(
        http,
        "POST",
        "/api/v1/config/reload",
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    );
    seen.add("POST /api/v1/config/reload", reloaded);
    drop(serve);
    seen.add(
        "vigie serve stderr (RUST_LOG=debug)",
        std::fs::read_to_string(&log).unwrap_or_default(),
    );
    seen.add(
        "vigie serve stdout",
        std::fs::read_to_string(data.join("serve.out")).unwrap_or_default(),
    );
    let debug = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        debug.contains("DEBUG"),
        "the log was at debug level:\n{debug}"
    );

    // Configuration errors next to a secret: a value refused, and a syntax error on the
    // secret's own line.
    for (name, text) in [
        (
            "bad-auth.toml",
            format!(
                "[[receiver.users]]\nname = \"u\"\nauth = \"SHA-999\"\n\
                 auth_password = \"{RECEIVER_AUTH}\"\n"
            ),
        ),
        (
            "short.toml",
            format!(
                "[smtp]\nhost = \"h\"\nfrom = \"f@example.net\"\npassword = \"{SMTP_PASSWORD}\" x\n"
            ),
        ),
        (
            "unterminated.toml",
            format!("[receiver]\ncommunities = [\"{RECEIVER_COMMUNITY}\n"),
        ),
        (
            "unknown-field.toml",
            format!("[receiver]\ncomunities = [\"{RECEIVER_COMMUNITY}\"]\n"),
        ),
    ] {
        let path = data.join(name);
        std::fs::write(&path, text).expect("test setup");
        let checked = vigie(
            "serve",
            &["--check-config", "--config", path.to_str().expect("UTF-8")],
        );
        assert!(!checked.success(), "{name}: {checked:?}");
        seen.add(
            format!("vigie serve --check-config {name}"),
            checked.stderr.clone(),
        );
    }

    eprintln!("{} places checked", seen.places());
    seen.assert_clean();
}

#[test]
fn the_check_finds_every_form_of_a_secret() {
    let forms = [
        SMTP_PASSWORD.to_owned(),
        SMTP_PASSWORD.bytes().map(|b| format!("{b:02x}")).collect(),
        SMTP_PASSWORD.bytes().map(|b| format!("{b:02X}")).collect(),
        base64(format!("\0{SMTP_USER}\0{SMTP_PASSWORD}").as_bytes()),
        base64(SMTP_PASSWORD.as_bytes()),
    ];
    for form in forms {
        let mut seen = Seen::default();
        seen.add("a log line", format!("AUTH PLAIN {form} sent"));
        let found = std::panic::catch_unwind(|| seen.assert_clean());
        assert!(found.is_err(), "{form} not found");
    }
    assert_eq!(base64(b"\0user\0pass"), "AHVzZXIAcGFzcw==");
    assert_eq!(base64(b"ab"), "YWI=");
}

#[test]
fn the_agent_shows_none_of_its_secrets() {
    if !require(&[Peer::Snmpget]) {
        return;
    }
    let dir = tempfile::tempdir().expect("test setup");
    let port = free_udp_port();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "listen = [\"udp:127.0.0.1:{port}\"]\nauthentication_traps = true\n\
             [[community]]\nname = \"{AGENT_FILE_COMMUNITY}\"\naccess = \"ro\"\n\
             [[user]]\nname = \"alice\"\nauth = \"SHA\"\nauth_password = \"{AGENT_USER_AUTH}\"\n\
             privacy = \"AES\"\npriv_password = \"{AGENT_USER_PRIV}\"\naccess = \"ro\"\n\
             [[trap]]\ntarget = \"udp:127.0.0.1:{}\"\ncommunity = \"{FORWARD_COMMUNITY}\"\n",
            free_udp_port()
        ),
    )
    .expect("test setup");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("setup");
    let log = dir.path().join("agent.log");
    let agent = Process(
        Command::new(VIGIE)
            .args(["agent", "--config"])
            .arg(&config)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("test setup"))
            .spawn()
            .expect("vigie agent starts"),
    );
    let target = format!("127.0.0.1:{port}");
    let get = |args: &[&str]| {
        let mut all = vec!["-t", "0.5", "-r", "1"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[&target, ".1.3.6.1.2.1.1.5.0"]);
        run_netsnmp(Peer::Snmpget, &all)
    };
    // Until it answers.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !get(&["-v2c", "-c", AGENT_FILE_COMMUNITY]).success() {
        assert!(Instant::now() < deadline, "vigie agent does not answer");
    }
    let mut seen = Seen::default();
    for args in [
        &["-v2c", "-c", WRONG_COMMUNITY][..],
        &["-v1", "-c", WRONG_COMMUNITY],
        &[
            "-v3",
            "-u",
            "alice",
            "-l",
            "authPriv",
            "-a",
            "SHA",
            "-A",
            "wrong-password-1",
            "-x",
            "AES",
            "-X",
            AGENT_USER_PRIV,
        ],
        &[
            "-v3",
            "-u",
            "mallory",
            "-l",
            "authNoPriv",
            "-a",
            "SHA",
            "-A",
            AGENT_USER_AUTH,
        ],
        &[
            "-v3",
            "-u",
            "alice",
            "-l",
            "authPriv",
            "-a",
            "SHA",
            "-A",
            AGENT_USER_AUTH,
            "-x",
            "AES",
            "-X",
            AGENT_USER_PRIV,
        ],
    ] {
        let outcome = get(args);
        seen.add(
            format!("snmpget {args:?}"),
            format!("{}{}", outcome.stdout, outcome.stderr),
        );
    }
    // The USM and VACM tables are served without keys.
    let walked = run_netsnmp(
        Peer::Snmpwalk,
        &[
            "-v3",
            "-u",
            "alice",
            "-l",
            "authPriv",
            "-a",
            "SHA",
            "-A",
            AGENT_USER_AUTH,
            "-x",
            "AES",
            "-X",
            AGENT_USER_PRIV,
            &target,
            ".1.3.6.1.6.3",
        ],
    );
    seen.add("snmpwalk snmpModules", walked.stdout);
    drop(agent);
    seen.add(
        "vigie agent stderr",
        std::fs::read_to_string(&log).unwrap_or_default(),
    );
    seen.assert_clean();
}

#[test]
fn config_files_with_secrets_readable_by_others_are_warned_about() {
    let dir = tempfile::tempdir().expect("test setup");
    let serve = dir.path().join("vigie.toml");
    std::fs::write(
        &serve,
        format!("[receiver]\ncommunities = [\"{RECEIVER_COMMUNITY}\"]\n"),
    )
    .expect("test setup");
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, "[storage]\nretention_days = 3\n").expect("test setup");
    let agent = dir.path().join("agent.toml");
    // No listen address: the agent stops at once after reading the file.
    std::fs::write(
        &agent,
        format!("[[community]]\nname = \"{AGENT_FILE_COMMUNITY}\"\naccess = \"ro\"\n"),
    )
    .expect("test setup");
    let check_serve = |path: &Path| {
        vigie(
            "serve",
            &["--check-config", "--config", path.to_str().expect("UTF-8")],
        )
    };
    let check_agent = |path: &Path| vigie("agent", &["--config", path.to_str().expect("UTF-8")]);
    for (mode, warned) in [(0o644, true), (0o640, true), (0o600, false), (0o400, false)] {
        for path in [&serve, &agent, &plain] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("setup");
        }
        let outcome = check_serve(&serve);
        assert!(outcome.success(), "{outcome:?}");
        let fix = format!("chmod 600 {}", serve.display());
        assert_eq!(
            outcome.stderr.contains(&fix),
            warned,
            "mode {mode:o}: {outcome:?}"
        );
        assert!(!outcome.stderr.contains(RECEIVER_COMMUNITY));
        let outcome = check_agent(&agent);
        let fix = format!("chmod 600 {}", agent.display());
        assert_eq!(
            outcome.stderr.contains(&fix),
            warned,
            "mode {mode:o}: {outcome:?}"
        );
        assert!(!outcome.stderr.contains(AGENT_FILE_COMMUNITY));
        // A file without a secret is nobody's business.
        let outcome = check_serve(&plain);
        assert!(!outcome.stderr.contains("chmod"), "{outcome:?}");
    }
}

fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The GET routes of `openapi.json`, each `{id}` replaced by the ids and names its
/// list route holds (and by `1`).
fn api_get_paths(http: SocketAddr, token: &str) -> Vec<String> {
    let (code, document) = get(http, "/api/v1/openapi.json", token);
    assert_eq!(code, 200);
    let document: Value = serde_json::from_str(body(&document)).expect("the OpenAPI document");
    let mut paths = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        if item.get("get").is_none() {
            continue;
        }
        let Some((list, _)) = path.split_once("/{id}") else {
            paths.push(path.clone());
            continue;
        };
        for id in ids(http, token, list) {
            paths.push(path.replace("{id}", &id));
        }
    }
    paths
}

/// The `id` and `name` of each item of a list route, and `1`.
fn ids(http: SocketAddr, token: &str, list: &str) -> Vec<String> {
    let (_, body) = get(http, list, token);
    let body: Value = serde_json::from_str(self::body(&body)).unwrap_or(Value::Null);
    // `{"items": [...]}`, `{"actions": [...]}` or a bare array.
    let items: Vec<Value> = match &body {
        Value::Array(items) => items.clone(),
        Value::Object(fields) => fields
            .values()
            .filter_map(Value::as_array)
            .flatten()
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let mut ids = vec!["1".to_owned()];
    for item in items {
        // File actions and rules are `{"id": null, "action": {"name": …}}`.
        let nested = item
            .as_object()
            .into_iter()
            .flat_map(|fields| fields.values());
        for object in std::iter::once(&item).chain(nested) {
            for field in ["id", "name"] {
                match &object[field] {
                    Value::String(text) => ids.push(text.clone()),
                    Value::Number(number) => ids.push(number.to_string()),
                    _ => {}
                }
            }
        }
    }
    ids.dedup();
    ids
}

/// The GET pages of the web UI, `{id}`, `{name}` and `{kind}` replaced by real ones.
fn web_get_paths(http: SocketAddr, token: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for &(method, path) in vigie_manager::web::PAGES {
        if method != "GET" {
            continue;
        }
        let replacements: Vec<String> = if path.contains("{kind}") {
            ["webhook", "syslog", "trap", "email"]
                .map(str::to_owned)
                .to_vec()
        } else if path.contains("{name}") && path.starts_with("/assets") {
            ["app.css", "app.js"].map(str::to_owned).to_vec()
        } else if path.starts_with("/response/actions/") {
            ids(http, token, "/api/v1/actions")
        } else if path.starts_with("/response/rules/") {
            ids(http, token, "/api/v1/rules")
        } else if path.starts_with("/devices/") {
            ids(http, token, "/api/v1/devices")
        } else if path.starts_with("/alarms/") {
            ids(http, token, "/api/v1/alarms")
        } else {
            vec![String::new()]
        };
        if !path.contains('{') {
            paths.push(path.to_owned());
            continue;
        }
        for value in replacements {
            paths.push(
                path.replace("{id}", &value)
                    .replace("{name}", &value)
                    .replace("{kind}", &value),
            );
        }
    }
    paths
}

/// Logs in as the admin; the session cookie.
fn login(http: SocketAddr) -> String {
    let (_, head) = request_head(http, "GET", "/login", &[], "");
    let prelogin = cookie(&head, "vigie_prelogin").expect("the login page sets its cookie");
    let form = format!("csrf={prelogin}&user=admin&password={ADMIN_PASSWORD}&next=%2Fstatus");
    let (code, head) = request_head(
        http,
        "POST",
        "/login",
        &[
            ("Cookie", &format!("vigie_prelogin={prelogin}")),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form,
    );
    assert_eq!(code, 303, "{head}");
    cookie(&head, "vigie_session").expect("a session")
}

fn cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| {
            let (header, value) = line.split_once(':')?;
            header
                .eq_ignore_ascii_case("set-cookie")
                .then_some(value.trim())
        })
        .find_map(|value| value.strip_prefix(&format!("{name}=")))
        .map(|value| value.split(';').next().unwrap_or_default().to_owned())
}

fn get(http: SocketAddr, path: &str, token: &str) -> (u16, String) {
    request(
        http,
        "GET",
        path,
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    )
}

/// One HTTP/1.1 request; the status and the body (what arrived within a second for streams).
fn request(
    http: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let (code, response) = request_head(http, method, path, headers, body);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_owned()
    };
    (code, format!("{head}\n\n{body}"))
}

/// The body alone of [`request`]'s answer.
fn body(answer: &str) -> &str {
    answer.split_once("\n\n").map_or(answer, |(_, body)| body)
}

/// The status and the whole response, head included.
fn request_head(
    http: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(http).expect("HTTP connects");
    // A live stream never ends: what came within a second is enough. Other answers may
    // take longer (an Argon2 check in a debug build).
    let wait = if path.ends_with("/live") { 1 } else { 30 };
    stream
        .set_read_timeout(Some(Duration::from_secs(wait)))
        .expect("test setup");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {http}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(head.as_bytes()).expect("HTTP request");
    let mut response = Vec::new();
    let mut buffer = [0_u8; 8192];
    let deadline = Instant::now() + Duration::from_secs(wait * 2);
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buffer[..n]),
            // A live stream: what came within the timeout is enough.
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                break;
            }
            Err(error) => panic!("HTTP response: {error}"),
        }
        if Instant::now() > deadline {
            break;
        }
    }
    let response = String::from_utf8_lossy(&response).into_owned();
    let code = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("HTTP status of {method} {path}: {response}"));
    (code, response)
}

/// The body of a chunked response (RFC 9112 §7.1).
fn unchunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            body.push_str(after);
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

fn wait_http(http: SocketAddr, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut stream) = TcpStream::connect(http) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let asked = write!(
                stream,
                "GET /api/v1/health HTTP/1.1\r\nHost: {http}\r\nConnection: close\r\n\r\n"
            );
            let mut head = [0_u8; 8];
            if asked.is_ok() && stream.read_exact(&mut head).is_ok() {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "vigie serve did not start:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_tcp_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .expect("test setup")
        .local_addr()
        .expect("test setup")
}
