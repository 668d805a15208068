//! The one-time setup code that guards the first-start page.
//!
//! An open "choose the admin password" page is claimed by whoever reaches it first. As
//! Jenkins does with its initial admin password, the binary prints a random code once on
//! its console at the first start, and `/setup` sets the password only for a browser that
//! presents it: whoever holds the code can read the server's console, so is its operator.
//! The router keeps only the code's SHA-256 and compares digests in constant time; a wrong
//! code counts as a failed login ([`super::LoginLimiter`]).

use rand::Rng as _;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// The SHA-256 of a first-start setup code; never the code itself.
#[derive(Clone)]
pub struct SetupCode {
    digest: [u8; 32],
}

impl SetupCode {
    /// A new random code of [`SETUP_CODE_CHARS`] characters (about 140 bits), and its hash.
    /// Show the code once to the operator; give the hash to [`super::WebConfig`].
    #[must_use]
    pub fn generate() -> (Self, String) {
        let mut rng = rand::rng();
        let code: String = (0..SETUP_CODE_CHARS)
            .map(|_| {
                let index = rng.random_range(0..ALPHABET.len());
                char::from(ALPHABET.get(index).copied().unwrap_or(b'x'))
            })
            .collect();
        (Self::of(&code), code)
    }

    /// The hash of a known code (a test's, or one generated elsewhere).
    #[must_use]
    pub fn of(code: &str) -> Self {
        Self {
            digest: Sha256::digest(code.trim().as_bytes()).into(),
        }
    }

    /// Whether `submitted` is the code, blanks around it ignored (it is often pasted from a
    /// terminal); the comparison takes the same time whatever the digests hold.
    pub(super) fn matches(&self, submitted: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(submitted.trim().as_bytes()).into();
        bool::from(self.digest.ct_eq(&digest))
    }
}

impl std::fmt::Debug for SetupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupCode(<redacted>)")
    }
}

/// Characters in a generated code.
pub const SETUP_CODE_CHARS: usize = 24;
/// Letters and digits without look-alikes (no 0/O, 1/l/I), for a code typed from a terminal.
const ALPHABET: &[u8] = b"23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_random_and_only_their_hash_is_kept() {
        let (hash, code) = SetupCode::generate();
        let (_, other) = SetupCode::generate();
        assert_eq!(code.len(), SETUP_CODE_CHARS);
        assert!(code.bytes().all(|c| ALPHABET.contains(&c)));
        assert_ne!(code, other);
        assert!(hash.matches(&code));
        assert!(hash.matches(&format!(" {code}\n")));
        assert!(!hash.matches(&other));
        assert!(!hash.matches(""));
        assert!(!format!("{hash:?}").contains(&code));
    }
}
