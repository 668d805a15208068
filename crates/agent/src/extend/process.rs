//! One program run with a deadline: standard output read up to a bound, standard error
//! discarded, the whole process group killed when the deadline passes, the child always
//! reaped.

use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::Program;

/// A program that ran to its end (or to its output bound).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// What it wrote on its standard output, at most the bound given to [`run`].
    pub stdout: Vec<u8>,
    /// Its exit code; `None` when a signal ended it (or it was killed for writing too much).
    pub code: Option<i32>,
    /// It wrote more than the bound: the rest was not read and the program was killed.
    pub truncated: bool,
}

/// Why a program gave no result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// It could not be started (missing, not executable, no more processes).
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program, as configured.
        program: String,
        /// The system's reason.
        #[source]
        source: io::Error,
    },
    /// It did not finish within its timeout and was killed.
    #[error("{program} did not answer within {timeout:?} and was killed")]
    Timeout {
        /// The program, as configured.
        program: String,
        /// The timeout it exceeded.
        timeout: Duration,
    },
}

/// Runs `program` with standard input closed, standard error discarded and standard output
/// read up to `limit` bytes, for at most `timeout`: on time out the program's process group
/// is killed. The child is reaped in every case.
pub fn run(program: &Program, timeout: Duration, limit: usize) -> Result<Finished, RunError> {
    let deadline = Instant::now() + timeout;
    let mut child = spawn(program, Stdio::null()).map_err(|source| RunError::Spawn {
        program: program.to_string(),
        source,
    })?;
    let Some(stdout) = child.stdout.take() else {
        kill_and_reap(&mut child);
        return Err(RunError::Spawn {
            program: program.to_string(),
            source: io::Error::other("no standard output"),
        });
    };
    // The read runs on its own thread so that the wait for it can have a deadline; it ends at
    // end of file, which the kill below brings about at the latest.
    let (sender, receiver) = mpsc::sync_channel(1);
    let bound = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = stdout.take(bound).read_to_end(&mut buffer);
        let _ = sender.send(buffer);
    });
    let timed_out = || RunError::Timeout {
        program: program.to_string(),
        timeout,
    };
    let Ok(mut stdout) = receiver.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    else {
        kill_and_reap(&mut child);
        return Err(timed_out());
    };
    let truncated = stdout.len() > limit;
    if truncated {
        stdout.truncate(limit);
        kill_and_reap(&mut child);
        return Ok(Finished {
            stdout,
            code: None,
            truncated,
        });
    }
    match wait_until(&mut child, deadline) {
        Some(status) => Ok(Finished {
            stdout,
            code: status.code(),
            truncated,
        }),
        None => {
            kill_and_reap(&mut child);
            Err(timed_out())
        }
    }
}

/// Starts `program` in a process group of its own (so that a kill reaches what it started),
/// standard output piped, standard error discarded.
pub(crate) fn spawn(program: &Program, stdin: Stdio) -> io::Result<Child> {
    let (name, args) = program
        .argv()
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
    Command::new(name)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
}

/// Waits for `child` to exit until `deadline`; `None` if it is still running then.
pub(crate) fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    let mut pause = Duration::from_micros(200);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => {}
            // ECHILD: someone else reaped it; nothing more to wait for.
            Err(_) => return None,
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// Kills `child`'s process group (the child and whatever it started) and reaps the child.
pub(crate) fn kill_and_reap(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // The group is the child's own (`process_group(0)`); if it is already gone the
        // kill fails harmlessly.
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Program {
        Program::new(vec!["/bin/sh".into(), "-c".into(), script.into()]).unwrap()
    }

    #[test]
    fn reads_output_and_exit_code() {
        let done = run(
            &sh("echo hello; echo oops >&2; exit 3"),
            Duration::from_secs(5),
            100,
        )
        .unwrap();
        assert_eq!(done.stdout, b"hello\n");
        assert_eq!(done.code, Some(3));
        assert!(!done.truncated);
    }

    #[test]
    fn kills_a_program_past_its_timeout_with_what_it_started() {
        let started = Instant::now();
        let error = run(
            &sh("sleep 30 & sleep 30; echo never"),
            Duration::from_millis(200),
            100,
        )
        .unwrap_err();
        assert!(matches!(error, RunError::Timeout { .. }), "{error}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn bounds_the_output() {
        let done = run(&sh("yes garbage"), Duration::from_secs(5), 1000).unwrap();
        assert_eq!(done.stdout.len(), 1000);
        assert!(done.truncated);
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let program = Program::new(vec!["/nonexistent/program".into()]).unwrap();
        let error = run(&program, Duration::from_secs(1), 10).unwrap_err();
        assert!(matches!(error, RunError::Spawn { .. }), "{error}");
    }
}
