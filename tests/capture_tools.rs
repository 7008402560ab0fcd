//! The Wireshark bridge checked with the real tools: a session of swaks
//! and curl against `facteur serve`, captured by tcpdump on the loopback
//! interface, read back and explained; transcripts exported as pcapng and
//! dissected by tshark as SMTP, POP3 and IMF, with facteur's comment on
//! the packets. A missing tool fails the test with what to install, unless
//! FACTEUR_SKIP_CAPTURE_TOOLS is set (CI never sets it).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::tcp::Server;
use facteur::explain::Lang;
use facteur::session::capture::{Options, open};
use facteur::session::explained::explain_transcript;
use facteur::session::transcript::{Dir, Transcript};

/// Whether the tools are here; a missing one fails the test unless skipping is asked for.
fn tools(names: &[(&str, &str)]) -> bool {
    for (tool, package) in names {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            if std::env::var_os("FACTEUR_SKIP_CAPTURE_TOOLS").is_some() {
                eprintln!("skipped: {tool} is missing (FACTEUR_SKIP_CAPTURE_TOOLS is set)");
                return false;
            }
            panic!(
                "{tool} is missing: install it (apt-get install {package}; .ci/run does), \
                 or set FACTEUR_SKIP_CAPTURE_TOOLS=1 to skip this test"
            );
        }
    }
    true
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("facteur-tools-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn facteur(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(args)
        .output()
        .unwrap()
}

/// tcpdump on `lo`, ready once it says "listening on" (polled, with a deadline).
struct Tcpdump(std::process::Child);

impl Tcpdump {
    fn start(file: &Path, filter: &str) -> Tcpdump {
        let mut child = Command::new("tcpdump")
            .args(["-i", "lo", "--immediate-mode", "-U", "-s", "0", "-w"])
            .arg(file)
            .arg(filter)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains("listening on") => break,
                Ok(_) => {}
                Err(e) => panic!("tcpdump did not say \"listening on\": {e:?}"),
            }
        }
        Tcpdump(child)
    }

    /// SIGINT: tcpdump finishes the file and exits.
    fn stop(mut self) {
        let pid = self.0.id().to_string();
        Command::new("kill").args(["-INT", &pid]).status().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Tcpdump {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Poll `cond` until it holds, with a deadline.
fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::yield_now();
    }
}

/// Every client line and every reply (SMTP's last line of a reply, POP3's
/// status line) has its explanation.
fn all_explained(t: &Transcript) {
    for e in explain_transcript(Lang::En, t) {
        let status = e.raw.starts_with(b"+OK")
            || e.raw.starts_with(b"-ERR")
            || (e.raw.len() >= 3
                && e.raw[..3].iter().all(u8::is_ascii_digit)
                && e.raw.get(3) != Some(&b'-'));
        if e.dir == Dir::Client || (e.dir == Dir::Server && status) {
            assert!(
                !e.notes.is_empty(),
                "no explanation for {:?} {}",
                e.dir,
                e.text
            );
        }
    }
}

#[test]
fn a_real_session_captured_on_loopback_is_explained_and_goes_back_to_wireshark() {
    if !tools(&[
        ("tcpdump", "tcpdump"),
        ("swaks", "swaks"),
        ("curl", "curl"),
        ("tshark", "tshark"),
    ]) {
        return;
    }
    let server = Server::start(&[]);
    let d = dir();
    let cap = d.join("cap.pcap");
    let filter = format!("tcp port {} or tcp port {}", server.smtp, server.pop3);
    let dump = Tcpdump::start(&cap, &filter);
    let swaks = Command::new("swaks")
        .args(["--server", &format!("127.0.0.1:{}", server.smtp)])
        .args(["--from", "fred@free.fr", "--to", "marc@wanadoo.fr"])
        .args(["-a", "PLAIN", "-au", "fred", "-ap", "fredpass"])
        .output()
        .unwrap();
    assert!(
        swaks.status.success(),
        "{}",
        String::from_utf8_lossy(&swaks.stdout)
    );
    let curl = Command::new("curl")
        .args(["-sS", &format!("pop3://127.0.0.1:{}/1", server.pop3)])
        .args(["-u", "marc:marcpass"])
        .output()
        .unwrap();
    assert!(curl.status.success());
    // Both connections closed on both sides, in the file.
    let closed = |n: usize| {
        let opts = Options {
            stream: Some(n),
            ..Options::default()
        };
        open(&cap, &opts).is_ok_and(|o| {
            o.converted.transcript.events[0]
                .tcp
                .as_ref()
                .is_some_and(|t| t.ends.len() == 2)
        })
    };
    until("both sessions to close in the capture", || {
        closed(1) && closed(2)
    });
    dump.stop();

    // The sessions are found by their greeting (random ports), in order.
    let list = facteur(&["--lang", "en", "replay", cap.to_str().unwrap(), "--list"]);
    let list = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(list.contains("2 mail sessions"), "{list}");
    let smtp = open(&cap, &Options::default()).unwrap();
    let t = &smtp.converted.transcript;
    assert_eq!(t.protocol, "smtp");
    assert_eq!(t.port, server.smtp);
    all_explained(t);
    let tcp = t.events[0].tcp.as_ref().unwrap();
    assert!(
        tcp.syn_us.is_some() && tcp.ack_us.is_some(),
        "handshake captured"
    );
    // The report: every command and reply, AUTH decoded, the TCP layer.
    let md = facteur(&[
        "--lang",
        "en",
        "export",
        cap.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    let md = String::from_utf8_lossy(&md.stdout).to_string();
    for line in [
        "EHLO",
        "AUTH PLAIN",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "QUIT",
        "235 2.7.0",
        "354 ",
        "221 ",
        "AUTH PLAIN decoded",
        "\"fredpass\"",
        "three-way handshake",
        "ephemeral port",
        "Orderly close",
    ] {
        assert!(md.contains(line), "{line} not in the report:\n{md}");
    }
    let pop = open(
        &cap,
        &Options {
            stream: Some(2),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(pop.converted.transcript.protocol, "pop3");
    all_explained(&pop.converted.transcript);
    let lines: Vec<String> = pop
        .converted
        .transcript
        .events
        .iter()
        .filter_map(|e| e.line.clone())
        .collect();
    // curl logs in with the best mechanism offered (CRAM-MD5 here).
    for want in ["CAPA", "AUTH CRAM-MD5", "RETR 1", "QUIT"] {
        assert!(lines.iter().any(|l| l == want), "{want} in {lines:?}");
    }

    // And back to Wireshark: the captured session exported as pcapng.
    let out = d.join("back.pcapng");
    let o = facteur(&[
        "export",
        cap.to_str().unwrap(),
        "--format",
        "pcapng",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let commands = tshark(
        &out,
        &["-d", &format!("tcp.port=={},smtp", server.smtp)],
        "smtp",
        "smtp.req.command",
    );
    assert_eq!(
        commands,
        client_commands(t),
        "tshark dissects every command"
    );
}

/// What tshark finds in `field` of the packets that match `filter`.
fn tshark(file: &Path, extra: &[&str], filter: &str, field: &str) -> Vec<String> {
    let o = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(extra)
        .args(["-Y", filter, "-T", "fields", "-e", field])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The command verbs of a transcript's client lines, outside DATA and
/// outside TLS, in order (what Wireshark calls requests).
fn client_commands(t: &Transcript) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_data = false;
    let mut waiting_354 = false;
    for e in &t.events {
        let line = e.line.clone().unwrap_or_default();
        match e.dir {
            Dir::Client if in_data => in_data = line != ".",
            Dir::Client if !e.tls => {
                let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                waiting_354 = verb == "DATA";
                out.push(verb);
            }
            Dir::Server if waiting_354 => {
                in_data = line.starts_with("354");
                waiting_354 = false;
            }
            _ => {}
        }
    }
    out
}

#[test]
fn exported_transcripts_are_dissected_by_tshark_with_comments_on_the_packets() {
    if !tools(&[("tshark", "tshark")]) {
        return;
    }
    let d = dir();
    let route = Path::new(env!("CARGO_MANIFEST_DIR")).join("transcripts/route-fred-to-marc.json");
    let out = d.join("route.pcapng");
    let o = facteur(&[
        "--lang",
        "fr",
        "export",
        route.to_str().unwrap(),
        "--format",
        "pcapng",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = Transcript::from_json(&std::fs::read_to_string(&route).unwrap()).unwrap();
    let split = t.events.iter().position(|e| e.open.is_some()).unwrap();
    let smtp = Transcript {
        events: t.events[..split].to_vec(),
        ..t.clone()
    };
    let pop = Transcript {
        events: t.events[split + 1..].to_vec(),
        ..t.clone()
    };
    assert_eq!(
        tshark(&out, &[], "smtp.req", "smtp.req.command"),
        client_commands(&smtp)
    );
    let pop_commands: Vec<String> = client_commands(&pop);
    assert_eq!(
        tshark(&out, &[], "pop.request", "pop.request.command"),
        pop_commands
    );
    assert!(
        !tshark(&out, &[], "imf", "imf.subject").is_empty(),
        "the message dissected as IMF"
    );
    // Checksums right, and facteur's explanation on the packets (in French here).
    let bad = tshark(
        &out,
        &[
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
        ],
        "tcp.checksum.status == 0 || ip.checksum.status == 0 || tcp.analysis.flags",
        "frame.number",
    );
    assert!(bad.is_empty(), "packets Wireshark flags: {bad:?}");
    let comments = tshark(&out, &[], "smtp.req", "frame.comment");
    assert_eq!(comments.len(), client_commands(&smtp).len());
    assert!(
        comments.iter().any(|c| c.contains("MAIL — ")),
        "{comments:?}"
    );
    assert!(comments.iter().all(|c| !c.is_empty()));
    let handshake = tshark(&out, &[], "tcp.flags.syn == 1", "frame.comment");
    assert!(
        handshake[0].contains("Poignée de main TCP"),
        "{handshake:?}"
    );

    // STARTTLS: the part inside TLS in a second TCP stream that says so.
    let st = Path::new(env!("CARGO_MANIFEST_DIR")).join("transcripts/starttls-facteur-serve.json");
    let out = d.join("starttls.pcapng");
    let o = facteur(&[
        "--lang",
        "en",
        "export",
        st.to_str().unwrap(),
        "--format",
        "pcapng",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let streams = tshark(
        &out,
        &["-d", "tcp.port==2525,smtp"],
        "smtp.req",
        "tcp.stream",
    );
    assert!(streams.contains(&"0".to_string()) && streams.contains(&"1".to_string()));
    let twin = tshark(
        &out,
        &[],
        "tcp.stream == 1 && tcp.flags.syn == 1 && tcp.flags.ack == 0",
        "frame.comment",
    );
    assert!(twin[0].contains("written here in clear"), "{twin:?}");
}
