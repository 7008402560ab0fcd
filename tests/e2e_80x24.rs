//! The student's path at 80×24 in French (issue 14), the release binary in
//! tmux, typed into as a person would: lesson 07 completed from what its
//! introduction shows; lesson 09 with the Received hops brought into view
//! from the keyboard; `facteur connect` to a POP3 port without --proto.

mod common;

use std::process::Command;
use std::time::Duration;

struct Tmux {
    name: String,
}

impl Tmux {
    fn start(tag: &str, command: &str) -> Tmux {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "tmux is needed for this test (.ci/run installs it)");
        let name = format!("facteur-80x24-{tag}-{}", std::process::id());
        let started = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "80",
                "-y",
                "24",
                command,
            ])
            .status()
            .unwrap();
        assert!(started.success());
        Tmux { name }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Poll the screen (bounded) until `want` shows.
    fn wait_for(&self, want: &str) -> String {
        let mut s = String::new();
        for _ in 0..200 {
            s = self.screen();
            if s.contains(want) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("{want:?} never showed:\n{s}");
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let _ = Command::new("tmux")
                .args(["send-keys", "-t", &self.name, k])
                .status();
        }
    }

    fn line(&self, text: &str) {
        let _ = Command::new("tmux")
            .args(["send-keys", "-t", &self.name, "-l", text])
            .status();
        self.keys(&["Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

fn binary() -> String {
    match std::env::var("FACTEUR_E2E_BIN") {
        Ok(b) => {
            assert!(
                std::path::Path::new(&b).exists(),
                "FACTEUR_E2E_BIN={b} does not exist"
            );
            b
        }
        Err(_) => env!("CARGO_BIN_EXE_facteur").to_string(),
    }
}

#[test]
fn lesson_07_from_its_introduction_alone() {
    let t = Tmux::start("l07", &format!("{} --lang fr lesson 7", binary()));
    // The introduction shows the account: nothing else is needed.
    let s = t.wait_for("marc / marcpass");
    assert!(s.contains("Introduction") && s.contains("Étape 1/"), "{s}");
    for l in ["USER marc", "PASS marcpass"] {
        t.line(l);
    }
    t.wait_for("TRANSACTION");
    for l in ["STAT", "LIST", "RETR 1", "QUIT"] {
        t.line(l);
        std::thread::sleep(Duration::from_millis(30));
    }
    let s = t.wait_for("Leçon terminée");
    assert!(!s.contains("⟦"), "{s}");
}

#[test]
fn lesson_09_hops_brought_into_view_from_the_keyboard() {
    let t = Tmux::start("l09", &format!("{} --lang fr lesson 09", binary()));
    t.wait_for("220 smtp.free.fr");
    for l in [
        "EHLO pc-fred.free.fr",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "Subject: itinéraire",
        "",
        "Bonjour",
        ".",
        "QUIT",
        "/open pop.wanadoo.fr",
        "USER marc",
        "PASS marcpass",
    ] {
        t.line(l);
        std::thread::sleep(Duration::from_millis(30));
    }
    t.wait_for("TRANSACTION");
    t.line("RETR 1");
    t.wait_for("S: .");
    // F9 pages the explanation until the first hop shows.
    for _ in 0..20 {
        if t.screen().contains("Saut 1") {
            break;
        }
        t.keys(&["F9"]);
        std::thread::sleep(Duration::from_millis(50));
    }
    let s = t.wait_for("Saut 1");
    assert!(s.contains("Explication"), "{s}");
}

#[test]
fn connect_reads_the_protocol_from_the_greeting() {
    let server = common::tcp::Server::start(&[]);
    let t = Tmux::start(
        "connect",
        &format!("{} --lang fr connect 127.0.0.1:{}", binary(), server.pop3),
    );
    let s = t.wait_for("+OK");
    let s = if s.contains("AUTHORIZATION") {
        s
    } else {
        t.wait_for("AUTHORIZATION")
    };
    assert!(s.contains("POP3"), "{s}");
    t.line("USER marc");
    t.wait_for("send PASS");
}
