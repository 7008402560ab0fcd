//! A model on its link: built for a host of the simulated world or a real
//! server (`connect`, `connect_remote`), and what the link says as it comes
//! (`network`: lines, TLS, a closed connection) told in the session pane.

use super::*;

/// A new model connected to `host` of the world (the course's smtp.free.fr by default).
pub fn connect(lang: crate::explain::lang::Lang, mta: Mta, host: &str) -> Option<Model> {
    let (link, greeting) = Link::open(mta, host, None, true).ok()?;
    let mut model = new_model(lang, link);
    model.notice = connected_notice(&model);
    model.live.receive(&greeting);
    Some(model)
}

/// A new model connected to a real server (`facteur connect`).
pub fn connect_remote(
    lang: crate::explain::lang::Lang,
    mta: Mta,
    opts: ConnectOptions,
    proto: Proto,
    given: bool,
) -> Model {
    let mut link = Link::connect(mta, opts, proto);
    link.info.detect_proto = !given;
    let mut model = new_model(lang, link);
    let name = proto.name();
    let info = &model.live.link.info;
    model.notice = fill(lang, "tui.net.connecting", &[&info.host, &info.port, &name]);
    model
}

/// Whether quitting now would lose something the student did.
pub(super) fn at_stake(m: &Model) -> bool {
    if m.replay.is_some() {
        return false;
    }
    let in_data = matches!(
        &m.live.explainer,
        crate::explain::dialogue::Explainer::Smtp(e)
            if e.state.input_mode() == crate::explain::state::InputMode::Data
    );
    let typed = m.live.entries.iter().any(|e| e.dir == Dir::Client);
    !m.input.is_empty() || in_data || (typed && !m.recorded && m.saved_at < m.live.entries.len())
}

/// What the engine noticed, said in the notice line.
pub(super) fn tell(m: &mut Model, happened: Vec<Happened>) {
    for h in happened {
        m.notice = match h {
            Happened::Connected(peer) => fill(m.lang, "tui.net.connected", &[&peer]),
            Happened::Tls(h) => tls_notice(m.lang, &h),
            Happened::Closed => text(m.lang, "tui.net.closed"),
            Happened::Failed(why) => fill(m.lang, "tui.net.failed", &[&why.describe(m.lang)]),
            Happened::Injected(n) => fill(m.lang, "tui.net.injected", &[&n]),
            Happened::NotSent(n) => fill(m.lang, "tui.net.not_sent", &[&n]),
            Happened::ProtoFound(p) => fill(m.lang, "tui.net.proto_detected", &[&p.name()]),
            Happened::UnknownGreeting => text(m.lang, "tui.net.unknown_greeting"),
        };
    }
}

/// Lines dropped from the front of the scrollback: the line being browsed
/// keeps its place.
pub(super) fn follow_drop(m: &mut Model, dropped: usize) {
    if let Focus::Session(i) = m.focus {
        m.focus = Focus::Session(i.saturating_sub(dropped));
    }
}

/// Take in what a real server sent; true if anything changed.
pub fn network(m: &mut Model) -> bool {
    let before = (m.live.dropped, m.live.entries.len());
    let happened = m.live.poll();
    let changed = !happened.is_empty() || before != (m.live.dropped, m.live.entries.len());
    follow_drop(m, m.live.dropped - before.0);
    tell(m, happened);
    changed
}

pub(crate) fn new_model(lang: crate::explain::lang::Lang, link: Link) -> Model {
    let started = link.mta.now();
    Model {
        session_rows: 10,
        explain_rows: 10,
        stacked: false,
        recorded: false,
        saved_at: 0,
        quit_armed: false,
        lang,
        live: Live::new(lang, link, started),
        input: String::new(),
        cursor: 0,
        history: Vec::new(),
        history_pos: None,
        scroll: 0,
        focus: Focus::Input,
        note: 0,
        right: RightPane::Explanation,
        show_help: false,
        notice: String::new(),
        quit: false,
        color: true,
        high_contrast: false,
        timestamps: false,
        explain_scroll: 0,
        replay: None,
        watching: false,
        jumping: false,
        save_requested: false,
        lesson: None,
        tool: None,
    }
}

pub(super) fn connected_notice(m: &Model) -> String {
    let info = &m.live.link.info;
    let proto = info.proto.name();
    fill(m.lang, "tui.connected", &[&info.host, &info.port, &proto])
}

/// "TLS 1.3 established, cipher …, certificate (not) verified".
fn tls_notice(lang: crate::explain::lang::Lang, h: &Handshake) -> String {
    let cert = if h.verified {
        text(lang, "tui.net.verified")
    } else {
        text(lang, "tui.net.unverified")
    };
    fill(
        lang,
        "tui.net.tls",
        &[
            &crate::explain::tls::version_words(&h.version),
            &h.cipher,
            &cert,
        ],
    )
}
