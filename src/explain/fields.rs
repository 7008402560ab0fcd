//! Header fields whose value has parts worth explaining one by one: the
//! authentication results a receiver wrote (`Authentication-Results`, RFC
//! 8601; `ARC-Authentication-Results`, RFC 8617; `Received-SPF`, RFC 7208
//! §9.1), the signatures a sender's domain put (`DKIM-Signature`, RFC 6376
//! §3.5; `ARC-Seal`, `ARC-Message-Signature`), dates in obsolete forms
//! (RFC 5322 §4.3) and raw 8-bit text where RFC 2047 was due. Signatures
//! are not verified (that needs the DNS): the explanation says what a
//! verifier would fetch and compare.

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::{entry, fill, text};
use crate::explain::lang::Lang;
use crate::proto::visible::visible_str;

/// The parts of a field's value explained, one annotation each (empty when
/// the field has no parts facteur reads).
pub fn field_details(lang: Lang, name: &str, value: &str) -> Vec<Annotation> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "authentication-results" => authentication_results(lang, value, false),
        "arc-authentication-results" => authentication_results(lang, value, true),
        "dkim-signature" | "arc-message-signature" | "arc-seal" => tag_list(lang, &lower, value),
        "received-spf" => received_spf(lang, value),
        "date" | "resent-date" | "delivery-date" => date_notes(lang, value),
        _ => Vec::new(),
    }
}

fn note(
    lang: Lang,
    title: impl Into<String>,
    key: &str,
    args: &[&dyn std::fmt::Display],
) -> Annotation {
    Annotation::from_key(lang, 0..0, title, key, args, Severity::Info)
}

/// Split on `sep` outside parentheses and double quotes (RFC 5322 comments
/// and quoted strings may hold the separator).
fn split_outside(value: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == sep && depth == 0 && !quoted {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The text without its comments in parentheses.
fn without_comments(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// RFC 8601 §2.2: `authserv-id [version] ; method=result [reason] props ; …`
/// (ARC-Authentication-Results starts with `i=N;`).
fn authentication_results(lang: Lang, value: &str, arc: bool) -> Vec<Annotation> {
    let mut parts = split_outside(value, ';').into_iter();
    let mut out = Vec::new();
    if arc && let Some(i) = parts.next() {
        let n = i.trim_start_matches("i=").trim().to_string();
        out.push(note(lang, "ARC", "arc.instance", &[&visible_str(&n)]));
    }
    let Some(authserv) = parts.next() else {
        return out;
    };
    let id = without_comments(&authserv)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    out.push(note(lang, &id, "authres.title", &[&visible_str(&id)]));
    for method in parts {
        let plain = without_comments(&method);
        let mut words = plain.split_whitespace();
        let Some((m, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let m = m.to_ascii_lowercase();
        let result = result.to_ascii_lowercase();
        let mkey = format!("authres.method.{m}");
        let rkey = format!("authres.result.{result}");
        let mut body = if entry(&mkey).is_some() {
            text(lang, &mkey)
        } else {
            String::new()
        };
        if entry(&rkey).is_some() {
            if !body.is_empty() {
                body.push(' ');
            }
            body.push_str(&fill(lang, &rkey, &[&m]));
        }
        let mut props = Vec::new();
        for w in words {
            if let Some((p, v)) = w.split_once('=')
                && p.contains('.')
            {
                props.push(fill(
                    lang,
                    "authres.prop",
                    &[&visible_str(p), &visible_str(v)],
                ));
            } else if m == "dmarc" && (w.starts_with("p=") || w.starts_with("sp=")) {
                props.push(fill(lang, "authres.dmarc.policy", &[&visible_str(w), &""]));
            }
        }
        if !props.is_empty() {
            body.push('\n');
            body.push_str(&props.join("\n"));
        }
        let severity = match result.as_str() {
            "pass" | "none" | "bestguesspass" => Severity::Info,
            "neutral" | "softfail" | "temperror" | "policy" => Severity::Hint,
            _ => Severity::Mistake,
        };
        out.push(Annotation {
            span: 0..0,
            title: format!("{m}={result}"),
            body,
            rfc: Some("RFC 8601 §2.7".into()),
            severity,
        });
    }
    out
}

/// A `tag=value; tag=value` list (RFC 6376 §3.2): DKIM-Signature and the
/// two ARC signature fields.
fn tag_list(lang: Lang, field: &str, value: &str) -> Vec<Annotation> {
    let tags: Vec<(String, String)> = value
        .split(';')
        .filter_map(|t| t.split_once('='))
        .map(|(t, v)| {
            (
                t.trim().to_ascii_lowercase(),
                v.split_whitespace().collect::<String>(),
            )
        })
        .collect();
    let get = |t: &str| tags.iter().find(|(k, _)| k == t).map(|(_, v)| v.as_str());
    let mut out = Vec::new();
    if field != "dkim-signature"
        && let Some(i) = get("i")
    {
        out.push(note(lang, "ARC", "arc.instance", &[&visible_str(i)]));
        if let Some(cv) = get("cv") {
            out.push(note(lang, "cv", "arc.cv", &[&visible_str(cv)]));
        }
    }
    for (t, v) in &tags {
        if field != "dkim-signature" && (t == "i" || t == "cv") {
            continue;
        }
        let key = format!("dkim.tag.{t}");
        if entry(&key).is_none() {
            continue;
        }
        // Signatures and hashes are long: show their start and their length.
        let shown = if (t == "b" || t == "bh") && v.len() > 24 {
            format!("{}… ({})", &v[..v.floor_char_boundary(16)], v.len())
        } else {
            v.clone()
        };
        out.push(note(lang, format!("{t}="), &key, &[&visible_str(&shown)]));
    }
    if let (Some(s), Some(d)) = (get("s"), get("d")) {
        out.push(note(
            lang,
            format!("{s}._domainkey.{d}"),
            "dkim.key_at",
            &[&visible_str(s), &visible_str(d)],
        ));
        out.push(note(lang, "DKIM", "dkim.no_verify", &[]));
    }
    out
}

/// The domain whose SPF record decided (RFC 7208 §2.6: the result is that
/// domain owner's statement, not the client's): the domain of
/// `envelope-from=`, else `helo=`, else "domain of X" in the comment (as
/// Gmail and pyspf write it). Never the client's IP address.
fn spf_domain(value: &str) -> Option<String> {
    let domain_of = |addr: &str| {
        let addr = addr.trim_matches(['"', '<', '>', ';', ')', '(']);
        let d = addr.rsplit_once('@').map_or(addr, |(_, d)| d);
        (!d.is_empty()).then(|| d.to_string())
    };
    let pairs = || {
        value
            .split(';')
            .flat_map(|p| p.split_whitespace())
            .filter_map(|kv| kv.split_once('='))
    };
    let key = |k: &str| pairs().find(|(name, _)| name.eq_ignore_ascii_case(k));
    if let Some(d) = key("envelope-from").and_then(|(_, v)| domain_of(v)) {
        return Some(d);
    }
    if let Some(d) = key("helo").and_then(|(_, v)| domain_of(v)) {
        return Some(d);
    }
    let lower = value.to_ascii_lowercase();
    let at = lower.find("domain of ")? + "domain of ".len();
    domain_of(value[at..].split_whitespace().next()?)
}

/// RFC 7208 §9.1: `Received-SPF: result (comment) key=value; …`.
fn received_spf(lang: Lang, value: &str) -> Vec<Annotation> {
    let result = value
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let key = format!("spf.result.{result}");
    if entry(&key).is_none() {
        return Vec::new();
    }
    let who = spf_domain(value).unwrap_or_else(|| text(lang, "spf.domain.unknown"));
    let severity = match result.as_str() {
        "pass" | "none" => Severity::Info,
        "neutral" | "softfail" | "temperror" => Severity::Hint,
        _ => Severity::Mistake,
    };
    vec![Annotation {
        span: 0..0,
        title: format!("SPF {result}"),
        body: fill(lang, &key, &[&visible_str(&who)]),
        rfc: Some("RFC 7208 §9.1".into()),
        severity,
    }]
}

/// Obsolete date forms (RFC 5322 §4.3) pointed out with their modern
/// equivalent; an impossible date flagged.
pub fn date_notes(lang: Lang, value: &str) -> Vec<Annotation> {
    let mut out = Vec::new();
    let parsed = crate::proto::date::read(value);
    let hint = |key: &str, args: &[&dyn std::fmt::Display]| Annotation {
        span: 0..0,
        title: "Date".into(),
        body: fill(lang, key, args),
        rfc: Some("RFC 5322 §4.3".into()),
        severity: Severity::Hint,
    };
    match parsed {
        Err(_) => out.push(Annotation {
            span: 0..0,
            title: "Date".into(),
            body: fill(lang, "date.impossible", &[&visible_str(value.trim())]),
            rfc: Some("RFC 5322 §3.3".into()),
            severity: Severity::Mistake,
        }),
        Ok(d) => {
            if let Some(y) = d.two_digit_year {
                out.push(hint(
                    "date.obsolete.two_digit_year",
                    &[&format!("{y:02}"), &d.year],
                ));
            }
            if let Some(z) = &d.zone_name {
                out.push(hint("date.obsolete.zone", &[z, &d.zone_numeric()]));
            }
            if !d.day_name {
                out.push(Annotation {
                    severity: Severity::Info,
                    ..hint("date.obsolete.no_day", &[])
                });
            }
            if d.comment {
                out.push(Annotation {
                    severity: Severity::Info,
                    ..hint("date.obsolete.comment", &[])
                });
            }
            if d.two_digit_year.is_some() || d.zone_name.is_some() {
                out.push(Annotation {
                    severity: Severity::Info,
                    ..hint("date.modern", &[&d.modern()])
                });
            }
        }
    }
    out
}

/// A header value with raw non-ASCII bytes (typed by hand): RFC 5322 §2.2
/// wants ASCII; a MUA writes RFC 2047 encoded words (or uses SMTPUTF8,
/// RFC 6532).
pub fn raw_8bit_note(lang: Lang, name: &str, value: &str) -> Option<Annotation> {
    if value.is_ascii() {
        return None;
    }
    // The part a MUA would encode: the display name of an address, else all.
    let phrase = match value.find('<') {
        Some(i) if i > 0 => value[..i].trim().trim_matches('"'),
        _ => value.trim(),
    };
    let encoded = format!(
        "=?UTF-8?B?{}?=",
        crate::proto::sasl::encode_base64(phrase.as_bytes())
    );
    Some(Annotation {
        span: 0..0,
        title: name.to_string(),
        body: fill(lang, "hdr.raw_8bit", &[&name, &encoded]),
        rfc: Some("RFC 2047 §2".into()),
        severity: Severity::Hint,
    })
}

/// A header line's value explained where it stands on the line (`span`):
/// its parts, an obsolete date, raw 8-bit text where RFC 2047 was due —
/// the same engine as `facteur headers`, for a header typed in DATA or
/// read in a RETR.
pub fn value_notes(
    lang: Lang,
    name: &str,
    value: &str,
    span: std::ops::Range<usize>,
) -> Vec<Annotation> {
    let mut out = field_details(lang, name, value);
    out.extend(raw_8bit_note(lang, name, value));
    for n in &mut out {
        n.span = span.clone();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_results_are_split_into_methods() {
        let v = "mx.google.com; dkim=pass header.i=@gmail.com header.s=20230601 header.b=abc; \
                 spf=pass (google.com: domain of a@gmail.com designates 209.85.220.41 as permitted sender) \
                 smtp.mailfrom=a@gmail.com; dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com";
        let notes = authentication_results(Lang::En, v, false);
        let titles: Vec<&str> = notes.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            ["mx.google.com", "dkim=pass", "spf=pass", "dmarc=pass"]
        );
        assert!(notes[1].body.contains("header.s"), "{}", notes[1].body);
        assert!(notes[2].body.contains("a@gmail.com"), "{}", notes[2].body);
    }

    #[test]
    fn a_comment_may_hold_a_semicolon() {
        assert_eq!(
            split_outside("a; b (x; y) c; \"d;e\"", ';'),
            ["a", "b (x; y) c", "\"d;e\""]
        );
    }

    #[test]
    fn dkim_says_where_the_key_lives() {
        let v = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; s=20230601; h=to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA";
        let notes = tag_list(Lang::En, "dkim-signature", v);
        assert!(
            notes
                .iter()
                .any(|a| a.title == "20230601._domainkey.gmail.com"),
            "{notes:?}"
        );
        let bh = notes.iter().find(|a| a.title == "bh=").unwrap();
        assert!(bh.body.contains("47DEQpj8HBSa+/TI… (44)"), "{}", bh.body);
    }

    #[test]
    fn raw_8bit_gets_its_encoded_form() {
        let a = raw_8bit_note(Lang::En, "Subject", "Réunion").unwrap();
        assert!(a.body.contains("=?UTF-8?B?UsOpdW5pb24=?="), "{}", a.body);
        assert!(raw_8bit_note(Lang::En, "Subject", "plain").is_none());
    }
}
