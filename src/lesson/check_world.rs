//! The checks that look at the simulated world rather than at the
//! session: what a mailbox holds, what waits in the queue, what the
//! world's DNS was asked.

use serde::{Deserialize, Serialize};

use crate::explain::catalog::fill;
use crate::explain::lang::Lang;
use crate::lesson::Problem;
use crate::lesson::check::{Facts, MailboxCheck};
use crate::sim::world::World;

/// `{"queue": {"count": 0, "host": "smtp.free.fr"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueCheck {
    /// Exactly this many messages waiting.
    pub count: usize,
    /// Only those in this host's queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// `{"dns": {"name": "wanadoo.fr", "type": "MX"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsCheck {
    pub name: String,
    /// MX, A or AAAA (any type when absent).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub qtype: Option<String>,
}

pub(crate) fn queue_missing(lang: Lang, q: &QueueCheck, f: &Facts) -> Vec<String> {
    let n = f
        .mta
        .queue
        .entries
        .iter()
        .filter(|e| {
            q.host
                .as_ref()
                .is_none_or(|h| e.host.eq_ignore_ascii_case(h))
        })
        .count();
    if n == q.count {
        Vec::new()
    } else {
        vec![fill(lang, "lesson.missing.queue", &[&q.count, &n])]
    }
}

pub(crate) fn dns_missing(lang: Lang, d: &DnsCheck, f: &Facts) -> Vec<String> {
    let name = d.name.trim_end_matches('.').to_ascii_lowercase();
    let asked = f.mta.dns_log.iter().any(|q| {
        q.seq >= f.since_dns
            && q.name == name
            && d.qtype
                .as_ref()
                .is_none_or(|t| t.eq_ignore_ascii_case(q.qtype.name()))
    });
    if asked {
        Vec::new()
    } else {
        let t = d.qtype.as_deref().unwrap_or("MX");
        vec![fill(lang, "lesson.missing.dns", &[&name, &t])]
    }
}

pub(crate) fn dns_problems(d: &DnsCheck, place: &str, out: &mut Vec<Problem>) {
    if let Some(t) = &d.qtype
        && crate::sim::dns::QType::parse(t).is_none()
    {
        out.push(Problem::new(
            format!("{place}.dns.type"),
            "diag.lesson.not_a_qtype",
            &[t],
        ));
    }
    if crate::proto::smtp::address::check_domain(d.name.trim_end_matches('.')).is_err() {
        out.push(Problem::new(
            format!("{place}.dns.name"),
            "diag.world.bad_domain",
            &[],
        ));
    }
}

pub(crate) fn queue_problems(world: &World, q: &QueueCheck, place: &str, out: &mut Vec<Problem>) {
    if let Some(h) = &q.host
        && !world.smtp_hosts().contains(&h.to_ascii_lowercase())
    {
        out.push(Problem::new(
            format!("{place}.queue.host"),
            "diag.lesson.not_a_host",
            &[h, &world.smtp_hosts().join(", ")],
        ));
    }
}

pub(crate) fn mailbox_missing(lang: Lang, m: &MailboxCheck, f: &Facts) -> Vec<String> {
    if !m.typed_headers.is_empty() {
        let typed = crate::lesson::check::typed_header_names(f.entries, f.since);
        let missing: Vec<String> = m
            .typed_headers
            .iter()
            .filter(|h| !typed.iter().any(|t| t.eq_ignore_ascii_case(h)))
            .map(|h| fill(lang, "lesson.missing.typed_header", &[h]))
            .collect();
        if !missing.is_empty() {
            return missing;
        }
    }
    let messages = f.mta.store.messages(&m.mailbox.to_ascii_lowercase());
    if let Some(n) = m.count
        && messages.len() != n
    {
        return vec![fill(
            lang,
            "lesson.missing.count",
            &[&m.mailbox, &n, &messages.len()],
        )];
    }
    let wants_content =
        !m.headers.is_empty() || m.contains.is_some() || m.part.is_some() || m.blank_line.is_some();
    if m.count.is_some() && !wants_content {
        return Vec::new();
    }
    if messages.is_empty() {
        return vec![fill(lang, "lesson.missing.empty", &[&m.mailbox])];
    }
    // The best message: the one that misses least.
    let mut best: Option<Vec<String>> = None;
    for msg in messages {
        let data = msg.data.bytes();
        let report = crate::explain::message::explain_message(lang, &data);
        let mut missing = Vec::new();
        for h in &m.headers {
            if !report.fields.iter().any(|f| f.name.eq_ignore_ascii_case(h)) {
                missing.push(fill(lang, "lesson.missing.header", &[&m.mailbox, h]));
            }
        }
        if let Some(c) = &m.contains {
            let text = String::from_utf8_lossy(&data).to_lowercase();
            if !text.contains(&c.to_lowercase()) {
                missing.push(fill(lang, "lesson.missing.contains", &[&m.mailbox, c]));
            }
        }
        if let Some(p) = &m.part {
            let p = p.to_ascii_lowercase();
            if !report
                .mime
                .iter()
                .any(|n| n.content_type.to_ascii_lowercase().contains(&p))
            {
                missing.push(fill(lang, "lesson.missing.part", &[&m.mailbox, &p]));
            }
        }
        if let Some(want) = m.blank_line
            && want != report.blank_line
        {
            missing.push(fill(lang, "lesson.missing.blank_line", &[&m.mailbox]));
        }
        if best.as_ref().is_none_or(|b| missing.len() < b.len()) {
            best = Some(missing);
        }
    }
    best.unwrap_or_default()
}
