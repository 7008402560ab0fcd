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
    /// The certificate (DER), to describe it in a handshake event.
    pub cert_der: Vec<u8>,
}

/// Make a self-signed certificate for `names` and a rustls server config.
/// It says what it is (CN "facteur lab … self-signed", organisation
/// "facteur") and is valid from yesterday for one year, so that what a
/// student reads in the TLS event looks like a real certificate's.
pub fn self_signed(names: Vec<String>) -> Result<ServerTls, TlsSetupError> {
    self_signed_as(names, "facteur lab server (self-signed)")
}

/// The same with another common name: `facteur proxy` says in its
/// certificate that it intercepts ([`crate::proto::tls::PROXY_CN`]).
pub fn self_signed_as(names: Vec<String>, common_name: &str) -> Result<ServerTls, TlsSetupError> {
    let mut params = rcgen::CertificateParams::new(names)?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, common_name);
    dn.push(rcgen::DnType::OrganizationName, "facteur");
    params.distinguished_name = dn;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = crate::proto::date::civil_from_days((now - 86_400).div_euclid(86_400));
    params.not_before = rcgen::date_time_ymd(y as i32, m as u8, d as u8);
    params.not_after = rcgen::date_time_ymd(y as i32 + 1, m as u8, d.min(28) as u8);
    let key_pair = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key_pair)?;
    let cert_pem = cert.pem();
    let cert: CertificateDer<'static> = cert.der().clone();
    let cert_der = cert.to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)?;
    Ok(ServerTls {
        config: Arc::new(config),
        cert_pem,
        cert_der,
    })
}

/// The TLS facts of a connection (either side): version and cipher, as
/// rustls names them.
pub(crate) fn tls_facts(c: &rustls::CommonState) -> (String, String) {
    let version = c
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    let cipher = c
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    (version, cipher)
}
