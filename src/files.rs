//! Reading a file a person gave (a world, a lesson, a transcript, a
//! message): regular files only (a FIFO would hang the program, `/dev/zero`
//! would never end), and at most a size that depends on what the file is,
//! with an error that says which limit was hit.

use std::io::Read;
use std::path::Path;

use crate::explain::Lang;

/// The largest world file (a room of students fits in a few KiB).
pub const MAX_WORLD: u64 = 4 << 20;
/// The largest lesson file.
pub const MAX_LESSON: u64 = 1 << 20;
/// The largest transcript (100,000 lines take about 10 MB).
pub const MAX_TRANSCRIPT: u64 = 256 << 20;
/// The largest message for `facteur headers`.
pub const MAX_MESSAGE: u64 = 64 << 20;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// A folder, a FIFO, a device…
    NotRegular,
    TooBig {
        cap: u64,
    },
    Io {
        kind: std::io::ErrorKind,
        os: Option<i32>,
    },
}

impl FileError {
    fn io(e: &std::io::Error) -> FileError {
        FileError::Io {
            kind: e.kind(),
            os: e.raw_os_error(),
        }
    }

    /// What is wrong, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            FileError::NotRegular => crate::explain::text(lang, "diag.file.not_regular"),
            FileError::TooBig { cap } => crate::explain::fill(
                lang,
                "diag.file.too_big",
                &[&crate::explain::annotation::human_size(lang, *cap)],
            ),
            FileError::Io { kind, os } => crate::explain::diag::io_kind(lang, *kind, *os),
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

/// Read a regular file of at most `cap` octets.
pub fn read(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    // stat first: opening a FIFO for reading would block.
    let meta = std::fs::metadata(path).map_err(|e| FileError::io(&e))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular);
    }
    if meta.len() > cap {
        return Err(FileError::TooBig { cap });
    }
    let file = std::fs::File::open(path).map_err(|e| FileError::io(&e))?;
    let mut out = Vec::with_capacity(meta.len() as usize);
    // The file may grow between stat and read: never past the cap.
    file.take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| FileError::io(&e))?;
    if out.len() as u64 > cap {
        return Err(FileError::TooBig { cap });
    }
    Ok(out)
}

/// Open a regular file to stream it (a capture of any size is read a
/// buffer at a time, never whole).
pub fn open(path: &Path) -> Result<std::fs::File, FileError> {
    let meta = std::fs::metadata(path).map_err(|e| FileError::io(&e))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular);
    }
    std::fs::File::open(path).map_err(|e| FileError::io(&e))
}

/// The same, as UTF-8 text.
pub fn read_text(path: &Path, cap: u64) -> Result<String, FileError> {
    String::from_utf8(read(path, cap)?).map_err(|_| FileError::Io {
        kind: std::io::ErrorKind::InvalidData,
        os: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_folders_and_big_files_are_refused() {
        assert_eq!(read(Path::new("/dev/zero"), 10), Err(FileError::NotRegular));
        assert_eq!(read(Path::new("/"), 10), Err(FileError::NotRegular));
        let dir = std::env::temp_dir().join(format!("facteur-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big");
        std::fs::write(&f, vec![b'a'; 11]).unwrap();
        assert_eq!(read(&f, 10), Err(FileError::TooBig { cap: 10 }));
        assert_eq!(read(&f, 11).unwrap().len(), 11);
        assert!(matches!(
            read(&dir.join("missing"), 10),
            Err(FileError::Io {
                kind: std::io::ErrorKind::NotFound,
                ..
            })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
