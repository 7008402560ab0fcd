//! An annotation: what the right pane shows about a span of the raw bytes
//! on the left — a title, a body, the RFC section it rests on, a severity.

use std::ops::Range;

use crate::explain::catalog::{fill, rfc};
use crate::explain::lang::Lang;

/// How much an annotation matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// What this is.
    Info,
    /// A tip, or a liberty that works but is not by the book.
    Hint,
    /// Something wrong: the server will refuse it, or it will not do what the student thinks.
    Mistake,
    /// A risk: a password in clear, a message lost.
    Danger,
}

impl Severity {
    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Info => "ℹ",
            Severity::Hint => "→",
            Severity::Mistake => "✗",
            Severity::Danger => "⚠",
        }
    }
}

/// One explanation about a span of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Byte range in the line (or message) explained.
    pub span: Range<usize>,
    pub title: String,
    pub body: String,
    pub rfc: Option<String>,
    pub severity: Severity,
}

impl Annotation {
    /// An annotation whose body (and reference) come from the catalog entry `key`.
    pub fn from_key(
        lang: Lang,
        span: Range<usize>,
        title: impl Into<String>,
        key: &str,
        args: &[&dyn std::fmt::Display],
        severity: Severity,
    ) -> Annotation {
        Annotation {
            span,
            title: title.into(),
            body: fill(lang, key, args),
            rfc: rfc(key).map(str::to_string),
            severity,
        }
    }

    /// The annotation as plain text lines: `✗ title — body [RFC …]`.
    pub fn render(&self) -> String {
        let mut s = format!("{} {}", self.severity.symbol(), self.title);
        if !self.body.is_empty() {
            s.push_str(" — ");
            s.push_str(&self.body.replace('\n', "\n    "));
        }
        if let Some(r) = &self.rfc {
            s.push_str(&format!(" [{r}]"));
        }
        s
    }
}

/// Sizes in words a student reads: 10485760 → "10 Mio (10 485 760 octets)".
pub fn human_size(lang: Lang, n: u64) -> String {
    let grouped = {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(if lang == Lang::Fr { '\u{202f}' } else { ',' });
            }
            out.push(c);
        }
        out
    };
    let (unit_k, unit_m) = match lang {
        Lang::Fr => ("Kio", "Mio"),
        Lang::En => ("KiB", "MiB"),
    };
    let short = if n >= 1 << 20 {
        format!("{:.1} {unit_m}", n as f64 / f64::from(1u32 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} {unit_k}", n as f64 / 1024.0)
    } else {
        return format!("{grouped} octets");
    };
    let short = short.replace(".0 ", " ");
    let short = if lang == Lang::Fr {
        short.replace('.', ",")
    } else {
        short
    };
    format!("{short} ({grouped} octets)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(
            human_size(Lang::En, 10_485_760),
            "10 MiB (10,485,760 octets)"
        );
        assert_eq!(
            human_size(Lang::Fr, 1_000_000),
            "976,6 Kio (1\u{202f}000\u{202f}000 octets)"
        );
        assert_eq!(human_size(Lang::En, 512), "512 octets");
    }
}
