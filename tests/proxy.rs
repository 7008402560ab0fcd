//! `facteur proxy` over real TCP: bytes forwarded unchanged, real clients
//! (Python smtplib/poplib, swaks, curl) through it to `facteur serve`,
//! STARTTLS/STLS intercepted, transcripts recorded and exported, and what
//! the client is told when the upstream fails.
//!
//! The external tools are needed: a missing one fails its test, unless
//! FACTEUR_SKIP_SWAKS, FACTEUR_SKIP_CURL or FACTEUR_SKIP_PYTHON3 is set.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::tcp::{Raw, Server, eventually};

/// A running `facteur proxy`, killed when dropped.
struct Proxy {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start(to: &str, extra: &[&str]) -> Proxy {
        let mut child = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["proxy", "--listen", "127.0.0.1:0", "--to", to])
            .args(extra)
            .env("LANG", "C")
            .env("LC_ALL", "C")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut port = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("PROXY listening on ") {
                let addr = rest.split(',').next().unwrap();
                port = Some(addr.rsplit(':').next().unwrap().parse::<u16>().unwrap());
            } else if line.contains("facteur proxy: ready") {
                break;
            }
        }
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Proxy {
            child,
            port: port.expect("the proxy said where it listens"),
            log,
        }
    }

    /// Wait (10 s at most) for a log line containing `needle`; return it.
    fn wait_logged(&self, needle: &str) -> String {
        let mut found = String::new();
        eventually(Duration::from_secs(10), needle, || {
            match self.log.lock().unwrap().iter().find(|l| l.contains(needle)) {
                Some(l) => {
                    found = l.clone();
                    true
                }
                None => false,
            }
        });
        found
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tool must be there, unless FACTEUR_SKIP_<TOOL> is set (then the
/// test is skipped, and says so).
fn tool(name: &str) -> bool {
    let ok = Command::new(name)
        .arg(if name == "swaks" { "--version" } else { "-V" })
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    let var = format!("FACTEUR_SKIP_{}", name.to_ascii_uppercase());
    assert!(
        std::env::var_os(&var).is_some(),
        "{name} is needed for this test (apt-get install {name}); {var}=1 skips it"
    );
    eprintln!("SKIPPED: {name} is missing and {var} is set");
    false
}

fn out_ok(out: std::process::Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

#[test]
fn bytes_are_forwarded_unchanged_both_ways() {
    // A raw upstream: a greeting with odd bytes, then it waits for the
    // client's whole script and answers with another one.
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let up_port = upstream.local_addr().unwrap().port();
    let greeting: &[u8] = b"220 raw \xff\x00 ESMTP\r\n";
    let mut answer: Vec<u8> = b"250-first\r\n250 bare LF\nodd\rline \x1b[31m\r\n".to_vec();
    answer.extend((0..=255u8).cycle().take(40_000));
    answer.extend_from_slice(b"\r\n221 bye\r\n");
    let mut script: Vec<u8> = b"EHLO x\r\nNOOP \xe9\xff\x00\rbare CR\nbare LF\r\n".to_vec();
    script.extend((0..=255u8).rev().cycle().take(70_000));
    script.extend_from_slice(b"\r\nQUIT\r\n");
    let (expect_len, answer2, greeting2) = (script.len(), answer.clone(), greeting.to_vec());
    let seen = std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(&greeting2).unwrap();
        let mut got = vec![0u8; expect_len];
        s.read_exact(&mut got).unwrap();
        s.write_all(&answer2).unwrap();
        got
    });
    let proxy = Proxy::start(&format!("127.0.0.1:{up_port}"), &[]);
    let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let writer = {
        let mut c = c.try_clone().unwrap();
        let script = script.clone();
        std::thread::spawn(move || c.write_all(&script).unwrap())
    };
    let mut received = Vec::new();
    c.read_to_end(&mut received).unwrap();
    writer.join().unwrap();
    assert_eq!(
        seen.join().unwrap(),
        script,
        "the upstream got the client's bytes"
    );
    let mut expected = greeting.to_vec();
    expected.extend_from_slice(&answer);
    assert_eq!(received.len(), expected.len());
    assert!(received == expected, "the client got the upstream's bytes");
    let line = proxy.wait_logged("closed after QUIT");
    assert!(line.contains(" SMTP "), "{line}");
}

#[test]
fn python_smtplib_and_poplib_through_the_proxy() {
    if !tool("python3") {
        return;
    }
    let server = Server::start(&["--auth-delay", "0"]);
    let smtp = Proxy::start(&format!("127.0.0.1:{}", server.smtp), &["--insecure"]);
    let pop = Proxy::start(&format!("127.0.0.1:{}", server.pop3), &["--insecure"]);
    let script = format!(
        r#"
import smtplib, poplib, ssl, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", {smtp}, timeout=10)
s.starttls(context=ctx)
s.login("fred", "fredpass")
s.sendmail("fred@free.fr", ["marc@wanadoo.fr"], "Subject: through the proxy\r\n\r\nhello\r\n")
s.quit()
for _ in range(100):
    p = poplib.POP3("127.0.0.1", {pop}, timeout=10)
    p.stls(context=ctx)
    p.user("marc"); p.pass_("marcpass")
    n = len(p.list()[1])
    found = any(b"through the proxy" in b"\n".join(p.retr(i)[1]) for i in range(1, n + 1))
    p.quit()
    if found:
        print("FOUND"); break
    time.sleep(0.05)
"#,
        smtp = smtp.port,
        pop = pop.port
    );
    let out = out_ok(
        Command::new("python3")
            .args(["-c", &script])
            .output()
            .unwrap(),
    );
    assert!(out.contains("FOUND"), "{out}");
    let line = smtp.wait_logged("account=fred");
    assert!(line.contains("TLS intercepted"), "{line}");
    let line = pop.wait_logged("account=marc");
    assert!(
        line.contains(" POP3 ") && line.contains("TLS intercepted"),
        "{line}"
    );
}

#[test]
fn swaks_starttls_auth_is_recorded_and_exported_decrypted() {
    if !tool("swaks") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("facteur-proxy-rec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server = Server::start(&["--auth-delay", "0"]);
    let cert = dir.with_extension("pem");
    let proxy = Proxy::start(
        &format!("127.0.0.1:{}", server.smtp),
        &[
            "--insecure",
            "--record-dir",
            dir.to_str().unwrap(),
            "--cert-out",
            cert.to_str().unwrap(),
        ],
    );
    assert!(
        std::fs::read_to_string(&cert)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    let out = out_ok(
        Command::new("swaks")
            .args(["--server", &format!("127.0.0.1:{}", proxy.port)])
            .args(["--from", "fred@free.fr", "--to", "marc@wanadoo.fr"])
            .args(["--tls", "--auth", "PLAIN"])
            .args(["--auth-user", "fred", "--auth-password", "fredpass"])
            .output()
            .unwrap(),
    );
    assert!(out.contains("250 2.0.0"), "{out}");
    let line = proxy.wait_logged("[recorded ");
    assert!(line.contains("account=fred"), "{line}");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(
        name.contains("-127.0.0.1-") && name.ends_with("-fred.json"),
        "{name}"
    );
    let md = out_ok(
        Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["--lang", "en", "export", "--format", "md"])
            .arg(file)
            .output()
            .unwrap(),
    );
    // Inside TLS (C~), the AUTH line decoded as in a typed session.
    let auth = md
        .lines()
        .position(|l| l.contains("C~") && l.contains("AUTH PLAIN"))
        .unwrap_or_else(|| panic!("no encrypted AUTH line:\n{md}"));
    let after: String = md
        .lines()
        .skip(auth)
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        after.contains("fred") && after.contains("fredpass"),
        "{after}"
    );
    assert!(md.contains("Session intercepted by facteur proxy"), "{md}");
    assert!(md.contains("S~") && md.contains("250 2.0.0"), "{md}");
    // replay reads it too (the same transcript format).
    let replay = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["export", "--format", "html"])
        .arg(file)
        .output()
        .unwrap();
    assert!(replay.status.success());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&cert);
}

#[test]
fn curl_smtp_and_pop3_with_ssl_reqd_through_the_proxy() {
    if !tool("curl") {
        return;
    }
    let server = Server::start(&["--auth-delay", "0"]);
    let smtp = Proxy::start(&format!("127.0.0.1:{}", server.smtp), &["--insecure"]);
    let pop = Proxy::start(&format!("127.0.0.1:{}", server.pop3), &["--insecure"]);
    let mut send = Command::new("curl")
        .args(["-sS", "--ssl-reqd", "-k"])
        .arg(format!("smtp://127.0.0.1:{}", smtp.port))
        .args(["-u", "fred:fredpass"])
        .args([
            "--mail-from",
            "fred@free.fr",
            "--mail-rcpt",
            "marc@wanadoo.fr",
        ])
        .args(["-T", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    send.stdin
        .take()
        .unwrap()
        .write_all(b"Subject: curl via proxy\r\n\r\nhi\r\n")
        .unwrap();
    out_ok(send.wait_with_output().unwrap());
    let line = smtp.wait_logged("account=fred");
    assert!(line.contains("TLS intercepted"), "{line}");
    let mut listing = String::new();
    eventually(Duration::from_secs(10), "marc's mail through curl", || {
        let out = Command::new("curl")
            .args(["-sS", "--ssl-reqd", "-k"])
            .arg(format!("pop3://127.0.0.1:{}/1", pop.port))
            .args(["-u", "marc:marcpass"])
            .output()
            .unwrap();
        listing = String::from_utf8_lossy(&out.stdout).into_owned();
        listing.contains("curl via proxy")
    });
    let line = pop.wait_logged("account=marc");
    assert!(line.contains("TLS intercepted"), "{line}");
}

#[test]
fn the_world_itself_as_upstream() {
    let proxy = Proxy::start("world", &[]);
    let mut c = Raw::connect(proxy.port);
    c.cmd("EHLO me", "250");
    c.cmd("QUIT", "221");
    let line = proxy.wait_logged("closed after QUIT");
    assert!(line.contains(" SMTP "), "{line}");
}

#[test]
fn an_unreachable_upstream_is_a_421_and_the_log_says_why() {
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let proxy = Proxy::start(&format!("127.0.0.1:{port}"), &[]);
    let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = String::new();
    c.read_to_string(&mut got).unwrap();
    assert!(
        got.starts_with("421 4.4.1 facteur proxy: cannot reach"),
        "{got}"
    );
    proxy.wait_logged("cannot reach");
}

#[test]
fn an_upstream_pop3_that_closes_gives_the_client_an_err() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let up_port = upstream.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        s.write_all(b"+OK pop ready\r\n").unwrap();
        let mut one = [0u8; 64];
        let _ = s.read(&mut one);
    });
    let proxy = Proxy::start(&format!("127.0.0.1:{up_port}"), &[]);
    let mut c = Raw::connect(proxy.port);
    c.send(b"CAPA\r\n");
    let l = c.line();
    assert!(l.starts_with("-ERR [SYS/TEMP] facteur proxy:"), "{l}");
    let line = proxy.wait_logged("closed the connection");
    assert!(line.contains(" POP3 "), "{line}");
}

#[test]
fn upstream_tls_refused_without_insecure_is_a_421() {
    // facteur serve's certificate is self-signed: without --insecure the
    // proxy cannot trust it, and tells the client instead of the go-ahead.
    let server = Server::start(&[]);
    let proxy = Proxy::start(&format!("127.0.0.1:{}", server.smtp), &[]);
    let mut c = Raw::connect(proxy.port);
    c.cmd("EHLO me", "250");
    let r = c.cmd("STARTTLS", "421 4.4.2");
    assert!(r.contains("TLS with the upstream failed"), "{r}");
    assert!(r.contains("--insecure"), "{r}");
    proxy.wait_logged("TLS with the upstream failed");
}

#[test]
fn the_french_intercept_explanation_has_no_english() {
    let fr = facteur::explain::catalog::text(facteur::explain::lang::Lang::Fr, "proxy.intercepted");
    assert!(
        common::french::english_words(&fr).is_empty(),
        "{:?}",
        common::french::english_words(&fr)
    );
    assert!(Path::new(env!("CARGO_BIN_EXE_facteur")).exists());
}

#[test]
fn a_flooding_client_is_forwarded_with_bounded_memory() {
    // A 32 MB line: forwarded whole, never kept whole.
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let up_port = upstream.local_addr().unwrap().port();
    let counted = std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        s.write_all(b"220 sink\r\n").unwrap();
        let mut n = 0usize;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return n,
                Ok(k) => n += k,
            }
        }
    });
    let proxy = Proxy::start(&format!("127.0.0.1:{up_port}"), &[]);
    let mut c = Raw::connect(proxy.port);
    let chunk = vec![b'A'; 1024 * 1024];
    for _ in 0..32 {
        c.send(&chunk);
    }
    c.send(b"\r\n");
    c.stream.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(counted.join().unwrap(), 32 * 1024 * 1024 + 2);
    let line = proxy.wait_logged("over-long line");
    assert!(line.contains("33554434 octets up"), "{line}");
    let kb = common::tcp::rss_kb(proxy.child.id());
    assert!(kb < 64 * 1024, "the proxy holds {kb} kB after a 32 MB line");
}

#[test]
fn past_max_connections_the_client_gets_a_421() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let up_port = upstream.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in upstream.incoming() {
            let mut s = s.unwrap();
            s.write_all(b"220 held\r\n").unwrap();
            held.push(s);
        }
    });
    let proxy = Proxy::start(&format!("127.0.0.1:{up_port}"), &["--max-connections", "1"]);
    let _first = Raw::connect(proxy.port);
    let mut second = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut got = String::new();
    second.read_to_string(&mut got).unwrap();
    assert!(
        got.starts_with("421 4.7.0 facteur proxy: too many connections"),
        "{got}"
    );
    proxy.wait_logged("refused, too many connections");
}

#[test]
fn implicit_tls_on_both_sides() {
    if !tool("python3") {
        return;
    }
    let server = Server::start(&["--auth-delay", "0", "--smtps", "127.0.0.1:0"]);
    let smtps = server.ports["SMTPS facteur.lab"];
    let dir = std::env::temp_dir().join(format!("facteur-proxy-smtps-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let proxy = Proxy::start(
        &format!("127.0.0.1:{smtps}"),
        &[
            "--listen-tls",
            "--to-tls",
            "--insecure",
            "--record-dir",
            dir.to_str().unwrap(),
        ],
    );
    let script = format!(
        r#"
import smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", {port}, context=ctx, timeout=10)
s.login("fred", "fredpass")
s.sendmail("fred@free.fr", ["marc@wanadoo.fr"], "Subject: smtps\r\n\r\nhello\r\n")
s.quit()
print("SENT")
"#,
        port = proxy.port
    );
    let out = out_ok(
        Command::new("python3")
            .args(["-c", &script])
            .output()
            .unwrap(),
    );
    assert!(out.contains("SENT"), "{out}");
    let line = proxy.wait_logged("[recorded ");
    assert!(
        line.contains("account=fred") && line.contains("TLS intercepted"),
        "{line}"
    );
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let t = std::fs::read_to_string(&file).unwrap();
    let first_line = t.find("220 ").unwrap();
    let handshake = t.find("interception certificate").unwrap();
    assert!(
        handshake < first_line,
        "the handshake comes before the greeting"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_client_that_half_closes_still_gets_the_answer() {
    // The client sends its script and closes its sending side; the
    // upstream answers only once it has seen the end: the answer must
    // still reach the client, unchanged, and no 421 is added.
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let up_port = upstream.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        s.write_all(b"220 ready\r\n").unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        s.write_all(format!("250 got {} octets\r\n", got.len()).as_bytes())
            .unwrap();
    });
    let proxy = Proxy::start(&format!("127.0.0.1:{up_port}"), &[]);
    let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(b"EHLO x\r\nNOOP\r\n").unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut got = String::new();
    c.read_to_string(&mut got).unwrap();
    assert_eq!(got, "220 ready\r\n250 got 14 octets\r\n");
    proxy.wait_logged("client closed");
}

/// Real mail clients from Debian — msmtp and s-nail send, fetchmail and
/// mpop fetch — through the proxy with STARTTLS/STLS, each *verifying* the
/// interception certificate it was given (`--cert-out`, as a student would
/// install it): the dialogue is seen decrypted, the account named.
#[test]
fn real_muas_msmtp_s_nail_fetchmail_and_mpop_through_the_proxy() {
    let tools = ["msmtp", "s-nail", "fetchmail", "mpop"];
    let present: Vec<bool> = tools.iter().map(|t| mua(t)).collect();
    let dir = std::env::temp_dir().join(format!("facteur-proxy-mua-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::start(&["--auth-delay", "0"]);
    let (smtp_pem, pop_pem) = (dir.join("smtp.pem"), dir.join("pop.pem"));
    let smtp = Proxy::start(
        &format!("127.0.0.1:{}", server.smtp),
        &["--insecure", "--cert-out", smtp_pem.to_str().unwrap()],
    );
    let pop = Proxy::start(
        &format!("127.0.0.1:{}", server.pop3),
        &["--insecure", "--cert-out", pop_pem.to_str().unwrap()],
    );
    let run = |cmd: &mut Command, input: &[u8]| {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        out_ok(child.wait_with_output().unwrap())
    };
    // "localhost": the name the interception certificate is made for.
    if present[0] {
        run(
            Command::new("msmtp")
                .arg("--host=localhost")
                .arg(format!("--port={}", smtp.port))
                .args(["--tls=on", "--tls-starttls=on"])
                .arg(format!("--tls-trust-file={}", smtp_pem.display()))
                .args([
                    "--auth=plain",
                    "--user=fred",
                    "--passwordeval=echo fredpass",
                ])
                .args(["--from=fred@free.fr", "marc@wanadoo.fr"]),
            b"Subject: from msmtp\r\n\r\nhello from msmtp\r\n",
        );
        let line = smtp.wait_logged("account=fred");
        assert!(line.contains("TLS intercepted"), "{line}");
    }
    if present[1] {
        run(
            Command::new("s-nail")
                .args(["-n", "-S", "v15-compat"])
                .args([
                    "-S",
                    &format!("mta=smtp://fred:fredpass@localhost:{}", smtp.port),
                ])
                .args(["-S", "smtp-use-starttls", "-S", "smtp-auth=login"])
                .args(["-S", &format!("tls-ca-file={}", smtp_pem.display())])
                .args(["-S", "tls-ca-no-defaults", "-r", "fred@free.fr"])
                .args(["-s", "from s-nail", "marc@wanadoo.fr"]),
            b"hello from s-nail\n",
        );
        eventually(Duration::from_secs(10), "two sessions of fred", || {
            smtp.log
                .lock()
                .unwrap()
                .iter()
                .filter(|l| l.contains("account=fred"))
                .count()
                > usize::from(present[0])
        });
    }
    if present[2] {
        let rc = dir.join("fetchmailrc");
        let out = dir.join("fetched");
        std::fs::write(
            &rc,
            format!(
                "poll localhost protocol pop3 port {} user \"marc\" password \"marcpass\" \
                 sslproto \"tls1.2+\" sslcertck sslcertfile \"{}\" keep \
                 mda \"/bin/sh -c 'cat >> {}'\"\n",
                pop.port,
                pop_pem.display(),
                out.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&rc, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        run(
            Command::new("fetchmail")
                .arg("-f")
                .arg(&rc)
                .args(["--nosyslog", "--nodetach"])
                .env("HOME", &dir),
            b"",
        );
        let fetched = std::fs::read_to_string(&out).unwrap();
        if present[0] {
            assert!(fetched.contains("hello from msmtp"), "{fetched}");
        }
        let line = pop.wait_logged("account=marc");
        assert!(line.contains("TLS intercepted"), "{line}");
    }
    if present[3] {
        let mbox = dir.join("mbox");
        run(
            Command::new("mpop")
                .arg("--host=localhost")
                .arg(format!("--port={}", pop.port))
                .args(["--tls=on", "--tls-starttls=on"])
                .arg(format!("--tls-trust-file={}", pop_pem.display()))
                .args(["--auth=user", "--user=marc", "--passwordeval=echo marcpass"])
                .arg(format!("--delivery=mbox,{}", mbox.display()))
                .arg("--keep=on"),
            b"",
        );
        let got = std::fs::read_to_string(&mbox).unwrap();
        if present[1] {
            assert!(got.contains("hello from s-nail"), "{got}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A real MUA must be installed, unless FACTEUR_SKIP_<NAME> is set.
fn mua(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()));
    if found {
        return true;
    }
    let var = format!(
        "FACTEUR_SKIP_{}",
        name.replace('-', "_").to_ascii_uppercase()
    );
    assert!(
        std::env::var_os(&var).is_some(),
        "{name} is needed for this test (apt-get install {name}); {var}=1 skips it"
    );
    eprintln!("SKIPPED: {name} is missing and {var} is set");
    false
}

/// Ctrl-C with a session open: the client is told (421 4.3.2), and the
/// session is logged and recorded, not lost.
#[test]
fn stopped_with_a_session_open_the_client_is_told_and_it_is_recorded() {
    let dir = std::env::temp_dir().join(format!("facteur-proxy-stop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server = Server::start(&[]);
    let proxy = Proxy::start(
        &format!("127.0.0.1:{}", server.smtp),
        &["--record-dir", dir.to_str().unwrap()],
    );
    let mut c = Raw::connect(proxy.port);
    c.cmd("EHLO me", "250");
    common::tcp::signal(proxy.child.id(), "INT");
    let l = c.line();
    assert!(l.starts_with("421 4.3.2 facteur proxy:"), "{l}");
    let line = proxy.wait_logged("[recorded ");
    assert!(line.contains("the proxy is stopping"), "{line}");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(files.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kill` (SIGTERM) stops a proxy whose world runs inside it, as Ctrl-C
/// does: the world handling SIGTERM must not leave the proxy running.
#[test]
fn sigterm_stops_a_proxy_to_the_world() {
    let mut proxy = Proxy::start("world", &[]);
    common::tcp::signal(proxy.child.id(), "TERM");
    let mut ended = false;
    eventually(Duration::from_secs(10), "the proxy to exit", || {
        ended = proxy.child.try_wait().unwrap().is_some();
        ended
    });
    assert!(ended);
    proxy.wait_logged("facteur proxy: stopping");
}

/// `--to world --also-listen`: one proxy, two doors to the same world —
/// what smtplib sends through the first, poplib fetches through the second,
/// and both sessions are logged.
#[test]
fn one_world_two_doors_send_then_fetch_through_the_proxy() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["proxy", "--listen", "127.0.0.1:0", "--to", "world"])
        .args(["--also-listen", "127.0.0.1:0"])
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut doors = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("PROXY listening on ") {
            let addr = rest.split(',').next().unwrap();
            doors.push(addr.rsplit(':').next().unwrap().parse::<u16>().unwrap());
        } else if line.contains("facteur proxy: ready") {
            break;
        }
    }
    assert_eq!(doors.len(), 2, "two doors: {doors:?}");
    let script = format!(
        r#"
import smtplib, poplib
s = smtplib.SMTP("127.0.0.1", {smtp}, timeout=10)
s.sendmail("fred@free.fr", ["marc@wanadoo.fr"], "Subject: deux portes\r\n\r\nhello through two doors\r\n")
s.quit()
p = poplib.POP3("127.0.0.1", {pop}, timeout=10)
p.user("marc"); p.pass_("marcpass")
n = len(p.list()[1])
print("FOUND" if any(b"through two doors" in b"\n".join(p.retr(i)[1]) for i in range(1, n + 1)) else "MISSING")
p.quit()
"#,
        smtp = doors[0],
        pop = doors[1]
    );
    let out = Command::new("python3").args(["-c", &script]).output();
    let _ = child.kill();
    let _ = child.wait();
    let out = out.expect("python3 is needed for this test (.ci/run installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FOUND"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn also_listen_needs_the_world() {
    let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args([
            "proxy",
            "--to",
            "127.0.0.1:25",
            "--also-listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--also-listen needs --to world"));
}
