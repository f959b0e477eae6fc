//! Moving the downloads to another folder (the preference `download-folder`) without ever
//! losing one: every file is first placed in the new folder (a hard link on the same disk, else
//! a copy flushed to disk), then the library learns the new places and the new folder in one
//! transaction, and only then do the old files go. Stopped anywhere — a full disk, a folder it
//! may not write, a crash — the library still names files that are there.

use std::path::{Path, PathBuf};

use rusqlite::params;

use super::{Library, keys};
use crate::error::HarkError;
use crate::model::EpisodeId;

/// What a move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relocated {
    pub folder: PathBuf,
    /// Finished downloads moved (unfinished ones' part files move too, uncounted).
    pub files: usize,
    pub bytes: u64,
}

/// One file to place in the new folder; `episode` when the library names it.
struct Placing {
    from: PathBuf,
    to: PathBuf,
    episode: Option<EpisodeId>,
    bytes: u64,
}

/// Room kept free on the new disk beyond the files themselves.
const FREE_SPACE_MARGIN: u64 = 64 * 1024 * 1024;

impl Library {
    /// The folder the listener chose for downloads; None: the default one.
    pub fn download_folder(&self) -> super::Result<Option<PathBuf>> {
        let chosen = self.setting(keys::DOWNLOAD_FOLDER)?.map(PathBuf::from);
        Ok(chosen.filter(|folder| folder.is_absolute()))
    }
}

/// Moves what Hark downloaded in `from` (finished files the library names, and unfinished
/// downloads' part files) to `to`, and makes `to` the download folder (`to == default`: the
/// setting is cleared). No download may be running in `from` meanwhile.
pub fn move_downloads(library: &mut Library, from: &Path, to: &Path, default: &Path) -> Result<Relocated, HarkError> {
    let to = std::path::absolute(to).map_err(|e| HarkError::io(format!("{} is not a folder", to.display()), e))?;
    std::fs::create_dir_all(&to).map_err(|e| HarkError::io(format!("Couldn't create {}", to.display()), e))?;
    let placing = if same_folder(from, &to) { Vec::new() } else { files_to_move(library, from, &to)? };
    check_room(&placing, from, &to)?;
    let mut placed = Vec::new();
    for file in &placing {
        if let Err(e) = place(file) {
            for done in placed {
                let _ = std::fs::remove_file(&done);
            }
            return Err(HarkError::io(format!("Couldn't move {} to {}", file.from.display(), to.display()), e));
        }
        placed.push(file.to.clone());
    }
    sync_folder(&to);
    record_moves(library, &placing, &to, default)?;
    // The library names the new places now: the old files are copies.
    for file in &placing {
        if let Err(e) = std::fs::remove_file(&file.from) {
            tracing::warn!("could not remove {} after moving it: {e}", file.from.display());
        }
    }
    let finished = placing.iter().filter(|f| f.episode.is_some());
    Ok(Relocated { folder: to, files: finished.clone().count(), bytes: finished.map(|f| f.bytes).sum() })
}

/// The new places and the new folder, all or nothing.
fn record_moves(library: &mut Library, placing: &[Placing], to: &Path, default: &Path) -> super::Result<()> {
    let tx = library.conn.transaction()?;
    for file in placing {
        if let Some(episode) = file.episode {
            tx.execute(
                "UPDATE episodes SET downloaded_path = ?2 WHERE id = ?1",
                params![episode.0, file.to.to_string_lossy()],
            )?;
        }
    }
    if same_folder(to, default) {
        tx.execute("DELETE FROM settings WHERE key = ?1", [keys::DOWNLOAD_FOLDER])?;
    } else {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![keys::DOWNLOAD_FOLDER, to.to_string_lossy()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The finished downloads inside `from` the library names, and the part files there.
fn files_to_move(library: &Library, from: &Path, to: &Path) -> Result<Vec<Placing>, HarkError> {
    let mut placing = Vec::new();
    for episode in library.downloaded_episodes()? {
        let Some(path) = episode.path.map(PathBuf::from) else { continue };
        let (Some(name), Ok(meta)) = (path.file_name(), std::fs::metadata(&path)) else { continue };
        // The bundled demo's files, or anything else outside the folder, stay where they are.
        if path.starts_with(from) && meta.is_file() {
            let to = free_place(to, Path::new(name));
            placing.push(Placing { to, from: path, episode: Some(episode.id), bytes: meta.len() });
        }
    }
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(placing),
        Err(e) => return Err(HarkError::io(format!("Couldn't read {}", from.display()), e)),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_str().is_some_and(crate::media::is_part_file) {
            let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
            placing.push(Placing { from: entry.path(), to: to.join(&name), episode: None, bytes });
        }
    }
    Ok(placing)
}

/// `folder/name`, or `folder/name-2.ext` … when a file of that name is there (a copy left by a
/// move that was stopped, say): a file already there is never overwritten.
fn free_place(folder: &Path, name: &Path) -> PathBuf {
    let first = folder.join(name);
    if !first.exists() {
        return first;
    }
    let stem = name.file_stem().unwrap_or_default().to_string_lossy();
    let extension = name.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (2..).map(|n| folder.join(format!("{stem}-{n}{extension}"))).find(|p| !p.exists()).unwrap_or(first)
}

/// A move to another disk needs room there for every file (and a margin).
fn check_room(placing: &[Placing], from: &Path, to: &Path) -> Result<(), HarkError> {
    use std::os::unix::fs::MetadataExt;
    let device = |path: &Path| std::fs::metadata(path).map(|m| m.dev()).ok();
    if placing.is_empty() || (device(from).is_some() && device(from) == device(to)) {
        return Ok(());
    }
    let needed: u64 = placing.iter().map(|f| f.bytes).sum();
    let free = fs4::available_space(to).unwrap_or(u64::MAX);
    if free < needed.saturating_add(FREE_SPACE_MARGIN) {
        return Err(HarkError::Other(format!(
            "Not enough room in {}: the downloads take {}, and {} is free",
            to.display(),
            crate::model::size_text(needed),
            crate::model::size_text(free)
        )));
    }
    Ok(())
}

/// Puts a copy of the file at its new place: a second name on the same disk, else a copy that
/// is on the disk (not just in the cache) before it is given its name.
fn place(file: &Placing) -> std::io::Result<()> {
    if file.to.exists() {
        return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "a file of that name is there already"));
    }
    if std::fs::hard_link(&file.from, &file.to).is_ok() {
        return Ok(());
    }
    let mut staging = file.to.clone().into_os_string();
    staging.push(".moving");
    let staging = PathBuf::from(staging);
    let copied = std::fs::copy(&file.from, &staging)
        .and_then(|_| std::fs::File::open(&staging)?.sync_all())
        .and_then(|()| std::fs::rename(&staging, &file.to));
    if copied.is_err() {
        let _ = std::fs::remove_file(&staging);
    }
    copied
}

/// The new names are on disk too, not only the files.
fn sync_folder(folder: &Path) {
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
}
