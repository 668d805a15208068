//! Running `vigie` and the Net-SNMP tools in a sandboxed environment, and comparing them.

use std::env;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::peer::Peer;

/// What a finished command printed and how it exited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The command line, for messages.
    pub command: String,
    /// Standard output, decoded lossily as UTF-8.
    pub stdout: String,
    /// Standard error, decoded lossily as UTF-8.
    pub stderr: String,
    /// The exit code; `None` when a signal ended the process.
    pub status: Option<i32>,
}

impl Outcome {
    /// Whether the command exited with status 0.
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }

    /// Applies `mask` to stdout and stderr, to hide values that change between two runs.
    pub fn masked(self, mask: impl Fn(&str) -> String) -> Self {
        Self {
            stdout: mask(&self.stdout),
            stderr: mask(&self.stderr),
            ..self
        }
    }
}

impl Outcome {
    /// Cuts stderr after the word `USAGE` (see [`cut_usage`]); stdout is kept whole.
    pub fn usage_cut(self) -> Self {
        Self {
            stderr: cut_usage(&self.stderr),
            ..self
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "$ {}", self.command)?;
        match self.status {
            Some(code) => writeln!(f, "exit status: {code}")?,
            None => writeln!(f, "exit status: killed by a signal")?,
        }
        writeln!(f, "stdout:\n{}", indent(&self.stdout))?;
        write!(f, "stderr:\n{}", indent(&self.stderr))
    }
}

/// A Net-SNMP tool and `vigie` run with the same arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// The Net-SNMP tool's outcome (the reference).
    pub netsnmp: Outcome,
    /// The `vigie` subcommand's outcome.
    pub vigie: Outcome,
}

impl Pair {
    /// Applies `mask` to both outcomes (see [`Outcome::masked`]).
    pub fn masked(self, mask: impl Fn(&str) -> String) -> Self {
        Self {
            netsnmp: self.netsnmp.masked(&mask),
            vigie: self.vigie.masked(&mask),
        }
    }

    /// Cuts each stderr after the word `USAGE` (see [`cut_usage`]): the usage text names
    /// the program and its version, and differs by design; what precedes it is compared.
    pub fn usage_cut(self) -> Self {
        Self {
            netsnmp: self.netsnmp.usage_cut(),
            vigie: self.vigie.usage_cut(),
        }
    }

    /// The differences between the two outcomes, one paragraph per stream; empty when
    /// stdout, stderr and exit status are identical.
    pub fn differences(&self) -> Vec<String> {
        let mut found = Vec::new();
        if self.netsnmp.status != self.vigie.status {
            found.push(format!(
                "exit status: Net-SNMP {:?}, vigie {:?}",
                self.netsnmp.status, self.vigie.status
            ));
        }
        for (stream, reference, ours) in [
            ("stdout", &self.netsnmp.stdout, &self.vigie.stdout),
            ("stderr", &self.netsnmp.stderr, &self.vigie.stderr),
        ] {
            if let Some(line) = first_difference(reference, ours) {
                found.push(format!("{stream}: {line}"));
            }
        }
        found
    }

    /// Asserts that stdout, stderr and exit status are identical.
    ///
    /// # Panics
    ///
    /// When they differ, with the first differing line of each stream and both outcomes.
    pub fn assert_same(&self) {
        let differences = self.differences();
        assert!(
            differences.is_empty(),
            "vigie differs from Net-SNMP:\n{}\n\n--- Net-SNMP ---\n{}\n\n--- vigie ---\n{}",
            differences.join("\n"),
            self.netsnmp,
            self.vigie
        );
    }
}

/// Runs the Net-SNMP `tool` and its `vigie` equivalent with the same `args`.
///
/// The Net-SNMP tool also gets `-m ''` so that it loads no MIB, like vigie. Both run in a
/// fresh sandbox (see [`run`]).
///
/// # Panics
///
/// When `tool` is not installed (call [`crate::require`] first), when it has no `vigie`
/// equivalent, or as [`run`] does.
pub fn compare(tool: Peer, args: &[&str]) -> Pair {
    Pair {
        netsnmp: run_netsnmp(tool, args),
        vigie: run_vigie_equivalent(tool, args),
    }
}

/// Runs the Net-SNMP `tool` and its `vigie` equivalent with the same `args`, the Net-SNMP
/// tool started as a shell starts it (see [`run_as_shell`]), so that messages that begin
/// with the program's name (`snmpget: invalid option -- 'Q'`) can be compared too.
///
/// # Panics
///
/// As [`compare`] does.
pub fn compare_as_shell(tool: Peer, args: &[&str]) -> Pair {
    Pair {
        netsnmp: run_as_shell(tool, args),
        vigie: run_vigie_equivalent(tool, args),
    }
}

/// Runs the Net-SNMP `tool` with `-m ''` (no MIB) before `args`, in a fresh sandbox: the
/// reference side of [`compare`].
///
/// # Panics
///
/// When `tool` is not installed (call [`crate::require`] first), or as [`run`] does.
pub fn run_netsnmp(tool: Peer, args: &[&str]) -> Outcome {
    let mut netsnmp_args = vec!["-m", ""];
    netsnmp_args.extend_from_slice(args);
    run(&tool_path(tool), &netsnmp_args)
}

/// Runs the Net-SNMP `tool` with `args` as a shell would start it: `argv[0]` is the bare
/// program name, which Net-SNMP's messages begin with, and `args` are passed unchanged (the
/// sandbox's `MIBS=` still loads no MIB). The reference side of [`compare_as_shell`].
///
/// # Panics
///
/// When `tool` is not installed (call [`crate::require`] first), or as [`run`] does.
pub fn run_as_shell(tool: Peer, args: &[&str]) -> Outcome {
    spawn_in_sandbox(&tool_path(tool), Some(tool.program()), args)
}

/// Runs `program` with `args` to completion in a fresh sandbox and returns its outcome.
///
/// The sandbox makes Net-SNMP deterministic: no MIB (`MIBS=`), no user configuration
/// (`SNMPCONFPATH` is an empty directory, `HOME` a temporary one), a private
/// `SNMP_PERSISTENT_DIR`, and `LC_ALL=C` (Net-SNMP's choice between `STRING` and
/// `Hex-STRING` depends on `isprint`, which depends on the locale).
///
/// # Panics
///
/// When the program cannot be started, or when it runs longer than 30 s (it is killed
/// first): a hung tool is a failed test, not a hung test suite.
pub fn run(program: &Path, args: &[&str]) -> Outcome {
    spawn_in_sandbox(program, None, args)
}

/// The path of the built `vigie` binary.
///
/// In order: `$VIGIE_BIN`; `vigie` next to the running test's profile directory (this honours
/// `CARGO_TARGET_DIR` and the profile); `$CARGO_TARGET_DIR/debug/vigie`; the workspace's
/// `target/debug/vigie`.
///
/// # Panics
///
/// When none exists: run `cargo build -p vigie` first.
pub fn vigie_bin() -> PathBuf {
    if let Some(path) = env::var_os("VIGIE_BIN") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "VIGIE_BIN={} does not exist: run `cargo build -p vigie` first",
            path.display()
        );
        return path;
    }
    let candidates = vigie_candidates();
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| {
            let looked: Vec<String> = candidates
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            panic!(
                "the vigie binary is missing (looked in {}): run `cargo build -p vigie` first",
                looked.join(", ")
            )
        })
}

/// `text` up to its first `USAGE:`, followed by `USAGE`; `text` itself when it has none.
///
/// A usage message names the program and its version (`USAGE: snmpget [OPTIONS] …`), which
/// differ between Net-SNMP and vigie by design; what comes before it (the error) must not.
pub fn cut_usage(text: &str) -> String {
    match text.find(USAGE) {
        Some(at) => format!("{}USAGE", &text[..at]),
        None => text.to_owned(),
    }
}

/// Replaces every `Timeticks: (N) text` value with `Timeticks: (#) #`.
///
/// `sysUpTime` and similar clocks move between the Net-SNMP run and the vigie run; the
/// shape of the line is still compared.
pub fn mask_timeticks(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        match body.find(TIMETICKS) {
            Some(at) => {
                let end = at + TIMETICKS.len();
                masked.push_str(&body[..end]);
                masked.push_str("(#) #");
            }
            None => masked.push_str(body),
        }
        masked.push_str(newline);
    }
    masked
}

/// A throwaway directory tree that keeps Net-SNMP away from the user's and system's state.
#[derive(Debug)]
pub(crate) struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    /// Creates the tree: `conf/` (empty), `home/`, `persist/cert_indexes/`.
    ///
    /// `cert_indexes` is created here because Net-SNMP prints "Created directory: …" on
    /// stderr when it has to create it, which would pollute the compared stderr.
    pub(crate) fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("vigie-interop-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        for sub in ["conf", "home", "persist/cert_indexes"] {
            let path = dir.path().join(sub);
            fs::create_dir_all(&path)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        }
        Self { dir }
    }

    /// The sandbox's root directory.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The private persistent directory (`SNMP_PERSISTENT_DIR`).
    pub(crate) fn persist(&self) -> PathBuf {
        self.path().join("persist")
    }

    /// Sets the sandbox's environment on `command`.
    pub(crate) fn apply(&self, command: &mut Command) {
        command
            .env("MIBS", "")
            .env("SNMPCONFPATH", self.path().join("conf"))
            .env("HOME", self.path().join("home"))
            .env("SNMP_PERSISTENT_DIR", self.persist())
            .env("LC_ALL", "C")
            .env_remove("MIBDIRS")
            .env_remove("SNMP_TRANSPORT_SPEC");
    }
}

/// A peer's process, killed and reaped when dropped (by its handle, so by its PID).
#[derive(Debug)]
pub(crate) struct Daemon {
    child: Child,
}

impl Daemon {
    /// Starts `command`, which runs `program`.
    ///
    /// # Panics
    ///
    /// When it cannot be started.
    pub(crate) fn spawn(command: &mut Command, program: &Path) -> Self {
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        Self { child }
    }

    /// The process ID.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has exited already.
    pub(crate) fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // The peer may already have exited; either way it must be reaped.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `program` (named `argv0` when given) with `args` in a fresh sandbox, to completion.
fn spawn_in_sandbox(program: &Path, argv0: Option<&str>, args: &[&str]) -> Outcome {
    use std::os::unix::process::CommandExt as _;

    let sandbox = Sandbox::new();
    let mut command = Command::new(program);
    if let Some(name) = argv0 {
        command.arg0(name);
    }
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    sandbox.apply(&mut command);
    let line = command_line(program, args);
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{line}`: {e}"));
    wait_with_deadline(child, &line, RUN_DEADLINE)
}

/// The installed path of `tool`.
fn tool_path(tool: Peer) -> PathBuf {
    tool.path()
        .unwrap_or_else(|| panic!("{}", tool.missing_message()))
}

/// Runs `vigie <subcommand> args…`, the subcommand being `tool`'s equivalent.
fn run_vigie_equivalent(tool: Peer, args: &[&str]) -> Outcome {
    let subcommand = tool
        .vigie_subcommand()
        .unwrap_or_else(|| panic!("{} has no vigie equivalent", tool.program()));
    let mut vigie_args = vec![subcommand];
    vigie_args.extend_from_slice(args);
    run(&vigie_bin(), &vigie_args)
}

/// Waits for `child`, collecting its output, and kills it past `deadline`.
fn wait_with_deadline(mut child: Child, line: &str, deadline: Duration) -> Outcome {
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < deadline => thread::sleep(POLL_INTERVAL),
            Ok(None) => {
                // Best effort: the process may exit between the check and the kill.
                let _ = child.kill();
                let _ = child.wait();
                panic!("`{line}` did not finish within {deadline:?}; killed");
            }
            Err(e) => panic!("cannot wait for `{line}`: {e}"),
        }
    };
    Outcome {
        command: line.to_owned(),
        stdout: collect(stdout),
        stderr: collect(stderr),
        status: status.code(),
    }
}

/// Reads a pipe to its end on a thread, so that a full pipe never blocks the child.
fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        // A read error leaves what was read so far, which is what the comparison needs.
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Joins a [`drain`] thread and decodes its bytes.
fn collect(handle: Option<thread::JoinHandle<Vec<u8>>>) -> String {
    let bytes = handle
        .and_then(|handle| handle.join().ok())
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Where `vigie` may be, most specific first (see [`vigie_bin`]).
fn vigie_candidates() -> Vec<PathBuf> {
    let mut candidates = Vec::new();
    // A test binary lives in `<target>/<profile>/deps/`; `vigie` in `<target>/<profile>/`.
    if let Ok(exe) = env::current_exe() {
        if let Some(profile_dir) = exe.parent().and_then(Path::parent) {
            candidates.push(profile_dir.join(VIGIE));
        }
    }
    if let Some(target) = env::var_os("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(target).join("debug").join(VIGIE));
    }
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/debug")
            .join(VIGIE),
    );
    candidates
}

/// The first line where `reference` and `ours` differ, described for a failure message.
fn first_difference(reference: &str, ours: &str) -> Option<String> {
    if reference == ours {
        return None;
    }
    let mut left = reference.split_inclusive('\n');
    let mut right = ours.split_inclusive('\n');
    let mut number = 1;
    loop {
        match (left.next(), right.next()) {
            (Some(a), Some(b)) if a == b => number += 1,
            (a, b) => {
                return Some(format!(
                    "line {number}: Net-SNMP {:?}, vigie {:?}",
                    a.unwrap_or("<end of output>"),
                    b.unwrap_or("<end of output>")
                ));
            }
        }
    }
}

/// A shell-like rendering of a command line, for messages.
fn command_line(program: &Path, args: &[&str]) -> String {
    let name = program.file_name().map_or_else(
        || program.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let mut line = name;
    for arg in args {
        line.push(' ');
        if arg.is_empty() || arg.contains([' ', '"', '\'', '\\', '\t', '\n']) {
            line.push_str(&format!("{arg:?}"));
        } else {
            line.push_str(arg);
        }
    }
    line
}

/// Indents every line of `text` by four spaces.
fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest a single tool run may take.
const RUN_DEADLINE: Duration = Duration::from_secs(30);
/// How often a running child is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(5);
/// The binary's file name.
const VIGIE: &str = "vigie";
/// What starts Net-SNMP's usage text.
const USAGE: &str = "USAGE:";
/// The prefix Net-SNMP prints before a `TimeTicks` value.
const TIMETICKS: &str = "Timeticks: ";

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(stdout: &str, stderr: &str, status: Option<i32>) -> Outcome {
        Outcome {
            command: "x".to_owned(),
            stdout: stdout.to_owned(),
            stderr: stderr.to_owned(),
            status,
        }
    }

    #[test]
    fn masks_timeticks_and_keeps_other_lines() {
        let text = "iso.3.6.1.2.1.1.3.0 = Timeticks: (104) 0:00:01.04\n\
                    iso.3.6.1.2.1.1.5.0 = STRING: \"x\"\n\
                    Timeticks: (0) 0:00:00.00";
        assert_eq!(
            mask_timeticks(text),
            "iso.3.6.1.2.1.1.3.0 = Timeticks: (#) #\n\
             iso.3.6.1.2.1.1.5.0 = STRING: \"x\"\n\
             Timeticks: (#) #"
        );
    }

    #[test]
    fn identical_outcomes_have_no_difference() {
        let pair = Pair {
            netsnmp: outcome("a\nb\n", "", Some(0)),
            vigie: outcome("a\nb\n", "", Some(0)),
        };
        assert!(pair.differences().is_empty());
        pair.assert_same();
    }

    #[test]
    fn reports_first_differing_line_and_status() {
        let pair = Pair {
            netsnmp: outcome("a\nb\nc\n", "oops\n", Some(2)),
            vigie: outcome("a\nB\nc\n", "oops\n", Some(1)),
        };
        let found = pair.differences();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0], "exit status: Net-SNMP Some(2), vigie Some(1)");
        assert_eq!(found[1], r#"stdout: line 2: Net-SNMP "b\n", vigie "B\n""#);
    }

    #[test]
    fn reports_missing_trailing_lines() {
        let found = first_difference("a\nb\n", "a\n").unwrap();
        assert_eq!(found, r#"line 2: Net-SNMP "b\n", vigie "<end of output>""#);
        let found = first_difference("a\n", "a").unwrap();
        assert_eq!(found, r#"line 1: Net-SNMP "a\n", vigie "a""#);
    }

    #[test]
    #[should_panic(expected = "vigie differs from Net-SNMP")]
    fn assert_same_panics_on_difference() {
        let pair = Pair {
            netsnmp: outcome("", "Timeout\n", Some(1)),
            vigie: outcome("", "", Some(0)),
        };
        pair.assert_same();
    }

    #[test]
    fn run_captures_streams_status_and_sandbox_env() {
        let out = run(
            Path::new("/bin/sh"),
            &["-c", "echo \"[$MIBS]\" $LC_ALL; echo err >&2; exit 3"],
        );
        assert_eq!(out.stdout, "[] C\n");
        assert_eq!(out.stderr, "err\n");
        assert_eq!(out.status, Some(3));
        assert!(!out.success());
    }

    #[test]
    fn sandbox_precreates_cert_indexes() {
        let out = run(
            Path::new("/bin/sh"),
            &[
                "-c",
                "test -d \"$SNMP_PERSISTENT_DIR/cert_indexes\" && test -d \"$HOME\"",
            ],
        );
        assert!(out.success(), "{out}");
    }

    #[test]
    fn command_line_quotes_empty_and_spaced_arguments() {
        let line = command_line(Path::new("/usr/bin/snmpget"), &["-m", "", "a b", "-v2c"]);
        assert_eq!(line, r#"snmpget -m "" "a b" -v2c"#);
    }

    #[test]
    fn cut_usage_keeps_the_error_and_drops_the_usage_text() {
        assert_eq!(
            cut_usage("snmpget: invalid option -- 'Q'\nUSAGE: snmpget [OPTIONS]\n  -h\n"),
            "snmpget: invalid option -- 'Q'\nUSAGE"
        );
        assert_eq!(cut_usage("Timeout\n"), "Timeout\n");
        let pair = Pair {
            netsnmp: outcome("USAGE: x\n", "No OID\nUSAGE: snmpget\n", Some(1)),
            vigie: outcome("USAGE: x\n", "No OID\nUSAGE: vigie get\n", Some(1)),
        }
        .usage_cut();
        assert_eq!(pair.vigie.stderr, "No OID\nUSAGE");
        assert_eq!(pair.vigie.stdout, "USAGE: x\n");
        assert!(pair.differences().is_empty());
    }

    #[test]
    fn run_as_shell_names_the_program_by_its_name() {
        let Some(path) = Peer::Snmpget.path() else {
            return;
        };
        let out = run_as_shell(Peer::Snmpget, &["-Q"]);
        assert!(out.stderr.starts_with("snmpget: "), "{out}");
        let out = run(&path, &["-Q"]);
        assert!(
            out.stderr.starts_with(&format!("{}: ", path.display())),
            "{out}"
        );
    }

    #[test]
    fn masked_applies_to_both_streams() {
        let masked = outcome("X1\n", "X2\n", Some(0)).masked(|text| text.replace('X', "Y"));
        assert_eq!(masked.stdout, "Y1\n");
        assert_eq!(masked.stderr, "Y2\n");
    }
}
