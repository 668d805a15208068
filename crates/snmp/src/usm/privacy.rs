//! Privacy: CBC-DES (RFC 3414 §8), CFB-128 AES-128/192/256 (RFC 3826,
//! draft-blumenthal-aes-usm-04) and CBC-3DES-EDE (draft-reeder-snmpv3-usm-3desede-00).
//!
//! Encryption works in place on the encoded `ScopedPDU`, and takes the salt from the caller:
//! a [`SaltCounter`] the engine seeds with randomness and keeps for as long as the key, so
//! that no salt repeats under one key. Nothing here reads a clock or draws randomness.

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::consts::U16;
use cbc::cipher::{
    AsyncStreamCipher, BlockCipher, BlockDecryptMut, BlockEncryptMut, BlockSizeUser, InnerIvInit,
    KeyInit, KeyIvInit,
};
use des::{Des, TdesEde3};

use crate::error::DecodeError;
use crate::usm::key::{PrivKey, PrivProtocol};
use crate::usm::timeliness::EngineTime;

/// A source of salts, one per encryption (RFC 3414 §8.1.1.1, RFC 3826 §3.1.2.1).
///
/// DES and 3DES salts are the encrypting engine's own snmpEngineBoots followed by the low 32
/// bits of a counter (Net-SNMP does the same, with its local boots); AES salts are the whole
/// 64-bit counter. Seed the counter from a random source once per key and keep it for as
/// long as the key: it does not repeat for 2^64 messages (AES) or 2^32 messages within one
/// value of boots (DES, 3DES).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaltCounter {
    local_boots: u32,
    next: u64,
}

impl SaltCounter {
    /// A counter for an engine at `local_boots`, whose first salt is made from `seed`.
    pub fn new(local_boots: u32, seed: u64) -> Self {
        Self {
            local_boots,
            next: seed,
        }
    }

    /// The next salt for `protocol`, which is also the message's msgPrivacyParameters.
    pub fn next_salt(&mut self, protocol: PrivProtocol) -> [u8; 8] {
        let counter = self.next;
        self.next = self.next.wrapping_add(1);
        match protocol {
            PrivProtocol::Des | PrivProtocol::TripleDes => {
                ((u64::from(self.local_boots) << 32) | (counter & 0xffff_ffff)).to_be_bytes()
            }
            _ => counter.to_be_bytes(),
        }
    }
}

/// Why a message could not be decrypted: counted in usmStatsDecryptionErrors
/// (RFC 3414 §3.2 step 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecryptionError {
    /// msgPrivacyParameters is not 8 octets (RFC 3414 §8.3.2 step 1, RFC 3826 §3.1.4).
    #[error("privacy parameters are {0} octets, not 8")]
    PrivParamsLength(usize),
    /// A CBC ciphertext whose length is not a multiple of 8 (RFC 3414 §8.3.2 step 2).
    #[error("encrypted data of {0} octets is not a whole number of blocks")]
    CiphertextLength(usize),
    /// What decrypted is not a `ScopedPDU`: most often a wrong privacy key or protocol.
    #[error("decrypted data is not a scopedPDU ({0})")]
    Malformed(DecodeError),
}

impl PrivKey {
    /// Encrypts `data` in place (RFC 3414 §8.1.1, RFC 3826 §3.1.3) for a message carrying
    /// `engine` as msgAuthoritativeEngineBoots and msgAuthoritativeEngineTime, with `salt`
    /// from [`SaltCounter::next_salt`] as msgPrivacyParameters.
    ///
    /// DES and 3DES first pad `data` to a multiple of 8 octets, each padding octet holding
    /// the padding's length, as Net-SNMP does (RFC 3414 §8.1.1.2 leaves the value open); AES
    /// does not pad.
    pub fn encrypt(&self, data: &mut Vec<u8>, engine: EngineTime, salt: [u8; 8]) {
        match self.protocol() {
            PrivProtocol::Des | PrivProtocol::TripleDes => {
                let padded = data.len().next_multiple_of(CBC_BLOCK);
                let pad = u8::try_from(padded - data.len()).unwrap_or(0);
                data.resize(padded, pad);
                self.cbc(data, &salt, Direction::Encrypt);
            }
            _ => self.cfb(data, engine, salt, Direction::Encrypt),
        }
    }

    /// Decrypts `data` in place (RFC 3414 §8.1.2, RFC 3826 §3.1.4) given the message's
    /// engine boots and time and its msgPrivacyParameters.
    ///
    /// The DES padding stays at the end: the `ScopedPDU`'s own length tells where it ends.
    pub fn decrypt(
        &self,
        data: &mut [u8],
        engine: EngineTime,
        priv_params: &[u8],
    ) -> Result<(), DecryptionError> {
        let params = <[u8; 8]>::try_from(priv_params)
            .map_err(|_| DecryptionError::PrivParamsLength(priv_params.len()))?;
        match self.protocol() {
            PrivProtocol::Des | PrivProtocol::TripleDes => {
                if data.len() % CBC_BLOCK != 0 {
                    return Err(DecryptionError::CiphertextLength(data.len()));
                }
                self.cbc(data, &params, Direction::Decrypt);
            }
            _ => self.cfb(data, engine, params, Direction::Decrypt),
        }
        Ok(())
    }

    /// CBC over whole blocks, with IV = pre-IV XOR salt (RFC 3414 §8.1.1.1; Reeder §5.1.1.1).
    fn cbc(&self, data: &mut [u8], salt: &[u8; 8], direction: Direction) {
        let len = data.len();
        // The pre-IV follows the key: one DES key, or three for 3DES.
        let pre_iv_at = if self.protocol() == PrivProtocol::TripleDes {
            24
        } else {
            8
        };
        let pre_iv: [u8; 8] = self.array(pre_iv_at);
        let mut iv = [0; 8];
        for ((iv, pre), salt) in iv.iter_mut().zip(pre_iv).zip(salt) {
            *iv = pre ^ salt;
        }
        // The length is a multiple of the block size (checked or padded by the callers), so
        // NoPadding cannot fail; a failure would leave the data as it is, and the MAC or the
        // ScopedPDU decoding would then reject it.
        match (self.protocol(), direction) {
            (PrivProtocol::TripleDes, Direction::Encrypt) => {
                let key: [u8; 24] = self.array(0);
                let _ = cbc::Encryptor::<TdesEde3>::new(&key.into(), &iv.into())
                    .encrypt_padded_mut::<NoPadding>(data, len);
            }
            (PrivProtocol::TripleDes, Direction::Decrypt) => {
                let key: [u8; 24] = self.array(0);
                let _ = cbc::Decryptor::<TdesEde3>::new(&key.into(), &iv.into())
                    .decrypt_padded_mut::<NoPadding>(data);
            }
            (_, Direction::Encrypt) => {
                let key: [u8; 8] = self.array(0);
                let _ = cbc::Encryptor::<Des>::new(&key.into(), &iv.into())
                    .encrypt_padded_mut::<NoPadding>(data, len);
            }
            (_, Direction::Decrypt) => {
                let key: [u8; 8] = self.array(0);
                let _ = cbc::Decryptor::<Des>::new(&key.into(), &iv.into())
                    .decrypt_padded_mut::<NoPadding>(data);
            }
        }
    }

    /// CFB-128 with IV = boots ‖ time ‖ salt (RFC 3826 §3.1.2.1).
    fn cfb(&self, data: &mut [u8], engine: EngineTime, salt: [u8; 8], direction: Direction) {
        let iv = ((u128::from(engine.boots) << 96)
            | (u128::from(engine.time) << 64)
            | u128::from(u64::from_be_bytes(salt)))
        .to_be_bytes();
        match self.protocol().key_len() {
            16 => cfb(
                Aes128::new(&self.array::<16>(0).into()),
                iv,
                data,
                direction,
            ),
            24 => cfb(
                Aes192::new(&self.array::<24>(0).into()),
                iv,
                data,
                direction,
            ),
            _ => cfb(
                Aes256::new(&self.array::<32>(0).into()),
                iv,
                data,
                direction,
            ),
        }
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Encrypt,
    Decrypt,
}

fn cfb<C>(cipher: C, iv: [u8; 16], data: &mut [u8], direction: Direction)
where
    C: BlockEncryptMut + BlockCipher + BlockSizeUser<BlockSize = U16>,
{
    let iv = iv.into();
    match direction {
        Direction::Encrypt => cfb_mode::Encryptor::<C>::inner_iv_init(cipher, &iv).encrypt(data),
        Direction::Decrypt => cfb_mode::Decryptor::<C>::inner_iv_init(cipher, &iv).decrypt(data),
    }
}

const CBC_BLOCK: usize = 8;

#[cfg(test)]
mod tests;
