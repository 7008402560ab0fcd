//! The sessions of a proxy, or of the room's server, as a watcher sees
//! them: for each connection a seat (client address, protocol, account
//! once logged in, phase, last line) and its lines as transcript events,
//! published by the connection's [`crate::session::watch::Watch`] as they
//! are explained. A watching TUI lists the seats and follows one. No I/O:
//! a mutex, bounded lists, and a version number that says "something
//! changed, draw again".
//!
//! Bounds (a room of 30 students, or a hostile one, must not grow it
//! without end): at most [`MAX_SEATS`] seats are kept (ended ones are
//! forgotten first, oldest first), each keeps its last [`MAX_EVENTS`]
//! lines, all of them together at most [`MAX_BYTES`], and the log its last
//! [`MAX_LOG`] lines.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use crate::explain::dialogue::Explainer;
use crate::explain::state::Phase;
use crate::proto::Proto;
use crate::session::transcript::{Event, Transcript};

pub const MAX_SEATS: usize = 500;
pub const MAX_EVENTS: usize = 50_000;
/// The octets all seats' lines may hold together (lines up to 64 KiB each:
/// a count of lines alone would not bound memory); past it, the seat that
/// holds most loses its oldest lines first.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
pub const MAX_LOG: usize = 200;
/// The last line shown in the list is cut to this many characters.
const LAST_LINE: usize = 200;

/// One connection, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatInfo {
    pub id: u64,
    /// The client's address and port.
    pub client: String,
    pub proto: Option<Proto>,
    /// The account, once a login succeeded.
    pub account: Option<String>,
    /// A catalog key naming the phase (`tui.watch.phase.mail` …).
    pub phase: &'static str,
    pub tls: bool,
    /// The last line seen, as visible text.
    pub last: String,
    /// Lines seen in all (including those no longer kept).
    pub lines: usize,
    pub open: bool,
    /// Why it ended (the log's words), once ended.
    pub end: Option<String>,
}

/// What a watcher takes of one seat: the transcript's header, the lines
/// from where it stopped, and how many it missed (no longer kept).
#[derive(Debug, Clone)]
pub struct Taken {
    pub info: SeatInfo,
    pub header: Transcript,
    pub events: Vec<Event>,
    /// The absolute number of the line after the last one taken.
    pub next: usize,
    pub missed: usize,
}

#[derive(Debug)]
struct Seat {
    info: SeatInfo,
    /// The transcript without its events.
    header: Transcript,
    events: VecDeque<Event>,
    /// Absolute number of `events[0]`.
    first: usize,
    /// What `events` weigh (see [`weight`]).
    bytes: usize,
}

/// What an event is counted as against [`MAX_BYTES`]: its line, and a
/// fixed share for the rest.
fn weight(e: &Event) -> usize {
    128 + e.line.as_ref().map_or(0, String::len) + e.line_base64.as_ref().map_or(0, String::len)
}

impl Seat {
    /// Drop the oldest `n` lines.
    fn forget(&mut self, n: usize) -> usize {
        let n = n.min(self.events.len());
        let freed: usize = self.events.drain(..n).map(|e| weight(&e)).sum();
        self.first += n;
        self.bytes -= freed;
        freed
    }
}

#[derive(Debug, Default)]
struct Inner {
    seats: VecDeque<Seat>,
    next_id: u64,
    version: u64,
    log: VecDeque<String>,
    /// What all seats' lines weigh.
    bytes: usize,
}

/// The seats of a room (a proxy's connections, a server's sessions).
#[derive(Debug, Default)]
pub struct Room {
    inner: Mutex<Inner>,
    /// The process was asked to stop (SIGTERM, Ctrl-C outside the TUI):
    /// the watcher quits.
    stop: std::sync::atomic::AtomicBool,
}

/// The phase of a session, as a catalog key, from its explainer.
pub fn phase_key(ex: &Explainer) -> &'static str {
    match ex {
        Explainer::Smtp(e) => match e.state.phase {
            Phase::Connected => "tui.watch.phase.connected",
            Phase::Greeted => "tui.watch.phase.greeted",
            Phase::Mail => "tui.watch.phase.mail",
            Phase::Rcpt => "tui.watch.phase.rcpt",
            Phase::Data => "tui.watch.phase.data",
            Phase::Closed => "tui.watch.phase.closed",
        },
        Explainer::Pop3(s) if s.closed && s.transaction => "tui.watch.phase.update",
        Explainer::Pop3(s) if s.closed => "tui.watch.phase.closed",
        Explainer::Pop3(s) if s.transaction => "tui.watch.phase.transaction",
        Explainer::Pop3(_) => "tui.watch.phase.authorization",
    }
}

impl Room {
    pub fn new() -> Room {
        Room::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A watcher that panicked leaves the data whole: go on with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection; its number.
    pub fn open(&self, client: &str, mut header: Transcript) -> u64 {
        header.events = Vec::new();
        let mut g = self.lock();
        g.next_id += 1;
        let id = g.next_id;
        let proto = Proto::parse(&header.protocol);
        g.seats.push_back(Seat {
            info: SeatInfo {
                id,
                client: client.to_string(),
                proto,
                account: None,
                phase: "tui.watch.phase.connected",
                tls: false,
                last: String::new(),
                lines: 0,
                open: true,
                end: None,
            },
            header,
            events: VecDeque::new(),
            first: 0,
            bytes: 0,
        });
        // Past the bound, ended seats go first, the oldest first; open
        // ones only if there are more open than the bound.
        while g.seats.len() > MAX_SEATS {
            let at = g.seats.iter().position(|s| !s.info.open).unwrap_or(0);
            if let Some(gone) = g.seats.remove(at) {
                g.bytes -= gone.bytes;
            }
        }
        g.version += 1;
        id
    }

    /// New lines of seat `id`, and what they changed in its row.
    pub fn publish(&self, id: u64, events: Vec<Event>, update: impl FnOnce(&mut SeatInfo)) {
        let mut g = self.lock();
        let Some(seat) = g.seats.iter_mut().find(|s| s.info.id == id) else {
            return;
        };
        if let Some(e) = events
            .iter()
            .rev()
            .find(|e| e.line.is_some() || e.line_base64.is_some())
        {
            let text = crate::proto::visible::visible(&e.bytes());
            seat.info.last = text.chars().take(LAST_LINE).collect();
        }
        seat.info.lines += events.len();
        let added: usize = events.iter().map(weight).sum();
        seat.events.extend(events);
        seat.bytes += added;
        let mut freed = 0;
        if seat.events.len() > MAX_EVENTS {
            // A tenth at once: no shifting at every line.
            freed += seat.forget(seat.events.len() - MAX_EVENTS * 9 / 10);
        }
        update(&mut seat.info);
        // The greeting decides the protocol (the header had the guess).
        if let Some(p) = seat.info.proto {
            seat.header.protocol = p.word().to_string();
        }
        g.bytes = g.bytes + added - freed;
        while g.bytes > MAX_BYTES {
            let Some(big) = g.seats.iter_mut().max_by_key(|s| s.bytes) else {
                break;
            };
            let n = (big.events.len() / 10).max(1);
            let freed = big.forget(n);
            g.bytes -= freed;
            if freed == 0 {
                break;
            }
        }
        g.version += 1;
    }

    /// Seat `id` ended, and why.
    pub fn close(&self, id: u64, why: &str) {
        let mut g = self.lock();
        if let Some(seat) = g.seats.iter_mut().find(|s| s.info.id == id) {
            seat.info.open = false;
            seat.info.end = Some(crate::proto::visible::visible_str(why));
        }
        g.version += 1;
    }

    /// Every seat kept, in the order they came.
    pub fn seats(&self) -> Vec<SeatInfo> {
        self.lock().seats.iter().map(|s| s.info.clone()).collect()
    }

    /// Seat `id`'s lines from absolute number `from` (None: no such seat).
    pub fn take(&self, id: u64, from: usize) -> Option<Taken> {
        let g = self.lock();
        let seat = g.seats.iter().find(|s| s.info.id == id)?;
        let start = from.max(seat.first);
        let events = seat
            .events
            .iter()
            .skip(start - seat.first)
            .cloned()
            .collect();
        Some(Taken {
            info: seat.info.clone(),
            header: seat.header.clone(),
            events,
            next: seat.first + seat.events.len(),
            missed: start - from,
        })
    }

    /// A line of the log (shown by the watcher instead of stderr).
    pub fn log(&self, line: String) {
        let mut g = self.lock();
        g.log.push_back(crate::proto::visible::visible_str(&line));
        while g.log.len() > MAX_LOG {
            g.log.pop_front();
        }
        g.version += 1;
    }

    /// The last `n` lines of the log, oldest first.
    pub fn last_log(&self, n: usize) -> Vec<String> {
        let g = self.lock();
        g.log
            .iter()
            .skip(g.log.len().saturating_sub(n))
            .cloned()
            .collect()
    }

    /// Ask the watcher to quit (the server or proxy behind it was stopped).
    pub fn request_stop(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.lock().version += 1;
    }

    pub fn stop_requested(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Changes at every publish, open, close and log line.
    pub fn version(&self) -> u64 {
        self.lock().version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::Dir;

    fn header() -> Transcript {
        Transcript::header("mx", 25, "smtp")
    }

    fn line(n: usize) -> Event {
        Event::new(n as u64, Dir::Client, format!("NOOP {n}").as_bytes(), false)
    }

    #[test]
    fn a_watcher_takes_the_lines_it_has_not_seen() {
        let room = Room::new();
        let id = room.open("127.0.0.1:5000", header());
        room.publish(id, vec![line(0), line(1)], |_| {});
        let t = room.take(id, 0).unwrap();
        assert_eq!(t.events.len(), 2);
        assert_eq!((t.next, t.missed), (2, 0));
        room.publish(id, vec![line(2)], |i| i.account = Some("fred".into()));
        let t = room.take(id, 2).unwrap();
        assert_eq!(t.events, vec![line(2)]);
        assert_eq!(t.info.account.as_deref(), Some("fred"));
        assert_eq!(t.info.last, "NOOP 2");
        assert!(room.take(id + 1, 0).is_none());
    }

    #[test]
    fn a_flood_keeps_the_newest_lines_and_says_how_many_were_missed() {
        let room = Room::new();
        let id = room.open("c", header());
        for chunk in 0..60 {
            room.publish(
                id,
                (0..1000).map(|i| line(chunk * 1000 + i)).collect(),
                |_| {},
            );
        }
        let t = room.take(id, 0).unwrap();
        assert!(t.events.len() <= MAX_EVENTS, "{}", t.events.len());
        assert_eq!(t.next, 60_000);
        assert_eq!(t.missed, 60_000 - t.events.len());
        assert_eq!(t.events.last(), Some(&line(59_999)));
        assert_eq!(t.info.lines, 60_000);
    }

    #[test]
    fn ended_seats_are_forgotten_first_past_the_bound() {
        let room = Room::new();
        let keep = room.open("first, still open", header());
        for i in 0..MAX_SEATS + 10 {
            let id = room.open(&format!("c{i}"), header());
            room.close(id, "closed");
        }
        let seats = room.seats();
        assert_eq!(seats.len(), MAX_SEATS);
        assert_eq!(seats[0].id, keep);
        assert_eq!(seats.last().unwrap().client, format!("c{}", MAX_SEATS + 9));
    }

    #[test]
    fn the_log_keeps_its_last_lines_without_escapes() {
        let room = Room::new();
        for i in 0..MAX_LOG + 5 {
            room.log(format!("line {i}\x1b[2J"));
        }
        let last = room.last_log(2);
        assert_eq!(last.len(), 2);
        assert!(last[1].starts_with(&format!("line {}", MAX_LOG + 4)));
        assert!(!last[1].contains('\x1b'));
    }

    #[test]
    fn long_lines_from_many_seats_stay_within_the_byte_bound() {
        let room = Room::new();
        let line = "x".repeat(60_000);
        let ids: Vec<u64> = (0..4)
            .map(|i| room.open(&format!("c{i}"), header()))
            .collect();
        for round in 0..1000 {
            let id = ids[round % ids.len()];
            let e = Event::new(round as u64, Dir::Client, line.as_bytes(), false);
            room.publish(id, vec![e.clone(), e], |_| {});
        }
        let kept: usize = ids
            .iter()
            .map(|id| room.take(*id, 0).unwrap().events.len())
            .sum();
        // 2,000 lines of 60 KB were published (120 MB): what is held stays
        // under the bound, and the newest are kept.
        assert!(kept * 60_000 <= MAX_BYTES, "{kept} lines kept");
        assert!(kept > 500 && kept < 2000, "{kept}");
        // Every seat still says how many lines it saw, and what it missed.
        let t = room.take(ids[0], 0).unwrap();
        assert_eq!(t.info.lines, 500);
        assert_eq!(t.missed + t.events.len(), 500);
        assert!(t.missed > 0);
    }
}
