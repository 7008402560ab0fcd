//! What can go wrong in the simulated world, as data a world file sets:
//! greylisting on a domain (RFC 6647), a host that is down or answers 421
//! or drops the connection, the queue's schedule (Postfix's parameters),
//! and the clock's speed. The MTA reads these; nothing here acts.

use serde::{Deserialize, Serialize};

/// A duration in seconds, written in a world file as a number of seconds
/// or as Postfix writes its time parameters: `300s`, `5m`, `4h`, `5d`, `1w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Secs(pub i64);

impl Secs {
    /// `300s`, `5m`, `4h`, `5d`, `1w` or a bare number of seconds.
    pub fn parse(text: &str) -> Option<Secs> {
        let t = text.trim();
        let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
            Some(i) => t.split_at(i),
            None => (t, "s"),
        };
        let n: i64 = digits.parse().ok()?;
        let per = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return None,
        };
        n.checked_mul(per)
            .filter(|s| *s <= 10 * 365 * 86_400)
            .map(Secs)
    }

    /// The shortest exact way to write it: `5m`, `4h`, `90s`.
    pub fn short(self) -> String {
        let s = self.0;
        for (per, unit) in [(604_800, "w"), (86_400, "d"), (3600, "h"), (60, "m")] {
            if s != 0 && s % per == 0 {
                return format!("{}{unit}", s / per);
            }
        }
        format!("{s}s")
    }
}

impl<'de> Deserialize<'de> for Secs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(i64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) if (0..=10 * 365 * 86_400).contains(&n) => Ok(Secs(n)),
            Raw::N(n) => Err(serde::de::Error::custom(format!(
                "{n} seconds: a duration is between 0 and 10 years"
            ))),
            Raw::S(s) => Secs::parse(&s).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "\"{s}\" is not a duration (e.g. 300s, 5m, 4h, 5d)"
                ))
            }),
        }
    }
}

/// Greylisting on a domain (RFC 6647): the first delivery attempt of an
/// unseen (client IP, sender, recipient) triplet gets `450 4.7.1`; the same
/// triplet is accepted once `delay` has passed (postgrey's default: 300 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Greylisting {
    #[serde(default = "default_greylist_delay")]
    pub delay: Secs,
}

fn default_greylist_delay() -> Secs {
    Secs(300)
}

/// What is wrong with a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// Nothing listens on port 25: the connection is refused at once.
    #[serde(rename = "refused")]
    Refused,
    /// The host does not answer at all: the connection times out.
    #[serde(rename = "timeout")]
    Timeout,
    /// The server answers `421 4.3.2` and closes (at the greeting, or at `at`).
    #[serde(rename = "421")]
    Unavailable,
    /// The connection is cut without a reply (when `at` arrives; by
    /// default after the message's final dot).
    #[serde(rename = "drop")]
    Drop,
}

/// Where in a dialogue a 421 or a cut happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Point {
    #[serde(rename = "greeting")]
    Greeting,
    #[serde(rename = "EHLO")]
    Ehlo,
    #[serde(rename = "MAIL")]
    Mail,
    #[serde(rename = "RCPT")]
    Rcpt,
    #[serde(rename = "DATA")]
    Data,
    /// The final `.` of the message.
    #[serde(rename = ".")]
    EndOfData,
}

/// A host of the world that misbehaves, from the start of the world until
/// `until` (for ever when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Secs>,
}

impl Fault {
    /// Where a 421 or a cut happens (the greeting, or the final dot).
    pub fn point(&self) -> Point {
        match (self.at, self.kind) {
            (Some(p), _) => p,
            (None, FaultKind::Drop) => Point::EndOfData,
            (None, _) => Point::Greeting,
        }
    }

    /// Whether the fault is on `elapsed` seconds after the world started.
    pub fn active(&self, elapsed: i64) -> bool {
        self.until.is_none_or(|u| elapsed < u.0)
    }
}

/// The queue's schedule, with Postfix's parameter names and defaults.
/// RFC 5321 §4.5.4.1 asks for retries at least 30 minutes apart and a
/// give-up time of at least 4-5 days; Postfix retries sooner (its backoff
/// starts at 300 s and doubles up to 4000 s) and gives up after 5 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueSettings {
    /// A message still undelivered after this is returned to its sender.
    pub maximal_queue_lifetime: Secs,
    /// A "delayed mail" warning (RFC 3464, Action: delayed) is sent once
    /// the message has waited this long; 0: never.
    pub delay_warning_time: Secs,
    /// The shortest and longest wait between two attempts.
    pub minimal_backoff_time: Secs,
    pub maximal_backoff_time: Secs,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            maximal_queue_lifetime: Secs(5 * 86_400),
            delay_warning_time: Secs(4 * 3600),
            minimal_backoff_time: Secs(300),
            maximal_backoff_time: Secs(4000),
        }
    }
}

impl QueueSettings {
    pub fn is_default(&self) -> bool {
        *self == QueueSettings::default()
    }

    /// The wait before the next attempt of a message `age` seconds old:
    /// its age, kept between the minimal and maximal backoff — so the wait
    /// doubles from one attempt to the next (Postfix's qmgr).
    pub fn backoff(&self, age: i64) -> i64 {
        age.clamp(
            self.minimal_backoff_time.0.max(1),
            self.maximal_backoff_time
                .0
                .max(self.minimal_backoff_time.0.max(1)),
        )
    }
}

/// How fast the world's clock runs: simulated seconds per real second
/// (`facteur serve` and the TUI read the real clock; 60 makes a
/// 5-minute greylisting last 5 real seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClockSettings {
    pub speed: u32,
}

impl Default for ClockSettings {
    fn default() -> Self {
        ClockSettings { speed: 1 }
    }
}

impl ClockSettings {
    pub fn is_default(&self) -> bool {
        *self == ClockSettings::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_postfix_writes_them() {
        assert_eq!(Secs::parse("300s"), Some(Secs(300)));
        assert_eq!(Secs::parse("5m"), Some(Secs(300)));
        assert_eq!(Secs::parse("4h"), Some(Secs(14_400)));
        assert_eq!(Secs::parse("5d"), Some(Secs(432_000)));
        assert_eq!(Secs::parse("90"), Some(Secs(90)));
        assert_eq!(Secs::parse("5 minutes"), None);
        assert_eq!(Secs::parse("m"), None);
        assert_eq!(Secs(300).short(), "5m");
        assert_eq!(Secs(4000).short(), "4000s");
        assert_eq!(Secs(432_000).short(), "5d");
    }

    #[test]
    fn postfix_backoff_doubles_between_its_bounds() {
        let q = QueueSettings::default();
        let mut t = 0;
        let mut at = vec![];
        for _ in 0..7 {
            t += q.backoff(t);
            at.push(t);
        }
        assert_eq!(at, [300, 600, 1200, 2400, 4800, 8800, 12_800]);
    }
}
