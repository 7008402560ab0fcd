//! What mail-parser does not split out of a Received field (RFC 5321
//! §4.4): the product string, TLS as Exchange and Exim write it, the
//! authenticated sender, the date text, qmail's trace notes.

/// What mail-parser does not split out of a Received field: the product
/// string, TLS as Exchange and Exim write it, the authenticated sender, the
/// date text. Read from the unfolded field as written.
#[derive(Debug, Default)]
pub(super) struct ReceivedExtras {
    pub(super) product: Option<String>,
    pub(super) tls: Option<String>,
    pub(super) auth_sender: Option<String>,
    pub(super) date_text: Option<String>,
}

/// The text inside the parentheses that open at `open` (nested ones kept).
fn parenthesised(s: &str, open: usize) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return s.get(open + 1..open + i);
                }
            }
            _ => {}
        }
    }
    None
}

pub(super) fn received_extras(raw: &str) -> ReceivedExtras {
    let mut x = ReceivedExtras::default();
    let lower = raw.to_ascii_lowercase();
    // Exchange: "with Microsoft SMTP Server (version=TLS1_2, cipher=…)".
    if let Some(i) = raw.find("Microsoft SMTP Server") {
        x.product = Some("Microsoft SMTP Server".into());
        if let Some(inner) = raw[i..].find('(').and_then(|o| parenthesised(raw, i + o)) {
            let get = |k: &str| {
                inner
                    .split(',')
                    .find_map(|p| p.trim().strip_prefix(k).map(str::trim))
                    .map(str::to_string)
            };
            if let Some(v) = get("version=") {
                x.tls = Some(
                    format!("{v} {}", get("cipher=").unwrap_or_default())
                        .trim()
                        .into(),
                );
            }
        }
    } else if let Some(i) = raw.find("Microsoft SMTPSVC") {
        x.product = raw[i..].split(';').next().map(|p| p.trim().to_string());
    } else if let Some(i) = lower.find("(exim ") {
        x.product = parenthesised(raw, i).map(str::to_string);
    } else if let Some(i) = lower.find(" by ") {
        // "by host (Postfix)", "by host (8.15.2/8.15.2)": the product
        // follows the receiving host's name.
        let after = &raw[i + 4..];
        let host_end = after.find(char::is_whitespace).unwrap_or(after.len());
        let rest = &after[host_end..];
        if rest.trim_start().starts_with('(') {
            let open = i + 4 + host_end + (rest.len() - rest.trim_start().len());
            if let Some(p) = parenthesised(raw, open) {
                let p = p.split(',').next().unwrap_or(p).trim();
                if !p.is_empty() && !p.contains('[') {
                    x.product = Some(p.to_string());
                }
            }
        }
    }
    // Postfix: "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))".
    if x.tls.is_none()
        && let Some(i) = raw.find("using TLS")
    {
        let words: Vec<&str> = raw[i + 6..].split_whitespace().collect();
        if let [v, "with", "cipher", c, ..] = words.as_slice() {
            x.tls = Some(format!("{v} {c}"));
        }
    }
    // Exim: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384".
    if x.tls.is_none()
        && let Some(i) = lower.find(") tls ")
    {
        let version = raw[..i].rsplit('(').next().unwrap_or("").trim();
        let cipher = raw[i + 6..].split_whitespace().next().unwrap_or("");
        if version.to_ascii_uppercase().starts_with("TLS") {
            x.tls = Some(format!("{version} {cipher}"));
        }
    }
    if let Some(i) = raw.find("(Authenticated sender: ") {
        x.auth_sender = raw[i + 23..]
            .split(')')
            .next()
            .map(|s| s.trim().to_string());
    }
    x.date_text = raw
        .rsplit_once(';')
        .map(|(_, d)| d.trim().to_string())
        .filter(|d| !d.is_empty());
    x
}

/// The protocol word after " with " when mail-parser did not read it
/// (Gmail's `with SMTPS`, Exchange's `with Microsoft SMTP Server`).
pub(super) fn with_word(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    let i = lower.find(" with ")?;
    let rest = &raw[i + 6..];
    if rest.starts_with("Microsoft SMTP Server") {
        return Some("Microsoft SMTP Server".into());
    }
    let w = rest.split([' ', ';', '(']).next()?.trim();
    (!w.is_empty() && !w.eq_ignore_ascii_case("cipher")).then(|| w.to_ascii_uppercase())
}

/// qmail's "(qmail 12345 invoked from network)": a trace note that a qmail
/// program ran, not a hop between two servers.
pub(super) fn trace_note(raw: &str) -> Option<String> {
    let t = raw.trim_start();
    if !t.starts_with('(') {
        return None;
    }
    let inner = parenthesised(t, 0)?;
    inner.contains("invoked").then(|| inner.to_string())
}
