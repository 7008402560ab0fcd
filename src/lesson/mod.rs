//! Scripted lessons: the format teachers write (JSON), the shipped lessons,
//! loading with errors that name their place, and validation that plays a
//! lesson's expected commands through the real runner.
//!
//! ```json
//! { "id": "01-premiere-session-smtp",
//!   "title": { "fr": "…", "en": "…" },
//!   "intro": { "fr": "…", "en": "…" },
//!   "start": "smtp.free.fr",
//!   "mailboxes": [ { "to": "marc@wanadoo.fr", "message": "From: …\r\n…" } ],
//!   "steps": [
//!     { "instruction": { "fr": "…", "en": "…" },
//!       "hints": [ { "fr": "…", "en": "…" } ],
//!       "check": { "reply": { "to": "EHLO", "code": "250" } },
//!       "expect": [ "EHLO pc-fred.free.fr" ] } ] }
//! ```
//!
//! A check looks at what really happened (see [`check::Check`]), never at
//! the text typed: `mail from: <fred@free.fr>` passes as well as
//! `MAIL FROM:<fred@free.fr>`, a message that never reached the mailbox
//! does not.

pub mod check;
pub mod check_world;
pub mod run;

use serde::{Deserialize, Serialize};

use crate::explain::lang::Lang;
use crate::sim::world::World;
pub use check::Check;

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub fr: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// A message put in a mailbox before the lesson starts (for POP3 lessons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seeded {
    /// The mailbox, e.g. `marc@wanadoo.fr`.
    pub to: String,
    /// The whole message (header fields, blank line, body); LF or CRLF.
    pub message: String,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub instruction: Text,
    #[serde(default)]
    pub hints: Vec<Text>,
    pub check: Check,
    /// Lines that complete the step (typed by the tests and by `lesson
    /// check`; a teacher's solution).
    #[serde(default)]
    pub expect: Vec<String>,
    /// When the step passes, this mailbox's lock (see `locked`) is released:
    /// the other client has finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
}

/// A lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    pub title: Text,
    pub intro: Text,
    /// The world to use: a world file (JSON, as `facteur serve --world`),
    /// relative to the lesson file; the course's built-in world when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<String>,
    /// The folder the lesson file was read from (for `world`).
    #[serde(skip)]
    pub base: Option<std::path::PathBuf>,
    /// The host of the world the session starts on (the student's ISP).
    #[serde(default = "default_start")]
    pub start: String,
    #[serde(default)]
    pub mailboxes: Vec<Seeded>,
    /// Mailboxes another client (Marc's phone…) holds locked when the
    /// lesson starts (RFC 1939 §8: the second session gets [IN-USE]).
    #[serde(default)]
    pub locked: Vec<String>,
    pub steps: Vec<Step>,
}

fn default_start() -> String {
    "smtp.free.fr".into()
}

/// The shipped lessons, embedded at build time.
pub const SHIPPED: &[(&str, &str)] = &[
    ("00", include_str!("../../lessons/00-vue-d-ensemble.json")),
    (
        "01",
        include_str!("../../lessons/01-premiere-session-smtp.json"),
    ),
    ("02", include_str!("../../lessons/02-ehlo-extensions.json")),
    ("03", include_str!("../../lessons/03-codes-erreurs.json")),
    ("04", include_str!("../../lessons/04-auth-plain.json")),
    ("05", include_str!("../../lessons/05-auth-login.json")),
    ("06", include_str!("../../lessons/06-cram-md5.json")),
    ("07", include_str!("../../lessons/07-pop3-lecture.json")),
    (
        "08",
        include_str!("../../lessons/08-pop3-dele-top-uidl.json"),
    ),
    ("09", include_str!("../../lessons/09-itineraire.json")),
    ("10", include_str!("../../lessons/10-mime-vcard.json")),
    ("11", include_str!("../../lessons/11-vrfy-expn-help.json")),
    ("12", include_str!("../../lessons/12-starttls.json")),
    (
        "13",
        include_str!("../../lessons/13-avis-de-non-remise.json"),
    ),
    ("14", include_str!("../../lessons/14-liste-grise.json")),
    ("15", include_str!("../../lessons/15-boite-pleine.json")),
    ("16", include_str!("../../lessons/16-mx-secours.json")),
];

/// The worlds the shipped lessons name (relative to `lessons/`), embedded
/// with them: a shipped lesson runs the same from the binary and from its file.
pub const SHIPPED_WORLDS: &[(&str, &str)] = &[
    (
        "mondes/14-liste-grise.json",
        include_str!("../../lessons/mondes/14-liste-grise.json"),
    ),
    (
        "mondes/15-boite-pleine.json",
        include_str!("../../lessons/mondes/15-boite-pleine.json"),
    ),
    (
        "mondes/16-mx-secours.json",
        include_str!("../../lessons/mondes/16-mx-secours.json"),
    ),
];

/// A problem in a lesson file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A path such as `steps[2].check.reply.code`, or empty when the
    /// problem names its own place (a JSON syntax error's line and column).
    pub place: String,
    pub why: Why,
}

/// What is wrong, said in the reader's language when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    Said(crate::explain::diag::Said),
    Json(crate::json::Place),
    World(crate::sim::world::WorldError),
    Io(std::io::ErrorKind, Option<i32>),
    File(crate::files::FileError),
}

impl Problem {
    pub(crate) fn new(
        place: impl Into<String>,
        key: &'static str,
        args: &[&dyn std::fmt::Display],
    ) -> Self {
        Problem {
            place: place.into(),
            why: Why::Said(crate::explain::diag::Said::new(key, args)),
        }
    }

    /// `place: what is wrong`, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        let why = match &self.why {
            Why::Said(s) => s.describe(lang),
            Why::Json(p) => p.describe(lang),
            Why::World(w) => w.describe(lang),
            Why::Io(kind, os) => crate::explain::diag::io_kind(lang, *kind, *os),
            Why::File(f) => f.describe(lang),
        };
        if self.place.is_empty() {
            why
        } else {
            crate::explain::fill(lang, "diag.world.field", &[&self.place, &why])
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl Lesson {
    /// Read a lesson file (its folder is kept, for a relative `world`).
    pub fn load(path: &std::path::Path) -> Result<Lesson, Problem> {
        let text =
            crate::files::read_text(path, crate::files::MAX_LESSON).map_err(|e| Problem {
                place: String::new(),
                why: Why::File(e),
            })?;
        let mut lesson = Lesson::from_json(&text)?;
        lesson.base = path.parent().map(std::path::Path::to_path_buf);
        Ok(lesson)
    }

    /// The world the lesson runs in.
    pub fn load_world(&self) -> Result<World, Problem> {
        let Some(file) = &self.world else {
            return Ok(World::default());
        };
        // A lesson names its world relative to its own folder, and never
        // outside it: no absolute path, no "..".
        let relative = std::path::Path::new(file);
        let inside = relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside || file.is_empty() {
            return Err(Problem::new("world", "diag.lesson.world_path", &[&file]));
        }
        // A shipped lesson (no folder: embedded) finds its world embedded too.
        if self.base.is_none()
            && let Some((_, json)) = SHIPPED_WORLDS.iter().find(|(name, _)| name == file)
        {
            return World::from_json(json).map_err(|e| Problem {
                place: "world".into(),
                why: Why::World(e),
            });
        }
        let path = match &self.base {
            Some(b) => b.join(relative),
            None => relative.to_path_buf(),
        };
        World::load(&path).map_err(|e| Problem {
            place: "world".into(),
            why: Why::World(e),
        })
    }

    /// Parse a lesson; a syntax or shape error names its line and column.
    pub fn from_json(text: &str) -> Result<Lesson, Problem> {
        crate::json::from_str(text).map_err(|p| Problem {
            place: String::new(),
            why: Why::Json(p),
        })
    }

    /// Every problem of meaning (the shape is serde's): empty texts, checks
    /// naming hosts, mailboxes or codes that do not exist.
    pub fn problems(&self, world: &World) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut say = |place: String, key: &'static str, arg: &str| {
            out.push(Problem::new(place, key, &[&arg]))
        };
        let id_ok = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            say("id".into(), "diag.lesson.bad_id", &self.id);
        }
        let mut text = |place: String, t: &Text| {
            if t.fr.trim().is_empty() {
                say(format!("{place}.fr"), "diag.lesson.empty_fr", "");
            }
            if t.en.trim().is_empty() {
                say(format!("{place}.en"), "diag.lesson.empty_en", "");
            }
        };
        text("title".into(), &self.title);
        text("intro".into(), &self.intro);
        for (i, s) in self.steps.iter().enumerate() {
            text(format!("steps[{i}].instruction"), &s.instruction);
            for (k, h) in s.hints.iter().enumerate() {
                text(format!("steps[{i}].hints[{k}]"), h);
            }
        }
        let mut hosts = world.smtp_hosts();
        hosts.extend(world.pop_hosts());
        if !hosts.contains(&self.start.to_ascii_lowercase()) {
            out.push(Problem::new(
                "start",
                "diag.lesson.not_a_host",
                &[&self.start, &hosts.join(", ")],
            ));
        }
        if self.steps.is_empty() {
            out.push(Problem::new("steps", "diag.lesson.no_step", &[]));
        }
        for (i, m) in self.locked.iter().enumerate() {
            if !mailbox_exists(world, m) {
                out.push(Problem::new(
                    format!("locked[{i}]"),
                    "diag.lesson.not_a_mailbox",
                    &[m],
                ));
            }
        }
        for (i, m) in self.mailboxes.iter().enumerate() {
            if !mailbox_exists(world, &m.to) {
                out.push(Problem::new(
                    format!("mailboxes[{i}].to"),
                    "diag.lesson.not_a_mailbox",
                    &[&m.to],
                ));
            }
        }
        for (i, s) in self.steps.iter().enumerate() {
            s.check
                .problems(world, &format!("steps[{i}].check"), &mut out);
            if s.expect.is_empty() {
                out.push(Problem::new(
                    format!("steps[{i}].expect"),
                    "diag.lesson.no_expect",
                    &[],
                ));
            }
        }
        out
    }
}

/// Whether `addr` is a user's mailbox in the world.
pub fn mailbox_exists(world: &World, addr: &str) -> bool {
    crate::proto::smtp::address::parse_mailbox(addr)
        .ok()
        .is_some_and(|m| world.user(&m).is_some())
}

/// The shipped lessons, parsed (a shipped lesson that does not parse is a
/// bug the tests catch; it is left out here rather than crash).
pub fn shipped() -> Vec<Lesson> {
    SHIPPED
        .iter()
        .filter_map(|(_, json)| Lesson::from_json(json).ok())
        .collect()
}

/// The lessons of a teacher's folder (every `*.json`), sorted by file name;
/// a file that does not parse comes back as its problem.
pub fn from_dir(dir: &std::path::Path) -> std::io::Result<Vec<(String, Result<Lesson, Problem>)>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files
        .into_iter()
        .map(|p| (p.display().to_string(), Lesson::load(&p)))
        .collect())
}

/// Play every step's expected commands through the real runner (the TUI's
/// model on the built-in world): the problems of a step they do not complete.
pub fn play_expected(lang: Lang, lesson: &Lesson, world: &World) -> Vec<Problem> {
    let mut mta =
        crate::sim::mta::Mta::new(world.clone(), crate::sim::store::Store::in_memory(), 7);
    mta.set_now(1_796_025_600);
    let Some((mut live, mut run)) = run::start(lang, mta, lesson) else {
        return vec![Problem::new("start", "diag.lesson.cannot_start", &[])];
    };
    let mut out = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        if step.expect.is_empty() {
            continue;
        }
        if run.step > i {
            out.push(Problem::new(
                format!("steps[{i}].check"),
                "diag.lesson.already_satisfied",
                &[],
            ));
            continue;
        }
        for line in &step.expect {
            let line = run::expand(line, &live.entries);
            run::type_line(&mut live, &line);
            run.check(&mut live);
        }
        if run.step <= i {
            out.push(Problem::new(
                format!("steps[{i}].expect"),
                "diag.lesson.incomplete",
                &[&run.missing.join("; ")],
            ));
            break;
        }
    }
    out
}

/// Find a lesson by id (or the start of its id, e.g. `01`) among the
/// shipped ones and a teacher's folder, or read it from a file path.
pub fn find(target: &str, dir: Option<&std::path::Path>) -> Result<Lesson, Problem> {
    let path = std::path::Path::new(target);
    if target.ends_with(".json") || path.is_file() {
        return Lesson::load(path).map_err(|mut p| {
            p.place = if p.place.is_empty() {
                target.to_string()
            } else {
                format!("{target}: {}", p.place)
            };
            p
        });
    }
    let mut all = shipped();
    if let Some(d) = dir {
        let found = from_dir(d).map_err(|e| Problem {
            place: d.display().to_string(),
            why: Why::Io(e.kind(), e.raw_os_error()),
        })?;
        all.extend(found.into_iter().filter_map(|(_, l)| l.ok()));
    }
    // `lesson 4` is lesson 04: a number is compared as a number.
    let number = target.parse::<u32>().ok();
    let matching: Vec<Lesson> = all
        .into_iter()
        .filter(|l| {
            let lead: String = l.id.chars().take_while(char::is_ascii_digit).collect();
            l.id == target
                || l.id.starts_with(&format!("{target}-"))
                || l.id.starts_with(target)
                || (number.is_some() && lead.parse::<u32>().ok() == number)
        })
        .collect();
    let ids: Vec<String> = matching.iter().map(|l| l.id.clone()).collect();
    let mut it = matching.into_iter();
    match (it.next(), it.next()) {
        (Some(l), None) => Ok(l),
        (None, _) => Err(Problem::new("", "diag.lesson.none", &[&target])),
        (Some(_), Some(_)) => Err(Problem::new(
            "",
            "diag.lesson.several",
            &[&target, &ids.join(", ")],
        )),
    }
}
