//! Inside DATA (RFC 5321 §4.1.1.4): which part of the message a line is —
//! a header field (RFC 5322 §2.2), the blank line, the body, a dot to
//! stuff or the end of the data.

use super::*;

/// A line of the message after 354.
pub fn explain_data_line(lang: Lang, line: &str, state: &SmtpState) -> Vec<Annotation> {
    let all = 0..line.len();
    let mut out = Vec::new();
    if line.len() + 2 > SMTP_TEXT_LINE {
        out.push(Annotation::from_key(
            lang,
            all.clone(),
            "1000",
            "data.too_long",
            &[&(line.len() + 2)],
            Severity::Mistake,
        ));
    }
    if line == "." {
        out.push(Annotation::from_key(
            lang,
            all,
            ".",
            "data.end",
            &[],
            Severity::Info,
        ));
        return out;
    }
    if let Some(rest) = line.strip_prefix('.') {
        out.push(Annotation::from_key(
            lang,
            0..1,
            ".",
            "data.stuffed",
            &[&visible_str(rest)],
            Severity::Info,
        ));
    }
    let word = line.split([' ', ':']).next().unwrap_or("");
    if Verb::parse(word).is_some() && !line.contains(':') {
        out.push(Annotation::from_key(
            lang,
            all.clone(),
            word,
            "data.command_in_body",
            &[&visible_str(line)],
            Severity::Hint,
        ));
    }
    if state.body_started {
        out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.body",
            &[],
            Severity::Info,
        ));
        return out;
    }
    if line.is_empty() {
        out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.blank",
            &[],
            Severity::Info,
        ));
        return out;
    }
    if line.starts_with([' ', '\t']) {
        out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.continuation",
            &[],
            Severity::Info,
        ));
        return out;
    }
    match line.split_once(':') {
        Some((name, value))
            if !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b)) =>
        {
            out.push(header_annotation(lang, name, 0..name.len()));
            // The same engine as `facteur headers`: the parts of the value,
            // an obsolete date, raw 8-bit text where RFC 2047 was due.
            out.extend(crate::explain::fields::value_notes(
                lang,
                name,
                value,
                name.len() + 1..line.len(),
            ));
            if name.eq_ignore_ascii_case("Bcc") {
                out.push(Annotation::from_key(
                    lang,
                    all,
                    name,
                    "data.bcc",
                    &[],
                    Severity::Hint,
                ));
            }
        }
        _ => out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.not_header",
            &[],
            Severity::Mistake,
        )),
    }
    out
}

/// One header field name explained (RFC 5322 §3.6 and the MIME RFCs).
pub fn header_annotation(lang: Lang, name: &str, span: std::ops::Range<usize>) -> Annotation {
    let lower = name.to_ascii_lowercase();
    let key = format!("hdr.{lower}");
    if entry(&key).is_some() {
        return Annotation::from_key(lang, span, name, &key, &[], Severity::Info);
    }
    // A family of fields (X-MS-Exchange-*, X-Spam-*, List-*…): the longest
    // prefix the catalog knows.
    let family = lower
        .char_indices()
        .filter(|&(_, c)| c == '-')
        .map(|(i, _)| format!("hdr.family.{}", &lower[..=i]))
        .rev()
        .find(|k| entry(k).is_some());
    let (key, args): (String, Vec<String>) = match family {
        Some(k) => (k, vec![visible_str(name)]),
        None if lower.starts_with("x-") && entry("hdr.x_field").is_some() => {
            ("hdr.x_field".into(), vec![visible_str(name)])
        }
        None if lower.starts_with("x-") => ("hdr.x".into(), vec![]),
        None => ("hdr.unknown".into(), vec![]),
    };
    let args: Vec<&dyn std::fmt::Display> =
        args.iter().map(|a| a as &dyn std::fmt::Display).collect();
    Annotation::from_key(lang, span, name, &key, &args, Severity::Info)
}
