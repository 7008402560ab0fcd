//! Running a lesson: the current step, hints revealed one at a time, the
//! check evaluated after each exchange, and a summary at the end (steps
//! done, hints used, mistakes the explanation engine flagged).

use crate::explain::annotation::Severity;
use crate::explain::lang::Lang;
use crate::lesson::check::Facts;
use crate::lesson::{Lesson, Text};
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
        for e in facts.entries.iter().skip(self.counted) {
            if e.dir == Dir::Client && e.worst.is_some_and(|w| w >= Severity::Mistake) {
                self.mistakes += 1;
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
            self.step += 1;
            self.hints_shown = 0;
            self.missing.clear();
            self.since = facts.entries.len();
            self.since_stage = facts.mta.itinerary.next_seq();
            self.since_dns = facts.mta.dns_asked;
        }
        first..self.step
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
