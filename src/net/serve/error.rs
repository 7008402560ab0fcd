//! Why `facteur serve` could not start, in the user's language.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::tls;
use crate::explain::catalog::fill;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the store {path}: {source}")]
    Store {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Another process holds the store (RFC-less, but one writer per
    /// Maildir counter: two servers would overwrite each other's mail).
    #[error(
        "the store {path} is already used by another facteur serve (PID {}); stop it first, or give another --store",
        pid.map_or_else(|| "?".to_string(), |p| p.to_string())
    )]
    StoreBusy { path: PathBuf, pid: Option<u32> },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// The server's thread ended before it listened (it said nothing).
    #[error("the server stopped before listening")]
    Ended,
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsSetupError),
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
}

impl ServeError {
    /// In the user's language (a French screen shows no English sentence):
    /// the system's part of the error in words too.
    pub fn describe(&self, lang: crate::explain::Lang) -> String {
        let io = |e: &std::io::Error| crate::explain::diag::io_error(lang, e);
        match self {
            ServeError::Store { path, source } => {
                fill(lang, "net.store.open", &[&path.display(), &io(source)])
            }
            ServeError::StoreBusy { path, pid } => fill(
                lang,
                "net.store.busy",
                &[
                    &path.display(),
                    &pid.map_or_else(|| "?".to_string(), |p| p.to_string()),
                ],
            ),
            ServeError::Bind { addr, source } => fill(lang, "net.bind", &[addr, &io(source)]),
            ServeError::Runtime(source) => fill(lang, "net.serve.runtime", &[&io(source)]),
            ServeError::Ended => crate::explain::catalog::text(lang, "net.serve.ended"),
            ServeError::Tls(e) => e.describe(lang),
            ServeError::CertOut { path, source } => {
                fill(lang, "net.cert_out", &[&path.display(), &io(source)])
            }
            ServeError::RecordDir { path, source } => {
                fill(lang, "net.record_dir", &[&path.display(), &io(source)])
            }
        }
    }
}
