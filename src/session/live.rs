//! The live-session engine: one session being typed (or relayed), without
//! any UI. It holds the link, the explained lines, the explainer's state and
//! its snapshots, and turns what the student sends and what the server
//! answers into explained entries. The TUI is this plus what it shows; the
//! lesson runner plays a lesson's commands through it; a proxy feeds it
//! both sides of a real client's dialogue.
//!
//! It talks to its connection through [`Wire`], so it names neither the
//! simulated world nor the network: `net::link` implements it for both.
//!
//! Only the last [`KEEP_NOTES`] lines keep their explanations; older ones
//! keep their text and worst severity and are explained again from a
//! snapshot of the explainer (taken every [`SNAPSHOT_EVERY`] lines) when
//! looked at. The scrollback is bounded ([`SCROLLBACK`]) and cut at a
//! snapshot, so every line kept can always be explained again: a
//! 100,000-line session holds text, not 100,000 explanations.

use std::collections::VecDeque;

use crate::explain::annotation::Annotation;
use crate::explain::diag::Describe;
use crate::explain::dialogue::Explainer;
use crate::explain::lang::Lang;
use crate::proto::tls::Handshake;
use crate::proto::{Dir, Proto};
use crate::session::explained::Entry;
use crate::session::transcript::{Endpoint, Event, Transcript, VERSION};

/// Lines kept in the transcript (older ones are dropped).
pub const SCROLLBACK: usize = 100_000;
/// The newest lines that keep their explanations.
pub const KEEP_NOTES: usize = 2_000;
/// A snapshot of the explainer every this many lines.
pub const SNAPSHOT_EVERY: usize = 256;

/// What a connection is, as the engine needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireInfo {
    pub host: String,
    pub port: u16,
    pub proto: Proto,
    /// TLS is up: lines now travel encrypted.
    pub tls: bool,
    pub closed: bool,
    /// A real server (not the simulated world).
    pub remote: bool,
    /// The protocol was guessed from the port: the greeting decides
    /// (`+OK` → POP3, `220` → SMTP).
    pub detect_proto: bool,
}

/// What a connection brought.
#[derive(Debug)]
pub enum Incoming {
    /// A complete line from the server (without its ending), and whether
    /// it came inside TLS.
    Line(Vec<u8>, bool),
    /// The TCP connection is up: the server's address, ours, and how long
    /// the three-way handshake took (empty addresses: not known).
    Connected {
        peer: String,
        local: String,
        handshake_us: u64,
    },
    /// A TLS handshake completed; lines after it are encrypted.
    Tls(Handshake),
    /// The server closed the connection.
    Closed,
    /// The connection or the handshake failed, and why.
    Failed(Box<dyn Describe + Send>),
    /// Octets the server sent after its TLS go-ahead, in the same packet:
    /// discarded (CVE-2011-0411).
    Injected(usize),
    /// Lines typed after STARTTLS/STLS, held and not sent (it was refused).
    NotSent(usize),
}

/// A connection the engine drives: the simulated world in memory, a real
/// server, or none (a replay). `send` returns what came back at once (the
/// simulated world answers immediately), `poll` what came since.
pub trait Wire {
    fn info(&self) -> &WireInfo;
    fn info_mut(&mut self) -> &mut WireInfo;
    fn send(&mut self, bytes: &[u8]) -> Vec<Incoming>;
    fn poll(&mut self) -> Vec<Incoming>;
    fn close(&mut self);
}

/// Something the engine noticed that a UI may want to say.
#[derive(Debug)]
pub enum Happened {
    Connected(String),
    Tls(Handshake),
    Closed,
    Failed(Box<dyn Describe + Send>),
    Injected(usize),
    NotSent(usize),
    /// The greeting said which protocol this is (it differed from the guess).
    ProtoFound(Proto),
    /// The greeting is neither SMTP's `220` nor POP3's `+OK`.
    UnknownGreeting,
}

/// A live session.
#[derive(Debug)]
pub struct Live<W> {
    pub lang: Lang,
    pub link: W,
    pub entries: Vec<Entry>,
    pub explainer: Explainer,
    /// The explainer's state before line (absolute number) n, every
    /// [`SNAPSHOT_EVERY`] lines.
    pub snapshots: VecDeque<(usize, Explainer)>,
    /// Lines dropped from the front of the scrollback so far.
    pub dropped: usize,
    /// How many lines the scrollback keeps ([`SCROLLBACK`]).
    pub scrollback: usize,
    /// The first connection of the session (later ones are `open` entries).
    pub origin: Endpoint,
    /// Unix time the session started, and milliseconds since (the caller
    /// reads the clock and sets them; the engine never does).
    pub started: i64,
    pub elapsed_ms: u64,
    /// Explain each line as it comes (true). False for a session nobody
    /// looks at live (a proxy without its TUI): lines are only kept, for
    /// the record, and the explainer's state does not move.
    pub explain: bool,
    /// The TCP connection just made (real addresses, handshake timing),
    /// recorded with its first line: an export to pcapng then uses the
    /// real addresses, and the explanation shows the handshake.
    pub tcp_pending: Option<Box<crate::session::transcript::TcpFacts>>,
}

impl<W: Wire> Live<W> {
    pub fn new(lang: Lang, link: W, started: i64) -> Live<W> {
        let info = link.info();
        let origin = Endpoint {
            host: info.host.clone(),
            port: info.port,
            protocol: info.proto.word().into(),
        };
        Live {
            lang,
            explainer: Explainer::for_proto(info.proto),
            link,
            entries: Vec::new(),
            snapshots: VecDeque::new(),
            dropped: 0,
            scrollback: SCROLLBACK,
            origin,
            started,
            elapsed_ms: 0,
            explain: true,
            tcp_pending: None,
        }
    }

    /// The protocol of the session's first connection.
    pub fn first_proto(&self) -> Proto {
        Proto::parse(&self.origin.protocol).unwrap_or(self.link.info().proto)
    }

    /// Explain an event in the session's state and add it. Returns how
    /// many lines were dropped from the front (past the scrollback).
    pub fn push_event(&mut self, mut event: Event) -> usize {
        if matches!(event.dir, Dir::Client | Dir::Server) && event.tcp.is_none() {
            event.tcp = self.tcp_pending.take();
        }
        let abs = self.dropped + self.entries.len();
        if abs.is_multiple_of(SNAPSHOT_EVERY) {
            self.snapshots.push_back((abs, self.explainer.clone()));
        }
        let e = if self.explain {
            Entry::explained(&mut self.explainer, self.lang, &event)
        } else {
            Entry::kept(&event)
        };
        self.entries.push(e);
        if let Some(old) = self
            .entries
            .len()
            .checked_sub(KEEP_NOTES + 1)
            .and_then(|i| self.entries.get_mut(i))
        {
            old.notes = Vec::new();
        }
        if self.entries.len() > self.scrollback {
            self.drop_oldest()
        } else {
            0
        }
    }

    /// Past the scrollback, the oldest tenth or so goes at once (amortised:
    /// no shifting of 100,000 lines at every new one), up to a snapshot.
    fn drop_oldest(&mut self) -> usize {
        let want = self.dropped + self.entries.len() - self.scrollback * 9 / 10;
        let Some(cut) = self.snapshots.iter().map(|(a, _)| *a).find(|a| *a >= want) else {
            return 0;
        };
        let excess = cut - self.dropped;
        self.entries.drain(..excess);
        self.dropped = cut;
        while self.snapshots.front().is_some_and(|(a, _)| *a < cut) {
            self.snapshots.pop_front();
        }
        excess
    }

    /// A line, at the session's time, in or out of TLS as the link is now.
    pub fn push(&mut self, dir: Dir, raw: &[u8]) -> usize {
        let encrypted = self.link.info().tls;
        self.push_as(dir, raw, encrypted)
    }

    pub fn push_as(&mut self, dir: Dir, raw: &[u8], encrypted: bool) -> usize {
        self.push_event(Event::new(self.elapsed_ms, dir, raw, encrypted))
    }

    /// Server bytes arrive: split into lines (any ending), each explained.
    pub fn receive(&mut self, bytes: &[u8]) -> usize {
        crate::proto::data::split_lines(bytes)
            .into_iter()
            .map(|line| self.push(Dir::Server, line))
            .sum()
    }

    /// Send a line exactly as typed, with CRLF (facteur never rewrites a
    /// command), and take in what came back at once.
    pub fn send_line(&mut self, line: &str) -> Vec<Happened> {
        if self.link.info().closed {
            return Vec::new();
        }
        self.push(Dir::Client, line.as_bytes());
        let mut wire = line.as_bytes().to_vec();
        wire.extend_from_slice(b"\r\n");
        let back = self.link.send(&wire);
        self.take(back)
    }

    /// What the link brought since the last look.
    pub fn poll(&mut self) -> Vec<Happened> {
        let back = self.link.poll();
        self.take(back)
    }

    fn take(&mut self, incoming: Vec<Incoming>) -> Vec<Happened> {
        let mut out = Vec::new();
        for i in incoming {
            match i {
                Incoming::Line(l, encrypted) => {
                    if self.link.info().detect_proto {
                        out.extend(self.detect_protocol(&l));
                    }
                    self.push_as(Dir::Server, &l, encrypted);
                }
                Incoming::Tls(h) => {
                    self.link.info_mut().tls = true;
                    self.push_event(Event::handshake(self.elapsed_ms, h.clone()));
                    out.push(Happened::Tls(h));
                }
                Incoming::Connected {
                    peer,
                    local,
                    handshake_us,
                } => {
                    if !peer.is_empty() && !local.is_empty() {
                        // RFC 9293 §3.5: SYN when connect() was called, the
                        // SYN-ACK and our ACK when it returned.
                        let syn = (self.elapsed_ms * 1000).saturating_sub(handshake_us);
                        let now = syn + handshake_us;
                        self.tcp_pending = Some(Box::new(crate::session::transcript::TcpFacts {
                            client: local,
                            server: peer.clone(),
                            syn_us: Some(syn),
                            syn_ack_us: Some(now),
                            ack_us: Some(now),
                            ends: Vec::new(),
                        }));
                    }
                    out.push(Happened::Connected(peer));
                }
                Incoming::Closed => {
                    self.link.info_mut().closed = true;
                    out.push(Happened::Closed);
                }
                Incoming::Failed(why) => {
                    self.link.info_mut().closed = true;
                    out.push(Happened::Failed(why));
                }
                Incoming::Injected(n) => out.push(Happened::Injected(n)),
                Incoming::NotSent(n) => out.push(Happened::NotSent(n)),
            }
        }
        out
    }

    /// The first line of a server whose protocol was only guessed from the
    /// port: `+OK` is POP3 (RFC 1939 §4), `220` SMTP (RFC 5321 §4.3.1).
    fn detect_protocol(&mut self, greeting: &[u8]) -> Option<Happened> {
        self.link.info_mut().detect_proto = false;
        let found = if greeting.starts_with(b"+OK") {
            Proto::Pop3
        } else if greeting.starts_with(b"220") {
            Proto::Smtp
        } else {
            return Some(Happened::UnknownGreeting);
        };
        if found == self.link.info().proto {
            return None;
        }
        self.link.info_mut().proto = found;
        if self.entries.iter().all(|e| e.dir != Dir::Open) {
            self.origin.protocol = found.word().into();
        }
        self.explainer = Explainer::for_proto(found);
        Some(Happened::ProtoFound(found))
    }

    /// A new connection goes on in the same session (the link now goes
    /// elsewhere): an `open` line starts the explainer again for it.
    pub fn opened(&mut self) -> usize {
        let info = self.link.info();
        let to = Endpoint {
            host: info.host.clone(),
            port: info.port,
            protocol: info.proto.word().into(),
        };
        self.push_event(Event::open(self.elapsed_ms, to))
    }

    /// End the connection.
    pub fn close(&mut self) {
        self.link.close();
    }

    /// Explain every line again in `lang` (after a language change): from
    /// the first snapshot, in the same pass as new lines are explained.
    pub fn reexplain(&mut self, lang: Lang) {
        self.lang = lang;
        let mut ex = match self.snapshots.front() {
            Some((a, s)) if *a == self.dropped => s.clone(),
            _ => Explainer::for_proto(self.first_proto()),
        };
        let mut snapshots = VecDeque::new();
        let keep_from = self.entries.len().saturating_sub(KEEP_NOTES);
        for (i, e) in self.entries.iter_mut().enumerate() {
            let abs = self.dropped + i;
            if abs.is_multiple_of(SNAPSHOT_EVERY) {
                snapshots.push_back((abs, ex.clone()));
            }
            let again = Entry::explained(&mut ex, lang, &e.event());
            e.worst = again.worst;
            e.notes = if i >= keep_from {
                again.notes
            } else {
                Vec::new()
            };
        }
        self.snapshots = snapshots;
        self.explainer = ex;
    }

    /// The notes of line `i`: kept, or explained again from the nearest
    /// snapshot.
    pub fn notes(&self, i: usize) -> Vec<Annotation> {
        let Some(e) = self.entries.get(i) else {
            return Vec::new();
        };
        if !e.notes.is_empty() || e.worst.is_none() {
            return e.notes.clone();
        }
        let abs = self.dropped + i;
        let Some((start, snap)) = self.snapshots.iter().rev().find(|(a, _)| *a <= abs) else {
            return Vec::new();
        };
        let mut ex = snap.clone();
        let mut out = Vec::new();
        for e in &self.entries[start - self.dropped..=i] {
            out = Entry::explained(&mut ex, self.lang, &e.event()).notes;
        }
        out
    }

    /// The session as a transcript (`--record`, F6, export).
    pub fn transcript(&self) -> Transcript {
        Transcript {
            version: VERSION,
            host: self.origin.host.clone(),
            port: self.origin.port,
            protocol: self.origin.protocol.clone(),
            simulated: !self.link.info().remote,
            started: self.started,
            events: self.entries.iter().map(Entry::event).collect(),
        }
    }
}
