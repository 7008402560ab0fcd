//! Benchmark: opening a 100,000-line transcript for replay — read, parse,
//! and explain every line (goal: ≤ 1 s), with memory after. The file is
//! written to FACTEUR_BENCH_FILE (default: a temporary file) so that
//! scripts/bench.sh can time an anchor (Python's json.load) on the same
//! bytes. Run: `cargo bench --bench transcript_open`.

use std::time::Instant;

use facteur::explain::Lang;
use facteur::session::replay::load_file;
use facteur::session::transcript::{Dir, Event, Transcript, VERSION};

/// A realistic session: transactions with a header and a body, replies with codes.
fn transcript(lines: usize) -> Transcript {
    let mut events = vec![Event::new(
        0,
        Dir::Server,
        b"220 smtp.free.fr ESMTP facteur",
        false,
    )];
    let mut t = 0;
    let mut push = |events: &mut Vec<Event>, dir, line: &str| {
        t += 150;
        events.push(Event::new(t, dir, line.as_bytes(), false));
    };
    push(&mut events, Dir::Client, "EHLO pc-fred.free.fr");
    for l in [
        "250-smtp.free.fr Hello",
        "250-PIPELINING",
        "250-SIZE 10485760",
        "250 HELP",
    ] {
        push(&mut events, Dir::Server, l);
    }
    let mut n = 0;
    while events.len() < lines {
        n += 1;
        for (dir, line) in [
            (Dir::Client, "MAIL FROM:<fred@free.fr>".to_string()),
            (Dir::Server, "250 2.1.0 Sender <fred@free.fr> OK".into()),
            (Dir::Client, "RCPT TO:<marc@wanadoo.fr>".into()),
            (
                Dir::Server,
                "250 2.1.5 Recipient <marc@wanadoo.fr> OK".into(),
            ),
            (Dir::Client, "DATA".into()),
            (Dir::Server, "354 End data with <CR><LF>.<CR><LF>".into()),
            (Dir::Client, format!("Subject: message {n}")),
            (Dir::Client, "From: Fred <fred@free.fr>".into()),
            (Dir::Client, String::new()),
            (
                Dir::Client,
                "Bonjour Marc, voici encore un message du TP.".into(),
            ),
            (Dir::Client, ".".into()),
            (Dir::Server, format!("250 2.0.0 Ok: queued as {n:012X}")),
        ] {
            push(&mut events, dir, &line);
        }
    }
    events.truncate(lines);
    Transcript {
        version: VERSION,
        host: "smtp.free.fr".into(),
        port: 25,
        protocol: "smtp".into(),
        simulated: true,
        started: 1_796_025_600,
        events,
    }
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let path = std::env::var_os("FACTEUR_BENCH_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("facteur-bench-100k.json"));
    let json = transcript(100_000).to_json();
    if std::fs::write(&path, &json).is_err() {
        eprintln!("cannot write {}", path.display());
        return;
    }
    let before = rss_kb();
    let mut times = Vec::new();
    let mut kept = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = load_file(Lang::Fr, &path);
        times.push(t.elapsed().as_secs_f64());
        kept = Some(r);
    }
    let after = rss_kb();
    let lines = kept
        .and_then(|r| r.ok())
        .map(|r| r.entries.len())
        .unwrap_or(0);
    times.sort_by(f64::total_cmp);
    println!(
        "open a {lines}-line transcript ({:.1} MB) for replay: median {:.3} s, max {:.3} s (goal ≤ 1 s); RSS +{} MB explained; file {}",
        json.len() as f64 / 1e6,
        times[times.len() / 2],
        times[times.len() - 1],
        after.saturating_sub(before) / 1024,
        path.display()
    );
}
