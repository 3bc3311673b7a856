//! The rustls configuration (ring provider) handed to reqwest.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;

use crate::config::TlsMode;
use crate::error::IpoError;

fn certs(pem: &str) -> Result<Vec<CertificateDer<'static>>, IpoError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| IpoError::Tls(format!("unreadable PEM: {e}")))?;
    if certs.is_empty() {
        return Err(IpoError::Tls("the PEM holds no certificate".into()));
    }
    Ok(certs)
}

/// Builds the rustls client configuration for `mode`.
pub fn client_config(mode: &TlsMode) -> Result<ClientConfig, IpoError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| IpoError::Tls(e.to_string()))?;
    let config = match mode {
        TlsMode::PublicRoots => {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        TlsMode::TrustCa(pem) => {
            let mut roots = RootCertStore::empty();
            for c in certs(pem)? {
                roots
                    .add(c)
                    .map_err(|e| IpoError::Tls(format!("certificate not usable as a root: {e}")))?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        TlsMode::PinnedCertificate(pem) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Pinned {
                certs: Some(certs(pem)?),
                provider,
            }))
            .with_no_client_auth(),
        TlsMode::InsecureAcceptAnyCertificate => {
            tracing::warn!(
                "TLS certificate verification is OFF (TlsMode::InsecureAcceptAnyCertificate): the IP Office password and configuration can be intercepted"
            );
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Pinned {
                    certs: None,
                    provider,
                }))
                .with_no_client_auth()
        }
    };
    Ok(config)
}

/// Accepts the pinned certificates only (or, with `None`, anything), and still checks that
/// the server holds the key of the certificate it showed.
#[derive(Debug)]
struct Pinned {
    certs: Option<Vec<CertificateDer<'static>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.certs {
            None => Ok(ServerCertVerified::assertion()),
            Some(pins) if pins.iter().any(|c| c.as_ref() == end_entity.as_ref()) => {
                Ok(ServerCertVerified::assertion())
            }
            Some(_) => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
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
        verify_tls13_signature(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_build_or_fail_clearly() {
        assert!(client_config(&TlsMode::PublicRoots).is_ok());
        assert!(client_config(&TlsMode::InsecureAcceptAnyCertificate).is_ok());
        assert!(matches!(
            client_config(&TlsMode::TrustCa("not a pem".into())),
            Err(IpoError::Tls(_))
        ));
        assert!(matches!(
            client_config(&TlsMode::PinnedCertificate(String::new())),
            Err(IpoError::Tls(_))
        ));
    }
}
