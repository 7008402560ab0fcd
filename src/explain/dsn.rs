//! A delivery status notification (RFC 3464): the `message/delivery-status`
//! part of a bounce or a delay warning, field by field — who reports
//! (Reporting-MTA), for whom (Final-Recipient), what happened (Action, with
//! what the sending server does next), why (Status, an enhanced code, and
//! Diagnostic-Code, the remote server's own reply, explained like any
//! reply).

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::{entry, fill, text};
use crate::explain::lang::Lang;
use crate::proto::smtp::reply::EnhancedCode;
use crate::proto::visible::visible_str;

/// The fields of a delivery-status body, unfolded, in order.
pub fn fields(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    out
}

/// Each field of the report explained.
pub fn explain(lang: Lang, body: &[u8]) -> Vec<Annotation> {
    let mut out = vec![Annotation::from_key(
        lang,
        0..0,
        text(lang, "dsn.title"),
        "dsn.report",
        &[],
        Severity::Info,
    )];
    for (name, value) in fields(body) {
        let lower = name.to_ascii_lowercase();
        let key = format!("dsn.field.{lower}");
        let title = format!("{name}: {}", visible_str(&value));
        if entry(&key).is_some() {
            out.push(Annotation::from_key(
                lang,
                0..0,
                title.clone(),
                &key,
                &[],
                Severity::Info,
            ));
        }
        match lower.as_str() {
            "action" => {
                let action = value
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let k = format!("dsn.action.{action}");
                if entry(&k).is_some() {
                    let severity = match action.as_str() {
                        "failed" => Severity::Mistake,
                        "delayed" => Severity::Hint,
                        _ => Severity::Info,
                    };
                    out.push(Annotation::from_key(lang, 0..0, title, &k, &[], severity));
                }
            }
            "status" => {
                if let Some(e) = EnhancedCode::parse(value.split_whitespace().next().unwrap_or(""))
                {
                    let lines = [
                        text(lang, &format!("esc.class.{}", e.class)),
                        crate::explain::reply::subject_text(lang, e.subject),
                        {
                            let k = crate::explain::reply::detail_key(e);
                            if entry(&k).is_some() {
                                text(lang, &k)
                            } else {
                                fill(lang, "esc.detail.unknown", &[&e.detail])
                            }
                        },
                    ];
                    out.push(Annotation {
                        span: 0..0,
                        title: fill(lang, "esc.title", &[&e]),
                        body: lines.join("\n"),
                        rfc: Some("RFC 3463 §2".into()),
                        severity: if e.class == 5 {
                            Severity::Mistake
                        } else {
                            Severity::Info
                        },
                    });
                }
            }
            "diagnostic-code" => {
                // "smtp; 550 5.1.1 …": the remote server's own reply;
                // "X-Postfix; connect to …": the reporting MTA's own words.
                if let Some((kind, said)) = value.split_once(';') {
                    let said = said.trim();
                    let notes = if kind.trim().eq_ignore_ascii_case("smtp") {
                        crate::explain::line::explain_line(lang, said)
                    } else {
                        crate::explain::delivery::explain_reason(lang, said).unwrap_or_default()
                    };
                    for mut a in notes {
                        a.span = 0..0;
                        out.push(a);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_unfolded() {
        let body = b"Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; a@b\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <a@b>:\r\n    Recipient address rejected\r\n";
        let f = fields(body);
        assert_eq!(f.len(), 5);
        assert_eq!(f[4].1, "smtp; 550 5.1.1 <a@b>: Recipient address rejected");
    }
}
