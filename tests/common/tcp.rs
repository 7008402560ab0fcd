//! For the tests that run `facteur serve` over real TCP: the server
//! on free ports (killed when dropped) and a raw line client.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `facteur serve` on free ports, killed when dropped.
pub struct Server {
    pub child: Child,
    pub smtp: u16,
    pub pop3: u16,
    pub ports: std::collections::HashMap<String, u16>,
    /// The server's log lines so far (one per session as it ends, one per
    /// queue event).
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// With `--console`: the teacher's console (stdin, and stdout by line).
    console: Option<(std::process::ChildStdin, std::sync::mpsc::Receiver<String>)>,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        Server::spawn(extra, false)
    }

    /// `facteur serve --console`: the test moves the world's clock itself.
    pub fn start_console(extra: &[&str]) -> Server {
        let mut args = extra.to_vec();
        args.push("--console");
        let mut s = Server::spawn(&args, true);
        // The console greets with its help line.
        s.console_read("mailq");
        s
    }

    fn spawn(extra: &[&str], console: bool) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0"])
            .args(extra)
            .env("LANG", "C")
            .env("LC_ALL", "C")
            .stdin(if console {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::piped())
            .stdout(if console {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let mut ports = std::collections::HashMap::new();
        // What the server said before it was ready, kept in its log.
        let mut early = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            early.push(line.clone());
            if line.contains(" listening on ") {
                let port = line.rsplit(':').next().unwrap().parse::<u16>().unwrap();
                let kind = line.split(" listening").next().unwrap().to_string();
                ports.entry(kind).or_insert(port);
            } else if line.contains("ready") {
                break;
            }
        }
        let (smtp, pop3) = (ports["SMTP facteur.lab"], ports["POP3 facteur.lab"]);
        // Keep draining the log so the server never blocks on a full pipe,
        // and keep it for the tests that wait for a session's end.
        let log = std::sync::Arc::new(std::sync::Mutex::new(early));
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut v = kept.lock().unwrap();
                if v.len() < 100_000 {
                    v.push(line);
                }
            }
        });
        let console = match (child.stdin.take(), child.stdout.take()) {
            (Some(stdin), Some(stdout)) => {
                let (tx, rx) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                        let _ = tx.send(l);
                    }
                });
                Some((stdin, rx))
            }
            _ => None,
        };
        Server {
            child,
            smtp,
            pop3,
            ports,
            log,
            console,
        }
    }

    /// Type a line at the console; its answer, read up to a line that
    /// contains `until` (10 s at most).
    pub fn console(&mut self, line: &str, until: &str) -> String {
        let (stdin, _) = self.console.as_mut().expect("started with --console");
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
        self.console_read(until)
    }

    fn console_read(&mut self, until: &str) -> String {
        let (_, out) = self.console.as_ref().expect("started with --console");
        let mut all = String::new();
        loop {
            let l = out
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("the console never said {until:?}; it said:\n{all}"));
            all.push_str(&l);
            all.push('\n');
            if l.contains(until) {
                return all;
            }
        }
    }

    /// How many log lines contain `needle`.
    pub fn logged(&self, needle: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Wait (10 s at most) until `n` log lines contain `needle`: a session
    /// the server has finished with, instead of a sleep.
    pub fn wait_logged(&self, needle: &str, n: usize) {
        eventually(Duration::from_secs(10), needle, || self.logged(needle) >= n);
    }

    /// Wait until a log line contains `until`; the log so far.
    pub fn log_until(&self, until: &str) -> Vec<String> {
        self.wait_logged(until, 1);
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw line-oriented client.
pub struct Raw {
    pub stream: TcpStream,
    pub reader: BufReader<TcpStream>,
}

impl Raw {
    pub fn connect(port: u16) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        let mut r = Raw { stream, reader };
        r.line();
        r
    }

    pub fn line(&mut self) -> String {
        let mut s = String::new();
        self.reader.read_line(&mut s).unwrap();
        s
    }

    /// Read one whole SMTP reply (through the line with a space after the code).
    pub fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let l = self.line();
            all.push_str(&l);
            if l.len() < 4 || l.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// One transaction on an open session: MAIL, RCPT, DATA, the message
    /// (CRLF lines, without the final "."), then "."; the final reply must
    /// start with `expect`.
    pub fn mail(&mut self, from: &str, to: &str, message: &str, expect: &str) -> String {
        self.cmd(&format!("MAIL FROM:<{from}>"), "250");
        self.cmd(&format!("RCPT TO:<{to}>"), "250");
        self.cmd("DATA", "354");
        self.cmd(&format!("{message}\r\n."), expect)
    }

    /// A POP3 session logged in as `user`; PASS's reply must start with `expect`.
    pub fn pop3(port: u16, user: &str, password: &str, expect: &str) -> Raw {
        let mut p = Raw::connect(port);
        p.cmd(&format!("USER {user}"), "+OK");
        p.cmd(&format!("PASS {password}"), expect);
        p
    }

    pub fn cmd(&mut self, line: &str, expect: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        let r = self.reply();
        assert!(r.starts_with(expect), "C: {line}\nS: {r}");
        r
    }
}

/// A client program's output, which must have succeeded (else its stderr is shown).
pub fn succeeded(out: std::process::Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The resident memory of a process, from /proc (Linux). Fails the test
/// when it cannot be measured: a memory check that reads 0 would pass
/// whatever the server did.
pub fn rss_kb(pid: u32) -> u64 {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot measure memory: {path}: {e}"));
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("cannot measure memory: no VmRSS in {path}"))
}

/// Wait until `cond` holds, checking every 20 ms, for at most `within`;
/// panics with `what` if it never does.
pub fn eventually(within: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn need(tool: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "{tool} is needed for this test (.ci/run installs it)");
}

/// Send `signal` (`INT`, `TERM` …) to process `pid`, as `kill` does.
pub fn signal(pid: u32, signal: &str) {
    let ok = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -{signal} {pid} failed");
}
