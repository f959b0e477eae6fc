//! The download queue: which downloads run, and how many at once. A download starts (or is
//! joined when it already runs), waits for a slot unless the listener is waiting to hear it, and
//! can be cancelled (its part file kept) or deleted; after a restart the unfinished ones carry on.

use std::ops::RangeInclusive;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::download::{self, DownloadJob};
use super::{Internal, NetEvent, Service};
use crate::library::Library;
use crate::library::keys::PARALLEL_DOWNLOADS;
use crate::media::PartialFile;
use crate::model::{EpisodeId, PodcastId};
use crate::player::{SourceSpec, StreamTarget};

/// Downloads at once when the listener has not chosen.
const PARALLEL_DOWNLOADS_DEFAULT: usize = 3;
/// How many downloads at once the listener may choose.
const PARALLEL_DOWNLOADS_RANGE: RangeInclusive<usize> = 1..=10;

/// How many downloads run at once: the listener's setting, kept within range, else the default.
pub fn parallel_downloads(library: &Library) -> crate::library::Result<usize> {
    let chosen = library.setting(PARALLEL_DOWNLOADS)?.and_then(|value| value.trim().parse().ok());
    Ok(within_range(chosen.unwrap_or(PARALLEL_DOWNLOADS_DEFAULT)))
}

fn within_range(count: usize) -> usize {
    count.clamp(*PARALLEL_DOWNLOADS_RANGE.start(), *PARALLEL_DOWNLOADS_RANGE.end())
}

/// A download under way: its part file (which a stream reads as it grows) and its task.
pub(super) struct ActiveDownload {
    pub(super) part: Arc<PartialFile>,
    pub(super) task: tokio::task::JoinHandle<()>,
    /// Lets a queued download jump the queue when the listener presses Play.
    boost: Arc<tokio::sync::Notify>,
}

impl Service {
    /// Starts (or joins) an episode's download; with a stream target, what arrives is loaded
    /// into the player at once.
    pub(super) fn start_download(
        &mut self,
        episode: EpisodeId,
        stream: Option<StreamTarget>,
        done: &mpsc::UnboundedSender<Internal>,
    ) {
        if let Some(waiting) = &mut self.moving {
            waiting.push((episode, stream));
            return;
        }
        let play = |into: StreamTarget, source: SourceSpec| into.deliver(episode, source);
        if let Some(active) = self.downloads.get(&episode) {
            if let Some(into) = stream {
                active.boost.notify_one();
                play(into, SourceSpec::Partial(active.part.clone()));
            }
            return;
        }
        let fail = |service: &Self, reason: String| service.emit(NetEvent::DownloadFailed { episode, reason });
        let on_disk = match self.library.downloaded_file(episode) {
            Ok(on_disk) => on_disk,
            Err(e) => return fail(self, e.to_string()),
        };
        // Finished since the listener pressed Play: play the file.
        if let Some(path) = on_disk {
            if let Some(into) = stream {
                play(into, SourceSpec::File(path));
            }
            return;
        }
        let details = match self.library.episode(episode) {
            Ok(details) => details,
            Err(e) => return fail(self, e.to_string()),
        };
        let job = DownloadJob {
            episode,
            url: details.summary.url.clone(),
            mime: details.summary.mime.clone(),
            downloads_dir: self.paths.downloads(),
        };
        let part = match PartialFile::open(&job.downloads_dir, episode, &job.url) {
            Ok(part) => part,
            Err(e) => return fail(self, format!("could not create the download file: {e}")),
        };
        let boost = Arc::new(tokio::sync::Notify::new());
        if stream.is_some() {
            boost.notify_one();
        }
        let (client, slots, events, waker, done, wake) = (
            self.client.clone(),
            self.download_slots.clone(),
            self.events.clone(),
            self.waker.clone(),
            done.clone(),
            boost.clone(),
        );
        let task_part = part.clone();
        let task = tokio::spawn(async move {
            // Wait for a slot, unless the listener is waiting to hear it.
            let _permit = tokio::select! {
                permit = slots.acquire_owned() => permit.ok(),
                _ = wake.notified() => None,
            };
            let observer = move |progress: crate::media::Progress, bytes_per_sec: f64| {
                let event =
                    NetEvent::DownloadProgress { episode, bytes: progress.bytes, total: progress.total, bytes_per_sec };
                if events.send(event).is_ok() {
                    waker.wake();
                }
            };
            let result = download::download(&client, &job, &task_part, &observer).await;
            let _ = done.send(Internal::DownloadEnded { episode, result });
        });
        self.downloads.insert(episode, ActiveDownload { part: part.clone(), task, boost });
        self.emit(NetEvent::DownloadQueued { episode });
        if let Some(into) = stream {
            play(into, SourceSpec::Partial(part));
        }
    }

    pub(super) fn download_ended(
        &mut self,
        episode: EpisodeId,
        result: Result<std::path::PathBuf, download::DownloadError>,
        done: &mpsc::UnboundedSender<Internal>,
    ) {
        self.downloads.remove(&episode);
        let event = match result {
            Ok(path) => match self.library.set_downloaded(episode, Some(&path)) {
                Ok(()) => {
                    // A new file may carry chapters of its own, and has a loudness.
                    self.read_file_chapters(episode, path.clone(), done);
                    self.measure_loudness(episode, path.clone(), done);
                    self.keep_newest_downloads(episode);
                    NetEvent::DownloadDone { episode, path }
                }
                Err(e) => NetEvent::DownloadFailed { episode, reason: e.to_string() },
            },
            Err(e) => NetEvent::DownloadFailed { episode, reason: e.to_string() },
        };
        self.emit(event);
    }

    pub(super) fn delete_download(&mut self, episode: EpisodeId) {
        if let Some(active) = self.downloads.remove(&episode) {
            active.task.abort();
        }
        match crate::library::delete_download(&mut self.library, &self.paths.downloads(), episode) {
            Ok(()) => self.emit(NetEvent::DownloadDeleted { episode }),
            Err(e) => self.emit(NetEvent::ServiceError { message: e.to_string() }),
        }
    }

    /// Stops a download where it is; its part file stays for a later resume.
    pub(super) fn cancel_download(&mut self, episode: EpisodeId) {
        if let Some(active) = self.downloads.remove(&episode) {
            active.task.abort();
            let _ = active.part.checkpoint();
            self.emit(NetEvent::DownloadCancelled { episode });
        }
    }

    /// Runs `count` downloads at once from now on (within range); running ones are not stopped.
    pub(super) fn set_parallel_downloads(&mut self, count: usize) {
        let count = within_range(count);
        if count > self.parallel_downloads {
            self.download_slots.add_permits(count - self.parallel_downloads);
        } else {
            self.download_slots.forget_permits(self.parallel_downloads - count);
        }
        self.parallel_downloads = count;
    }

    /// Downloads that were under way when Hark last stopped (killed or quit) carry on.
    pub(super) fn resume_unfinished(&mut self, done: &mpsc::UnboundedSender<Internal>) {
        let Ok(entries) = std::fs::read_dir(self.paths.downloads()) else { return };
        let mut unfinished: Vec<EpisodeId> = entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                name.strip_suffix(".part.json")?.parse().ok().map(EpisodeId)
            })
            .filter(|id| self.library.episode(*id).is_ok_and(|e| !e.summary.downloaded))
            .collect();
        unfinished.sort();
        for episode in unfinished {
            self.start_download(episode, None, done);
        }
    }

    /// Queues the newest episodes of a podcast when the listener asked for that (off by default).
    /// After a refresh added episodes: "download the newest N", unless the desktop says the
    /// connection is metered (asked off the service's thread; the answer comes back as
    /// `Internal::MeteredChecked`).
    pub(super) fn auto_download(&mut self, podcast: PodcastId, done: &mpsc::UnboundedSender<Internal>) {
        if self.library.auto_download_candidates(podcast).is_ok_and(|newest| newest.is_empty()) {
            return;
        }
        let done = done.clone();
        tokio::spawn(async move {
            let metered = tokio::task::spawn_blocking(super::metered::is_metered).await.unwrap_or(false);
            let _ = done.send(Internal::MeteredChecked { podcast, metered });
        });
    }

    pub(super) fn auto_download_unless_metered(
        &mut self,
        podcast: PodcastId,
        metered: bool,
        done: &mpsc::UnboundedSender<Internal>,
    ) {
        let Ok(newest) = self.library.auto_download_candidates(podcast) else { return };
        if metered {
            if !newest.is_empty() {
                tracing::info!("{}", super::metered::held_line(newest.len()));
                self.emit(NetEvent::AutoDownloadsHeld { episodes: newest });
            }
            return;
        }
        for episode in &newest {
            self.start_download(*episode, None, done);
        }
        if !newest.is_empty() {
            self.emit(NetEvent::AutoDownloads { episodes: newest });
        }
    }

    /// "Keep at most N downloads per show": after a download ends, the show's downloads past
    /// the newest N go (see `Library::downloads_past`), never one still downloading.
    pub(super) fn keep_newest_downloads(&mut self, finished: EpisodeId) {
        let keep = crate::preferences::Preferences::load(&self.library).ok().and_then(|p| p.keep_downloads);
        let Some(keep) = keep else { return };
        let Ok(episode) = self.library.episode(finished) else { return };
        let past = self.library.downloads_past(episode.summary.podcast_id, keep).unwrap_or_default();
        let past: Vec<EpisodeId> =
            past.into_iter().filter(|e| *e != finished && !self.downloads.contains_key(e)).collect();
        for episode in past {
            self.delete_download(episode);
        }
    }
}
