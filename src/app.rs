//! The window: drains worker events into `UiState`, draws the views, applies their actions.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::error::HarkError;
use crate::library::Library;
use crate::library::keys::{
    AUTO_DOWNLOAD_NEWEST, DELETE_WHEN_PLAYED, DEMO_OFFERED, LAST_EPISODE, PARALLEL_DOWNLOADS, SELECTED_PODCAST, SPEED,
    VOLUME,
};
use crate::model::{EpisodeId, EpisodeSummary, PodcastId};
use crate::mpris::{MediaKeys, MediaRequest};
use crate::net::{NetCommand, NetEvent, NetService, RequestId};
use crate::notes::Document;
use crate::paths::AppPaths;
use crate::player::{OutputChoice, PlaybackState, Player, PlayerEvent, SourceSpec, counts_as_played, resume_point};
use crate::ui::transport::{NowPlaying, PlaybackStatus, round_speed};
use crate::ui::{self, Action, ArtSlot, DownloadState, DownloadView, EpisodePage, Notice, RefreshProgress, UiState};

/// How often the position is written while playing.
const SAVE_EVERY: Duration = Duration::from_secs(2);

pub struct AppOptions {
    pub audio: OutputChoice,
    pub refresh_on_start: bool,
    /// Register media keys / MPRIS on the session bus.
    pub media_keys: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self { audio: OutputChoice::Default, refresh_on_start: true, media_keys: true }
    }
}

struct EguiWaker(egui::Context);

impl crate::Waker for EguiWaker {
    fn wake(&self) {
        self.0.request_repaint();
    }
}

/// A file dialog's outcome, read and parsed off the UI thread.
enum DialogResult {
    Import(Result<Vec<crate::opml::OpmlFeed>, String>),
    Exported(Result<std::path::PathBuf, String>),
}

/// The episode in the transport bar and what has been written about it.
struct Session {
    episode: EpisodeId,
    duration_secs: Option<f64>,
    last_saved: Instant,
    marked_played: bool,
    /// Waiting for the net service to hand over the download to play from: where to start.
    awaiting_stream: Option<(f64, bool)>,
}

pub struct HarkApp {
    paths: AppPaths,
    library: Library,
    net: NetService,
    net_events: Receiver<NetEvent>,
    player: Player,
    player_events: Receiver<PlayerEvent>,
    pub state: UiState,
    session: Option<Session>,
    media_keys: Option<MediaKeys>,
    /// Set until the first frame is drawn (then logged with the time since launch).
    launched: Option<Instant>,
    waker: Arc<dyn crate::Waker>,
    /// What the native file dialogs (on their own threads) came back with.
    dialogs: (std::sync::mpsc::Sender<DialogResult>, Receiver<DialogResult>),
    /// Episodes played before the current one this session, for "previous".
    history: Vec<EpisodeId>,
    next_request: u64,
}

impl HarkApp {
    pub fn new(ctx: &egui::Context, paths: AppPaths, options: AppOptions) -> Result<Self, HarkError> {
        paths.create_all().map_err(|e| HarkError::io(format!("could not create {}", paths.data_dir.display()), e))?;
        let mut library = Library::open(&paths.database())?;
        if library.podcast_count()? == 0 && library.setting(DEMO_OFFERED)?.is_none() {
            crate::assets::install_demo(&mut library, &paths.downloads())?;
            library.set_setting(DEMO_OFFERED, "1")?;
        }
        let waker: Arc<dyn crate::Waker> = Arc::new(EguiWaker(ctx.clone()));
        let (net_tx, net_events) = channel();
        let net = NetService::spawn(paths.clone(), net_tx, waker.clone())?;
        let (player_tx, player_events) = sync_channel(256);
        let player = Player::spawn(options.audio, player_tx, waker.clone());
        let waker_for_dialogs = waker.clone();
        let media_keys = if options.media_keys { MediaKeys::connect(waker) } else { None };
        let mut app = Self {
            paths,
            library,
            net,
            net_events,
            player,
            player_events,
            state: UiState::default(),
            session: None,
            media_keys,
            launched: None,
            waker: waker_for_dialogs,
            dialogs: channel(),
            history: Vec::new(),
            next_request: 0,
        };
        app.state.transport.no_audio_device = app.player.is_silent();
        app.restore_settings()?;
        app.reload_podcasts()?;
        let selected = app
            .library
            .setting(SELECTED_PODCAST)?
            .and_then(|s| s.parse().ok())
            .map(PodcastId)
            .filter(|id| app.state.podcasts.iter().any(|p| p.id == *id))
            .or_else(|| app.state.podcasts.first().map(|p| p.id));
        if let Some(id) = selected {
            app.select_podcast(id)?;
        }
        app.restore_last_episode()?;
        if let Some(parallel) = app.library.setting(PARALLEL_DOWNLOADS)?.and_then(|v| v.parse().ok()) {
            app.net.send(NetCommand::SetParallelDownloads(parallel));
        }
        if options.refresh_on_start && !app.library.refreshable_podcasts()?.is_empty() {
            app.apply(Action::Refresh(None), ctx);
        }
        Ok(app)
    }

    /// Opens the window. `launched` is when the process started, for the first-frame log line.
    pub fn run(paths: AppPaths, launched: Instant) -> Result<(), HarkError> {
        let options = eframe::NativeOptions {
            viewport: egui::ViewportBuilder::default()
                .with_title("Hark")
                .with_app_id("hark")
                .with_inner_size([1200.0, 760.0])
                .with_min_inner_size([760.0, 480.0]),
            ..Default::default()
        };
        eframe::run_native(
            "Hark",
            options,
            Box::new(move |cc| {
                let mut app = HarkApp::new(&cc.egui_ctx, paths, AppOptions::default())?;
                app.launched = Some(launched);
                Ok(Box::new(app))
            }),
        )
        .map_err(|e| HarkError::Other(format!("the window could not start: {e}")))
    }

    fn request_id(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    fn restore_settings(&mut self) -> Result<(), HarkError> {
        let read = |library: &Library, key| -> Result<Option<f32>, HarkError> {
            Ok(library.setting(key)?.and_then(|v| v.parse().ok()))
        };
        if let Some(speed) = read(&self.library, SPEED)? {
            self.state.transport.speed = round_speed(speed);
            self.player.set_speed(self.state.transport.speed);
        }
        if let Some(volume) = read(&self.library, VOLUME)? {
            self.state.transport.volume = volume.clamp(0.0, 1.0);
            self.player.set_volume(self.state.transport.volume);
        }
        Ok(())
    }

    /// Finished downloads with their sizes, the storage they use, and the settings.
    fn refresh_downloads_window(&mut self) -> Result<(), HarkError> {
        let finished: Vec<(EpisodeSummary, u64)> = self
            .library
            .downloaded_episodes()?
            .into_iter()
            .map(|e| {
                let size = e.path.as_ref().and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len()).unwrap_or(0);
                (e, size)
            })
            .collect();
        let window = &mut self.state.downloads_window;
        window.storage_used = finished.iter().map(|(_, size)| size).sum();
        window.finished = finished;
        let setting = |key| self.library.setting(key).ok().flatten();
        window.auto_download_newest = setting(AUTO_DOWNLOAD_NEWEST).and_then(|v| v.parse().ok()).unwrap_or(0);
        window.delete_when_played = setting(DELETE_WHEN_PLAYED).as_deref() == Some("1");
        window.parallel_downloads = setting(PARALLEL_DOWNLOADS)
            .and_then(|v| v.parse().ok())
            .unwrap_or(crate::net::PARALLEL_DOWNLOADS_DEFAULT as u32);
        Ok(())
    }

    fn reload_podcasts(&mut self) -> Result<(), HarkError> {
        self.state.podcasts = self.library.podcasts()?;
        self.state.queue = self.library.queue()?;
        for podcast in &self.state.podcasts {
            if let Some(url) = &podcast.art_url
                && !self.state.art.contains_key(url)
            {
                self.state.art.insert(url.clone(), ArtSlot::Loading);
                self.net.send(NetCommand::FetchArt { url: url.clone() });
            }
        }
        Ok(())
    }

    fn select_podcast(&mut self, id: PodcastId) -> Result<(), HarkError> {
        let podcast = self.library.podcast(id)?;
        self.state.episodes = self.library.episodes(Some(id))?;
        self.state.show = Some(podcast);
        if self.state.selected_podcast != Some(id) {
            self.state.episode_page = None;
        }
        self.state.selected_podcast = Some(id);
        self.library.set_setting(SELECTED_PODCAST, &id.0.to_string())?;
        Ok(())
    }

    fn select_episode(&mut self, id: EpisodeId) -> Result<(), HarkError> {
        let episode = self.library.episode(id)?;
        let notes = Document::from_notes(episode.notes_html.as_deref().unwrap_or_default());
        // Pictures in the notes load on demand, through the same fetch, cache and downscale as art.
        for block in &notes.blocks {
            if let crate::notes::Block::Image { url, .. } = block
                && !self.state.art.contains_key(url)
            {
                self.state.art.insert(url.clone(), ArtSlot::Loading);
                self.net.send(NetCommand::FetchArt { url: url.clone() });
            }
        }
        self.state.episode_page = Some(EpisodePage { episode, notes });
        Ok(())
    }

    /// Re-reads what the views show of the library after a change.
    fn refresh_views(&mut self) -> Result<(), HarkError> {
        self.reload_podcasts()?;
        if let Some(id) = self.state.selected_podcast {
            match self.library.podcast(id) {
                Ok(podcast) => {
                    self.state.show = Some(podcast);
                    self.state.episodes = self.library.episodes(Some(id))?;
                }
                Err(_) => {
                    self.state.selected_podcast = None;
                    self.state.show = None;
                    self.state.episodes.clear();
                    self.state.episode_page = None;
                }
            }
        }
        if let Some(page) = &self.state.episode_page {
            let id = page.episode.summary.id;
            match self.library.episode(id) {
                Ok(episode) => {
                    if let Some(page) = &mut self.state.episode_page {
                        page.episode = episode;
                    }
                }
                Err(_) => self.state.episode_page = None,
            }
        }
        Ok(())
    }

    fn drain_events(&mut self, ctx: &egui::Context) {
        while let Ok(event) = self.net_events.try_recv() {
            if let Err(e) = self.on_net_event(event, ctx) {
                self.state.notice = Some(Notice::error(e.to_string()));
            }
        }
        while let Ok(event) = self.player_events.try_recv() {
            if let Err(e) = self.on_player_event(event) {
                self.state.notice = Some(Notice::error(e.to_string()));
            }
        }
        while let Ok(result) = self.dialogs.1.try_recv() {
            if let Err(e) = self.on_dialog(result) {
                self.state.notice = Some(Notice::error(e.to_string()));
            }
        }
        let requests: Vec<MediaRequest> = self.media_keys.iter().flat_map(|m| m.requests()).collect();
        for request in requests {
            let t = &self.state.transport;
            let playing = matches!(t.status, PlaybackStatus::Playing | PlaybackStatus::Buffering);
            let action = match request {
                MediaRequest::Play if !playing => Action::TogglePlayback,
                MediaRequest::Pause if playing => Action::TogglePlayback,
                MediaRequest::Play | MediaRequest::Pause => continue,
                MediaRequest::Toggle => Action::TogglePlayback,
                MediaRequest::Next => Action::PlayNextInQueue,
                MediaRequest::Previous => Action::PlayPrevious,
                MediaRequest::SeekBy(Some(secs), _) => Action::SeekBy(secs),
                MediaRequest::SeekBy(None, forward) => {
                    Action::SeekBy(if forward { t.skip_secs as f64 } else { -(t.rewind_secs as f64) })
                }
                MediaRequest::SeekTo(secs) => Action::SeekTo(secs),
                MediaRequest::Volume(volume) => Action::SetVolume(volume),
                MediaRequest::Raise => {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
                    continue;
                }
                MediaRequest::Quit => Action::Quit,
            };
            self.apply(action, ctx);
        }
    }

    fn on_dialog(&mut self, result: DialogResult) -> Result<(), HarkError> {
        match result {
            DialogResult::Import(Err(message)) => self.state.notice = Some(Notice::error(message)),
            DialogResult::Import(Ok(feeds)) => {
                let mut urls = Vec::new();
                for feed in feeds {
                    if self.library.find_feed_url(&feed.url)?.is_none() {
                        urls.push(feed.url);
                    }
                }
                if urls.is_empty() {
                    self.state.notice = Some(Notice::info("You already follow every feed in that file"));
                    return Ok(());
                }
                let request = self.request_id();
                self.state.import =
                    Some(crate::ui::ImportProgress { request, done: 0, total: urls.len(), failures: Vec::new() });
                self.net.send(NetCommand::Import { request, urls });
            }
            DialogResult::Exported(Ok(path)) => {
                self.state.notice = Some(Notice::info(format!("Saved your subscriptions to {}", path.display())));
            }
            DialogResult::Exported(Err(message)) => self.state.notice = Some(Notice::error(message)),
        }
        Ok(())
    }

    /// Runs a native file dialog on its own thread (it blocks), then `work` on the choice.
    fn file_dialog(&self, work: impl FnOnce() -> Option<DialogResult> + Send + 'static) {
        let (tx, waker) = (self.dialogs.0.clone(), self.waker.clone());
        let spawned = std::thread::Builder::new().name("hark-file-dialog".into()).spawn(move || {
            if let Some(result) = work()
                && tx.send(result).is_ok()
            {
                waker.wake();
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("no file dialog: {e}");
        }
    }

    /// Tells the desktop (MPRIS) what plays and where.
    fn publish_playback(&mut self) {
        let Some(keys) = &mut self.media_keys else { return };
        let t = &self.state.transport;
        let playing = match t.status {
            PlaybackStatus::Playing | PlaybackStatus::Buffering | PlaybackStatus::Loading => Some(true),
            PlaybackStatus::Paused => Some(false),
            PlaybackStatus::Stopped | PlaybackStatus::Failed(_) => t.now_playing.as_ref().map(|_| false),
        };
        keys.playback(playing, t.position_secs);
    }

    fn publish_now_playing(&mut self) {
        let Some(keys) = &mut self.media_keys else { return };
        let Some(now) = &self.state.transport.now_playing else { return };
        // MPRIS wants a URL it can load: the web address, or our cached copy on disk.
        let art = now.art_url.as_deref().and_then(|url| {
            if url.starts_with("http://") || url.starts_with("https://") {
                Some(url.to_string())
            } else {
                let path = crate::net::art::cached_header(&self.paths.art_cache(), url);
                path.is_file().then(|| format!("file://{}", path.display()))
            }
        });
        keys.now_playing(&now.title, &now.show, art.as_deref(), now.duration_secs);
    }

    fn on_net_event(&mut self, event: NetEvent, ctx: &egui::Context) -> Result<(), HarkError> {
        match event {
            NetEvent::Subscribed { request, result } => {
                if self.state.add_podcast.pending.as_ref().map(|(r, _)| *r) != Some(request) {
                    return Ok(());
                }
                self.state.add_podcast.pending = None;
                match result {
                    Ok(subscribed) => {
                        self.state.add_podcast.url.clear();
                        let verb =
                            if subscribed.already_subscribed { "Already subscribed to" } else { "Subscribed to" };
                        self.state.notice = Some(Notice::info(format!(
                            "{verb} \"{}\" ({} episodes)",
                            subscribed.title, subscribed.episodes
                        )));
                        self.reload_podcasts()?;
                        self.select_podcast(subscribed.podcast)?;
                    }
                    Err(message) => self.state.notice = Some(Notice::error(message)),
                }
            }
            NetEvent::RefreshStarted { request, total } => {
                self.state.refresh = Some(RefreshProgress { request, done: 0, total, added: 0, failed: 0 });
            }
            NetEvent::PodcastRefreshed { request, podcast, title: _, result } => {
                let Some(progress) = self.state.refresh.as_mut().filter(|p| p.request == request) else {
                    return Ok(());
                };
                progress.done += 1;
                match result {
                    Ok(report) => progress.added += report.added,
                    Err(_) => progress.failed += 1,
                }
                let changed = self.state.selected_podcast == Some(podcast);
                self.reload_podcasts()?;
                if changed {
                    self.refresh_views()?;
                }
            }
            NetEvent::RefreshFinished { request } => {
                if let Some(progress) = self.state.refresh.take_if(|p| p.request == request) {
                    let mut text = format!("Refreshed {} podcasts: {} new episodes", progress.total, progress.added);
                    if progress.failed > 0 {
                        text.push_str(&format!(", {} failed (see the list)", progress.failed));
                    }
                    self.state.notice =
                        Some(if progress.failed > 0 { Notice::error(text) } else { Notice::info(text) });
                    self.refresh_views()?;
                }
            }
            NetEvent::ArtReady { url, art } => {
                let texture = |name: &str, image: &crate::net::ArtImage| {
                    let color = egui::ColorImage::from_rgba_unmultiplied(
                        [image.width as usize, image.height as usize],
                        &image.rgba,
                    );
                    ctx.load_texture(name, color, egui::TextureOptions::LINEAR)
                };
                let slot = ArtSlot::Ready {
                    thumbnail: texture(&format!("{url}#thumb"), &art.thumbnail),
                    header: texture(&format!("{url}#header"), &art.header),
                };
                self.state.art.insert(url, slot);
            }
            NetEvent::ArtFailed { url, reason } => {
                tracing::info!(%url, %reason, "show art unavailable");
                self.state.art.insert(url, ArtSlot::Missing);
            }
            NetEvent::ServiceError { message } => self.state.notice = Some(Notice::error(message)),
            NetEvent::StreamReady { episode, part } => {
                let Some(session) = self.session.as_mut().filter(|s| s.episode == episode) else { return Ok(()) };
                if let Some((start, autoplay)) = session.awaiting_stream.take() {
                    self.player.load(episode, SourceSpec::Partial(part), start, autoplay);
                }
            }
            NetEvent::DownloadQueued { episode } => {
                let title = self.library.episode(episode).map(|e| e.summary.title).unwrap_or_default();
                self.state.downloads.insert(episode, DownloadView { title, state: DownloadState::Queued });
            }
            NetEvent::DownloadProgress { episode, bytes, total, bytes_per_sec } => {
                if let Some(download) = self.state.downloads.get_mut(&episode) {
                    download.state = DownloadState::Running { bytes, total, bytes_per_sec };
                }
            }
            NetEvent::DownloadDone { episode, .. } => {
                self.state.downloads.remove(&episode);
                self.refresh_views()?;
                self.refresh_downloads_window()?;
            }
            NetEvent::DownloadFailed { episode, reason } => {
                let title = self.library.episode(episode).map(|e| e.summary.title).unwrap_or_default();
                self.state.notice = Some(Notice::error(format!("Download of \"{title}\" failed: {reason}")));
                self.state.downloads.insert(episode, DownloadView { title, state: DownloadState::Failed { reason } });
            }
            NetEvent::DownloadCancelled { episode } => {
                self.state.downloads.remove(&episode);
            }
            NetEvent::DownloadDeleted { episode } => {
                self.state.downloads.remove(&episode);
                self.refresh_views()?;
                self.refresh_downloads_window()?;
            }
            NetEvent::ImportProgress { request, done, total, url, result } => {
                let Some(import) = self.state.import.as_mut().filter(|i| i.request == request) else { return Ok(()) };
                import.done = done;
                if let Err(reason) = result {
                    import.failures.push((url, reason));
                }
                self.reload_podcasts()?;
                if done == total {
                    let import = self.state.import.take().expect("checked above");
                    let imported = total - import.failures.len();
                    self.state.notice = Some(match import.failures.first() {
                        None => Notice::info(format!("Imported {imported} podcasts")),
                        Some((url, reason)) => Notice::error(format!(
                            "Imported {imported} of {total} podcasts; {} failed, e.g. {url}: {reason}",
                            import.failures.len()
                        )),
                    });
                }
            }
            NetEvent::AutoDownloads { episodes } => {
                self.state.notice = Some(Notice::info(format!("Downloading {} new episodes", episodes.len())));
            }
        }
        Ok(())
    }

    fn on_player_event(&mut self, event: PlayerEvent) -> Result<(), HarkError> {
        let current = self.session.as_ref().map(|s| s.episode);
        if Some(event.episode()) != current {
            return Ok(()); // an answer to an episode that is no longer loaded
        }
        let transport = &mut self.state.transport;
        match event {
            PlayerEvent::Loaded { duration_secs, .. } => {
                if let Some(session) = &mut self.session {
                    session.duration_secs = duration_secs.or(session.duration_secs);
                }
                if let Some(now) = &mut transport.now_playing {
                    now.duration_secs = duration_secs.or(now.duration_secs);
                }
                self.publish_now_playing();
            }
            PlayerEvent::State { state, .. } => {
                transport.status = match state {
                    PlaybackState::Playing => PlaybackStatus::Playing,
                    PlaybackState::Paused => PlaybackStatus::Paused,
                    PlaybackState::Stopped => PlaybackStatus::Stopped,
                };
                if state != PlaybackState::Playing {
                    self.save_position()?;
                }
                self.publish_playback();
            }
            PlayerEvent::Position { secs, .. } => {
                transport.position_secs = secs;
                self.publish_playback();
                let due = self.session.as_ref().is_some_and(|s| s.last_saved.elapsed() >= SAVE_EVERY);
                if due {
                    self.save_position()?;
                }
            }
            PlayerEvent::Buffering { buffering, .. } => {
                if buffering {
                    transport.status = PlaybackStatus::Buffering;
                } else if transport.status == PlaybackStatus::Buffering {
                    transport.status = PlaybackStatus::Playing;
                }
            }
            PlayerEvent::Ended { episode } => {
                transport.status = PlaybackStatus::Stopped;
                // Heard to the end: next time it starts over (and nothing saves the old spot).
                transport.position_secs = 0.0;
                if let Some(session) = &mut self.session {
                    session.marked_played = true;
                }
                self.library.set_position(episode, 0.0)?;
                self.library.set_played(episode, true)?;
                if self.library.setting(DELETE_WHEN_PLAYED)?.as_deref() == Some("1") {
                    self.net.send(NetCommand::Delete { episode });
                }
                self.play_next_in_queue(Some(episode))?;
                self.refresh_views()?;
            }
            PlayerEvent::Failed { reason, .. } => {
                transport.status = PlaybackStatus::Failed(reason.clone());
                self.state.notice = Some(Notice::error(reason));
            }
        }
        Ok(())
    }

    /// Writes the position of the episode in the transport bar, and marks it played near its end.
    fn save_position(&mut self) -> Result<(), HarkError> {
        let Some(session) = &mut self.session else { return Ok(()) };
        let position = self.state.transport.position_secs;
        self.library.set_position(session.episode, position)?;
        session.last_saved = Instant::now();
        if counts_as_played(position, session.duration_secs) && !session.marked_played {
            session.marked_played = true;
            self.library.set_played(session.episode, true)?;
            self.refresh_views()?;
        }
        Ok(())
    }

    fn queue_ids(&self) -> Result<Vec<EpisodeId>, HarkError> {
        Ok(self.library.queue()?.into_iter().map(|e| e.id).collect())
    }

    fn set_queue(&mut self, queue: &[EpisodeId]) -> Result<(), HarkError> {
        self.library.set_queue(queue)?;
        self.state.queue = self.library.queue()?;
        Ok(())
    }

    /// Starts the first episode of Up Next (taking it off the queue), if there is one.
    fn play_next_in_queue(&mut self, finished: Option<EpisodeId>) -> Result<(), HarkError> {
        let mut queue = self.queue_ids()?;
        queue.retain(|id| Some(*id) != finished);
        if queue.is_empty() {
            return self.set_queue(&queue);
        }
        let next = queue.remove(0);
        self.set_queue(&queue)?;
        self.start_episode(next, None, true)
    }

    /// Goes back to the episode played before this one; the current one returns to Up Next.
    fn play_previous(&mut self) -> Result<(), HarkError> {
        let Some(previous) = self.history.pop() else {
            if self.session.is_some() {
                self.player.seek_to(0.0);
            }
            return Ok(());
        };
        if let Some(current) = self.session.as_ref().map(|s| s.episode) {
            let mut queue = self.queue_ids()?;
            queue.retain(|id| *id != current);
            queue.insert(0, current);
            self.set_queue(&queue)?;
        }
        self.start_episode(previous, None, true)?;
        // Starting it pushed the current one on the history; going back must not.
        self.history.pop();
        Ok(())
    }

    /// Loads an episode into the player: from `from`, else where the listener stopped.
    fn start_episode(&mut self, id: EpisodeId, from: Option<f64>, autoplay: bool) -> Result<(), HarkError> {
        self.save_position()?;
        let episode = self.library.episode(id)?;
        let podcast = self.library.podcast_of(id)?;
        let summary = &episode.summary;
        let start = match from {
            Some(from) => from,
            None => resume_point(summary, self.library.last_played_at(id)?, chrono::Utc::now()),
        };
        let path = summary.path.as_ref().filter(|p| std::path::Path::new(p).is_file()).cloned();
        let duration = summary.duration_secs.map(f64::from);
        if let Some(previous) = self.session.as_ref().map(|s| s.episode).filter(|p| *p != id) {
            self.history.push(previous);
        }
        self.session = Some(Session {
            episode: id,
            duration_secs: duration,
            last_saved: Instant::now(),
            marked_played: summary.played,
            awaiting_stream: path.is_none().then_some((start, autoplay)),
        });
        let transport = &mut self.state.transport;
        transport.now_playing = Some(NowPlaying {
            episode: id,
            title: summary.title.clone(),
            show: podcast.title.clone(),
            art_url: episode.image_url.clone().or(podcast.art_url.clone()),
            duration_secs: duration,
        });
        transport.position_secs = start;
        transport.status = if autoplay { PlaybackStatus::Loading } else { PlaybackStatus::Paused };
        let art_url = transport.now_playing.as_ref().and_then(|n| n.art_url.clone());
        match path {
            Some(path) => self.player.load(id, SourceSpec::File(path.into()), start, autoplay),
            // Not downloaded: listening is downloading. The part file comes back as StreamReady.
            // Held paused (at launch), it starts downloading only once the listener presses Play.
            None => {
                self.player.stop();
                if autoplay {
                    self.net.send(NetCommand::Stream { episode: id });
                }
            }
        }
        self.library.set_setting(LAST_EPISODE, &id.0.to_string())?;
        self.publish_now_playing();
        if let Some(url) = art_url
            && !self.state.art.contains_key(&url)
        {
            self.state.art.insert(url.clone(), ArtSlot::Loading);
            self.net.send(NetCommand::FetchArt { url });
        }
        Ok(())
    }

    /// On launch the transport bar holds the last episode, paused where it stopped.
    fn restore_last_episode(&mut self) -> Result<(), HarkError> {
        let Some(id) = self.library.setting(LAST_EPISODE)?.and_then(|v| v.parse().ok()).map(EpisodeId) else {
            return Ok(());
        };
        if self.library.episode(id).is_ok() {
            self.start_episode(id, None, false)?;
        }
        Ok(())
    }

    fn apply(&mut self, action: Action, ctx: &egui::Context) {
        if let Err(e) = self.try_apply(action, ctx) {
            self.state.notice = Some(Notice::error(e.to_string()));
        }
    }

    fn try_apply(&mut self, action: Action, ctx: &egui::Context) -> Result<(), HarkError> {
        match action {
            Action::SelectPodcast(id) => self.select_podcast(id)?,
            Action::SelectEpisode(id) => self.select_episode(id)?,
            Action::Subscribe(url) => {
                let request = self.request_id();
                self.state.add_podcast.pending = Some((request, url.clone()));
                self.net.send(NetCommand::Subscribe { request, url });
            }
            Action::Refresh(podcast) => {
                if self.state.refresh.is_none() {
                    let request = self.request_id();
                    self.state.refresh = Some(RefreshProgress { request, done: 0, total: 0, added: 0, failed: 0 });
                    self.net.send(NetCommand::Refresh { request, podcasts: podcast.map(|p| vec![p]) });
                }
            }
            Action::Unsubscribe(id) => {
                if self.session.as_ref().is_some_and(|s| self.library.podcast_of(s.episode).is_ok_and(|p| p.id == id)) {
                    self.player.stop();
                    self.session = None;
                    self.state.transport.now_playing = None;
                    self.state.transport.status = PlaybackStatus::Stopped;
                }
                let title = self.library.remove_podcast(id)?;
                self.state.notice = Some(Notice::info(format!("Unsubscribed from \"{title}\"")));
                self.refresh_views()?;
                if self.state.selected_podcast.is_none()
                    && let Some(first) = self.state.podcasts.first().map(|p| p.id)
                {
                    self.select_podcast(first)?;
                }
            }
            Action::DismissNotice => self.state.notice = None,
            Action::OpenLink(url) => ctx.open_url(egui::OpenUrl::new_tab(url)),
            Action::Play { episode, from } => {
                let loaded = self.session.as_ref().is_some_and(|s| s.episode == episode);
                match (loaded, from) {
                    (true, Some(secs)) => {
                        self.player.seek_to(secs);
                        self.player.play();
                    }
                    (true, None) => self.player.play(),
                    (false, from) => self.start_episode(episode, from, true)?,
                }
            }
            Action::SetPlayed { episode, played } => {
                // Marked played or unplayed by hand, it starts from the beginning next time.
                self.library.set_played(episode, played)?;
                self.library.set_position(episode, 0.0)?;
                self.refresh_views()?;
            }
            Action::TogglePlayback => match &mut self.session {
                Some(Session { episode, awaiting_stream: Some((_, autoplay)), .. }) if !*autoplay => {
                    *autoplay = true;
                    self.state.transport.status = PlaybackStatus::Loading;
                    self.net.send(NetCommand::Stream { episode: *episode });
                }
                Some(_) => self.player.toggle(),
                None => {}
            },
            Action::SeekBy(delta) => {
                if self.session.is_some() {
                    let target = (self.state.transport.position_secs + delta).max(0.0);
                    self.state.transport.position_secs = target;
                    self.player.seek_by(delta);
                    self.save_position()?;
                }
            }
            Action::SeekTo(secs) => {
                if self.session.is_some() {
                    self.state.transport.position_secs = secs;
                    self.player.seek_to(secs);
                    self.save_position()?;
                }
            }
            Action::SetSpeed(speed) => {
                self.state.transport.speed = round_speed(speed);
                self.player.set_speed(self.state.transport.speed);
                self.library.set_setting(SPEED, &self.state.transport.speed.to_string())?;
            }
            Action::SetVolume(volume) => {
                self.state.transport.volume = volume.clamp(0.0, 1.0);
                self.player.set_volume(self.state.transport.volume);
                if let Some(keys) = &mut self.media_keys {
                    keys.volume(self.state.transport.volume);
                }
                self.library.set_setting(VOLUME, &self.state.transport.volume.to_string())?;
            }
            Action::QueueAdd(id) => {
                let mut queue = self.queue_ids()?;
                if !queue.contains(&id) {
                    queue.push(id);
                }
                self.set_queue(&queue)?;
            }
            Action::QueuePlayNext(id) => {
                let mut queue = self.queue_ids()?;
                queue.retain(|e| *e != id);
                queue.insert(0, id);
                self.set_queue(&queue)?;
            }
            Action::QueueRemove(id) => {
                let mut queue = self.queue_ids()?;
                queue.retain(|e| *e != id);
                self.set_queue(&queue)?;
            }
            Action::QueueMove { episode, up } => {
                let mut queue = self.queue_ids()?;
                if let Some(at) = queue.iter().position(|e| *e == episode) {
                    let to = if up { at.checked_sub(1) } else { Some(at + 1).filter(|t| *t < queue.len()) };
                    if let Some(to) = to {
                        queue.swap(at, to);
                    }
                }
                self.set_queue(&queue)?;
            }
            Action::PlayNextInQueue => self.play_next_in_queue(None)?,
            Action::PlayPrevious => self.play_previous()?,
            Action::Download(episode) => {
                self.state.downloads.remove(&episode);
                self.net.send(NetCommand::Download { episode });
            }
            Action::CancelDownload(episode) => self.net.send(NetCommand::Cancel { episode }),
            Action::DeleteDownload(episode) => self.net.send(NetCommand::Delete { episode }),
            Action::OpenDownloads => {
                self.refresh_downloads_window()?;
                self.state.downloads_window.open = true;
            }
            Action::SetAutoDownload(count) => {
                self.library.set_setting(AUTO_DOWNLOAD_NEWEST, &count.to_string())?;
                self.state.downloads_window.auto_download_newest = count;
            }
            Action::SetDeleteWhenPlayed(delete) => {
                self.library.set_setting(DELETE_WHEN_PLAYED, if delete { "1" } else { "0" })?;
                self.state.downloads_window.delete_when_played = delete;
            }
            Action::SetParallelDownloads(count) => {
                self.library.set_setting(PARALLEL_DOWNLOADS, &count.to_string())?;
                self.state.downloads_window.parallel_downloads = count;
                self.net.send(NetCommand::SetParallelDownloads(count as usize));
            }
            Action::Copy { text, what } => {
                ctx.copy_text(text);
                self.state.notice = Some(Notice::info(format!("Copied the {what}")));
            }
            Action::ImportOpml => self.file_dialog(|| {
                let path = rfd::FileDialog::new()
                    .set_title("Import podcasts")
                    .add_filter("OPML", &["opml", "xml"])
                    .pick_file()?;
                let result = std::fs::read(&path)
                    .map_err(|e| format!("could not read {}: {e}", path.display()))
                    .and_then(|bytes| crate::opml::parse(&bytes).map_err(|e| format!("{}: {e}", path.display())));
                Some(DialogResult::Import(result))
            }),
            Action::ExportOpml => {
                let opml = crate::opml::write(&self.state.podcasts);
                self.file_dialog(move || {
                    let path = rfd::FileDialog::new()
                        .set_title("Export podcasts")
                        .set_file_name("hark-subscriptions.opml")
                        .save_file()?;
                    let result = std::fs::write(&path, opml)
                        .map(|()| path.clone())
                        .map_err(|e| format!("could not write {}: {e}", path.display()));
                    Some(DialogResult::Exported(result))
                })
            }
            Action::Quit => {
                self.save_position()?;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        Ok(())
    }

    /// The player, for tests that check what the engine did.
    pub fn player(&self) -> &Player {
        &self.player
    }

    pub fn library(&self) -> &Library {
        &self.library
    }
}

impl eframe::App for HarkApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.drain_events(&ctx);
        let actions = ui::draw(ui, &mut self.state);
        for action in actions {
            self.apply(action, &ctx);
        }
        if let Some(launched) = self.launched.take() {
            let episodes = self.state.podcasts.iter().map(|p| p.episodes as u64).sum::<u64>();
            tracing::info!("first frame {:?} after launch ({episodes} episodes)", launched.elapsed());
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Err(e) = self.save_position() {
            tracing::warn!("could not save the position on exit: {e}");
        }
    }
}
