//! TLS for the simulated servers: a self-signed certificate made at start
//! (rcgen) for every host name of the world, served by rustls with the ring
//! provider only.

use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot make the certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot configure TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A server configuration and the certificate in PEM (to give to clients).
pub struct ServerTls {
    pub config: Arc<ServerConfig>,
    pub cert_pem: String,
}

/// Make a self-signed certificate for `names` and a rustls server config.
pub fn self_signed(names: Vec<String>) -> Result<ServerTls, TlsSetupError> {
    let certified = rcgen::generate_simple_self_signed(names)?;
    let cert_pem = certified.cert.pem();
    let cert: CertificateDer<'static> = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)?;
    Ok(ServerTls {
        config: Arc::new(config),
        cert_pem,
    })
}
