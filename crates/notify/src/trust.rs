//! The trust store: certificates the operator imported, kept as PEM files in a directory
//! the caller chooses, plus the certificate summaries shown to the operator.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::TrustStoreError;
use crate::tls::TrustAnchors;

/// What an operator needs to know about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject distinguished name, RFC 4514 form (`CN=…, O=…`).
    pub subject: String,
    /// The issuer distinguished name.
    pub issuer: String,
    /// The subject's common name, if it has one.
    pub common_name: Option<String>,
    /// SHA-256 of the DER, upper-case hex pairs separated by colons (as `openssl x509
    /// -fingerprint -sha256` prints it).
    pub sha256: String,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// Whether subject and issuer are the same name (a root or a self-signed certificate).
    pub self_issued: bool,
    /// Whether the basic constraints say CA.
    pub is_ca: bool,
}

impl CertificateInfo {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let to_time = |seconds: i64| {
            u64::try_from(seconds).map_or(UNIX_EPOCH, |s| UNIX_EPOCH + Duration::from_secs(s))
        };
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_owned);
        Some(Self {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            common_name,
            sha256: fingerprint(der),
            not_before: to_time(cert.validity().not_before.timestamp()),
            not_after: to_time(cert.validity().not_after.timestamp()),
            self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
            is_ca: cert.is_ca(),
        })
    }

    /// Whether `now` is past the end of validity.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        now > self.not_after
    }
}

/// SHA-256 fingerprint as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A certificate in the trust store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCertificate {
    /// The friendly name, unique in the store; also the file name without `.pem`.
    pub name: String,
    /// The summary.
    pub info: CertificateInfo,
    /// The certificate.
    pub der: CertificateDer<'static>,
}

/// Certificates the operator chose to trust, in memory and optionally persisted as one
/// `<name>.pem` file each in a directory (the layout the seed's capture script produces).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    dir: Option<PathBuf>,
    certs: Vec<TrustedCertificate>,
}

impl TrustStore {
    /// An empty store that lives in memory only.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// Opens (creating it if needed) a store in `dir` and loads every `*.pem` file in it.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, TrustStoreError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| TrustStoreError::Io {
            path: dir.clone(),
            source,
        })?;
        let entries = fs::read_dir(&dir).map_err(|source| TrustStoreError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pem"))
            .collect();
        paths.sort();
        let mut certs = Vec::new();
        for path in paths {
            let pem = fs::read(&path).map_err(|source| TrustStoreError::Io {
                path: path.clone(),
                source,
            })?;
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            for der in parse_pem(&pem)? {
                let Some(info) = CertificateInfo::from_der(&der) else {
                    continue;
                };
                certs.push(TrustedCertificate {
                    name: name.to_owned(),
                    info,
                    der,
                });
            }
        }
        Ok(Self {
            dir: Some(dir),
            certs,
        })
    }

    /// Imports every certificate of a PEM text. The first certificate takes `friendly_name`
    /// if given, the others (and all of them when it is `None`) their subject CN; a name
    /// already taken gets a `-2`, `-3`… suffix. A certificate already present (same
    /// fingerprint) is not imported twice. Returns the certificates added.
    pub fn import_pem(
        &mut self,
        pem: &[u8],
        friendly_name: Option<&str>,
    ) -> Result<Vec<TrustedCertificate>, TrustStoreError> {
        let ders = parse_pem(pem)?;
        let mut parsed = Vec::with_capacity(ders.len());
        for (index, der) in ders.into_iter().enumerate() {
            let info =
                CertificateInfo::from_der(&der).ok_or(TrustStoreError::BadCertificate { index })?;
            parsed.push((info, der));
        }
        let mut added = Vec::new();
        for (index, (info, der)) in parsed.into_iter().enumerate() {
            if self.certs.iter().any(|c| c.info.sha256 == info.sha256) {
                continue;
            }
            let wanted = match (index, friendly_name) {
                (0, Some(name)) => name.to_owned(),
                _ => info
                    .common_name
                    .clone()
                    .unwrap_or_else(|| info.sha256.replace(':', "")[..16].to_owned()),
            };
            let name = self.unique_name(&sanitise(&wanted));
            let cert = TrustedCertificate { name, info, der };
            if let Some(dir) = &self.dir {
                write_pem(&dir.join(format!("{}.pem", cert.name)), &cert.der)?;
            }
            self.certs.push(cert.clone());
            added.push(cert);
        }
        Ok(added)
    }

    /// The certificates, in import order.
    pub fn list(&self) -> &[TrustedCertificate] {
        &self.certs
    }

    /// Removes the certificate with this friendly name or SHA-256 fingerprint (with or
    /// without colons, any case); deletes its file.
    pub fn remove(
        &mut self,
        name_or_fingerprint: &str,
    ) -> Result<TrustedCertificate, TrustStoreError> {
        let wanted = name_or_fingerprint.replace(':', "").to_ascii_uppercase();
        let position = self
            .certs
            .iter()
            .position(|c| c.name == name_or_fingerprint || c.info.sha256.replace(':', "") == wanted)
            .ok_or_else(|| TrustStoreError::NotFound(name_or_fingerprint.to_owned()))?;
        let cert = self.certs.remove(position);
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{}.pem", cert.name));
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(TrustStoreError::Io { path, source }),
            }
        }
        Ok(cert)
    }

    /// The certificates that expire before `deadline` (for the 30-day warning).
    pub fn expiring_before(&self, deadline: SystemTime) -> Vec<&TrustedCertificate> {
        self.certs
            .iter()
            .filter(|c| c.info.not_after < deadline)
            .collect()
    }

    /// The trust anchors for a connection: these certificates, with or without the system
    /// roots.
    pub fn anchors(&self, system_roots: bool) -> TrustAnchors {
        TrustAnchors {
            system_roots,
            certificates: self.certs.iter().map(|c| c.der.clone()).collect(),
        }
    }

    fn unique_name(&self, base: &str) -> String {
        let taken = |name: &str| self.certs.iter().any(|c| c.name == name);
        if !taken(base) {
            return base.to_owned();
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|name| !taken(name))
            .unwrap_or_else(|| base.to_owned())
    }
}

/// Every `CERTIFICATE` block of a PEM text, in order.
pub(crate) fn parse_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TrustStoreError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(TrustStoreError::BadPem)?;
    if certs.is_empty() {
        return Err(TrustStoreError::NoCertificate);
    }
    Ok(certs)
}

/// PEM text of one certificate (RFC 7468 §5), 64-character lines.
pub fn to_pem(der: &[u8]) -> String {
    let encoded = crate::message::base64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in encoded.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn write_pem(path: &Path, der: &[u8]) -> Result<(), TrustStoreError> {
    fs::write(path, to_pem(der)).map_err(|source| TrustStoreError::Io {
        path: path.to_owned(),
        source,
    })
}

/// A friendly name usable as a file name: the seed's script strips spaces from the CN; here
/// anything outside `[A-Za-z0-9._-]` is dropped, and a leading dot too (no hidden files, no
/// `..`).
pub(crate) fn sanitise(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "certificate".to_owned()
    } else {
        cleaned.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(cn: &str) -> rcgen::CertifiedKey {
        let mut params = rcgen::CertificateParams::new(vec![cn.to_owned()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        rcgen::CertifiedKey {
            cert,
            key_pair: key,
        }
    }

    #[test]
    fn import_names_by_cn_lists_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let a = cert("Amazon RSA 2048 M02");
        let b = cert("email-smtp.us-east-1.amazonaws.com");
        let bundle = format!("{}{}", a.cert.pem(), b.cert.pem());
        let mut store = TrustStore::open(dir.path()).unwrap();
        let added = store.import_pem(bundle.as_bytes(), None).unwrap();
        let names: Vec<_> = added.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["AmazonRSA2048M02", "email-smtp.us-east-1.amazonaws.com"]
        );
        assert!(dir.path().join("AmazonRSA2048M02.pem").exists());
        assert_eq!(added[0].info.sha256, fingerprint(a.cert.der()));
        assert_eq!(added[0].info.sha256.len(), 32 * 3 - 1);
        assert!(added[0].info.subject.contains("CN=Amazon RSA 2048 M02"));

        // Importing again adds nothing; reopening the directory finds both.
        assert!(
            store
                .import_pem(bundle.as_bytes(), None)
                .unwrap()
                .is_empty()
        );
        let reopened = TrustStore::open(dir.path()).unwrap();
        assert_eq!(reopened.list().len(), 2);

        let fp = added[1].info.sha256.to_ascii_lowercase();
        let removed = store.remove(&fp).unwrap();
        assert_eq!(removed.name, "email-smtp.us-east-1.amazonaws.com");
        assert!(
            !dir.path()
                .join("email-smtp.us-east-1.amazonaws.com.pem")
                .exists()
        );
        assert!(matches!(
            store.remove("nope"),
            Err(TrustStoreError::NotFound(_))
        ));
        assert_eq!(store.anchors(false).certificates.len(), 1);
    }

    #[test]
    fn friendly_name_applies_to_the_first_and_collisions_get_a_suffix() {
        let mut store = TrustStore::in_memory();
        let a = cert("a.example");
        let b = cert("b.example");
        store
            .import_pem(a.cert.pem().as_bytes(), Some("relay"))
            .unwrap();
        let added = store
            .import_pem(b.cert.pem().as_bytes(), Some("relay"))
            .unwrap();
        assert_eq!(added[0].name, "relay-2");
    }

    #[test]
    fn rejects_text_without_certificates() {
        let mut store = TrustStore::in_memory();
        assert!(matches!(
            store.import_pem(b"hello", None),
            Err(TrustStoreError::NoCertificate)
        ));
        let bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            store.import_pem(bad.as_bytes(), None),
            Err(TrustStoreError::BadCertificate { index: 0 })
        ));
    }

    #[test]
    fn pem_round_trip_and_sanitise() {
        let a = cert("x.example");
        let pem = to_pem(a.cert.der());
        assert_eq!(parse_pem(pem.as_bytes()).unwrap()[0], *a.cert.der());
        assert_eq!(sanitise("../../etc/passwd"), "etcpasswd");
        assert_eq!(sanitise("Starfield Services Root"), "StarfieldServicesRoot");
    }
}
