//! The mailboxes (the MDA's side): messages per mailbox with stable UIDs,
//! the POP3 maildrop locks, and optional persistence on disk.
//!
//! On disk (`--store DIR`) each message is one file `DIR/<mailbox>/<uid>.eml`,
//! written atomically: a temporary file in the same folder, fsync, rename,
//! fsync of the folder. A crash at any moment leaves either no file or the
//! whole file; temporary files (names starting with ".") are ignored and
//! removed when the store is opened.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Stable across sessions and restarts (RFC 1939 §7 UIDL).
    pub uid: String,
    pub data: Arc<Vec<u8>>,
}

/// The maildrop is locked by another POP3 session (RFC 1939 §8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("maildrop {0} is already locked by another session")]
pub struct Locked(pub String);

/// A message accepted in memory whose file is not written yet.
#[derive(Debug, Clone)]
pub struct PendingWrite {
    pub dir: PathBuf,
    pub mailbox: String,
    pub uid: String,
    pub data: Arc<Vec<u8>>,
}

impl PendingWrite {
    /// Write the file atomically (temporary file, fsync, rename, fsync of the folder).
    pub fn write(&self) -> io::Result<()> {
        write_atomically(&self.dir.join(&self.mailbox), &self.uid, &self.data)
    }
}

/// All mailboxes.
#[derive(Debug, Default)]
pub struct Store {
    boxes: BTreeMap<String, Vec<StoredMessage>>,
    locks: HashSet<String>,
    dir: Option<PathBuf>,
    seq: u64,
    pending: Vec<PendingWrite>,
}

impl Store {
    /// A store that lives in memory only.
    pub fn in_memory() -> Self {
        Store::default()
    }

    /// A store persisted under `dir` (created if needed), loading what is there.
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let mut store = Store {
            dir: Some(dir.to_path_buf()),
            ..Store::default()
        };
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if !entry.file_type()?.is_dir() {
                continue;
            }
            let mailbox = entry.file_name().to_string_lossy().to_string();
            let mut messages = Vec::new();
            for file in fs::read_dir(entry.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().to_string();
                if name.starts_with('.') {
                    // A write that never reached its rename: not a message.
                    let _ = fs::remove_file(file.path());
                    continue;
                }
                let Some(uid) = name.strip_suffix(".eml") else {
                    continue;
                };
                let data = fs::read(file.path())?;
                if let Some(n) = uid.split('.').next().and_then(|s| s.parse::<u64>().ok()) {
                    store.seq = store.seq.max(n);
                }
                messages.push(StoredMessage {
                    uid: uid.to_string(),
                    data: Arc::new(data),
                });
            }
            messages.sort_by(|a, b| a.uid.cmp(&b.uid));
            store.boxes.insert(mailbox, messages);
        }
        Ok(store)
    }

    /// Whether messages are written to disk.
    pub fn is_persistent(&self) -> bool {
        self.dir.is_some()
    }

    /// Put a message into a mailbox (`local@domain`, lower case) and return
    /// its UID. On a disk store the file is only queued: the caller makes it
    /// durable with [`Store::take_pending`] + [`PendingWrite::write`] (off
    /// any lock), or with [`Store::flush`], before acknowledging it.
    pub fn deliver(&mut self, mailbox: &str, data: Vec<u8>, now: i64) -> io::Result<String> {
        if mailbox.contains(['/', '\\']) || mailbox.starts_with('.') || mailbox.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "bad mailbox name",
            ));
        }
        self.seq += 1;
        let uid = format!("{:010}.{now}", self.seq);
        let data = Arc::new(data);
        if let Some(dir) = &self.dir {
            self.pending.push(PendingWrite {
                dir: dir.clone(),
                mailbox: mailbox.to_string(),
                uid: uid.clone(),
                data: data.clone(),
            });
        }
        self.boxes
            .entry(mailbox.to_string())
            .or_default()
            .push(StoredMessage {
                uid: uid.clone(),
                data,
            });
        Ok(uid)
    }

    /// The writes queued since the last call.
    pub fn take_pending(&mut self) -> Vec<PendingWrite> {
        std::mem::take(&mut self.pending)
    }

    /// Take back messages whose writes failed: they were never delivered.
    pub fn discard(&mut self, writes: &[PendingWrite]) {
        for w in writes {
            if let Some(list) = self.boxes.get_mut(&w.mailbox) {
                list.retain(|m| m.uid != w.uid);
            }
        }
    }

    /// Write every pending message now; on failure take them all back.
    pub fn flush(&mut self) -> io::Result<()> {
        let pending = self.take_pending();
        let result = pending.iter().try_for_each(PendingWrite::write);
        if result.is_err() {
            self.discard(&pending);
        }
        result
    }

    /// The messages of a mailbox, in delivery order.
    pub fn messages(&self, mailbox: &str) -> &[StoredMessage] {
        self.boxes.get(mailbox).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Take the exclusive maildrop lock (RFC 1939 §8) and a snapshot of it.
    pub fn lock(&mut self, mailbox: &str) -> Result<Vec<StoredMessage>, Locked> {
        if !self.locks.insert(mailbox.to_string()) {
            return Err(Locked(mailbox.to_string()));
        }
        Ok(self.messages(mailbox).to_vec())
    }

    pub fn is_locked(&self, mailbox: &str) -> bool {
        self.locks.contains(mailbox)
    }

    /// Release the lock without changing anything.
    pub fn unlock(&mut self, mailbox: &str) {
        self.locks.remove(mailbox);
    }

    /// Remove messages by UID (the UPDATE state of RFC 1939 §6).
    pub fn remove(&mut self, mailbox: &str, uids: &[String]) -> io::Result<()> {
        if let Some(dir) = &self.dir {
            for uid in uids {
                match fs::remove_file(dir.join(mailbox).join(format!("{uid}.eml"))) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if let Some(list) = self.boxes.get_mut(mailbox) {
            list.retain(|m| !uids.contains(&m.uid));
        }
        Ok(())
    }

    /// Every mailbox name that holds at least one message.
    pub fn mailboxes(&self) -> Vec<&str> {
        self.boxes
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

fn write_atomically(dir: &Path, uid: &str, data: &[u8]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{uid}.tmp"));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(format!("{uid}.eml")))?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn disk_store_survives_reopen_and_ignores_partial_writes() {
        let dir = std::env::temp_dir().join(format!("facteur-store-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let uid = {
            let mut s = Store::open(&dir).unwrap();
            let uid = s.deliver("fred@free.fr", b"hello".to_vec(), 5).unwrap();
            // Not on disk until flushed.
            assert!(
                Store::open(&dir)
                    .unwrap()
                    .messages("fred@free.fr")
                    .is_empty()
            );
            s.flush().unwrap();
            uid
        };
        fs::write(dir.join("fred@free.fr").join(".0000000009.5.tmp"), b"half").unwrap();
        let mut s = Store::open(&dir).unwrap();
        assert_eq!(s.messages("fred@free.fr").len(), 1);
        assert_eq!(s.messages("fred@free.fr")[0].uid, uid);
        let uid2 = s.deliver("fred@free.fr", b"again".to_vec(), 6).unwrap();
        assert!(uid2 > uid);
        s.flush().unwrap();
        s.remove("fred@free.fr", &[uid]).unwrap();
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.messages("fred@free.fr").len(), 1);
        assert!(!dir.join("fred@free.fr").join(".0000000009.5.tmp").exists());
        // A write that fails takes the message back.
        let mut s = Store::open(&dir).unwrap();
        s.deliver("fred@free.fr", b"x".to_vec(), 7).unwrap();
        let pending = s.take_pending();
        s.discard(&pending);
        assert_eq!(s.messages("fred@free.fr").len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
