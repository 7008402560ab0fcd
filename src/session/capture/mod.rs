//! Captures, both ways: a pcap or pcapng file (Wireshark, tcpdump, a
//! teacher's archive) read into the [`Transcript`] of each mail session it
//! holds, so that replay and export explain it as any recorded session; and
//! a transcript written as a pcapng capture that Wireshark dissects.
//!
//! Reading takes two passes over the file, each a buffer at a time: the
//! first lists the TCP connections (`flows`), the second reassembles the one
//! chosen (`stream`, `reassembly`) and `convert` makes it a transcript.
//! Memory is bounded whatever the file's size.

pub mod convert;
pub mod flows;
pub mod notes;
pub mod packets;
pub mod pcapng;
pub mod reassembly;
pub mod stream;
pub mod tls;

use std::io::Read;
use std::path::Path;

use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::files::FileError;
pub use convert::Converted;
pub use flows::{MAIL_PORTS, StreamInfo};
pub use packets::Summary;

/// Why a capture cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    #[error("the file is empty")]
    Empty,
    #[error("not a pcap or pcapng file")]
    NotCapture,
    #[error("the file ends inside a packet, after {packets} whole packets")]
    Truncated { packets: u64 },
    #[error("a damaged block after packet {packets}")]
    Corrupt { packets: u64 },
    #[error("the file could not be read")]
    Read,
    #[error("{0}")]
    File(FileError),
    #[error("no SMTP or POP3 session ({packets} packets, {connections} TCP connections)")]
    NoMailStream {
        packets: u64,
        connections: u64,
        unsupported: Vec<i32>,
    },
    #[error("no session {asked}: the capture has {count}")]
    NoSuchStream { asked: usize, count: usize },
}

impl CaptureError {
    /// What is wrong, in `lang`.
    pub fn describe(&self, lang: Lang, ports: &[u16]) -> String {
        match self {
            CaptureError::Empty => text(lang, "capture.err.empty"),
            CaptureError::NotCapture => text(lang, "capture.err.not_capture"),
            CaptureError::Truncated { packets } => fill(lang, "capture.err.truncated", &[packets]),
            CaptureError::Corrupt { packets } => fill(lang, "capture.err.corrupt", &[packets]),
            CaptureError::Read => text(lang, "capture.err.read"),
            CaptureError::File(e) => e.describe(lang),
            CaptureError::NoMailStream {
                packets,
                connections,
                unsupported,
            } => {
                let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
                let mut s = fill(
                    lang,
                    "capture.err.no_mail",
                    &[packets, connections, &ports.join(", ")],
                );
                for l in unsupported {
                    s.push(' ');
                    s.push_str(&fill(lang, "capture.err.link", &[l]));
                }
                s
            }
            CaptureError::NoSuchStream { asked, count } => {
                fill(lang, "capture.err.no_stream", &[asked, count])
            }
        }
    }
}

/// What to open: more ports to look at, and which session.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub ports: Vec<u16>,
    /// The session's number in the list (from 1); the first readable one if None.
    pub stream: Option<usize>,
}

impl Options {
    /// The mail ports and the ones asked for.
    pub fn all_ports(&self) -> Vec<u16> {
        let mut p = MAIL_PORTS.to_vec();
        p.extend(self.ports.iter().filter(|x| !MAIL_PORTS.contains(x)));
        p
    }
}

/// A capture opened on one of its sessions.
#[derive(Debug, Clone)]
pub struct Opened {
    pub streams: Vec<StreamInfo>,
    /// The index in `streams` of the session converted.
    pub chosen: usize,
    pub converted: Converted,
    pub summary: Summary,
}

/// Whether the file starts as a capture does.
pub fn is_capture(path: &Path) -> bool {
    let mut head = [0u8; 4];
    crate::files::open(path)
        .and_then(|mut f| {
            f.read_exact(&mut head).map_err(|_| FileError::NotRegular)?;
            Ok(packets::is_capture_magic(&head))
        })
        .unwrap_or(false)
}

/// Whether to read the file as a capture: its first octets say so, or,
/// when they do not, its name does (`.pcap`, `.pcapng`, `.cap`) — then the
/// reader is told what is wrong with it as a capture.
pub fn wants_capture(path: &Path) -> bool {
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "pcap" | "pcapng" | "cap"));
    named || is_capture(path)
}

/// The mail sessions of a capture (first pass).
pub fn list_from<R: Read>(
    input: R,
    opts: &Options,
) -> Result<(Vec<StreamInfo>, Summary), CaptureError> {
    let mut index = flows::Index::default();
    let summary = packets::read_segments(input, |s| index.add(s))?;
    let streams = index.streams(&opts.all_ports());
    if streams.is_empty() {
        return Err(CaptureError::NoMailStream {
            packets: summary.packets,
            connections: index.connections(),
            unsupported: summary.unsupported.clone(),
        });
    }
    Ok((streams, summary))
}

/// Open a capture read by `reopen` (called once per pass) on a session.
pub fn open_with<R: Read>(
    mut reopen: impl FnMut() -> Result<R, CaptureError>,
    opts: &Options,
) -> Result<Opened, CaptureError> {
    let (streams, summary) = list_from(reopen()?, opts)?;
    let chosen =
        match opts.stream {
            Some(n) => n.checked_sub(1).filter(|&i| i < streams.len()).ok_or(
                CaptureError::NoSuchStream {
                    asked: n,
                    count: streams.len(),
                },
            )?,
            None => streams.iter().position(|s| !s.implicit_tls).unwrap_or(0),
        };
    let info = streams
        .get(chosen)
        .ok_or(CaptureError::NoSuchStream {
            asked: chosen + 1,
            count: streams.len(),
        })?
        .clone();
    let mut collected = stream::Collected::new(&info);
    packets::read_segments(reopen()?, |s| collected.add(s))?;
    collected.finish();
    let converted = convert::convert(&info, &collected);
    Ok(Opened {
        streams,
        chosen,
        converted,
        summary,
    })
}

/// Open a capture file on a session.
pub fn open(path: &Path, opts: &Options) -> Result<Opened, CaptureError> {
    open_with(|| file(path), opts)
}

/// The sessions of a capture file.
pub fn list(path: &Path, opts: &Options) -> Result<(Vec<StreamInfo>, Summary), CaptureError> {
    list_from(file(path)?, opts)
}

fn file(path: &Path) -> Result<std::io::BufReader<std::fs::File>, CaptureError> {
    crate::files::open(path)
        .map(|f| std::io::BufReader::with_capacity(1 << 16, f))
        .map_err(CaptureError::File)
}

/// What the reader should know about the session opened: packets cut by
/// the snap length, octets never captured, octets past what is kept.
pub fn warnings(lang: Lang, o: &Opened) -> Vec<String> {
    let c = &o.converted;
    let mut out = Vec::new();
    if c.cut_packets > 0 {
        out.push(fill(lang, "capture.warn.cut", &[&c.cut_packets]));
    }
    if c.missing > 0 {
        out.push(fill(lang, "capture.warn.missing", &[&c.missing]));
    }
    if c.dropped > 0 {
        out.push(fill(
            lang,
            "capture.warn.dropped",
            &[
                &crate::explain::annotation::human_size(lang, stream::MAX_STREAM),
                &c.dropped,
            ],
        ));
    }
    out
}

/// The list of sessions, for `--list` and for stderr.
pub fn listing(lang: Lang, streams: &[StreamInfo], chosen: Option<usize>) -> String {
    let origin = streams.iter().map(|s| s.start_us).min().unwrap_or(0);
    let mut out = fill(lang, "capture.list.head", &[&streams.len()]) + "\n";
    for (i, s) in streams.iter().enumerate() {
        let proto = s.proto.map_or("?", |p| p.name());
        let mark = if Some(i) == chosen { "▶" } else { " " };
        out.push_str(&format!(
            "{mark}{:>3}  {}\n",
            s.number,
            fill(
                lang,
                "capture.list.row",
                &[
                    &s.client,
                    &s.server,
                    &proto,
                    &notes::seconds(lang, (s.start_us - origin).max(0) as u64),
                    &notes::seconds(lang, (s.end_us - s.start_us).max(0) as u64),
                    &s.packets,
                    &s.bytes,
                ],
            )
        ));
        if s.implicit_tls {
            out.push_str(&format!(
                "      {}\n",
                fill(lang, "capture.list.implicit", &[&s.server.port()])
            ));
        }
    }
    // The ▶ is said only where there is one (not in `--list`).
    let pick = if chosen.is_some() {
        "capture.list.pick"
    } else {
        "capture.list.pick_one"
    };
    out.push_str(&text(lang, pick));
    out.push('\n');
    out
}
