//! Net-SNMP's traditional access control (snmpd.conf(5) "Traditional Access Control"):
//! `rocommunity`, `rwcommunity`, `rouser` and `rwuser`, expanded into VACM and community-table
//! rows named as snmpd 5.9 names them, so that the VACM MIB reads the same on both agents.

use crate::community::{CommunityEntry, CommunityTable, SourceNetwork};
use crate::security::{AdminString, SecurityLevel, SecurityModel};
use crate::vacm::{AccessEntry, ConfigError, ContextMatch, Vacm, ViewFamily, ViewSubtree};

/// Expands the shorthand directives, numbering them as snmpd does.
///
/// snmpd counts these directives in one sequence, in file order, and names what the `n`-th
/// one creates after `n`:
///
/// | directive | creates |
/// |---|---|
/// | `rocommunity public 127.0.0.1 .1.3.6.1.2.1.1` (1st) | community `public` from 127.0.0.1/32 → security name `comm1`; groups `grpcomm1` for v1 and v2c; view `viewComm1` = `.1.3.6.1.2.1.1` included; access `grpcomm1 "" any noauth prefix viewComm1` |
/// | `rwcommunity private` | the same with `_all_` (`.0`, `.1`, `.2` included) as read, write and notify view, from any source |
/// | `rouser alice` (3rd) | group `grpalice` for usm/`alice`; access `grpalice "" usm auth prefix _all_` |
/// | `rouser bob priv .1.3.6.1.2.1.1` (4th) | view `viewUSM4`; access at `priv` level |
///
/// A read-only directive leaves the write and notify views unset (snmpd writes `none`, a view
/// that does not exist: the same `noSuchView`). Without a context every context matches
/// (prefix `""`); a context `ctx*` matches by prefix, any other context exactly.
#[derive(Debug, Clone, Default)]
pub struct Shorthand {
    directives: u32,
}

impl Shorthand {
    /// A counter at zero, for the first directive of a configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// `rocommunity`/`rwcommunity COMMUNITY [SOURCE [OID | -V VIEW [CONTEXT]]]`; `source`
    /// `None` is `default` (any address). Returns the security name it created (`commN`).
    pub fn community(
        &mut self,
        vacm: &mut Vacm,
        communities: &mut CommunityTable,
        permission: Permission,
        community: impl AsRef<[u8]>,
        source: Option<SourceNetwork>,
        scope: ViewScope,
        context: Option<&[u8]>,
    ) -> Result<AdminString, ConfigError> {
        self.directives += 1;
        let n = self.directives;
        let (context, context_match) = split_context(context);
        let security_name = AdminString::from(format!("comm{n}"));
        let group = AdminString::from(format!("grp{security_name}"));
        let mut entry = CommunityEntry::new(community, security_name.clone())
            .with_context_name(context.as_bytes());
        if let Some(source) = source {
            entry = entry.source(source);
        }
        communities.add(entry)?;
        vacm.add_group(&group, SecurityModel::V1, &security_name)?;
        vacm.add_group(&group, SecurityModel::V2c, &security_name)?;
        let view = add_scope(vacm, scope, &format!("viewComm{n}"))?;
        let entry = AccessEntry::new(&group, SecurityModel::Any, SecurityLevel::NoAuthNoPriv);
        vacm.add_access(with_views(entry, &view, permission).with_context(context, context_match))?;
        Ok(security_name)
    }

    /// `rouser`/`rwuser [-s MODEL] USER [LEVEL [OID | -V VIEW [CONTEXT]]]`; snmpd's defaults
    /// are `SecurityModel::Usm` and `SecurityLevel::AuthNoPriv`. Returns the group it created
    /// (`grp` and the user name's first 28 octets, non-alphanumerics replaced by `_`).
    pub fn user(
        &mut self,
        vacm: &mut Vacm,
        permission: Permission,
        model: SecurityModel,
        user: impl AsRef<[u8]>,
        level: SecurityLevel,
        scope: ViewScope,
        context: Option<&[u8]>,
    ) -> Result<AdminString, ConfigError> {
        self.directives += 1;
        let n = self.directives;
        let user = user.as_ref();
        let (context, context_match) = split_context(context);
        let mut group = b"grp".to_vec();
        group.extend(user.iter().take(28).map(
            |&b| {
                if b.is_ascii_alphanumeric() { b } else { b'_' }
            },
        ));
        let group = AdminString::from(group);
        vacm.add_group(&group, model, user)?;
        let view = add_scope(vacm, scope, &format!("viewUSM{n}"))?;
        let entry = AccessEntry::new(&group, model, level);
        vacm.add_access(with_views(entry, &view, permission).with_context(context, context_match))?;
        Ok(group)
    }
}

/// Read-only (GET, GETNEXT, GETBULK) or read-write (and SET, and notifications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// `rocommunity`, `rouser`: the read view only.
    ReadOnly,
    /// `rwcommunity`, `rwuser`: the same view for read, write and notify.
    ReadWrite,
}

/// What a shorthand directive gives access to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewScope {
    /// No OID: the whole tree, as snmpd's `_all_` view.
    All,
    /// `OID`: one subtree, in a view created for the directive.
    Subtree(ViewSubtree),
    /// `-V VIEW`: a view defined elsewhere with `view`.
    Named(AdminString),
}

/// Splits Net-SNMP's context field: none matches every context, `ctx*` is a prefix, anything
/// else is exact.
fn split_context(context: Option<&[u8]>) -> (AdminString, ContextMatch) {
    match context {
        None => (AdminString::default(), ContextMatch::Prefix),
        Some(context) => match context.strip_suffix(b"*") {
            Some(prefix) => (AdminString::new(prefix), ContextMatch::Prefix),
            None => (AdminString::new(context), ContextMatch::Exact),
        },
    }
}

/// Creates the view a scope needs, if any, and returns its name.
fn add_scope(
    vacm: &mut Vacm,
    scope: ViewScope,
    generated: &str,
) -> Result<AdminString, ConfigError> {
    Ok(match scope {
        ViewScope::All => {
            for arc in 0..=2 {
                vacm.add_view(ALL_VIEW, ViewFamily::included(ViewSubtree::new(&[arc])?))?;
            }
            AdminString::from(ALL_VIEW)
        }
        ViewScope::Subtree(subtree) => {
            vacm.add_view(generated, ViewFamily::included(subtree))?;
            AdminString::from(generated)
        }
        ViewScope::Named(name) => name,
    })
}

fn with_views(entry: AccessEntry, view: &AdminString, permission: Permission) -> AccessEntry {
    let entry = entry.with_read_view(view);
    match permission {
        Permission::ReadOnly => entry,
        Permission::ReadWrite => entry.with_write_view(view).with_notify_view(view),
    }
}

/// snmpd's view of the whole tree.
const ALL_VIEW: &str = "_all_";
