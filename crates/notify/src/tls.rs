//! The TLS policy: protocol versions, the cipher list, and the certificate verifier that
//! records the chain the server presented.
//!
//! rustls offers TLS 1.2 and 1.3 with ECDHE key exchange and AEAD ciphers only; it has no
//! finite-field Diffie-Hellman, no static RSA key exchange, no CBC. That is the policy the
//! seed's troubleshooting table ends up asking for (its addendum removes every DHE suite). A
//! configured cipher list, by IANA or OpenSSL names, narrows the provider's suites for one
//! connection; names of suites rustls deliberately does not implement are reported as
//! ignored, with the reason, instead of failing the whole list.

use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
    SupportedCipherSuite,
};

use crate::error::TlsPolicyError;

/// The lowest protocol version accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MinTlsVersion {
    /// TLS 1.2 and TLS 1.3 (the default: SES and most relays still negotiate 1.2).
    #[default]
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// Why a known cipher suite name is left out of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsupportedReason {
    /// Finite-field Diffie-Hellman (`DHE`/`EDH`): servers often use 1024-bit groups
    /// (the seed's "dh key too small"); rustls does not implement it.
    FiniteFieldDhe,
    /// Static RSA key exchange: no forward secrecy.
    StaticRsa,
    /// CBC mode: not an AEAD cipher.
    Cbc,
    /// AES-CCM: not offered by the rustls provider.
    Ccm,
    /// 3DES, RC4 or NULL: broken.
    Broken,
}

impl UnsupportedReason {
    /// A short English explanation.
    pub fn explain(self) -> &'static str {
        match self {
            Self::FiniteFieldDhe => {
                "finite-field DHE key exchange (often 1024-bit groups) is not supported"
            }
            Self::StaticRsa => "static RSA key exchange has no forward secrecy",
            Self::Cbc => "CBC mode is not an AEAD cipher",
            Self::Ccm => "AES-CCM is not offered by the TLS provider",
            Self::Broken => "the cipher is broken",
        }
    }
}

/// A name from the configured list that the connection will not offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredCipher {
    /// The name as configured.
    pub name: String,
    /// Why it is left out.
    pub reason: UnsupportedReason,
}

/// A validated cipher list: the rustls suites to offer, in the configured order.
#[derive(Debug, Clone)]
pub struct CipherList {
    suites: Vec<SupportedCipherSuite>,
    ignored: Vec<IgnoredCipher>,
}

impl PartialEq for CipherList {
    fn eq(&self, other: &Self) -> bool {
        self.names() == other.names() && self.ignored == other.ignored
    }
}

impl Eq for CipherList {}

impl CipherList {
    /// Parses a list of IANA or OpenSSL suite names separated by `:`, `,` or whitespace
    /// (the seed's `tls-ciphers` file is accepted as is).
    ///
    /// An unknown name is an error that names it. Known suites that rustls does not implement
    /// are kept in [`CipherList::ignored`]; a list left with no usable suite is an error.
    pub fn parse(list: &str) -> Result<Self, TlsPolicyError> {
        let provider = ring::default_provider();
        let mut suites: Vec<SupportedCipherSuite> = Vec::new();
        let mut ignored = Vec::new();
        for name in list
            .split([':', ',', ' ', '\t', '\n', '\r'])
            .filter(|n| !n.is_empty())
        {
            match lookup(name) {
                Some(Known::Supported(iana)) => {
                    let suite = provider
                        .cipher_suites
                        .iter()
                        .find(|s| s.suite().as_str() == Some(iana));
                    if let Some(suite) = suite
                        && !suites.iter().any(|s| s.suite() == suite.suite())
                    {
                        suites.push(*suite);
                    }
                }
                Some(Known::Unsupported(reason)) => ignored.push(IgnoredCipher {
                    name: name.to_owned(),
                    reason,
                }),
                None => return Err(TlsPolicyError::UnknownCipher(name.to_owned())),
            }
        }
        if suites.is_empty() {
            return Err(TlsPolicyError::NoUsableCipher);
        }
        Ok(Self { suites, ignored })
    }

    /// The IANA names of the suites that will be offered.
    pub fn names(&self) -> Vec<&'static str> {
        self.suites
            .iter()
            .filter_map(|s| s.suite().as_str())
            .collect()
    }

    /// The configured names left out, with the reason.
    pub fn ignored(&self) -> &[IgnoredCipher] {
        &self.ignored
    }
}

/// The TLS policy of one SMTP configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsPolicy {
    /// The lowest protocol version.
    pub min_version: MinTlsVersion,
    /// The suites to offer; `None` offers every suite of the provider (ECDHE + AEAD, TLS 1.3).
    pub ciphers: Option<CipherList>,
}

impl TlsPolicy {
    /// Checks that the cipher list and the protocol versions leave a usable combination
    /// (TLS 1.3 only with TLS 1.2 suites only does not), as a connection would.
    pub fn check(&self) -> Result<(), TlsPolicyError> {
        client_config(self, &TrustAnchors::default(), false).map(|_| ())
    }
}

enum Known {
    Supported(&'static str),
    Unsupported(UnsupportedReason),
}

/// (IANA name, OpenSSL name) of every suite rustls's ring provider implements.
const SUPPORTED: &[(&str, &str)] = &[
    ("TLS13_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"),
    ("TLS13_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"),
    (
        "TLS13_CHACHA20_POLY1305_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ),
    (
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ),
];

/// Well-known suites that rustls does not implement, by IANA and OpenSSL name.
const UNSUPPORTED: &[(&str, &str, UnsupportedReason)] = {
    use UnsupportedReason::{Broken, Cbc, Ccm, FiniteFieldDhe, StaticRsa};
    &[
        ("TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", Ccm),
        ("TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", Ccm),
        (
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "AES128-GCM-SHA256",
            StaticRsa,
        ),
        (
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "AES256-GCM-SHA384",
            StaticRsa,
        ),
        ("TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", StaticRsa),
        ("TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", StaticRsa),
        (
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "AES128-SHA256",
            StaticRsa,
        ),
        (
            "TLS_RSA_WITH_AES_256_CBC_SHA256",
            "AES256-SHA256",
            StaticRsa,
        ),
        (
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "DHE-RSA-AES128-GCM-SHA256",
            FiniteFieldDhe,
        ),
        (
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "DHE-RSA-AES256-GCM-SHA384",
            FiniteFieldDhe,
        ),
        (
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "DHE-RSA-CHACHA20-POLY1305",
            FiniteFieldDhe,
        ),
        (
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
            "DHE-RSA-AES128-SHA",
            FiniteFieldDhe,
        ),
        (
            "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
            "DHE-RSA-AES256-SHA",
            FiniteFieldDhe,
        ),
        (
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "DHE-RSA-AES128-SHA256",
            FiniteFieldDhe,
        ),
        (
            "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
            "DHE-RSA-AES256-SHA256",
            FiniteFieldDhe,
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "ECDHE-RSA-AES128-SHA",
            Cbc,
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "ECDHE-RSA-AES256-SHA",
            Cbc,
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "ECDHE-RSA-AES128-SHA256",
            Cbc,
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "ECDHE-RSA-AES256-SHA384",
            Cbc,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "ECDHE-ECDSA-AES128-SHA",
            Cbc,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "ECDHE-ECDSA-AES256-SHA",
            Cbc,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            "ECDHE-ECDSA-AES128-SHA256",
            Cbc,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
            "ECDHE-ECDSA-AES256-SHA384",
            Cbc,
        ),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", Broken),
        ("TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", Broken),
        ("TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", Broken),
    ]
};

/// Finds a suite by IANA or OpenSSL name, case-insensitively. TLS 1.3 suites are accepted
/// with their RFC 8446 names (`TLS_AES_128_GCM_SHA256`) and rustls's (`TLS13_…`).
fn lookup(name: &str) -> Option<Known> {
    for (iana, openssl) in SUPPORTED {
        if name.eq_ignore_ascii_case(iana) || name.eq_ignore_ascii_case(openssl) {
            return Some(Known::Supported(iana));
        }
    }
    for (iana, openssl, reason) in UNSUPPORTED {
        // OpenSSL also spells DHE as EDH in old names.
        let edh = openssl.replacen("DHE-", "EDH-", 1);
        if name.eq_ignore_ascii_case(iana)
            || name.eq_ignore_ascii_case(openssl)
            || (*reason == UnsupportedReason::FiniteFieldDhe && name.eq_ignore_ascii_case(&edh))
        {
            return Some(Known::Unsupported(*reason));
        }
    }
    None
}

/// The trust anchors of one configuration: the system's roots, the trust store's
/// certificates, or both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustAnchors {
    /// Whether the operating system's roots (`/etc/ssl/certs`) are trusted.
    pub system_roots: bool,
    /// Certificates trusted in addition (DER), usually from [`crate::TrustStore`].
    pub certificates: Vec<CertificateDer<'static>>,
}

impl TrustAnchors {
    /// The system roots only.
    pub fn system() -> Self {
        Self {
            system_roots: true,
            certificates: Vec::new(),
        }
    }

    /// Builds the rustls root store. Certificates that are not usable as trust anchors are
    /// skipped (a broken system root must not stop delivery through the others).
    pub(crate) fn root_store(&self) -> RootCertStore {
        let mut store = RootCertStore::empty();
        if self.system_roots {
            store.roots.extend(system_roots().roots.iter().cloned());
        }
        store.add_parsable_certificates(self.certificates.iter().cloned());
        store
    }
}

/// The system roots, loaded once per process from the platform's store (on Linux,
/// `/etc/ssl/certs` or `SSL_CERT_FILE`/`SSL_CERT_DIR`); no network.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut store = RootCertStore::empty();
        let loaded = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(loaded.certs);
        store
    })
}

/// What the verifier saw: the chain the server presented and the verdict on it.
#[derive(Debug, Clone)]
pub(crate) struct Presented {
    /// End-entity first, then the intermediates, as sent.
    pub(crate) chain: Vec<CertificateDer<'static>>,
    /// The validation result against the configured anchors.
    pub(crate) verdict: Result<(), rustls::Error>,
}

/// A server certificate verifier that records the presented chain before deciding, so that
/// a failed validation still leaves the chain for capture and import.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    accept_invalid: bool,
    seen: Mutex<Option<Presented>>,
}

impl RecordingVerifier {
    /// A verifier against `anchors`; with `accept_invalid` it records the verdict but lets
    /// the handshake go on (capture, or the dangerous option).
    pub(crate) fn new(
        anchors: &TrustAnchors,
        provider: Arc<CryptoProvider>,
        accept_invalid: bool,
    ) -> Self {
        let roots = anchors.root_store();
        let inner = if roots.is_empty() {
            None
        } else {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .ok()
        };
        Self {
            inner,
            provider,
            accept_invalid,
            seen: Mutex::new(None),
        }
    }

    /// What the server presented, if the handshake got that far.
    pub(crate) fn presented(&self) -> Option<Presented> {
        self.seen.lock().ok().and_then(|seen| seen.clone())
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match &self.inner {
            Some(inner) => inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| ()),
            // No anchor at all: nothing can validate.
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(Presented {
                chain,
                verdict: verdict.clone(),
            });
        }
        if self.accept_invalid {
            return Ok(ServerCertVerified::assertion());
        }
        verdict.map(|()| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Builds the client configuration of one connection and the verifier that records what
/// the server presents.
pub(crate) fn client_config(
    policy: &TlsPolicy,
    anchors: &TrustAnchors,
    accept_invalid: bool,
) -> Result<(Arc<ClientConfig>, Arc<RecordingVerifier>), TlsPolicyError> {
    let mut provider = ring::default_provider();
    if let Some(ciphers) = &policy.ciphers {
        provider.cipher_suites.clone_from(&ciphers.suites);
    }
    let versions: &[&rustls::SupportedProtocolVersion] = match policy.min_version {
        MinTlsVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        MinTlsVersion::Tls13 => &[&rustls::version::TLS13],
    };
    let provider = Arc::new(provider);
    let verifier = Arc::new(RecordingVerifier::new(
        anchors,
        provider.clone(),
        accept_invalid,
    ));
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|_| TlsPolicyError::VersionMismatch)?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((Arc::new(config), verifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_cipher_list_keeps_ecdhe_and_reports_the_rest() {
        // The list from the seed's addendum, pasted as is.
        let seed = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:\
                    TLS_AES_128_CCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
                    AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
                    ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:AES256-GCM-SHA384";
        let list = CipherList::parse(seed).unwrap();
        assert_eq!(list.names().len(), 9);
        assert_eq!(list.names()[0], "TLS13_AES_128_GCM_SHA256");
        let ignored: Vec<_> = list
            .ignored()
            .iter()
            .map(|i| (i.name.as_str(), i.reason))
            .collect();
        assert_eq!(
            ignored,
            vec![
                ("TLS_AES_128_CCM_SHA256", UnsupportedReason::Ccm),
                ("AES128-GCM-SHA256", UnsupportedReason::StaticRsa),
                ("AES256-GCM-SHA384", UnsupportedReason::StaticRsa),
            ]
        );
    }

    #[test]
    fn unknown_name_is_named_in_the_error() {
        assert_eq!(
            CipherList::parse("ECDHE-RSA-AES128-GCM-SHA256:FOO-BAR").unwrap_err(),
            TlsPolicyError::UnknownCipher("FOO-BAR".to_owned())
        );
    }

    #[test]
    fn dhe_only_list_is_refused() {
        assert_eq!(
            CipherList::parse("DHE-RSA-AES128-GCM-SHA256,EDH-RSA-AES256-SHA").unwrap_err(),
            TlsPolicyError::NoUsableCipher
        );
    }

    #[test]
    fn iana_names_and_duplicates() {
        let list =
            CipherList::parse("tls_ecdhe_rsa_with_aes_128_gcm_sha256 ECDHE-RSA-AES128-GCM-SHA256")
                .unwrap();
        assert_eq!(list.names(), vec!["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
    }

    #[test]
    fn system_roots_are_loaded_only_when_asked() {
        assert!(TrustAnchors::default().root_store().is_empty());
        if std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists() {
            assert!(TrustAnchors::system().root_store().len() > 10);
        }
    }

    #[test]
    fn tls13_only_with_tls12_suites_is_a_mismatch() {
        let policy = TlsPolicy {
            min_version: MinTlsVersion::Tls13,
            ciphers: Some(CipherList::parse("ECDHE-RSA-AES128-GCM-SHA256").unwrap()),
        };
        assert_eq!(
            client_config(&policy, &TrustAnchors::default(), false).err(),
            Some(TlsPolicyError::VersionMismatch)
        );
        assert_eq!(policy.check(), Err(TlsPolicyError::VersionMismatch));
        let tls13 = TlsPolicy {
            min_version: MinTlsVersion::Tls13,
            ciphers: Some(CipherList::parse("TLS_AES_256_GCM_SHA384").unwrap()),
        };
        assert_eq!(tls13.check(), Ok(()));
    }
}
