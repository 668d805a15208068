//! A fast hasher for the compiler's symbol tables (the `FxHash` function rustc uses).
//!
//! The keys are names read from local MIB files, not input an attacker sends over the
//! network, so the protection of std's `SipHash` against chosen collisions buys nothing here,
//! while its cost showed in profiles of `translate -m ALL` (about a tenth of the work).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// [`HashMap`] with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// [`HashSet`] with [`FxHasher`].
pub(crate) type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// Multiply-rotate hashing of 8-byte words.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

/// The multiplier of `FxHash` (from Firefox).
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(head) = word.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(u64::try_from(i).unwrap_or(u64::MAX));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, BuildHasherDefault};

    use super::*;

    #[test]
    fn equal_keys_hash_alike_and_tables_work() {
        let build = BuildHasherDefault::<FxHasher>::default();
        assert_eq!(build.hash_one("ifIndex"), build.hash_one("ifIndex"));
        assert_ne!(build.hash_one("ifIndex"), build.hash_one("ifIndey"));
        // Keys longer than a word, and differing only past it.
        assert_ne!(
            build.hash_one("SNMPv2-MIB::sysDescr"),
            build.hash_one("SNMPv2-MIB::sysDescS")
        );
        let mut map: FxHashMap<String, usize> = FxHashMap::default();
        for (index, name) in ["a", "bb", "ifDescr", "ifOperStatus", ""]
            .iter()
            .enumerate()
        {
            map.insert((*name).to_owned(), index);
        }
        assert_eq!(map.get("ifOperStatus"), Some(&3));
        assert_eq!(map.get(""), Some(&4));
        assert_eq!(map.get("missing"), None);
        let set: FxHashSet<(usize, usize)> = [(1, 2), (2, 1)].into_iter().collect();
        assert!(set.contains(&(2, 1)));
    }
}
