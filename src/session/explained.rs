//! A session explained line by line: what the TUI shows, what replay steps
//! through, what the lesson checker reads and what the exporters write.

use crate::explain::annotation::Annotation;
use crate::explain::lang::Lang;
use crate::explain::session::{Explainer, Proto};
use crate::proto::visible::visible;
use crate::session::transcript::{Dir, Handshake, Transcript};

/// One line of the transcript, or a TLS handshake.
#[derive(Debug, Clone)]
pub struct Entry {
    pub dir: Dir,
    /// For `Dir::Tls`: what was negotiated and the certificate.
    pub handshake: Option<Handshake>,
    /// Made visible already: no escape sequence from a server ever reaches the terminal.
    pub text: String,
    pub notes: Vec<Annotation>,
    /// Sent or received inside TLS.
    pub encrypted: bool,
    /// The exact bytes (without the line ending), for `--record`.
    pub raw: Vec<u8>,
    /// Milliseconds since the session started.
    pub at_ms: u64,
}

impl Entry {
    /// A line (or a handshake), explained by `ex` in its current state.
    pub fn explained(
        ex: &mut Explainer,
        lang: Lang,
        dir: Dir,
        raw: &[u8],
        handshake: Option<Handshake>,
        encrypted: bool,
        at_ms: u64,
    ) -> Entry {
        let notes = ex.entry(lang, dir, raw, handshake.as_ref());
        let text = match &handshake {
            Some(h) => crate::explain::tls::handshake_line(h),
            None => visible(raw),
        };
        Entry {
            dir,
            handshake,
            text,
            notes,
            encrypted,
            raw: raw.to_vec(),
            at_ms,
        }
    }
}

/// Every event of a transcript, explained in order.
pub fn explain_transcript(lang: Lang, t: &Transcript) -> Vec<Entry> {
    let proto = Proto::parse(&t.protocol).unwrap_or(Proto::Smtp);
    let mut ex = Explainer::for_proto(proto);
    t.events
        .iter()
        .map(|e| {
            Entry::explained(
                &mut ex,
                lang,
                e.dir,
                &e.bytes(),
                e.handshake.clone(),
                e.tls,
                e.t_ms,
            )
        })
        .collect()
}
