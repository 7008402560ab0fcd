//! The world's time in `facteur serve`: a queue manager that wakes every
//! half second, moves the world's clock (real time × the world's speed) and
//! retries what is due, making its deliveries durable off the world's lock;
//! and, with `--console`, the teacher's console on standard input —
//! `mailq`, `flush` (as `postqueue -f`), `wait 10m` (the clock jumps, every
//! retry on the way happens), `time`.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use super::{Shared, lock, unix_now};
use crate::explain::catalog::{fill, text};
use crate::sim::mta::Mta;
use crate::sim::queue::{QueueEvent, ctime, local_time};
use crate::sim::scenario::Secs;

/// Run the queue now and then, for as long as the server runs.
pub(super) async fn manager(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let due = lock(&shared).queue.next_due();
        if due.is_some() {
            run(&shared, Mta::run_queue).await;
        }
    }
}

/// Move the clock, do `what` to the queue, log what happened, and make the
/// deliveries durable (fsync in the blocking pool, off the world's lock).
async fn run(shared: &Shared, what: impl FnOnce(&mut Mta) -> Vec<QueueEvent>) -> Vec<String> {
    let (lines, writes) = {
        let mut mta = lock(shared);
        mta.set_now(unix_now());
        let events = what(&mut mta);
        let lang = shared.cfg.lang;
        let lines: Vec<String> = events.iter().map(|e| log_line(lang, e)).collect();
        (lines, mta.store.take_pending())
    };
    if !writes.is_empty() {
        let job = writes.clone();
        let written = tokio::task::spawn_blocking(move || job.iter().try_for_each(|w| w.write()))
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|r| r);
        match written {
            Ok(()) => lock(shared).store.committed(&writes),
            Err(e) => {
                shared.log(fill(
                    shared.cfg.lang,
                    "serve.log.store_lost",
                    &[&crate::explain::diag::io_error(shared.cfg.lang, &e)],
                ));
                lock(shared).store.discard(&writes);
            }
        }
    }
    for l in &lines {
        shared.log(l.clone());
    }
    lines
}

/// One line of the server's log, as terse as Postfix's, in the user's
/// language; addresses and reasons made visible (a recipient may hold
/// bidirectional overrides that would reorder the teacher's line).
fn log_line(lang: crate::explain::Lang, e: &QueueEvent) -> String {
    use crate::proto::visible::visible_str;
    let list = |rcpts: &[String]| {
        rcpts
            .iter()
            .map(|r| visible_str(r))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match e {
        QueueEvent::Deferred {
            id,
            reason,
            wait,
            next,
        } => fill(
            lang,
            "serve.queue.deferred",
            &[
                id,
                &visible_str(reason),
                &Secs(*wait).short(),
                &ctime(*next),
            ],
        ),
        QueueEvent::Delivered { id, rcpts } => fill(lang, "serve.queue.sent", &[id, &list(rcpts)]),
        QueueEvent::Bounced { id, rcpts, expired } => fill(
            lang,
            if *expired {
                "serve.queue.returned_expired"
            } else {
                "serve.queue.returned"
            },
            &[id, &list(rcpts)],
        ),
        QueueEvent::Warned { id } => fill(lang, "serve.queue.warned", &[id]),
    }
}

/// The teacher's console: one command per line on standard input.
pub(super) async fn console(shared: Arc<Shared>) {
    let lang = shared.cfg.lang;
    say(&text(lang, "serve.console.help"));
    // Standard input is read by a thread of its own (a blocking read), one
    // line at a time, bounded: a line longer than 1 KiB is cut.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(16);
    std::thread::spawn(move || {
        use std::io::BufRead;
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        loop {
            let mut buf = Vec::new();
            match (&mut input).take(1024).read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf).to_string();
                    if tx.blocking_send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    while let Some(line) = rx.recv().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["mailq"] => {
                let q = {
                    let mut mta = lock(&shared);
                    mta.set_now(unix_now());
                    mta.mailq()
                };
                say(&q.join("\n"));
            }
            ["flush"] => {
                let done = run(&shared, Mta::flush).await;
                say(&fill(lang, "serve.console.flushed", &[&done.len()]));
            }
            ["wait", d] => match Secs::parse(d) {
                Some(s) => {
                    let done = run(&shared, |m| m.advance(s.0)).await;
                    let now = lock(&shared).now();
                    say(&fill(
                        lang,
                        "serve.console.waited",
                        &[&s.short(), &local_time(now), &done.len()],
                    ));
                }
                None => say(&fill(lang, "serve.console.bad_duration", &[d])),
            },
            ["time"] => {
                let now = {
                    let mut mta = lock(&shared);
                    mta.set_now(unix_now());
                    mta.now()
                };
                say(&fill(lang, "serve.console.time", &[&local_time(now)]));
            }
            _ => say(&text(lang, "serve.console.help")),
        }
    }
}

/// A console answer on standard output, at once.
fn say(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", crate::proto::visible::visible_text(s));
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_log_line_shows_bidi_overrides_and_speaks_french() {
        let e = QueueEvent::Bounced {
            id: "712B".into(),
            rcpts: vec!["\u{202e}evil.exe\u{202c}-gpj.txt@wanadoo.fr".into()],
            expired: false,
        };
        let en = log_line(crate::explain::Lang::En, &e);
        assert!(!en.contains('\u{202e}'), "{en:?}");
        assert!(en.contains("⟨U+202E⟩evil.exe"), "{en:?}");
        assert!(
            en.starts_with("queue: 712B returned to its sender ("),
            "{en:?}"
        );
        let fr = log_line(crate::explain::Lang::Fr, &e);
        assert!(
            fr.starts_with("file d'attente\u{a0}: 712B renvoyé à son expéditeur ("),
            "{fr:?}"
        );
    }
}
