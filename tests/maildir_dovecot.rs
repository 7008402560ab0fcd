//! The room's store is a real Maildir (issue 13): after a load through
//! `facteur serve --store`, Debian's Dovecot (its pop3 binary in
//! pre-authenticated mode, `mail_location = maildir:…`,
//! `pop3_uidl_format = %f`) opens marc's mailbox and sees the same
//! messages, with the same UIDLs, as facteur's own POP3 server. Needs
//! dovecot-pop3d (`.ci/run` installs it); FACTEUR_SKIP_DOVECOT=1 skips.

mod common;
use common::tcp::{Raw, Server};
use std::io::Write;
use std::process::{Command, Stdio};

const DOVECOT_POP3: &str = "/usr/lib/dovecot/pop3";

/// A POP3 dialogue read to its end: the lines of each answer.
fn dovecot_session(dir: &std::path::Path, input: &str) -> String {
    let mailbox = dir.join("marc@wanadoo.fr");
    let conf = dir.join("dovecot.conf");
    std::fs::write(
        &conf,
        format!(
            "mail_location = maildir:{}\npop3_uidl_format = %f\nlog_path = /dev/null\nssl = no\n",
            mailbox.display()
        ),
    )
    .unwrap();
    // Dovecot will not serve mail as root: run it as nobody, owner of the copy.
    let root = String::from_utf8_lossy(&Command::new("id").arg("-u").output().unwrap().stdout)
        .trim()
        == "0";
    let mut cmd = if root {
        let ok = Command::new("chown")
            .args(["-R", "nobody"])
            .arg(dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown failed");
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--", DOVECOT_POP3]);
        c
    } else {
        Command::new(DOVECOT_POP3)
    };
    let mut child = cmd
        .arg("-c")
        .arg(&conf)
        .env("USER", "marc")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start Dovecot's pop3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

fn uidls(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let n = w.next()?.parse::<u32>().ok()?;
            Some(format!("{n} {}", w.next()?))
        })
        .collect()
}

#[test]
fn dovecot_opens_the_room_store_with_the_same_uidls() {
    if std::env::var_os("FACTEUR_SKIP_DOVECOT").is_some() {
        eprintln!("skipped: FACTEUR_SKIP_DOVECOT is set");
        return;
    }
    assert!(
        std::path::Path::new(DOVECOT_POP3).exists(),
        "{DOVECOT_POP3} is needed (Debian package dovecot-pop3d; .ci/run installs it)"
    );
    let dir = std::env::temp_dir().join(format!("facteur-maildir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.to_string_lossy().to_string();
    let ours = {
        let server = Server::start(&["--store", &store]);
        let mut c = Raw::connect(server.smtp);
        c.cmd("EHLO lab", "250");
        for i in 0..20 {
            c.mail(
                "fred@free.fr",
                "marc@wanadoo.fr",
                &format!("Subject: message {i}\r\n\r\nbody {i}"),
                "250",
            );
        }
        c.cmd("QUIT", "221");
        let mut p = Raw::pop3(server.pop3, "marc", "marcpass", "+OK");
        p.cmd("UIDL", "+OK");
        let mut listing = String::new();
        loop {
            let l = p.line();
            if l == ".\r\n" {
                break;
            }
            listing.push_str(&l);
        }
        p.cmd("QUIT", "+OK");
        uidls(&listing)
    };
    assert_eq!(ours.len(), 20);
    let out = dovecot_session(&dir, "STAT\r\nUIDL\r\nRETR 20\r\nQUIT\r\n");
    assert!(out.starts_with("+OK 20 "), "Dovecot said:\n{out}");
    let theirs = uidls(out.split("+OK\n").nth(1).unwrap_or(""));
    assert_eq!(theirs, ours, "Dovecot said:\n{out}");
    assert!(out.contains("Subject: message 19"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
