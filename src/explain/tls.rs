//! A TLS handshake explained: version, cipher, the certificate (subject,
//! issuer, validity, names) and what verification means.

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::text;
use crate::explain::lang::Lang;
use crate::proto::tls::Handshake;
use crate::proto::visible::visible_str;

/// The annotations for a completed handshake. Every field comes from the
/// server (a certificate is the server's text): shown visible, never raw.
pub fn explain_handshake(lang: Lang, h: &Handshake) -> Vec<Annotation> {
    let h = &visible_handshake(h);
    let mut out = vec![Annotation::from_key(
        lang,
        0..0,
        text(lang, "tls.title"),
        "tls.body",
        &[&version_words(&h.version), &h.cipher],
        Severity::Info,
    )];
    if let Some(c) = &h.cert {
        let names = if c.names.is_empty() {
            text(lang, "tls.none")
        } else {
            c.names.join(", ")
        };
        out.push(Annotation::from_key(
            lang,
            0..0,
            text(lang, "tls.cert.title"),
            "tls.cert",
            &[&c.subject, &c.issuer, &c.not_before, &c.not_after, &names],
            Severity::Info,
        ));
        if c.subject.contains(crate::proto::tls::PROXY_CN) {
            out.push(Annotation::from_key(
                lang,
                0..0,
                text(lang, "proxy.intercepted.title"),
                "proxy.intercepted",
                &[],
                Severity::Danger,
            ));
        }
        if c.subject == c.issuer {
            out.push(Annotation::from_key(
                lang,
                0..0,
                text(lang, "tls.cert.title"),
                "tls.self_signed",
                &[],
                Severity::Hint,
            ));
        }
    }
    let (key, severity) = if h.verified {
        ("tls.verified", Severity::Info)
    } else {
        ("tls.unverified", Severity::Danger)
    };
    out.push(Annotation::from_key(
        lang,
        0..0,
        text(lang, &format!("{key}.title")),
        key,
        &[],
        severity,
    ));
    out
}

/// The handshake with every text made visible (control characters and
/// escapes as symbols).
fn visible_handshake(h: &Handshake) -> Handshake {
    let v = |s: &str| visible_str(s);
    Handshake {
        version: v(&h.version),
        cipher: v(&h.cipher),
        verified: h.verified,
        cert: h.cert.as_ref().map(|c| crate::proto::tls::CertInfo {
            subject: v(&c.subject),
            issuer: v(&c.issuer),
            not_before: v(&c.not_before),
            not_after: v(&c.not_after),
            names: c.names.iter().map(|n| v(n)).collect(),
        }),
    }
}

/// One line for the session pane: `TLS TLSv1_3 TLS13_… — CN=…`.
pub fn handshake_line(h: &Handshake) -> String {
    let h = &visible_handshake(h);
    match &h.cert {
        Some(c) => format!(
            "── {} {} — {} ──",
            version_words(&h.version),
            h.cipher,
            c.subject
        ),
        None => format!("── {} {} ──", version_words(&h.version), h.cipher),
    }
}

/// `TLSv1_3`, `TLS1_2`, `TLSv1.3`, `TLS13` → `TLS 1.3`.
pub fn version_words(v: &str) -> String {
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    match digits.as_str() {
        "10" | "1" => "TLS 1.0".into(),
        "11" => "TLS 1.1".into(),
        "12" => "TLS 1.2".into(),
        "13" => "TLS 1.3".into(),
        _ => visible_str(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::tls::CertInfo;

    #[test]
    fn a_self_signed_unverified_certificate_is_explained() {
        let h = Handshake {
            version: "TLSv1_3".into(),
            cipher: "TLS13_AES_256_GCM_SHA384".into(),
            verified: false,
            cert: Some(CertInfo {
                subject: "CN=localhost".into(),
                issuer: "CN=localhost".into(),
                not_before: "2026-11-26 00:00:00 UTC".into(),
                not_after: "2027-11-26 00:00:00 UTC".into(),
                names: vec!["localhost".into()],
            }),
        };
        let notes = explain_handshake(Lang::En, &h);
        let all: String = notes.iter().map(|n| n.render() + "\n").collect();
        assert!(all.contains("TLS 1.3"), "{all}");
        assert!(
            all.contains("Valid from 2026-11-26 00:00:00 UTC to 2027-11-26"),
            "{all}"
        );
        assert!(all.contains("self-signed"), "{all}");
        assert!(all.contains("NOT verified"), "{all}");
        assert_eq!(notes.last().map(|n| n.severity), Some(Severity::Danger));
        assert_eq!(
            handshake_line(&h),
            "── TLS 1.3 TLS13_AES_256_GCM_SHA384 — CN=localhost ──"
        );
    }
}
