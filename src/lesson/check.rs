//! What a lesson step checks, evaluated against what really happened: the
//! replies the server gave (paired with the commands they answer), the
//! session state, the simulator's mailboxes and the message's itinerary —
//! never a string compare of what was typed.

use serde::{Deserialize, Serialize};

use crate::explain::catalog::fill;
use crate::explain::dialogue::{Explainer, Proto};
use crate::explain::lang::Lang;
use crate::lesson::Problem;
use crate::session::explained::Entry;
use crate::session::transcript::Dir;
use crate::sim::itinerary::Step as Stage;
use crate::sim::mta::Mta;
use crate::sim::world::World;

/// A check, written in the lesson file as one JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// `{"reply": {"to": "MAIL", "code": "250"}}`: since the step began, a
    /// command with this verb got this reply. `code`: three characters,
    /// `x` for any digit (`2xx`), alternatives with `|` (`500|501`); POP3:
    /// `+OK`, `-ERR`. `to`: the verb (any case typed), `.` for the end of
    /// the message after DATA, `AUTH` also for the answers after 334 / `+`.
    Reply(ReplyCheck),
    /// `{"smtp": {"tls": true, "authenticated": true}}`: the SMTP session's state now.
    Smtp(SmtpCheck),
    /// `{"pop3": {"transaction": true}}`: the POP3 session's state now.
    Pop3(Pop3Check),
    /// `{"mailbox": {"mailbox": "marc@wanadoo.fr", "headers": ["Subject"]}}`:
    /// what the simulator's mailbox holds now.
    Mailbox(MailboxCheck),
    /// `{"connected": "pop.wanadoo.fr"}`: the session is open on this host.
    Connected(String),
    /// `{"server_said": "[IN-USE]"}`: since the step began, a server line contained this.
    ServerSaid(String),
    /// `{"itinerary": "delivered"}`: since the step began, this step of the
    /// course's itinerary happened: submitted, resolved (an MX lookup),
    /// unreachable (a host down), relayed, deferred (queued for a retry),
    /// delivered, bounced, warned (a delay warning), opened, retrieved,
    /// updated.
    Itinerary(String),
    /// `{"queue": {"count": 0}}`: messages waiting in the world's queues
    /// now (optionally only those held by `host`).
    Queue(QueueCheck),
    /// `{"dns": {"name": "wanadoo.fr", "type": "MX"}}`: since the step
    /// began, the world's DNS was asked this (by `/dig` or by an MTA).
    Dns(DnsCheck),
    /// Every one of these.
    All(Vec<Check>),
    /// At least one of these.
    Any(Vec<Check>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyCheck {
    pub to: String,
    pub code: String,
    /// The command's address must be this one (case-insensitive), e.g.
    /// `marc@wanadoo.fr` for RCPT: a typo fails at its own step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticated: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pop3Check {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxCheck {
    pub mailbox: String,
    /// Exactly this many messages (without it: at least one matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// Header fields a message must have (e.g. Date, From, To, Subject).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// Text the message must contain (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// A MIME part whose type contains this (e.g. `vcard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The header section ends with a blank line before the body (RFC 5322 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank_line: Option<bool>,
    /// Header fields the student must have *typed* in DATA since the step
    /// began (a Date: the MTA added does not count).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub typed_headers: Vec<String>,
}

pub use crate::lesson::check_world::{DnsCheck, QueueCheck};

mod exchanges;
use exchanges::address_of;
pub(crate) use exchanges::typed_header_names;
pub use exchanges::{Exchange, code_matches, exchanges};

const STAGES: [&str; 11] = [
    "submitted",
    "resolved",
    "unreachable",
    "relayed",
    "deferred",
    "delivered",
    "bounced",
    "warned",
    "opened",
    "retrieved",
    "updated",
];

fn stage_name(s: &Stage) -> &'static str {
    match s {
        Stage::Submitted { .. } => "submitted",
        Stage::MxLookup { .. } => "resolved",
        Stage::Unreachable { .. } => "unreachable",
        Stage::Relayed { .. } => "relayed",
        Stage::Deferred { .. } => "deferred",
        Stage::Bounced { delayed: false, .. } => "bounced",
        Stage::Bounced { delayed: true, .. } => "warned",
        Stage::Delivered { .. } => "delivered",
        Stage::MaildropOpened { .. } => "opened",
        Stage::Retrieved { .. } => "retrieved",
        Stage::Updated { .. } => "updated",
    }
}

/// What a check looks at.
pub struct Facts<'a> {
    pub entries: &'a [Entry],
    /// The protocol of the first connection.
    pub first: Proto,
    /// The entry index where the current step began.
    pub since: usize,
    /// The itinerary sequence number where the current step began.
    pub since_stage: u64,
    /// The DNS questions asked before the current step began.
    pub since_dns: u64,
    pub mta: &'a Mta,
    pub explainer: &'a Explainer,
    /// The host the session is on now, and whether it is still open.
    pub host: &'a str,
    pub open: bool,
}

impl Check {
    /// True when what happened satisfies the check.
    pub fn passes(&self, f: &Facts) -> bool {
        self.missing(Lang::En, f).is_empty()
    }

    /// What is still missing, said to the student (empty: it passes).
    pub fn missing(&self, lang: Lang, f: &Facts) -> Vec<String> {
        match self {
            Check::All(list) => list.iter().flat_map(|c| c.missing(lang, f)).collect(),
            Check::Any(list) => {
                if list.iter().any(|c| c.missing(lang, f).is_empty()) {
                    Vec::new()
                } else {
                    let parts: Vec<String> = list.iter().flat_map(|c| c.missing(lang, f)).collect();
                    vec![fill(lang, "lesson.missing.any", &[&parts.join(" / ")])]
                }
            }
            Check::Reply(r) => {
                let all = exchanges(f.entries, f.first);
                let answered: Vec<&Exchange> = all
                    .iter()
                    .filter(|x| {
                        x.at >= f.since
                            && x.verb.eq_ignore_ascii_case(&r.to)
                            && code_matches(&r.code, &x.code)
                    })
                    .collect();
                let right_address = |x: &&Exchange| match &r.address {
                    None => true,
                    Some(a) => address_of(&x.line).eq_ignore_ascii_case(a),
                };
                if answered.iter().any(right_address) {
                    Vec::new()
                } else if let (Some(want), Some(x)) = (&r.address, answered.last()) {
                    // Accepted, but for another address: say it now (a typo).
                    vec![fill(
                        lang,
                        "lesson.missing.address",
                        &[&r.to, &address_of(&x.line), want],
                    )]
                } else if r.to == "." {
                    vec![fill(lang, "lesson.missing.end_of_data", &[&r.code])]
                } else {
                    vec![fill(lang, "lesson.missing.reply", &[&r.code, &r.to])]
                }
            }
            Check::Smtp(s) => {
                let Explainer::Smtp(e) = f.explainer else {
                    return vec![fill(lang, "lesson.missing.smtp_session", &[])];
                };
                let st = &e.state;
                let mut out = Vec::new();
                let greeted = st.phase != crate::explain::state::Phase::Connected;
                for (want, have, key) in [
                    (s.greeted, greeted, "lesson.missing.greeted"),
                    (s.tls, st.tls, "lesson.missing.tls"),
                    (
                        s.authenticated,
                        st.authenticated,
                        "lesson.missing.authenticated",
                    ),
                ] {
                    if let Some(want) = want
                        && want != have
                    {
                        let key = if want {
                            key.to_string()
                        } else {
                            format!("{key}.not")
                        };
                        out.push(fill(lang, &key, &[]));
                    }
                }
                out
            }
            Check::Pop3(p) => {
                let Explainer::Pop3(s) = f.explainer else {
                    return vec![fill(lang, "lesson.missing.pop3_session", &[])];
                };
                match p.transaction {
                    Some(true) if !s.transaction => {
                        vec![fill(lang, "lesson.missing.transaction", &[])]
                    }
                    Some(false) if s.transaction => {
                        vec![fill(lang, "lesson.missing.transaction.not", &[])]
                    }
                    _ => Vec::new(),
                }
            }
            Check::Mailbox(m) => crate::lesson::check_world::mailbox_missing(lang, m, f),
            Check::Queue(q) => crate::lesson::check_world::queue_missing(lang, q, f),
            Check::Dns(d) => crate::lesson::check_world::dns_missing(lang, d, f),
            Check::Connected(host) => {
                if f.open && f.host.eq_ignore_ascii_case(host) {
                    Vec::new()
                } else {
                    vec![fill(lang, "lesson.missing.connected", &[host])]
                }
            }
            Check::ServerSaid(text) => {
                let said = f.entries[f.since.min(f.entries.len())..]
                    .iter()
                    .filter(|e| e.dir == Dir::Server)
                    .any(|e| String::from_utf8_lossy(&e.raw).contains(text.as_str()));
                if said {
                    Vec::new()
                } else {
                    vec![fill(lang, "lesson.missing.server_said", &[text])]
                }
            }
            Check::Itinerary(stage) => {
                let happened = f
                    .mta
                    .itinerary
                    .steps
                    .iter()
                    .any(|(seq, s)| *seq >= f.since_stage && stage_name(s) == stage);
                if happened {
                    Vec::new()
                } else {
                    vec![fill(
                        lang,
                        &format!("lesson.missing.itinerary.{stage}"),
                        &[],
                    )]
                }
            }
        }
    }

    /// The verbs whose error reply (4xx, 5xx, -ERR) this check asks for.
    pub fn error_replies_asked(&self) -> Vec<String> {
        match self {
            Check::All(list) | Check::Any(list) => {
                list.iter().flat_map(Check::error_replies_asked).collect()
            }
            Check::Reply(r)
                if r.code.split('|').any(|c| {
                    let c = c.trim();
                    c.starts_with(['4', '5']) || c == "-ERR"
                }) =>
            {
                vec![r.to.to_ascii_uppercase()]
            }
            _ => Vec::new(),
        }
    }

    /// Problems of meaning in a check, with their place.
    pub fn problems(&self, world: &World, place: &str, out: &mut Vec<Problem>) {
        let mut say = |p: String, key: &'static str, args: &[&dyn std::fmt::Display]| {
            out.push(Problem::new(p, key, args))
        };
        match self {
            Check::All(list) | Check::Any(list) => {
                let kind = if matches!(self, Check::All(_)) {
                    "all"
                } else {
                    "any"
                };
                if list.is_empty() {
                    say(format!("{place}.{kind}"), "diag.lesson.empty_list", &[]);
                }
                for (i, c) in list.iter().enumerate() {
                    c.problems(world, &format!("{place}.{kind}[{i}]"), out);
                }
            }
            Check::Reply(r) => {
                let pop = ["+OK", "-ERR", "+"];
                let ok = !r.code.is_empty()
                    && r.code.split('|').all(|c| {
                        let c = c.trim();
                        pop.contains(&c)
                            || (c.len() == 3
                                && c.starts_with(['2', '3', '4', '5', 'x'])
                                && c.chars().all(|ch| ch.is_ascii_digit() || ch == 'x'))
                    });
                if !ok {
                    say(
                        format!("{place}.reply.code"),
                        "diag.lesson.not_a_code",
                        &[&r.code],
                    );
                }
                let known = r.to == "."
                    || crate::proto::smtp::command::Verb::parse(&r.to).is_some()
                    || crate::proto::pop3::command::Verb::parse(&r.to).is_some();
                if !known {
                    say(
                        format!("{place}.reply.to"),
                        "diag.lesson.not_a_command",
                        &[&r.to],
                    );
                }
            }
            Check::Mailbox(m) => {
                if !crate::lesson::mailbox_exists(world, &m.mailbox) {
                    say(
                        format!("{place}.mailbox.mailbox"),
                        "diag.lesson.not_a_mailbox",
                        &[&m.mailbox],
                    );
                }
            }
            Check::Connected(h) => {
                let mut hosts = world.smtp_hosts();
                hosts.extend(world.pop_hosts());
                if !hosts.contains(&h.to_ascii_lowercase()) {
                    say(
                        format!("{place}.connected"),
                        "diag.lesson.not_a_host",
                        &[h, &hosts.join(", ")],
                    );
                }
            }
            Check::Itinerary(s) => {
                if !STAGES.contains(&s.as_str()) {
                    say(
                        format!("{place}.itinerary"),
                        "diag.lesson.not_a_stage",
                        &[s, &STAGES.join(", ")],
                    );
                }
            }
            Check::ServerSaid(t) if t.is_empty() => say(
                format!("{place}.server_said"),
                "diag.lesson.empty_text",
                &[],
            ),
            Check::Dns(d) => crate::lesson::check_world::dns_problems(d, place, out),
            Check::Queue(q) => crate::lesson::check_world::queue_problems(world, q, place, out),
            Check::ServerSaid(_) | Check::Smtp(_) | Check::Pop3(_) => {}
        }
    }
}

#[cfg(test)]
mod tests;
