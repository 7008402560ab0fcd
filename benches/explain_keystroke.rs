//! Benchmark: the explanation engine's cost for one typed key, on a session
//! already 10,000 lines long (goal: median ≤ 50 µs). Run: `cargo bench --bench explain_keystroke`.

use std::time::Instant;

use facteur::explain::Lang;
use facteur::explain::command::explain_smtp_input;
use facteur::explain::reply::explain_reply;
use facteur::explain::state::SmtpState;
use facteur::proto::smtp::reply::{ReplyEvent, ReplyReader};

fn main() {
    // A 10,000-line session: greeting, EHLO, then transactions.
    let mut state = SmtpState::new();
    let mut replies = ReplyReader::new();
    let mut lines = 0;
    let mut server = |state: &mut SmtpState, wire: &[u8]| {
        for ev in replies.feed(wire) {
            if let ReplyEvent::Reply(r) = ev {
                let tls = state.tls;
                let a = state.server_reply(&r);
                std::hint::black_box(explain_reply(Lang::Fr, &r, a, tls));
            }
        }
    };
    server(&mut state, b"220 smtp.free.fr ESMTP facteur\r\n");
    state.client_line(b"EHLO lab");
    server(&mut state, b"250-smtp.free.fr\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n");
    while lines < 10_000 {
        for (c, s) in [
            ("MAIL FROM:<fred@free.fr>", &b"250 2.1.0 Ok\r\n"[..]),
            ("RCPT TO:<marc@wanadoo.fr>", b"250 2.1.5 Ok\r\n"),
            ("DATA", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
        ] {
            state.client_line(c.as_bytes());
            server(&mut state, s);
            lines += 2;
        }
        for body in ["Subject: test", "", "hello", "."] {
            state.client_line(body.as_bytes());
            lines += 1;
        }
        server(&mut state, b"250 2.0.0 Ok: queued as 1234\r\n");
        lines += 1;
    }
    // Now type a command key by key, many times; time each key.
    let typed = "RCPT TO:<marc@wanadoo.fr>";
    state.client_line(b"MAIL FROM:<fred@free.fr>");
    server(&mut state, b"250 2.1.0 Ok\r\n");
    let mut samples = Vec::new();
    for _ in 0..400 {
        for end in 1..=typed.len() {
            let t = Instant::now();
            let notes = explain_smtp_input(Lang::Fr, &typed[..end], &state, None);
            samples.push(t.elapsed().as_nanos() as u64);
            std::hint::black_box(notes);
        }
    }
    samples.sort_unstable();
    let pct = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    println!(
        "explain one typed key, session of {lines} lines: median {:.1} µs, p99 {:.1} µs, max {:.1} µs ({} samples; goal: median ≤ 50 µs)",
        pct(0.5),
        pct(0.99),
        pct(1.0),
        samples.len()
    );
}
