//! Building what a client sends, shown step by step: the AUTH PLAIN string
//! (RFC 4616 §2), the two AUTH LOGIN answers, a CRAM-MD5 response (RFC 2195
//! §2) and an APOP digest (RFC 1939 §7) — `facteur encode`, `cram-md5`,
//! `apop`.

use super::*;

/// `facteur encode plain`.
pub fn encode_plain_report(lang: Lang, authzid: &str, user: &str, password: &str) -> Report {
    let creds = PlainCredentials::new(authzid, user, password);
    let message = match creds.message() {
        Ok(m) => m,
        Err(e) => {
            return Report {
                text: sasl_error(lang, &e) + "\n",
                ok: false,
            };
        }
    };
    let b64 = encode_base64(&message);
    let mut sheet = Sheet::default();
    sheet.row(
        format!("  {}", text(lang, "wb.plain.authzid")),
        format!(
            "{}    — {}",
            shown(lang, authzid.as_bytes()),
            text(lang, "wb.plain.authzid.help")
        ),
    );
    sheet.row(
        format!("  {}", text(lang, "wb.plain.authcid")),
        format!(
            "{}    — {}",
            visible_str(user),
            text(lang, "wb.plain.authcid.help")
        ),
    );
    sheet.row(
        format!("  {}", text(lang, "wb.plain.password")),
        visible_str(password),
    );
    sheet.row(
        text(lang, "wb.message"),
        format!("{}  ({})", visible(&message), octets(lang, message.len())),
    );
    sheet.row(text(lang, "wb.hex"), hex_dump(&message));
    sheet.row(text(lang, "wb.base64"), b64.clone());
    sheet.row(
        text(lang, "wb.send"),
        with_rfc(lang, "wb.enc.plain.send", &[&b64]),
    );
    sheet.row(
        text(lang, "wb.warning"),
        with_rfc(lang, "wb.cleartext", &[]),
    );
    Report {
        text: sheet.render(),
        ok: true,
    }
}

/// `facteur encode login`.
pub fn encode_login_report(lang: Lang, user: &str, password: &str) -> Report {
    if user.is_empty() || password.is_empty() {
        let field = if user.is_empty() {
            "username"
        } else {
            "password"
        };
        return Report {
            text: fill(lang, "wb.error", &[&fill(lang, "wb.err.empty", &[&field])]) + "\n",
            ok: false,
        };
    }
    let comment = |s: &str| fill(lang, "wb.enc.comment", &[&visible_str(s)]);
    let lines = [
        ("C:", "AUTH LOGIN".to_string(), String::new()),
        (
            "S:",
            format!("334 {}", Prompt::Username.encoded()),
            comment(Prompt::Username.text()),
        ),
        ("C:", encode_base64(user.as_bytes()), comment(user)),
        (
            "S:",
            format!("334 {}", Prompt::Password.encoded()),
            comment(Prompt::Password.text()),
        ),
        ("C:", encode_base64(password.as_bytes()), comment(password)),
        (
            "S:",
            "235 2.7.0".to_string(),
            fill(lang, "wb.enc.comment", &[&text(lang, "wb.enc.ok")]),
        ),
    ];
    let width = lines.iter().map(|(_, l, _)| l.len()).max().unwrap_or(0);
    let mut dialogue = String::new();
    for (who, line, note) in lines {
        dialogue.push_str(format!("{who} {line:<width$}  {note}").trim_end());
        dialogue.push('\n');
    }
    let mut sheet = Sheet::default();
    sheet.row(
        text(lang, "wb.enc.login.dialogue"),
        dialogue.trim_end().to_string(),
    );
    sheet.row(
        text(lang, "wb.warning"),
        with_rfc(lang, "wb.cleartext", &[]),
    );
    Report {
        text: sheet.render(),
        ok: true,
    }
}

/// `facteur cram-md5`: compute the response step by step, or check a given one.
pub fn cram_md5_report(
    lang: Lang,
    challenge: &str,
    user: &str,
    secret: &str,
    response: Option<&str>,
) -> Report {
    let mut sheet = Sheet::default();
    let challenge = challenge.trim();
    let (decoded, raw) = match decode_base64(challenge) {
        Ok(b) => (b, false),
        Err(_) if looks_like_challenge(challenge.as_bytes()) => {
            (challenge.as_bytes().to_vec(), true)
        }
        Err(e) => {
            let why = describe_base64_error(lang, &e);
            return Report {
                text: format!(
                    "{}\n",
                    fill(
                        lang,
                        "wb.error",
                        &[&with_rfc(lang, "wb.not_base64", &[&why])]
                    )
                ),
                ok: false,
            };
        }
    };
    let challenge64 = if raw {
        encode_base64(&decoded)
    } else {
        challenge.to_string()
    };
    sheet.row(text(lang, "wb.cram.step.challenge64"), challenge64);
    sheet.row(text(lang, "wb.cram.step.challenge"), visible(&decoded));
    if raw {
        sheet.row(
            text(lang, "wb.note"),
            with_rfc(lang, "wb.cram.raw_challenge", &[]),
        );
    }
    let digest = cram_md5::digest_hex(&decoded, secret.as_bytes());
    sheet.row(text(lang, "wb.cram.step.hmac"), digest.clone());
    let response_text = format!("{user} {digest}");
    sheet.row(text(lang, "wb.cram.step.text"), visible_str(&response_text));
    sheet.row(
        text(lang, "wb.cram.step.base64"),
        encode_base64(response_text.as_bytes()),
    );
    let mut ok = true;
    if let Some(given) = response {
        match CramResponse::decode(given) {
            Ok(r) => {
                sheet.row(
                    text(lang, "wb.cram.given"),
                    format!("{} {}", visible_str(&r.user), r.digest),
                );
                if r.user != user {
                    sheet.row(
                        text(lang, "wb.note"),
                        fill(
                            lang,
                            "wb.cram.verify.user",
                            &[&visible_str(&r.user), &visible_str(user)],
                        ),
                    );
                }
                if r.verify(&decoded, secret.as_bytes()) {
                    sheet.row(
                        text(lang, "wb.verdict"),
                        with_rfc(lang, "wb.cram.verify.ok", &[]),
                    );
                } else {
                    ok = false;
                    sheet.row(
                        text(lang, "wb.verdict"),
                        with_rfc(lang, "wb.cram.verify.bad", &[]),
                    );
                }
            }
            Err(e) => {
                ok = false;
                let why = match &e {
                    SaslError::Base64(b) => describe_base64_error(lang, b),
                    other => crate::explain::diag::Describe::describe(other, lang),
                };
                sheet.row(
                    text(lang, "wb.verdict"),
                    with_rfc(lang, "wb.cram.bad_response", &[&why]),
                );
            }
        }
    }
    Report {
        text: sheet.render(),
        ok,
    }
}

/// `facteur apop`: the digest of RFC 1939 §7.
pub fn apop_report(lang: Lang, timestamp: &str, user: Option<&str>, secret: &str) -> Report {
    let ts = apop::timestamp_in(timestamp).unwrap_or(timestamp.trim());
    if !looks_like_challenge(ts.as_bytes()) {
        return Report {
            text: fill(
                lang,
                "wb.error",
                &[&with_rfc(lang, "wb.apop.bad_timestamp", &[])],
            ) + "\n",
            ok: false,
        };
    }
    let digest = apop::digest(ts, secret);
    let mut sheet = Sheet::default();
    sheet.row(text(lang, "wb.apop.timestamp"), visible_str(ts));
    sheet.row(text(lang, "wb.apop.digest"), digest.clone());
    let name = user.unwrap_or("NAME");
    sheet.row(
        text(lang, "wb.send"),
        format!("APOP {} {digest}", visible_str(name)),
    );
    Report {
        text: sheet.render(),
        ok: true,
    }
}
