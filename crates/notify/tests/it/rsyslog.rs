//! Interop with a real syslog receiver: Debian's `rsyslogd`, started in the foreground on
//! free 127.0.0.1 ports with a private configuration, parses what vigie sends over UDP and
//! over TCP with octet counting as RFC 5424 (its fields land in separate properties).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vigie_notify::{SdElement, SyslogConfig, SyslogMessage, SyslogTransport, send_syslog};

use super::peers::free_port;

/// Whether `rsyslogd` is installed; when not, skip (naming the package) or, with
/// `VIGIE_REQUIRE_PEERS=1`, fail.
fn rsyslogd_available() -> bool {
    let ok = Command::new("rsyslogd")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
            "rsyslog (Debian package `rsyslog`) is required (VIGIE_REQUIRE_PEERS=1) but not installed"
        );
        eprintln!("skipped: rsyslog (Debian package `rsyslog`) is not installed");
    }
    ok
}

/// A running `rsyslogd -n`, stopped by PID when dropped.
struct Rsyslogd {
    child: Child,
}

impl Drop for Rsyslogd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, udp: u16, tcp: u16) -> Rsyslogd {
    let out = dir.join("out.log");
    let conf = dir.join("rsyslog.conf");
    let config = format!(
        r#"global(workDirectory="{dir}")
module(load="imudp")
module(load="imtcp")
input(type="imudp" port="{udp}" address="127.0.0.1")
input(type="imtcp" port="{tcp}" address="127.0.0.1")
template(name="fields" type="string" string="%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\n")
*.* action(type="omfile" file="{out}" template="fields")
"#,
        dir = dir.display(),
        out = out.display(),
    );
    std::fs::write(&conf, config).expect("test peer setup");
    let child = Command::new("rsyslogd")
        .arg("-n")
        .arg("-f")
        .arg(&conf)
        .arg("-i")
        .arg(dir.join("rsyslogd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("test peer setup");
    let peer = Rsyslogd { child };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", tcp)).is_err() {
        assert!(
            Instant::now() < deadline,
            "rsyslogd did not listen on {tcp}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    peer
}

fn message(msgid: &str, text: &str) -> SyslogMessage {
    let mut message = SyslogMessage::new(16, 2, "core-1.example", text);
    message.msgid = msgid.into();
    message.procid = "4242".into();
    message.structured_data = vec![SdElement {
        id: "alarm@32473".into(),
        params: vec![
            ("id".into(), "42".into()),
            ("note".into(), r#"a "quoted" ]"#.into()),
        ],
    }];
    message
}

#[tokio::test]
async fn rsyslog_parses_udp_and_tcp_messages_as_rfc5424() {
    if !rsyslogd_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("test peer setup");
    let (udp, tcp) = (free_port(), free_port());
    let _peer = start(dir.path(), udp, tcp);

    let mut config = SyslogConfig::new("127.0.0.1", SyslogTransport::Tcp);
    config.port = tcp;
    config.timeout = Duration::from_secs(5);
    send_syslog(&config, &message("TCP1", "over tcp"))
        .await
        .expect("tcp");
    config.transport = SyslogTransport::Udp;
    config.port = udp;
    send_syslog(&config, &message("UDP1", "over udp — été"))
        .await
        .expect("udp");

    let out = dir.path().join("out.log");
    let deadline = Instant::now() + Duration::from_secs(10);
    let lines = loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.len() >= 2 || Instant::now() > deadline {
            break lines;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let sd = r#"[alarm@32473 id="42" note="a \"quoted\" \]"]"#;
    for (msgid, text) in [("TCP1", "over tcp"), ("UDP1", "over udp — été")] {
        let line = lines
            .iter()
            .find(|l| l.contains(&format!("|{msgid}|")))
            .unwrap_or_else(|| panic!("rsyslogd did not log {msgid}: {lines:?}"));
        let fields: Vec<&str> = line.splitn(6, '|').collect();
        assert_eq!(
            &fields[..5],
            ["core-1.example", "vigie", "4242", msgid, sd],
            "{line}"
        );
        // Whether rsyslog keeps the BOM of MSG-UTF8 in the property is its choice.
        assert_eq!(fields[5].trim_start_matches('\u{feff}'), text, "{line}");
    }
}
