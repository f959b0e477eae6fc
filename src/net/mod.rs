//! The net service: one thread owning a small tokio runtime and the one HTTP client.
//! `NetCommand` in, `NetEvent` out; every event names the request or podcast it answers.

pub mod art;
pub mod directory;
pub mod download;
pub mod extras;
pub mod metered;
mod moving;
pub mod outcome;
mod queue;
pub mod refresh;
mod schedule;
pub mod sync;
pub mod transcripts;

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;

use tokio::sync::{Semaphore, mpsc};

use crate::Waker;
use crate::error::HarkError;
use crate::http;
use crate::library::Library;
use crate::model::{EpisodeId, PodcastId, SyncReport};
use crate::paths::AppPaths;
use crate::player::StreamTarget;
use crate::transcript::{Transcript, TranscriptLink};
use download::DownloadError;
use queue::ActiveDownload;
use std::path::PathBuf;

pub use art::{Art, ArtImage, ArtSize};
pub use outcome::RefreshOutcome;
pub use queue::parallel_downloads;
pub use refresh::{Refreshed, Subscribed};

/// How many feeds are fetched at once during a refresh.
pub const PARALLEL_FEEDS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

#[derive(Debug, Clone)]
pub enum NetCommand {
    Subscribe {
        request: RequestId,
        url: String,
    },
    /// `None` refreshes every subscription.
    Refresh {
        request: RequestId,
        podcasts: Option<Vec<PodcastId>>,
    },
    FetchArt {
        url: String,
        size: art::ArtSize,
    },
    /// Queue a download (at most `parallel_downloads` run at once).
    Download {
        episode: EpisodeId,
    },
    /// Download now, past the queue, and load what arrives into the player.
    Stream {
        episode: EpisodeId,
        into: StreamTarget,
    },
    /// Stop a download; its part file stays for a later resume.
    Cancel {
        episode: EpisodeId,
    },
    /// Remove an episode's download, finished or not.
    Delete {
        episode: EpisodeId,
    },
    /// How many downloads run at once from now on (kept within range, as the setting is).
    SetParallelDownloads(usize),
    /// Move every download to this folder and keep new ones there (`net::moving`).
    MoveDownloads {
        to: PathBuf,
    },
    /// Search the podcast directories for shows by name.
    Discover {
        request: RequestId,
        term: String,
        directories: directory::Directories,
    },
    /// Search the library (off the UI thread: the answer names its request, so an older query's
    /// answer is known as such).
    SearchLibrary {
        request: RequestId,
        query: String,
    },
    /// Subscribe to many feeds (an OPML import), a few at a time.
    Import {
        request: RequestId,
        urls: Vec<String>,
    },
    /// Bring the episode's chapters up to date: its chapters file (conditionally), and the
    /// chapters in its downloaded file if they were not read yet.
    FetchChapters {
        episode: EpisodeId,
    },
    /// Measure a downloaded episode's loudness (if it was not yet) and store it.
    MeasureLoudness {
        episode: EpisodeId,
    },
    /// Refresh every show on a timer with this interval (None: only when asked).
    SetRefreshInterval(Option<std::time::Duration>),
    /// Load a transcript (from the cache, else fetched) and parse it.
    FetchTranscript {
        episode: EpisodeId,
        link: TranscriptLink,
    },
    /// Sync with the account's server now (`net::sync`).
    Sync {
        request: RequestId,
    },
    Shutdown,
}

#[derive(Clone)]
pub enum NetEvent {
    Subscribed {
        request: RequestId,
        result: Result<Subscribed, String>,
    },
    RefreshStarted {
        request: RequestId,
        total: usize,
    },
    PodcastRefreshed {
        request: RequestId,
        podcast: PodcastId,
        title: String,
        result: Result<SyncReport, String>,
    },
    RefreshFinished {
        request: RequestId,
    },
    ArtReady {
        url: String,
        size: art::ArtSize,
        image: Arc<ArtImage>,
    },
    ArtFailed {
        url: String,
        size: art::ArtSize,
        reason: String,
    },
    DownloadQueued {
        episode: EpisodeId,
    },
    DownloadProgress {
        episode: EpisodeId,
        bytes: u64,
        total: Option<u64>,
        bytes_per_sec: f64,
    },
    DownloadDone {
        episode: EpisodeId,
        path: PathBuf,
    },
    /// A downloaded episode's integrated loudness is known (and stored).
    LoudnessMeasured {
        episode: EpisodeId,
        lufs: f64,
    },
    DownloadFailed {
        episode: EpisodeId,
        reason: String,
    },
    DownloadCancelled {
        episode: EpisodeId,
    },
    DownloadDeleted {
        episode: EpisodeId,
    },
    /// The downloads moved to another folder (now the download folder), or why not (none did).
    DownloadsMoved {
        result: Result<crate::library::Relocated, String>,
    },
    /// After a refresh added episodes and auto-download is on.
    AutoDownloads {
        episodes: Vec<EpisodeId>,
    },
    /// The same, not downloaded: the desktop says the connection is metered.
    AutoDownloadsHeld {
        episodes: Vec<EpisodeId>,
    },
    /// One feed of an import is done: subscribed, or failed with a reason.
    ImportProgress {
        request: RequestId,
        done: usize,
        total: usize,
        url: String,
        result: Result<String, String>,
    },
    Discovered {
        request: RequestId,
        result: Result<Vec<directory::DirectoryShow>, String>,
    },
    LibrarySearched {
        request: RequestId,
        result: Result<crate::library::SearchResults, String>,
    },
    /// The library has new chapters for this episode.
    ChaptersChanged {
        episode: EpisodeId,
    },
    /// Its chapters file could not be fetched or read (the chapters held stay).
    ChaptersFailed {
        episode: EpisodeId,
        reason: String,
    },
    TranscriptLoaded {
        episode: EpisodeId,
        url: String,
        result: Result<Arc<Transcript>, String>,
    },
    /// A sync ended: what it moved, or why it failed (one line). `request` is None for the
    /// service's own (after a refresh, on the timer).
    Synced {
        request: Option<RequestId>,
        result: Result<crate::sync::Summary, String>,
    },
    /// The service could not do what was asked at all (library unreadable, …).
    ServiceError {
        message: String,
    },
}

enum Internal {
    Subscribed { request: RequestId, fetched: Result<refresh::FetchedFeed, HarkError> },
    Refreshed { request: RequestId, podcast: PodcastId, fetched: Result<refresh::FetchedFeed, HarkError> },
    DownloadEnded { episode: EpisodeId, result: Result<PathBuf, DownloadError> },
    DownloadsMoved { result: Result<crate::library::Relocated, String> },
    Imported { request: RequestId, url: String, fetched: Result<refresh::FetchedFeed, HarkError> },
    ChaptersFetched { episode: EpisodeId, url: String, result: Result<extras::ChaptersFetched, String> },
    FileChaptersRead { episode: EpisodeId, result: Result<crate::model::FileChapters, String> },
    LoudnessMeasured { episode: EpisodeId, lufs: Option<f64> },
    MeteredChecked { podcast: PodcastId, metered: bool },
    Synced { request: Option<RequestId>, result: Result<crate::sync::Summary, String> },
    TranscriptLoaded { episode: EpisodeId, url: String, result: Result<Arc<Transcript>, String> },
    TranscriptFetched(transcripts::Fetched),
    TranscriptsRoundEnded,
}

pub struct NetService {
    commands: NetSender,
    thread: Option<JoinHandle<()>>,
}

/// A clonable way to send the net service commands (the listening session holds one).
#[derive(Clone)]
pub struct NetSender(mpsc::UnboundedSender<NetCommand>);

impl NetSender {
    pub fn send(&self, command: NetCommand) {
        // Fails only after shutdown, when nobody waits for an answer any more.
        let _ = self.0.send(command);
    }
}

/// What the net service does when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnStart {
    /// Carry on with downloads that were under way when Hark last stopped (the window).
    ResumeDownloads,
    /// Only what it is asked (a CLI command).
    Idle,
}

impl NetService {
    pub fn spawn(
        paths: AppPaths,
        events: Sender<NetEvent>,
        waker: Arc<dyn Waker>,
        on_start: OnStart,
    ) -> Result<Self, HarkError> {
        let library = Library::open(&paths.database())?;
        let parallel_downloads = parallel_downloads(&library)?;
        let (commands, receiver) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("hark-net".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("hark-net-worker")
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                let service = Service {
                    library,
                    paths,
                    events,
                    waker,
                    client: http::client(),
                    refreshes: Default::default(),
                    downloads: Default::default(),
                    imports: Default::default(),
                    download_slots: Arc::new(Semaphore::new(parallel_downloads)),
                    parallel_downloads,
                    measuring: Arc::new(Semaphore::new(1)),
                    schedule: Default::default(),
                    auto_sync: on_start == OnStart::ResumeDownloads,
                    syncing: false,
                    sync_again: None,
                    transcripts: Default::default(),
                    moving: None,
                };
                runtime.block_on(service.run(receiver, on_start));
            })
            .map_err(|e| HarkError::io("could not start the network thread", e))?;
        Ok(Self { commands: NetSender(commands), thread: Some(thread) })
    }

    pub fn send(&self, command: NetCommand) {
        self.commands.send(command);
    }

    pub fn sender(&self) -> NetSender {
        self.commands.clone()
    }
}

impl Drop for NetService {
    fn drop(&mut self) {
        self.send(NetCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Service {
    library: Library,
    paths: AppPaths,
    events: Sender<NetEvent>,
    waker: Arc<dyn Waker>,
    client: reqwest::Client,
    /// Podcasts still outstanding per refresh request.
    refreshes: std::collections::HashMap<RequestId, usize>,
    downloads: std::collections::HashMap<EpisodeId, ActiveDownload>,
    /// Per import request: (feeds done, feeds in all).
    imports: std::collections::HashMap<RequestId, (usize, usize)>,
    download_slots: Arc<Semaphore>,
    parallel_downloads: usize,
    /// Loudness measurements run one at a time.
    measuring: Arc<Semaphore>,
    schedule: schedule::Schedule,
    /// The window's service: it syncs after refreshes, on a timer and as it closes.
    auto_sync: bool,
    syncing: bool,
    /// A sync was asked for while one ran (and by whom).
    sync_again: Option<Option<RequestId>>,
    /// The background transcript fetch (`net::transcripts`).
    transcripts: transcripts::Round,
    /// While the downloads move (`net::moving`): the downloads asked for meanwhile.
    moving: Option<Vec<(EpisodeId, Option<StreamTarget>)>>,
}

impl Service {
    fn emit(&self, event: NetEvent) {
        if self.events.send(event).is_ok() {
            self.waker.wake();
        }
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<NetCommand>, on_start: OnStart) {
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Internal>();
        let feeds = Arc::new(Semaphore::new(PARALLEL_FEEDS));
        let art_slots = Arc::new(Semaphore::new(PARALLEL_FEEDS));
        if on_start == OnStart::ResumeDownloads {
            self.resume_unfinished(&done_tx);
            self.index_cached_transcripts();
        }
        let mut sync_timer = sync::timer(&self.library);
        loop {
            tokio::select! {
                _ = sync_timer.tick(), if self.auto_sync => self.start_sync(None, &done_tx),
                command = commands.recv() => match command {
                    None | Some(NetCommand::Shutdown) => break,
                    Some(NetCommand::Sync { request }) => self.start_sync(Some(request), &done_tx),
                    Some(NetCommand::Subscribe { request, url }) => {
                        let (client, done) = (self.client.clone(), done_tx.clone());
                        tokio::spawn(async move {
                            let fetched = refresh::fetch_new(&client, &url).await;
                            let _ = done.send(Internal::Subscribed { request, fetched });
                        });
                    }
                    Some(NetCommand::Refresh { request, podcasts }) => {
                        self.start_refresh(request, podcasts, &feeds, &done_tx);
                    }
                    Some(NetCommand::Import { request, urls }) => {
                        self.imports.insert(request, (0, urls.len()));
                        for url in urls {
                            let (client, done, slots) = (self.client.clone(), done_tx.clone(), feeds.clone());
                            tokio::spawn(async move {
                                let _permit = slots.acquire_owned().await;
                                let fetched = refresh::fetch_new(&client, &url).await;
                                let _ = done.send(Internal::Imported { request, url, fetched });
                            });
                        }
                    }
                    Some(NetCommand::Download { episode }) => self.start_download(episode, None, &done_tx),
                    Some(NetCommand::Stream { episode, into }) => {
                        self.start_download(episode, Some(into), &done_tx);
                        self.read_streamed_chapters(episode, &done_tx);
                    }
                    Some(NetCommand::Cancel { episode }) => self.cancel_download(episode),
                    Some(NetCommand::Delete { episode }) => self.delete_download(episode),
                    Some(NetCommand::SetParallelDownloads(count)) => self.set_parallel_downloads(count),
                    Some(NetCommand::MoveDownloads { to }) => self.move_downloads(to, &done_tx),
                    Some(NetCommand::SetRefreshInterval(interval)) => self.set_refresh_interval(interval),
                    Some(NetCommand::SearchLibrary { request, query }) => {
                        let result = self.library.search_with_transcripts(&query, &self.paths.transcript_cache());
                        let result = result.map_err(|e| e.to_string());
                        self.emit(NetEvent::LibrarySearched { request, result });
                    }
                    Some(NetCommand::Discover { request, term, directories }) => {
                        let (client, events, waker) = (self.client.clone(), self.events.clone(), self.waker.clone());
                        tokio::spawn(async move {
                            let result = directory::search(&client, &directories, &term).await;
                            if events.send(NetEvent::Discovered { request, result }).is_ok() {
                                waker.wake();
                            }
                        });
                    }
                    Some(NetCommand::FetchChapters { episode }) => self.update_chapters(episode, &done_tx),
                    Some(NetCommand::MeasureLoudness { episode }) => self.measure_if_unmeasured(episode, &done_tx),
                    Some(NetCommand::FetchTranscript { episode, link }) => self.load_transcript(episode, link, &done_tx),
                    Some(NetCommand::FetchArt { url, size }) => {
                        let (client, cache, events, waker, slots) =
                            (self.client.clone(), self.paths.art_cache(), self.events.clone(), self.waker.clone(), art_slots.clone());
                        tokio::spawn(async move {
                            let _permit = slots.acquire_owned().await;
                            let event = match art::load_art(&client, &cache, &url, size).await {
                                Ok(image) => NetEvent::ArtReady { url, size, image: Arc::new(image) },
                                Err(reason) => NetEvent::ArtFailed { url, size, reason },
                            };
                            if events.send(event).is_ok() {
                                waker.wake();
                            }
                        });
                    }
                },
                Some(done) = done_rx.recv() => self.apply(done, &done_tx),
                () = sleep_until(self.schedule.next_wake()) => {
                    if let Some((request, due)) = self.schedule.take_due(&self.library) {
                        self.start_refresh(request, Some(due), &feeds, &done_tx);
                    }
                }
            }
        }
        self.closing_sync(&mut done_rx).await;
    }

    fn set_refresh_interval(&mut self, interval: Option<std::time::Duration>) {
        if let Err(e) = self.schedule.set_interval(interval, &self.library) {
            self.emit(NetEvent::ServiceError { message: e.to_string() });
        }
    }

    fn start_refresh(
        &mut self,
        request: RequestId,
        podcasts: Option<Vec<PodcastId>>,
        slots: &Arc<Semaphore>,
        done: &mpsc::UnboundedSender<Internal>,
    ) {
        let targets = match self.library.refreshable_podcasts() {
            Ok(all) => match podcasts {
                Some(wanted) => all.into_iter().filter(|(id, _)| wanted.contains(id)).collect(),
                None => all,
            },
            Err(e) => {
                self.emit(NetEvent::ServiceError { message: e.to_string() });
                Vec::new()
            }
        };
        self.emit(NetEvent::RefreshStarted { request, total: targets.len() });
        if targets.is_empty() {
            self.emit(NetEvent::RefreshFinished { request });
            return;
        }
        self.refreshes.insert(request, targets.len());
        for (podcast, feed_url) in targets {
            let validators = self.library.validators(podcast).unwrap_or_default();
            let (client, done, slots) = (self.client.clone(), done.clone(), slots.clone());
            tokio::spawn(async move {
                let _permit = slots.acquire_owned().await;
                let fetched = refresh::fetch_known(&client, &feed_url, &validators).await;
                let _ = done.send(Internal::Refreshed { request, podcast, fetched });
            });
        }
    }

    fn apply(&mut self, done: Internal, done_tx: &mpsc::UnboundedSender<Internal>) {
        match done {
            Internal::Imported { request, url, fetched } => {
                let result = fetched
                    .and_then(|fetched| refresh::apply_subscription(&mut self.library, fetched))
                    .map(|s| s.title)
                    .map_err(|e| e.to_string());
                let Some(progress) = self.imports.get_mut(&request) else { return };
                progress.0 += 1;
                let (done, total) = *progress;
                if done == total {
                    self.imports.remove(&request);
                }
                self.emit(NetEvent::ImportProgress { request, done, total, url, result });
            }
            Internal::DownloadEnded { episode, result } => self.download_ended(episode, result, done_tx),
            Internal::DownloadsMoved { result } => self.downloads_moved(result, done_tx),
            Internal::ChaptersFetched { episode, url, result } => self.store_fetched(episode, &url, result),
            Internal::FileChaptersRead { episode, result } => self.store_file_chapters(episode, result),
            Internal::LoudnessMeasured { episode, lufs: Some(lufs) } => {
                match self.library.set_loudness(episode, lufs) {
                    Ok(()) => self.emit(NetEvent::LoudnessMeasured { episode, lufs }),
                    Err(e) => tracing::warn!("loudness of {episode}: {e}"),
                }
            }
            Internal::LoudnessMeasured { .. } => {}
            Internal::MeteredChecked { podcast, metered } => {
                self.auto_download_unless_metered(podcast, metered, done_tx)
            }
            Internal::Synced { request, result } => self.sync_ended(request, result, done_tx),
            Internal::TranscriptLoaded { episode, url, result } => {
                if let Ok(transcript) = &result
                    && let Err(e) = self.library.index_transcript(episode, &url, transcript)
                {
                    tracing::warn!("indexing the transcript of {episode}: {e}");
                }
                self.emit(NetEvent::TranscriptLoaded { episode, url, result });
            }
            Internal::TranscriptFetched(fetched) => {
                transcripts::store(&mut self.library, fetched);
            }
            Internal::TranscriptsRoundEnded => self.transcripts_round_ended(),
            Internal::Subscribed { request, fetched } => {
                let result = fetched
                    .and_then(|fetched| refresh::apply_subscription(&mut self.library, fetched))
                    .map_err(|e| e.to_string());
                self.emit(NetEvent::Subscribed { request, result });
            }
            Internal::Refreshed { request, podcast, fetched } => {
                self.schedule.refreshed(request, podcast, fetched.is_ok());
                self.transcripts.reachable |= fetched.is_ok();
                match refresh::apply_refresh(&mut self.library, podcast, fetched) {
                    Ok(Refreshed { podcast, title, result }) => {
                        if result.as_ref().is_ok_and(|r| r.added > 0) {
                            self.auto_download(podcast, done_tx);
                        }
                        self.emit(NetEvent::PodcastRefreshed { request, podcast, title, result })
                    }
                    // Removed while its fetch was in flight, or the library failed: say so, keep going.
                    Err(e) => self.emit(NetEvent::PodcastRefreshed {
                        request,
                        podcast,
                        title: String::new(),
                        result: Err(e.to_string()),
                    }),
                }
                if let Some(left) = self.refreshes.get_mut(&request) {
                    *left -= 1;
                    if *left == 0 {
                        self.refreshes.remove(&request);
                        self.schedule.batch_finished(request);
                        self.emit(NetEvent::RefreshFinished { request });
                        self.fetch_transcripts(done_tx);
                        if self.auto_sync {
                            self.start_sync(None, done_tx);
                        }
                    }
                }
            }
        }
    }
}

/// Sleeps until `at`; forever when there is nothing to wake for.
async fn sleep_until(at: Option<std::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
