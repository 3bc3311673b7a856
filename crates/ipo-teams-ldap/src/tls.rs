//! LDAPS: the rustls acceptor built from PEM files (ring provider, the workspace's one).

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::error::ConfigError;

pub(crate) fn load_acceptor(files: &TlsFiles) -> Result<TlsAcceptor, ConfigError> {
    let cert_err = |reason: String| ConfigError::Tls {
        what: "certificate",
        path: files.certificate_chain.clone(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(&files.certificate_chain)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if certs.is_empty() {
        return Err(cert_err("no certificate in the file".into()));
    }
    // The key's own error text never includes key material.
    let key = PrivateKeyDer::from_pem_file(&files.private_key).map_err(|e| ConfigError::Tls {
        what: "private key",
        path: files.private_key.clone(),
        reason: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| cert_err(e.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
