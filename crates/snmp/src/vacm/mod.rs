//! The View-based Access Control Model (RFC 3415): who may read, write or be notified of
//! which objects, in which context.
//!
//! [`Vacm`] holds RFC 3415's four tables as typed data, not SNMP rows: the contexts
//! (`vacmContextTable`), the security-to-group mapping (`vacmSecurityToGroupTable`), the access
//! rights (`vacmAccessTable`) and the views (`vacmViewTreeFamilyTable`). Its methods mirror
//! Net-SNMP's `group`, `access` and `view` directives one to one, and [`Shorthand`] expands
//! `rocommunity`, `rwcommunity`, `rouser` and `rwuser` the way snmpd does.
//!
//! [`Vacm::is_access_allowed`] is RFC 3415 §3.2's `isAccessAllowed`. An agent that checks many
//! varbinds of one request calls [`Vacm::view`] once (steps 1 to 5, which depend only on the
//! principal and the context) and then [`View::contains`] for each varbind: neither allocates.
//!
//! ```
//! use vigie_snmp::vacm::{AccessEntry, ContextMatch, Vacm, ViewFamily, ViewType};
//! use vigie_snmp::{Oid, SecurityLevel, SecurityModel};
//!
//! // group ops v2c comm1 / view systemonly included .1.3.6.1.2.1.1
//! // access ops "" any noauth exact systemonly none none
//! let mut vacm = Vacm::new();
//! vacm.add_group("ops", SecurityModel::V2c, "comm1")?;
//! vacm.add_view("systemonly", ViewFamily::included("1.3.6.1.2.1.1".parse::<Oid>()?))?;
//! vacm.add_access(
//!     AccessEntry::new("ops", SecurityModel::Any, SecurityLevel::NoAuthNoPriv)
//!         .with_read_view("systemonly"),
//! )?;
//! let sys_name: Oid = "1.3.6.1.2.1.1.5.0".parse()?;
//! let level = SecurityLevel::NoAuthNoPriv;
//! assert_eq!(
//!     vacm.is_access_allowed(SecurityModel::V2c, b"comm1", level, ViewType::Read, b"", &sys_name),
//!     Ok(())
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod access;
mod shorthand;
mod view;

use std::collections::BTreeMap;
use std::collections::BTreeSet;

pub use access::{AccessEntry, ContextMatch};
pub use shorthand::{Permission, Shorthand, ViewScope};
pub use view::{FamilyType, MAX_MASK_OCTETS, SubtreeView, View, ViewFamily, ViewMask, ViewSubtree};

use crate::oid::Oid;
use crate::security::{AdminString, SecurityLevel, SecurityModel};

/// The four VACM tables (RFC 3415 §4), ready for `isAccessAllowed`.
///
/// A new `Vacm` knows the default context `""` and nothing else: no group, no access, no view,
/// so every request is refused until it is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vacm {
    contexts: BTreeSet<AdminString>,
    /// securityName → groupName, one map per security model (`Any` is never a key).
    groups: BTreeMap<SecurityModel, BTreeMap<AdminString, AdminString>>,
    /// groupName → its access entries, in RFC 3415's order of preference.
    access: BTreeMap<AdminString, Vec<AccessEntry>>,
    views: BTreeMap<AdminString, View>,
}

impl Vacm {
    /// Tables with the default context `""` only.
    pub fn new() -> Self {
        Self {
            contexts: BTreeSet::from([AdminString::default()]),
            groups: BTreeMap::new(),
            access: BTreeMap::new(),
            views: BTreeMap::new(),
        }
    }

    /// Adds a context to `vacmContextTable` (0 to 32 octets).
    pub fn add_context(&mut self, name: impl AsRef<[u8]>) -> Result<(), ConfigError> {
        let name = context_name(name.as_ref())?;
        self.contexts.insert(name);
        Ok(())
    }

    /// Removes a context; true when it was there.
    pub fn remove_context(&mut self, name: &[u8]) -> bool {
        self.contexts.remove(name)
    }

    /// True when the context is in `vacmContextTable`.
    pub fn has_context(&self, name: &[u8]) -> bool {
        self.contexts.contains(name)
    }

    /// The contexts, in octet order.
    pub fn contexts(&self) -> impl Iterator<Item = &AdminString> {
        self.contexts.iter()
    }

    /// Maps `security_name` under `model` to `group`, replacing any previous group: Net-SNMP's
    /// `group GROUP MODEL SECNAME` (`vacmSecurityToGroupTable`). Names are 1 to 32 octets
    /// and the model is not `Any` (RFC 3415 §4, `vacmSecurityModel`).
    pub fn add_group(
        &mut self,
        group: impl AsRef<[u8]>,
        model: SecurityModel,
        security_name: impl AsRef<[u8]>,
    ) -> Result<(), ConfigError> {
        if model == SecurityModel::Any {
            return Err(ConfigError::AnyModelInGroup);
        }
        let group = table_name(group.as_ref(), NameField::GroupName)?;
        let security_name = table_name(security_name.as_ref(), NameField::SecurityName)?;
        self.groups
            .entry(model)
            .or_default()
            .insert(security_name, group);
        Ok(())
    }

    /// Removes a security-to-group mapping, returning the group it mapped to.
    pub fn remove_group(
        &mut self,
        model: SecurityModel,
        security_name: &[u8],
    ) -> Option<AdminString> {
        self.groups.get_mut(&model)?.remove(security_name)
    }

    /// The group of `security_name` under `model` (RFC 3415 §3.2 step 2).
    pub fn group(&self, model: SecurityModel, security_name: &[u8]) -> Option<&AdminString> {
        self.groups.get(&model)?.get(security_name)
    }

    /// Every mapping as (model, securityName, groupName), in table order.
    pub fn groups(&self) -> impl Iterator<Item = (SecurityModel, &AdminString, &AdminString)> {
        self.groups.iter().flat_map(|(model, names)| {
            names
                .iter()
                .map(move |(security_name, group)| (*model, security_name, group))
        })
    }

    /// Adds an access entry, replacing the one with the same index (group, context prefix,
    /// model, level): Net-SNMP's `access` directive (`vacmAccessTable`).
    ///
    /// The group and view names are 1 to 32 octets, the context prefix at most 32.
    pub fn add_access(&mut self, entry: AccessEntry) -> Result<(), ConfigError> {
        table_name(entry.group().as_bytes(), NameField::GroupName)?;
        context_name(entry.context_prefix().as_bytes())?;
        for view in [ViewType::Read, ViewType::Write, ViewType::Notify]
            .into_iter()
            .filter_map(|view_type| entry.view(view_type))
        {
            table_name(view.as_bytes(), NameField::ViewName)?;
        }
        let entries = self.access.entry(entry.group().clone()).or_default();
        entries.retain(|old| old.index() != entry.index());
        // Sorted by preference, the first entry that matches a request is the one RFC 3415
        // selects: see `AccessEntry::preference`.
        let at = entries.partition_point(|old| old.preference() >= entry.preference());
        entries.insert(at, entry);
        Ok(())
    }

    /// Removes the access entry with this index.
    pub fn remove_access(
        &mut self,
        group: &[u8],
        context_prefix: &[u8],
        model: SecurityModel,
        level: SecurityLevel,
    ) -> Option<AccessEntry> {
        let entries = self.access.get_mut(group)?;
        let at = entries
            .iter()
            .position(|entry| entry.index() == (context_prefix, model, level))?;
        let removed = entries.remove(at);
        if entries.is_empty() {
            self.access.remove(group);
        }
        Some(removed)
    }

    /// Every access entry, grouped by group name, each group's in order of preference.
    pub fn access_entries(&self) -> impl Iterator<Item = &AccessEntry> {
        self.access.values().flatten()
    }

    /// The access entry RFC 3415 selects for a request of `group` (§3.2 step 3, with the
    /// preferences of `vacmAccessTable`'s DESCRIPTION):
    ///
    /// the candidates are the group's entries whose model is `model` or `Any`, whose level is
    /// at most `level`, and whose context prefix equals `context` (`Exact`) or starts it
    /// (`Prefix`). Among them, an entry for `model` itself beats one for `Any`; then one
    /// whose prefix is the whole context name; then the longer prefix; then the higher
    /// level. (The second rule is implied by the third, since every candidate prefix starts
    /// the context name.)
    pub fn select_access(
        &self,
        group: &[u8],
        model: SecurityModel,
        level: SecurityLevel,
        context: &[u8],
    ) -> Option<&AccessEntry> {
        self.access
            .get(group)?
            .iter()
            .find(|entry| entry.matches(model, level, context))
    }

    /// Adds a family to a view (1 to 32 octets of name), replacing the family with the same
    /// subtree: Net-SNMP's `view NAME TYPE OID [MASK]` (`vacmViewTreeFamilyTable`).
    pub fn add_view(
        &mut self,
        name: impl AsRef<[u8]>,
        family: ViewFamily,
    ) -> Result<(), ConfigError> {
        let name = table_name(name.as_ref(), NameField::ViewName)?;
        self.views.entry(name).or_default().insert(family);
        Ok(())
    }

    /// Removes a family from a view; the view disappears with its last family.
    pub fn remove_view_family(&mut self, name: &[u8], subtree: &ViewSubtree) -> Option<ViewFamily> {
        let view = self.views.get_mut(name)?;
        let removed = view.remove(subtree);
        if view.is_empty() {
            self.views.remove(name);
        }
        removed
    }

    /// The view of this name, if it has a family.
    pub fn view_named(&self, name: &[u8]) -> Option<&View> {
        self.views.get(name)
    }

    /// Every view with its name, in name order.
    pub fn views(&self) -> impl Iterator<Item = (&AdminString, &View)> {
        self.views.iter()
    }

    /// Steps 1 to 5 of `isAccessAllowed` (RFC 3415 §3.2): the MIB view that applies to this
    /// principal in this context for this kind of access.
    ///
    /// Fails with `NoSuchContext` when the context is not in `vacmContextTable`,
    /// `NoGroupName` when (model, name) has no group, `NoAccessEntry` when no access entry
    /// matches, and `NoSuchView` when the selected entry names no view for `view_type` or
    /// a view without any family.
    pub fn view(
        &self,
        model: SecurityModel,
        security_name: &[u8],
        level: SecurityLevel,
        view_type: ViewType,
        context: &[u8],
    ) -> Result<&View, AccessError> {
        if !self.contexts.contains(context) {
            return Err(AccessError::NoSuchContext);
        }
        let group = self
            .group(model, security_name)
            .ok_or(AccessError::NoGroupName)?;
        let entry = self
            .select_access(group.as_bytes(), model, level, context)
            .ok_or(AccessError::NoAccessEntry)?;
        entry
            .view(view_type)
            .and_then(|name| self.views.get(name.as_bytes()))
            .ok_or(AccessError::NoSuchView)
    }

    /// `isAccessAllowed` (RFC 3415 §3.2): may this principal access `oid` in this context
    /// for reading, writing or notification?
    ///
    /// The errors are [`view`](Self::view)'s, and `NotInView` when the view does not contain
    /// `oid` (step 6). RFC 3413 §3.2 says what a command responder makes of them:
    /// `NotInView` becomes `noSuchObject`/`noSuchInstance` for a GET and is skipped by
    /// GETNEXT, `NoSuchContext` counts `snmpUnknownContexts`, and the others give
    /// `authorizationError` (`noSuchName` in SNMPv1).
    pub fn is_access_allowed(
        &self,
        model: SecurityModel,
        security_name: &[u8],
        level: SecurityLevel,
        view_type: ViewType,
        context: &[u8],
        oid: &Oid,
    ) -> Result<(), AccessError> {
        let view = self.view(model, security_name, level, view_type, context)?;
        if view.contains(oid) {
            Ok(())
        } else {
            Err(AccessError::NotInView)
        }
    }
}

impl Default for Vacm {
    /// The same as [`Vacm::new`]: the default context exists.
    fn default() -> Self {
        Self::new()
    }
}

/// The kind of access being checked, which selects the view (RFC 3415 §3.2 step 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewType {
    /// GET, GETNEXT, GETBULK: `vacmAccessReadViewName`.
    Read,
    /// SET: `vacmAccessWriteViewName`.
    Write,
    /// Traps and informs: `vacmAccessNotifyViewName`.
    Notify,
}

/// Why `isAccessAllowed` refused (RFC 3415 §3.2's errorIndications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum AccessError {
    /// noSuchContext: the context is not in `vacmContextTable` (step 1).
    #[error("noSuchContext: unknown context")]
    NoSuchContext,
    /// noGroupName: the principal belongs to no group under its security model (step 2).
    #[error("noGroupName: the principal is in no group")]
    NoGroupName,
    /// noAccessEntry: no access entry matches the group, context, model and level (step 3).
    #[error("noAccessEntry: no access right for this group, context, model and level")]
    NoAccessEntry,
    /// noSuchView: the access entry names no view of this type, or an undefined one (step 5).
    #[error("noSuchView: no view for this kind of access")]
    NoSuchView,
    /// notInView: the object is not in the view (step 6).
    #[error("notInView: the object is not in the view")]
    NotInView,
}

/// A VACM or community-table configuration that cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A security, group or view name that is empty or longer than 32 octets.
    #[error("a {0} must be 1 to 32 octets")]
    NameLength(NameField),
    /// A context name or prefix longer than 32 octets.
    #[error("a context name must be at most 32 octets")]
    ContextTooLong,
    /// A group mapping under the `any` model, which `vacmSecurityModel` forbids.
    #[error("a group mapping needs a security model other than `any`")]
    AnyModelInGroup,
    /// A view mask of more than 16 octets.
    #[error("a view mask has at most 16 octets")]
    MaskTooLong,
    /// A view mask that is not hex octets separated by `.` or `:`.
    #[error("a view mask is hex octets separated by '.' or ':', such as ff:a0")]
    InvalidMask,
    /// A view subtree that is not dotted decimal, or has more than 128 arcs.
    #[error("a view subtree is a dotted-decimal OID of at most 128 arcs")]
    InvalidSubtree,
    /// A view family type other than `included` or `excluded`.
    #[error("a view family is `included` or `excluded`")]
    InvalidFamilyType,
    /// A community string that is empty.
    #[error("a community string cannot be empty")]
    EmptyCommunity,
    /// A source network whose prefix length is longer than its address.
    #[error("a source network's prefix length is at most 32 (IPv4) or 128 (IPv6)")]
    InvalidPrefixLength,
    /// A source that is not an address, `address/bits`, `address/mask` or `default`.
    #[error("a source is an IP address, ADDRESS/BITS, ADDRESS/MASK or `default`")]
    InvalidSource,
}

/// Which name a [`ConfigError::NameLength`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameField {
    /// A securityName.
    SecurityName,
    /// A groupName.
    GroupName,
    /// A view name.
    ViewName,
}

impl core::fmt::Display for NameField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::SecurityName => "security name",
            Self::GroupName => "group name",
            Self::ViewName => "view name",
        })
    }
}

/// A name of 1 to 32 octets, as the VACM and community tables index them.
pub(crate) fn table_name(name: &[u8], field: NameField) -> Result<AdminString, ConfigError> {
    if name.is_empty() || name.len() > MAX_NAME_OCTETS {
        return Err(ConfigError::NameLength(field));
    }
    Ok(AdminString::new(name))
}

/// A context name or prefix of 0 to 32 octets.
pub(crate) fn context_name(name: &[u8]) -> Result<AdminString, ConfigError> {
    if name.len() > MAX_NAME_OCTETS {
        return Err(ConfigError::ContextTooLong);
    }
    Ok(AdminString::new(name))
}

/// The size limit of VACM's names (RFC 3415 §4: `SnmpAdminString (SIZE(1..32))`).
const MAX_NAME_OCTETS: usize = 32;

#[cfg(test)]
mod tests;
