//! `proxy [-Cn CONTEXTNAME] [SNMPCMD_ARGS] HOST OID [REMOTEOID]` (snmpd.conf(5)): a subtree
//! answered by another agent, through `vigie-net`'s client.

use std::future::Future;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use tokio::runtime::Handle;
use vigie_net::{Client, NetError, RequestError, Session};
use vigie_snmp::{ErrorStatus, Oid, Pdu, Value, VarBind};

use crate::extend::Log;
use crate::mib::{Mib, RequestCtx, SetError};

/// A subtree forwarded to another agent (v1, v2c or v3 on the far side, as its [`Session`]
/// says), its OIDs rewritten from `root` to `remote_root` and back.
///
/// GET answers the far agent's value (noSuchInstance when it has none, answers v1's
/// noSuchName, or does not answer in time); GETNEXT stays inside the subtree and ends it
/// when the far agent leaves it, has nothing more, or does not answer (snmpd skips a silent
/// proxy the same way); SET is forwarded one varbind at a time in the test phase, the far
/// agent's error-status answered (v1's noSuchName and readOnly as notWritable, badValue as
/// wrongValue, genErr as commitFailed). Values pass unchanged: the agent's SNMPv1 rules
/// (RFC 3584 §4.2.2.1) keep a far Counter64 from a v1 manager.
///
/// The handler blocks its caller until the answer comes: it must run on a blocking thread,
/// never on a thread of the runtime that drives the client.
pub struct Proxy {
    root: Oid,
    remote_root: Oid,
    client: Arc<Client>,
    runtime: Handle,
    /// The longest wait for an answer: every retransmission's timeout, and a margin.
    wait: Duration,
    log: Log,
}

impl Proxy {
    /// Opens the client for `session`; must be called within the tokio runtime that will
    /// drive it.
    pub async fn new(
        root: Oid,
        remote_root: Oid,
        session: Session,
        log: Log,
    ) -> Result<Self, NetError> {
        let tries = session.retries.saturating_add(1);
        let wait = session
            .timeout
            .saturating_mul(tries)
            .saturating_add(Duration::from_millis(500));
        let client = Client::new(session).await?;
        Ok(Self {
            root,
            remote_root,
            client: Arc::new(client),
            runtime: Handle::current(),
            wait,
            log,
        })
    }

    /// `oid` (inside `root`) as the far agent names it.
    fn to_remote(&self, oid: &Oid) -> Option<Oid> {
        let suffix = oid.suffix(&self.root)?;
        self.remote_root.extended(suffix).ok()
    }

    /// A far OID (inside `remote_root`) as this agent names it.
    fn to_local(&self, oid: &Oid) -> Option<Oid> {
        let suffix = oid.suffix(&self.remote_root)?;
        self.root.extended(suffix).ok()
    }

    /// Runs `request` on the runtime and waits for it; `None` (logged) when it fails or
    /// takes too long.
    fn call<F, Fut>(&self, what: &str, request: F) -> Option<Pdu>
    where
        F: FnOnce(Arc<Client>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Pdu, RequestError>> + Send + 'static,
    {
        let (sender, receiver) = mpsc::sync_channel(1);
        let client = Arc::clone(&self.client);
        self.runtime.spawn(async move {
            let _ = sender.send(request(client).await);
        });
        let failure = match receiver.recv_timeout(self.wait) {
            Ok(Ok(pdu)) => return Some(pdu),
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no answer within {:?}", self.wait),
        };
        (self.log)(&format!(
            "proxy .{} to {}: {what}: {failure}",
            self.root,
            self.client.session().target
        ));
        None
    }
}

impl Mib for Proxy {
    fn root(&self) -> &Oid {
        &self.root
    }

    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        self.try_get(ctx, oid).unwrap_or(Value::NoSuchInstance)
    }

    /// A far agent that does not answer fails the GET with genErr, as snmpd's proxy does.
    fn try_get(&self, _ctx: &RequestCtx, oid: &Oid) -> Result<Value, ErrorStatus> {
        let Some(remote) = self.to_remote(oid) else {
            return Ok(Value::NoSuchObject);
        };
        let pdu = self
            .call(
                "get",
                move |client| async move { client.get(&[remote]).await },
            )
            .ok_or(ErrorStatus::GenErr)?;
        if pdu.error_status != ErrorStatus::NoError {
            return Ok(Value::NoSuchInstance);
        }
        Ok(
            match pdu.varbinds.into_iter().next().map(|varbind| varbind.value) {
                Some(Value::EndOfMibView) | None => Value::NoSuchInstance,
                Some(value) => value,
            },
        )
    }

    fn get_next(&self, _ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        let remote = if oid.starts_with(&self.root) {
            self.to_remote(oid)?
        } else if *oid < self.root {
            self.remote_root.clone()
        } else {
            return None;
        };
        let pdu = self.call("getnext", move |client| async move {
            client.get_next(&[remote]).await
        })?;
        if pdu.error_status != ErrorStatus::NoError {
            return None;
        }
        let varbind = pdu.varbinds.into_iter().next()?;
        if matches!(
            varbind.value,
            Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance
        ) {
            return None;
        }
        // Outside the far subtree: the end of this one.
        let name = self.to_local(&varbind.name)?;
        (name > *oid).then_some(VarBind {
            name,
            value: varbind.value,
        })
    }

    fn test_set(&self, _ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        let name = self.to_remote(&varbind.name).ok_or(SetError::NotWritable)?;
        let forwarded = VarBind {
            name,
            value: varbind.value.clone(),
        };
        let pdu = self
            .call("set", move |client| async move {
                client.set(vec![forwarded]).await
            })
            .ok_or(SetError::CommitFailed)?;
        match pdu.error_status {
            ErrorStatus::NoError => Ok(()),
            status => Err(set_error(status)),
        }
    }

    fn commit_set(&self, _ctx: &RequestCtx, _varbind: &VarBind) -> Result<Value, SetError> {
        // Done in the test phase, so that the far agent's error is the one answered.
        Ok(Value::NoSuchInstance)
    }

    fn undo_set(&self, _ctx: &RequestCtx, _name: &Oid, _previous: &Value) -> Result<(), SetError> {
        // The far agent committed its own transaction; there is nothing left to undo here.
        Ok(())
    }
}

/// A far agent's SET error-status as this agent's (RFC 3584 §4.3 for the v1 ones).
fn set_error(status: ErrorStatus) -> SetError {
    match status {
        ErrorStatus::NoSuchName | ErrorStatus::ReadOnly | ErrorStatus::NotWritable => {
            SetError::NotWritable
        }
        ErrorStatus::BadValue | ErrorStatus::WrongValue => SetError::WrongValue,
        ErrorStatus::NoAccess | ErrorStatus::AuthorizationError => SetError::NoAccess,
        ErrorStatus::WrongType => SetError::WrongType,
        ErrorStatus::WrongLength => SetError::WrongLength,
        ErrorStatus::WrongEncoding => SetError::WrongEncoding,
        ErrorStatus::NoCreation => SetError::NoCreation,
        ErrorStatus::InconsistentValue => SetError::InconsistentValue,
        ErrorStatus::ResourceUnavailable => SetError::ResourceUnavailable,
        ErrorStatus::UndoFailed => SetError::UndoFailed,
        ErrorStatus::InconsistentName => SetError::InconsistentName,
        _ => SetError::CommitFailed,
    }
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The session holds the community or keys: only the address is shown.
        f.debug_struct("Proxy")
            .field("root", &self.root)
            .field("remote_root", &self.remote_root)
            .field("target", &self.client.session().target)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_far_set_errors() {
        assert_eq!(set_error(ErrorStatus::NoSuchName), SetError::NotWritable);
        assert_eq!(set_error(ErrorStatus::BadValue), SetError::WrongValue);
        assert_eq!(set_error(ErrorStatus::GenErr), SetError::CommitFailed);
        assert_eq!(set_error(ErrorStatus::WrongType), SetError::WrongType);
    }
}
