//! What a watcher sees of one connection, without I/O (the proxy's
//! connections, and the room server's with `--record-dir` or `--watch`): both directions'
//! bytes are framed into lines and pushed into a [`Live`] session (client
//! lines `C:`, server lines `S:`), which explains them in the session's
//! state exactly as a typed session. It also notices what the relay must
//! act on: the greeting's protocol, STARTTLS/STLS and its go-ahead, QUIT,
//! and the account once a login succeeded (for the record's name). With a
//! [`Room`], each new line is published there for a watching TUI.

use crate::explain::lang::Lang;
use crate::proto::line::LineReader;
use crate::proto::tls::Handshake;
use crate::proto::{Dir, Proto};
use crate::session::live::{Incoming, Live, Wire, WireInfo};
use crate::session::room::{Room, phase_key};
use crate::session::transcript::Event;
use crate::session::transcript::Transcript;

/// The longest line the watcher keeps to explain (the bytes themselves are
/// forwarded whatever their length): bounds its memory per connection.
pub const WATCH_LINE_LIMIT: usize = 64 * 1024;

/// The proxy's side of the engine: it sends nothing (the proxy forwards
/// the client's own bytes); the server's lines are queued here by the
/// watcher and taken by [`Live::poll`], so the engine detects the protocol
/// from the greeting itself.
#[derive(Debug)]
pub struct ProxyWire {
    info: WireInfo,
    queue: Vec<Incoming>,
}

impl Wire for ProxyWire {
    fn info(&self) -> &WireInfo {
        &self.info
    }
    fn info_mut(&mut self) -> &mut WireInfo {
        &mut self.info
    }
    fn send(&mut self, _: &[u8]) -> Vec<Incoming> {
        Vec::new()
    }
    fn poll(&mut self) -> Vec<Incoming> {
        std::mem::take(&mut self.queue)
    }
    fn close(&mut self) {
        self.info.closed = true;
    }
}

/// Where a login stands, to learn the account name.
#[derive(Debug, Default)]
enum Login {
    #[default]
    None,
    /// AUTH PLAIN or LOGIN sent without its credentials: the next client
    /// line carries them (PLAIN: the whole; LOGIN: the user name first).
    AwaitPlain,
    AwaitLoginUser,
    /// AUTH CRAM-MD5: the response is "user digest" (RFC 2195).
    AwaitCram,
    /// A user name was given; the server's answer decides.
    Claimed(String),
}

/// One proxied connection, watched.
#[derive(Debug)]
pub struct Watch {
    pub live: Live<ProxyWire>,
    client: LineReader,
    server: LineReader,
    proto: Option<Proto>,
    /// SMTP: DATA was sent, 354 awaited; then inside the message.
    data_pending: bool,
    in_data: bool,
    /// STARTTLS/STLS was sent: its reply decides.
    awaiting_tls: bool,
    /// Replies owed for commands sent, oldest first (a client may pipeline,
    /// RFC 2920 and RFC 2449 §6.6): for each, whether its +OK opens a
    /// POP3 multi-line body.
    owed: std::collections::VecDeque<bool>,
    /// Replies still owed to commands sent before STARTTLS/STLS: they come
    /// first, and are not its answer.
    tls_after: usize,
    /// Inside a POP3 multi-line body (until its ".").
    pop_body: bool,
    login: Login,
    pub account: Option<String>,
    pub quit: bool,
    /// Lines longer than [`WATCH_LINE_LIMIT`], forwarded but not explained.
    pub too_long: usize,
    pub client_octets: u64,
    pub server_octets: u64,
    /// Where new lines are published, this connection's seat, and how
    /// many lines (absolute) were published.
    room: Option<(std::sync::Arc<Room>, u64)>,
    published: usize,
}

impl Watch {
    /// `guess`: the protocol until the greeting says (from the upstream's port).
    pub fn new(lang: Lang, host: &str, port: u16, guess: Proto, started: i64) -> Watch {
        let wire = ProxyWire {
            info: WireInfo {
                host: host.to_string(),
                port,
                proto: guess,
                tls: false,
                closed: false,
                remote: true,
                detect_proto: true,
            },
            queue: Vec::new(),
        };
        Watch {
            live: Live::new(lang, wire, started),
            client: LineReader::new(WATCH_LINE_LIMIT),
            server: LineReader::new(WATCH_LINE_LIMIT),
            proto: None,
            data_pending: false,
            in_data: false,
            awaiting_tls: false,
            owed: std::collections::VecDeque::new(),
            tls_after: 0,
            pop_body: false,
            login: Login::None,
            account: None,
            quit: false,
            too_long: 0,
            client_octets: 0,
            server_octets: 0,
            room: None,
            published: 0,
        }
    }

    /// Only keep the lines, without explaining them: nobody watches live,
    /// the record is explained when it is read (the relay's cost per line
    /// is then framing and a copy).
    pub fn unexplained(mut self) -> Watch {
        self.live.explain = false;
        self
    }

    /// The server is facteur's simulated world (`serve`): the record says so.
    pub fn simulated(mut self) -> Watch {
        self.live.link.info.remote = false;
        self
    }

    /// Publish this connection's lines in `room`, as seat `client` (they
    /// are explained: the room's list shows each session's phase).
    pub fn watched_in(&mut self, room: std::sync::Arc<Room>, client: &str) {
        self.live.explain = true;
        let id = room.open(client, self.live.transcript());
        self.room = Some((room, id));
        self.publish();
    }

    /// The connection ended (the room's row says why).
    pub fn ended(&mut self, why: &str) {
        self.publish();
        if let Some((room, id)) = &self.room {
            room.close(*id, why);
        }
    }

    /// The lines explained since the last call, to the room.
    fn publish(&mut self) {
        let Some((room, id)) = &self.room else {
            return;
        };
        let live = &self.live;
        let total = live.dropped + live.entries.len();
        if total == self.published {
            return;
        }
        let from = self.published.saturating_sub(live.dropped);
        let events = live.entries[from..].iter().map(|e| e.event()).collect();
        self.published = total;
        let (proto, account, tls) = (self.proto, self.account.clone(), self.tls());
        let phase = phase_key(&live.explainer);
        room.publish(*id, events, |info| {
            info.proto = proto.or(info.proto);
            info.account = account;
            info.tls = tls;
            info.phase = phase;
        });
    }

    /// The protocol the greeting showed (None before it).
    pub fn proto(&self) -> Option<Proto> {
        self.proto
    }

    /// The protocol to answer in when the proxy must speak itself.
    pub fn proto_or_guess(&self) -> Proto {
        self.proto.unwrap_or(self.live.link.info().proto)
    }

    pub fn tls(&self) -> bool {
        self.live.link.info().tls
    }

    pub fn awaiting_tls(&self) -> bool {
        self.awaiting_tls
    }

    /// Client bytes, at `ms` since the start. Returns `Some(end)` when a
    /// STARTTLS/STLS line ended at `end`: the relay forwards `bytes[..end]`
    /// and holds the rest until the server answers (the rest is not seen).
    pub fn client(&mut self, ms: u64, bytes: &[u8]) -> Option<usize> {
        self.live.elapsed_ms = ms;
        let mut rest = bytes;
        while let Some(framed) = self.client.next_line(&mut rest) {
            let line = match framed {
                Ok(line) => line,
                Err(long) => {
                    self.too_long += 1;
                    self.live
                        .push_event(Event::long_line(ms, Dir::Client, long.length as u64));
                    continue;
                }
            };
            self.live.push(Dir::Client, &line.content);
            if self.client_line(&line.content) {
                let end = bytes.len() - rest.len();
                self.client_octets += end as u64;
                self.publish();
                return Some(end);
            }
        }
        self.client_octets += bytes.len() as u64;
        self.publish();
        None
    }

    /// What a client line means for the relay; true for STARTTLS/STLS.
    fn client_line(&mut self, line: &[u8]) -> bool {
        let text = String::from_utf8_lossy(line);
        let trimmed = text.trim_end();
        if self.in_data {
            if trimmed == "." {
                self.in_data = false;
                self.owe(false);
            }
            return false;
        }
        let mut words = trimmed.split_ascii_whitespace();
        let verb = words.next().unwrap_or("").to_ascii_uppercase();
        let arg1 = words.next();
        let arg2 = words.next();
        // Every line outside a message gets one reply; a POP3 +OK to these
        // opens a multi-line body (RFC 1939 §5, RFC 2449 §5, RFC 5034 §4).
        let multi = self.proto == Some(Proto::Pop3)
            && !matches!(
                self.login,
                Login::AwaitPlain | Login::AwaitLoginUser | Login::AwaitCram
            )
            && match verb.as_str() {
                "CAPA" | "RETR" | "TOP" => true,
                "LIST" | "UIDL" | "AUTH" => arg1.is_none(),
                _ => false,
            };
        self.owe(multi);
        match std::mem::take(&mut self.login) {
            Login::AwaitPlain => {
                self.login = plain_user(trimmed).map_or(Login::None, Login::Claimed);
                return false;
            }
            Login::AwaitLoginUser => {
                self.login = decode_text(trimmed).map_or(Login::None, Login::Claimed);
                return false;
            }
            Login::AwaitCram => {
                self.login = decode_text(trimmed)
                    .and_then(|t| t.split(' ').next().map(str::to_string))
                    .map_or(Login::None, Login::Claimed);
                return false;
            }
            other => self.login = other,
        }
        match (self.proto, verb.as_str()) {
            (Some(Proto::Smtp), "STARTTLS") | (Some(Proto::Pop3), "STLS") => {
                self.awaiting_tls = true;
                // The replies to what was pipelined before it come first.
                self.tls_after = self.owed.len().saturating_sub(1);
                return true;
            }
            (_, "QUIT") => self.quit = true,
            (Some(Proto::Smtp), "DATA") => self.data_pending = true,
            (_, "AUTH") => {
                let mech = arg1.unwrap_or("").to_ascii_uppercase();
                self.login = match (mech.as_str(), arg2) {
                    ("PLAIN", Some(ir)) => plain_user(ir).map_or(Login::None, Login::Claimed),
                    ("PLAIN", None) => Login::AwaitPlain,
                    ("LOGIN", Some(ir)) => decode_text(ir).map_or(Login::None, Login::Claimed),
                    ("LOGIN", None) => Login::AwaitLoginUser,
                    ("CRAM-MD5", None) => Login::AwaitCram,
                    _ => Login::None,
                };
            }
            (Some(Proto::Pop3), "USER") => {
                self.login = arg1.map_or(Login::None, |u| Login::Claimed(u.to_string()));
            }
            (Some(Proto::Pop3), "APOP") => {
                self.login = arg1.map_or(Login::None, |u| Login::Claimed(u.to_string()));
            }
            _ => {}
        }
        false
    }

    /// A reply is owed (after the greeting only: before it, nothing is).
    fn owe(&mut self, multi: bool) {
        if self.proto.is_some() && self.owed.len() < 10_000 {
            self.owed.push_back(multi);
        }
    }

    /// Server bytes. When STARTTLS/STLS awaits its answer and the reply
    /// is complete, returns `Some((end, go))`: the reply ends at `end`
    /// (what follows in the same read was not sent in answer: it is not
    /// seen), and `go` is the go-ahead (220, +OK).
    pub fn server(&mut self, ms: u64, bytes: &[u8]) -> Option<(usize, bool)> {
        self.live.elapsed_ms = ms;
        let mut rest = bytes;
        while let Some(framed) = self.server.next_line(&mut rest) {
            let line = match framed {
                Ok(line) => line,
                Err(long) => {
                    self.too_long += 1;
                    self.live
                        .push_event(Event::long_line(ms, Dir::Server, long.length as u64));
                    continue;
                }
            };
            let l = line.content;
            let encrypted = self.tls();
            self.live
                .link
                .queue
                .push(Incoming::Line(l.clone(), encrypted));
            self.live.poll();
            if self.proto.is_none() {
                self.proto = if l.starts_with(b"+OK") {
                    Some(Proto::Pop3)
                } else if l.starts_with(b"220") {
                    Some(Proto::Smtp)
                } else {
                    None
                };
                // The greeting answers no command.
                continue;
            }
            if self.pop_body {
                // RFC 1939 §3: a line of only "." ends a multi-line body.
                if l == b"." {
                    self.pop_body = false;
                }
                continue;
            }
            // SMTP: the last line of a reply has no "-" after its code.
            let last = self.proto != Some(Proto::Smtp) || l.get(3) != Some(&b'-');
            if !last {
                continue;
            }
            let multi = self.owed.pop_front().unwrap_or(false);
            if multi && l.starts_with(b"+OK") {
                self.pop_body = true;
            }
            // POP3's "+ " continuation (RFC 5034 §4) is a step, as SMTP's 334.
            let ok = l.starts_with(b"+OK")
                || l.starts_with(b"+ ")
                || l.first().is_some_and(|c| *c == b'2' || *c == b'3');
            if self.data_pending {
                self.data_pending = false;
                self.in_data = l.starts_with(b"354");
            }
            match std::mem::take(&mut self.login) {
                Login::Claimed(user) => {
                    if l.starts_with(b"235") || (l.starts_with(b"+OK") && self.in_pop3_pass()) {
                        self.account = Some(user);
                    } else if ok && !l.starts_with(b"235") {
                        // A step of the exchange (334, USER's +OK): keep waiting.
                        self.login = Login::Claimed(user);
                    }
                }
                other => self.login = other,
            }
            if self.awaiting_tls && self.tls_after > 0 {
                // An answer to a command sent before STARTTLS/STLS.
                self.tls_after -= 1;
            } else if self.awaiting_tls {
                self.awaiting_tls = false;
                let go = match self.proto {
                    Some(Proto::Pop3) => l.starts_with(b"+OK"),
                    _ => l.starts_with(b"220"),
                };
                let end = bytes.len() - rest.len();
                self.server_octets += end as u64;
                self.publish();
                return Some((end, go));
            }
        }
        self.server_octets += bytes.len() as u64;
        self.publish();
        None
    }

    /// POP3's +OK ends a login only after PASS/APOP or AUTH, not after USER:
    /// the explainer's last client line says which.
    fn in_pop3_pass(&self) -> bool {
        self.live
            .entries
            .iter()
            .rev()
            .find(|e| e.dir == Dir::Client)
            .map(|e| {
                let t = String::from_utf8_lossy(&e.event().bytes()).to_ascii_uppercase();
                !t.starts_with("USER")
            })
            .unwrap_or(false)
    }

    /// TLS is up with the client (after the upstream's handshake): lines
    /// from now on are encrypted on the wire. Line framing starts again.
    pub fn tls_up(&mut self, ms: u64, h: Handshake) {
        self.live.elapsed_ms = ms;
        self.live.link.queue.push(Incoming::Tls(h));
        self.live.poll();
        self.client = LineReader::new(WATCH_LINE_LIMIT);
        self.server = LineReader::new(WATCH_LINE_LIMIT);
        // RFC 3207 §4.2: the client starts again with EHLO, as unauthenticated.
        self.login = Login::None;
        self.owed.clear();
        self.tls_after = 0;
        self.pop_body = false;
        self.publish();
    }

    pub fn transcript(&self) -> Transcript {
        self.live.transcript()
    }
}

/// The user of a PLAIN initial response (authzid\0authcid\0password).
fn plain_user(b64: &str) -> Option<String> {
    let raw = crate::proto::sasl::base64::decode(b64).ok()?;
    let mut parts = raw.split(|b| *b == 0);
    let authzid = parts.next()?;
    let authcid = parts.next()?;
    parts.next()?;
    let user = if authcid.is_empty() { authzid } else { authcid };
    Some(String::from_utf8_lossy(user).into_owned())
}

fn decode_text(b64: &str) -> Option<String> {
    let raw = crate::proto::sasl::base64::decode(b64).ok()?;
    Some(String::from_utf8_lossy(&raw).into_owned())
}

#[cfg(test)]
mod tests;
