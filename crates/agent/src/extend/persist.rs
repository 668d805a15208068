//! `pass_persist MIBOID PROG` (snmpd.conf(5)): one long-running child per registration.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use vigie_snmp::{Oid, Value, VarBind};

use super::process::{kill_and_reap, spawn};
use super::protocol::{dotted, parse_oid, parse_value, set_line, set_outcome};
use super::{Log, Program};
use crate::mib::{Mib, RequestCtx, SetError};

/// The longest line read from the child; a longer one is garbage and the child restarted.
const MAX_LINE: usize = 4096;
/// Lines the child may have written ahead of being asked, at most.
const QUEUED_LINES: usize = 8;
/// Restarts no closer together than this: a script that dies at once is not run in a loop.
const RESTART_PAUSE: Duration = Duration::from_secs(1);

/// A subtree served by one long-running child, as snmpd's `pass_persist`: started with a
/// `PING` it must answer `PONG`, then asked `get\nOID\n`, `getnext\nOID\n` or
/// `set\nOID\nTYPE VALUE\n`, and answering in the `pass` protocol.
///
/// Requests are serialised on the child. A child that dies, answers garbage, writes a line
/// longer than 4 KiB or does not answer within the timeout is killed (with its process
/// group), reaped, logged and started again at the next request (at most once a second);
/// the request it failed is answered as if the script had said `NONE`. A SET first asks
/// for the instance and answers notWritable when the script has none, as snmpd does.
pub struct PassPersist {
    root: Oid,
    program: Program,
    timeout: Duration,
    log: Log,
    child: Mutex<Slot>,
}

/// The child, when one runs, and when the last one was started.
#[derive(Default)]
struct Slot {
    running: Option<Running>,
    started: Option<Instant>,
}

/// A started child: its input, and its output as lines from a reader thread.
struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Line>,
}

/// One line of the child's output.
enum Line {
    /// A line, without its newline.
    Text(String),
    /// A line longer than [`MAX_LINE`].
    TooLong,
}

/// Why an exchange with the child failed.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("cannot start it: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("it was restarted less than {RESTART_PAUSE:?} ago")]
    Pausing,
    #[error("it did not answer PING with PONG")]
    NoPong,
    #[error("it did not answer within {0:?}")]
    Timeout(Duration),
    #[error("it exited")]
    Exited,
    #[error("it wrote a line longer than {MAX_LINE} bytes")]
    TooLong,
    #[error("it answered an unreadable OID: {0:?}")]
    Garbage(String),
    #[error("cannot write to it: {0}")]
    Write(#[source] std::io::Error),
}

impl PassPersist {
    /// `program` serving `root`, each answer awaited at most `timeout`. The child is started
    /// at the first request.
    pub fn new(root: Oid, program: Program, timeout: Duration, log: Log) -> Self {
        Self {
            root,
            program,
            timeout,
            log,
            child: Mutex::new(Slot::default()),
        }
    }

    /// Sends `request` and reads the answer with `read`; on failure the child is stopped and
    /// the failure logged.
    fn exchange<T>(
        &self,
        request: &str,
        read: impl FnOnce(&mut dyn FnMut() -> Result<String, Failure>) -> Result<T, Failure>,
    ) -> Option<T> {
        let mut slot = self.child.lock().unwrap_or_else(PoisonError::into_inner);
        let outcome = self.ensure_running(&mut slot).and_then(|running| {
            running
                .stdin
                .write_all(request.as_bytes())
                .and_then(|()| running.stdin.flush())
                .map_err(Failure::Write)?;
            let deadline = Instant::now() + self.timeout;
            let mut next = || next_line(&running.lines, deadline, self.timeout);
            read(&mut next)
        });
        match outcome {
            Ok(value) => Some(value),
            Err(Failure::Pausing) => None,
            Err(failure) => {
                if let Some(mut running) = slot.running.take() {
                    kill_and_reap(&mut running.child);
                }
                (self.log)(&format!(
                    "pass_persist {} ({}): {failure}; restarting it",
                    dotted(&self.root),
                    self.program
                ));
                None
            }
        }
    }

    /// The running child, asked `PING` before each request as snmpd does, or started
    /// (with its own `PING`) when there is none or it did not answer `PONG`.
    fn ensure_running<'a>(&self, slot: &'a mut Slot) -> Result<&'a mut Running, Failure> {
        if let Some(running) = &mut slot.running {
            // A child that exited or stopped answering since the last request is restarted
            // now, and this request goes to the new one.
            let failure = if running.child.try_wait().ok().flatten().is_some() {
                Some("it exited")
            } else if ping(running, self.timeout).is_err() {
                Some("it did not answer PING with PONG")
            } else {
                None
            };
            if let Some(failure) = failure {
                if let Some(mut dead) = slot.running.take() {
                    kill_and_reap(&mut dead.child);
                }
                (self.log)(&format!(
                    "pass_persist {} ({}): {failure}; restarting it",
                    dotted(&self.root),
                    self.program
                ));
            }
        }
        if slot.running.is_none() {
            if slot
                .started
                .is_some_and(|started| started.elapsed() < RESTART_PAUSE)
            {
                return Err(Failure::Pausing);
            }
            slot.started = Some(Instant::now());
            let mut running = start(&self.program)?;
            if let Err(failure) = ping(&mut running, self.timeout) {
                kill_and_reap(&mut running.child);
                return Err(failure);
            }
            slot.running = Some(running);
        }
        slot.running.as_mut().ok_or(Failure::Exited)
    }

    /// `get` or `getnext` of `oid`: the varbind the child names, `None` for `NONE`.
    fn ask(&self, command: &str, oid: &Oid) -> Option<VarBind> {
        let request = format!("{command}\n{}\n", dotted(oid));
        self.exchange(&request, |next| {
            let first = next()?;
            let first = first.trim();
            if first.is_empty() || first.eq_ignore_ascii_case("NONE") {
                return Ok(None);
            }
            let name = parse_oid(first).ok_or_else(|| Failure::Garbage(first.to_owned()))?;
            let kind = next()?;
            let value = next()?;
            Ok(parse_value(kind.trim(), &value).map(|value| VarBind { name, value }))
        })
        .flatten()
    }
}

/// Writes `PING` and waits up to `timeout` for `PONG`.
fn ping(running: &mut Running, timeout: Duration) -> Result<(), Failure> {
    let deadline = Instant::now() + timeout;
    let line = running
        .stdin
        .write_all(b"PING\n")
        .and_then(|()| running.stdin.flush())
        .map_err(Failure::Write)
        .and_then(|()| next_line(&running.lines, deadline, timeout))
        .map_err(|_| Failure::NoPong)?;
    if line.trim_end() == "PONG" {
        Ok(())
    } else {
        Err(Failure::NoPong)
    }
}

/// Starts the child with piped input and output and a reader thread for its lines.
fn start(program: &Program) -> Result<Running, Failure> {
    let mut child = spawn(program, Stdio::piped()).map_err(Failure::Spawn)?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        kill_and_reap(&mut child);
        return Err(Failure::Exited);
    };
    let (sender, lines) = mpsc::sync_channel(QUEUED_LINES);
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut line = Vec::new();
            // One byte more than allowed tells a long line from one of the maximal length.
            let limit = u64::try_from(MAX_LINE + 1).unwrap_or(u64::MAX);
            match reader.by_ref().take(limit).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let message = if line.len() > MAX_LINE && line.last() != Some(&b'\n') {
                Line::TooLong
            } else {
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                Line::Text(String::from_utf8_lossy(&line).into_owned())
            };
            let too_long = matches!(message, Line::TooLong);
            // The agent stopped listening (the child is being replaced): stop reading.
            if sender.send(message).is_err() || too_long {
                return;
            }
        }
    });
    Ok(Running {
        child,
        stdin,
        lines,
    })
}

/// The next line of output, waiting until `deadline`.
fn next_line(
    lines: &Receiver<Line>,
    deadline: Instant,
    timeout: Duration,
) -> Result<String, Failure> {
    match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Line::Text(text)) => Ok(text),
        Ok(Line::TooLong) => Err(Failure::TooLong),
        Err(RecvTimeoutError::Timeout) => Err(Failure::Timeout(timeout)),
        Err(RecvTimeoutError::Disconnected) => Err(Failure::Exited),
    }
}

impl Mib for PassPersist {
    fn root(&self) -> &Oid {
        &self.root
    }

    fn get(&self, _ctx: &RequestCtx, oid: &Oid) -> Value {
        self.ask("get", oid)
            .map_or(Value::NoSuchInstance, |varbind| varbind.value)
    }

    fn get_next(&self, _ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        let from = if *oid < self.root { &self.root } else { oid };
        self.ask("getnext", from)
            .filter(|varbind| varbind.name > *oid)
    }

    fn test_set(&self, _ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        let line = set_line(&varbind.value).ok_or(SetError::WrongType)?;
        // snmpd asks for the instance first and refuses to set one the script does not have.
        if self.ask("get", &varbind.name).is_none() {
            return Err(SetError::NotWritable);
        }
        let request = format!("set\n{}\n{line}\n", dotted(&varbind.name));
        let reply = self
            .exchange(&request, |next| next())
            .ok_or(SetError::CommitFailed)?;
        set_outcome(&reply)
    }

    fn commit_set(&self, _ctx: &RequestCtx, _varbind: &VarBind) -> Result<Value, SetError> {
        // Done in the test phase, so that the script's error is the one answered.
        Ok(Value::NoSuchInstance)
    }

    fn undo_set(&self, _ctx: &RequestCtx, _name: &Oid, _previous: &Value) -> Result<(), SetError> {
        // A script's change cannot be taken back; snmpd does not try either.
        Ok(())
    }
}

impl Drop for PassPersist {
    fn drop(&mut self) {
        let slot = self.child.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(mut running) = slot.running.take() {
            kill_and_reap(&mut running.child);
        }
    }
}

impl std::fmt::Debug for PassPersist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassPersist")
            .field("root", &self.root)
            .field("program", &self.program)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use bytes::Bytes;
    use vigie_snmp::Version;

    use super::*;

    const SCRIPT: &str = r#"
while read -r cmd; do
  case "$cmd" in
  PING) echo PONG;;
  get) read -r oid
       if [ "$oid" = .1.3.6.1.4.1.99998.1.0 ]; then printf '%s\ninteger\n7\n' "$oid";
       elif [ "$oid" = .1.3.6.1.4.1.99998.8.0 ]; then head -c 10000 /dev/zero | tr '\0' x; echo;
       elif [ "$oid" = .1.3.6.1.4.1.99998.9.0 ]; then sleep 30;
       elif [ "$oid" = .1.3.6.1.4.1.99998.7.0 ]; then exit 1;
       else echo NONE; fi;;
  getnext) read -r oid
       case "$oid" in
       .1.3.6.1.4.1.99998) printf '.1.3.6.1.4.1.99998.1.0\ninteger\n7\n';;
       .1.3.6.1.4.1.99998.1.0) printf '.1.3.6.1.4.1.99998.2.0\ncounter64\n12345678901\n';;
       *) echo NONE;;
       esac;;
  set) read -r oid; read -r value
       case "$value" in *bad*) echo wrong-value;; *) echo DONE;; esac;;
  esac
done
"#;

    fn persist(log: Log) -> PassPersist {
        let program = Program::new(vec!["/bin/sh".into(), "-c".into(), SCRIPT.into()]).unwrap();
        PassPersist::new(
            "1.3.6.1.4.1.99998".parse().unwrap(),
            program,
            Duration::from_millis(500),
            log,
        )
    }

    fn ctx() -> RequestCtx {
        RequestCtx {
            now: Instant::now(),
            version: Version::V2c,
            from: SocketAddr::from(([127, 0, 0, 1], 1)),
        }
    }

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    fn recording() -> (Log, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let log: Log = Arc::new(move |line: &str| sink.lock().unwrap().push(line.to_owned()));
        (log, lines)
    }

    #[test]
    fn walks_and_gets_through_one_child() {
        let (log, lines) = recording();
        let persist = persist(log);
        let first = persist.get_next(&ctx(), &oid("1.3.6.1.4")).unwrap();
        assert_eq!(first.name, oid("1.3.6.1.4.1.99998.1.0"));
        let second = persist.get_next(&ctx(), &first.name).unwrap();
        assert_eq!(second.value, Value::Counter64(12_345_678_901));
        assert_eq!(persist.get_next(&ctx(), &second.name), None);
        assert_eq!(persist.get(&ctx(), &first.name), Value::Integer(7));
        assert!(lines.lock().unwrap().is_empty(), "{lines:?}");
    }

    #[test]
    fn a_hung_or_garbage_writing_child_is_restarted() {
        let (log, lines) = recording();
        let persist = persist(log);
        let started = Instant::now();
        assert_eq!(
            persist.get(&ctx(), &oid("1.3.6.1.4.1.99998.9.0")),
            Value::NoSuchInstance
        );
        assert!(started.elapsed() < Duration::from_secs(3));
        thread::sleep(RESTART_PAUSE);
        assert_eq!(
            persist.get(&ctx(), &oid("1.3.6.1.4.1.99998.8.0")),
            Value::NoSuchInstance
        );
        thread::sleep(RESTART_PAUSE);
        assert_eq!(
            persist.get(&ctx(), &oid("1.3.6.1.4.1.99998.7.0")),
            Value::NoSuchInstance
        );
        thread::sleep(RESTART_PAUSE);
        assert_eq!(
            persist.get(&ctx(), &oid("1.3.6.1.4.1.99998.1.0")),
            Value::Integer(7)
        );
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].contains("did not answer within"), "{lines:?}");
        assert!(lines[1].contains("longer than"), "{lines:?}");
        assert!(lines[2].contains("exited"), "{lines:?}");
    }

    #[test]
    fn every_request_is_preceded_by_a_ping() {
        // PONG to the first PING only: the second request finds it unresponsive, restarts
        // it, and is answered by the new child (after the restart pause).
        let script = r#"pinged=0
while read -r line; do
  case "$line" in
  PING) pinged=$((pinged + 1)); if [ "$pinged" -le 1 ]; then echo PONG; else echo BUSY; fi;;
  get) read -r oid; printf '%s\nstring\nchild-%s\n' "$oid" "$$";;
  esac
done
"#;
        let (log, lines) = recording();
        let program = Program::new(vec!["/bin/sh".into(), "-c".into(), script.into()]).unwrap();
        let persist = PassPersist::new(
            "1.3.6.1.4.1.99998".parse().unwrap(),
            program,
            Duration::from_millis(500),
            log,
        );
        let name = oid("1.3.6.1.4.1.99998.1.0");
        let first = persist.get(&ctx(), &name);
        assert!(matches!(first, Value::OctetString(_)), "{first:?}");
        thread::sleep(RESTART_PAUSE);
        let second = persist.get(&ctx(), &name);
        assert!(matches!(second, Value::OctetString(_)), "{second:?}");
        assert_ne!(
            first, second,
            "the same child answered after failing its PING"
        );
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("did not answer PING with PONG; restarting it"),
            "{lines:?}"
        );
    }

    #[test]
    fn sets_go_through_the_child() {
        let persist = persist(super::super::silent());
        let name = oid("1.3.6.1.4.1.99998.1.0");
        let set = |text: &'static [u8]| {
            persist.test_set(
                &ctx(),
                &VarBind {
                    name: name.clone(),
                    value: Value::OctetString(Bytes::from_static(text)),
                },
            )
        };
        assert_eq!(set(b"fine"), Ok(()));
        assert_eq!(set(b"bad"), Err(SetError::WrongValue));
        let missing = VarBind {
            name: oid("1.3.6.1.4.1.99998.5.0"),
            value: Value::Integer(1),
        };
        assert_eq!(
            persist.test_set(&ctx(), &missing),
            Err(SetError::NotWritable)
        );
    }
}
