//! Access rights: `vacmAccessTable` rows (RFC 3415 §4).

use crate::security::{AdminString, SecurityLevel, SecurityModel};
use crate::vacm::ViewType;

/// One row of `vacmAccessTable` (RFC 3415 §4): what a group may do in the contexts that match
/// a prefix, under a security model, from a minimum security level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    group: AdminString,
    context_prefix: AdminString,
    context_match: ContextMatch,
    model: SecurityModel,
    level: SecurityLevel,
    read_view: Option<AdminString>,
    write_view: Option<AdminString>,
    notify_view: Option<AdminString>,
}

impl AccessEntry {
    /// An entry for `group` under `model` from `level` up, in the default context only
    /// (prefix `""`, `Exact`: the table's defaults), with no view: set them with the
    /// builder methods.
    pub fn new(group: impl AsRef<[u8]>, model: SecurityModel, level: SecurityLevel) -> Self {
        Self {
            group: AdminString::new(group),
            context_prefix: AdminString::default(),
            context_match: ContextMatch::Exact,
            model,
            level,
            read_view: None,
            write_view: None,
            notify_view: None,
        }
    }

    /// Sets the context prefix and how it matches (`vacmAccessContextPrefix`,
    /// `vacmAccessContextMatch`). `("", Prefix)` matches every context.
    #[must_use]
    pub fn with_context(mut self, prefix: impl AsRef<[u8]>, context_match: ContextMatch) -> Self {
        self.context_prefix = AdminString::new(prefix);
        self.context_match = context_match;
        self
    }

    /// Sets `vacmAccessReadViewName`; an empty name means no view.
    #[must_use]
    pub fn with_read_view(mut self, name: impl AsRef<[u8]>) -> Self {
        self.read_view = view_name(name.as_ref());
        self
    }

    /// Sets `vacmAccessWriteViewName`; an empty name means no view.
    #[must_use]
    pub fn with_write_view(mut self, name: impl AsRef<[u8]>) -> Self {
        self.write_view = view_name(name.as_ref());
        self
    }

    /// Sets `vacmAccessNotifyViewName`; an empty name means no view.
    #[must_use]
    pub fn with_notify_view(mut self, name: impl AsRef<[u8]>) -> Self {
        self.notify_view = view_name(name.as_ref());
        self
    }

    /// `vacmGroupName`.
    pub fn group(&self) -> &AdminString {
        &self.group
    }

    /// `vacmAccessContextPrefix`.
    pub fn context_prefix(&self) -> &AdminString {
        &self.context_prefix
    }

    /// `vacmAccessContextMatch`.
    pub fn context_match(&self) -> ContextMatch {
        self.context_match
    }

    /// `vacmAccessSecurityModel`.
    pub fn model(&self) -> SecurityModel {
        self.model
    }

    /// `vacmAccessSecurityLevel`: the minimum level.
    pub fn level(&self) -> SecurityLevel {
        self.level
    }

    /// The name of the view for `view_type`, if one is set.
    pub fn view(&self, view_type: ViewType) -> Option<&AdminString> {
        match view_type {
            ViewType::Read => self.read_view.as_ref(),
            ViewType::Write => self.write_view.as_ref(),
            ViewType::Notify => self.notify_view.as_ref(),
        }
    }

    /// True when this entry is a candidate for a request (RFC 3415 §4, `vacmAccessTable`
    /// step 1); the group was matched by the caller.
    pub(super) fn matches(
        &self,
        model: SecurityModel,
        level: SecurityLevel,
        context: &[u8],
    ) -> bool {
        let prefix = self.context_prefix.as_bytes();
        (self.model == model || self.model == SecurityModel::Any)
            && self.level <= level
            && match self.context_match {
                ContextMatch::Exact => context == prefix,
                ContextMatch::Prefix => context.starts_with(prefix),
            }
    }

    /// The index of the row within its group.
    pub(super) fn index(&self) -> (&[u8], SecurityModel, SecurityLevel) {
        (self.context_prefix.as_bytes(), self.model, self.level)
    }

    /// Greater is preferred (`vacmAccessTable` step 2): a specific model, then a longer
    /// context prefix (a prefix equal to the context name is the longest candidate), then a
    /// higher level. Two candidates never tie: the same prefix length means the same prefix,
    /// and (prefix, model, level) is the row's index.
    pub(super) fn preference(&self) -> (bool, usize, SecurityLevel) {
        (
            self.model != SecurityModel::Any,
            self.context_prefix.len(),
            self.level,
        )
    }
}

/// `vacmAccessContextMatch` (RFC 3415 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ContextMatch {
    /// exact(1): the context name equals the prefix.
    Exact = 1,
    /// prefix(2): the context name starts with the prefix.
    Prefix = 2,
}

/// An access entry's view name: the empty string means none (`DEFVAL ''H`).
fn view_name(name: &[u8]) -> Option<AdminString> {
    (!name.is_empty()).then(|| AdminString::new(name))
}
