//! A whole message explained: every header field, the Received chain read
//! bottom-up as hops with the delay at each hop and the total, and the MIME
//! structure as a tree. Parsing is mail-parser's (it keeps byte offsets,
//! decodes RFC 2047 encoded words and splits Received into its clauses);
//! the explanations are the catalog's.

use mail_parser::{HeaderValue, Host, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::{fill, text};
use crate::explain::command::header_annotation;
use crate::explain::lang::Lang;
use crate::proto::visible::visible_str;

mod received;
mod render;
use received::{received_extras, trace_note, with_word};
pub use render::{duration, hop_notes, hop_with, mime_line, render, route_annotations};

/// One hop of the route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub from: String,
    pub by: String,
    pub with: Option<String>,
    /// The `via` clause (the physical path), rare.
    pub via: Option<String>,
    /// TLS version and cipher when the MTA wrote them.
    pub tls: Option<String>,
    pub id: Option<String>,
    pub for_: Option<String>,
    /// Unix time of the Received date, if it could be read.
    pub time: Option<i64>,
    /// The zone the date was written in, minutes east of UTC.
    pub zone: i32,
    /// Seconds since the previous hop (or since Date: for the first).
    pub delay: Option<i64>,
    /// What the client claimed to be (its HELO/EHLO name): it can lie.
    pub claimed: Option<String>,
    /// What the server saw: the reverse name of the peer, if any.
    pub seen_name: Option<String>,
    /// The peer's IP address, as the server saw it (it cannot lie).
    pub seen_ip: Option<String>,
    /// The software that wrote the hop: `Postfix`, `Exim 4.96`,
    /// `Microsoft SMTP Server`, `8.15.2/8.15.2` (Sendmail) …
    pub product: Option<String>,
    /// Postfix's `(Authenticated sender: …)`.
    pub auth_sender: Option<String>,
    /// The date text when it could not be read.
    pub bad_date: Option<String>,
    /// When the previous hop's date could not be read: the hop (1-based)
    /// whose date this delay counts from.
    pub delay_from: Option<usize>,
}

/// One MIME part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MimeNode {
    pub depth: usize,
    pub content_type: String,
    pub charset: Option<String>,
    pub encoding: Option<String>,
    pub disposition: Option<String>,
    pub filename: Option<String>,
    /// Octets of the part's body as it is in the message.
    pub size: usize,
    /// Octets once base64 or quoted-printable is decoded.
    pub decoded: Option<usize>,
}

/// A header field as written, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldReport {
    pub name: String,
    /// The value as written (unfolded, made visible).
    pub raw: String,
    /// The decoded value when it differs (RFC 2047 encoded words).
    pub decoded: Option<String>,
    pub note: Annotation,
    /// The parts of the value explained (authentication results, DKIM
    /// tags, obsolete dates, raw 8-bit text …).
    pub details: Vec<Annotation>,
}

/// Everything `facteur headers` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageReport {
    pub fields: Vec<FieldReport>,
    /// Oldest first.
    pub hops: Vec<Hop>,
    /// Seconds from Date: (or the first hop) to the last hop.
    pub total: Option<i64>,
    pub mime: Vec<MimeNode>,
    /// The header section ends with an empty line.
    pub blank_line: bool,
    /// The first hop's delay counts from the Date: field.
    pub from_date: bool,
    /// qmail's trace notes, which are not hops.
    pub trace_notes: Vec<String>,
    /// The fields of a delivery status report (RFC 3464), explained.
    pub dsn: Vec<Annotation>,
    /// Messages attached as message/rfc822, each explained the same way.
    pub attached: Vec<MessageReport>,
}

fn host(h: &Option<Host<'_>>) -> String {
    match h {
        Some(Host::Name(n)) => n.to_string(),
        Some(Host::IpAddr(ip)) => format!("[{ip}]"),
        None => "?".into(),
    }
}

/// Explain a raw message.
pub fn explain_message(lang: Lang, raw: &[u8]) -> MessageReport {
    explain_nested(lang, raw, 0)
}

/// How deep attached messages are opened (a message in a message in …).
const MAX_NESTING: usize = 4;

fn explain_nested(lang: Lang, raw: &[u8], depth: usize) -> MessageReport {
    let header = crate::proto::message::Header::parse(raw);
    let parsed = MessageParser::default().parse(raw);
    let mut fields = Vec::new();
    let mut received = Vec::new();
    let mut trace_notes = Vec::new();
    let mut date = None;
    if let Some(msg) = &parsed {
        for h in &msg.root_part().headers {
            let name = h.name.as_str().to_string();
            let start = h.offset_start as usize;
            let end = (h.offset_end as usize).min(raw.len());
            let raw_value = String::from_utf8_lossy(raw.get(start..end).unwrap_or(&[]))
                .replace("\r\n", "\n")
                .split('\n')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            // RFC 2047: show the decoded text of encoded words, in phrases
            // of addresses too (From, To, Cc, Reply-To, Sender).
            let decoded = if raw_value.contains("=?") {
                match &h.value {
                    HeaderValue::Text(t) => Some(visible_str(t)),
                    HeaderValue::Address(a) => Some(visible_str(&addresses(a))),
                    _ => None,
                }
            } else {
                None
            };
            let mut note = header_annotation(lang, &name, h.offset_field as usize..end);
            if name.eq_ignore_ascii_case("Bcc") {
                note.severity = Severity::Hint;
            }
            let mut details = crate::explain::fields::field_details(lang, &name, &raw_value);
            if let Some(a) = crate::explain::fields::raw_8bit_note(lang, &name, &raw_value) {
                details.push(a);
            }
            match &h.value {
                HeaderValue::Received(r) => {
                    let x = received_extras(&raw_value);
                    if let Some(n) = trace_note(&raw_value) {
                        trace_notes.push(n);
                    } else {
                        let time = r.date.filter(|d| d.is_valid()).map(|d| d.to_timestamp());
                        let helo = r.helo.as_ref().map(|h| host(&Some(h.clone())));
                        let from = host(&r.from);
                        // Postfix: "from HELO (REV [IP])"; Exim: "from REV ([IP] helo=HELO)".
                        let (claimed, seen_name) = match helo {
                            Some(h) => (Some(h), (from != "?").then(|| from.clone())),
                            None => (
                                (from != "?").then(|| from.clone()),
                                r.from_iprev.as_ref().map(|s| s.to_string()),
                            ),
                        };
                        received.push(Hop {
                            from,
                            by: host(&r.by),
                            with: r
                                .with
                                .map(|p| format!("{p:?}").to_ascii_uppercase())
                                .or_else(|| with_word(&raw_value)),
                            via: r.via.as_ref().map(|s| s.to_string()),
                            tls: x.tls.clone().or(match (&r.tls_version, &r.tls_cipher) {
                                (None, None) => None,
                                (v, c) => Some(
                                    format!(
                                        "{} {}",
                                        v.map(|v| format!("{v:?}")).unwrap_or_default(),
                                        c.as_deref().unwrap_or("")
                                    )
                                    .trim()
                                    .to_string(),
                                ),
                            }),
                            id: r.id.as_ref().map(|s| s.to_string()),
                            for_: r.for_.as_ref().map(|s| s.to_string()),
                            time,
                            zone: r
                                .date
                                .map(|d| {
                                    let m = i32::from(d.tz_hour) * 60 + i32::from(d.tz_minute);
                                    if d.tz_before_gmt { -m } else { m }
                                })
                                .unwrap_or(0),
                            delay: None,
                            claimed,
                            seen_name,
                            seen_ip: r.from_ip.map(|ip| ip.to_string()),
                            product: x.product,
                            auth_sender: x.auth_sender,
                            bad_date: if time.is_none() { x.date_text } else { None },
                            delay_from: None,
                        });
                    }
                }
                HeaderValue::DateTime(d) if name.eq_ignore_ascii_case("Date") && d.is_valid() => {
                    date = Some(d.to_timestamp())
                }
                _ => {}
            }
            fields.push(FieldReport {
                name,
                raw: visible_str(&raw_value),
                decoded,
                note,
                details,
            });
        }
    }
    // Received lines are prepended: the last one written is on top.
    received.reverse();
    // Each delay counts from the last readable date (the Date: field for
    // the first hop); a hop after an unreadable one says which it counts from.
    let mut previous: Option<(i64, usize)> = date.map(|d| (d, 0));
    let has_date = date.is_some();
    let mut gap = false;
    for (i, hop) in received.iter_mut().enumerate() {
        if let (Some((p, from)), Some(t)) = (previous, hop.time) {
            hop.delay = Some(t - p);
            if gap {
                hop.delay_from = Some(from);
            }
        }
        match hop.time {
            Some(t) => {
                previous = Some((t, i + 1));
                gap = false;
            }
            None => gap = true,
        }
    }
    let start = date.or_else(|| received.iter().find_map(|h| h.time));
    let end = received.iter().rev().find_map(|h| h.time);
    let total = match (start, end) {
        (Some(s), Some(e)) if !received.is_empty() => Some(e - s),
        _ => None,
    };
    let mut mime = Vec::new();
    let mut dsn = Vec::new();
    let mut attached = Vec::new();
    if let Some(msg) = &parsed {
        mime_tree(msg, 0, 0, &mut mime);
        for part in msg.parts.iter().skip(1) {
            match &part.body {
                PartType::Message(inner) if depth < MAX_NESTING => {
                    attached.push(explain_nested(lang, inner.raw_message(), depth + 1));
                }
                _ => {
                    let ct = part
                        .content_type()
                        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if ct == "message/delivery-status" || ct == "message/global-delivery-status" {
                        dsn.extend(crate::explain::dsn::explain(lang, part.contents()));
                    }
                }
            }
        }
    }
    MessageReport {
        fields,
        hops: received,
        total,
        mime,
        blank_line: header.blank_line,
        from_date: has_date,
        trace_notes,
        dsn,
        attached,
    }
}

/// Addresses with their decoded display names: `Jérôme Dupont <j@x.fr>`.
fn addresses(a: &mail_parser::Address<'_>) -> String {
    a.iter()
        .map(|addr| match (&addr.name, &addr.address) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.to_string(),
            (None, Some(e)) => e.to_string(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn mime_tree(msg: &mail_parser::Message<'_>, id: u32, depth: usize, out: &mut Vec<MimeNode>) {
    if depth > 16 {
        return;
    }
    let Some(part) = msg.part(id) else { return };
    out.push(mime_node(part, depth));
    if let PartType::Multipart(children) = &part.body {
        for c in children {
            mime_tree(msg, *c, depth + 1, out);
        }
    }
}

fn mime_node(part: &MessagePart<'_>, depth: usize) -> MimeNode {
    let ct = part.content_type();
    let content_type = match ct {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        },
        None => "text/plain".to_string(),
    }
    .to_ascii_lowercase();
    MimeNode {
        depth,
        content_type,
        charset: ct.and_then(|c| c.attribute("charset")).map(str::to_string),
        encoding: part.content_transfer_encoding().map(str::to_string),
        disposition: part.content_disposition().map(|d| d.ctype().to_string()),
        filename: part.attachment_name().map(str::to_string),
        size: (part.offset_end.saturating_sub(part.offset_body)) as usize,
        decoded: part
            .content_transfer_encoding()
            .filter(|e| {
                e.eq_ignore_ascii_case("base64") || e.eq_ignore_ascii_case("quoted-printable")
            })
            .map(|_| part.contents().len()),
    }
}
