//! No escape sequence from an input reaches the terminal (issue 13): a
//! classmate's message, a lesson file, a transcript, a string to decode —
//! each with ESC sequences (CSI, OSC 0 title, OSC 52 clipboard), BEL, a
//! bare CR, C1 controls and a bidi override in every field — go through
//! every CLI command that prints them, and stdout and stderr carry none.

use std::process::Command;

const NASTY: &str = "\u{1b}]0;pwned\u{7}\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}[2J\u{9b}31m\r\u{202e}";

fn run(args: &[&std::ffi::OsStr]) -> (Vec<u8>, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(args)
        .output()
        .expect("run facteur");
    (out.stdout, out.stderr)
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !bad,
            "{what}: control {:?} at {i} in:\n{}",
            c,
            text.chars().take(2000).collect::<String>()
        );
    }
}

#[test]
fn no_cli_output_carries_an_escape_from_its_input() {
    let dir = std::env::temp_dir().join(format!("facteur-escapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let n = NASTY;
    // A message with escapes in field names, values, Received hosts,
    // encoded words, MIME parameters and a DSN part.
    let eml = format!(
        "Received: from evil{n}.example (evil{n} [192.0.2.1]) by mx{n}.example (Postfix{n}) with ESMTP id X{n}; Mon, 2 Dec 2024 10:00:00 +0100\r\n\
         X-Evil{n}: {n}\r\nFrom: =?UTF-8?B?G10wO3B3bmVkBw==?= <a{n}@example.org>\r\nSubject: {n}\r\n\
         Authentication-Results: mx{n}; spf=pass{n} smtp.mailfrom={n}\r\nDKIM-Signature: d={n}; s={n}; h={n}\r\n\
         Date: {n}\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=\"{n}\"\r\n\r\n{n}\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; {n}\r\n\r\nFinal-Recipient: rfc822; {n}\r\nAction: failed{n}\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 {n}\r\n--b--\r\n"
    );
    let eml_path = dir.join("evil.eml");
    std::fs::write(&eml_path, eml).unwrap();
    let lesson = format!(
        r#"{{"id": "evil{j}", "title": {{"fr": "{j}", "en": "{j}"}}, "intro": {{"fr": "{j}", "en": "{j}"}},
          "start": "smtp{j}.free.fr", "steps": [{{"instruction": {{"fr": "{j}", "en": "{j}"}},
          "check": {{"reply": {{"to": "{j}", "code": "{j}"}}}}}}]}}"#,
        j = n.escape_unicode()
    );
    let lesson_dir = dir.join("lessons");
    std::fs::create_dir_all(&lesson_dir).unwrap();
    let lesson_path = lesson_dir.join("evil.json");
    std::fs::write(&lesson_path, &lesson).unwrap();
    std::fs::write(lesson_dir.join(format!("bad{}.json", "\u{1b}[31m")), "{").unwrap();
    let transcript = format!(
        r#"{{"version": 1, "host": "h{j}", "port": 25, "protocol": "smtp", "simulated": false, "started": 0,
          "events": [{{"t_ms": 0, "dir": "server", "line": "220 {j}"}}, {{"t_ms": 1, "dir": "client", "line": "EHLO {j}"}},
                     {{"t_ms": 2, "dir": "client", "line": "DATA"}}, {{"t_ms": 3, "dir": "server", "line": "354 go"}},
                     {{"t_ms": 4, "dir": "client", "line": "Subject: {j}"}}]}}"#,
        j = n.escape_unicode()
    );
    let transcript_path = dir.join("evil.json");
    std::fs::write(&transcript_path, transcript).unwrap();
    let os = |s: &str| std::ffi::OsString::from(s);
    let cases: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        ("headers", vec![os("headers"), eml_path.clone().into()]),
        (
            "lesson --dir",
            vec![os("lesson"), os("--dir"), lesson_dir.clone().into()],
        ),
        (
            "lesson check",
            vec![os("lesson"), os("check"), lesson_path.clone().into()],
        ),
        ("lesson id", vec![os("lesson"), lesson_path.clone().into()]),
        (
            "export md",
            vec![
                os("export"),
                transcript_path.clone().into(),
                os("--format"),
                os("md"),
            ],
        ),
        (
            "export html",
            vec![
                os("export"),
                transcript_path.clone().into(),
                os("--format"),
                os("html"),
            ],
        ),
        ("explain", vec![os("explain"), os(&format!("550 {n}"))]),
        (
            "explain cmd",
            vec![os("explain"), os(&format!("MAIL FROM:<{n}@x>"))],
        ),
        ("decode", vec![os("decode"), os("G10wO3B3bmVkBw==")]),
        ("decode text", vec![os("decode"), os(n)]),
        (
            "headers missing",
            vec![os("headers"), dir.join(format!("no{n}.eml")).into()],
        ),
        (
            "replay missing",
            vec![os("replay"), dir.join(format!("no{n}.json")).into()],
        ),
        ("connect bad", vec![os("connect"), os(&format!("h{n}:x"))]),
    ];
    for (what, args) in cases {
        for lang in ["fr", "en"] {
            let mut all: Vec<&std::ffi::OsStr> = vec!["--lang".as_ref(), lang.as_ref()];
            all.extend(args.iter().map(|a| a.as_os_str()));
            let (out, err) = run(&all);
            assert_clean(&format!("{what} ({lang}) stdout"), &out);
            assert_clean(&format!("{what} ({lang}) stderr"), &err);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
