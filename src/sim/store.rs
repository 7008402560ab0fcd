//! The mailboxes (the MDA's side): messages per mailbox with stable UIDs,
//! the POP3 maildrop locks, and optional persistence on disk.
//!
//! On disk (`--store DIR`) each mailbox is a standard Maildir
//! (`DIR/<mailbox>/{tmp,new,cur}`, cr.yp.to/proto/maildir.html): a message
//! is written to `tmp/` under a unique name (`<time>.P<pid>Q<seq>.facteur`),
//! fsync'd, then renamed into `new/` and the folder fsync'd — a crash at any
//! moment leaves either no message or the whole message, and what is in
//! `tmp/` is removed when the store is opened. Real tools open the room's
//! mailboxes (Dovecot with `mail_location = maildir:DIR/%u`, neomutt,
//! s-nail, `ls`). The POP3 UIDL of a message is its file's base name (the
//! name before `:2,`), as Dovecot's `%f` UIDL format does. A store written
//! by facteur's earlier format (`<mailbox>/<uid>.eml`) is converted once,
//! keeping every UIDL. One server at a time: `DIR/.facteur.lock` holds an
//! advisory lock and the owner's PID.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::sim::queue::Queued;
use crate::sim::spool::{Loaded, Spool, SpoolWrite};

mod maildir;
use maildir::{deliver_maildir, remove_maildir};

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Stable across sessions and restarts (RFC 1939 §7 UIDL).
    pub uid: String,
    pub data: Body,
}

/// A message's octets: in memory (the simulated world, or a message not
/// yet on disk), or in its Maildir file once written — with `--store` the
/// server keeps only an index in memory and RETR reads the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    len: usize,
    at: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Memory(Arc<Vec<u8>>),
    /// The mailbox's Maildir folder and the message's unique name.
    Disk(Arc<PathBuf>, String),
}

impl Body {
    pub fn memory(data: Arc<Vec<u8>>) -> Body {
        Body {
            len: data.len(),
            at: Place::Memory(data),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The octets (read from the file when the body is on disk).
    pub fn read(&self) -> io::Result<Arc<Vec<u8>>> {
        match &self.at {
            Place::Memory(d) => Ok(d.clone()),
            Place::Disk(dir, uid) => {
                // A reader (neomutt, Dovecot) may have moved it to cur/.
                match fs::read(dir.join("new").join(uid)) {
                    Ok(d) => Ok(Arc::new(d)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        let entries = fs::read_dir(dir.join("cur"))?;
                        for entry in entries.flatten() {
                            let name = entry.file_name().to_string_lossy().to_string();
                            if name.split(':').next() == Some(uid.as_str()) {
                                return fs::read(entry.path()).map(Arc::new);
                            }
                        }
                        Err(e)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The octets, or nothing when they cannot be read (for checks and
    /// tests on the in-memory world).
    pub fn bytes(&self) -> Arc<Vec<u8>> {
        self.read().unwrap_or_default()
    }

    fn in_memory(&self) -> Option<&Arc<Vec<u8>>> {
        match &self.at {
            Place::Memory(d) => Some(d),
            Place::Disk(..) => None,
        }
    }
}

/// The maildrop is locked by another POP3 session (RFC 1939 §8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("maildrop {0} is already locked by another session")]
pub struct Locked(pub String);

/// Why a store cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Another process (a second `facteur serve`) holds the store.
    #[error("the store is used by another process (PID {pid:?})")]
    Busy { pid: Option<u32> },
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// What opening a store found besides messages.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpenReport {
    /// Messages moved from the earlier `<uid>.eml` format into Maildir.
    pub converted: usize,
    /// Files and folders that are not part of a Maildir, skipped.
    pub skipped: Vec<PathBuf>,
}

/// A message accepted in memory whose file is not written yet.
#[derive(Debug, Clone)]
pub struct MailWrite {
    pub dir: PathBuf,
    pub mailbox: String,
    pub uid: String,
    pub data: Arc<Vec<u8>>,
}

impl MailWrite {
    /// Deliver the file the Maildir way: tmp/, fsync, rename into new/,
    /// fsync of the folder.
    pub fn write(&self) -> io::Result<()> {
        deliver_maildir(&self.dir.join(&self.mailbox), &self.uid, &self.data)
    }
}

/// A change the disk must see before it is acknowledged: a message into a
/// mailbox, or a change to the queue (`crate::sim::spool`), in the order
/// the world made them.
#[derive(Debug, Clone)]
pub enum PendingWrite {
    Mail(MailWrite),
    Queue(SpoolWrite),
}

impl PendingWrite {
    pub fn write(&self) -> io::Result<()> {
        match self {
            PendingWrite::Mail(m) => m.write(),
            PendingWrite::Queue(q) => q.write(),
        }
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
    /// Held open for the advisory lock on `DIR/.facteur.lock`.
    _lock: Option<fs::File>,
    /// What opening found.
    pub report: OpenReport,
    /// Each body held (by address) and in how many mailboxes, for the
    /// memory the store takes, each shared body counted once.
    bodies: std::collections::HashMap<usize, (usize, usize)>,
    held: usize,
    /// Octets per mailbox, kept as messages come and go (quotas are
    /// checked at every RCPT and delivery: no sum over a big mailbox).
    sizes: std::collections::HashMap<String, usize>,
    /// The queue's folder, with a disk store.
    spool: Option<Spool>,
    /// What the queue's folder held when the store was opened (the MTA
    /// takes the messages back into its queue).
    pub queue_found: Loaded,
}

impl Store {
    /// A store that lives in memory only.
    pub fn in_memory() -> Self {
        Store::default()
    }

    /// Whether messages are written to disk.
    pub fn is_persistent(&self) -> bool {
        self.dir.is_some()
    }

    /// Octets held in `mailbox` (its quota's measure).
    pub fn mailbox_bytes(&self, mailbox: &str) -> usize {
        self.sizes.get(mailbox).copied().unwrap_or(0)
    }

    fn resize(&mut self, mailbox: &str, added: usize, removed: usize) {
        let size = self.sizes.entry(mailbox.to_string()).or_insert(0);
        *size = (*size + added).saturating_sub(removed);
    }

    /// Octets held in memory by all mailboxes, each shared body counted once.
    pub fn total_bytes(&self) -> usize {
        self.held
    }

    fn hold(&mut self, body: &Body) {
        let Some(data) = body.in_memory() else {
            return;
        };
        let e = self
            .bodies
            .entry(Arc::as_ptr(data) as usize)
            .or_insert((data.len(), 0));
        if e.1 == 0 {
            self.held += data.len();
        }
        e.1 += 1;
    }

    fn release(&mut self, body: &Body) {
        let Some(data) = body.in_memory() else {
            return;
        };
        let key = Arc::as_ptr(data) as usize;
        if let Some(e) = self.bodies.get_mut(&key) {
            e.1 -= 1;
            if e.1 == 0 {
                self.held -= e.0;
                self.bodies.remove(&key);
            }
        }
    }

    /// Put a message into a mailbox (`local@domain`, lower case) and return
    /// its UID. On a disk store the file is only queued: the caller makes it
    /// durable with [`Store::take_pending`] + [`PendingWrite::write`] (off
    /// any lock), or with [`Store::flush`], before acknowledging it.
    pub fn deliver(&mut self, mailbox: &str, data: Vec<u8>, now: i64) -> io::Result<String> {
        self.deliver_shared(mailbox, Arc::new(data), now)
    }

    /// The same, with a body shared by every mailbox it goes to (a list of
    /// 30 members holds one copy in memory, not 30).
    pub fn deliver_shared(
        &mut self,
        mailbox: &str,
        data: Arc<Vec<u8>>,
        now: i64,
    ) -> io::Result<String> {
        if mailbox.contains(['/', '\\']) || mailbox.starts_with('.') || mailbox.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "bad mailbox name",
            ));
        }
        self.seq += 1;
        // A Maildir unique name: time, PID and a sequence number.
        // Zero-padded so that names sort in delivery order, as Dovecot and
        // mail readers number a Maildir's messages.
        let uid = format!("{now:010}.P{}Q{:010}.facteur", std::process::id(), self.seq);
        if let Some(dir) = &self.dir {
            self.pending.push(PendingWrite::Mail(MailWrite {
                dir: dir.clone(),
                mailbox: mailbox.to_string(),
                uid: uid.clone(),
                data: data.clone(),
            }));
        }
        let body = Body::memory(data);
        self.hold(&body);
        self.resize(mailbox, body.len(), 0);
        self.boxes
            .entry(mailbox.to_string())
            .or_default()
            .push(StoredMessage {
                uid: uid.clone(),
                data: body,
            });
        Ok(uid)
    }

    /// Keep (or update) a queued message on disk, with a disk store.
    pub fn queue_save(&mut self, e: &Queued, now: i64) {
        if let Some(spool) = &mut self.spool {
            let w = spool.save(e, now);
            self.pending.push(PendingWrite::Queue(w));
        }
    }

    /// A message left the queue (delivered or returned), with a disk store.
    pub fn queue_remove(&mut self, id: &str) {
        if let Some(spool) = &mut self.spool {
            let w = spool.remove(id);
            self.pending.push(PendingWrite::Queue(w));
        }
    }

    /// Remove a queued message's files now (not at the next commit): its
    /// acceptance was taken back after a failed write.
    pub fn queue_remove_now(&mut self, id: &str) -> std::io::Result<()> {
        match &mut self.spool {
            Some(spool) => spool.remove(id).write(),
            None => Ok(()),
        }
    }

    /// The writes queued since the last call.
    pub fn take_pending(&mut self) -> Vec<PendingWrite> {
        std::mem::take(&mut self.pending)
    }

    /// Take back messages whose writes failed: they were never delivered.
    pub fn discard(&mut self, writes: &[PendingWrite]) {
        for w in writes.iter().filter_map(mail) {
            // The writes before the one that failed may be on disk: removed,
            // or a restart would deliver a message its client was told was
            // not kept (and the client's retry would make it twice).
            let _ = maildir::remove_maildir(&w.dir.join(&w.mailbox), &w.uid);
            let gone: Vec<Body> = match self.boxes.get_mut(&w.mailbox) {
                Some(list) => {
                    let (out, keep): (Vec<_>, Vec<_>) = std::mem::take(list)
                        .into_iter()
                        .partition(|m| m.uid == w.uid);
                    *list = keep;
                    out.into_iter().map(|m| m.data).collect()
                }
                None => Vec::new(),
            };
            for d in &gone {
                self.release(d);
                self.resize(&w.mailbox, 0, d.len());
            }
        }
    }

    /// These writes reached the disk: their messages are now read from
    /// their files, and their octets leave memory.
    pub fn committed(&mut self, writes: &[PendingWrite]) {
        for w in writes.iter().filter_map(mail) {
            let folder = Arc::new(w.dir.join(&w.mailbox));
            let mut old = None;
            if let Some(m) = self
                .boxes
                .get_mut(&w.mailbox)
                .and_then(|list| list.iter_mut().find(|m| m.uid == w.uid))
            {
                let disk = Body {
                    len: m.data.len,
                    at: Place::Disk(folder, w.uid.clone()),
                };
                old = Some(std::mem::replace(&mut m.data, disk));
            }
            match old {
                Some(b) => self.release(&b),
                // Deleted (POP3 DELE then QUIT) while its file was being
                // written: the file, now there, goes too, or a restart would
                // bring the message back.
                None => {
                    let _ = remove_maildir(&w.dir.join(&w.mailbox), &w.uid);
                }
            }
        }
    }

    /// Write every pending message now; on failure take them all back.
    pub fn flush(&mut self) -> io::Result<()> {
        let pending = self.take_pending();
        let result = pending.iter().try_for_each(PendingWrite::write);
        match &result {
            Ok(()) => self.committed(&pending),
            Err(_) => self.discard(&pending),
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
            let dir = dir.join(mailbox);
            for uid in uids {
                remove_maildir(&dir, uid)?;
            }
        }
        let gone: Vec<Body> = match self.boxes.get_mut(mailbox) {
            Some(list) => {
                let (out, keep): (Vec<_>, Vec<_>) = std::mem::take(list)
                    .into_iter()
                    .partition(|m| uids.contains(&m.uid));
                *list = keep;
                out.into_iter().map(|m| m.data).collect()
            }
            None => Vec::new(),
        };
        for d in &gone {
            self.release(d);
            self.resize(mailbox, 0, d.len());
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

fn mail(w: &PendingWrite) -> Option<&MailWrite> {
    match w {
        PendingWrite::Mail(m) => Some(m),
        PendingWrite::Queue(_) => None,
    }
}

#[cfg(test)]
mod tests;
