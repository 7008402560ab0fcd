//! What a capture adds to the explanation: the TCP connection under the
//! first line (handshake, ports, how it ended, with times — "le protocole
//! fonctionne en mode connecté" made visible), the holes, and the encrypted
//! rest of a session. Every text from the catalog (`capture.json`).

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::proto::visible::visible_str;
use crate::session::transcript::{Dir, Sealed, TcpFacts};

/// Microseconds as seconds, to the microsecond, in the reader's notation.
pub fn seconds(lang: Lang, us: u64) -> String {
    let s = format!("{}.{:06} s", us / 1_000_000, us % 1_000_000);
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

fn side(lang: Lang, dir: Dir) -> String {
    text(
        lang,
        if dir == Dir::Client {
            "capture.side.client"
        } else {
            "capture.side.server"
        },
    )
}

/// The port of the address `a` (`ip:port`, `[ip]:port`).
fn port(a: &str) -> Option<u16> {
    a.rsplit(':').next()?.parse().ok()
}

/// What a port is (RFC 6335 §6: well-known 0–1023, registered 1024–49151,
/// dynamic or ephemeral 49152–65535).
fn port_kind(lang: Lang, p: u16) -> String {
    match p {
        25 | 465 | 587 | 110 | 995 | 2525 | 1110 => text(lang, &format!("capture.port.{p}")),
        0..=1023 => text(lang, "capture.port.well_known"),
        _ => text(lang, "capture.port.other"),
    }
}

/// The notes of the first line of a connection seen in a capture.
pub fn tcp_notes(lang: Lang, f: &TcpFacts) -> Vec<Annotation> {
    let (client, server) = (visible_str(&f.client), visible_str(&f.server));
    let title = fill(lang, "capture.tcp.title", &[&client, &server]);
    let mut out = Vec::new();
    let note = |key: &str, args: &[&dyn std::fmt::Display], sev| {
        Annotation::from_key(lang, 0..0, title.clone(), key, args, sev)
    };
    match (f.syn_us, f.syn_ack_us, f.ack_us) {
        (Some(a), Some(b), Some(c)) => out.push(note(
            "capture.tcp.handshake",
            &[
                &seconds(lang, a),
                &seconds(lang, b),
                &seconds(lang, c),
                &seconds(lang, b.saturating_sub(a)),
            ],
            Severity::Info,
        )),
        _ => out.push(note("capture.tcp.no_handshake", &[], Severity::Hint)),
    }
    let (cp, sp) = (port(&f.client).unwrap_or(0), port(&f.server).unwrap_or(0));
    let client_kind = if cp >= 32768 {
        text(lang, "capture.port.ephemeral")
    } else {
        port_kind(lang, cp)
    };
    out.push(note(
        "capture.tcp.ports",
        &[&sp, &port_kind(lang, sp), &cp, &client_kind],
        Severity::Info,
    ));
    if f.ends.is_empty() {
        out.push(note("capture.tcp.still_open", &[], Severity::Hint));
    }
    let mut fins = Vec::new();
    for e in &f.ends {
        if e.flag == "rst" {
            out.push(note(
                "capture.tcp.rst",
                &[&side(lang, e.by), &seconds(lang, e.t_us)],
                Severity::Hint,
            ));
        } else {
            fins.push(fill(
                lang,
                "capture.tcp.fin_one",
                &[&side(lang, e.by), &seconds(lang, e.t_us)],
            ));
        }
    }
    if !fins.is_empty() {
        let key = if fins.len() == 2 {
            "capture.tcp.fin_both"
        } else {
            "capture.tcp.fin_half"
        };
        out.push(note(key, &[&fins.join(" → ")], Severity::Info));
    }
    out
}

/// The notes of a hole.
pub fn gap_notes(lang: Lang, dir: Dir, octets: u64) -> Vec<Annotation> {
    vec![Annotation::from_key(
        lang,
        0..0,
        fill(lang, "capture.gap.title", &[&octets]),
        "capture.gap",
        &[&octets, &side(lang, dir)],
        Severity::Mistake,
    )]
}

/// The text shown for a hole.
pub fn gap_line(lang: Lang, octets: u64) -> String {
    fill(lang, "capture.gap.line", &[&octets])
}

/// The text shown for the encrypted rest.
pub fn sealed_line(lang: Lang, s: &Sealed) -> String {
    fill(lang, "capture.tls.line", &[&s.bytes, &s.records])
}

/// The notes of the encrypted rest of a session.
pub fn sealed_notes(lang: Lang, s: &Sealed) -> Vec<Annotation> {
    let title = text(lang, "capture.tls.title");
    let mut out = vec![if s.implicit {
        Annotation::from_key(
            lang,
            0..0,
            title.clone(),
            "capture.tls.implicit",
            &[&s.bytes, &s.records],
            Severity::Hint,
        )
    } else {
        Annotation::from_key(
            lang,
            0..0,
            title.clone(),
            "capture.tls.sealed",
            &[&s.bytes, &s.records],
            Severity::Info,
        )
    }];
    if let Some(offered) = &s.offered {
        let sni = s
            .sni
            .as_deref()
            .map(visible_str)
            .unwrap_or_else(|| text(lang, "capture.tls.no_sni"));
        out.push(Annotation::from_key(
            lang,
            0..0,
            title.clone(),
            "capture.tls.client_hello",
            &[&visible_str(offered), &sni],
            Severity::Info,
        ));
    }
    if let (Some(v), Some(c)) = (&s.version, &s.cipher) {
        out.push(Annotation::from_key(
            lang,
            0..0,
            title,
            "capture.tls.server_hello",
            &[&visible_str(v), &visible_str(c)],
            Severity::Info,
        ));
    }
    out
}
