//! Which stored pending decisions the dispatcher still needs (pure).
//!
//! The desk writes every raise, repeat and clear to `response_pending` in the alarm's own
//! transaction ([`crate::store::PendingDecision`]). The dispatcher reads those rows in id
//! order and offers each to the rules' groups; a row may be deleted only once nothing the
//! grouper holds depends on it any more. A [`Tracker`] records, for each rule and alarm, the
//! rows offered since that rule's group last notified the alarm. A batch notifies every
//! alarm of its group in its latest state, so once the batch is in the outbox, the rows held
//! for (rule, alarm) of each alarm in it are covered; a clear the rule does not report removes
//! the alarm from its group, which covers its rows too. A row whose every holder is covered,
//! or which no rule fired for, is done.

use std::collections::HashMap;

use crate::alarm::AlarmKey;

/// The pending rows the dispatcher has read and not yet finished with.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    /// The highest row id read: the next read starts after it.
    after: i64,
    /// For each (rule, alarm): the rows offered since the rule's group last notified it.
    held: HashMap<(String, AlarmKey), Vec<i64>>,
    /// For each row held: by how many (rule, alarm) entries.
    holders: HashMap<i64, usize>,
    /// Rows finished with, to delete.
    done: Vec<i64>,
}

impl Tracker {
    /// The id after which the next read starts.
    pub(crate) fn after(&self) -> i64 {
        self.after
    }

    /// Row `id` was read and offered; `fired` names the rules whose groups took it.
    pub(crate) fn offered(&mut self, id: i64, key: &AlarmKey, fired: &[&str]) {
        self.after = self.after.max(id);
        if fired.is_empty() {
            self.done.push(id);
            return;
        }
        for rule in fired {
            let held = self
                .held
                .entry(((*rule).to_owned(), key.clone()))
                .or_default();
            // A row offered twice to one rule (never, but cheap to guard) is held once.
            if held.last() != Some(&id) {
                held.push(id);
                *self.holders.entry(id).or_default() += 1;
            }
        }
    }

    /// `rule`'s group no longer needs the rows held for the alarm `key`: a batch holding the
    /// alarm is in the outbox, or the rule let go of the alarm without a notification.
    pub(crate) fn covered(&mut self, rule: &str, key: &AlarmKey) {
        let Some(ids) = self.held.remove(&(rule.to_owned(), key.clone())) else {
            return;
        };
        for id in ids {
            match self.holders.get_mut(&id) {
                Some(count) if *count > 1 => *count -= 1,
                _ => {
                    self.holders.remove(&id);
                    self.done.push(id);
                }
            }
        }
    }

    /// Forgets the rows held for `rule` and `key` without finishing them: their batch could
    /// not be stored, so the rows stay in the table for the next start.
    pub(crate) fn abandon(&mut self, rule: &str, key: &AlarmKey) {
        let Some(ids) = self.held.remove(&(rule.to_owned(), key.clone())) else {
            return;
        };
        for id in ids {
            match self.holders.get_mut(&id) {
                Some(count) if *count > 1 => *count -= 1,
                _ => {
                    self.holders.remove(&id);
                }
            }
        }
    }

    /// The rows finished with since the last call, to delete.
    pub(crate) fn take_done(&mut self) -> Vec<i64> {
        std::mem::take(&mut self.done)
    }

    /// Rows whose deletion failed, to try again with the next ones.
    pub(crate) fn retry_done(&mut self, ids: Vec<i64>) {
        self.done.extend(ids);
    }

    /// How many rows are held by some group.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.holders.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> AlarmKey {
        AlarmKey::new(k)
    }

    #[test]
    fn a_row_no_rule_fired_for_is_done_at_once() {
        let mut tracker = Tracker::default();
        tracker.offered(4, &key("a"), &[]);
        assert_eq!(tracker.take_done(), [4]);
        assert_eq!(tracker.after(), 4);
        assert!(tracker.take_done().is_empty());
    }

    #[test]
    fn a_row_is_done_once_every_rule_that_took_it_has_covered_it() {
        let mut tracker = Tracker::default();
        tracker.offered(1, &key("a"), &["mail", "hook"]);
        tracker.offered(2, &key("a"), &["mail"]);
        tracker.offered(3, &key("b"), &["mail"]);
        assert_eq!(tracker.held(), 3);
        tracker.covered("mail", &key("a"));
        assert_eq!(
            tracker.take_done(),
            [2],
            "row 1 still waits for the hook's group"
        );
        tracker.covered("hook", &key("a"));
        assert_eq!(tracker.take_done(), [1]);
        // Another alarm's rows are not covered by a batch that did not hold it.
        assert_eq!(tracker.held(), 1);
        tracker.covered("mail", &key("b"));
        assert_eq!(tracker.take_done(), [3]);
        tracker.covered("mail", &key("b"));
        assert!(tracker.take_done().is_empty(), "nothing is done twice");
        assert_eq!(tracker.held(), 0);
    }

    #[test]
    fn an_abandoned_row_is_never_done_in_this_run() {
        let mut tracker = Tracker::default();
        tracker.offered(7, &key("a"), &["mail"]);
        tracker.abandon("mail", &key("a"));
        tracker.covered("mail", &key("a"));
        assert!(tracker.take_done().is_empty());
        assert_eq!(tracker.after(), 7, "and not read again");
    }

    #[test]
    fn failed_deletions_are_retried() {
        let mut tracker = Tracker::default();
        tracker.offered(1, &key("a"), &[]);
        let done = tracker.take_done();
        tracker.retry_done(done);
        tracker.offered(2, &key("a"), &[]);
        assert_eq!(tracker.take_done(), [1, 2]);
    }
}
