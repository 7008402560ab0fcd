//! Every reply and report the simulator gives when mail does not arrive is
//! explained by `facteur explain` (and `facteur headers` for the reports),
//! in French and in English, with what the sending server will do next —
//! try again or give the message back — and with its RFC. The lines are
//! taken from the simulator itself, not written here.

mod common;

use common::*;
use facteur::sim::mta::Mta;
use facteur::sim::smtp_server::SessionInfo;
use facteur::sim::store::Store;
use facteur::sim::world::World;
use serde_json::json;

fn world(change: impl FnOnce(&mut serde_json::Value)) -> Mta {
    let mut v = serde_json::to_value(World::default()).unwrap();
    change(&mut v);
    let mut m = Mta::new(
        World::from_json(&v.to_string()).unwrap(),
        Store::in_memory(),
        3,
    );
    m.set_now(NOW);
    m
}

/// The reply to RCPT TO:<to> on `host`, from a stranger's session.
fn rcpt_reply(mta: &mut Mta, host: &str, to: &str) -> String {
    let (mut s, _) = Smtp::new(host, fred_info());
    s.cmd(mta, "EHLO pc.example", "250");
    s.cmd(mta, "MAIL FROM:<fred@free.fr>", "250");
    let r = s.raw(mta, format!("RCPT TO:<{to}>\r\n").as_bytes());
    r.trim_end().to_string()
}

fn fred_sends(mta: &mut Mta, to: &str) {
    let info = SessionInfo {
        trusted: true,
        ..fred_info()
    };
    let (mut s, _) = Smtp::new("smtp.free.fr", info);
    s.cmd(mta, "EHLO pc", "250");
    s.cmd(mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(mta, &format!("RCPT TO:<{to}>"), "250");
    s.cmd(mta, "DATA", "354");
    s.raw(mta, b"Subject: t\r\n\r\nhi\r\n.\r\n");
}

/// `facteur --lang LANG explain LINE`.
fn explain(lang: &str, line: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["--lang", lang, "explain", line])
        .output()
        .unwrap();
    assert!(out.status.success(), "{line}");
    String::from_utf8(out.stdout).unwrap()
}

/// A line explained in both languages: what the sender's MTA does next is
/// said (`next`: French and English words), an RFC is cited, nothing is
/// left unknown.
fn explained(line: &str, next_fr: &str, next_en: &str) {
    for (lang, next) in [("fr", next_fr), ("en", next_en)] {
        let text = explain(lang, line);
        assert!(text.contains(next), "{lang}: {line}\n{text}");
        assert!(text.contains("[RFC "), "{lang}: {line}\n{text}");
        assert!(!text.contains('⟦'), "{lang}: {line}\n{text}");
        assert!(
            !text.to_lowercase().contains("unknown command"),
            "{line}\n{text}"
        );
    }
    // The French screen says it in French.
    let fr = explain("fr", line);
    assert!(!fr.contains(" the sending server "), "{fr}");
}

#[test]
fn the_simulator_s_temporary_and_permanent_refusals_are_explained() {
    let mut mta = world(|w| {
        w["domains"][1]["greylisting"] = json!({"delay": "5m"});
    });
    let grey = rcpt_reply(&mut mta, "smtp.wanadoo.fr", "marc@wanadoo.fr");
    assert!(grey.starts_with("450 4.7.1"), "{grey}");
    explained(&grey, "réessaie", "retries");

    let mut mta = world(|w| {
        w["domains"][1]["quota_tempfail"] = json!(true);
        w["domains"][1]["users"][0]["quota"] = json!(10);
        w["domains"][2]["users"][0]["quota"] = json!(10);
    });
    mta.store
        .deliver("marc@wanadoo.fr", vec![b'x'; 20], NOW)
        .unwrap();
    mta.store
        .deliver("skyrunner63@hotmail.com", vec![b'x'; 20], NOW)
        .unwrap();
    let full_later = rcpt_reply(&mut mta, "smtp.wanadoo.fr", "marc@wanadoo.fr");
    assert!(full_later.starts_with("452 4.2.2"), "{full_later}");
    explained(&full_later, "réessaie plus tard", "retries later");
    let full = rcpt_reply(&mut mta, "mx1.hotmail.com", "skyrunner63@hotmail.com");
    assert!(full.starts_with("552 5.2.2"), "{full}");
    explained(&full, "revient à l'expéditeur", "goes back to the sender");

    let mut mta = world(|w| {
        w["dns"] = json!({"site-vitrine.fr": {"mx": ["."]}});
    });
    let null = {
        let info = SessionInfo {
            trusted: true,
            ..fred_info()
        };
        let (mut s, _) = Smtp::new("smtp.free.fr", info);
        s.cmd(&mut mta, "EHLO pc", "250");
        s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
        s.raw(&mut mta, b"RCPT TO:<a@site-vitrine.fr>\r\n")
            .trim_end()
            .to_string()
    };
    assert!(null.starts_with("556 5.1.10"), "{null}");
    explained(&null, "Inutile de réessayer", "No point retrying");

    let mta = world(|w| {
        w["faults"] = json!({"smtp.wanadoo.fr": {"kind": "421"}});
    });
    let greeting = {
        let mut cfg = facteur::sim::smtp_server::SmtpConfig::new("smtp.wanadoo.fr");
        cfg.trouble = mta.trouble("smtp.wanadoo.fr");
        let session = facteur::sim::smtp_server::SmtpSession::new(cfg, fred_info());
        match session.greeting() {
            facteur::sim::Output::Send(b) => String::from_utf8(b).unwrap(),
            other => panic!("{other:?}"),
        }
    };
    assert!(greeting.starts_with("421 4.3.2"), "{greeting}");
    explained(greeting.trim_end(), "file d'attente", "queue");
}

#[test]
fn the_queue_s_reasons_and_the_reports_are_explained() {
    // Each way a host can fail: the reason mailq shows, explained.
    for (fault, next_fr, next_en) in [
        (json!({"kind": "refused"}), "MX suivant", "next MX"),
        (
            json!({"kind": "timeout"}),
            "réessaie plus tard",
            "tries again later",
        ),
        (json!({"kind": "drop"}), "deux fois", "twice"),
        (json!({"kind": "421"}), "file d'attente", "queue"),
    ] {
        let mut mta = world(|w| {
            w["faults"] = json!({ "smtp.wanadoo.fr": fault });
            w["queue"] = json!({"maximal_queue_lifetime": "5h", "delay_warning_time": "1h"});
        });
        fred_sends(&mut mta, "marc@wanadoo.fr");
        let q = mta.mailq();
        let reason = q.iter().find(|l| l.starts_with('(')).unwrap().clone();
        explained(&reason, next_fr, next_en);
        // The warning, then the bounce: `facteur headers` explains both.
        mta.advance(6 * 3600);
        let reports: Vec<String> = mta
            .store
            .messages("fred@free.fr")
            .iter()
            .map(|m| String::from_utf8_lossy(&m.data.bytes()).to_string())
            .collect();
        assert_eq!(reports.len(), 2);
        for (report, action) in reports.iter().zip(["delayed", "failed"]) {
            assert!(report.contains(&format!("Action: {action}")), "{report}");
            let path = std::env::temp_dir().join(format!(
                "facteur-report-{}-{action}.eml",
                std::process::id()
            ));
            std::fs::write(&path, report).unwrap();
            for lang in ["fr", "en"] {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_facteur"))
                    .args(["--lang", lang, "headers"])
                    .arg(&path)
                    .output()
                    .unwrap();
                let text = String::from_utf8(out.stdout).unwrap();
                assert!(text.contains(&format!("Action: {action}")), "{text}");
                assert!(text.contains("[RFC 3464 §2.3.3]"), "{text}");
                // The Diagnostic-Code is read, whatever its type.
                let next = if lang == "fr" { next_fr } else { next_en };
                assert!(text.contains(next), "{lang} {action}:\n{text}");
            }
            let _ = std::fs::remove_file(&path);
        }
    }
}
