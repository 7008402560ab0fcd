//! Why `facteur proxy` could not start, in the user's language.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::explain::catalog::fill;
use crate::explain::lang::Lang;

impl ProxyError {
    /// In the user's language where it is the user's to fix (a port in use).
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            ProxyError::Bind { addr, source } => fill(
                lang,
                "net.bind",
                &[addr, &crate::explain::diag::io_error(lang, source)],
            ),
            ProxyError::World(e) => e.describe(lang),
            ProxyError::Runtime(source) => fill(
                lang,
                "net.serve.runtime",
                &[&crate::explain::diag::io_error(lang, source)],
            ),
            ProxyError::Tls(e) => e.describe(lang),
            ProxyError::Connector => crate::explain::catalog::text(lang, "net.tls_config"),
            ProxyError::CertOut { path, source } => fill(
                lang,
                "net.cert_out",
                &[
                    &path.display(),
                    &crate::explain::diag::io_error(lang, source),
                ],
            ),
            ProxyError::RecordDir { path, source } => fill(
                lang,
                "net.record_dir",
                &[
                    &path.display(),
                    &crate::explain::diag::io_error(lang, source),
                ],
            ),
        }
    }
}

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("TLS: {0}")]
    Tls(#[from] crate::net::tls::TlsSetupError),
    #[error("cannot configure TLS towards the upstream")]
    Connector,
    #[error("cannot write the certificate to {path}: {source}")]
    CertOut {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the record directory {path}: {source}")]
    RecordDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the simulated world: {0}")]
    World(#[from] crate::net::serve::ServeError),
}
