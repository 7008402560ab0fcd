//! The AUTH workbench behind `facteur decode`, `encode`, `cram-md5` and
//! `apop`: it lays out, in French or English, what the explanation engine
//! and the SASL functions compute. Pure: strings in, a [`Report`] out.

mod encode;
mod sessions;
pub use encode::{apop_report, cram_md5_report, encode_login_report, encode_plain_report};
pub use sessions::{
    Source, capture_list_report, export_report, lesson_check_report, lesson_list_report,
    load_source, world_address,
};

use crate::explain::catalog::{count, fill, text};
use crate::explain::decode::{self, Verdict, describe_base64_error};
use crate::explain::lang::Lang;
use crate::proto::pop3::apop;
use crate::proto::sasl::cram_md5::{self, CramResponse, looks_like_challenge};
use crate::proto::sasl::login::Prompt;
use crate::proto::sasl::plain::PlainCredentials;
use crate::proto::sasl::{SaslError, decode_base64, encode_base64};
use crate::proto::visible::{visible, visible_str};

/// What a workbench command prints, and whether it succeeded (exit status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub text: String,
    pub ok: bool,
}

/// Rows of `label  value`, labels aligned.
#[derive(Default)]
struct Sheet {
    rows: Vec<(String, String)>,
}

impl Sheet {
    fn row(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.rows.push((label.into(), value.into()));
    }

    fn render(&self) -> String {
        use unicode_width::UnicodeWidthStr;
        let width = self.rows.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
        let room = TEXT_WIDTH.saturating_sub(width + 2).max(40);
        let mut out = String::new();
        for (label, value) in &self.rows {
            let pad = width.saturating_sub(label.width());
            let wrapped: Vec<String> = value.lines().flat_map(|l| wrap(l, room)).collect();
            let mut lines = wrapped.iter().map(String::as_str);
            out.push_str(label);
            out.push_str(&" ".repeat(pad + 2));
            out.push_str(lines.next().unwrap_or(""));
            out.push('\n');
            for more in lines {
                out.push_str(&" ".repeat(width + 2));
                out.push_str(more);
                out.push('\n');
            }
        }
        out
    }
}

/// The width reports are laid out for (a classic terminal).
const TEXT_WIDTH: usize = 80;

/// Cut a line at spaces so that no piece is wider than `room` columns
/// (display width: an accented letter is one, a CJK character two; a word
/// longer than that stands alone) — textwrap does it by the Unicode rules.
fn wrap(line: &str, room: usize) -> Vec<String> {
    let options = textwrap::Options::new(room.max(1)).break_words(false);
    let out: Vec<String> = textwrap::wrap(line, options)
        .into_iter()
        .map(|c| c.into_owned())
        .collect();
    if out.is_empty() {
        vec![String::new()]
    } else {
        out
    }
}

/// Octets as hexadecimal pairs, at most 48 shown.
pub fn hex_dump(bytes: &[u8]) -> String {
    const MAX: usize = 48;
    let mut s: Vec<String> = bytes.iter().take(MAX).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > MAX {
        s.push(format!("… (+{})", bytes.len() - MAX));
    }
    s.join(" ")
}

fn shown(lang: Lang, bytes: &[u8]) -> String {
    if bytes.is_empty() {
        text(lang, "wb.empty")
    } else {
        visible(bytes)
    }
}

fn octets(lang: Lang, n: usize) -> String {
    count(lang, n, "wb.octet", "wb.octets")
}

/// The text of `key` followed by its RFC reference, kept on one line.
fn with_rfc(lang: Lang, key: &str, args: &[&dyn std::fmt::Display]) -> String {
    let s = fill(lang, key, args);
    match crate::explain::catalog::rfc(key) {
        Some(r) => format!("{s} [{}]", r.replace(' ', "\u{a0}")),
        None => s,
    }
}

/// `facteur decode STRING`.
pub fn decode_report(lang: Lang, input: &str) -> Report {
    let d = decode::decode(input);
    let mut sheet = Sheet::default();
    sheet.row(
        text(lang, "wb.input"),
        format!(
            "{}  ({})",
            visible_str(&d.input),
            count(lang, d.input.chars().count(), "wb.char", "wb.chars")
        ),
    );
    if d.trimmed {
        sheet.row(text(lang, "wb.note"), with_rfc(lang, "wb.whitespace", &[]));
    }
    let mut ok = true;
    if !d.bytes.is_empty() {
        sheet.row(
            text(lang, "wb.decoded"),
            fill(
                lang,
                "wb.bytes_shown",
                &[&octets(lang, d.bytes.len()), &visible(&d.bytes)],
            ),
        );
        sheet.row(text(lang, "wb.hex"), hex_dump(&d.bytes));
    }
    let verdict = text(lang, "wb.verdict");
    match &d.verdict {
        Verdict::Cancel => sheet.row(verdict, with_rfc(lang, "wb.cancel", &[])),
        Verdict::EmptyResponse => sheet.row(verdict, with_rfc(lang, "wb.empty_response", &[])),
        Verdict::NotBase64 { error, lenient } => {
            ok = false;
            let why = describe_base64_error(lang, error);
            sheet.row(verdict, with_rfc(lang, "wb.not_base64", &[&why]));
            if let Some(bytes) = lenient {
                let mut s = fill(
                    lang,
                    "wb.lenient",
                    &[&octets(lang, bytes.len()), &visible(bytes)],
                );
                if std::str::from_utf8(bytes).is_err() {
                    s.push_str(" — ");
                    s.push_str(&text(lang, "wb.lenient.binary"));
                }
                sheet.row(text(lang, "wb.note"), s);
            }
        }
        Verdict::Plain { fields } => {
            sheet.row(verdict, with_rfc(lang, "wb.plain", &[]));
            let names = [
                ("wb.plain.authzid", Some("wb.plain.authzid.help")),
                ("wb.plain.authcid", Some("wb.plain.authcid.help")),
                ("wb.plain.password", None),
            ];
            for (field, (name, help)) in fields.iter().zip(names) {
                let mut value = shown(lang, field);
                if let Some(h) = help {
                    value = format!("{value}    — {}", text(lang, h));
                }
                if std::str::from_utf8(field).is_err() {
                    value = format!("{value}\n⚠ {}", text(lang, "wb.field_not_text"));
                }
                sheet.row(format!("  {}", text(lang, name)), value);
            }
            for (field, name) in [
                (&fields[1], "wb.plain.authcid"),
                (&fields[2], "wb.plain.password"),
            ] {
                if field.is_empty() {
                    sheet.row(
                        text(lang, "wb.warning"),
                        with_rfc(lang, "wb.plain.empty_field", &[&text(lang, name)]),
                    );
                }
            }
            sheet.row(
                text(lang, "wb.warning"),
                with_rfc(lang, "wb.cleartext", &[]),
            );
        }
        Verdict::PlainFieldCount { nuls } => {
            ok = false;
            sheet.row(
                verdict,
                with_rfc(lang, "wb.plain.fields", &[nuls, &(nuls + 1)]),
            );
        }
        Verdict::LoginPrompt(p) => {
            let what = match p {
                Prompt::Username => text(lang, "wb.login.the_user"),
                Prompt::Password => text(lang, "wb.login.the_password"),
            };
            sheet.row(
                verdict,
                with_rfc(lang, "wb.login.prompt", &[&visible(&d.bytes), &what]),
            );
        }
        Verdict::CramChallenge(_) => sheet.row(verdict, with_rfc(lang, "wb.cram.challenge", &[])),
        Verdict::CramResponse(r) => sheet.row(
            verdict,
            with_rfc(
                lang,
                "wb.cram.response",
                &[&visible_str(&r.user), &r.digest, &d.input],
            ),
        ),
        Verdict::Text(t) => sheet.row(verdict, with_rfc(lang, "wb.text", &[&visible_str(t)])),
        Verdict::Binary { offset } => {
            ok = false;
            let byte = d.bytes.get(*offset).copied().unwrap_or(0);
            sheet.row(
                verdict,
                with_rfc(lang, "wb.binary", &[&(offset + 1), &format!("{byte:02x}")]),
            );
        }
    }
    Report {
        text: sheet.render(),
        ok,
    }
}

fn sasl_error(lang: Lang, e: &SaslError) -> String {
    let s = match e {
        SaslError::ContainsNul { field } => fill(lang, "wb.err.nul", &[field]),
        SaslError::EmptyField { field } => fill(lang, "wb.err.empty", &[field]),
        other => crate::explain::diag::Describe::describe(other, lang),
    };
    fill(lang, "wb.error", &[&s])
}

/// `facteur explain "LINE"`: a reply line, an EHLO keyword line or a command.
pub fn explain_line_report(lang: Lang, line: &str) -> Report {
    let annotations = crate::explain::line::explain_line(lang, line);
    let mut text = String::new();
    for a in &annotations {
        text.push_str(&a.render());
        text.push('\n');
    }
    Report { text, ok: true }
}

/// `facteur headers FILE` (or `-` for standard input).
pub fn headers_report(lang: Lang, path: &str) -> Report {
    let raw = if path == "-" {
        let mut buf = Vec::new();
        let stdin = std::io::Read::take(std::io::stdin(), crate::files::MAX_MESSAGE);
        match std::io::Read::read_to_end(&mut { stdin }, &mut buf) {
            Ok(_) => Ok(buf),
            Err(e) => Err(crate::files::FileError::Io {
                kind: e.kind(),
                os: e.raw_os_error(),
            }),
        }
    } else {
        crate::files::read(std::path::Path::new(path), crate::files::MAX_MESSAGE)
    };
    match raw {
        Ok(raw) => {
            let report = crate::explain::message::explain_message(lang, &raw);
            Report {
                text: crate::explain::message::render(lang, &report),
                ok: true,
            }
        }
        Err(e) => Report {
            text: fill(
                lang,
                "wb.error",
                &[&fill(
                    lang,
                    "diag.file",
                    &[&visible_str(path), &e.describe(lang)],
                )],
            ) + "\n",
            ok: false,
        },
    }
}

/// `facteur connect HOST[:PORT]`: where, which protocol, which TLS. The
/// protocol and implicit TLS are guessed from the port (25/587 SMTP, 465
/// SMTPS, 110 POP3, 995 POP3S) unless given.
pub fn connect_options(
    lang: Lang,
    target: &str,
    proto: Option<&str>,
    tls: bool,
    starttls: bool,
    insecure: bool,
) -> Result<(crate::net::client::ConnectOptions, crate::net::link::Proto), String> {
    use crate::net::client::{ConnectOptions, TlsMode};
    use crate::net::link::{Proto, guess};
    let (host, port) = match target.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !h.ends_with(':') => (
            h.trim_matches(['[', ']']).to_string(),
            p.parse::<u16>()
                .map_err(|_| fill(lang, "diag.connect.bad_port", &[&visible_str(p)]))?,
        ),
        _ => (target.to_string(), 25),
    };
    if host.is_empty() {
        return Err(text(lang, "diag.connect.no_host"));
    }
    let (guessed, guessed_tls) = guess(port);
    let proto = match proto.map(str::to_ascii_lowercase).as_deref() {
        None => guessed,
        Some("smtp") => Proto::Smtp,
        Some("pop3") | Some("pop") => Proto::Pop3,
        Some(other) => {
            return Err(fill(lang, "diag.connect.bad_proto", &[&visible_str(other)]));
        }
    };
    let mode = if tls {
        TlsMode::Implicit
    } else if starttls {
        TlsMode::Plain
    } else {
        guessed_tls
    };
    Ok((
        ConnectOptions {
            host,
            port,
            tls: mode,
            insecure,
            timeout: std::time::Duration::from_secs(10),
        },
        proto,
    ))
}
