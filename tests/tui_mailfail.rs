//! The TUI's commands for mail that does not arrive — `/dig`, `/queue`,
//! `/flush`, `/wait`, `/open` of a host that is down — on the model and
//! its frames; and the greylisting lesson (14) played end to end in the
//! real binary, in tmux, at 80×24.

#[path = "common/screen.rs"]
mod screen;
use screen::{screen, send};
#[path = "common/tmux.rs"]
mod tmux;
use tmux::{Tmux, bin};

use facteur::explain::Lang;
use facteur::lesson::shipped;
use facteur::sim::mta::Mta;
use facteur::sim::store::Store;
use facteur::sim::world::World;
use facteur::tui::action::Action;
use facteur::tui::model::{Model, RightPane};
use facteur::tui::update::{connect, open_lesson, update};

const NOW: i64 = 1_796_000_000;

/// A session on smtp.free.fr in the world of shipped lesson `id`.
fn in_world_of(id: &str, lang: Lang) -> Model {
    let lesson = shipped()
        .into_iter()
        .find(|l| l.id.starts_with(id))
        .unwrap();
    let mut mta = Mta::new(lesson.load_world().unwrap(), Store::in_memory(), 7);
    mta.set_now(NOW);
    let mut m = connect(lang, mta, "smtp.free.fr").unwrap();
    m.color = false;
    m
}

#[test]
fn dig_answers_as_dig_and_explains_preference_ttl_and_the_fallbacks() {
    let mut m = in_world_of("16", Lang::En);
    send(&mut m, "/dig wanadoo.fr MX");
    assert_eq!(m.right, RightPane::BehindTheScenes);
    assert!(
        m.notice.contains("dig wanadoo.fr MX: 2 answer(s)"),
        "{}",
        m.notice
    );
    let s = screen(&m, 400, 60);
    assert!(s.contains("status: NOERROR"), "{s}");
    assert!(
        s.contains("wanadoo.fr.             3600  IN MX   10 mx1.wanadoo.fr."),
        "{s}"
    );
    assert!(
        s.contains("wanadoo.fr.             3600  IN MX   20 mx2.wanadoo.fr."),
        "{s}"
    );
    assert!(
        s.contains("mx1.wanadoo.fr.         3600  IN A    198.51.100.26"),
        "{s}"
    );
    assert!(
        s.contains("tries the lowest preference first (mx1.wanadoo.fr)"),
        "{s}"
    );
    assert!(s.contains("TTL 3600"), "{s}");
    assert!(s.contains("[RFC 5321 §5.1]"), "{s}");
    // The typed command went to nobody: the SMTP session saw nothing.
    assert_eq!(m.live.entries.len(), 1);
    // NXDOMAIN, and the question was asked of the world's DNS.
    send(&mut m, "/dig wanadoo.fx MX");
    let s = screen(&m, 400, 60);
    assert!(s.contains("status: NXDOMAIN"), "{s}");
    assert!(s.contains("does not exist"), "{s}");
    assert_eq!(m.live.link.mta.dns_log.back().unwrap().name, "wanadoo.fx");
    // An address; dig's default type is A.
    send(&mut m, "/dig smtp.free.fr");
    assert!(screen(&m, 400, 60).contains("IN A    192.0.2.25"));
    send(&mut m, "/dig");
    assert!(m.notice.contains("/dig NAME [MX|A|AAAA]"), "{}", m.notice);
    // In French, the explanation is French.
    let mut m = in_world_of("16", Lang::Fr);
    send(&mut m, "/dig wanadoo.fr MX");
    let s = screen(&m, 400, 60);
    assert!(s.contains("préférence la plus basse"), "{s}");
}

#[test]
fn open_of_a_host_that_is_down_is_refused_as_telnet_says() {
    let mut m = in_world_of("16", Lang::En);
    send(&mut m, "/open mx1.wanadoo.fr");
    assert!(
        m.notice
            .starts_with("telnet mx1.wanadoo.fr 25: connection refused"),
        "{}",
        m.notice
    );
    assert_eq!(m.live.link.info.host, "smtp.free.fr");
    // The backup is up.
    send(&mut m, "/open mx2.wanadoo.fr");
    assert_eq!(m.live.link.info.host, "mx2.wanadoo.fr");
    assert!(
        m.live
            .entries
            .last()
            .unwrap()
            .text
            .starts_with("220 mx2.wanadoo.fr")
    );
}

#[test]
fn a_host_that_answers_421_greets_so_and_closes() {
    let mut v = serde_json::to_value(World::default()).unwrap();
    v["faults"] = serde_json::json!({"smtp.wanadoo.fr": {"kind": "421"}});
    let mut mta = Mta::new(
        World::from_json(&v.to_string()).unwrap(),
        Store::in_memory(),
        7,
    );
    mta.set_now(NOW);
    let mut m = connect(Lang::En, mta, "smtp.free.fr").unwrap();
    send(&mut m, "/open smtp.wanadoo.fr");
    let last = &m.live.entries.last().unwrap().text;
    assert!(
        last.starts_with("421 4.3.2 smtp.wanadoo.fr Service not available"),
        "{last}"
    );
    assert!(m.live.link.info.closed);
}

#[test]
fn queue_flush_and_wait_follow_the_greylisted_message() {
    let mut m = in_world_of("14", Lang::En);
    for l in [
        "EHLO pc",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "Subject: grey",
        "",
        "hi",
        ".",
    ] {
        send(&mut m, l);
    }
    send(&mut m, "/queue");
    assert!(
        m.notice.starts_with("1 message(s) in the queue"),
        "{}",
        m.notice
    );
    let s = screen(&m, 400, 60);
    assert!(
        s.contains("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------"),
        "{s}"
    );
    assert!(s.contains("said: 450 4.7.1 <marc@wanadoo.fr>"), "{s}");
    assert!(s.contains("held by smtp.free.fr; 1 attempt(s)"), "{s}");
    assert!(s.contains("greylisting"), "{s}");
    // Too early: /flush tries again, still 450.
    send(&mut m, "/flush");
    assert!(m.notice.contains("0 sent, 1 still waiting"), "{}", m.notice);
    assert_eq!(m.live.link.mta.queue.len(), 1);
    // Time passes: the retry due at +5 min (300 s after the first attempt) goes.
    send(&mut m, "/wait 5m");
    assert!(m.notice.starts_with("Time passes: +5m"), "{}", m.notice);
    assert!(m.notice.contains("1 sent"), "{}", m.notice);
    assert!(m.live.link.mta.queue.is_empty());
    assert!(screen(&m, 400, 60).contains("Mail queue is empty"));
    assert_eq!(m.live.link.mta.store.messages("marc@wanadoo.fr").len(), 1);
    send(&mut m, "/wait soon");
    assert!(m.notice.contains("/wait DURATION"), "{}", m.notice);
}

#[test]
fn behind_the_scenes_shows_the_mx_lookup_and_the_unreachable_primary_as_step_2() {
    let mut m = in_world_of("16", Lang::En);
    for l in [
        "EHLO pc",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "Subject: mx",
        "",
        "hi",
        ".",
    ] {
        send(&mut m, l);
    }
    update(&mut m, Action::ToggleBehindTheScenes);
    let s = screen(&m, 400, 80);
    assert!(
        s.contains("2 DNS: smtp.free.fr asks for the MX of wanadoo.fr → 10 mx1.wanadoo.fr, 20 mx2.wanadoo.fr"),
        "{s}"
    );
    assert!(
        s.contains("2 MTA → MTA: smtp.free.fr cannot reach mx1.wanadoo.fr — connection refused"),
        "{s}"
    );
    assert!(
        s.contains("✗ connect to mx1.wanadoo.fr[198.51.100.26]:25: Connection refused"),
        "{s}"
    );
    assert!(s.contains("smtp.free.fr relays to mx2.wanadoo.fr"), "{s}");
}

/// Lesson 14 in the real binary, in tmux, at 80×24, typed as a student
/// would: every step passes after its own lines, the 450 shows, the queue
/// shows, and the lesson ends.
#[test]
fn the_greylisting_lesson_end_to_end_in_tmux_at_80x24() {
    let t = Tmux::start(
        "grey",
        80,
        24,
        &format!("env LANG=fr_FR.UTF-8 LC_ALL= {} lesson 14", bin()),
    );
    let wait_for = |want: &str| t.wait_for(want);
    let lesson = shipped()
        .into_iter()
        .find(|l| l.id == "14-liste-grise")
        .unwrap();
    let total = lesson.steps.len();
    // The lesson opens on its introduction; the first step shows once the
    // student acts.
    wait_for("Introduction");
    for (i, step) in lesson.steps.iter().enumerate() {
        for line in &step.expect {
            t.type_text(line);
            t.key("Enter");
        }
        let s = if i + 1 < total {
            wait_for(&format!("Étape {}/{total}", i + 2))
        } else {
            wait_for("Leçon terminée")
        };
        // A step may pass on a key typed before its last Enter (its state
        // already holds): what the command shows is waited for, not assumed.
        let s = match i {
            1 => wait_for("450 4.7.1 <marc@wanadoo.fr>"),
            4 => wait_for("-Queue ID-"),
            5 => wait_for("Mail queue is empty"),
            _ => s,
        };
        // 80 columns: nothing is drawn past the edge.
        assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
    }
    let s = t.capture();
    assert!(s.contains("7/7"), "{s}");
    // The session is not saved: the first Ctrl-C asks, the second quits.
    t.key("C-c");
    wait_for("Ctrl-C encore une fois");
    t.key("C-c");
    assert!(t.ended(), "Ctrl-C did not quit:\n{}", t.capture());
}

#[test]
fn a_lesson_world_replaces_the_one_the_mta_was_made_with() {
    // tests and tools that open a lesson on the built-in world still get
    // the lesson's own world (greylisting here).
    let lesson = shipped()
        .into_iter()
        .find(|l| l.id.starts_with("14"))
        .unwrap();
    let mut mta = Mta::new(World::default(), Store::in_memory(), 7);
    mta.set_now(NOW);
    let m = open_lesson(Lang::En, mta, lesson).unwrap();
    assert!(
        m.live
            .link
            .mta
            .world
            .domain("wanadoo.fr")
            .unwrap()
            .greylisting
            .is_some()
    );
}
