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
    let header = crate::proto::message::Header::parse(raw);
    let parsed = MessageParser::default().parse(raw);
    let mut fields = Vec::new();
    let mut received = Vec::new();
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
            // RFC 2047: show the decoded text of encoded words.
            let decoded = match &h.value {
                HeaderValue::Text(t) if raw_value.contains("=?") => Some(visible_str(t)),
                _ => None,
            };
            let mut note = header_annotation(lang, &name, h.offset_field as usize..end);
            if name.eq_ignore_ascii_case("Bcc") {
                note.severity = Severity::Hint;
            }
            match &h.value {
                HeaderValue::Received(r) => received.push(Hop {
                    from: host(&r.from),
                    by: host(&r.by),
                    with: r.with.map(|p| format!("{p:?}")),
                    via: r.via.as_ref().map(|s| s.to_string()),
                    tls: match (&r.tls_version, &r.tls_cipher) {
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
                    },
                    id: r.id.as_ref().map(|s| s.to_string()),
                    for_: r.for_.as_ref().map(|s| s.to_string()),
                    time: r.date.map(|d| d.to_timestamp()),
                    zone: r
                        .date
                        .map(|d| {
                            let m = i32::from(d.tz_hour) * 60 + i32::from(d.tz_minute);
                            if d.tz_before_gmt { -m } else { m }
                        })
                        .unwrap_or(0),
                    delay: None,
                }),
                HeaderValue::DateTime(d) if name.eq_ignore_ascii_case("Date") => {
                    date = Some(d.to_timestamp())
                }
                _ => {}
            }
            fields.push(FieldReport {
                name,
                raw: visible_str(&raw_value),
                decoded,
                note,
            });
        }
    }
    // Received lines are prepended: the last one written is on top.
    received.reverse();
    let mut previous = date;
    let has_date = date.is_some();
    for hop in &mut received {
        hop.delay = match (previous, hop.time) {
            (Some(p), Some(t)) => Some(t - p),
            _ => None,
        };
        if hop.time.is_some() {
            previous = hop.time;
        }
    }
    let start = date.or_else(|| received.iter().find_map(|h| h.time));
    let end = received.iter().rev().find_map(|h| h.time);
    let total = match (start, end) {
        (Some(s), Some(e)) if !received.is_empty() => Some(e - s),
        _ => None,
    };
    let mut mime = Vec::new();
    if let Some(msg) = &parsed {
        mime_tree(msg, 0, 0, &mut mime);
    }
    MessageReport {
        fields,
        hops: received,
        total,
        mime,
        blank_line: header.blank_line,
        from_date: has_date,
    }
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
    }
}

/// A duration in words: 7 s, 3 min 2 s, 2 h 5 min.
pub fn duration(lang: Lang, secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let body = if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {} s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    } else {
        let d = if lang == Lang::Fr { "j" } else { "d" };
        format!("{} {d} {} h", s / 86_400, s % 86_400 / 3600)
    };
    format!("{sign}{body}")
}

/// The report as text, for `facteur headers`.
pub fn render(lang: Lang, r: &MessageReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("== {} ==\n", text(lang, "msg.title")));
    for f in &r.fields {
        out.push_str(&format!("{}: {}\n", f.name, f.raw));
        if let Some(d) = &f.decoded {
            out.push_str(&format!("    = {d}\n"));
        }
        out.push_str(&format!("    {}\n", f.note.render()));
    }
    if !r.blank_line {
        let a = Annotation::from_key(lang, 0..0, "", "msg.no_blank", &[], Severity::Mistake);
        out.push_str(&format!("{}\n", a.render()));
    }
    if !r.hops.is_empty() {
        out.push_str(&format!("\n== {} ==\n", text(lang, "msg.hops")));
        for (i, h) in r.hops.iter().enumerate() {
            let with = hop_with(lang, h);
            out.push_str(&format!(
                "{}\n",
                fill(lang, "msg.hop", &[&(i + 1), &h.from, &h.by, &with])
            ));
            if let Some(via) = &h.via {
                out.push_str(&format!("    via {via}\n"));
            }
            if let Some(tls) = &h.tls {
                out.push_str(&format!("    TLS {tls}\n"));
            }
            if let Some(id) = &h.id {
                out.push_str(&format!("    id {id}\n"));
            }
            if let Some(f) = &h.for_ {
                out.push_str(&format!("    for {f}\n"));
            }
            if let Some(t) = h.time {
                out.push_str(&format!("    {}", crate::proto::date::rfc5322(t, h.zone)));
                let key = if i == 0 && r.from_date {
                    "msg.delay_date"
                } else {
                    "msg.delay"
                };
                match h.delay {
                    Some(d) if d < 0 => out.push_str(&format!(" — {}", text(lang, "msg.negative"))),
                    Some(d) => {
                        out.push_str(&format!(" — {}", fill(lang, key, &[&duration(lang, d)])))
                    }
                    None => out.push_str(&format!(" — {}", text(lang, "msg.first"))),
                }
                out.push('\n');
            }
        }
        if let Some(t) = r.total {
            out.push_str(&format!(
                "{}\n",
                fill(lang, "msg.total", &[&duration(lang, t)])
            ));
        }
    }
    if !r.mime.is_empty() {
        out.push_str(&format!("\n== {} ==\n", text(lang, "msg.mime")));
        for n in &r.mime {
            out.push_str(&format!("{}{}\n", "  ".repeat(n.depth), mime_line(n)));
        }
    }
    out
}

/// The protocol of a hop (`with ESMTPSA`), in words.
pub fn hop_with(lang: Lang, h: &Hop) -> String {
    match &h.with {
        Some(w) => {
            let key = format!("recv.with.{w}");
            if crate::explain::catalog::entry(&key).is_some() {
                format!("{w} = {}", text(lang, &key))
            } else {
                fill(lang, "recv.with.other", &[w])
            }
        }
        None => "?".into(),
    }
}

/// One MIME part in a line: type, charset, encoding, disposition, file, size.
pub fn mime_line(n: &MimeNode) -> String {
    let mut line = n.content_type.clone();
    if let Some(c) = &n.charset {
        line.push_str(&format!("; charset={c}"));
    }
    if let Some(e) = &n.encoding {
        line.push_str(&format!(", {e}"));
    }
    if let Some(d) = &n.disposition {
        line.push_str(&format!(", {d}"));
    }
    if let Some(f) = &n.filename {
        line.push_str(&format!(" \"{}\"", visible_str(f)));
    }
    line.push_str(&format!(" ({} octets)", n.size));
    line
}

/// The route of a message as annotations (one per hop, oldest first, then
/// the total), for the TUI's explanation of a message read by POP3.
pub fn route_annotations(lang: Lang, r: &MessageReport) -> Vec<Annotation> {
    let mut out = Vec::new();
    for (i, h) in r.hops.iter().enumerate() {
        let with = h.with.clone().unwrap_or_else(|| "?".into());
        let mut body = fill(lang, "msg.hop", &[&(i + 1), &h.from, &h.by, &with]);
        if let Some(d) = h.delay {
            let key = if i == 0 && r.from_date {
                "msg.delay_date"
            } else {
                "msg.delay"
            };
            let text = if d < 0 {
                text(lang, "msg.negative")
            } else {
                fill(lang, key, &[&duration(lang, d)])
            };
            body.push_str(&format!(" — {text}"));
        }
        out.push(Annotation {
            span: 0..0,
            title: "Received".into(),
            body,
            rfc: crate::explain::catalog::rfc("msg.hop").map(str::to_string),
            severity: Severity::Info,
        });
    }
    if let Some(t) = r.total {
        out.push(Annotation::from_key(
            lang,
            0..0,
            text(lang, "msg.hops"),
            "msg.total",
            &[&duration(lang, t)],
            Severity::Info,
        ));
    }
    if !r.blank_line {
        out.push(Annotation::from_key(
            lang,
            0..0,
            "",
            "msg.no_blank",
            &[],
            Severity::Mistake,
        ));
    }
    out
}
