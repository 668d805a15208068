//! A private PostgreSQL server for the tests of vigie's PostgreSQL storage.
//!
//! The server is Debian's PostgreSQL (package `postgresql`, binaries in
//! `/usr/lib/postgresql/VERSION/bin`), initialised into a temporary directory and listening
//! on a private Unix socket directory and a free loopback port, never on the system's
//! cluster. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user
//! (`runuser`). One server serves a whole test process ([`Postgres::shared`]), each test in
//! a database of its own ([`Postgres::create_database`]); a watchdog started with it stops it
//! by PID and deletes its directory once the test process has exited.

use std::fs;
use std::io::{self, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The superuser the tests connect as.
const USER: &str = "vigie";
/// Its password, which the TCP URLs carry: the server asks for it (SCRAM) on TCP.
pub const PASSWORD: &str = "pg-test-secret-7d1f";

/// A running private server.
#[derive(Debug)]
pub struct Postgres {
    bin: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    pid: u32,
}

impl Postgres {
    /// The directory of the PostgreSQL server programs, if installed: `$VIGIE_PG_BIN`, else
    /// the newest `/usr/lib/postgresql/*/bin` that has `initdb`.
    pub fn bin_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("VIGIE_PG_BIN") {
            return Some(PathBuf::from(dir));
        }
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    }

    /// Whether the server programs are installed. When they are not, prints a skip line
    /// naming the Debian package and returns `false`.
    ///
    /// # Panics
    ///
    /// When they are missing and `VIGIE_REQUIRE_PEERS=1`.
    pub fn require() -> bool {
        if Self::bin_dir().is_some() {
            return true;
        }
        let message = "skipped: PostgreSQL (initdb, pg_ctl) not found — install the Debian \
                       package postgresql";
        let required = std::env::var_os("VIGIE_REQUIRE_PEERS").is_some_and(|value| value == "1");
        assert!(!required, "{message} (VIGIE_REQUIRE_PEERS=1)");
        let _ = writeln!(io::stderr(), "{message}");
        false
    }

    /// The server of this test process, started at the first call; `None` (after
    /// [`Postgres::require`]'s skip line) when PostgreSQL is not installed.
    ///
    /// # Panics
    ///
    /// When the server does not start.
    pub fn shared() -> Option<&'static Self> {
        static SERVER: OnceLock<Option<Postgres>> = OnceLock::new();
        SERVER
            .get_or_init(|| Self::require().then(Self::start))
            .as_ref()
    }

    /// Initialises and starts a server; a watchdog stops it when this process exits.
    fn start() -> Self {
        let bin = Self::bin_dir().expect("PostgreSQL is installed");
        let root = tempfile::Builder::new()
            .prefix("vigie-pg-")
            .tempdir()
            .expect("temporary directory")
            .keep();
        let data = root.join("data");
        let socket_dir = root.join("socket");
        fs::create_dir(&socket_dir).expect("socket directory");
        let password_file = root.join("password");
        fs::write(&password_file, PASSWORD).expect("password file");
        let as_root = is_root();
        if as_root {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root));
        }
        let port = free_tcp_port();
        run(server_command(&bin.join("initdb"), as_root)
            .arg("-D")
            .arg(&data)
            .args(["-U", USER, "-A", "scram-sha-256", "--auth-local=trust"])
            .args(["-E", "UTF8", "--locale=C", "--no-sync"])
            .arg(format!("--pwfile={}", password_file.display())));
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
            socket_dir.display()
        );
        run(server_command(&bin.join("pg_ctl"), as_root)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(root.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]));
        let pid: u32 = fs::read_to_string(data.join("postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next()?.trim().parse().ok())
            .expect("postmaster.pid names the server");
        // Stops the server (fast shutdown, by PID) and deletes its files once this process
        // is gone, however it ends.
        let watchdog = format!(
            "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill -INT {pid}; \
             for _ in $(seq 100); do kill -0 {pid} 2>/dev/null || break; sleep 0.1; done; \
             rm -rf '{root}'",
            me = std::process::id(),
            root = root.display(),
        );
        // Never waited for: it outlives this process, whose exit is what it waits for.
        #[expect(clippy::zombie_processes, reason = "the watchdog outlives its parent")]
        let _watchdog = Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("watchdog");
        Self {
            bin,
            socket_dir,
            port,
            pid,
        }
    }

    /// Creates a new, empty database and returns a TCP URL to it, with the password:
    /// `postgres://vigie:PASSWORD@127.0.0.1:PORT/NAME`.
    ///
    /// # Panics
    ///
    /// When `createdb` fails.
    pub fn create_database(&self) -> String {
        let name = self.new_database();
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{name}",
            self.port
        )
    }

    /// Creates a new, empty database and returns a URL that reaches it through the Unix
    /// socket (`?host=DIR&port=PORT`), with no password.
    pub fn create_database_socket(&self) -> String {
        let name = self.new_database();
        format!(
            "postgres://{USER}@localhost/{name}?host={}&port={}",
            self.socket_dir.display(),
            self.port
        )
    }

    fn new_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let name = format!("vigie_test_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        run(Command::new(self.bin.join("createdb"))
            .arg("-h")
            .arg(&self.socket_dir)
            .args(["-p", &self.port.to_string(), "-U", USER, &name]));
        name
    }

    /// The server's loopback port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's PID.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The Unix socket directory.
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }
}

/// `program`, run as `postgres` when this process is root.
fn server_command(program: &Path, as_root: bool) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Runs `command` to completion, panicking with its output if it fails.
fn run(command: &mut Command) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
