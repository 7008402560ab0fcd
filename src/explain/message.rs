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

/// What mail-parser does not split out of a Received field: the product
/// string, TLS as Exchange and Exim write it, the authenticated sender, the
/// date text. Read from the unfolded field as written.
#[derive(Debug, Default)]
struct ReceivedExtras {
    product: Option<String>,
    tls: Option<String>,
    auth_sender: Option<String>,
    date_text: Option<String>,
}

/// The text inside the parentheses that open at `open` (nested ones kept).
fn parenthesised(s: &str, open: usize) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return s.get(open + 1..open + i);
                }
            }
            _ => {}
        }
    }
    None
}

fn received_extras(raw: &str) -> ReceivedExtras {
    let mut x = ReceivedExtras::default();
    let lower = raw.to_ascii_lowercase();
    // Exchange: "with Microsoft SMTP Server (version=TLS1_2, cipher=…)".
    if let Some(i) = raw.find("Microsoft SMTP Server") {
        x.product = Some("Microsoft SMTP Server".into());
        if let Some(inner) = raw[i..].find('(').and_then(|o| parenthesised(raw, i + o)) {
            let get = |k: &str| {
                inner
                    .split(',')
                    .find_map(|p| p.trim().strip_prefix(k).map(str::trim))
                    .map(str::to_string)
            };
            if let Some(v) = get("version=") {
                x.tls = Some(
                    format!("{v} {}", get("cipher=").unwrap_or_default())
                        .trim()
                        .into(),
                );
            }
        }
    } else if let Some(i) = raw.find("Microsoft SMTPSVC") {
        x.product = raw[i..].split(';').next().map(|p| p.trim().to_string());
    } else if let Some(i) = lower.find("(exim ") {
        x.product = parenthesised(raw, i).map(str::to_string);
    } else if let Some(i) = lower.find(" by ") {
        // "by host (Postfix)", "by host (8.15.2/8.15.2)": the product
        // follows the receiving host's name.
        let after = &raw[i + 4..];
        let host_end = after.find(char::is_whitespace).unwrap_or(after.len());
        let rest = &after[host_end..];
        if rest.trim_start().starts_with('(') {
            let open = i + 4 + host_end + (rest.len() - rest.trim_start().len());
            if let Some(p) = parenthesised(raw, open) {
                let p = p.split(',').next().unwrap_or(p).trim();
                if !p.is_empty() && !p.contains('[') {
                    x.product = Some(p.to_string());
                }
            }
        }
    }
    // Postfix: "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))".
    if x.tls.is_none()
        && let Some(i) = raw.find("using TLS")
    {
        let words: Vec<&str> = raw[i + 6..].split_whitespace().collect();
        if let [v, "with", "cipher", c, ..] = words.as_slice() {
            x.tls = Some(format!("{v} {c}"));
        }
    }
    // Exim: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384".
    if x.tls.is_none()
        && let Some(i) = lower.find(") tls ")
    {
        let version = raw[..i].rsplit('(').next().unwrap_or("").trim();
        let cipher = raw[i + 6..].split_whitespace().next().unwrap_or("");
        if version.to_ascii_uppercase().starts_with("TLS") {
            x.tls = Some(format!("{version} {cipher}"));
        }
    }
    if let Some(i) = raw.find("(Authenticated sender: ") {
        x.auth_sender = raw[i + 23..]
            .split(')')
            .next()
            .map(|s| s.trim().to_string());
    }
    x.date_text = raw
        .rsplit_once(';')
        .map(|(_, d)| d.trim().to_string())
        .filter(|d| !d.is_empty());
    x
}

/// The protocol word after " with " when mail-parser did not read it
/// (Gmail's `with SMTPS`, Exchange's `with Microsoft SMTP Server`).
fn with_word(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    let i = lower.find(" with ")?;
    let rest = &raw[i + 6..];
    if rest.starts_with("Microsoft SMTP Server") {
        return Some("Microsoft SMTP Server".into());
    }
    let w = rest.split([' ', ';', '(']).next()?.trim();
    (!w.is_empty() && !w.eq_ignore_ascii_case("cipher")).then(|| w.to_ascii_uppercase())
}

/// qmail's "(qmail 12345 invoked from network)": a trace note that a qmail
/// program ran, not a hop between two servers.
fn trace_note(raw: &str) -> Option<String> {
    let t = raw.trim_start();
    if !t.starts_with('(') {
        return None;
    }
    let inner = parenthesised(t, 0)?;
    inner.contains("invoked").then(|| inner.to_string())
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

/// A duration in words, rounded as a person says it: 7 s, 3 min 2 s,
/// 2 h 5 min, 1 d 2 h 9 min.
pub fn duration(lang: Lang, secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let d = if lang == Lang::Fr { "j" } else { "d" };
    let body = if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {} s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    } else {
        format!(
            "{} {d} {} h {} min",
            s / 86_400,
            s % 86_400 / 3600,
            s % 3600 / 60
        )
    };
    format!("{sign}{body}")
}

/// The report as text, for `facteur headers`.
pub fn render(lang: Lang, r: &MessageReport) -> String {
    let mut out = String::new();
    render_into(lang, r, 0, &mut out);
    out
}

fn render_into(lang: Lang, r: &MessageReport, depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    let mut line = |s: String| {
        for l in s.lines() {
            out.push_str(&pad);
            out.push_str(l);
            out.push('\n');
        }
    };
    line(format!("== {} ==", text(lang, "msg.title")));
    for f in &r.fields {
        line(format!("{}: {}", f.name, f.raw));
        if let Some(d) = &f.decoded {
            line(format!("    = {d}"));
        }
        line(format!("    {}", f.note.render()));
        for d in &f.details {
            line(format!("      {}", d.render()));
        }
    }
    if !r.blank_line {
        let a = Annotation::from_key(lang, 0..0, "", "msg.no_blank", &[], Severity::Mistake);
        line(a.render());
    }
    if !r.hops.is_empty() {
        line(String::new());
        line(format!("== {} ==", text(lang, "msg.hops")));
        for (i, h) in r.hops.iter().enumerate() {
            line(fill(
                lang,
                "msg.hop",
                &[&(i + 1), &h.from, &h.by, &hop_with(lang, h)],
            ));
            for note in hop_notes(lang, h) {
                line(format!("    {note}"));
            }
            if let Some(t) = h.time {
                let mut l = format!("    {}", crate::proto::date::rfc5322(t, h.zone));
                let key = if i == 0 && r.from_date {
                    "msg.delay_date"
                } else {
                    "msg.delay"
                };
                match h.delay {
                    Some(d) if d < 0 => l.push_str(&format!(" — {}", text(lang, "msg.negative"))),
                    Some(d) => {
                        l.push_str(&format!(" — {}", fill(lang, key, &[&duration(lang, d)])))
                    }
                    None => l.push_str(&format!(" — {}", text(lang, "msg.first"))),
                }
                if let Some(from) = h.delay_from {
                    l.push_str(&format!(
                        " ({})",
                        fill(lang, "recv.delay_from_last", &[&from])
                    ));
                }
                line(l);
            }
        }
        if let Some(t) = r.total {
            line(fill(lang, "msg.total", &[&duration(lang, t)]));
        }
    }
    for n in &r.trace_notes {
        line(format!(
            "ℹ {}",
            fill(lang, "recv.trace_note", &[&visible_str(n)])
        ));
    }
    if !r.mime.is_empty() {
        line(String::new());
        line(format!("== {} ==", text(lang, "msg.mime")));
        for n in &r.mime {
            line(format!("{}{}", "  ".repeat(n.depth), mime_line(n)));
            let key = format!("mime.type.{}", n.content_type);
            let key = if crate::explain::catalog::entry(&key).is_none()
                && n.content_type.starts_with("image/")
            {
                "mime.type.image".to_string()
            } else {
                key
            };
            if crate::explain::catalog::entry(&key).is_some() {
                line(format!("{}  ℹ {}", "  ".repeat(n.depth), text(lang, &key)));
            }
        }
    }
    if !r.dsn.is_empty() {
        line(String::new());
        line(format!("== {} ==", text(lang, "dsn.title")));
        for a in &r.dsn {
            line(a.render());
        }
    }
    for inner in &r.attached {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&format!("== {} ==\n", text(lang, "msg.attached")));
        render_into(lang, inner, depth + 1, out);
    }
}

/// What a hop's Received field says beyond "from … by … with …": what the
/// client claimed and what the server saw, the software, TLS, the
/// authenticated sender, the queue id, the envelope recipient, an
/// unreadable date.
pub fn hop_notes(lang: Lang, h: &Hop) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = &h.claimed {
        out.push(fill(lang, "recv.claimed", &[&visible_str(c)]));
    }
    match (&h.seen_name, &h.seen_ip) {
        (Some(n), Some(ip)) => out.push(fill(lang, "recv.seen", &[&visible_str(n), ip])),
        (None, Some(ip)) => out.push(fill(lang, "recv.seen_ip", &[ip])),
        _ => {}
    }
    if h.by.contains(':') && h.by.parse::<std::net::Ipv6Addr>().is_ok() {
        out.push(fill(lang, "recv.ipv6_internal", &[&h.by]));
    }
    if let Some(p) = &h.product {
        out.push(fill(lang, "recv.product", &[&visible_str(p)]));
    }
    if let Some(t) = &h.tls {
        let (v, c) = t.split_once(' ').unwrap_or((t, ""));
        out.push(fill(
            lang,
            "recv.tls",
            &[&crate::explain::tls::version_words(v), &visible_str(c)],
        ));
    }
    if let Some(a) = &h.auth_sender {
        out.push(fill(lang, "recv.auth_sender", &[&visible_str(a)]));
    }
    if let Some(via) = &h.via {
        out.push(fill(lang, "recv.via", &[&visible_str(via)]));
    }
    if let Some(id) = &h.id {
        out.push(fill(lang, "recv.id", &[&visible_str(id)]));
    }
    if let Some(f) = &h.for_ {
        out.push(fill(lang, "recv.for", &[&visible_str(f)]));
    }
    if let Some(d) = &h.bad_date {
        out.push(fill(lang, "recv.bad_date", &[&visible_str(d)]));
    }
    out
}

/// The protocol of a hop (`with ESMTPSA`), in words.
pub fn hop_with(lang: Lang, h: &Hop) -> String {
    match &h.with {
        Some(w) => {
            let key = ["recv.type.", "recv.with."]
                .iter()
                .map(|p| format!("{p}{w}"))
                .find(|k| crate::explain::catalog::entry(k).is_some());
            match key {
                Some(k) => format!("{w} = {}", text(lang, &k)),
                None => fill(lang, "recv.with.other", &[w]),
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
    match n.decoded {
        Some(d) => line.push_str(&format!(" ({} → {d} octets)", n.size)),
        None => line.push_str(&format!(" ({} octets)", n.size)),
    }
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
        for n in hop_notes(lang, h) {
            body.push('\n');
            body.push_str(&n);
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
