//! What the server says of itself: HELO/EHLO and the extensions it announces
//! (RFC 5321 §4.1.1.1, §2.2.2), and HELP (§4.1.1.8).

use super::*;

impl SmtpSession {
    pub(super) fn helo(&mut self, domain: String, esmtp: bool, out: &mut Vec<Output>) {
        // RFC 5321 §4.1.4: EHLO/HELO in a session resets any transaction.
        self.tx = None;
        self.greeted = true;
        self.info.esmtp = esmtp;
        self.info.helo = Some(domain.clone());
        let hello = format!("{} Hello {domain}", self.cfg.hostname);
        if !esmtp {
            out.push(reply(Code::OK, None, &hello));
            return;
        }
        let mut lines = vec![
            hello,
            "PIPELINING".to_string(),
            format!("SIZE {}", self.cfg.max_size),
            "8BITMIME".to_string(),
            "ENHANCEDSTATUSCODES".to_string(),
        ];
        if !self.cfg.auth_requires_tls || self.info.tls {
            lines.push("AUTH PLAIN LOGIN CRAM-MD5".to_string());
        }
        if self.cfg.starttls && !self.info.tls {
            lines.push("STARTTLS".to_string());
        }
        lines.push("HELP".to_string());
        out.push(multi(Code::OK, None, &lines));
    }

    pub(super) fn need_greeting(&mut self, out: &mut Vec<Output>) -> bool {
        if !self.greeted {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: send HELO/EHLO first",
            ));
            self.error(out);
            return false;
        }
        true
    }

    pub(super) fn help(&self, topic: Option<&str>) -> Output {
        match topic {
            None => {
                let verbs: Vec<&str> = Verb::ALL.iter().map(|v| v.name()).collect();
                multi(
                    Code::HELP,
                    esc(2, 0, 0),
                    &[
                        format!(
                            "{} — facteur, the simulated mail server for learning SMTP",
                            self.cfg.hostname
                        ),
                        format!("Commands: {}", verbs.join(" ")),
                        "HELP <command> shows its syntax; see RFC 5321 section 4.1".to_string(),
                        "End of HELP info".to_string(),
                    ],
                )
            }
            Some(t) => match Verb::parse(t.trim()) {
                Some(v) => multi(
                    Code::HELP,
                    esc(2, 0, 0),
                    &[
                        format!("Syntax: {}", v.syntax()),
                        format!("Defined in {}", v.rfc()),
                    ],
                ),
                None => reply(
                    Code::PARAMETER_NOT_IMPLEMENTED,
                    esc(5, 5, 1),
                    &format!(
                        "HELP topic {:?} unknown",
                        crate::proto::visible::visible_str(t)
                    ),
                ),
            },
        }
    }
}
