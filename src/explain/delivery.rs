//! What a sending MTA says in its own words when a message could not go
//! (yet): Postfix's reasons as `mailq`, its log and its bounces write them —
//! `connect to …: Connection refused`, `lost connection with … while …`,
//! `Host or domain name not found`, `Domain … does not accept mail
//! (nullMX)`, `host … said: 450 … (in reply to RCPT TO command)` — each
//! explained with what the server will do next (retry or return) and what
//! can be done. Pure.

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::text;
use crate::explain::lang::Lang;

/// The explanation of a reason, or None if it is not one of Postfix's.
pub fn explain_reason(lang: Lang, line: &str) -> Option<Vec<Annotation>> {
    let reason = line.trim();
    let reason = reason
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(reason);
    let all = 0..line.len();
    let note = |title: &str, key: &str, arg: &str, severity| {
        Annotation::from_key(lang, all.clone(), text(lang, title), key, &[&arg], severity)
    };
    // "host smtp.x[192.0.2.1] said: 450 4.7.1 … (in reply to RCPT TO command)"
    if let Some(rest) = reason.strip_prefix("host ")
        && let Some((host, said)) = rest.split_once(" said: ")
    {
        let (reply, command) = match said.rsplit_once(" (in reply to ") {
            Some((r, c)) => (r, c.trim_end_matches(" command)").trim_end_matches(')')),
            None => (said, "?"),
        };
        let mut out = vec![Annotation::from_key(
            lang,
            all.clone(),
            text(lang, "delivery.title.said"),
            "delivery.said",
            &[&host, &command],
            Severity::Info,
        )];
        out.extend(crate::explain::line::explain_line(lang, reply));
        return Some(out);
    }
    if let Some(rest) = reason.strip_prefix("host ")
        && let Some((host, reply)) = rest.split_once(" refused to talk to me: ")
    {
        let mut out = vec![note(
            "delivery.title.said",
            "delivery.refused_talk",
            host,
            Severity::Hint,
        )];
        out.extend(crate::explain::line::explain_line(lang, reply));
        return Some(out);
    }
    if let Some(rest) = reason.strip_prefix("connect to ") {
        let host = rest.split(':').next().unwrap_or(rest);
        if rest.ends_with("Connection refused") {
            return Some(vec![note(
                "delivery.title.refused",
                "delivery.refused",
                host,
                Severity::Hint,
            )]);
        }
        if rest.ends_with("Connection timed out") {
            return Some(vec![note(
                "delivery.title.timeout",
                "delivery.timeout",
                host,
                Severity::Hint,
            )]);
        }
    }
    if let Some(rest) = reason.strip_prefix("lost connection with ") {
        let host = rest.split(" while ").next().unwrap_or(rest);
        return Some(vec![note(
            "delivery.title.lost",
            "delivery.lost",
            host,
            Severity::Hint,
        )]);
    }
    if reason.starts_with("Host or domain name not found") {
        let domain = reason
            .split("name=")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or("?");
        return Some(vec![note(
            "delivery.title.not_found",
            "delivery.not_found",
            domain,
            Severity::Mistake,
        )]);
    }
    if let Some(rest) = reason.strip_prefix("Domain ")
        && let Some(domain) = rest.strip_suffix(" does not accept mail (nullMX)")
    {
        return Some(vec![note(
            "delivery.title.null_mx",
            "delivery.null_mx",
            domain,
            Severity::Mistake,
        )]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(line: &str) -> String {
        explain_reason(Lang::En, line)
            .unwrap_or_default()
            .iter()
            .map(Annotation::render)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn postfix_reasons_are_read() {
        let s = said("(connect to mx1.wanadoo.fr[198.51.100.26]:25: Connection refused)");
        assert!(
            s.contains("port 25 of mx1.wanadoo.fr[198.51.100.26]"),
            "{s}"
        );
        assert!(s.contains("next MX"), "{s}");
        let s = said(
            "(host smtp.wanadoo.fr[198.51.100.25] said: 450 4.7.1 <marc@wanadoo.fr>: Recipient address rejected: Greylisted for 300 seconds, try again later (RFC 6647) (in reply to RCPT TO command))",
        );
        assert!(
            s.contains("answered what follows to the RCPT TO command"),
            "{s}"
        );
        assert!(s.contains("greylisting"), "{s}");
        assert!(said("lost connection with x[192.0.2.1] while sending end of data -- message may be sent more than once").contains("twice"));
        assert!(said("Host or domain name not found. Name service error for name=wanadoo.fx type=MX: Host not found").contains("wanadoo.fx"));
        assert!(said("Domain site.fr does not accept mail (nullMX)").contains("MX 0 ."));
        assert!(explain_reason(Lang::En, "MAIL FROM:<a@b>").is_none());
    }
}
