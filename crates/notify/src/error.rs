//! The crate's error types for configuration, messages and the trust store.
//!
//! Delivery outcomes are not here: a failed delivery is a [`crate::DeliveryFailure`], a
//! value that says what happened and how to fix it.

use std::io;
use std::path::PathBuf;

/// A message that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The address is not `local@domain` in printable ASCII without spaces or brackets.
    #[error("invalid e-mail address {0:?}")]
    InvalidAddress(String),
    /// A header value contains CR or LF, which would inject headers.
    #[error("a header value contains a line break")]
    LineBreakInHeader,
    /// The message has no `To` recipient.
    #[error("the message has no recipient")]
    NoRecipient,
}

/// A TLS policy that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsPolicyError {
    /// The name is neither an IANA nor an OpenSSL cipher suite name known to vigie.
    #[error(
        "unknown cipher suite name {0:?} (use IANA names such as TLS_AES_128_GCM_SHA256 or OpenSSL names such as ECDHE-RSA-AES128-GCM-SHA256)"
    )]
    UnknownCipher(String),
    /// None of the listed suites is one rustls offers (ECDHE or TLS 1.3 with AEAD).
    #[error(
        "the cipher list keeps no suite that rustls supports (ECDHE or TLS 1.3 with AES-GCM or ChaCha20-Poly1305)"
    )]
    NoUsableCipher,
    /// The suites left cannot be used with the allowed protocol versions.
    #[error("the cipher list and protocol versions leave no usable combination")]
    VersionMismatch,
}

/// A trust store operation that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// Reading or writing a file of the store failed.
    #[error("trust store file {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The input holds no `BEGIN CERTIFICATE` block.
    #[error("no PEM certificate found")]
    NoCertificate,
    /// A PEM block is not valid base64 or PEM framing.
    #[error("malformed PEM: {0}")]
    BadPem(rustls_pki_types::pem::Error),
    /// A certificate is not a valid X.509 structure.
    #[error("certificate {index} is not valid X.509 DER")]
    BadCertificate {
        /// Position of the certificate in the input, from 0.
        index: usize,
    },
    /// No certificate in the store has this name or fingerprint.
    #[error("no certificate named {0:?} in the trust store")]
    NotFound(String),
}

/// Every error of the crate that is not a delivery outcome, for callers that handle them
/// together (the configuration layer and the HTTP API).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A message that cannot be built.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// A TLS policy that cannot be applied.
    #[error(transparent)]
    TlsPolicy(#[from] TlsPolicyError),
    /// A trust store operation that failed.
    #[error(transparent)]
    TrustStore(#[from] TrustStoreError),
}
