//! The fuzz harnesses: what each cargo-fuzz target (fuzz/) runs on its
//! input, kept in the library so that `tests/fuzz_regressions.rs` replays
//! every saved crash input through the very same code. None may panic.

use crate::explain::lang::Lang;

/// The names of the targets (`fuzz/fuzz_targets/<name>.rs`, `fuzz/regressions/<name>/`).
pub const TARGETS: &[&str] = &[
    "line_framing",
    "smtp_command",
    "smtp_reply",
    "pop3",
    "sasl",
    "message",
    "transcript",
    "lesson",
    "smtp_server",
    "pop3_server",
];

/// Run target `name` on `data` (unknown names do nothing).
pub fn run(name: &str, data: &[u8]) {
    match name {
        "line_framing" => line_framing(data),
        "smtp_command" => smtp_command(data),
        "smtp_reply" => smtp_reply(data),
        "pop3" => pop3(data),
        "sasl" => sasl(data),
        "message" => message(data),
        "transcript" => transcript(data),
        "lesson" => lesson(data),
        "smtp_server" => smtp_server(data),
        "pop3_server" => pop3_server(data),
        _ => {}
    }
}

/// The first byte chooses how the rest is cut into chunks.
fn split(data: &[u8]) -> (usize, &[u8]) {
    match data.split_first() {
        Some((n, rest)) => (usize::from(*n % 64) + 1, rest),
        None => (1, data),
    }
}

pub fn line_framing(data: &[u8]) {
    use crate::proto::line::LineReader;
    let (step, data) = split(data);
    let mut lines = LineReader::new(512);
    for chunk in data.chunks(step) {
        for l in lines.feed(chunk).into_iter().flatten() {
            assert!(l.content.len() <= 512);
        }
    }
    let _ = lines.end_of_input();
    let mut rx = crate::proto::data::DataReceiver::new(10_000);
    for f in LineReader::new(crate::proto::line::SMTP_TEXT_LINE).feed(data) {
        let _ = rx.push(f);
    }
    let _ = rx.finish();
}

pub fn smtp_command(data: &[u8]) {
    let _ = crate::proto::smtp::command::parse(data);
    let text = String::from_utf8_lossy(data);
    let state = crate::explain::state::SmtpState::default();
    let _ = crate::explain::command::explain_smtp_input(Lang::Fr, &text, &state, None);
    let _ = crate::explain::line::explain_line(Lang::En, &text);
}

pub fn smtp_reply(data: &[u8]) {
    let (step, data) = split(data);
    let mut r = crate::proto::smtp::reply::ReplyReader::new();
    for chunk in data.chunks(step) {
        let _ = r.feed(chunk);
    }
    let mut ex = crate::explain::dialogue::SmtpExplainer::new();
    for line in crate::proto::data::split_lines(data) {
        let _ = ex.server(Lang::En, &String::from_utf8_lossy(line));
    }
}

pub fn pop3(data: &[u8]) {
    use crate::proto::pop3::{ResponseReader, Shape};
    let (step, data) = split(data);
    let _ = crate::proto::pop3::command::parse(data);
    let mut r = ResponseReader::new();
    r.expect(Shape::MultiIfOk);
    for chunk in data.chunks(step) {
        let _ = r.feed(chunk);
    }
    let _ = r.end_of_input();
    let mut state = crate::explain::pop3::Pop3State::new();
    for line in crate::proto::data::split_lines(data) {
        let text = String::from_utf8_lossy(line);
        let _ = crate::explain::pop3::explain_pop3_input(Lang::Fr, &text, &state);
        state.client_line(line);
        let _ = state.server_line(Lang::Fr, &text);
    }
}

pub fn sasl(data: &[u8]) {
    use crate::proto::sasl::{cram_md5::CramResponse, plain::PlainCredentials};
    let text = String::from_utf8_lossy(data);
    let _ = crate::proto::sasl::decode_base64(&text);
    let _ = PlainCredentials::decode(&text);
    let _ = PlainCredentials::from_message(data);
    let _ = CramResponse::decode(&text);
    let _ = CramResponse::from_text(data);
    let _ = crate::explain::decode::classify(data);
    let _ = crate::workbench::decode_report(Lang::Fr, &text);
}

pub fn message(data: &[u8]) {
    let r = crate::explain::message::explain_message(Lang::Fr, data);
    let _ = crate::explain::message::render(Lang::En, &r);
    let _ = crate::explain::message::route_annotations(Lang::Fr, &r);
}

pub fn transcript(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = crate::session::transcript::Transcript::from_json(text) {
        let mut r = crate::session::replay::Replay::load(Lang::Fr, "fuzz", t.clone());
        r.go(r.len() / 2);
        let _ = r.explainer_at(Lang::Fr, r.pos);
        let _ = crate::session::export::export(
            Lang::En,
            &t,
            "fuzz",
            crate::session::export::Format::Html,
        );
    }
}

pub fn lesson(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(l) = crate::lesson::Lesson::from_json(text) {
        let _ = l.problems(&crate::sim::world::World::default());
    }
}

/// The SMTP server session of the simulated world, fed the input as a client.
pub fn smtp_server(data: &[u8]) {
    use crate::sim::mta::{Mta, Role};
    use crate::sim::smtp_server::{SessionInfo, SmtpConfig, SmtpSession};
    let (step, data) = split(data);
    let mut mta = Mta::new(
        crate::sim::world::World::default(),
        crate::sim::store::Store::in_memory(),
        1,
    );
    mta.set_now(1_796_025_600);
    let mut cfg = SmtpConfig::new("smtp.free.fr");
    cfg.starttls = true;
    let mut s = SmtpSession::new(cfg, SessionInfo::default());
    for chunk in data.chunks(step) {
        let mut view = mta.smtp(Role::Host("smtp.free.fr".into()));
        for o in s.handle(chunk, &mut view) {
            if o == crate::sim::Output::StartTls {
                s.tls_established();
            }
        }
        if s.is_closed() {
            break;
        }
    }
    s.connection_lost();
}

/// The POP3 server session, fed the input as a client (marc's mailbox holds a message).
pub fn pop3_server(data: &[u8]) {
    use crate::sim::mta::{Mta, PopView};
    use crate::sim::pop3_server::{Pop3Config, Pop3Session};
    let (step, data) = split(data);
    let mut mta = Mta::new(
        crate::sim::world::World::default(),
        crate::sim::store::Store::in_memory(),
        1,
    );
    let _ = mta.store.deliver(
        "marc@wanadoo.fr",
        b"Subject: x\r\n\r\nbody\r\n.dot\r\n".to_vec(),
        0,
    );
    let mut s = Pop3Session::new(Pop3Config::new("pop.wanadoo.fr"), (1, 2));
    for chunk in data.chunks(step) {
        let mut view = PopView {
            mta: &mut mta,
            host: Some("pop.wanadoo.fr".into()),
        };
        let _ = s.handle(chunk, &mut view);
        if s.is_closed() {
            break;
        }
    }
    let mut view = PopView {
        mta: &mut mta,
        host: Some("pop.wanadoo.fr".into()),
    };
    s.connection_lost(&mut view);
}
