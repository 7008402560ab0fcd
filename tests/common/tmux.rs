//! The real binary in tmux, driven as a person would: keys typed, the
//! screen read back, waiting (bounded) for what should show.

#![allow(dead_code)]
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux session running facteur, on a tmux server of its own (its own
/// socket: tests run in parallel, and on one shared server a session that
/// ends as another starts can take the server down under it — "server
/// exited unexpectedly"); the server is killed when dropped.
pub struct Tmux {
    pub name: String,
    socket: String,
}

/// The binary to drive: the release one CI builds (FACTEUR_E2E_BIN), or
/// this build's.
pub fn bin() -> String {
    match std::env::var("FACTEUR_E2E_BIN") {
        Ok(b) => {
            assert!(
                std::path::Path::new(&b).exists(),
                "FACTEUR_E2E_BIN={b} does not exist"
            );
            b
        }
        Err(_) => {
            eprintln!(
                "FACTEUR_E2E_BIN is not set: the debug binary is driven instead of the release one"
            );
            env!("CARGO_BIN_EXE_facteur").to_string()
        }
    }
}

fn tmux(socket: &str, args: &[&str]) -> Output {
    Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .output()
        .unwrap()
}

impl Tmux {
    /// Start `command` in a `w`×`h` terminal (tmux must be installed: the
    /// test fails with a clear message otherwise).
    pub fn start(tag: &str, w: u16, h: u16, command: &str) -> Tmux {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "tmux is needed for this test (.ci/run installs it)");
        let name = format!("facteur-{tag}-{}", std::process::id());
        let socket = name.clone();
        let (w, h) = (w.to_string(), h.to_string());
        let out = tmux(
            &socket,
            &[
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &w,
                "-y",
                &h,
                command,
            ],
        );
        assert!(out.status.success(), "{out:?}");
        Tmux { name, socket }
    }

    pub fn capture(&self) -> String {
        String::from_utf8_lossy(
            &tmux(&self.socket, &["capture-pane", "-p", "-t", &self.name]).stdout,
        )
        .to_string()
    }

    /// The screen once `want` shows on it (10 s at most, else the test fails
    /// with the screen).
    pub fn wait_for(&self, want: &str) -> String {
        self.wait_until(want, |s| s.contains(want))
    }

    /// The screen once `ok` holds (10 s at most).
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let s = self.capture();
            if ok(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("{what:?} never showed:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A key by its tmux name (Enter, Escape, C-c, Left …).
    pub fn key(&self, key: &str) {
        tmux(&self.socket, &["send-keys", "-t", &self.name, key]);
    }

    /// Text typed as is.
    pub fn type_text(&self, text: &str) {
        tmux(&self.socket, &["send-keys", "-t", &self.name, "-l", text]);
    }

    /// A line typed, then Enter.
    pub fn line(&self, text: &str) {
        self.type_text(text);
        self.key("Enter");
    }

    /// A line typed, Enter, and the TUI seen to take it: the text shows in
    /// its input line, then the input line is empty again (what a person
    /// waits for before typing the next).
    pub fn line_taken(&self, text: &str) {
        fn input(s: &str) -> Option<String> {
            s.lines().find_map(|l| {
                let inner = l.trim_start_matches('│').trim_end_matches('│');
                inner.strip_prefix('›').map(|rest| rest.trim().to_string())
            })
        }
        self.type_text(text);
        let tail: String = {
            let chars: Vec<char> = text.chars().collect();
            chars[chars.len().saturating_sub(12)..].iter().collect()
        };
        self.wait_until(&format!("{text:?} typed"), |s| {
            input(s).is_some_and(|i| i.ends_with(tail.trim()))
        });
        self.key("Enter");
        self.wait_until(&format!("{text:?} taken"), |s| {
            input(s).is_some_and(|i| i.is_empty())
        });
    }

    /// The process running in the pane.
    pub fn pane_pid(&self) -> u32 {
        let out = tmux(
            &self.socket,
            &["display", "-p", "-t", &self.name, "#{pane_pid}"],
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// Whether the program ended within 5 s.
    pub fn ended(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if !tmux(&self.socket, &["has-session", "-t", &self.name])
                .status
                .success()
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        tmux(&self.socket, &["kill-server"]);
    }
}
