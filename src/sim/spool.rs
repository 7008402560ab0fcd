//! The mail queue on disk, with `--store DIR`: what Postfix keeps in its
//! queue files. RFC 5321 §6.1: once a server has said 250 to the end of
//! DATA "it is accepting responsibility for delivering or relaying the
//! message … It MUST NOT lose the message for frivolous reasons, such as
//! because the host later crashes". A message waiting for another attempt
//! is therefore written before the 250, and found again when the server
//! starts: `facteur serve --store DIR` stopped and started again still
//! retries, warns and bounces what it had accepted.
//!
//! `DIR/.queue/<id>.eml` holds the message, `DIR/.queue/<id>.json` its
//! envelope and schedule (`QueueFile`). Each file is written under a
//! temporary name, fsync'd and renamed; the message first, its envelope
//! last, so that a message without an envelope is a write that never
//! finished (it was never acknowledged) and is removed when the store is
//! opened. A removal takes the envelope first for the same reason. The
//! folder starts with a dot: Dovecot and mail readers pointed at the
//! Maildirs never see it.
//!
//! The writes of several sessions reach the disk off the world's lock,
//! possibly out of order; each carries the sequence number it was given
//! under the lock, and a write older than one already done for the same
//! message is skipped — a removal is never undone by an earlier save.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::proto::smtp::address::parse_mailbox;
use crate::sim::failure::{Failure, command_name};
use crate::sim::queue::Queued;

/// The queue folder's name under the store.
pub const FOLDER: &str = ".queue";

/// The format's version, written in every envelope file.
const VERSION: u32 = 1;

/// How long the order of a finished write is remembered (a write that
/// waits longer than this in the blocking pool is not expected).
const REMEMBER: Duration = Duration::from_secs(600);

/// The on-disk envelope of a queued message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueFile {
    pub facteur_queue: u32,
    pub id: String,
    pub host: String,
    /// The reverse-path; none for a bounce (`MAIL FROM:<>`).
    pub from: Option<String>,
    pub pending: Vec<FailureFile>,
    pub hops: usize,
    pub arrival: i64,
    pub next_try: i64,
    pub attempts: u32,
    pub warned: bool,
    /// The world's time when this was written (the clock resumes from it).
    pub saved_at: i64,
}

/// A recipient still to deliver and its last temporary reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureFile {
    pub rcpt: String,
    pub status: String,
    pub diagnostic: String,
    pub remote: Option<String>,
    pub in_reply_to: Option<String>,
}

impl QueueFile {
    pub fn of(e: &Queued, now: i64) -> QueueFile {
        QueueFile {
            facteur_queue: VERSION,
            id: e.id.clone(),
            host: e.host.clone(),
            from: e.from.as_ref().map(|m| m.to_string()),
            pending: e
                .pending
                .iter()
                .map(|f| FailureFile {
                    rcpt: f.rcpt.clone(),
                    status: f.status.clone(),
                    diagnostic: f.diagnostic.clone(),
                    remote: f.remote.clone(),
                    in_reply_to: f.in_reply_to.map(str::to_string),
                })
                .collect(),
            hops: e.hops,
            arrival: e.arrival,
            next_try: e.next_try,
            attempts: e.attempts,
            warned: e.warned,
            saved_at: now,
        }
    }

    /// The queued message again, with its octets; why not when the file
    /// does not describe one.
    pub fn queued(self, message: Vec<u8>) -> Result<Queued, String> {
        if self.facteur_queue != VERSION {
            return Err(format!("format version {}", self.facteur_queue));
        }
        if !valid_id(&self.id) {
            return Err("bad queue id".into());
        }
        let from = match &self.from {
            Some(f) => Some(parse_mailbox(f).map_err(|_| format!("bad sender {f:?}"))?),
            None => None,
        };
        if self.pending.is_empty() {
            return Err("no recipient".into());
        }
        Ok(Queued {
            id: self.id,
            host: self.host,
            from,
            pending: self
                .pending
                .into_iter()
                .map(|f| Failure {
                    rcpt: f.rcpt,
                    status: f.status,
                    diagnostic: f.diagnostic,
                    remote: f.remote,
                    in_reply_to: f.in_reply_to.as_deref().and_then(command_name),
                })
                .collect(),
            message: Arc::new(message),
            hops: self.hops,
            arrival: self.arrival,
            next_try: self.next_try,
            attempts: self.attempts,
            warned: self.warned,
        })
    }
}

/// A queue id as facteur makes them (Postfix's style): letters and digits.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The queue folder of a store, and the order its writes were given in.
#[derive(Debug)]
pub struct Spool {
    dir: Arc<PathBuf>,
    order: Arc<Mutex<Order>>,
    seq: u64,
}

/// The last write done for each message (its sequence number, and when).
#[derive(Debug, Default)]
struct Order {
    done: HashMap<String, (u64, Instant)>,
}

/// What opening the queue folder found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub queued: Vec<Queued>,
    /// The latest `saved_at`: the world's clock resumes from there.
    pub saved_at: Option<i64>,
    /// Envelope files that could not be read, and why (left in place).
    pub bad: Vec<(PathBuf, String)>,
    /// Messages whose envelope was never written (removed).
    pub unfinished: usize,
}

impl Spool {
    /// Open (create) `store/.queue` and read what waits there.
    pub fn open(store: &Path) -> io::Result<(Spool, Loaded)> {
        let dir = store.join(FOLDER);
        fs::create_dir_all(&dir)?;
        let mut loaded = Loaded::default();
        let mut names: Vec<String> = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            if !entry.file_type()?.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') && name.ends_with(".tmp") {
                // A write that never reached its rename.
                let _ = fs::remove_file(entry.path());
                continue;
            }
            names.push(name);
        }
        names.sort();
        for name in &names {
            if let Some(id) = name.strip_suffix(".eml")
                && !names.iter().any(|n| n.strip_suffix(".json") == Some(id))
            {
                let _ = fs::remove_file(dir.join(name));
                loaded.unfinished += 1;
            }
        }
        for name in &names {
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            let path = dir.join(name);
            let read = || -> Result<(Queued, i64), String> {
                let text = fs::read_to_string(&path).map_err(|e| e.to_string())?;
                let file: QueueFile = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                if file.id != id {
                    return Err(format!("holds id {:?}", file.id));
                }
                let message = fs::read(dir.join(format!("{id}.eml"))).map_err(|e| e.to_string())?;
                let saved_at = file.saved_at;
                Ok((file.queued(message)?, saved_at))
            };
            match read() {
                Ok((q, saved_at)) => {
                    loaded.saved_at = loaded.saved_at.max(Some(saved_at));
                    loaded.queued.push(q);
                }
                Err(why) => loaded.bad.push((path, why)),
            }
        }
        loaded.queued.sort_by_key(|q| (q.arrival, q.id.clone()));
        let spool = Spool {
            dir: Arc::new(dir),
            order: Arc::default(),
            seq: 0,
        };
        Ok((spool, loaded))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn next(&mut self, id: &str, op: SpoolOp) -> SpoolWrite {
        self.seq += 1;
        SpoolWrite {
            dir: self.dir.clone(),
            order: self.order.clone(),
            id: id.to_string(),
            seq: self.seq,
            op,
        }
    }

    /// Write (or rewrite) a queued message.
    pub fn save(&mut self, e: &Queued, now: i64) -> SpoolWrite {
        let meta = serde_json::to_vec_pretty(&QueueFile::of(e, now)).unwrap_or_default();
        self.next(
            &e.id,
            SpoolOp::Save {
                meta,
                message: e.message.clone(),
            },
        )
    }

    /// Take a message out of the queue (delivered, or returned).
    pub fn remove(&mut self, id: &str) -> SpoolWrite {
        self.next(id, SpoolOp::Remove)
    }
}

/// One change to the queue folder, made durable off the world's lock.
#[derive(Debug, Clone)]
pub struct SpoolWrite {
    dir: Arc<PathBuf>,
    order: Arc<Mutex<Order>>,
    pub id: String,
    seq: u64,
    pub op: SpoolOp,
}

#[derive(Debug, Clone)]
pub enum SpoolOp {
    Save {
        meta: Vec<u8>,
        message: Arc<Vec<u8>>,
    },
    Remove,
}

impl SpoolWrite {
    /// Whether this write puts a message in the queue (its failure means
    /// the message is not safe, and must not be acknowledged).
    pub fn is_save(&self) -> bool {
        matches!(self.op, SpoolOp::Save { .. })
    }

    pub fn write(&self) -> io::Result<()> {
        if !valid_id(&self.id) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad queue id"));
        }
        // One queue write at a time; a write older than one already done
        // for this message is skipped.
        let mut order = self.order.lock().unwrap_or_else(|p| p.into_inner());
        if order
            .done
            .get(&self.id)
            .is_some_and(|(seq, _)| *seq > self.seq)
        {
            return Ok(());
        }
        let eml = self.dir.join(format!("{}.eml", self.id));
        let json = self.dir.join(format!("{}.json", self.id));
        match &self.op {
            SpoolOp::Save { meta, message } => {
                if !eml.exists() {
                    write_atomic(&self.dir, &format!("{}.eml", self.id), message)?;
                }
                write_atomic(&self.dir, &format!("{}.json", self.id), meta)?;
            }
            SpoolOp::Remove => {
                for path in [&json, &eml] {
                    match fs::remove_file(path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
                fs::File::open(&*self.dir)?.sync_all()?;
            }
        }
        let now = Instant::now();
        order.done.insert(self.id.clone(), (self.seq, now));
        if order.done.len() > 1024 {
            order
                .done
                .retain(|_, (_, at)| now.duration_since(*at) < REMEMBER);
        }
        Ok(())
    }
}

/// Write `name` in `dir` whole or not at all: a temporary name, fsync,
/// rename, fsync of the folder.
fn write_atomic(dir: &Path, name: &str, data: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(name))?;
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

    fn queued(id: &str) -> Queued {
        Queued {
            id: id.into(),
            host: "smtp.wanadoo.fr".into(),
            from: Some(parse_mailbox("fred@free.fr").unwrap()),
            pending: vec![Failure {
                rcpt: "lisa@wanadoo.fr".into(),
                status: "4.7.1".into(),
                diagnostic: "450 4.7.1 Greylisted, try again later".into(),
                remote: Some("mx.wanadoo.fr".into()),
                in_reply_to: Some("RCPT TO"),
            }],
            message: Arc::new(b"Subject: hi\r\n\r\nbody\r\n".to_vec()),
            hops: 1,
            arrival: 1_000,
            next_try: 1_300,
            attempts: 1,
            warned: false,
        }
    }

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("facteur-spool-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_saved_message_comes_back_whole() {
        let d = tempdir("back");
        let (mut spool, loaded) = Spool::open(&d).unwrap();
        assert!(loaded.queued.is_empty());
        spool.save(&queued("ABC123"), 1_010).write().unwrap();
        let (_, loaded) = Spool::open(&d).unwrap();
        assert_eq!(loaded.queued.len(), 1);
        let q = &loaded.queued[0];
        assert_eq!(q.id, "ABC123");
        assert_eq!(q.from.as_ref().unwrap().to_string(), "fred@free.fr");
        assert_eq!(q.pending[0].in_reply_to, Some("RCPT TO"));
        assert_eq!(
            q.pending[0].diagnostic,
            "450 4.7.1 Greylisted, try again later"
        );
        assert_eq!(q.message.as_slice(), b"Subject: hi\r\n\r\nbody\r\n");
        assert_eq!((q.arrival, q.next_try, q.attempts), (1_000, 1_300, 1));
        assert_eq!(loaded.saved_at, Some(1_010));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_older_save_never_undoes_a_removal() {
        let d = tempdir("order");
        let (mut spool, _) = Spool::open(&d).unwrap();
        let save = spool.save(&queued("ABC123"), 1_010);
        let remove = spool.remove("ABC123");
        // The removal reaches the disk first, the save after it.
        remove.write().unwrap();
        save.write().unwrap();
        let (_, loaded) = Spool::open(&d).unwrap();
        assert!(loaded.queued.is_empty(), "{:?}", loaded.queued);
        assert_eq!(fs::read_dir(d.join(FOLDER)).unwrap().count(), 0);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn unfinished_and_damaged_files() {
        let d = tempdir("bad");
        let q = d.join(FOLDER);
        fs::create_dir_all(&q).unwrap();
        // A message whose envelope was never written, a temporary file,
        // an envelope that is not JSON, one whose message is missing.
        fs::write(q.join("AAA.eml"), b"x").unwrap();
        fs::write(q.join(".BBB.json.tmp"), b"{").unwrap();
        fs::write(q.join("CCC.json"), b"not json").unwrap();
        fs::write(q.join("DDD.eml"), b"y").unwrap();
        let mut f = QueueFile::of(&queued("EEE"), 5);
        fs::write(q.join("EEE.json"), serde_json::to_vec(&f).unwrap()).unwrap();
        f.id = "DDD".into();
        f.facteur_queue = 9;
        fs::write(q.join("DDD.json"), serde_json::to_vec(&f).unwrap()).unwrap();
        let (_, loaded) = Spool::open(&d).unwrap();
        assert!(loaded.queued.is_empty());
        assert_eq!(loaded.unfinished, 1);
        assert!(!q.join("AAA.eml").exists() && !q.join(".BBB.json.tmp").exists());
        let mut bad: Vec<String> = loaded
            .bad
            .iter()
            .map(|(p, why)| format!("{} {why}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        bad.sort();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(bad[0].starts_with("CCC.json expected"), "{bad:?}");
        assert!(bad[1].starts_with("DDD.json format version 9"), "{bad:?}");
        assert!(bad[2].starts_with("EEE.json No such file"), "{bad:?}");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_save_already_on_disk_is_taken_back_when_its_commit_failed() {
        let d = tempdir("refused");
        let mut store = crate::sim::store::Store::open(&d).unwrap();
        store.queue_save(&queued("ABC123"), 1_010);
        for w in store.take_pending() {
            w.write().unwrap();
        }
        assert_eq!(fs::read_dir(d.join(FOLDER)).unwrap().count(), 2);
        // A later write of the same commit failed: the client heard 452,
        // so the message must not come back after a restart.
        store.queue_remove_now("ABC123").unwrap();
        drop(store);
        let store = crate::sim::store::Store::open(&d).unwrap();
        assert!(store.queue_found.queued.is_empty());
        drop(store);
        fs::remove_dir_all(&d).unwrap();
    }
}
