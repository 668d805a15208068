//! The e-mail tests' peers: vigie-notify's aiosmtpd relay, started by the interop harness
//! ([`vigie_interop::SmtpRelay`]), and a test CA for its certificates.

use std::path::PathBuf;

use tempfile::TempDir;
pub(crate) use vigie_interop::{SmtpRelay as Relay, aiosmtpd_available};

/// A test CA and the server certificates it signs, as PEM files.
pub(crate) struct Pki {
    dir: TempDir,
    ca_cert: rcgen::Certificate,
    ca_key: rcgen::KeyPair,
}

impl Pki {
    pub(crate) fn new(ca_name: &str) -> Self {
        let dir = tempfile::tempdir().expect("test peer setup");
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).expect("test peer setup");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, ca_name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = rcgen::KeyPair::generate().expect("test peer setup");
        let ca_cert = params.self_signed(&ca_key).expect("test peer setup");
        Self {
            dir,
            ca_cert,
            ca_key,
        }
    }

    /// Writes `<name>.crt` (the server certificate for 127.0.0.1, CN `relay.test`, then the
    /// CA, as relays send the chain) and `<name>.key`.
    pub(crate) fn server(&self, name: &str) -> (PathBuf, PathBuf) {
        let mut params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("test peer setup");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "relay.test");
        let key = rcgen::KeyPair::generate().expect("test peer setup");
        let cert = params
            .signed_by(&key, &self.ca_cert, &self.ca_key)
            .expect("test peer setup");
        let cert_path = self.dir.path().join(format!("{name}.crt"));
        let key_path = self.dir.path().join(format!("{name}.key"));
        std::fs::write(&cert_path, format!("{}{}", cert.pem(), self.ca_cert.pem()))
            .expect("test peer setup");
        std::fs::write(&key_path, key.serialize_pem()).expect("test peer setup");
        (cert_path, key_path)
    }
}
