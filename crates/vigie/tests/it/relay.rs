//! The e-mail tests' peers: vigie-notify's aiosmtpd relay, started by the interop harness
//! ([`vigie_interop::SmtpRelay`]), and a test CA for its certificates.

pub(crate) use vigie_interop::{
    ServerCert, SmtpRelay as Relay, TestPki as Pki, aiosmtpd_available,
};
