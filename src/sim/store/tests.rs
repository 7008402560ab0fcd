//! Unit tests of `store.rs`, beside it: they reach its private items.

#[cfg(test)]
use super::*;

#[test]
fn a_shared_body_is_counted_once() {
    let mut s = Store::in_memory();
    let body = Arc::new(vec![b'x'; 1000]);
    for m in ["a@x", "b@x", "c@x"] {
        s.deliver_shared(m, body.clone(), 1).unwrap();
    }
    assert_eq!(s.total_bytes(), 1000);
    assert_eq!(s.mailbox_bytes("a@x"), 1000);
    s.deliver("a@x", vec![b'y'; 10], 2).unwrap();
    assert_eq!(s.total_bytes(), 1010);
    let uid = s.messages("a@x")[0].uid.clone();
    s.remove("a@x", &[uid]).unwrap();
    assert_eq!(s.total_bytes(), 1010, "still held by b and c");
    for m in ["b@x", "c@x"] {
        let uid = s.messages(m)[0].uid.clone();
        s.remove(m, &[uid]).unwrap();
    }
    assert_eq!(s.total_bytes(), 10);
}

#[test]
fn locks_and_removal() {
    let mut s = Store::in_memory();
    let a = s.deliver("marc@wanadoo.fr", b"one".to_vec(), 1).unwrap();
    s.deliver("marc@wanadoo.fr", b"two".to_vec(), 2).unwrap();
    let snap = s.lock("marc@wanadoo.fr").unwrap();
    assert_eq!(snap.len(), 2);
    assert_eq!(
        s.lock("marc@wanadoo.fr"),
        Err(Locked("marc@wanadoo.fr".into()))
    );
    s.remove("marc@wanadoo.fr", &[a]).unwrap();
    s.unlock("marc@wanadoo.fr");
    assert_eq!(s.messages("marc@wanadoo.fr").len(), 1);
    assert!(s.lock("marc@wanadoo.fr").is_ok());
    assert!(s.deliver("../etc", vec![], 0).is_err());
}

#[test]
fn disk_store_is_a_maildir_survives_reopen_and_ignores_partial_writes() {
    let dir = std::env::temp_dir().join(format!("facteur-store-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let uid = {
        let mut s = Store::open(&dir).unwrap();
        let uid = s.deliver("fred@free.fr", b"hello".to_vec(), 5).unwrap();
        // Not on disk until flushed.
        assert_eq!(
            fs::read_dir(dir.join("fred@free.fr/new"))
                .ok()
                .map(|d| d.count()),
            None
        );
        s.flush().unwrap();
        assert_eq!(
            fs::read(dir.join("fred@free.fr/new").join(&uid)).unwrap(),
            b"hello"
        );
        // One server at a time.
        assert!(matches!(
            Store::open(&dir),
            Err(OpenError::Busy { pid: Some(p) }) if p == std::process::id()
        ));
        uid
    };
    fs::write(dir.join("fred@free.fr/tmp/9.P1Q9.facteur"), b"half").unwrap();
    // A reader (neomutt, Dovecot) moved it to cur/ with flags.
    fs::rename(
        dir.join("fred@free.fr/new").join(&uid),
        dir.join("fred@free.fr/cur").join(format!("{uid}:2,S")),
    )
    .unwrap();
    fs::create_dir_all(dir.join("fred@free.fr/x.eml")).unwrap();
    fs::write(dir.join("stray-file"), b"?").unwrap();
    let mut s = Store::open(&dir).unwrap();
    assert_eq!(s.messages("fred@free.fr").len(), 1);
    assert_eq!(s.messages("fred@free.fr")[0].uid, uid);
    // Moved to cur/ by a reader: still read.
    assert_eq!(
        s.messages("fred@free.fr")[0]
            .data
            .read()
            .unwrap()
            .as_slice(),
        b"hello"
    );
    assert_eq!(s.report.skipped.len(), 2, "{:?}", s.report.skipped);
    assert!(!dir.join("fred@free.fr/tmp/9.P1Q9.facteur").exists());
    let uid2 = s.deliver("fred@free.fr", b"again".to_vec(), 6).unwrap();
    s.flush().unwrap();
    s.remove("fred@free.fr", std::slice::from_ref(&uid))
        .unwrap();
    drop(s);
    let s = Store::open(&dir).unwrap();
    assert_eq!(s.messages("fred@free.fr").len(), 1);
    assert_eq!(s.messages("fred@free.fr")[0].uid, uid2);
    drop(s);
    // A write that fails takes the message back.
    let mut s = Store::open(&dir).unwrap();
    s.deliver("fred@free.fr", b"x".to_vec(), 7).unwrap();
    let pending = s.take_pending();
    s.discard(&pending);
    assert_eq!(s.messages("fred@free.fr").len(), 1);
    drop(s);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_earlier_format_is_converted_keeping_uidls() {
    let dir = std::env::temp_dir().join(format!("facteur-store-old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("marc@wanadoo.fr")).unwrap();
    fs::write(dir.join("marc@wanadoo.fr/0000000002.20.eml"), b"two").unwrap();
    fs::write(dir.join("marc@wanadoo.fr/0000000010.30.eml"), b"ten").unwrap();
    fs::write(dir.join("marc@wanadoo.fr/.0000000011.31.tmp"), b"half").unwrap();
    let mut s = Store::open(&dir).unwrap();
    assert_eq!(s.report.converted, 2);
    let uids: Vec<&str> = s
        .messages("marc@wanadoo.fr")
        .iter()
        .map(|m| m.uid.as_str())
        .collect();
    assert_eq!(uids, ["0000000002.20", "0000000010.30"]);
    assert!(dir.join("marc@wanadoo.fr/new/0000000010.30").exists());
    // New deliveries number after the old ones.
    let uid = s.deliver("marc@wanadoo.fr", b"x".to_vec(), 40).unwrap();
    assert!(uid.ends_with("Q0000000011.facteur"), "{uid}");
    drop(s);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_message_deleted_while_its_file_was_written_stays_deleted() {
    let dir = std::env::temp_dir().join(format!("facteur-dele-race-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    {
        let mut s = Store::open(&dir).unwrap();
        let uid = s
            .deliver("marc@wanadoo.fr", b"Subject: x\r\n\r\n".to_vec(), 1)
            .unwrap();
        // POP3 saw it and DELE + QUIT removed it before the file was written.
        s.remove("marc@wanadoo.fr", std::slice::from_ref(&uid))
            .unwrap();
        let writes = s.take_pending();
        writes.iter().try_for_each(PendingWrite::write).unwrap();
        s.committed(&writes);
        assert!(!dir.join("marc@wanadoo.fr/new").join(&uid).exists());
    }
    let s = Store::open(&dir).unwrap();
    assert_eq!(s.messages("marc@wanadoo.fr").len(), 0, "no resurrection");
    fs::remove_dir_all(&dir).unwrap();
}
