//! `facteur replay` of a capture holding several mail sessions: the same
//! list, its rows the capture's sessions, Enter replaying one.

use std::sync::Arc;

use super::{Loader, Picker, Watcher};
use crate::explain::lang::Lang;
use crate::proto::Proto;
use crate::session::room::Room;
use crate::session::transcript::Transcript;

/// The list of a capture's mail sessions (`facteur replay FILE.pcap` with
/// more than one): a row per session — its client, protocol, packets, and
/// where it went, when, for how long — and `load` to replay one.
pub fn for_capture(
    lang: Lang,
    name: &str,
    streams: &[crate::session::capture::StreamInfo],
    load: Loader,
    now: i64,
    seed: u64,
) -> Watcher {
    let room = Arc::new(Room::new());
    let origin = streams.iter().map(|s| s.start_us).min().unwrap_or(0);
    for s in streams {
        let header = Transcript::header(
            &s.server.ip().to_string(),
            s.server.port(),
            s.proto.unwrap_or(Proto::Smtp).word(),
        );
        let id = room.open(&s.client.to_string(), header);
        let secs = |us: i64| {
            let v = us.max(0) as f64 / 1e6;
            match lang {
                Lang::Fr => format!("{v:.2} s").replace('.', ","),
                Lang::En => format!("{v:.2} s"),
            }
        };
        let last = format!(
            "{} · +{} · {}",
            s.server,
            secs(s.start_us - origin),
            secs(s.end_us - s.start_us)
        );
        let packets = s.packets as usize;
        let (proto, sealed) = (s.proto, s.implicit_tls);
        room.publish(id, Vec::new(), |i| {
            i.proto = proto;
            i.lines = packets;
            i.last = last;
            i.phase = if sealed {
                "tui.watch.sealed"
            } else {
                "tui.watch.captured"
            };
            i.tls = sealed;
        });
    }
    let mut w = Watcher::new(lang, room, name, "", now, seed);
    w.picker = Some(Picker(load));
    w
}
