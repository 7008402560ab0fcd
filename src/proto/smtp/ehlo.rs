//! The EHLO response (RFC 5321 §4.1.1.1): the first line names the server,
//! each next line announces a service extension with its parameters.
//!
//! `ehlo-line = ehlo-keyword *( SP ehlo-param )`. Old servers also send the
//! pre-standard form `AUTH=PLAIN LOGIN` (for Outlook Express and other clients
//! of the draft of RFC 2554); it is read as AUTH with `legacy_equals` set.

use crate::proto::smtp::reply::Reply;

/// One extension line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// In upper case, e.g. `SIZE`.
    pub keyword: String,
    pub params: Vec<String>,
    /// Written `KEYWORD=param` (the pre-standard form), not `KEYWORD param`.
    pub legacy_equals: bool,
    /// The keyword follows the grammar (letters, digits and "-", starting
    /// with a letter or digit).
    pub well_formed: bool,
}

/// What an EHLO response says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EhloInfo {
    /// The server's name, first word of the first line.
    pub domain: String,
    /// The rest of the first line, if any.
    pub greeting: Option<String>,
    pub extensions: Vec<Extension>,
}

impl EhloInfo {
    /// Read a 250 reply to EHLO; `None` for any other code.
    pub fn from_reply(reply: &Reply) -> Option<EhloInfo> {
        if reply.code.value() != 250 {
            return None;
        }
        let mut lines = reply.lines.iter();
        let first = lines.next()?;
        let (domain, greeting) = match first.text.split_once(' ') {
            Some((d, g)) => (d.to_string(), Some(g.to_string())),
            None => (first.text.clone(), None),
        };
        let extensions = lines.map(|l| parse_extension(&l.text)).collect();
        Some(EhloInfo {
            domain,
            greeting,
            extensions,
        })
    }

    /// The extension with this keyword (case-insensitive), standard form first.
    pub fn get(&self, keyword: &str) -> Option<&Extension> {
        let mut found = self
            .extensions
            .iter()
            .filter(|e| e.keyword.eq_ignore_ascii_case(keyword));
        let first = found.next()?;
        if first.legacy_equals {
            return found.next().or(Some(first));
        }
        Some(first)
    }

    pub fn has(&self, keyword: &str) -> bool {
        self.get(keyword).is_some()
    }

    /// The SIZE limit in octets (RFC 1870 §4); `Some(0)` means "no fixed limit".
    pub fn size_limit(&self) -> Option<u64> {
        let ext = self.get("SIZE")?;
        match ext.params.first() {
            None => Some(0),
            Some(p) => p.parse().ok(),
        }
    }

    /// The SASL mechanisms offered, in upper case, without duplicates.
    pub fn auth_mechanisms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for ext in self.extensions.iter().filter(|e| e.keyword == "AUTH") {
            for m in &ext.params {
                let m = m.to_ascii_uppercase();
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        out
    }
}

/// RFC 5321's keyword form, shared by `ehlo-keyword` (§4.1.1.1) and
/// `esmtp-keyword` (§4.1.2): `(ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`.
pub fn is_keyword(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Read one extension line.
pub fn parse_extension(text: &str) -> Extension {
    let mut words = text.split(' ').filter(|w| !w.is_empty());
    let first = words.next().unwrap_or("");
    let (keyword, legacy_first) = match first.split_once('=') {
        Some((k, p)) => (k, Some(p)),
        None => (first, None),
    };
    let well_formed = is_keyword(keyword);
    let mut params: Vec<String> = Vec::new();
    if let Some(p) = legacy_first.filter(|p| !p.is_empty()) {
        params.push(p.to_string());
    }
    params.extend(words.map(str::to_string));
    Extension {
        keyword: keyword.to_ascii_uppercase(),
        params,
        legacy_equals: legacy_first.is_some(),
        well_formed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::smtp::reply::{ReplyEvent, ReplyReader};

    fn info(wire: &[u8]) -> EhloInfo {
        match ReplyReader::new().feed(wire).pop() {
            Some(ReplyEvent::Reply(r)) => EhloInfo::from_reply(&r).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_seed_ehlo() {
        let i = info(b"250-mwinf2317.orange.fr\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n250 8BITMIME\r\n");
        assert_eq!(i.domain, "mwinf2317.orange.fr");
        assert_eq!(i.greeting, None);
        let kws: Vec<&str> = i.extensions.iter().map(|e| e.keyword.as_str()).collect();
        assert_eq!(kws, ["PIPELINING", "SIZE", "AUTH", "AUTH", "8BITMIME"]);
        assert_eq!(i.size_limit(), Some(10_485_760));
        assert_eq!(i.auth_mechanisms(), ["PLAIN", "LOGIN"]);
        assert!(i.extensions[3].legacy_equals);
        assert_eq!(i.extensions[3].params, ["PLAIN", "LOGIN"]);
        assert!(!i.get("AUTH").unwrap().legacy_equals);
        assert!(i.has("8bitmime"));
        assert!(!i.has("STARTTLS"));
    }

    #[test]
    fn greeting_and_odd_keywords() {
        let i = info(b"250-smtp.server.com Hello client.example.com\r\n250-SIZE\r\n250 _BAD x\r\n");
        assert_eq!(i.greeting.as_deref(), Some("Hello client.example.com"));
        assert_eq!(i.size_limit(), Some(0));
        assert!(!i.extensions[1].well_formed);
    }
}
