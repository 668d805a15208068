//! Capturing the certificate chain a relay presents, whether or not it validates: what the
//! seed does by hand with `openssl s_client -showcerts` and `awk`.

use rustls::CertificateError;
use rustls::pki_types::CertificateDer;

use crate::client::{NegotiatedTls, Session, TlsSetup};
use crate::config::{Encryption, SmtpConfig};
use crate::failure::{CertificateProblem, DeliveryFailure};
use crate::tls::TrustAnchors;
use crate::trust::{CertificateInfo, sanitise, to_pem};

/// One certificate of a captured chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedCertificate {
    /// The summary (subject, issuer, fingerprint, validity).
    pub info: CertificateInfo,
    /// The certificate as sent.
    pub der: CertificateDer<'static>,
}

impl CapturedCertificate {
    /// The PEM text, ready for [`crate::TrustStore::import_pem`] or a file.
    pub fn pem(&self) -> String {
        to_pem(&self.der)
    }

    /// The file name the seed's script would give it: the CN without spaces, `.pem`.
    pub fn file_name(&self) -> String {
        let base = self
            .info
            .common_name
            .clone()
            .unwrap_or_else(|| self.info.sha256.replace(':', ""));
        format!("{}.pem", sanitise(&base))
    }
}

/// The chain a server presented and the verdict on it.
#[derive(Debug, Clone)]
pub struct CapturedChain {
    /// End-entity first, then the intermediates, in the order the server sent them.
    pub certificates: Vec<CapturedCertificate>,
    /// `Ok` if the chain validates now against the anchors given, else why not.
    pub validation: Result<(), CertificateProblem>,
    /// The negotiated TLS parameters.
    pub tls: Option<NegotiatedTls>,
}

/// Connects to `host:port`, performs STARTTLS or implicit TLS, and returns the chain the
/// server presents, even when it does not validate against `trust`. No AUTH, no mail.
///
/// [`Encryption::None`] is probed with STARTTLS: a chain exists only over TLS.
pub async fn capture_chain(
    host: &str,
    port: u16,
    encryption: Encryption,
    trust: &TrustAnchors,
) -> Result<CapturedChain, DeliveryFailure> {
    let mut config = SmtpConfig::new(host, port, "capture@localhost");
    config.encryption = match encryption {
        Encryption::ImplicitTls => Encryption::ImplicitTls,
        Encryption::StartTls | Encryption::None => Encryption::StartTls,
    };
    config.trust = trust.clone();
    capture_with(&config).await
}

/// [`capture_chain`] with every setting (timeouts, TLS policy) of `config`.
pub async fn capture_with(config: &SmtpConfig) -> Result<CapturedChain, DeliveryFailure> {
    // Record the verdict but let the handshake finish: the server then proves it holds the
    // key of the certificate it presented.
    let setup = TlsSetup::new(config, true)?;
    let session = Session::open_with(config, setup).await?;
    let presented = session.presented.clone();
    let tls = session.negotiated();
    session.close().await;
    let Some(presented) = presented else {
        return Err(DeliveryFailure::Tls {
            stage: crate::failure::Stage::TlsHandshake,
            error: rustls::Error::NoCertificatesPresented,
        });
    };
    let validation = presented.verdict.map_err(|error| {
        let cert_error = match error {
            rustls::Error::InvalidCertificate(e) => e,
            _ => CertificateError::BadEncoding,
        };
        CertificateProblem::from_rustls(&cert_error, &presented.chain, &config.server)
    });
    let certificates = presented
        .chain
        .into_iter()
        .filter_map(|der| {
            CertificateInfo::from_der(&der).map(|info| CapturedCertificate { info, der })
        })
        .collect();
    Ok(CapturedChain {
        certificates,
        validation,
        tls,
    })
}
