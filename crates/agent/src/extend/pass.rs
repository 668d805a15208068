//! `pass [-p priority] MIBOID PROG` (snmpd.conf(5)): one process per request.

use std::time::Duration;

use vigie_snmp::{Oid, Value, VarBind};

use super::process::run;
use super::protocol::{dotted, parse_reply, set_outcome, set_words};
use super::{Log, Program};
use crate::mib::{Mib, RequestCtx, SetError};

/// The most a `pass` script may print; snmpd reads three lines of at most 4 KiB each.
const OUTPUT_LIMIT: usize = 3 * 4096;

/// A subtree served by running `PROG -g OID` (GET), `PROG -n OID` (GETNEXT) and
/// `PROG -s OID TYPE VALUE` (SET) for each varbind.
///
/// A script that prints `NONE`, nothing, or something unreadable gives no instance
/// (noSuchInstance for GET, the next subtree for GETNEXT), as in snmpd; one that outlives
/// its timeout is killed, logged and answered the same way. Its standard error is discarded.
/// SET runs the script in the test phase, so that its error word (`wrong-value`, …) is the
/// status the manager sees, as with snmpd; a pass SET cannot be undone.
pub struct Pass {
    root: Oid,
    program: Program,
    timeout: Duration,
    log: Log,
}

impl Pass {
    /// `program` serving `root`, each run limited to `timeout`.
    pub fn new(root: Oid, program: Program, timeout: Duration, log: Log) -> Self {
        Self {
            root,
            program,
            timeout,
            log,
        }
    }

    /// Runs the script with `args` and returns what it printed, `None` after logging why when
    /// it failed.
    fn ask(&self, args: &[String]) -> Option<String> {
        match run(
            &self.program.with_args(args.iter().cloned()),
            self.timeout,
            OUTPUT_LIMIT,
        ) {
            Ok(done) => Some(String::from_utf8_lossy(&done.stdout).into_owned()),
            Err(error) => {
                (self.log)(&format!("pass {}: {error}", dotted(&self.root)));
                None
            }
        }
    }
}

impl Mib for Pass {
    fn root(&self) -> &Oid {
        &self.root
    }

    fn get(&self, _ctx: &RequestCtx, oid: &Oid) -> Value {
        self.ask(&["-g".to_owned(), dotted(oid)])
            .and_then(|reply| parse_reply(&reply))
            .map_or(Value::NoSuchInstance, |varbind| varbind.value)
    }

    fn get_next(&self, _ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        // Before the subtree, snmpd asks from its root.
        let from = if *oid < self.root { &self.root } else { oid };
        let reply = self.ask(&["-n".to_owned(), dotted(from)])?;
        parse_reply(&reply).filter(|varbind| varbind.name > *oid)
    }

    fn test_set(&self, _ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        let (kind, value) = set_words(&varbind.value).ok_or(SetError::WrongType)?;
        let reply = self
            .ask(&[
                "-s".to_owned(),
                dotted(&varbind.name),
                kind.to_owned(),
                value,
            ])
            .ok_or(SetError::CommitFailed)?;
        set_outcome(&reply)
    }

    fn commit_set(&self, _ctx: &RequestCtx, _varbind: &VarBind) -> Result<Value, SetError> {
        // Done in the test phase.
        Ok(Value::NoSuchInstance)
    }

    fn undo_set(&self, _ctx: &RequestCtx, _name: &Oid, _previous: &Value) -> Result<(), SetError> {
        // A script's change cannot be taken back; snmpd does not try either.
        Ok(())
    }
}

impl std::fmt::Debug for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pass")
            .field("root", &self.root)
            .field("program", &self.program)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Instant;

    use bytes::Bytes;
    use vigie_snmp::Version;

    use super::*;
    use crate::extend::silent;

    const SCRIPT: &str = r#"
case "$1" in
-g) case "$2" in
    .1.3.6.1.4.1.99999.1.0) printf '.1.3.6.1.4.1.99999.1.0\ninteger\n42\n';;
    .1.3.6.1.4.1.99999.9.0) sleep 30;;
    *) echo NONE;;
    esac;;
-n) case "$2" in
    .1.3.6.1.4.1.99999) printf '.1.3.6.1.4.1.99999.1.0\ninteger\n42\n';;
    .1.3.6.1.4.1.99999.1.0) printf '.1.3.6.1.4.1.99999.2.0\nstring\nhello world\n'; echo noise >&2;;
    *) echo NONE;;
    esac;;
-s) [ "$4" = bad ] && echo wrong-value;;
esac
"#;

    fn pass(timeout: Duration) -> Pass {
        let program = Program::new(vec![
            "/bin/sh".into(),
            "-c".into(),
            SCRIPT.into(),
            "pass".into(),
        ])
        .unwrap();
        Pass::new(
            "1.3.6.1.4.1.99999".parse().unwrap(),
            program,
            timeout,
            silent(),
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

    #[test]
    fn gets_and_walks_through_the_script() {
        let pass = pass(Duration::from_secs(5));
        assert_eq!(
            pass.get(&ctx(), &oid("1.3.6.1.4.1.99999.1.0")),
            Value::Integer(42)
        );
        assert_eq!(
            pass.get(&ctx(), &oid("1.3.6.1.4.1.99999.3.0")),
            Value::NoSuchInstance
        );
        let first = pass.get_next(&ctx(), &oid("1.3.6.1.4.1")).unwrap();
        assert_eq!(first.name, oid("1.3.6.1.4.1.99999.1.0"));
        let second = pass.get_next(&ctx(), &first.name).unwrap();
        assert_eq!(
            second.value,
            Value::OctetString(Bytes::from_static(b"hello world"))
        );
        assert_eq!(pass.get_next(&ctx(), &second.name), None);
    }

    #[test]
    fn a_hung_script_is_killed_and_answers_no_instance() {
        let pass = pass(Duration::from_millis(300));
        let started = Instant::now();
        assert_eq!(
            pass.get(&ctx(), &oid("1.3.6.1.4.1.99999.9.0")),
            Value::NoSuchInstance
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn sets_report_the_script_s_error() {
        let pass = pass(Duration::from_secs(5));
        let name = oid("1.3.6.1.4.1.99999.1.0");
        let good = VarBind {
            name: name.clone(),
            value: Value::OctetString(Bytes::from_static(b"fine")),
        };
        assert_eq!(pass.test_set(&ctx(), &good), Ok(()));
        let bad = VarBind {
            name: name.clone(),
            value: Value::OctetString(Bytes::from_static(b"bad")),
        };
        assert_eq!(pass.test_set(&ctx(), &bad), Err(SetError::WrongValue));
        let wide = VarBind {
            name,
            value: Value::Counter64(1),
        };
        assert_eq!(pass.test_set(&ctx(), &wide), Err(SetError::WrongType));
    }
}
