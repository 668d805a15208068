//! A group of scalar objects, each served at `root.arc.0` (RFC 2578 §7.7: a scalar's only
//! instance has the sub-identifier 0).

use std::fmt;

use vigie_snmp::{Oid, Value, VarBind};

use crate::mib::{Mib, RequestCtx, SetError};

/// Scalars under one root, served from closures.
///
/// ```
/// use vigie_agent::mib::{Scalar, ScalarGroup};
/// use vigie_snmp::Value;
///
/// // sysServices.0 = 72, as SNMPv2-MIB's system group serves it.
/// let group = ScalarGroup::new(
///     "1.3.6.1.2.1.1".parse().unwrap(),
///     vec![Scalar::constant(7, Value::Integer(72))],
/// );
/// ```
pub struct ScalarGroup {
    root: Oid,
    scalars: Vec<Scalar>,
}

impl ScalarGroup {
    /// A group of `scalars` under `root`, sorted by arc; of two scalars with the same arc the
    /// last one given wins.
    pub fn new(root: Oid, mut scalars: Vec<Scalar>) -> Self {
        // A stable sort keeps the order given among equal arcs, so `dedup` can keep the last.
        scalars.sort_by_key(|scalar| scalar.arc);
        scalars.reverse();
        scalars.dedup_by_key(|scalar| scalar.arc);
        scalars.reverse();
        Self { root, scalars }
    }

    /// The scalar `oid` names, and whether `oid` is its instance (`arc.0`).
    fn find(&self, oid: &Oid) -> Option<(&Scalar, bool)> {
        let suffix = oid.suffix(&self.root)?;
        let (&arc, rest) = suffix.split_first()?;
        let position = self
            .scalars
            .binary_search_by_key(&arc, |scalar| scalar.arc)
            .ok()?;
        let scalar = self.scalars.get(position)?;
        Some((scalar, rest == [0]))
    }
}

impl Mib for ScalarGroup {
    fn root(&self) -> &Oid {
        &self.root
    }

    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        match self.find(oid) {
            Some((scalar, true)) => (scalar.read)(ctx),
            Some((_, false)) => Value::NoSuchInstance,
            None => Value::NoSuchObject,
        }
    }

    fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        // The first scalar whose instance `arc.0` may follow `oid`, found by bisection: a
        // walk of a large group, or one that only passes through it, does not build every
        // instance OID before it.
        let start = match oid.suffix(&self.root) {
            // `root.arc` itself comes before `root.arc.0`; `root.arc.x…` after it.
            Some([arc, rest @ ..]) => self.scalars.partition_point(|scalar| {
                scalar.arc < *arc || (scalar.arc == *arc && !rest.is_empty())
            }),
            Some([]) => 0,
            None if *oid < self.root => 0,
            None => return None,
        };
        for scalar in self.scalars.get(start..).unwrap_or_default() {
            let Ok(instance) = self.root.extended(&[scalar.arc, 0]) else {
                continue;
            };
            if instance <= *oid {
                continue;
            }
            let value = (scalar.read)(ctx);
            // A scalar may be absent at times (its reader answers an exception): skip it.
            if value.is_exception() {
                continue;
            }
            return Some(VarBind {
                name: instance,
                value,
            });
        }
        None
    }

    fn test_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        let _ = ctx;
        let Some((scalar, instance)) = self.find(&varbind.name) else {
            return Err(SetError::NotWritable);
        };
        let Some(write) = &scalar.write else {
            return Err(SetError::NotWritable);
        };
        if !instance {
            return Err(SetError::NoCreation);
        }
        (write.check)(&varbind.value)
    }

    fn commit_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<Value, SetError> {
        let Some((scalar, true)) = self.find(&varbind.name) else {
            return Err(SetError::CommitFailed);
        };
        let Some(write) = &scalar.write else {
            return Err(SetError::CommitFailed);
        };
        let previous = (scalar.read)(ctx);
        (write.store)(&varbind.value)?;
        Ok(previous)
    }

    fn undo_set(&self, ctx: &RequestCtx, name: &Oid, previous: &Value) -> Result<(), SetError> {
        let _ = ctx;
        let Some((scalar, true)) = self.find(name) else {
            return Err(SetError::UndoFailed);
        };
        let Some(write) = &scalar.write else {
            return Err(SetError::UndoFailed);
        };
        (write.store)(previous).map_err(|_| SetError::UndoFailed)
    }
}

impl fmt::Debug for ScalarGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScalarGroup")
            .field("root", &self.root)
            .field("scalars", &self.scalars)
            .finish()
    }
}

/// Reads a scalar's value at request time.
type Reader = Box<dyn Fn(&RequestCtx) -> Value + Send + Sync>;
/// Checks or stores a value written to a scalar.
type ValueFn = Box<dyn Fn(&Value) -> Result<(), SetError> + Send + Sync>;

/// One scalar object of a [`ScalarGroup`]: its arc under the group's root and how to read
/// (and, if writable, check and store) its value.
pub struct Scalar {
    arc: u32,
    read: Reader,
    write: Option<Write>,
}

struct Write {
    check: ValueFn,
    store: ValueFn,
}

impl Scalar {
    /// A read-only scalar whose value `read` computes at each request. `read` may answer
    /// `NoSuchInstance` when the value is unavailable: GET then says so and GETNEXT skips it.
    pub fn new(arc: u32, read: impl Fn(&RequestCtx) -> Value + Send + Sync + 'static) -> Self {
        Self {
            arc,
            read: Box::new(read),
            write: None,
        }
    }

    /// A read-only scalar with a fixed value.
    pub fn constant(arc: u32, value: Value) -> Self {
        Self::new(arc, move |_| value.clone())
    }

    /// Makes this scalar writable: `check` validates a value without side effect (and
    /// answers `wrongType`, `wrongLength`, `wrongValue`…), `store` assigns it. `store` also
    /// puts back the previous value when another varbind of the same SET fails (RFC 3416
    /// §4.2.5), so it must accept every value `read` returns.
    pub fn writable(
        mut self,
        check: impl Fn(&Value) -> Result<(), SetError> + Send + Sync + 'static,
        store: impl Fn(&Value) -> Result<(), SetError> + Send + Sync + 'static,
    ) -> Self {
        self.write = Some(Write {
            check: Box::new(check),
            store: Box::new(store),
        });
        self
    }

    /// The scalar's arc under its group's root.
    pub fn arc(&self) -> u32 {
        self.arc
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scalar")
            .field("arc", &self.arc)
            .field("writable", &self.write.is_some())
            .finish()
    }
}

/// A `check` for DisplayString objects (RFC 2579): an OCTET STRING of at most `max` octets.
pub fn check_display_string(value: &Value, max: usize) -> Result<(), SetError> {
    let Value::OctetString(bytes) = value else {
        return Err(SetError::WrongType);
    };
    if bytes.len() > max {
        return Err(SetError::WrongLength);
    }
    // DisplayString is NVT ASCII: Net-SNMP accepts any octet below 0x80, and so do we.
    if bytes.iter().any(|&octet| octet >= 0x80) {
        return Err(SetError::WrongValue);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use vigie_snmp::Version;

    use super::*;

    fn ctx() -> RequestCtx {
        RequestCtx {
            now: Instant::now(),
            version: Version::V2c,
            from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
        }
    }

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    fn group() -> (ScalarGroup, Arc<Mutex<Value>>) {
        let stored = Arc::new(Mutex::new(Value::OctetString("a".into())));
        let (read, store) = (Arc::clone(&stored), Arc::clone(&stored));
        let group = ScalarGroup::new(
            oid("1.3.6.1.2.1.1"),
            vec![
                Scalar::constant(7, Value::Integer(72)),
                Scalar::new(4, move |_| read.lock().unwrap().clone()).writable(
                    |value| check_display_string(value, 4),
                    move |value| {
                        *store.lock().unwrap() = value.clone();
                        Ok(())
                    },
                ),
                Scalar::constant(1, Value::Integer(1)),
                Scalar::new(2, |_| Value::NoSuchInstance),
            ],
        );
        (group, stored)
    }

    #[test]
    fn gets_instances_and_says_which_exception() {
        let (group, _) = group();
        assert_eq!(
            group.get(&ctx(), &oid("1.3.6.1.2.1.1.7.0")),
            Value::Integer(72)
        );
        assert_eq!(
            group.get(&ctx(), &oid("1.3.6.1.2.1.1.7.1")),
            Value::NoSuchInstance
        );
        assert_eq!(
            group.get(&ctx(), &oid("1.3.6.1.2.1.1.7")),
            Value::NoSuchInstance
        );
        assert_eq!(
            group.get(&ctx(), &oid("1.3.6.1.2.1.1.9.0")),
            Value::NoSuchObject
        );
        assert_eq!(
            group.get(&ctx(), &oid("1.3.6.1.2.1.1")),
            Value::NoSuchObject
        );
    }

    #[test]
    fn walks_in_arc_order_and_skips_absent_scalars() {
        let (group, _) = group();
        let mut at = oid("1.3.6.1");
        let mut seen = Vec::new();
        while let Some(varbind) = group.get_next(&ctx(), &at) {
            seen.push(varbind.name.to_string());
            at = varbind.name;
        }
        assert_eq!(
            seen,
            [
                "1.3.6.1.2.1.1.1.0",
                "1.3.6.1.2.1.1.4.0",
                "1.3.6.1.2.1.1.7.0"
            ]
        );
        assert_eq!(
            group
                .get_next(&ctx(), &oid("1.3.6.1.2.1.1.7"))
                .unwrap()
                .name,
            oid("1.3.6.1.2.1.1.7.0")
        );
    }

    #[test]
    fn starts_a_walk_anywhere_in_or_around_the_group() {
        let (group, _) = group();
        let next = |from: &str| {
            group
                .get_next(&ctx(), &oid(from))
                .map(|varbind| varbind.name.to_string())
        };
        // Before the group, at its root, between and inside scalars, past them, after it.
        assert_eq!(next("1.3.6.1.2.1").as_deref(), Some("1.3.6.1.2.1.1.1.0"));
        assert_eq!(next("1.3.6.1.2.1.1").as_deref(), Some("1.3.6.1.2.1.1.1.0"));
        assert_eq!(
            next("1.3.6.1.2.1.1.1").as_deref(),
            Some("1.3.6.1.2.1.1.1.0")
        );
        assert_eq!(
            next("1.3.6.1.2.1.1.1.0").as_deref(),
            Some("1.3.6.1.2.1.1.4.0")
        );
        assert_eq!(
            next("1.3.6.1.2.1.1.1.5.6").as_deref(),
            Some("1.3.6.1.2.1.1.4.0")
        );
        // sysObjectID (2) is absent: the walk goes on to 4.
        assert_eq!(
            next("1.3.6.1.2.1.1.2").as_deref(),
            Some("1.3.6.1.2.1.1.4.0")
        );
        assert_eq!(
            next("1.3.6.1.2.1.1.3.99").as_deref(),
            Some("1.3.6.1.2.1.1.4.0")
        );
        assert_eq!(next("1.3.6.1.2.1.1.7.0"), None);
        assert_eq!(next("1.3.6.1.2.1.1.8"), None);
        assert_eq!(next("1.3.6.1.2.1.2"), None);
    }

    #[test]
    fn sets_checks_and_undoes() {
        let (group, stored) = group();
        let set = |name: &str, value: Value| VarBind {
            name: oid(name),
            value,
        };
        let ctx = ctx();
        assert_eq!(
            group.test_set(&ctx, &set("1.3.6.1.2.1.1.7.0", Value::Integer(1))),
            Err(SetError::NotWritable)
        );
        assert_eq!(
            group.test_set(&ctx, &set("1.3.6.1.2.1.1.4.0", Value::Integer(1))),
            Err(SetError::WrongType)
        );
        assert_eq!(
            group.test_set(
                &ctx,
                &set("1.3.6.1.2.1.1.4.0", Value::OctetString("abcde".into()))
            ),
            Err(SetError::WrongLength)
        );
        assert_eq!(
            group.test_set(
                &ctx,
                &set("1.3.6.1.2.1.1.4.1", Value::OctetString("b".into()))
            ),
            Err(SetError::NoCreation)
        );
        let varbind = set("1.3.6.1.2.1.1.4.0", Value::OctetString("b".into()));
        assert_eq!(group.test_set(&ctx, &varbind), Ok(()));
        let previous = group.commit_set(&ctx, &varbind).unwrap();
        assert_eq!(previous, Value::OctetString("a".into()));
        assert_eq!(*stored.lock().unwrap(), Value::OctetString("b".into()));
        group.undo_set(&ctx, &varbind.name, &previous).unwrap();
        assert_eq!(*stored.lock().unwrap(), Value::OctetString("a".into()));
    }
}
