//! Reading input files with a size limit, and writing output files so that a
//! reader never sees a half-written one and nothing that is not a regular
//! file is ever replaced.
//!
//! Writing ([`write_atomic`]):
//! - a new file, or an existing regular file, is written to a temporary file
//!   in the same directory, then renamed into place: a failed or interrupted
//!   run leaves the old file as it was. A new file gets the mode the umask
//!   gives (like a shell redirection); an existing file keeps its mode.
//! - a symbolic link to a regular file is replaced by the new file (its
//!   target is never written through).
//! - anything else (`/dev/null`, `/dev/stdout`, a terminal, a FIFO,
//!   `/proc/self/fd/1`) is opened and written as a shell redirection would,
//!   never replaced. A path under `/dev` or `/proc` is never created or
//!   replaced. A block device is refused: writing a report over a disk is
//!   never what was meant.
//!
//! SIGINT and SIGTERM while a temporary file exists remove it, then exit with
//! 130 or 143.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// The largest snapshot (or findings document) read: about 15 times the
/// snapshot of a 10,000-account organization (70 MB).
pub const MAX_SNAPSHOT_BYTES: u64 = 1 << 30;
/// The largest config or rule file read.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// Reads a snapshot or findings document ([`read_text`] with
/// [`MAX_SNAPSHOT_BYTES`]).
pub fn read_snapshot(path: &Path) -> std::io::Result<String> {
    read_text(path, MAX_SNAPSHOT_BYTES)
}

/// Reads a config or rule file ([`read_text`] with [`MAX_CONFIG_BYTES`]).
pub fn read_config(path: &Path) -> std::io::Result<String> {
    read_text(path, MAX_CONFIG_BYTES)
}

/// Reads a UTF-8 text file of at most `limit` bytes. A leading UTF-8 byte
/// order mark is dropped. The errors are `io::Error`s whose message says
/// what is wrong (too large, not UTF-8), ready to follow `cannot read X: `.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind};
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(Error::new(ErrorKind::InvalidInput, "it is a directory"));
    }
    let too_large = || {
        Error::new(
            ErrorKind::InvalidData,
            format!("it is larger than {}, the limit for this file", size(limit)),
        )
    };
    // A regular file says its size: refuse a big one without reading it.
    if meta.is_file() && meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // One byte more than the limit tells a stream (`/dev/zero`, a pipe) that
    // goes on from one that ends exactly at it.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::new(
            ErrorKind::InvalidData,
            format!("it is not UTF-8 text (invalid byte at offset {at})"),
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// `1 GiB`, `16 MiB`, `512 bytes`.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// How an output path is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A new file or a replaced regular file (or symlink to one): temporary
    /// file and rename.
    Replace,
    /// A device, FIFO or process handle: opened and written in place.
    WriteThrough,
}

/// Whether `path` names something in `/dev` or `/proc`: devices and process
/// handles live there, never documents, so nothing there is created or
/// replaced.
fn in_special_dir(path: &Path) -> bool {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(path),
            Err(_) => return false,
        }
    };
    let parent = absolute.parent().unwrap_or(Path::new("/"));
    let parent = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
    parent.starts_with("/dev") || parent.starts_with("/proc")
}

fn refuse(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_string())
}

/// Decides how `path` is written, or why it cannot be.
fn classify(path: &Path) -> std::io::Result<Target> {
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt;
    let special_dir = in_special_dir(path);
    match std::fs::metadata(path) {
        Ok(meta) => {
            let ft = meta.file_type();
            if ft.is_dir() {
                return Err(refuse("it is a directory"));
            }
            #[cfg(unix)]
            if ft.is_block_device() {
                return Err(refuse(
                    "it is a block device; orgaudit does not write reports over a disk",
                ));
            }
            #[cfg(unix)]
            if ft.is_socket() {
                return Err(refuse("it is a socket"));
            }
            if ft.is_file() && !special_dir {
                Ok(Target::Replace)
            } else {
                Ok(Target::WriteThrough)
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if special_dir {
                return Err(refuse(
                    "it does not exist, and orgaudit creates no file in /dev or /proc",
                ));
            }
            // A dangling symbolic link is replaced like any link.
            Ok(Target::Replace)
        }
        Err(e) => Err(e),
    }
}

/// The directory a new file or temporary file for `path` goes into.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Checks, before any work, that `path` can be written: its directory exists
/// and is a directory, and the path itself is not a directory, a block
/// device or a socket. Nothing is created.
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    if classify(path)? == Target::Replace {
        let dir = parent_dir(path);
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(refuse(&format!("{} is not a directory", dir.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refuse(&format!(
                    "the directory {} does not exist",
                    dir.display()
                )))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether two paths are the same regular file (same device and inode, or
/// the same location when neither exists yet). Devices and FIFOs are never
/// "the same file": `-o /dev/null --save-snapshot /dev/null` harms nothing.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(ma), Ok(mb)) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                ma.is_file() && mb.is_file() && ma.dev() == mb.dev() && ma.ino() == mb.ino()
            }
            #[cfg(not(unix))]
            {
                ma.is_file()
                    && mb.is_file()
                    && std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
            }
        }
        (Err(_), Err(_)) => match (location(a), location(b)) {
            (Some(la), Some(lb)) => la == lb,
            _ => false,
        },
        _ => false,
    }
}

/// Where a path that does not exist yet would be: its canonical directory
/// and its file name.
fn location(path: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(parent_dir(path)).ok()?;
    Some(dir.join(path.file_name()?))
}

/// Writes `bytes` to `path` (see the module documentation): a regular file
/// is replaced atomically (on any error the target is left untouched), a
/// device, FIFO or process handle is written through.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// [`write_atomic`] of what `write` writes, streamed through a buffer (the
/// output is never held whole in memory). An error of `write` leaves a
/// regular file untouched, as an I/O error does.
pub fn write_atomic_with<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    match classify(path)? {
        Target::WriteThrough => {
            // As `>` does: no creation, truncation (ignored by devices).
            let file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)?;
            let mut out = std::io::BufWriter::with_capacity(OUT_BUFFER, file);
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
        Target::Replace => replace(path, write),
    }
}

/// The buffer between a renderer and its output file.
const OUT_BUFFER: usize = 256 * 1024;

/// Temporary files being written, removed by the signal handler.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn replace<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    install_signal_cleanup();
    let dir = parent_dir(path);
    // An existing file keeps its mode (and, when we may, its owner).
    let existing = std::fs::metadata(path).ok().filter(|m| m.is_file());
    let (tmp_path, file) = create_temp(dir, path)?;
    let result: Result<(), E> = (|| {
        if let Some(meta) = &existing {
            file.set_permissions(meta.permissions())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                // Root replacing another user's file keeps it theirs; anyone
                // else cannot change the owner and needs not.
                let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
            }
        }
        let mut out = std::io::BufWriter::with_capacity(OUT_BUFFER, file);
        write(&mut out)?;
        test_pause();
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp_path, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    forget_temp(&tmp_path);
    result
}

/// Creates a new temporary file next to `target`, registered for removal on
/// SIGINT/SIGTERM before it exists (so there is no instant when it exists
/// unregistered). A new file's mode is 0666 minus the umask.
fn create_temp(dir: &Path, target: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        lock_in_flight().push(tmp.clone());
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) => {
                forget_temp(&tmp);
                if e.kind() != std::io::ErrorKind::AlreadyExists {
                    return Err(e);
                }
            }
        }
    }
}

fn lock_in_flight() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget_temp(tmp: &Path) {
    lock_in_flight().retain(|p| p != tmp);
}

/// Installs (once) the SIGINT/SIGTERM handler that removes the temporary
/// files being written and exits with 128 + the signal number. It is
/// installed on the first write only: before, the signals keep their
/// default action.
fn install_signal_cleanup() {
    #[cfg(unix)]
    {
        static INSTALLED: OnceLock<()> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            let (ready_tx, ready_rx) = std::sync::mpsc::channel();
            let spawned = std::thread::Builder::new()
                .name("signal-cleanup".to_string())
                .spawn(move || signal_thread(ready_tx));
            if spawned.is_ok() {
                // Wait until the handlers are in place, so that the first
                // temporary file is already covered.
                let _ = ready_rx.recv();
            }
        });
    }
}

#[cfg(unix)]
fn signal_thread(ready: std::sync::mpsc::Sender<()>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        let _ = ready.send(());
        return;
    };
    runtime.block_on(async move {
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            let _ = ready.send(());
            return;
        };
        let _ = ready.send(());
        let code = tokio::select! {
            _ = int.recv() => 130,
            _ = term.recv() => 143,
        };
        for tmp in lock_in_flight().iter() {
            let _ = std::fs::remove_file(tmp);
        }
        std::process::exit(code);
    });
}

/// Files written together into one directory (`--output DIR/`): each is
/// written to a temporary file there, and [`FileSet::commit`] renames them
/// all into place as `STEM.EXT` (one file) or `STEM-1.EXT` … `STEM-N.EXT`,
/// then removes the files of those names that an earlier, larger output
/// left (so that `DIR/*.EXT` is this output, whole). Dropped without a
/// commit, the temporary files are removed and nothing is replaced.
pub struct FileSet {
    dir: PathBuf,
    stem: String,
    ext: String,
    files: Vec<(PathBuf, std::io::BufWriter<std::fs::File>)>,
}

impl FileSet {
    /// A set of files in `dir`, created (with its parents) if missing.
    pub fn new(dir: &Path, stem: &str, ext: &str) -> std::io::Result<FileSet> {
        std::fs::create_dir_all(dir)?;
        if !std::fs::metadata(dir)?.is_dir() {
            return Err(refuse(&format!("{} is not a directory", dir.display())));
        }
        install_signal_cleanup();
        Ok(FileSet {
            dir: dir.to_path_buf(),
            stem: stem.to_string(),
            ext: ext.to_string(),
            files: Vec::new(),
        })
    }

    /// Starts the next file.
    pub fn next_file(&mut self) -> std::io::Result<&mut dyn Write> {
        let target = self.dir.join(format!("{}.{}", self.stem, self.ext));
        let (tmp, file) = create_temp(&self.dir, &target)?;
        self.files
            .push((tmp, std::io::BufWriter::with_capacity(OUT_BUFFER, file)));
        Ok(&mut self.files.last_mut().expect("just pushed").1)
    }

    /// Renames the files into place and removes stale ones; returns the
    /// paths written, in order.
    pub fn commit(mut self) -> std::io::Result<Vec<PathBuf>> {
        let files = std::mem::take(&mut self.files);
        let n = files.len();
        let name = |i: usize| {
            if n == 1 {
                format!("{}.{}", self.stem, self.ext)
            } else {
                format!("{}-{}.{}", self.stem, i + 1, self.ext)
            }
        };
        let mut temps = Vec::with_capacity(n);
        let mut result: std::io::Result<()> = Ok(());
        for (tmp, out) in files {
            if result.is_ok() {
                result = out
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .and_then(|f| f.sync_all());
            }
            temps.push(tmp);
        }
        let mut written = Vec::with_capacity(n);
        if result.is_ok() {
            for (i, tmp) in temps.iter().enumerate() {
                let path = self.dir.join(name(i));
                if let Err(e) = std::fs::rename(tmp, &path) {
                    result = Err(e);
                    break;
                }
                written.push(path);
            }
        }
        for tmp in &temps {
            if result.is_err() {
                let _ = std::fs::remove_file(tmp);
            }
            forget_temp(tmp);
        }
        result?;
        // Stale files of an earlier output: STEM.EXT, STEM-<number>.EXT.
        for entry in std::fs::read_dir(&self.dir)?.flatten() {
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            let ours = file_name
                .strip_prefix(self.stem.as_str())
                .and_then(|rest| rest.strip_suffix(&format!(".{}", self.ext)))
                .is_some_and(|mid| {
                    mid.is_empty()
                        || mid
                            .strip_prefix('-')
                            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                });
            let path = self.dir.join(file_name);
            if ours && !written.contains(&path) && entry.file_type().is_ok_and(|t| t.is_file()) {
                std::fs::remove_file(&path)?;
            }
        }
        Ok(written)
    }
}

impl Drop for FileSet {
    fn drop(&mut self) {
        for (tmp, _) in self.files.drain(..) {
            let _ = std::fs::remove_file(&tmp);
            forget_temp(&tmp);
        }
    }
}

/// Debug builds only: waits `ORGAUDIT_TEST_WRITE_PAUSE_MS` milliseconds
/// while a temporary file is open, so that tests can interrupt a write.
fn test_pause() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("ORGAUDIT_TEST_WRITE_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_text_strips_a_bom_and_enforces_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, "\u{feff}params: {}\n").unwrap();
        assert_eq!(read_text(&p, 100).unwrap(), "params: {}\n");
        let e = read_text(&p, 4).unwrap_err();
        assert!(e.to_string().contains("larger than 4 bytes"), "{e}");
        std::fs::write(&p, b"ok\xff").unwrap();
        let e = read_text(&p, 100).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn read_text_stops_an_endless_stream_at_the_limit() {
        let e = read_text(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
    }

    #[test]
    fn same_file_sees_through_spellings_but_not_devices() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("s.json");
        std::fs::write(&a, "{}").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(same_file(&a, &sub.join("../s.json")));
        assert!(!same_file(&a, &sub.join("t.json")));
        // Neither exists yet: compared by location.
        assert!(same_file(
            &sub.join("x.json"),
            &dir.path().join("sub/./x.json")
        ));
        #[cfg(unix)]
        assert!(!same_file(Path::new("/dev/null"), Path::new("/dev/null")));
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_keeps_an_existing_mode_and_leaves_no_temp_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.txt");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn classify_writes_through_devices_and_refuses_directories() {
        assert_eq!(
            classify(Path::new("/dev/null")).unwrap(),
            Target::WriteThrough
        );
        assert!(classify(Path::new("/dev/no-such-device")).is_err());
        let dir = tempfile::tempdir().unwrap();
        assert!(classify(dir.path()).is_err());
        assert_eq!(
            classify(&dir.path().join("new.json")).unwrap(),
            Target::Replace
        );
        assert!(check_writable(&dir.path().join("nodir/x.json")).is_err());
    }
}
