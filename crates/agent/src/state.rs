//! The agent's persistent state: a small file of `key hex-value` lines in the state
//! directory, rewritten atomically (written to a temporary file, then renamed).
//!
//! It keeps what must survive a restart: the engine ID and snmpEngineBoots (RFC 3414 §2.2),
//! and the values of sysContact, sysName and sysLocation set by SNMP.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The persistent state, loaded from and saved to `DIR/vigie-agent.state`.
#[derive(Debug)]
pub struct State {
    path: PathBuf,
    values: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl State {
    /// Loads the state of `dir`, creating the directory if needed. A missing file is an
    /// empty state; a line that does not parse is skipped, so that a damaged file costs only
    /// the values on damaged lines.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        fs::create_dir_all(dir).map_err(|source| StateError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(FILE_NAME);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(StateError::Io { path, source }),
        };
        let values = text
            .lines()
            .filter_map(|line| {
                let (key, hex) = line.split_once(' ')?;
                Some((key.to_owned(), from_hex(hex)?))
            })
            .collect();
        Ok(Self {
            path,
            values: Mutex::new(values),
        })
    }

    /// A state kept in memory only (no state directory configured).
    pub fn in_memory() -> Self {
        Self {
            path: PathBuf::new(),
            values: Mutex::new(BTreeMap::new()),
        }
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().get(key).cloned()
    }

    /// Stores `value` under `key` and saves the file.
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), StateError> {
        let mut values = self.lock();
        values.insert(key.to_owned(), value.to_vec());
        self.save(&values)
    }

    /// Removes `key` and saves the file.
    pub fn remove(&self, key: &str) -> Result<(), StateError> {
        let mut values = self.lock();
        values.remove(key);
        self.save(&values)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.values.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn save(&self, values: &BTreeMap<String, Vec<u8>>) -> Result<(), StateError> {
        if self.path.as_os_str().is_empty() {
            return Ok(());
        }
        let mut text = String::from("# vigie agent state: key, then the value in hex\n");
        for (key, value) in values {
            text.push_str(key);
            text.push(' ');
            for octet in value {
                let _ = write!(text, "{octet:02x}");
            }
            text.push('\n');
        }
        let temporary = self.path.with_extension("state.new");
        let io = |source| StateError::Io {
            path: self.path.clone(),
            source,
        };
        fs::write(&temporary, text).map_err(io)?;
        fs::rename(&temporary, &self.path).map_err(io)
    }
}

/// The state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// An I/O error on the state directory or file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

const FILE_NAME: &str = "vigie-agent.state";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_a_reopen_and_damage_is_contained() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.get("sysContact"), None);
        state.set("sysContact", b"ops\nteam").unwrap();
        state.set("engineBoots", &[0, 0, 0, 3]).unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.get("sysContact").unwrap(), b"ops\nteam");
        let path = dir.path().join(FILE_NAME);
        let text = fs::read_to_string(&path).unwrap() + "broken zz\nodd 123\n";
        fs::write(&path, text).unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.get("engineBoots").unwrap(), [0, 0, 0, 3]);
        assert_eq!(state.get("broken"), None);
        assert_eq!(state.get("odd"), None);
    }
}
