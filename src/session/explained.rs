//! A session explained line by line: what the TUI shows, what replay steps
//! through, what the lesson checker reads and what the exporters write.

use crate::explain::annotation::Annotation;
use crate::explain::dialogue::{Explainer, Proto};
use crate::explain::fill;
use crate::explain::lang::Lang;
use crate::proto::visible::visible;
use crate::session::capture::notes;
use crate::session::transcript::{Dir, Endpoint, Event, Handshake, Sealed, TcpFacts, Transcript};

/// One line of the transcript, a TLS handshake, or a new connection.
#[derive(Debug, Clone)]
pub struct Entry {
    pub dir: Dir,
    /// For `Dir::Tls`: what was negotiated and the certificate.
    pub handshake: Option<Handshake>,
    /// For `Dir::Open`: where the new connection goes.
    pub open: Option<Endpoint>,
    /// Made visible already: no escape sequence from a server ever reaches the terminal.
    pub text: String,
    pub notes: Vec<Annotation>,
    /// The most serious of the notes (kept when the notes themselves are
    /// dropped to save memory, as a replay does).
    pub worst: Option<crate::explain::annotation::Severity>,
    /// Sent or received inside TLS.
    pub encrypted: bool,
    /// The exact bytes (without the line ending), for `--record`.
    pub raw: Vec<u8>,
    /// Milliseconds since the session started.
    pub at_ms: u64,
    /// From a capture: octets never captured here (no line).
    pub gap: Option<u64>,
    /// From a capture: the encrypted rest of the session.
    pub sealed: Option<Sealed>,
    /// From a capture: the connection under this first line.
    pub tcp: Option<Box<TcpFacts>>,
    /// A line of so many octets, too long to keep (watched, proxied).
    pub long: Option<u64>,
}

impl Entry {
    /// An event explained by `ex` in its current state (an `open` event
    /// starts `ex` again for the new connection's protocol).
    pub fn explained(ex: &mut Explainer, lang: Lang, event: &Event) -> Entry {
        let raw = event.bytes();
        let notes = match &event.open {
            Some(to) => {
                let proto = Proto::parse(&to.protocol).unwrap_or(Proto::Smtp);
                *ex = Explainer::for_proto(proto);
                vec![Annotation::from_key(
                    lang,
                    0..0,
                    format!(
                        "{}:{}",
                        crate::proto::visible::visible_str(&to.host),
                        to.port
                    ),
                    "session.open",
                    &[
                        &crate::proto::visible::visible_str(&to.host),
                        &to.port,
                        &proto.name(),
                    ],
                    crate::explain::annotation::Severity::Info,
                )]
            }
            // A hole or the encrypted rest: the explainer's state does not move.
            None if event.gap.is_some() || event.sealed.is_some() || event.long.is_some() => {
                Vec::new()
            }
            None => ex.entry(lang, event.dir, &raw, event.handshake.as_ref()),
        };
        let mut notes = notes;
        if let Some(octets) = event.gap {
            notes.extend(notes::gap_notes(lang, event.dir, octets));
        }
        if let Some(octets) = event.long {
            notes.push(Annotation::from_key(
                lang,
                0..0,
                fill(lang, "session.long.title", &[&octets]),
                "session.long",
                &[&octets, &crate::session::watch::WATCH_LINE_LIMIT],
                crate::explain::annotation::Severity::Hint,
            ));
        }
        if let Some(s) = &event.sealed {
            notes.extend(notes::sealed_notes(lang, s));
        }
        if let Some(tcp) = &event.tcp {
            // The connection first, then the line.
            let mut all = notes::tcp_notes(lang, tcp);
            all.append(&mut notes);
            notes = all;
        }
        let text = match (&event.handshake, &event.open) {
            _ if event.gap.is_some() => notes::gap_line(lang, event.gap.unwrap_or_default()),
            _ if event.long.is_some() => fill(
                lang,
                "session.long.line",
                &[&event.long.unwrap_or_default()],
            ),
            (None, None) if event.sealed.is_some() => event
                .sealed
                .as_ref()
                .map(|s| notes::sealed_line(lang, s))
                .unwrap_or_default(),
            (Some(h), _) => crate::explain::tls::handshake_line(h),
            (None, Some(to)) => format!(
                "── {}:{} ({}) ──",
                to.host,
                to.port,
                to.protocol.to_uppercase()
            ),
            (None, None) => visible(&raw),
        };
        let worst = notes.iter().map(|n| n.severity).max();
        Entry {
            worst,
            dir: event.dir,
            handshake: event.handshake.clone(),
            open: event.open.clone(),
            text,
            notes,
            encrypted: event.tls,
            raw,
            at_ms: event.t_ms,
            gap: event.gap,
            sealed: event.sealed.clone(),
            tcp: event.tcp.clone(),
            long: event.long,
        }
    }

    /// An event kept as it is, not explained: a proxied or served session
    /// that nobody watches (its record is explained when it is read).
    pub fn kept(event: &Event) -> Entry {
        Entry {
            worst: None,
            dir: event.dir,
            handshake: event.handshake.clone(),
            open: event.open.clone(),
            text: String::new(),
            notes: Vec::new(),
            encrypted: event.tls,
            raw: event.bytes(),
            at_ms: event.t_ms,
            gap: event.gap,
            sealed: event.sealed.clone(),
            tcp: event.tcp.clone(),
            long: event.long,
        }
    }

    /// Back to the recorded event.
    pub fn event(&self) -> Event {
        let mut e = match (&self.handshake, &self.open, &self.sealed, self.gap) {
            (Some(h), _, _, _) => Event::handshake(self.at_ms, h.clone()),
            (None, Some(to), _, _) => Event::open(self.at_ms, to.clone()),
            (None, None, Some(s), _) => Event::sealed(self.at_ms, s.clone()),
            (None, None, None, Some(n)) => Event::gap(self.at_ms, self.dir, n),
            (None, None, None, None) if self.long.is_some() => {
                Event::long_line(self.at_ms, self.dir, self.long.unwrap_or_default())
            }
            (None, None, None, None) => Event::new(self.at_ms, self.dir, &self.raw, self.encrypted),
        };
        e.tcp = self.tcp.clone();
        e
    }
}

/// Every event of a transcript, explained in order.
pub fn explain_transcript(lang: Lang, t: &Transcript) -> Vec<Entry> {
    let proto = Proto::parse(&t.protocol).unwrap_or(Proto::Smtp);
    let mut ex = Explainer::for_proto(proto);
    t.events
        .iter()
        .map(|e| Entry::explained(&mut ex, lang, e))
        .collect()
}
