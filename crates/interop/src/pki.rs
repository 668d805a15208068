//! A test certificate authority and the server certificates it signs, as PEM files in a
//! temporary directory, for the relays and TLS servers of the e-mail tests.

use std::path::PathBuf;

use tempfile::TempDir;

/// A private CA.
pub struct TestPki {
    dir: TempDir,
    ca_cert: rcgen::Certificate,
    ca_key: rcgen::KeyPair,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPki")
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

/// Which server certificate to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCert {
    /// Valid for 127.0.0.1 and localhost, signed by the CA.
    Good,
    /// Signed by the CA, expired in 2001.
    Expired,
    /// Signed by the CA, for another name only.
    OtherName,
    /// Self-signed.
    SelfSigned,
}

impl TestPki {
    /// A CA named `ca_name` (its common name).
    pub fn new(ca_name: &str) -> Self {
        let dir = tempfile::tempdir().expect("a directory for the test CA");
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, ca_name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = rcgen::KeyPair::generate().expect("a CA key");
        let ca_cert = params.self_signed(&ca_key).expect("the CA certificate");
        Self {
            dir,
            ca_cert,
            ca_key,
        }
    }

    /// The CA certificate, DER.
    pub fn ca_der(&self) -> Vec<u8> {
        self.ca_cert.der().to_vec()
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> String {
        self.ca_cert.pem()
    }

    /// The directory the files are written to.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Writes `<name>.crt` (the server certificate, CN `relay.test`, then the CA, as relays
    /// send the chain; alone when self-signed) and `<name>.key`; returns their paths.
    pub fn server(&self, name: &str, kind: ServerCert) -> (PathBuf, PathBuf) {
        let names = match kind {
            ServerCert::OtherName => vec!["mail.example.test".to_owned()],
            _ => vec!["127.0.0.1".to_owned(), "localhost".to_owned()],
        };
        let mut params = rcgen::CertificateParams::new(names).expect("server parameters");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "relay.test");
        if kind == ServerCert::Expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let key = rcgen::KeyPair::generate().expect("a server key");
        let chain = if kind == ServerCert::SelfSigned {
            params.self_signed(&key).expect("a certificate").pem()
        } else {
            let cert = params
                .signed_by(&key, &self.ca_cert, &self.ca_key)
                .expect("a certificate");
            format!("{}{}", cert.pem(), self.ca_cert.pem())
        };
        let cert_path = self.dir.path().join(format!("{name}.crt"));
        let key_path = self.dir.path().join(format!("{name}.key"));
        std::fs::write(&cert_path, chain).expect("write the certificate");
        std::fs::write(&key_path, key.serialize_pem()).expect("write the key");
        (cert_path, key_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_server_certificate_is_chained_to_the_ca() {
        let pki = TestPki::new("Interop Test CA");
        let (cert, key) = pki.server("relay", ServerCert::Good);
        let chain = std::fs::read_to_string(cert).unwrap();
        assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(chain.ends_with(&pki.ca_pem()));
        assert!(
            std::fs::read_to_string(key)
                .unwrap()
                .contains("PRIVATE KEY")
        );
        let (alone, _) = pki.server("self", ServerCert::SelfSigned);
        let alone = std::fs::read_to_string(alone).unwrap();
        assert_eq!(alone.matches("BEGIN CERTIFICATE").count(), 1);
        assert!(!alone.contains(&pki.ca_pem()));
    }
}
