//! Mailboxes and paths as RFC 5321 §4.1.2 defines them:
//! `Path = "<" [ A-d-l ":" ] Mailbox ">"`, `Mailbox = Local-part "@" ( Domain / address-literal )`.
//! UTF-8 is accepted in local parts and domains as RFC 6531 (SMTPUTF8) allows.

use std::fmt;

/// Why an address could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("the address is empty")]
    Empty,
    #[error("no \"@\" between the local part and the domain")]
    NoAt,
    #[error("the local part (before \"@\") is empty")]
    EmptyLocalPart,
    #[error("the domain (after \"@\") is empty")]
    EmptyDomain,
    #[error("character {0:?} is not allowed in a local part unless it is quoted")]
    BadLocalChar(char),
    #[error("a local part may not start or end with \".\" or contain \"..\" unless it is quoted")]
    BadDots,
    #[error("unterminated quoted string in the local part")]
    UnterminatedQuote,
    #[error("{0:?} is not a valid domain name")]
    BadDomain(String),
    #[error("{0:?} is not a valid address literal such as [192.0.2.1] or [IPv6:2001:db8::1]")]
    BadAddressLiteral(String),
    #[error("the local part is longer than 64 octets (RFC 5321 §4.5.3.1.1)")]
    LocalPartTooLong,
    #[error("the domain is longer than 255 octets (RFC 5321 §4.5.3.1.2)")]
    DomainTooLong,
    #[error("\"<\" without a closing \">\"")]
    UnclosedBracket,
    #[error("bad source route {0:?} (expected @host,@host:)")]
    BadSourceRoute(String),
}

/// `local@domain`. The local part is kept as typed (quotes included).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    pub local: String,
    pub domain: String,
}

impl Mailbox {
    /// The domain in lower case, for lookups (domains are case-insensitive).
    pub fn domain_lower(&self) -> String {
        self.domain.to_ascii_lowercase()
    }

    /// Whether the domain is an address literal such as `[192.0.2.1]`.
    pub fn is_address_literal(&self) -> bool {
        self.domain.starts_with('[')
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

/// A path as written in MAIL FROM or RCPT TO.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    /// The obsolete source route `@a,@b:` (RFC 5321 §4.1.2 "A-d-l"), host names only.
    pub source_route: Vec<String>,
    pub mailbox: Mailbox,
    /// Whether the path was written inside `<` `>` as the RFC requires.
    pub bracketed: bool,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<")?;
        if !self.source_route.is_empty() {
            let route: Vec<String> = self.source_route.iter().map(|h| format!("@{h}")).collect();
            write!(f, "{}:", route.join(","))?;
        }
        write!(f, "{}>", self.mailbox)
    }
}

/// Read a mailbox `local@domain` (no brackets).
pub fn parse_mailbox(s: &str) -> Result<Mailbox, AddressError> {
    if s.is_empty() {
        return Err(AddressError::Empty);
    }
    let (local, domain) = split_at_domain(s)?;
    check_local(local)?;
    check_domain(domain)?;
    Ok(Mailbox {
        local: minimal_local(local),
        domain: domain.to_string(),
    })
}

/// RFC 5321 §4.1.2 / RFC 5322 §3.2.4: a quoted local part whose content is
/// a dot-atom is the same mailbox as the dot-atom (`"fred"@free.fr` is
/// fred@free.fr); it is kept in its minimal form. Quotes that are needed
/// (`"fred smith"`) stay.
fn minimal_local(local: &str) -> String {
    let Some(inner) = local
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .filter(|_| local.len() >= 2)
    else {
        return local.to_string();
    };
    let mut unquoted = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            unquoted.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else {
            unquoted.push(c);
        }
    }
    let dot_atom = !unquoted.is_empty()
        && unquoted.chars().all(|c| c == '.' || is_atext(c))
        && !unquoted.starts_with('.')
        && !unquoted.ends_with('.')
        && !unquoted.contains("..");
    if dot_atom {
        unquoted
    } else {
        local.to_string()
    }
}

/// Read what is between `<` and `>`: an optional source route and a mailbox.
pub fn parse_path_inner(s: &str, bracketed: bool) -> Result<Path, AddressError> {
    let mut source_route = Vec::new();
    let mut rest = s;
    if s.starts_with('@') {
        let colon = s
            .find(':')
            .ok_or_else(|| AddressError::BadSourceRoute(s.to_string()))?;
        for hop in s[..colon].split(',') {
            let host = hop
                .strip_prefix('@')
                .ok_or_else(|| AddressError::BadSourceRoute(s[..colon].to_string()))?;
            check_domain(host).map_err(|_| AddressError::BadSourceRoute(s[..colon].to_string()))?;
            source_route.push(host.to_string());
        }
        rest = &s[colon + 1..];
    }
    Ok(Path {
        source_route,
        mailbox: parse_mailbox(rest)?,
        bracketed,
    })
}

/// The characters of `s` outside quoted strings (RFC 5321 §4.1.2
/// `Quoted-string`, a backslash escaping the next character inside one),
/// with their byte offsets; `in_quotes` says at the end whether a quote was
/// left open. The path reader looks for the closing `>` with it, the
/// address reader for the `@` before the domain.
pub(crate) struct Unquoted<'a> {
    chars: std::str::CharIndices<'a>,
    pub in_quotes: bool,
    escaped: bool,
}

pub(crate) fn unquoted(s: &str) -> Unquoted<'_> {
    Unquoted {
        chars: s.char_indices(),
        in_quotes: false,
        escaped: false,
    }
}

impl Iterator for Unquoted<'_> {
    type Item = (usize, char);

    fn next(&mut self) -> Option<(usize, char)> {
        loop {
            let (i, c) = self.chars.next()?;
            if self.escaped {
                self.escaped = false;
                continue;
            }
            match c {
                '\\' if self.in_quotes => self.escaped = true,
                '"' => self.in_quotes = !self.in_quotes,
                _ if !self.in_quotes => return Some((i, c)),
                _ => {}
            }
        }
    }
}

/// Find the "@" that separates local part and domain: the last one outside quotes.
fn split_at_domain(s: &str) -> Result<(&str, &str), AddressError> {
    let mut chars = unquoted(s);
    let at = chars
        .by_ref()
        .filter(|&(_, c)| c == '@')
        .last()
        .map(|(i, _)| i);
    if chars.in_quotes {
        return Err(AddressError::UnterminatedQuote);
    }
    let at = at.ok_or(AddressError::NoAt)?;
    Ok((&s[..at], &s[at + 1..]))
}

/// RFC 5322 §3.2.3 atext, plus UTF-8 (RFC 6531 §3.3).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~".contains(c)
        || (!c.is_ascii() && !c.is_control())
}

fn check_local(local: &str) -> Result<(), AddressError> {
    if local.is_empty() {
        return Err(AddressError::EmptyLocalPart);
    }
    if local.len() > 64 {
        return Err(AddressError::LocalPartTooLong);
    }
    if local.starts_with('"') {
        // Quoted-string: qtextSMTP / quoted-pairSMTP, already balanced.
        if local.len() < 2 || !local.ends_with('"') {
            return Err(AddressError::UnterminatedQuote);
        }
        if let Some(c) = local.chars().find(|c| c.is_control()) {
            return Err(AddressError::BadLocalChar(c));
        }
        return Ok(());
    }
    if let Some(c) = local.chars().find(|&c| c != '.' && !is_atext(c)) {
        return Err(AddressError::BadLocalChar(c));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressError::BadDots);
    }
    Ok(())
}

/// A domain name or an address literal (RFC 5321 §4.1.3).
pub fn check_domain(domain: &str) -> Result<(), AddressError> {
    if domain.is_empty() {
        return Err(AddressError::EmptyDomain);
    }
    if domain.len() > 255 {
        return Err(AddressError::DomainTooLong);
    }
    if let Some(inner) = domain.strip_prefix('[') {
        let bad = || AddressError::BadAddressLiteral(domain.to_string());
        let inner = inner.strip_suffix(']').ok_or_else(bad)?;
        if let Some(v6) = inner.strip_prefix("IPv6:") {
            return v6
                .parse::<std::net::Ipv6Addr>()
                .map(|_| ())
                .map_err(|_| bad());
        }
        return inner
            .parse::<std::net::Ipv4Addr>()
            .map(|_| ())
            .map_err(|_| bad());
    }
    let bad = || AddressError::BadDomain(domain.to_string());
    // A trailing dot (fully qualified form) is tolerated.
    let name = domain.strip_suffix('.').unwrap_or(domain);
    for label in name.split('.') {
        let ok_chars = label.chars().all(|c| {
            c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
        });
        if label.is_empty()
            || label.len() > 63
            || !ok_chars
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return Err(bad());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_at_sign_or_bracket_inside_quotes_is_part_of_the_local_part() {
        let m = parse_mailbox("\"a@b>c\"@free.fr").unwrap();
        assert_eq!(
            (m.local.as_str(), m.domain.as_str()),
            ("\"a@b>c\"", "free.fr")
        );
        // The last @ outside quotes separates the domain; an escaped quote
        // does not close the string.
        let m = parse_mailbox("\"x\\\"@y\"@free.fr").unwrap();
        assert_eq!(m.domain, "free.fr");
        assert_eq!(
            parse_mailbox("\"open@free.fr"),
            Err(AddressError::UnterminatedQuote)
        );
        assert_eq!(parse_mailbox("fred.free.fr"), Err(AddressError::NoAt));
    }

    #[test]
    fn quoted_atoms_are_the_same_mailbox() {
        assert_eq!(parse_mailbox("\"fred\"@free.fr").unwrap().local, "fred");
        assert_eq!(parse_mailbox("\"f\\red\"@free.fr").unwrap().local, "fred");
        assert_eq!(
            parse_mailbox("\"fred smith\"@free.fr").unwrap().local,
            "\"fred smith\""
        );
        assert_eq!(parse_mailbox("\"a..b\"@free.fr").unwrap().local, "\"a..b\"");
    }

    #[test]
    fn mailboxes() {
        let m = parse_mailbox("fred@free.fr").unwrap();
        assert_eq!((m.local.as_str(), m.domain.as_str()), ("fred", "free.fr"));
        assert_eq!(
            parse_mailbox("\"john doe\"@x.org").unwrap().local,
            "\"john doe\""
        );
        assert_eq!(parse_mailbox("\"a@b\"@c.fr").unwrap().domain, "c.fr");
        assert!(
            parse_mailbox("user@[192.0.2.1]")
                .unwrap()
                .is_address_literal()
        );
        assert!(parse_mailbox("user@[IPv6:2001:db8::1]").is_ok());
        assert_eq!(parse_mailbox("élève@lycée.fr").unwrap().local, "élève");
        assert_eq!(parse_mailbox("fred"), Err(AddressError::NoAt));
        assert_eq!(parse_mailbox("@free.fr"), Err(AddressError::EmptyLocalPart));
        assert_eq!(parse_mailbox("fred@"), Err(AddressError::EmptyDomain));
        assert_eq!(
            parse_mailbox("fr ed@x.fr"),
            Err(AddressError::BadLocalChar(' '))
        );
        assert_eq!(parse_mailbox("a..b@x.fr"), Err(AddressError::BadDots));
        assert!(matches!(
            parse_mailbox("a@-x.fr"),
            Err(AddressError::BadDomain(_))
        ));
        assert!(matches!(
            parse_mailbox("a@[300.1.1.1]"),
            Err(AddressError::BadAddressLiteral(_))
        ));
        assert_eq!(
            parse_mailbox(&format!("{}@x.fr", "a".repeat(65))),
            Err(AddressError::LocalPartTooLong)
        );
    }

    #[test]
    fn source_routes() {
        let p = parse_path_inner("@a.fr,@b.fr:user@c.fr", true).unwrap();
        assert_eq!(p.source_route, vec!["a.fr", "b.fr"]);
        assert_eq!(p.to_string(), "<@a.fr,@b.fr:user@c.fr>");
        assert!(matches!(
            parse_path_inner("@a.fr user@c.fr", true),
            Err(AddressError::BadSourceRoute(_))
        ));
    }
}
