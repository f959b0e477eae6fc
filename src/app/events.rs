//! The net service's events and the file dialogs' results, turned into view state.

use eframe::egui;

use super::HarkApp;
use super::dialogs::DialogResult;
use crate::desktop::HandedFile;
use crate::error::HarkError;
use crate::library::SearchResults;
use crate::model::{PodcastId, SyncReport};
use crate::net::directory::DirectoryShow;
use crate::net::{ArtImage, ArtSize, NetEvent, RefreshOutcome, RequestId, Subscribed};
use crate::ui::transcript::TranscriptContent;
use crate::ui::{ArtSlot, DownloadState, DownloadView, Notice, Offer, RefreshProgress};

impl HarkApp {
    /// Each kind of news to the view state it changes.
    pub(super) fn on_net_event(&mut self, event: NetEvent, ctx: &egui::Context) -> Result<(), HarkError> {
        match event {
            NetEvent::Subscribed { request, result } => self.on_subscribed(request, result)?,
            NetEvent::RefreshStarted { request, total } => {
                let progress = RefreshProgress { request, done: 0, total, added: 0, failed: 0 };
                if request.is_timed() {
                    self.timed_refreshes.insert(request, progress);
                } else {
                    self.state.refresh = Some(progress);
                }
            }
            NetEvent::PodcastRefreshed { request, podcast, title: _, result } => {
                self.on_podcast_refreshed(request, podcast, &result)?
            }
            NetEvent::RefreshFinished { request } => self.on_refresh_finished(request)?,
            NetEvent::ArtReady { url, size, image } => self.on_art_ready(url, size, &image, ctx),
            NetEvent::ArtFailed { url, size, reason } => {
                tracing::info!(%url, %reason, "show art unavailable");
                self.state.art.arrived(url, size, ArtSlot::Missing);
            }
            NetEvent::ServiceError { message } => self.state.notice = Some(Notice::error(message)),
            NetEvent::Discovered { request, result } => self.on_discovered(request, result),
            NetEvent::LibrarySearched { request, result } => self.on_library_searched(request, result),
            NetEvent::DownloadQueued { .. }
            | NetEvent::DownloadProgress { .. }
            | NetEvent::DownloadDone { .. }
            | NetEvent::DownloadDeleted { .. }
            | NetEvent::DownloadFailed { .. }
            | NetEvent::DownloadCancelled { .. } => self.on_download_event(event)?,
            NetEvent::ChaptersChanged { .. } | NetEvent::ChaptersFailed { .. } | NetEvent::TranscriptLoaded { .. } => {
                self.on_extras_event(event)?
            }
            // The listening session takes it (the gain of what plays); nothing shows it.
            NetEvent::LoudnessMeasured { .. } => {}
            NetEvent::ImportProgress { request, done, total, url, result } => {
                self.on_import_progress(request, done, total, url, result)?
            }
            NetEvent::Synced { request, result } => self.on_synced(request, &result)?,
            NetEvent::DownloadsMoved { result } => self.downloads_moved(result)?,
            NetEvent::AutoDownloads { episodes } => {
                self.state.notice = Some(Notice::info(format!("Downloading {} new episodes", episodes.len())));
            }
            NetEvent::AutoDownloadsHeld { episodes } => {
                self.state.notice = Some(Notice::info(crate::net::metered::held_line(episodes.len())));
            }
        }
        Ok(())
    }

    fn on_subscribed(&mut self, request: RequestId, result: Result<Subscribed, String>) -> Result<(), HarkError> {
        if self.state.add_podcast.pending.as_ref().map(|(r, _)| *r) != Some(request) {
            return Ok(());
        }
        self.state.add_podcast.pending = None;
        match result {
            Ok(subscribed) => {
                self.state.add_podcast.url.clear();
                self.state.notice = Some(Notice::info(subscribed.summary()));
                self.reload_podcasts()?;
                self.select_podcast(subscribed.podcast)?;
            }
            // Said under the box it was typed in.
            Err(message) => self.state.add_podcast.error = Some(message),
        }
        Ok(())
    }

    fn on_podcast_refreshed(
        &mut self,
        request: RequestId,
        podcast: PodcastId,
        result: &Result<SyncReport, String>,
    ) -> Result<(), HarkError> {
        let progress = match request.is_timed() {
            true => self.timed_refreshes.get_mut(&request),
            false => self.state.refresh.as_mut().filter(|p| p.request == request),
        };
        let Some(progress) = progress else { return Ok(()) };
        progress.done += 1;
        // Most feeds of a refresh are unchanged; the show list is read once for all the
        // others, after the events at hand (see `drain`).
        let had_error = self.state.podcasts.iter().any(|p| p.id == podcast && p.last_error.is_some());
        let changed = match result {
            Ok(report) => {
                progress.added += report.added;
                report.added > 0 || report.updated > 0 || had_error
            }
            Err(_) => {
                progress.failed += 1;
                true
            }
        };
        self.podcasts_stale |= changed;
        if changed && self.state.selected_podcast == Some(podcast) {
            self.refresh_views()?;
        }
        Ok(())
    }

    fn on_refresh_finished(&mut self, request: RequestId) -> Result<(), HarkError> {
        if let Some(progress) = self.timed_refreshes.remove(&request) {
            return self.on_timed_refresh_finished(progress);
        }
        let Some(progress) = self.state.refresh.take_if(|p| p.request == request) else { return Ok(()) };
        let outcome = RefreshOutcome::of(progress.total, progress.failed, progress.added);
        self.state.notice = Some(match outcome {
            RefreshOutcome::Refreshed { .. } => Notice::info(outcome.summary()),
            // Each failure stays on its show in the list, where the reason is.
            RefreshOutcome::SomeFailed { added, .. } => {
                Notice::error(format!("{} (see the list); {added} new episodes", outcome.summary()))
            }
            // A state, not an error: a calm line.
            RefreshOutcome::Offline { .. } => Notice::info(outcome.summary()),
        });
        self.reload_inbox()?;
        self.refresh_views()
    }

    /// A refresh the timer started is quiet: failures stay on their shows, news goes to the
    /// Inbox and the desktop; only going offline is said (in the words a refresh asked for uses).
    fn on_timed_refresh_finished(&mut self, progress: RefreshProgress) -> Result<(), HarkError> {
        let outcome = RefreshOutcome::of(progress.total, progress.failed, progress.added);
        if matches!(outcome, RefreshOutcome::Offline { .. }) {
            self.state.notice = Some(Notice::info(outcome.summary()));
        }
        self.announce_arrivals()?;
        if progress.added > 0 { self.refresh_views() } else { Ok(()) }
    }

    fn on_art_ready(&mut self, url: String, size: ArtSize, image: &ArtImage, ctx: &egui::Context) {
        let color =
            egui::ColorImage::from_rgba_unmultiplied([image.width as usize, image.height as usize], &image.rgba);
        let texture = ctx.load_texture(format!("{url}#{size:?}"), color, egui::TextureOptions::LINEAR);
        self.state.art.arrived(url, size, ArtSlot::Ready(texture));
    }

    /// The answer to the latest query only: an older one that arrives late is dropped.
    fn on_library_searched(&mut self, request: RequestId, result: Result<SearchResults, String>) {
        let find = &mut self.state.find;
        if find.pending.take_if(|pending| *pending == request).is_none() {
            return;
        }
        match result {
            Ok(results) => find.results = Some(results),
            Err(problem) => self.state.notice = Some(Notice::error(problem)),
        }
    }

    fn on_discovered(&mut self, request: RequestId, result: Result<Vec<DirectoryShow>, String>) {
        let discover = &mut self.state.discover;
        let Some((_, term)) = discover.pending.take_if(|(r, _)| *r == request) else { return };
        discover.term = term;
        match result {
            Ok(shows) => {
                discover.problem = None;
                discover.shows = shows;
                let art: Vec<String> = discover.shows.iter().filter_map(|s| s.artwork_url.clone()).collect();
                for url in art {
                    self.want_art(url);
                }
            }
            // A calm line in the Discover window, never a dialog.
            Err(problem) => discover.problem = Some(problem),
        }
    }

    /// One feed of an import done (`done` of `total`); the last one sums up.
    fn on_import_progress(
        &mut self,
        request: RequestId,
        done: usize,
        total: usize,
        url: String,
        result: Result<String, String>,
    ) -> Result<(), HarkError> {
        let Some(import) = self.state.import.as_mut().filter(|i| i.request == request) else { return Ok(()) };
        import.done = done;
        if let Err(reason) = result {
            import.failures.push((url, reason));
        }
        self.reload_podcasts()?;
        if done == total
            && let Some(import) = self.state.import.take()
        {
            let imported = total - import.failures.len();
            self.state.notice = Some(match import.failures.first() {
                None => Notice::info(format!("Imported {imported} podcasts")),
                Some((url, reason)) => Notice::error(format!(
                    "Imported {imported} of {total} podcasts; {} failed, e.g. {url}: {reason}",
                    import.failures.len()
                )),
            });
        }
        Ok(())
    }

    /// Chapters and transcripts of the selected or playing episode.
    fn on_extras_event(&mut self, event: NetEvent) -> Result<(), HarkError> {
        match event {
            NetEvent::ChaptersChanged { episode } => {
                if let Some(page) = self.state.episode_page.as_ref().filter(|p| p.episode.summary.id == episode) {
                    let duration = page.episode.summary.duration_secs.map(f64::from);
                    self.reload_page_chapters(episode, duration)?;
                }
            }
            NetEvent::ChaptersFailed { episode, reason } => {
                let shown = self.state.episode_page.as_ref().is_some_and(|p| p.episode.summary.id == episode);
                if shown || self.listening.playback().episode() == Some(episode) {
                    self.state.notice = Some(Notice::info(format!("Chapters: {reason}")));
                }
            }
            NetEvent::TranscriptLoaded { episode, result, .. } => {
                if let Some(view) = self.state.transcript.as_mut().filter(|v| v.episode == episode) {
                    view.content = match result {
                        Ok(transcript) => TranscriptContent::Ready(transcript),
                        Err(reason) => TranscriptContent::Failed(reason),
                    };
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn on_download_event(&mut self, event: NetEvent) -> Result<(), HarkError> {
        match event {
            NetEvent::DownloadQueued { episode } => {
                let title = self.library.episode(episode).map(|e| e.summary.title).unwrap_or_default();
                self.state.downloads.insert(episode, DownloadView { title, state: DownloadState::Queued });
            }
            NetEvent::DownloadProgress { episode, bytes, total, bytes_per_sec } => {
                if let Some(download) = self.state.downloads.get_mut(&episode) {
                    download.state = DownloadState::Running { bytes, total, bytes_per_sec };
                }
            }
            NetEvent::DownloadDone { episode, .. } | NetEvent::DownloadDeleted { episode } => {
                self.state.downloads.remove(&episode);
                self.refresh_views()?;
                // The Downloads window sizes every file on disk: only while it is open.
                if self.state.downloads_window.open {
                    self.refresh_downloads_window()?;
                }
            }
            // Said at the episode's row and page, and in Downloads; a stream's failure is the
            // failed Play's, said where Play was pressed (`ui::failure`).
            NetEvent::DownloadFailed { episode, reason } => {
                self.state.downloads.remove(&episode);
                if self.state.transport.playback.episode() != Some(episode) {
                    let title = self.library.episode(episode).map(|e| e.summary.title).unwrap_or_default();
                    let state = DownloadState::Failed { reason };
                    self.state.downloads.insert(episode, DownloadView { title, state });
                }
            }
            NetEvent::DownloadCancelled { episode } => {
                self.state.downloads.remove(&episode);
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn on_dialog(&mut self, result: DialogResult) -> Result<(), HarkError> {
        match result {
            DialogResult::Import(Err(message)) => self.state.notice = Some(Notice::error(message)),
            DialogResult::Import(Ok(feeds)) => self.import_feeds(feeds)?,
            DialogResult::Handed(_, Err(message)) => self.state.notice = Some(Notice::error(message)),
            DialogResult::Handed(_, Ok(HandedFile::Feed(url))) => self.state.offer = Some(Offer::Subscribe { url }),
            DialogResult::Handed(path, Ok(HandedFile::Opml(feeds))) => {
                let source =
                    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
                self.state.offer = Some(Offer::Import { source, feeds });
            }
            DialogResult::Exported(Ok(path)) => {
                self.state.notice = Some(Notice::info(format!("Saved your subscriptions to {}", path.display())));
            }
            DialogResult::Exported(Err(message)) => self.state.notice = Some(Notice::error(message)),
            DialogResult::Clipped(Ok(path)) => {
                self.state.notice = Some(Notice::info(format!("Saved the clip to {}", path.display())));
            }
            DialogResult::Clipped(Err(message)) => self.state.notice = Some(Notice::error(message)),
            DialogResult::Folder(folder) => self.move_downloads(folder),
        }
        Ok(())
    }
}
