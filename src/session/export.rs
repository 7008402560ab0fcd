//! The annotated transcript for a lab report ("compte rendu de TP"): each
//! line with its explanation (AUTH strings decoded among them), then for
//! every message that crossed the session (sent after DATA, read by RETR or
//! TOP) its Received hops as a table and its MIME tree. Markdown, or one
//! self-contained HTML file (no external asset) that prints well.

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::explain::message::{MessageReport, duration, explain_message, hop_with, mime_line};
use crate::proto::visible::visible_str;
use crate::session::explained::{Entry, explain_transcript};
use crate::session::transcript::{Dir, Transcript};

/// The two output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

impl Format {
    pub fn parse(word: &str) -> Option<Format> {
        match word.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}

/// A message that crossed the session: where it ends in the transcript, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    /// Index of the entry that ends it (the lone ".").
    pub end: usize,
    /// Sent by the client (DATA) or read from the server (RETR/TOP).
    pub sent: bool,
    pub bytes: Vec<u8>,
}

/// The messages in a session: the client's after `354`, the server's after
/// `+OK` to RETR or TOP, dot-stuffing undone (RFC 5321 §4.5.2, RFC 1939 §3).
pub fn carried_messages(entries: &[Entry]) -> Vec<Carried> {
    let mut out = Vec::new();
    // (collecting from this side, the bytes so far)
    let mut collecting: Option<(Dir, Vec<u8>)> = None;
    let mut awaiting: Option<Dir> = None;
    for (i, e) in entries.iter().enumerate() {
        if e.dir == Dir::Open {
            collecting = None;
            awaiting = None;
            continue;
        }
        if let Some((dir, bytes)) = collecting.as_mut()
            && e.dir == *dir
        {
            if e.raw == b"." {
                out.push(Carried {
                    end: i,
                    sent: *dir == Dir::Client,
                    bytes: std::mem::take(bytes),
                });
                collecting = None;
            } else {
                let line = e
                    .raw
                    .strip_prefix(b".")
                    .filter(|_| e.raw.starts_with(b".."));
                bytes.extend_from_slice(line.unwrap_or(&e.raw));
                bytes.extend_from_slice(b"\r\n");
            }
            continue;
        }
        match e.dir {
            Dir::Client => {
                let line = String::from_utf8_lossy(&e.raw).to_ascii_uppercase();
                let verb = line.split(' ').next().unwrap_or("");
                awaiting = match verb {
                    "DATA" => Some(Dir::Client),
                    "RETR" | "TOP" => Some(Dir::Server),
                    _ => None,
                };
            }
            Dir::Server => match awaiting.take() {
                Some(Dir::Client) if e.raw.starts_with(b"354") => {
                    collecting = Some((Dir::Client, Vec::new()))
                }
                Some(Dir::Server) if e.raw.starts_with(b"+OK") => {
                    collecting = Some((Dir::Server, Vec::new()))
                }
                _ => {}
            },
            Dir::Tls | Dir::Open => {}
        }
    }
    out
}

/// The report, in `lang` and `format`.
pub fn export(lang: Lang, t: &Transcript, name: &str, format: Format) -> String {
    let entries = explain_transcript(lang, t);
    let messages = carried_messages(&entries);
    let reports: Vec<(usize, bool, MessageReport)> = messages
        .iter()
        .map(|c| (c.end, c.sent, explain_message(lang, &c.bytes)))
        .collect();
    let mistakes = entries
        .iter()
        .filter(|e| e.dir == Dir::Client)
        .filter(|e| e.notes.iter().any(|n| n.severity >= Severity::Mistake))
        .count();
    let head = Head {
        title: fill(lang, "export.title", &[&visible_str(name)]),
        about: fill(
            lang,
            "export.about",
            &[
                &visible_str(&t.host),
                &t.port,
                &visible_str(&t.protocol.to_uppercase()),
                &crate::proto::date::rfc5322(
                    t.started,
                    crate::proto::date::paris_offset_minutes(t.started),
                ),
                &if t.simulated {
                    text(lang, "export.simulated")
                } else {
                    text(lang, "export.real")
                },
            ],
        ),
        summary: fill(
            lang,
            "export.summary",
            &[
                &entries.iter().filter(|e| e.dir == Dir::Client).count(),
                &entries.iter().filter(|e| e.dir == Dir::Server).count(),
                &reports.len(),
                &mistakes,
            ],
        ),
    };
    match format {
        Format::Markdown => markdown(lang, &head, &entries, &reports),
        Format::Html => html(lang, &head, &entries, &reports),
    }
}

struct Head {
    title: String,
    about: String,
    summary: String,
}

fn prefix(e: &Entry) -> &'static str {
    match (e.dir, e.encrypted) {
        (Dir::Client, false) => "C:",
        (Dir::Server, false) => "S:",
        (Dir::Client, true) => "C~",
        (Dir::Server, true) => "S~",
        (Dir::Tls | Dir::Open, _) => "",
    }
}

/// Seconds since the start, with the decimal separator of `lang`
/// (French writes 1,5 s).
fn time(lang: Lang, e: &Entry) -> String {
    let t = format!("{:.1} s", e.at_ms as f64 / 1000.0);
    match lang {
        Lang::Fr => t.replace('.', ","),
        Lang::En => t,
    }
}

/// A Markdown code span that holds any text (CommonMark: a fence longer
/// than any run of backticks inside).
fn code(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if s.is_empty() {
        return "*(…)*".into();
    }
    format!("{fence} {s} {fence}")
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(
    lang: Lang,
    head: &Head,
    entries: &[Entry],
    reports: &[(usize, bool, MessageReport)],
) -> String {
    let mut s = format!(
        "# {}\n\n{}\n\n{}\n\n## {}\n\n",
        md_escape(&head.title),
        md_escape(&head.about),
        md_escape(&head.summary),
        text(lang, "export.session")
    );
    for (i, e) in entries.iter().enumerate() {
        s.push_str(&format!(
            "- {} **{}** {}\n",
            time(lang, e),
            prefix(e),
            code(&e.text)
        ));
        for n in &e.notes {
            s.push_str(&format!("  - {}\n", md_note(n)));
        }
        for (_, sent, r) in reports.iter().filter(|(end, _, _)| *end == i) {
            s.push('\n');
            s.push_str(&md_message(lang, *sent, r));
        }
    }
    s
}

fn md_note(n: &Annotation) -> String {
    let mut s = format!("{} **{}**", n.severity.symbol(), md_escape(&n.title));
    if !n.body.is_empty() {
        s.push_str(" — ");
        s.push_str(&md_escape(&n.body).replace('\n', "<br>"));
    }
    if let Some(r) = &n.rfc {
        s.push_str(&format!(" *[{}]*", md_escape(r)));
    }
    s
}

fn hop_rows(lang: Lang, r: &MessageReport) -> Vec<[String; 6]> {
    r.hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let when = h
                .time
                .map(|t| crate::proto::date::rfc5322(t, h.zone))
                .unwrap_or_default();
            let delay = match h.delay {
                Some(d) if d < 0 => text(lang, "msg.negative"),
                Some(d) => duration(lang, d),
                None => "—".into(),
            };
            [
                (i + 1).to_string(),
                h.from.clone(),
                h.by.clone(),
                hop_with(lang, h),
                when,
                delay,
            ]
        })
        .collect()
}

fn hop_heads(lang: Lang) -> [String; 6] {
    [
        "#".into(),
        text(lang, "export.hop.from"),
        text(lang, "export.hop.by"),
        text(lang, "export.hop.with"),
        text(lang, "export.hop.date"),
        text(lang, "export.hop.delay"),
    ]
}

fn message_title(lang: Lang, sent: bool) -> String {
    text(
        lang,
        if sent {
            "export.message.sent"
        } else {
            "export.message.read"
        },
    )
}

fn md_message(lang: Lang, sent: bool, r: &MessageReport) -> String {
    let mut s = format!("  > **{}**\n", md_escape(&message_title(lang, sent)));
    if !r.hops.is_empty() {
        s.push_str(&format!("  >\n  > {}\n  >\n", text(lang, "msg.hops")));
        let heads = hop_heads(lang);
        s.push_str(&format!("  > | {} |\n", heads.join(" | ")));
        s.push_str(&format!("  > |{}\n", "---|".repeat(heads.len())));
        for row in hop_rows(lang, r) {
            let cells: Vec<String> = row.iter().map(|c| md_escape(c)).collect();
            s.push_str(&format!("  > | {} |\n", cells.join(" | ")));
        }
        if let Some(t) = r.total {
            s.push_str(&format!(
                "  >\n  > {}\n",
                md_escape(&fill(lang, "msg.total", &[&duration(lang, t)]))
            ));
        }
    }
    if !r.mime.is_empty() {
        s.push_str(&format!("  >\n  > {}\n  >\n", text(lang, "msg.mime")));
        for n in &r.mime {
            s.push_str(&format!(
                "  > {}- {}\n",
                "  ".repeat(n.depth),
                code(&mime_line(n))
            ));
        }
    }
    s.push('\n');
    s
}

/// Text made safe inside HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:60em;color:#111;line-height:1.4}
h1{font-size:1.5em;border-bottom:2px solid #333;padding-bottom:.2em}
.about,.summary{color:#333}
.line{font-family:ui-monospace,'DejaVu Sans Mono',Consolas,monospace;white-space:pre-wrap;word-break:break-all;margin:.6em 0 .1em;padding:.15em .4em;border-left:4px solid #999}
.c{border-color:#0a6ebd;background:#eef6fd}.s{border-color:#2e7d32;background:#eef8ee}
.ev{border-color:#8e24aa;background:#f7eefa}
.t{color:#777;font-size:.85em;margin-right:.6em}.p{font-weight:bold;margin-right:.4em}
ul.notes{margin:.1em 0 .4em 1.4em;padding:0;list-style:none}ul.notes li{margin:.15em 0}
.sev-Hint{color:#8a6d00}.sev-Mistake{color:#b71c1c}.sev-Danger{color:#fff;background:#b71c1c;padding:0 .2em}
.rfc{color:#666;font-size:.85em}
.msg{margin:.6em 0 1em 1.4em;padding:.5em .8em;border:1px solid #bbb;background:#fafafa}
table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#eee}.mime{font-family:ui-monospace,monospace}
@media print{body{margin:0;max-width:none;font-size:10pt}.line,.msg,tr{break-inside:avoid}.c,.s,.ev,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
";

fn html(
    lang: Lang,
    head: &Head,
    entries: &[Entry],
    reports: &[(usize, bool, MessageReport)],
) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"about\">{}</p>\n<p class=\"summary\">{}</p>\n<h2>{}</h2>\n",
        lang.code(),
        esc(&head.title),
        esc(&head.title),
        esc(&head.about),
        esc(&head.summary),
        esc(&text(lang, "export.session"))
    );
    for (i, e) in entries.iter().enumerate() {
        let class = match e.dir {
            Dir::Client => "c",
            Dir::Server => "s",
            Dir::Tls | Dir::Open => "ev",
        };
        s.push_str(&format!(
            "<div class=\"line {class}\"><span class=\"t\">{}</span><span class=\"p\">{}</span>{}</div>\n",
            esc(&time(lang, e)),
            esc(prefix(e)),
            esc(&e.text)
        ));
        if !e.notes.is_empty() {
            s.push_str("<ul class=\"notes\">\n");
            for n in &e.notes {
                s.push_str(&format!(
                    "<li class=\"sev-{:?}\">{} <b>{}</b>",
                    n.severity,
                    esc(n.severity.symbol()),
                    esc(&n.title)
                ));
                if !n.body.is_empty() {
                    s.push_str(&format!(" — {}", esc(&n.body).replace('\n', "<br>")));
                }
                if let Some(r) = &n.rfc {
                    s.push_str(&format!(" <span class=\"rfc\">[{}]</span>", esc(r)));
                }
                s.push_str("</li>\n");
            }
            s.push_str("</ul>\n");
        }
        for (_, sent, r) in reports.iter().filter(|(end, _, _)| *end == i) {
            s.push_str(&html_message(lang, *sent, r));
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}

fn html_message(lang: Lang, sent: bool, r: &MessageReport) -> String {
    let mut s = format!(
        "<div class=\"msg\"><b>{}</b>\n",
        esc(&message_title(lang, sent))
    );
    if !r.hops.is_empty() {
        s.push_str(&format!(
            "<h3>{}</h3>\n<table>\n<tr>",
            esc(&text(lang, "msg.hops"))
        ));
        for h in hop_heads(lang) {
            s.push_str(&format!("<th>{}</th>", esc(&h)));
        }
        s.push_str("</tr>\n");
        for row in hop_rows(lang, r) {
            s.push_str("<tr>");
            for c in row {
                s.push_str(&format!("<td>{}</td>", esc(&c)));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
        if let Some(t) = r.total {
            s.push_str(&format!(
                "<p>{}</p>\n",
                esc(&fill(lang, "msg.total", &[&duration(lang, t)]))
            ));
        }
    }
    if !r.mime.is_empty() {
        s.push_str(&format!(
            "<h3>{}</h3>\n<div class=\"mime\">\n",
            esc(&text(lang, "msg.mime"))
        ));
        for n in &r.mime {
            s.push_str(&format!(
                "<div style=\"padding-left:{}em\">{}</div>\n",
                n.depth * 2,
                esc(&mime_line(n))
            ));
        }
        s.push_str("</div>\n");
    }
    s.push_str("</div>\n");
    s
}
