//! `PartialFile`: an episode's `<id>.part` in the downloads folder, sized as the server says,
//! with the set of byte ranges already there. The downloader writes into it at any offset; the
//! player reads it through a blocking `Read + Seek` that waits for missing bytes and tells the
//! downloader where it wants to read. When every byte is in, the file is synced and renamed to
//! its final name; until then nothing calls it downloaded.
//!
//! The ranges and the server's validator live in `<id>.part.json` next to it, written after
//! the data they describe is synced, so a killed app resumes from what is really on disk.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ranges::RangeSet;
use crate::model::EpisodeId;

/// The range list is checkpointed (data synced first) this often while bytes arrive: a kill
/// loses at most this much of a download. By time only: syncing every few megabytes made a fast
/// download wait on the disk a hundred times over.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// The disk is asked to start writing what arrived every so many bytes, without waiting for it,
/// so that the sync at each checkpoint (and the last one) finds little left to write: a download
/// ends when its last bytes reach the disk, not a page cache's worth later.
const WRITEBACK_EVERY: u64 = 8 << 20;
/// A reader waiting longer than this for bytes reports buffering.
const BUFFERING_AFTER: Duration = Duration::from_millis(200);

/// What the server said the file is: a changed one must be fetched anew.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validator {
    /// True when `answer` names another version of the file than this one.
    pub fn changed_to(&self, answer: &Validator) -> bool {
        match (&self.etag, &answer.etag) {
            (Some(ours), Some(theirs)) => ours != theirs,
            _ => matches!((&self.last_modified, &answer.last_modified), (Some(ours), Some(theirs)) if ours != theirs),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Sidecar {
    url: String,
    total: Option<u64>,
    validator: Validator,
    ranges: RangeSet,
}

impl Sidecar {
    /// Whether a part file of `len` bytes is the one this record is about: as long as the total
    /// it names, and holding every range it claims.
    fn describes(&self, len: u64) -> bool {
        let claimed_end = self.ranges.end();
        self.total.is_none_or(|total| total == len) && claimed_end <= len
    }
}

#[derive(Debug, Default)]
struct State {
    sidecar: Sidecar,
    /// The server honours `Range`.
    seekable: bool,
    /// Where the player waits for bytes.
    wanted: Option<u64>,
    failed: Option<String>,
    last_checkpoint: Option<std::time::Instant>,
    /// Bytes written since the disk was last asked to start writing them.
    not_yet_written_back: u64,
    /// Readers waiting for bytes now: a write wakes them only when there are any (a wake-up
    /// is a system call, and a download writes hundreds of times a second).
    readers_waiting: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes: u64,
    pub total: Option<u64>,
}

pub struct PartialFile {
    episode: EpisodeId,
    part_path: PathBuf,
    sidecar_path: PathBuf,
    file: File,
    state: Mutex<State>,
    changed: Condvar,
    /// Wakes the (async) downloader when the player starts waiting somewhere new.
    want_changed: tokio::sync::Notify,
}

/// The final name of a downloaded episode: its id and an extension from a short known list,
/// never anything taken from the URL or the title.
pub fn final_name(episode: EpisodeId, url: &str, mime: Option<&str>) -> String {
    const KNOWN: [&str; 8] = ["mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "wav"];
    let from_mime = mime.and_then(|m| match m.to_ascii_lowercase().as_str() {
        "audio/mpeg" | "audio/mp3" | "audio/x-mp3" | "audio/mpeg3" => Some("mp3"),
        "audio/mp4" | "audio/x-m4a" | "audio/m4a" | "audio/aac" => Some("m4a"),
        "audio/ogg" | "audio/vorbis" => Some("ogg"),
        "audio/opus" => Some("opus"),
        "audio/flac" | "audio/x-flac" => Some("flac"),
        "audio/wav" | "audio/x-wav" | "audio/wave" => Some("wav"),
        _ => None,
    });
    let from_url = url::Url::parse(url).ok().and_then(|u| {
        let path = u.path().to_ascii_lowercase();
        path.rsplit_once('.').and_then(|(_, ext)| KNOWN.iter().find(|k| **k == ext).copied())
    });
    format!("{}.{}", episode.0, from_url.or(from_mime).unwrap_or("audio"))
}

/// Whether a file name is one of an unfinished download's two files (see `part_paths`).
pub fn is_part_file(name: &str) -> bool {
    let id = name.strip_suffix(".part.json").or_else(|| name.strip_suffix(".part"));
    id.is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// The part file of an episode and the sidecar that lists its ranges.
fn part_paths(dir: &Path, episode: EpisodeId) -> (PathBuf, PathBuf) {
    (dir.join(format!("{}.part", episode.0)), dir.join(format!("{}.part.json", episode.0)))
}

impl PartialFile {
    /// Removes an episode's part file and sidecar, whether or not one is open.
    pub fn remove(dir: &Path, episode: EpisodeId) {
        let (part, sidecar) = part_paths(dir, episode);
        let _ = std::fs::remove_file(part);
        let _ = std::fs::remove_file(sidecar);
    }

    /// Opens the episode's part file, resuming from its sidecar when it is for the same URL.
    pub fn open(dir: &Path, episode: EpisodeId, url: &str) -> io::Result<Arc<Self>> {
        std::fs::create_dir_all(dir)?;
        let (part_path, sidecar_path) = part_paths(dir, episode);
        let file_len = std::fs::metadata(&part_path).ok().map(|m| m.len());
        // The record is trusted only for this address and a part file of the length it says: a
        // file the record does not describe (a crash between the two) starts over.
        let sidecar = std::fs::read(&sidecar_path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Sidecar>(&bytes).ok())
            .filter(|s| s.url == url && file_len.is_some_and(|len| s.describes(len)));
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&part_path)?;
        let sidecar = match sidecar {
            Some(sidecar) => sidecar,
            None => {
                file.set_len(0)?;
                Sidecar { url: url.to_string(), ..Default::default() }
            }
        };
        Ok(Arc::new(Self {
            episode,
            part_path,
            sidecar_path,
            file,
            state: Mutex::new(State { sidecar, seekable: true, ..Default::default() }),
            changed: Condvar::new(),
            want_changed: tokio::sync::Notify::new(),
        }))
    }

    /// How far a part file on disk got, without opening it for writing.
    pub fn peek(dir: &Path, episode: EpisodeId) -> Option<Progress> {
        let bytes = std::fs::read(part_paths(dir, episode).1).ok()?;
        let sidecar: Sidecar = serde_json::from_slice(&bytes).ok()?;
        Some(Progress { bytes: sidecar.ranges.covered(), total: sidecar.total })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn episode(&self) -> EpisodeId {
        self.episode
    }

    /// The folder the part file is in.
    pub fn part_path(&self) -> &Path {
        &self.part_path
    }

    pub fn dir(&self) -> &Path {
        self.part_path.parent().unwrap_or(Path::new("."))
    }

    pub fn url(&self) -> String {
        self.lock().sidecar.url.clone()
    }

    pub fn validator(&self) -> Validator {
        self.lock().sidecar.validator.clone()
    }

    pub fn total(&self) -> Option<u64> {
        self.lock().sidecar.total
    }

    pub fn progress(&self) -> Progress {
        let state = self.lock();
        Progress { bytes: state.sidecar.ranges.covered(), total: state.sidecar.total }
    }

    pub fn has_data(&self) -> bool {
        self.lock().sidecar.ranges.covered() > 0
    }

    pub fn contains(&self, offset: u64) -> bool {
        self.lock().sidecar.ranges.contains(offset)
    }

    /// How many bytes from the start of the file are there without a gap.
    pub fn contiguous_from_start(&self) -> u64 {
        self.lock().sidecar.ranges.contiguous_from(0)
    }

    pub fn next_present(&self, offset: u64) -> Option<u64> {
        self.lock().sidecar.ranges.next_present(offset)
    }

    pub fn is_complete(&self) -> bool {
        let state = self.lock();
        state.sidecar.total.is_some_and(|total| state.sidecar.ranges.covers(total))
    }

    /// Resolves when the player starts waiting for bytes somewhere new.
    pub async fn want_changed(&self) {
        self.want_changed.notified().await
    }

    /// The end of the gap that starts at `offset`: the next byte already there, or the end.
    pub fn gap_end(&self, offset: u64) -> Option<u64> {
        let state = self.lock();
        state.sidecar.ranges.next_present(offset).or(state.sidecar.total)
    }

    /// The first missing byte at or after `from`.
    pub fn next_missing(&self, from: u64) -> Option<u64> {
        let state = self.lock();
        state.sidecar.ranges.next_missing(from, state.sidecar.total)
    }

    /// Starts over: a different file on the server, or one that cannot resume. The record is
    /// written first, then the file resized: a crash in between leaves a record that claims no
    /// bytes, never bytes of one version counted for another.
    pub fn restart(&self, total: Option<u64>, validator: Validator, seekable: bool) -> io::Result<()> {
        let mut state = self.lock();
        state.sidecar.ranges = RangeSet::default();
        state.sidecar.total = total;
        state.sidecar.validator = validator;
        state.seekable = seekable;
        state.failed = None;
        self.write_sidecar(&state.sidecar)?;
        self.file.set_len(0)?;
        if let Some(total) = total {
            self.file.set_len(total)?;
        }
        self.changed.notify_all();
        Ok(())
    }

    /// Learns the size (a first 206 or 200 with a length).
    pub fn set_total(&self, total: u64) -> io::Result<()> {
        let mut state = self.lock();
        if state.sidecar.total != Some(total) {
            self.file.set_len(total)?;
            state.sidecar.total = Some(total);
        }
        Ok(())
    }

    pub fn is_seekable(&self) -> bool {
        self.lock().seekable
    }

    pub fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.file.write_all_at(data, offset)?;
        let checkpoint = {
            let mut state = self.lock();
            state.sidecar.ranges.insert(offset, offset + data.len() as u64);
            if state.readers_waiting > 0 {
                self.changed.notify_all();
            }
            let since = state.last_checkpoint.get_or_insert_with(std::time::Instant::now).elapsed();
            state.not_yet_written_back += data.len() as u64;
            if state.not_yet_written_back >= WRITEBACK_EVERY {
                // The bytes just written (a download writes on from where it was).
                let end = offset + data.len() as u64;
                start_writeback(&self.file, end.saturating_sub(state.not_yet_written_back), end);
                state.not_yet_written_back = 0;
            }
            since >= CHECKPOINT_EVERY
        };
        if checkpoint {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Syncs the data, then records which ranges it holds.
    pub fn checkpoint(&self) -> io::Result<()> {
        self.file.sync_data()?;
        let sidecar = {
            let mut state = self.lock();
            state.last_checkpoint = Some(std::time::Instant::now());
            state.sidecar.clone()
        };
        self.write_sidecar(&sidecar)
    }

    /// The record on disk, replaced whole (a crash leaves the old one or the new one).
    fn write_sidecar(&self, sidecar: &Sidecar) -> io::Result<()> {
        let tmp = self.sidecar_path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(sidecar).map_err(io::Error::other)?)?;
        std::fs::rename(&tmp, &self.sidecar_path)
    }

    /// The length is known only now (no Content-Length): the end of the body is the end.
    pub fn end_at(&self, total: u64) -> io::Result<()> {
        self.file.set_len(total)?;
        let mut state = self.lock();
        state.sidecar.total = Some(total);
        self.changed.notify_all();
        Ok(())
    }

    /// Every byte is in: sync, rename to `final_path`, forget the sidecar.
    pub fn finish(&self, final_path: &Path) -> io::Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.part_path, final_path)?;
        let _ = std::fs::remove_file(&self.sidecar_path);
        self.changed.notify_all();
        Ok(())
    }

    /// The download gave up; a waiting reader gets this error.
    pub fn fail(&self, reason: &str) {
        let mut state = self.lock();
        state.failed = Some(reason.to_string());
        self.changed.notify_all();
    }

    /// Where the player is waiting, taken once by the downloader.
    pub fn take_wanted(&self) -> Option<u64> {
        self.lock().wanted.take()
    }

    pub fn wanted(&self) -> Option<u64> {
        self.lock().wanted
    }

    /// The first `len` bytes (fewer when the file is shorter), once they are all downloaded.
    /// Never asks the download for them: the player decides what is fetched first.
    pub fn head(&self, len: u64) -> io::Result<Option<Vec<u8>>> {
        let (have, total) = {
            let state = self.lock();
            (state.sidecar.ranges.contiguous_from(0), state.sidecar.total)
        };
        let len = total.map_or(len, |total| len.min(total));
        if have < len {
            return Ok(None);
        }
        let mut head = vec![0; len as usize];
        self.file.read_exact_at(&mut head, 0)?;
        Ok(Some(head))
    }

    /// Waits until the byte at `offset` is there (or the download failed, or `give_up` says
    /// so). Returns how many bytes can be read from there.
    fn wait_for(&self, offset: u64, give_up: &dyn Fn() -> bool, notify: &dyn Fn(bool)) -> io::Result<u64> {
        let mut state = self.lock();
        let mut waiting = false;
        let began = std::time::Instant::now();
        loop {
            let available = state.sidecar.ranges.contiguous_from(offset);
            if available > 0 {
                if waiting {
                    notify(false);
                }
                return Ok(available);
            }
            if state.sidecar.total.is_some_and(|total| offset >= total) {
                return Ok(0);
            }
            if let Some(reason) = &state.failed {
                return Err(io::Error::other(DownloadStopped(reason.clone())));
            }
            if give_up() {
                return Err(io::Error::other(Interrupted));
            }
            if state.wanted != Some(offset) {
                state.wanted = Some(offset);
                self.changed.notify_all();
                self.want_changed.notify_one();
            }
            // Short waits are part of streaming; only a real stall is "buffering".
            if !waiting && began.elapsed() >= BUFFERING_AFTER {
                waiting = true;
                notify(true);
            }
            state.readers_waiting += 1;
            state = self
                .changed
                .wait_timeout(state, Duration::from_millis(25))
                .map(|(s, _)| s)
                .unwrap_or_else(|e| e.into_inner().0);
            state.readers_waiting -= 1;
        }
    }

    /// A reader for the player. `give_up` interrupts a wait (a seek or a new episode);
    /// `buffering` is told when a wait starts and ends.
    pub fn reader(
        self: &Arc<Self>,
        give_up: Arc<dyn Fn() -> bool + Send + Sync>,
        buffering: Arc<dyn Fn(bool) + Send + Sync>,
    ) -> PartialReader {
        PartialReader { file: self.clone(), origin: 0, position: 0, give_up, buffering }
    }
}

/// The error a reader returns when its wait was interrupted on purpose.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// The error a reader returns when the download it waits on failed: the download's reason,
/// already in words a listener reads, which the player passes on as it is.
#[derive(Debug)]
pub struct DownloadStopped(pub String);

impl std::fmt::Display for DownloadStopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DownloadStopped {}

pub struct PartialReader {
    file: Arc<PartialFile>,
    /// Where the reader's byte 0 is in the file: past a large ID3 tag, so playback need not
    /// wait for the tag's cover image to download (see `decode::open_source`).
    origin: u64,
    /// Relative to `origin`.
    position: u64,
    give_up: Arc<dyn Fn() -> bool + Send + Sync>,
    buffering: Arc<dyn Fn(bool) + Send + Sync>,
}

impl Read for PartialReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let at = self.origin.saturating_add(self.position);
        let available = self.file.wait_for(at, &*self.give_up, &*self.buffering)?;
        let len = (available.min(buf.len() as u64)) as usize;
        if len == 0 {
            return Ok(0);
        }
        let read = self.file.file.read_at(&mut buf[..len], at)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl PartialReader {
    /// The same reader, with `origin` of the file as its byte 0.
    pub fn starting_at(mut self, origin: u64) -> Self {
        self.origin = origin;
        self.position = 0;
        self
    }

    fn len(&self) -> Option<u64> {
        self.file.total().map(|total| total.saturating_sub(self.origin))
    }
}

impl Seek for PartialReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
            SeekFrom::End(delta) => self.len().and_then(|t| t.checked_add_signed(delta)),
        };
        let target = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek outside the file"))?;
        self.position = target;
        Ok(target)
    }
}

impl symphonia::core::io::MediaSource for PartialReader {
    fn is_seekable(&self) -> bool {
        self.file.is_seekable() && self.file.total().is_some()
    }

    fn byte_len(&self) -> Option<u64> {
        self.len()
    }
}

/// Asks the kernel to start writing the file's dirty pages in `start..end` to disk and returns
/// at once. Only a head start for the syncs: a failure changes nothing, so it is not reported.
fn start_writeback(file: &File, start: u64, end: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let (start, len) = (start.min(i64::MAX as u64) as i64, end.saturating_sub(start).min(i64::MAX as u64) as i64);
        // SAFETY: a plain system call on a descriptor this file owns for the whole call.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), start, len, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, start, end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_names_come_from_ids_not_from_urls() {
        let id = EpisodeId(42);
        assert_eq!(final_name(id, "https://x.example/a/../../etc/passwd", Some("audio/mpeg")), "42.mp3");
        assert_eq!(final_name(id, "https://x.example/ep.M4A?x=1", None), "42.m4a");
        assert_eq!(final_name(id, "https://x.example/episode", None), "42.audio");
    }

    #[test]
    fn a_record_and_a_file_out_of_step_start_over_and_a_restart_writes_its_record_first() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://example.com/a.mp3";
        let part = PartialFile::open(dir.path(), EpisodeId(1), url).unwrap();
        part.set_total(1000).unwrap();
        part.write_at(0, &[7; 600]).unwrap();
        part.checkpoint().unwrap();
        drop(part);
        assert_eq!(PartialFile::peek(dir.path(), EpisodeId(1)).map(|p| p.bytes), Some(600));

        // A restart to another total: the record on disk says so at once, before any byte moves.
        let part = PartialFile::open(dir.path(), EpisodeId(1), url).unwrap();
        assert_eq!(part.progress().bytes, 600, "resumed from its record");
        part.restart(Some(5000), Validator::default(), true).unwrap();
        let on_disk = PartialFile::peek(dir.path(), EpisodeId(1)).unwrap();
        assert_eq!((on_disk.bytes, on_disk.total), (0, Some(5000)));
        drop(part);

        // A part file that is not the length its record names (a crash between the two) is not
        // trusted: nothing of it counts.
        let (part_path, _) = part_paths(dir.path(), EpisodeId(1));
        std::fs::OpenOptions::new().write(true).open(&part_path).unwrap().set_len(123).unwrap();
        let part = PartialFile::open(dir.path(), EpisodeId(1), url).unwrap();
        assert_eq!((part.progress().bytes, part.total()), (0, None), "started over");
    }
}
