//! `vigie smtp certs` and `vigie smtp test`: the two things an operator does by hand when
//! wiring a manager to a relay such as Amazon SES (the seed's `openssl s_client -showcerts`
//! and `awk` script, and its Test Action button), done by vigie-notify's own SMTP client.
//!
//! `certs` captures the chain the relay presents (after STARTTLS, RFC 3207, or over implicit
//! TLS, RFC 8314) even when it does not validate, prints it, says whether it validates now
//! and why not, saves it as PEM files named by CN, and imports chosen certificates into the
//! trust store of the data directory. `test` sends one real message and prints the relay's
//! reply, or the classified failure, its fix and the troubleshooting log line.

use std::fmt::Write as _;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::os::fd::AsFd as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use sha1::{Digest as _, Sha1};
use vigie_notify::{
    Accepted, Attempt, AttemptLog, AttemptRecord, CapturedCertificate, CapturedChain,
    ChannelFailure, DeliveryFailure, Encryption, Mailbox, Message, NegotiatedTls, Origin, Secret,
    SmtpConfig, TrustStore, capture_chain, send,
};

use crate::commands::block_on;
use crate::commands::log::{format_line, utc};
use crate::exit::Exit;
use crate::paths;

/// `vigie smtp …`.
#[derive(Debug, Args)]
pub(crate) struct SmtpArgs {
    #[command(subcommand)]
    command: SmtpCommand,
}

#[derive(Debug, Subcommand)]
enum SmtpCommand {
    /// Capture the certificate chain a relay presents, show it, save it as PEM files named by
    /// CN, and import chosen certificates into the trust store (exit 0 when the chain
    /// validates, after the import if any; 1 otherwise).
    Certs(CertsArgs),
    /// Send one real message through a relay: the relay's reply, or why it failed and the fix
    /// (exit 0 when accepted, 1 otherwise).
    Test(TestArgs),
}

/// The relay and the local state, shared by both subcommands.
#[derive(Debug, Args)]
struct RelayArgs {
    /// The relay's host name or IP address; its certificate is checked against this name.
    #[arg(long, value_name = "HOST")]
    host: String,
    /// The TCP port (default 587, or 465 with --tls).
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    /// Upgrade the connection with STARTTLS (RFC 3207): the default for every port but 465
    /// and 2465.
    #[arg(long, conflicts_with = "tls")]
    starttls: bool,
    /// TLS from the first byte (RFC 8314): the default for ports 465 and 2465.
    #[arg(long)]
    tls: bool,
    /// Trust only the trust store, not the system roots.
    #[arg(long)]
    no_system_roots: bool,
    /// The data directory holding the trust store and the troubleshooting log (default:
    /// `$VIGIE_DATA_DIR`, `/var/lib/vigie` as root, else `$XDG_DATA_HOME/vigie` or
    /// `~/.local/share/vigie`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

impl RelayArgs {
    /// The port and the encryption: flags first, then what the port proposes.
    fn endpoint(&self, plain: bool) -> (u16, Encryption) {
        let port = self.port.unwrap_or(if self.tls {
            DEFAULT_TLS_PORT
        } else {
            DEFAULT_PORT
        });
        let encryption = if plain {
            Encryption::None
        } else if self.tls {
            Encryption::ImplicitTls
        } else if self.starttls {
            Encryption::StartTls
        } else {
            Encryption::for_port(port)
        };
        (port, encryption)
    }

    fn data_dir(&self) -> PathBuf {
        paths::data_dir(self.data_dir.as_deref())
    }
}

/// `vigie smtp certs` arguments.
#[derive(Debug, Args)]
struct CertsArgs {
    #[command(flatten)]
    relay: RelayArgs,
    /// Save each certificate of the chain in DIR as `<CN>.pem`, as the seed's script does.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// Import these certificates of the chain into the trust store: by CN, by file name, by
    /// position (1 is the server's), by SHA-256 fingerprint (or its first 8+ hex digits), or
    /// `all`.
    #[arg(long, value_name = "NAME", num_args = 1..)]
    import: Vec<String>,
}

/// `vigie smtp test` arguments.
#[derive(Debug, Args)]
struct TestArgs {
    #[command(flatten)]
    relay: RelayArgs,
    /// No encryption at all (AUTH is then refused unless --insecure-plaintext-auth).
    #[arg(long, conflicts_with_all = ["tls", "starttls"])]
    plain: bool,
    /// The envelope and header sender; for SES, an address of a verified identity.
    #[arg(long, value_name = "ADDRESS")]
    from: String,
    /// A recipient (repeatable).
    #[arg(long, value_name = "ADDRESS", required = true)]
    to: Vec<String>,
    /// The AUTH user name (for SES, the SMTP user name, not an IAM access key). The password
    /// comes from `$VIGIE_SMTP_PASSWORD`, else from a prompt (or one line of standard input).
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// The subject of the test message.
    #[arg(long, default_value = "vigie test message")]
    subject: String,
    /// The name sent in EHLO.
    #[arg(long, value_name = "NAME")]
    helo: Option<String>,
    /// Allow AUTH over an unencrypted connection. Insecure: the password crosses the network
    /// in clear.
    #[arg(long)]
    insecure_plaintext_auth: bool,
}

/// Runs `vigie smtp …`.
pub(crate) fn run(args: &SmtpArgs) -> Exit {
    match &args.command {
        SmtpCommand::Certs(certs) => block_on(run_certs(certs)),
        SmtpCommand::Test(test) => run_test(test),
    }
}

async fn run_certs(args: &CertsArgs) -> Exit {
    let relay = &args.relay;
    let (port, encryption) = relay.endpoint(false);
    let store_dir = paths::trust_store(&relay.data_dir());
    // Only an import creates the trust store; showing a chain leaves no trace.
    let store = if args.import.is_empty() && !store_dir.exists() {
        Ok(TrustStore::in_memory())
    } else {
        TrustStore::open(&store_dir)
    };
    let mut store = match store {
        Ok(store) => store,
        Err(error) => {
            eprintln!(
                "vigie smtp certs: trust store {}: {error}",
                store_dir.display()
            );
            return Exit::Failure;
        }
    };
    let system_roots = !relay.no_system_roots;
    let chain = match capture_chain(&relay.host, port, encryption, &store.anchors(system_roots))
        .await
    {
        Ok(chain) => chain,
        Err(failure) => {
            eprintln!(
                "vigie smtp certs: cannot capture the chain of {}:{port} ({}): {failure}\nfix: {}",
                relay.host,
                mode(encryption),
                failure.fix()
            );
            return Exit::Failure;
        }
    };
    let chosen = match choose(&chain.certificates, &args.import) {
        Ok(chosen) => chosen,
        Err(name) => {
            let available: Vec<String> = chain
                .certificates
                .iter()
                .map(|c| c.file_name().trim_end_matches(".pem").to_owned())
                .collect();
            eprintln!(
                "vigie smtp certs: --import {name}: no certificate of the chain has that name, position or fingerprint (the chain holds: {})",
                available.join(", ")
            );
            return Exit::Failure;
        }
    };

    let mut saved = Vec::new();
    if let Some(dir) = &args.save {
        match save(&chain.certificates, dir) {
            Ok(paths) => saved = paths,
            Err(message) => {
                eprintln!("vigie smtp certs: {message}");
                return Exit::Failure;
            }
        }
    }

    // The verdict shown is the one before the import: say what it was checked against.
    let store_size = store.list().len();
    let mut imported = Vec::new();
    for certificate in chosen {
        match store.import_pem(certificate.pem().as_bytes(), None) {
            Ok(added) => imported.extend(added),
            Err(error) => {
                eprintln!(
                    "vigie smtp certs: cannot import {} into {}: {error}",
                    certificate.file_name(),
                    store_dir.display()
                );
                return Exit::Failure;
            }
        }
    }
    // After an import, the verdict that matters is the new one: connect again.
    let after_import = if args.import.is_empty() {
        None
    } else {
        Some(
            capture_chain(&relay.host, port, encryption, &store.anchors(system_roots))
                .await
                .map(|again| again.validation),
        )
    };

    let anchors = Anchors {
        system_roots,
        store_dir: &store_dir,
        store_size,
    };
    let now = SystemTime::now();
    if relay.json {
        let document = json!({
            "host": relay.host,
            "port": port,
            "encryption": mode(encryption),
            "tls": chain.tls.map(tls_json),
            "certificates": chain.certificates.iter().map(|c| certificate_json(c, now)).collect::<Vec<_>>(),
            "validation": validation_json(&chain.validation, &chain),
            "saved": saved.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "imported": imported.iter().map(|c| json!({"name": c.name, "sha256": c.info.sha256})).collect::<Vec<_>>(),
            "trust_store": store_dir.display().to_string(),
            "after_import": after_import.as_ref().map(|v| match v {
                Ok(validation) => validation_json(validation, &chain),
                Err(failure) => json!({"valid": false, "problem": failure.to_string(), "fix": failure.fix()}),
            }),
        });
        say_line(&format!("{document:#}"));
    } else {
        say(&chain_text(
            &relay.host,
            port,
            encryption,
            &chain,
            &anchors,
            now,
            args.import.is_empty(),
        ));
        for path in &saved {
            say_line(&format!("saved {}", path.display()));
        }
        for certificate in &imported {
            say_line(&format!(
                "imported {} into {} (SHA-256 {})",
                certificate.name,
                store_dir.display(),
                certificate.info.sha256
            ));
        }
        if !args.import.is_empty() && imported.is_empty() {
            say_line("nothing imported: the trust store already holds those certificates");
        }
        match &after_import {
            None => {}
            Some(Ok(Ok(()))) => say_line("after import: the chain validates"),
            Some(Ok(Err(problem))) => {
                let failure = untrusted(problem, &chain);
                say_line(&format!(
                    "after import: the chain still does not validate: {problem}"
                ));
                say_line(&format!("fix: {}", failure.fix()));
            }
            Some(Err(failure)) => say_line(&format!(
                "after import: cannot connect again to check: {failure}\nfix: {}",
                failure.fix()
            )),
        }
    }
    let validates = match &after_import {
        Some(verdict) => matches!(verdict, Ok(Ok(()))),
        None => chain.validation.is_ok(),
    };
    // Saved or not, a chain that does not validate is what a script checking a relay needs
    // to know.
    if validates {
        Exit::Success
    } else {
        Exit::Failure
    }
}

fn run_test(args: &TestArgs) -> Exit {
    let relay = &args.relay;
    let (port, encryption) = relay.endpoint(args.plain);
    let from = match Mailbox::new(args.from.as_str()) {
        Ok(from) => from,
        Err(error) => {
            eprintln!("vigie smtp test: --from: {error}");
            return Exit::Failure;
        }
    };
    let mut to = Vec::with_capacity(args.to.len());
    for address in &args.to {
        match Mailbox::new(address.as_str()) {
            Ok(mailbox) => to.push(mailbox),
            Err(error) => {
                eprintln!("vigie smtp test: --to: {error}");
                return Exit::Failure;
            }
        }
    }
    let password = match &args.user {
        Some(user) => match password(user, &relay.host) {
            Ok(password) => Some(password),
            Err(message) => {
                eprintln!("vigie smtp test: {message}");
                return Exit::Failure;
            }
        },
        None => None,
    };
    let data_dir = relay.data_dir();
    let store_dir = paths::trust_store(&data_dir);
    let store = if store_dir.exists() {
        TrustStore::open(&store_dir)
    } else {
        Ok(TrustStore::in_memory())
    };
    let store = match store {
        Ok(store) => store,
        Err(error) => {
            eprintln!(
                "vigie smtp test: trust store {}: {error}",
                store_dir.display()
            );
            return Exit::Failure;
        }
    };

    let mut config = SmtpConfig::new(relay.host.as_str(), port, args.from.as_str());
    config.encryption = encryption;
    if let (Some(user), Some(password)) = (&args.user, password) {
        config = config.with_credentials(user.as_str(), password);
    }
    if let Some(helo) = &args.helo {
        config.helo_name.clone_from(helo);
    }
    config.trust = store.anchors(!relay.no_system_roots);
    config.insecure_plaintext_auth = args.insecure_plaintext_auth;
    let body = format!(
        "This is a test message sent by `vigie smtp test` at {}.\r\n\r\nIf you read it, the relay {}:{port} accepted mail from {} and delivered it.\r\n",
        utc(SystemTime::now()),
        relay.host,
        args.from
    );
    let message = match Message::new(from, to, args.subject.as_str(), body) {
        Ok(message) => message,
        Err(error) => {
            eprintln!("vigie smtp test: {error}");
            return Exit::Failure;
        }
    };
    block_on(test(relay, &config, &message, &data_dir))
}

async fn test(relay: &RelayArgs, config: &SmtpConfig, message: &Message, data_dir: &Path) -> Exit {
    let at = SystemTime::now();
    let started = Instant::now();
    let result = send(config, message).await;
    let duration = started.elapsed();
    let target = format!("{}:{}", config.server, config.port);
    let record = log_attempt(data_dir, &target, &result, at, duration).await;
    let exit = if result.is_ok() {
        Exit::Success
    } else {
        Exit::Failure
    };
    if relay.json {
        let document = match &result {
            Ok(delivered) => json!({
                "delivered": true,
                "relay": target,
                "reply": delivered.reply.to_string(),
                "tls": delivered.tls.map(tls_json),
                "log": record.as_ref().ok(),
            }),
            Err(failure) => json!({
                "delivered": false,
                "relay": target,
                "stage": failure.stage().map(|s| s.to_string()),
                "classification": failure.kind(),
                "reply": failure.reply().map(ToString::to_string),
                "error": failure.to_string(),
                "fix": failure.fix(),
                "log": record.as_ref().ok(),
            }),
        };
        say_line(&format!("{document:#}"));
        if let Err(message) = &record {
            eprintln!("vigie smtp test: {message}");
        }
        return exit;
    }
    match &result {
        Ok(delivered) => {
            let tls = delivered
                .tls
                .map(|t| format!(", {} {}", t.version, t.cipher_suite))
                .unwrap_or_default();
            say_line(&format!(
                "accepted by {target} ({}{tls}): {}",
                mode(config.encryption),
                delivered.reply
            ));
        }
        Err(failure) => {
            let stage = failure
                .stage()
                .map(|s| format!(" at the {s} stage"))
                .unwrap_or_default();
            eprintln!(
                "vigie smtp test: not delivered{stage}: {} ({})",
                failure,
                failure.kind()
            );
            if let Some(reply) = failure.reply() {
                eprintln!("relay said: {reply}");
            }
            eprintln!("fix: {}", failure.fix());
        }
    }
    match &record {
        Ok(record) => say_line(&format!("log: {}", format_line(record))),
        Err(message) => eprintln!("vigie smtp test: {message}"),
    }
    exit
}

/// Writes the attempt to the troubleshooting log, as the Test Action of `vigie serve` does,
/// so `vigie log actions` shows it next to the others.
async fn log_attempt(
    data_dir: &Path,
    target: &str,
    result: &Result<vigie_notify::Delivered, DeliveryFailure>,
    at: SystemTime,
    duration: Duration,
) -> Result<AttemptRecord, String> {
    let database = paths::database(data_dir);
    std::fs::create_dir_all(data_dir).map_err(|error| {
        format!(
            "cannot write the troubleshooting log in {}: {error}",
            data_dir.display()
        )
    })?;
    let log = AttemptLog::open(&database).await.map_err(|error| {
        format!(
            "cannot open the troubleshooting log {}: {error}",
            database.display()
        )
    })?;
    let attempt = Attempt {
        target: target.to_owned(),
        result: match result {
            Ok(delivered) => Ok(Accepted {
                code: Some(delivered.reply.code),
                detail: delivered.reply.to_string(),
            }),
            Err(failure) => Err(ChannelFailure::Smtp(failure.clone())),
        },
    };
    let origin = Origin {
        action: Some(TEST_ACTION.to_owned()),
        rule: None,
        alarm_id: None,
    };
    log.record_direct(TEST_CHANNEL, &origin, &attempt, at, duration)
        .await
        .map_err(|error| format!("cannot write the troubleshooting log: {error}"))
}

/// The AUTH password: `$VIGIE_SMTP_PASSWORD`, else a prompt without echo on a terminal, else
/// one line of standard input. Never a command-line argument: `ps` and shell histories show
/// those.
fn password(user: &str, host: &str) -> Result<Secret, String> {
    if let Some(password) = std::env::var_os(PASSWORD_VARIABLE) {
        let password = password
            .into_string()
            .map_err(|_| format!("${PASSWORD_VARIABLE} is not valid UTF-8"))?;
        if !password.is_empty() {
            return Ok(Secret::new(password));
        }
    }
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let saved = if terminal {
        eprint!("SMTP password for {user} at {host}: ");
        let _ = std::io::stderr().flush();
        let saved = nix::sys::termios::tcgetattr(stdin.as_fd())
            .map_err(|error| format!("cannot read the terminal settings: {error}"))?;
        let mut quiet = saved.clone();
        quiet
            .local_flags
            .remove(nix::sys::termios::LocalFlags::ECHO);
        nix::sys::termios::tcsetattr(stdin.as_fd(), nix::sys::termios::SetArg::TCSANOW, &quiet)
            .map_err(|error| format!("cannot turn off the terminal echo: {error}"))?;
        Some(saved)
    } else {
        None
    };
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if let Some(saved) = saved {
        let _ =
            nix::sys::termios::tcsetattr(stdin.as_fd(), nix::sys::termios::SetArg::TCSANOW, &saved);
        eprintln!();
    }
    read.map_err(|error| format!("cannot read the password: {error}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(format!(
            "--user {user} needs a password: set ${PASSWORD_VARIABLE} or type it at the prompt"
        ));
    }
    Ok(Secret::new(password))
}

/// Writes `text` to standard output; a closed pipe is not an error worth a message.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Writes `text` and a line break to standard output.
fn say_line(text: &str) {
    say(&format!("{text}\n"));
}

/// What the verdict was checked against, for the text output.
struct Anchors<'a> {
    system_roots: bool,
    store_dir: &'a Path,
    store_size: usize,
}

/// The text output of `certs`: one block per certificate, then the verdict and the fix.
fn chain_text(
    host: &str,
    port: u16,
    encryption: Encryption,
    chain: &CapturedChain,
    anchors: &Anchors<'_>,
    now: SystemTime,
    hint_import: bool,
) -> String {
    let mut out = String::new();
    let tls = chain
        .tls
        .map(|t| format!(", {} {}", t.version, t.cipher_suite))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Certificate chain presented by {host}:{port} ({}{tls}), server certificate first:",
        mode(encryption)
    );
    for (index, certificate) in chain.certificates.iter().enumerate() {
        let info = &certificate.info;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "[{}] {}",
            index + 1,
            info.common_name.as_deref().unwrap_or("(no CN)")
        );
        let _ = writeln!(out, "    subject     {}", info.subject);
        let _ = writeln!(out, "    issuer      {}", info.issuer);
        let _ = writeln!(out, "    SHA-256     {}", info.sha256);
        let _ = writeln!(
            out,
            "    SHA-1       {}",
            sha1_fingerprint(&certificate.der)
        );
        let _ = writeln!(out, "    not before  {}", utc(info.not_before));
        let _ = writeln!(
            out,
            "    not after   {} ({})",
            utc(info.not_after),
            days_left(info.not_after, now)
        );
        let _ = writeln!(out, "    file        {}", certificate.file_name());
    }
    let _ = writeln!(out);
    let checked = format!(
        "{}the trust store {} ({} certificate{})",
        if anchors.system_roots {
            "the system roots and "
        } else {
            ""
        },
        anchors.store_dir.display(),
        anchors.store_size,
        if anchors.store_size == 1 { "" } else { "s" }
    );
    match &chain.validation {
        Ok(()) => {
            let _ = writeln!(
                out,
                "validation: OK, the chain validates now against {checked}"
            );
        }
        Err(problem) => {
            let _ = writeln!(
                out,
                "validation: FAILED, {problem} (checked against {checked})"
            );
            let _ = writeln!(out, "fix: {}", untrusted(problem, chain).fix());
            let top = chain
                .certificates
                .last()
                .map(CapturedCertificate::file_name);
            if let (true, Some(top)) = (hint_import, top) {
                let _ = writeln!(
                    out,
                    "to trust it, once the fingerprints are checked: vigie smtp certs --host {host} --port {port} --import {}",
                    top.trim_end_matches(".pem")
                );
            }
        }
    }
    out
}

/// The certificates `names` designate, in chain order; `Err` with the first name that
/// designates none.
fn choose<'a>(
    certificates: &'a [CapturedCertificate],
    names: &[String],
) -> Result<Vec<&'a CapturedCertificate>, String> {
    let mut chosen = vec![false; certificates.len()];
    for name in names {
        if name.eq_ignore_ascii_case("all") {
            chosen.iter_mut().for_each(|c| *c = true);
            continue;
        }
        let hex = name.replace(':', "").to_ascii_uppercase();
        let mut found = false;
        for (index, certificate) in certificates.iter().enumerate() {
            let file_name = certificate.file_name();
            let matches = certificate.info.common_name.as_deref() == Some(name.as_str())
                || file_name.trim_end_matches(".pem") == name
                || file_name == *name
                || name.parse::<usize>().ok() == Some(index + 1)
                || (hex.len() >= 8
                    && hex.bytes().all(|b| b.is_ascii_hexdigit())
                    && certificate.info.sha256.replace(':', "").starts_with(&hex));
            if matches {
                chosen[index] = true;
                found = true;
            }
        }
        if !found {
            return Err(name.clone());
        }
    }
    Ok(certificates
        .iter()
        .zip(chosen)
        .filter_map(|(certificate, chosen)| chosen.then_some(certificate))
        .collect())
}

/// Writes each certificate to `dir/<CN>.pem`; two certificates with the same CN get `-2`,
/// `-3`… rather than overwriting each other as the seed's script does.
fn save(certificates: &[CapturedCertificate], dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|error| format!("--save {}: {error}", dir.display()))?;
    let mut written: Vec<PathBuf> = Vec::new();
    for certificate in certificates {
        let file_name = certificate.file_name();
        let stem = file_name.trim_end_matches(".pem");
        let mut path = dir.join(&file_name);
        let mut n = 2;
        while written.contains(&path) {
            path = dir.join(format!("{stem}-{n}.pem"));
            n += 1;
        }
        std::fs::write(&path, certificate.pem())
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The failure a delivery would meet with this verdict, for its fix text.
fn untrusted(problem: &vigie_notify::CertificateProblem, chain: &CapturedChain) -> DeliveryFailure {
    DeliveryFailure::UntrustedCertificate {
        problem: problem.clone(),
        chain: chain.certificates.iter().map(|c| c.der.clone()).collect(),
    }
}

fn mode(encryption: Encryption) -> &'static str {
    match encryption {
        Encryption::None => "no encryption",
        Encryption::StartTls => "STARTTLS",
        Encryption::ImplicitTls => "implicit TLS",
    }
}

/// SHA-1 of the DER as `AB:CD:…`, as `openssl x509 -fingerprint -sha1` prints it (trust
/// store screens of other products still show it).
fn sha1_fingerprint(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// `123 days left`, `expires today`, or `expired 4 days ago`.
fn days_left(not_after: SystemTime, now: SystemTime) -> String {
    match not_after.duration_since(now) {
        Ok(left) => match left.as_secs() / SECONDS_PER_DAY {
            0 => "expires within a day".to_owned(),
            1 => "1 day left".to_owned(),
            days => format!("{days} days left"),
        },
        Err(past) => match past.duration().as_secs() / SECONDS_PER_DAY {
            0 => "expired today".to_owned(),
            1 => "expired 1 day ago".to_owned(),
            days => format!("expired {days} days ago"),
        },
    }
}

fn days_left_number(not_after: SystemTime, now: SystemTime) -> i64 {
    match not_after.duration_since(now) {
        Ok(left) => i64::try_from(left.as_secs() / SECONDS_PER_DAY).unwrap_or(i64::MAX),
        Err(past) => {
            -i64::try_from(past.duration().as_secs() / SECONDS_PER_DAY).unwrap_or(i64::MAX)
        }
    }
}

fn certificate_json(certificate: &CapturedCertificate, now: SystemTime) -> Value {
    let info = &certificate.info;
    json!({
        "common_name": info.common_name,
        "subject": info.subject,
        "issuer": info.issuer,
        "sha256": info.sha256,
        "sha1": sha1_fingerprint(&certificate.der),
        "not_before": utc(info.not_before),
        "not_after": utc(info.not_after),
        "days_left": days_left_number(info.not_after, now),
        "self_issued": info.self_issued,
        "is_ca": info.is_ca,
        "file_name": certificate.file_name(),
        "pem": certificate.pem(),
    })
}

fn validation_json(
    validation: &Result<(), vigie_notify::CertificateProblem>,
    chain: &CapturedChain,
) -> Value {
    match validation {
        Ok(()) => json!({"valid": true}),
        Err(problem) => json!({
            "valid": false,
            "problem": problem.to_string(),
            "fix": untrusted(problem, chain).fix(),
        }),
    }
}

fn tls_json(tls: NegotiatedTls) -> Value {
    json!({"version": tls.version, "cipher_suite": tls.cipher_suite})
}

/// The port proposed when none is given: SES's and RFC 6409's submission port, STARTTLS.
const DEFAULT_PORT: u16 = 587;
/// The port proposed with `--tls`: RFC 8314's submissions port.
const DEFAULT_TLS_PORT: u16 = 465;
const SECONDS_PER_DAY: u64 = 86_400;
/// Where the password comes from, so that it is never a command-line argument.
const PASSWORD_VARIABLE: &str = "VIGIE_SMTP_PASSWORD";
/// The action name `vigie smtp test` attempts carry in the troubleshooting log.
const TEST_ACTION: &str = "vigie smtp test";
/// The channel name `vigie smtp test` attempts carry in the troubleshooting log.
const TEST_CHANNEL: &str = "cli";

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(port: Option<u16>, starttls: bool, tls: bool) -> RelayArgs {
        RelayArgs {
            host: "relay.test".to_owned(),
            port,
            starttls,
            tls,
            no_system_roots: false,
            data_dir: None,
            json: false,
        }
    }

    #[test]
    fn the_port_proposes_the_encryption_unless_a_flag_says() {
        assert_eq!(
            relay(None, false, false).endpoint(false),
            (587, Encryption::StartTls)
        );
        assert_eq!(
            relay(None, false, true).endpoint(false),
            (465, Encryption::ImplicitTls)
        );
        assert_eq!(
            relay(Some(2465), false, false).endpoint(false),
            (2465, Encryption::ImplicitTls)
        );
        assert_eq!(
            relay(Some(2587), false, false).endpoint(false),
            (2587, Encryption::StartTls)
        );
        assert_eq!(
            relay(Some(465), true, false).endpoint(false),
            (465, Encryption::StartTls)
        );
        assert_eq!(
            relay(Some(25), false, false).endpoint(true),
            (25, Encryption::None)
        );
    }

    #[test]
    fn days_left_counts_both_ways() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(10 * 86_400);
        let day = Duration::from_secs(86_400);
        assert_eq!(days_left(now + day * 30, now), "30 days left");
        assert_eq!(days_left(now + day, now), "1 day left");
        assert_eq!(days_left(now - day * 3, now), "expired 3 days ago");
        assert_eq!(days_left_number(now - day * 3, now), -3);
    }

    #[test]
    fn sha1_is_openssl_formatted() {
        assert_eq!(
            sha1_fingerprint(b"abc"),
            "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D"
        );
    }
}
