//! The verbs: their names, the syntax each expects and the RFC that defines
//! it — what HELP and the explanation say of a command.

use std::fmt;

/// The verbs facteur knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Rset,
    Vrfy,
    Expn,
    Help,
    Noop,
    Quit,
    StartTls,
    Auth,
    /// RFC 3030 CHUNKING: `BDAT size [LAST]`.
    Bdat,
    /// RFC 1985: `ETRN [@|#]node`, ask a backup MX to flush its queue.
    Etrn,
    /// RFC 2645 On-Demand Mail Relay: `ATRN [domain[,domain…]]`.
    Atrn,
    /// RFC 4468: `BURL imap-url [LAST]`, a message taken from an IMAP server.
    Burl,
}

impl Verb {
    pub const ALL: [Verb; 17] = [
        Verb::Helo,
        Verb::Ehlo,
        Verb::Mail,
        Verb::Rcpt,
        Verb::Data,
        Verb::Rset,
        Verb::Vrfy,
        Verb::Expn,
        Verb::Help,
        Verb::Noop,
        Verb::Quit,
        Verb::StartTls,
        Verb::Auth,
        Verb::Bdat,
        Verb::Etrn,
        Verb::Atrn,
        Verb::Burl,
    ];

    /// The verb in upper case, as the RFCs write it.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Helo => "HELO",
            Verb::Ehlo => "EHLO",
            Verb::Mail => "MAIL",
            Verb::Rcpt => "RCPT",
            Verb::Data => "DATA",
            Verb::Rset => "RSET",
            Verb::Vrfy => "VRFY",
            Verb::Expn => "EXPN",
            Verb::Help => "HELP",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH",
            Verb::Bdat => "BDAT",
            Verb::Etrn => "ETRN",
            Verb::Atrn => "ATRN",
            Verb::Burl => "BURL",
        }
    }

    /// The expected form, from RFC 5321 §4.1.1, RFC 3207 §4 and RFC 4954 §4.
    pub fn syntax(self) -> &'static str {
        match self {
            Verb::Helo => "HELO <SP> domain",
            Verb::Ehlo => "EHLO <SP> ( domain / address-literal )",
            Verb::Mail => "MAIL FROM:<reverse-path> [SP mail-parameters]",
            Verb::Rcpt => "RCPT TO:<forward-path> [SP rcpt-parameters]",
            Verb::Data => "DATA",
            Verb::Rset => "RSET",
            Verb::Vrfy => "VRFY <SP> string",
            Verb::Expn => "EXPN <SP> string",
            Verb::Help => "HELP [SP string]",
            Verb::Noop => "NOOP [SP string]",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH <SP> mechanism [SP initial-response]",
            Verb::Bdat => "BDAT <SP> chunk-size [SP LAST]",
            Verb::Etrn => "ETRN <SP> [@ / #] node-name",
            Verb::Atrn => "ATRN [SP domain *(\",\" domain)]",
            Verb::Burl => "BURL <SP> imap-url [SP LAST]",
        }
    }

    /// The RFC section that defines the verb.
    pub fn rfc(self) -> &'static str {
        match self {
            Verb::Helo | Verb::Ehlo => "RFC 5321 §4.1.1.1",
            Verb::Mail => "RFC 5321 §4.1.1.2",
            Verb::Rcpt => "RFC 5321 §4.1.1.3",
            Verb::Data => "RFC 5321 §4.1.1.4",
            Verb::Rset => "RFC 5321 §4.1.1.5",
            Verb::Vrfy => "RFC 5321 §4.1.1.6",
            Verb::Expn => "RFC 5321 §4.1.1.7",
            Verb::Help => "RFC 5321 §4.1.1.8",
            Verb::Noop => "RFC 5321 §4.1.1.9",
            Verb::Quit => "RFC 5321 §4.1.1.10",
            Verb::StartTls => "RFC 3207 §4",
            Verb::Auth => "RFC 4954 §4",
            Verb::Bdat => "RFC 3030 §2",
            Verb::Etrn => "RFC 1985 §5",
            Verb::Atrn => "RFC 2645 §4",
            Verb::Burl => "RFC 4468 §3",
        }
    }

    /// Recognise a verb, case-insensitively.
    pub fn parse(word: &str) -> Option<Verb> {
        Verb::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
