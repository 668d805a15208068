//! Fixtures: a real `snmpd` on loopback, and a scriptable fake agent.

use std::net::{SocketAddr, UdpSocket as StdUdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::net::UdpSocket;
use vigie_net::{Client, Session};
use vigie_snmp::{
    AnyPdu, CommunityMessage, ErrorStatus, Message, Oid, Pdu, PduKind, VarBind, Version,
};

/// A `snmpd` listening on loopback at a free port, killed on drop.
pub(crate) struct Snmpd {
    child: Child,
    pub(crate) address: SocketAddr,
    // Held so that the configuration and persistent directory outlive the daemon.
    _dir: tempfile::TempDir,
}

impl Snmpd {
    /// Starts `snmpd` on `127.0.0.1` (or `[::1]` with `ipv6`), or returns `None` after saying
    /// why when it cannot run here; with `VIGIE_REQUIRE_PEERS=1` a missing `snmpd` fails.
    pub(crate) async fn start(ipv6: bool) -> Option<Self> {
        let Some(binary) = find_snmpd() else {
            assert!(
                std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
                "snmpd is required (VIGIE_REQUIRE_PEERS=1) but not installed: \
                 install the Debian package `snmpd`"
            );
            eprintln!("skipping: snmpd not found; install the Debian package `snmpd`");
            return None;
        };
        let address = free_udp_address(ipv6)?;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config = dir.path().join("snmpd.conf");
        std::fs::write(&config, SNMPD_CONF).expect("writing snmpd.conf");
        let endpoint = match address {
            SocketAddr::V4(_) => format!("udp:{address}"),
            SocketAddr::V6(_) => format!("udp6:{address}"),
        };
        let child = Command::new(binary)
            .args(["-f", "-Lo", "-C", "-c"])
            .arg(&config)
            .arg(&endpoint)
            .env("SNMP_PERSISTENT_DIR", dir.path().join("persist"))
            .env("MIBS", "")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawning snmpd");
        let snmpd = Self {
            child,
            address,
            _dir: dir,
        };
        if snmpd.ready().await {
            return Some(snmpd);
        }
        assert!(
            ipv6,
            "snmpd did not answer on {endpoint} within {READY_WAIT:?}"
        );
        eprintln!("skipping: snmpd cannot listen on {endpoint} here");
        None
    }

    pub(crate) fn session(&self, version: Version, community: &'static str) -> Session {
        let mut session = Session::new(self.address, version, community);
        session.timeout = Duration::from_millis(500);
        session.retries = 2;
        session
    }

    /// Net-SNMP's own tool, for comparison: `tool -On -Oq -v… -c… ADDRESS args…`.
    pub(crate) fn net_snmp(&self, tool: &str, version: &str, args: &[&str]) -> Option<String> {
        let endpoint = match self.address {
            SocketAddr::V4(_) => format!("udp:{}", self.address),
            SocketAddr::V6(_) => format!("udp6:{}", self.address),
        };
        let output = Command::new(tool)
            .args([
                "-On", "-Oq", "-v", version, "-c", "public", "-t", "1", "-r", "2",
            ])
            .arg(endpoint)
            .args(args)
            .env("MIBS", "")
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    async fn ready(&self) -> bool {
        let mut session = Session::new(self.address, Version::V2c, "public");
        session.timeout = Duration::from_millis(100);
        session.retries = 0;
        let client = Client::new(session).await.expect("a client socket");
        let started = Instant::now();
        while started.elapsed() < READY_WAIT {
            if client.get(&[oid("1.3.6.1.2.1.1.1.0")]).await.is_ok() {
                return true;
            }
        }
        false
    }
}

impl Drop for Snmpd {
    fn drop(&mut self) {
        // Our own child, by its handle: nothing else is touched.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fake agent on `127.0.0.1`: for each datagram it decodes, `behaviour` returns the
/// datagrams to send back (any bytes at all).
pub(crate) struct FakeAgent {
    pub(crate) address: SocketAddr,
    received: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeAgent {
    pub(crate) async fn start(
        behaviour: impl Fn(&CommunityMessage) -> Vec<Bytes> + Send + 'static,
    ) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("a loopback socket");
        let address = socket.local_addr().expect("its address");
        let received = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&received);
        let task = tokio::spawn(async move {
            let mut buffer = vec![0_u8; 65_535];
            loop {
                let Ok((length, from)) = socket.recv_from(&mut buffer).await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let datagram = Bytes::copy_from_slice(&buffer[..length]);
                let Ok(Message::Community(message)) = Message::decode(datagram) else {
                    continue;
                };
                for reply in behaviour(&message) {
                    let _ = socket.send_to(&reply, from).await;
                }
            }
        });
        Self {
            address,
            received,
            task,
        }
    }

    /// A fake agent that never answers.
    pub(crate) async fn silent() -> Self {
        Self::start(|_| Vec::new()).await
    }

    pub(crate) fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }

    pub(crate) fn session(&self, version: Version) -> Session {
        let mut session = Session::new(self.address, version, "public");
        session.timeout = Duration::from_millis(100);
        session.retries = 1;
        session
    }
}

impl Drop for FakeAgent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The request's PDU, for the `PDU`-shaped requests, with GetBulk read as GetNext's shape.
pub(crate) fn request_varbinds(
    message: &CommunityMessage,
) -> (vigie_snmp::RequestId, Vec<VarBind>) {
    match &message.pdu {
        AnyPdu::Pdu(pdu) => (pdu.request_id, pdu.varbinds.clone()),
        AnyPdu::Bulk(bulk) => (bulk.request_id, bulk.varbinds.clone()),
        AnyPdu::TrapV1(_) => panic!("the client sent a trap"),
    }
}

/// The encoded Response to `request` carrying `varbinds` and `error_status`.
pub(crate) fn response(
    request: &CommunityMessage,
    error_status: ErrorStatus,
    varbinds: Vec<VarBind>,
) -> Bytes {
    let (request_id, _) = request_varbinds(request);
    let message = Message::Community(CommunityMessage {
        version: request.version,
        community: request.community.clone(),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::Response,
            request_id,
            error_status,
            error_index: 0,
            varbinds,
        }),
    });
    Bytes::from(message.to_vec())
}

pub(crate) fn oid(text: &str) -> Oid {
    text.parse().expect("a valid OID in the test")
}

fn find_snmpd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|dir| dir.join("snmpd"))
        .find(|candidate| candidate.is_file())
}

fn free_udp_address(ipv6: bool) -> Option<SocketAddr> {
    let bind = if ipv6 { "[::1]:0" } else { "127.0.0.1:0" };
    match StdUdpSocket::bind(bind).and_then(|socket| socket.local_addr()) {
        Ok(address) => Some(address),
        Err(error) if ipv6 => {
            eprintln!("skipping: no IPv6 loopback here ({error})");
            None
        }
        Err(error) => panic!("cannot bind {bind}: {error}"),
    }
}

const READY_WAIT: Duration = Duration::from_secs(5);

const SNMPD_CONF: &str = "\
rocommunity public default
rwcommunity private default
rocommunity6 public default
rwcommunity6 private default
sysLocation vigie-test-lab
";
