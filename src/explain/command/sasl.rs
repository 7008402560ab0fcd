//! During AUTH, what a base64 answer carries (RFC 4954 §4): decoded and
//! read for its mechanism — PLAIN's three parts (RFC 4616 §2), LOGIN's user
//! name and password, CRAM-MD5's user and digest (RFC 2195 §2).

use super::*;

/// The base64 answer during AUTH.
pub(super) fn explain_auth_answer(
    lang: Lang,
    line: &str,
    state: &SmtpState,
    secret: Option<&str>,
) -> Vec<Annotation> {
    let mech = state.auth.as_ref().map(|(m, _)| m.as_str()).unwrap_or("");
    explain_sasl_payload(lang, mech, line, state, secret, line.len())
}

/// A base64 SASL payload (initial response or continuation) for `mechanism`.
pub fn explain_sasl_payload(
    lang: Lang,
    mechanism: &str,
    payload: &str,
    state: &SmtpState,
    secret: Option<&str>,
    len: usize,
) -> Vec<Annotation> {
    let all = 0..len;
    let title = format!("AUTH {mechanism}");
    let payload = payload.trim();
    if payload == "*" {
        return vec![Annotation::from_key(
            lang,
            all,
            title,
            "sasl.cancel",
            &[],
            Severity::Info,
        )];
    }
    if payload.is_empty() {
        return vec![];
    }
    let bytes = match decode_base64(payload) {
        Ok(b) => b,
        Err(e) => {
            let why = describe_base64_error(lang, &e);
            return vec![Annotation::from_key(
                lang,
                all,
                title,
                "sasl.invalid",
                &[&why],
                Severity::Mistake,
            )];
        }
    };
    let mut out = Vec::new();
    // A password readable on the wire while TLS was on offer.
    let warn_clear = |out: &mut Vec<Annotation>| {
        if !state.tls && state.offers("STARTTLS") {
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                "sasl.plain_clear",
                &[],
                Severity::Danger,
            ));
        }
    };
    match (mechanism, classify(&bytes)) {
        // Google's XOAUTH2 and RFC 7628's OAUTHBEARER carry an OAuth 2.0
        // bearer token, not a password: "user=U^Aauth=Bearer T^A^A" /
        // "n,a=U,^Ahost=…^Aauth=Bearer T^A^A".
        ("XOAUTH2" | "OAUTHBEARER", _) => {
            let text = String::from_utf8_lossy(&bytes);
            let field = |name: &str| {
                text.split(['\u{1}', ','])
                    .find_map(|f| f.strip_prefix(name))
                    .map(str::to_string)
            };
            let user = field("user=").or_else(|| field("a=")).unwrap_or_default();
            let token = field("auth=Bearer ").unwrap_or_default();
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                "sasl.oauth",
                &[&visible_str(&user), &token.len()],
                Severity::Info,
            ));
            if !state.tls {
                out.push(Annotation::from_key(
                    lang,
                    all,
                    title,
                    "sasl.oauth_clear",
                    &[],
                    Severity::Danger,
                ));
            }
        }
        ("PLAIN", Verdict::Plain { fields }) => {
            let [z, c, p] = &fields;
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                if state.tls {
                    "sasl.plain.tls"
                } else {
                    "sasl.plain"
                },
                &[&visible(z), &visible(c), &visible(p), &visible(&bytes)],
                Severity::Hint,
            ));
            warn_clear(&mut out);
        }
        ("PLAIN", _) => {
            let why = match crate::proto::sasl::plain::PlainCredentials::from_message(&bytes) {
                Err(e) => e.describe(lang),
                Ok(_) => String::new(),
            };
            out.push(Annotation::from_key(
                lang,
                all,
                title,
                "sasl.plain_bad",
                &[&why],
                Severity::Mistake,
            ));
        }
        ("CRAM-MD5", _) => match CramResponse::from_text(&bytes) {
            Ok(r) => {
                out.push(Annotation::from_key(
                    lang,
                    all.clone(),
                    title.clone(),
                    "sasl.cram_response",
                    &[&visible_str(&r.user), &r.digest],
                    Severity::Info,
                ));
                if let (Some(secret), Some((_, challenge))) = (secret, state.auth.as_ref()) {
                    let key = if r.verify(challenge, secret.as_bytes()) {
                        "sasl.cram_ok"
                    } else {
                        "sasl.cram_bad"
                    };
                    let sev = if key == "sasl.cram_ok" {
                        Severity::Info
                    } else {
                        Severity::Mistake
                    };
                    out.push(Annotation::from_key(lang, all, title, key, &[], sev));
                }
            }
            Err(e) => out.push(Annotation::from_key(
                lang,
                all,
                title,
                "sasl.plain_bad",
                &[&e.describe(lang)],
                Severity::Mistake,
            )),
        },
        (_, Verdict::Binary { offset }) => {
            out.push(Annotation::from_key(
                lang,
                all,
                title,
                "sasl.binary",
                &[
                    &(offset + 1),
                    &format!("{:02X}", bytes.get(offset).copied().unwrap_or(0)),
                    &bytes.len(),
                ],
                Severity::Mistake,
            ));
        }
        _ => {
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                "sasl.login_answer",
                &[&visible(&bytes)],
                Severity::Hint,
            ));
            warn_clear(&mut out);
        }
    }
    out
}
