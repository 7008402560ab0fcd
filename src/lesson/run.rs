//! Running a lesson: the current step, hints revealed one at a time, the
//! check evaluated after each exchange, and a summary at the end (steps
//! done, hints used, mistakes the explanation engine flagged).

use crate::explain::annotation::Severity;
use crate::explain::lang::Lang;
use crate::lesson::check::Facts;
use crate::lesson::{Lesson, Text};
use crate::net::link::Link;
use crate::session::live::{Live, Wire};
use crate::session::transcript::Dir;
use crate::sim::mta::Mta;

/// A lesson in progress.
#[derive(Debug, Clone)]
pub struct Run {
    pub lesson: Lesson,
    /// The current step (`steps.len()` when the lesson is over).
    pub step: usize,
    /// Hints of the current step shown so far.
    pub hints_shown: usize,
    /// Hints shown over the whole lesson.
    pub hints_used: usize,
    /// Client lines the explanation engine flagged as mistakes.
    pub mistakes: usize,
    /// What the current step still misses (after the last exchange).
    pub missing: Vec<String>,
    /// Where the current step began: an entry index and an itinerary number.
    pub since: usize,
    pub since_stage: u64,
    /// The DNS questions asked before the current step began.
    pub since_dns: u64,
    counted: usize,
    /// The lesson's introduction is shown (at the start, and again on F10).
    pub show_intro: bool,
    /// The panel is folded to one line (once the step is read, on a small
    /// screen; F10 unfolds it).
    pub folded: bool,
    /// The student's lines the engine flagged, with their line number in
    /// the session (for the summary).
    pub mistake_lines: Vec<(usize, String)>,
    /// Of those, how many belong to the current step (a step that asks for
    /// an error reply does not count the command that provoked it).
    step_mistakes: usize,
}

impl Run {
    pub fn new(lesson: Lesson, entries: usize, stage: u64) -> Run {
        Run {
            lesson,
            step: 0,
            hints_shown: 0,
            hints_used: 0,
            mistakes: 0,
            missing: Vec::new(),
            since: entries,
            since_stage: stage,
            since_dns: 0,
            counted: entries,
            show_intro: true,
            folded: false,
            mistake_lines: Vec::new(),
            step_mistakes: 0,
        }
    }

    pub fn done(&self) -> bool {
        self.step >= self.lesson.steps.len()
    }

    pub fn total(&self) -> usize {
        self.lesson.steps.len()
    }

    /// Reveal the next hint of the current step (None when there is no more).
    pub fn hint(&mut self) -> Option<&Text> {
        let step = self.lesson.steps.get(self.step)?;
        if self.hints_shown < step.hints.len() {
            self.hints_shown += 1;
            self.hints_used += 1;
        }
        step.hints.get(self.hints_shown.checked_sub(1)?)
    }

    /// The hints revealed so far for the current step.
    pub fn shown_hints(&self) -> &[Text] {
        self.lesson
            .steps
            .get(self.step)
            .map(|s| &s.hints[..self.hints_shown.min(s.hints.len())])
            .unwrap_or(&[])
    }

    /// Look at what happened: count new mistakes, pass every step whose
    /// check holds (one exchange can complete several). Returns how many
    /// steps passed now (the caller applies their `release`).
    pub fn evaluate(&mut self, lang: Lang, mut facts: Facts) -> std::ops::Range<usize> {
        let first = self.step;
        // A risk the lesson itself asks to take (AUTH in clear where the
        // lesson is AUTH in clear: a line of the kind its solution types)
        // is warned about by the explanation, not counted as a mistake.
        let verb_of = |line: &str| {
            line.split([' ', ':'])
                .next()
                .unwrap_or("")
                .to_ascii_uppercase()
        };
        let expected: Vec<String> = self
            .lesson
            .steps
            .get(self.step)
            .map(|s| s.expect.iter().map(|l| verb_of(l)).collect())
            .unwrap_or_default();
        for (i, e) in facts.entries.iter().enumerate().skip(self.counted) {
            let asked_risk =
                e.worst == Some(Severity::Danger) && expected.contains(&verb_of(&e.text));
            if e.dir == Dir::Client
                && e.worst.is_some_and(|w| w >= Severity::Mistake)
                && !asked_risk
            {
                self.mistakes += 1;
                self.mistake_lines.push((i + 1, e.text.clone()));
                self.step_mistakes += 1;
            }
        }
        self.counted = facts.entries.len();
        while let Some(step) = self.lesson.steps.get(self.step) {
            facts.since = self.since;
            facts.since_stage = self.since_stage;
            facts.since_dns = self.since_dns;
            let missing = step.check.missing(lang, &facts);
            if !missing.is_empty() {
                // Say what is missing once the student has done something.
                self.missing = if facts.entries.len() > self.since {
                    missing
                } else {
                    Vec::new()
                };
                break;
            }
            // A step that asked for an error reply (503, 550, -ERR…): the
            // command that provoked it is what was asked, not a mistake.
            let asked: Vec<String> = step.check.error_replies_asked();
            if !asked.is_empty() {
                let first =
                    self.mistake_lines.len() - self.step_mistakes.min(self.mistake_lines.len());
                let mut kept = self.mistake_lines[..first].to_vec();
                for (n, line) in &self.mistake_lines[first..] {
                    let verb = line
                        .split([' ', ':'])
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    if !asked.contains(&verb) {
                        kept.push((*n, line.clone()));
                    }
                }
                self.mistakes -= self.mistake_lines.len() - kept.len();
                self.mistake_lines = kept;
            }
            self.step_mistakes = 0;
            self.step += 1;
            // A new step: its instruction is shown unfolded.
            self.folded = false;
            self.hints_shown = 0;
            self.missing.clear();
            self.since = facts.entries.len();
            self.since_stage = facts.mta.itinerary.next_seq();
            self.since_dns = facts.mta.dns_asked;
        }
        first..self.step
    }
}

impl Run {
    /// After each exchange: the lesson's check against what happened in
    /// the session; the mailboxes of the steps passed are released.
    pub fn check(&mut self, live: &mut Live<Link>) -> std::ops::Range<usize> {
        let facts = Facts {
            entries: &live.entries,
            first: live.first_proto(),
            since: 0,
            since_stage: 0,
            since_dns: 0,
            mta: &live.link.mta,
            explainer: &live.explainer,
            host: &live.link.info.host,
            open: !live.link.info.closed,
        };
        let passed = self.evaluate(live.lang, facts);
        for i in passed.clone() {
            if let Some(mailbox) = self.lesson.steps.get(i).and_then(|s| s.release.clone()) {
                live.link.mta.store.unlock(&mailbox.to_ascii_lowercase());
            }
        }
        passed
    }
}

/// A lesson's session, ready for its first step: its messages put in
/// their mailboxes, connected to its start host. None if that host is not
/// in the world (`lesson check` reports it first).
pub fn start(lang: Lang, mut mta: Mta, lesson: &Lesson) -> Option<(Live<Link>, Run)> {
    prepare(lesson, &mut mta).ok()?;
    let (link, greeting) = Link::open(mta, &lesson.start, None, true).ok()?;
    let started = link.mta.now();
    let mut live = Live::new(lang, link, started);
    live.receive(&greeting);
    let stage = live.link.mta.itinerary.next_seq();
    let mut run = Run::new(lesson.clone(), live.entries.len(), stage);
    run.check(&mut live);
    Some((live, run))
}

/// One line typed as the student would: facteur's commands for the world
/// (`/open HOST [PORT]`, `/dig NAME [TYPE]`, `/wait DURATION`, `/flush`,
/// `/queue`) act on it as in the TUI; anything else goes to the server.
pub fn type_line(live: &mut Live<Link>, line: &str) {
    use crate::sim::dns::QType;
    use crate::sim::scenario::{FaultKind, Secs};
    let words: Vec<&str> = line.split_whitespace().collect();
    let is = |w: &str, cmd: &str| w.eq_ignore_ascii_case(cmd);
    match words.as_slice() {
        [cmd, host, rest @ ..] if is(cmd, "/open") => {
            // A host the world says is down is refused, as telnet would be.
            let down = live
                .link
                .mta
                .fault(host)
                .is_some_and(|f| matches!(f.kind, FaultKind::Refused | FaultKind::Timeout));
            if !down {
                let port = rest.first().and_then(|p| p.parse().ok());
                let _ = crate::net::link::open_in_world(live, host, port);
            }
        }
        [cmd, name, rest @ ..] if is(cmd, "/dig") => {
            let qtype = rest.first().map_or(Some(QType::A), |t| QType::parse(t));
            if let Some(qtype) = qtype {
                let _ = live.link.mta.dig(name, qtype);
            }
        }
        [cmd, d] if is(cmd, "/wait") => {
            if let Some(secs) = Secs::parse(d) {
                let _ = live.link.mta.advance(secs.0);
            }
        }
        [cmd] if is(cmd, "/flush") => {
            let _ = live.link.mta.flush();
        }
        [cmd, ..] if cmd.starts_with('/') => {}
        _ if !live.link.info().closed => {
            live.send_line(line);
        }
        _ => {}
    }
}

/// Put the lesson's messages in their mailboxes, and lock the mailboxes
/// another client is reading, before it starts.
pub fn prepare(lesson: &Lesson, mta: &mut Mta) -> std::io::Result<()> {
    // A lesson runs in its own world (`world`), whatever world the MTA was
    // made with; one that cannot be loaded is reported by `lesson check`.
    if lesson.world.is_some()
        && let Ok(world) = lesson.load_world()
    {
        mta.world = world;
    }
    for mailbox in &lesson.locked {
        let _ = mta.store.lock(&mailbox.to_ascii_lowercase());
    }
    for m in &lesson.mailboxes {
        // The file may use LF; a mailbox holds CRLF lines (RFC 5322 §2.1).
        let crlf = m.message.replace("\r\n", "\n").replace('\n', "\r\n");
        let now = mta.now();
        mta.store
            .deliver(&m.to.to_ascii_lowercase(), crlf.into_bytes(), now)?;
    }
    mta.store.flush()
}

/// An expected line as it is typed: `{{cram-md5 USER SECRET}}` becomes the
/// CRAM-MD5 answer (RFC 2195) to the last challenge the server sent in
/// `entries`; any other line is typed as written.
pub fn expand(line: &str, entries: &[crate::session::explained::Entry]) -> String {
    let Some(args) = line
        .strip_prefix("{{cram-md5 ")
        .and_then(|r| r.strip_suffix("}}"))
    else {
        return line.to_string();
    };
    let mut words = args.split_whitespace();
    let (Some(user), Some(secret)) = (words.next(), words.next()) else {
        return line.to_string();
    };
    let challenge = entries
        .iter()
        .rev()
        .filter(|e| e.dir == Dir::Server)
        .find_map(|e| e.raw.strip_prefix(b"334 "))
        .and_then(|b64| crate::proto::sasl::decode_base64(&String::from_utf8_lossy(b64)).ok());
    match challenge {
        Some(c) => crate::proto::sasl::cram_md5::encode_response(user, &c, secret.as_bytes()),
        None => line.to_string(),
    }
}
