//! The store on disk: each mailbox a standard Maildir (tmp/, new/, cur/),
//! written tmp → fsync → rename → folder fsync, so a crash leaves the whole
//! message or none; the advisory lock of one server at a time; the earlier
//! format converted once, UIDLs kept.

use super::*;

impl Store {
    /// A store persisted under `dir` (created if needed), loading what is
    /// there; fails at once if another process holds it.
    pub fn open(dir: &Path) -> Result<Self, OpenError> {
        fs::create_dir_all(dir)?;
        let lock = take_lock(dir)?;
        let mut store = Store {
            dir: Some(dir.to_path_buf()),
            _lock: Some(lock),
            ..Store::default()
        };
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if !entry.file_type()?.is_dir() {
                store.report.skipped.push(entry.path());
                continue;
            }
            let messages = store.load_mailbox(&entry.path())?;
            let total = messages.iter().map(|m| m.data.len()).sum();
            store.resize(&name, total, 0);
            store.boxes.insert(name, messages);
        }
        let (spool, found) = Spool::open(dir)?;
        store.spool = Some(spool);
        store.queue_found = found;
        Ok(store)
    }

    /// One mailbox folder: convert the earlier format, clean tmp/, read
    /// new/ and cur/.
    pub(super) fn load_mailbox(&mut self, dir: &Path) -> io::Result<Vec<StoredMessage>> {
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            let kind = entry.file_type()?;
            if kind.is_dir() && ["tmp", "new", "cur"].contains(&name.as_str()) {
                continue;
            }
            if kind.is_file() && name.starts_with('.') && name.ends_with(".tmp") {
                // A write of the earlier format that never reached its rename.
                let _ = fs::remove_file(entry.path());
            } else if kind.is_file()
                && let Some(uid) = name.strip_suffix(".eml")
                && !uid.is_empty()
                && !uid.contains(':')
            {
                // The earlier format: keep the UIDL as the Maildir name.
                fs::rename(entry.path(), dir.join("new").join(uid))?;
                self.report.converted += 1;
            } else {
                self.report.skipped.push(entry.path());
            }
        }
        // tmp/ holds only deliveries that never finished (we hold the lock).
        for entry in fs::read_dir(dir.join("tmp"))? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let _ = fs::remove_file(entry.path());
            }
        }
        let mut messages = Vec::new();
        let folder = Arc::new(dir.to_path_buf());
        for sub in ["new", "cur"] {
            for entry in fs::read_dir(dir.join(sub))? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().to_string();
                if name.starts_with('.') || !entry.file_type()?.is_file() {
                    self.report.skipped.push(entry.path());
                    continue;
                }
                let uid = name.split(':').next().unwrap_or(&name).to_string();
                self.seq = self.seq.max(seq_of(&uid));
                // Only the index is kept: the octets stay in the file.
                let len = entry.metadata()?.len() as usize;
                messages.push(StoredMessage {
                    data: Body {
                        len,
                        at: Place::Disk(folder.clone(), uid.clone()),
                    },
                    uid,
                });
            }
        }
        // Name order is delivery order (and the order Dovecot numbers them in).
        messages.sort_by(|a, b| a.uid.cmp(&b.uid));
        Ok(messages)
    }
}

/// Take the store's advisory lock, writing our PID in the lock file.
fn take_lock(dir: &Path) -> Result<fs::File, OpenError> {
    let path = dir.join(".facteur.lock");
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let pid = fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            return Err(OpenError::Busy { pid });
        }
        Err(fs::TryLockError::Error(e)) => return Err(OpenError::Io(e)),
    }
    file.set_len(0)?;
    write!(file, "{}", std::process::id())?;
    file.sync_all()?;
    Ok(file)
}

/// The sequence number in a name written by facteur (`…Q<seq>.…`, or the
/// earlier format's leading number).
fn seq_of(uid: &str) -> u64 {
    if let Some(q) = uid
        .split('.')
        .find_map(|p| p.split_once('Q').map(|(_, n)| n))
    {
        return q.parse().unwrap_or(0);
    }
    uid.split('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

pub(super) fn deliver_maildir(dir: &Path, uid: &str, data: &[u8]) -> io::Result<()> {
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    let tmp = dir.join("tmp").join(uid);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join("new").join(uid))?;
        fs::File::open(dir.join("new"))?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Remove a message from new/ or cur/ (where a reader may have moved it,
/// adding `:2,<flags>` to its name).
pub(super) fn remove_maildir(dir: &Path, uid: &str) -> io::Result<()> {
    match fs::remove_file(dir.join("new").join(uid)) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let Ok(entries) = fs::read_dir(dir.join("cur")) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.split(':').next() == Some(uid) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
