//! The window: wires the workers together, turns their events into `UiState`, draws the views
//! and carries out their actions. What plays is the listening session's business.

mod dialogs;
mod events;

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use eframe::egui;

use crate::desktop::instance::{self, Claim, Handoff};
use crate::desktop::{APP_ID, Opening};
use crate::error::HarkError;
use crate::library::Library;
use crate::library::keys::{
    AUTO_DOWNLOAD_NEWEST, DELETE_WHEN_PLAYED, DEMO_OFFERED, PANEL_EPISODE, PANEL_PODCASTS, PARALLEL_DOWNLOADS,
    PODCASTINDEX_KEY, PODCASTINDEX_SECRET, SELECTED_PODCAST,
};
use crate::listening::{Changed, Command, EpisodeChapters, Listening};
use crate::model::{EpisodeId, EpisodeSummary, PodcastId};
use crate::mpris::{MediaKeys, MediaRequest};
use crate::net::directory::Directories;
use crate::net::{ArtSize, NetCommand, NetEvent, NetService, OnStart, RequestId};
use crate::notes::Document;
use crate::paths::AppPaths;
use crate::player::OutputChoice;
use crate::ui::{self, Action, EpisodePage, Notice, RefreshProgress, UiState};
use dialogs::Dialogs;

pub struct AppOptions {
    pub audio: OutputChoice,
    pub refresh_on_start: bool,
    /// Register media keys / MPRIS on the session bus.
    pub media_keys: bool,
    /// Where "find a show by name" asks; None: the environment, else the settings.
    pub directories: Option<Directories>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self { audio: OutputChoice::Default, refresh_on_start: true, media_keys: true, directories: None }
    }
}

struct EguiWaker(egui::Context);

/// How soon after a worker's news the window wakes. Not zero: egui answers a zero-delay request
/// with two frames ("to let things settle"), and while playing that doubled the frames drawn —
/// in a software renderer, most of the window's CPU.
const WAKE_DELAY: std::time::Duration = std::time::Duration::from_millis(1);

impl crate::Waker for EguiWaker {
    fn wake(&self) {
        self.0.request_repaint_after(WAKE_DELAY);
    }
}

pub struct HarkApp {
    paths: AppPaths,
    library: Library,
    net: NetService,
    net_events: Receiver<NetEvent>,
    listening: Listening,
    pub state: UiState,
    media_keys: Option<MediaKeys>,
    /// What the desktop (MPRIS, media keys) asks for, in the order it asked.
    media_requests: (Sender<MediaRequest>, Receiver<MediaRequest>),
    /// What later launches (`hark URL`, a launcher click) asked of this window.
    handoffs: (Sender<Handoff>, Receiver<Handoff>),
    /// Set until the first frame is drawn (then logged with the time since launch).
    launched: Option<Instant>,
    dialogs: Dialogs,
    directories: Option<Directories>,
    next_request: u64,
    /// The chapter last announced to the desktop.
    published_chapter: Option<usize>,
    /// The show list is behind the library (refreshes reported new episodes or errors).
    podcasts_stale: bool,
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
        let net = NetService::spawn(paths.clone(), net_tx, waker.clone(), OnStart::ResumeDownloads)?;
        let listening = Listening::new(Library::open(&paths.database())?, options.audio, net.sender(), waker.clone())?;
        let media_requests = channel();
        let media_keys =
            if options.media_keys { MediaKeys::connect(media_requests.0.clone(), waker.clone()) } else { None };
        let mut app = Self {
            paths,
            library,
            net,
            net_events,
            listening,
            state: UiState::default(),
            media_keys,
            media_requests,
            handoffs: channel(),
            launched: None,
            dialogs: Dialogs::new(waker),
            directories: options.directories,
            next_request: 0,
            published_chapter: None,
            podcasts_stale: false,
        };
        app.state.transport.no_audio_device = app.listening.player().is_silent();
        let width =
            |key| -> Result<Option<f32>, HarkError> { Ok(app.library.setting(key)?.and_then(|v| v.parse().ok())) };
        app.state.panels = ui::PanelWidths::restored(width(PANEL_PODCASTS)?, width(PANEL_EPISODE)?);
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
        let restored = app.listening.restore_last()?;
        app.on_listening(restored);
        if options.refresh_on_start && !app.library.refreshable_podcasts()?.is_empty() {
            app.apply(Action::Refresh(None), ctx);
        }
        Ok(app)
    }

    /// Opens the window, with `opening` offered in it; or, when a window is already open on
    /// this library, hands `opening` to it and returns. `launched` is when the process started,
    /// for the first-frame log line.
    pub fn run(paths: AppPaths, launched: Instant, opening: Option<Opening>) -> Result<(), HarkError> {
        paths.create_all().map_err(|e| HarkError::io(format!("could not create {}", paths.data_dir.display()), e))?;
        let handoff = opening.clone().map_or(Handoff::Raise, Handoff::Open);
        let listener = match instance::claim(&paths.data_dir, &handoff) {
            Claim::HandedOver => {
                eprintln!("Hark is already open: handed over to its window");
                return Ok(());
            }
            Claim::First(listener) => listener,
        };
        let icon = eframe::icon_data::from_png_bytes(crate::desktop::install::window_icon_png())
            .map_err(|e| HarkError::Other(format!("the window icon: {e}")))?;
        let options = eframe::NativeOptions {
            viewport: egui::ViewportBuilder::default()
                .with_title("Hark")
                .with_app_id(APP_ID)
                .with_icon(icon)
                .with_inner_size([1200.0, 760.0])
                .with_min_inner_size([760.0, 480.0]),
            // Dithering is a per-pixel cost in every frame; flat dark panels show no banding.
            dithering: false,
            ..Default::default()
        };
        eframe::run_native(
            "Hark",
            options,
            Box::new(move |cc| {
                let mut app = HarkApp::new(&cc.egui_ctx, paths, AppOptions::default())?;
                app.launched = Some(launched);
                if let Some(opening) = opening {
                    app.open(opening);
                }
                if let Some(listener) = listener {
                    listener.serve(app.handoffs(), Arc::new(EguiWaker(cc.egui_ctx.clone())));
                }
                Ok(Box::new(app))
            }),
        )
        .map_err(|e| HarkError::Other(format!("the window could not start: {e}")))
    }

    /// The listening session, for tests that check what plays.
    pub fn listening(&self) -> &Listening {
        &self.listening
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Where the desktop's requests come in: MPRIS and media keys send here (and tests, as
    /// the desktop would).
    pub fn media_requests(&self) -> Sender<MediaRequest> {
        self.media_requests.0.clone()
    }

    /// Opens the transcript window on an episode's transcript (in the show's language, the best
    /// format), loaded by the net service.
    fn open_transcript(&mut self, id: EpisodeId) -> Result<(), HarkError> {
        let episode = self.library.episode(id)?;
        let content = match self.library.chosen_transcript(id)? {
            Some(link) => {
                self.net.send(NetCommand::FetchTranscript { episode: id, link });
                ui::transcript::TranscriptContent::Loading
            }
            None => ui::transcript::TranscriptContent::Failed("No transcript in a format Hark reads".into()),
        };
        self.state.transcript = Some(ui::transcript::TranscriptView {
            episode: id,
            title: episode.summary.title.clone(),
            link: episode.link.clone().unwrap_or_else(|| episode.summary.url.clone()),
            content,
            follow: true,
            find: String::new(),
            found_at: 0,
            spoken: None,
        });
        Ok(())
    }

    /// Where later launches hand over what they were asked to open (and tests, as they would).
    pub fn handoffs(&self) -> Sender<Handoff> {
        self.handoffs.0.clone()
    }

    /// Offers what another program handed over: "Subscribe to …?" for a feed; an OPML file is
    /// read off the UI thread first.
    pub fn open(&mut self, opening: Opening) {
        match opening {
            Opening::Feed(url) => self.state.offer = Some(ui::Offer::Subscribe { url }),
            Opening::Opml(path) => self.dialogs.read_handed(path),
        }
    }

    fn request_id(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    /// Everything the workers and the desktop sent since the last call. eframe calls this
    /// also while the window is hidden, so media keys, Up Next and downloads never wait for it.
    fn drain(&mut self, ctx: &egui::Context) {
        while let Ok(event) = self.net_events.try_recv() {
            let changed = self.listening.on_net_event(&event);
            self.on_listening(changed);
            if let Err(e) = self.on_net_event(event, ctx) {
                self.state.notice = Some(Notice::error(e.to_string()));
            }
        }
        if std::mem::take(&mut self.podcasts_stale)
            && let Err(e) = self.reload_podcasts()
        {
            self.state.notice = Some(Notice::error(e.to_string()));
        }
        match self.listening.poll() {
            Ok(changed) => self.on_listening(changed),
            Err(e) => self.state.notice = Some(Notice::error(e.to_string())),
        }
        while let Some(result) = self.dialogs.finished() {
            if let Err(e) = self.on_dialog(result) {
                self.state.notice = Some(Notice::error(e.to_string()));
            }
        }
        while let Ok(handoff) = self.handoffs.1.try_recv() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
            if let Handoff::Open(opening) = handoff {
                self.open(opening);
            }
        }
        while let Ok(request) = self.media_requests.1.try_recv() {
            let command = crate::mpris::command(&request, self.listening.playback());
            match (command, request) {
                (Some(command), _) => self.listen(command),
                (None, MediaRequest::Raise) => ctx.send_viewport_cmd(egui::ViewportCommand::Focus),
                (None, MediaRequest::Quit) => self.apply(Action::Quit, ctx),
                (None, _) => {}
            }
        }
    }

    fn listen(&mut self, command: Command) {
        match self.listening.handle(command) {
            Ok(changed) => self.on_listening(changed),
            Err(e) => self.state.notice = Some(Notice::error(e.to_string())),
        }
    }

    /// What the session changed, into the views and out to the desktop.
    fn on_listening(&mut self, changed: Changed) {
        if !changed.any() {
            return;
        }
        let transport = &mut self.state.transport;
        transport.playback = self.listening.playback().clone();
        transport.speed = self.listening.speed();
        let volume_changed = transport.volume != self.listening.volume();
        transport.volume = self.listening.volume();
        if changed.track || changed.chapters {
            transport.chapters = self.listening.chapters().clone();
        }
        transport.sleep = self.listening.sleep_timer();
        transport.listener_sound = self.listening.listener_sound();
        transport.sound_now = transport.playback.track().map(|_| self.listening.sound().audio);
        // An open Statistics window and the playing episode's page follow the listening, read
        // again only when the session wrote some.
        if changed.listened {
            if self.state.statistics.is_some()
                && let Ok(stats) = self.library.listening_stats()
            {
                self.state.statistics = Some(stats);
            }
            if let Some(page) = &mut self.state.episode_page
                && transport.playback.episode() == Some(page.episode.summary.id)
                && let Ok(time) = self.library.episode_listening(page.episode.summary.id)
            {
                page.listening = time;
            }
        }
        // The desktop shows the chapter with the title: announced when the chapter changes.
        let position = transport.playback.track().map_or(0.0, |t| t.position_secs);
        let chapter = crate::chapters::current(&transport.chapters.list, position);
        if changed.track || chapter != self.published_chapter {
            self.published_chapter = chapter;
            let title = chapter.map(|i| transport.chapters.list[i].title.as_str()).filter(|t| !t.is_empty());
            if let Some(keys) = &mut self.media_keys {
                keys.publish_track(&transport.playback, title, &self.paths.art_cache());
            }
        }
        if changed.track || changed.chapters {
            let images = self.state.transport.chapters.list.iter().filter_map(|c| c.image.clone());
            let art = self.state.transport.playback.track().and_then(|t| t.art_url.clone());
            for url in art.into_iter().chain(images).collect::<Vec<_>>() {
                self.want_art(url);
            }
        }
        if changed.chapters
            && let Some(page) = &self.state.episode_page
        {
            let (id, duration) = (page.episode.summary.id, page.episode.summary.duration_secs.map(f64::from));
            if let Err(e) = self.reload_page_chapters(id, duration) {
                self.state.notice = Some(Notice::error(e.to_string()));
            }
        }
        let transport = &self.state.transport;
        if let Some(keys) = &mut self.media_keys {
            keys.publish_state(&transport.playback, transport.speed);
            if volume_changed {
                keys.volume(transport.volume);
            }
        }
        if let Some(failure) = changed.failure {
            self.state.notice = Some(Notice::error(failure));
        }
        let reloaded = if changed.library { self.refresh_views() } else { Ok(()) };
        let requeued = if changed.queue { self.library.queue().map(|q| self.state.queue = q) } else { Ok(()) };
        if let Err(e) = reloaded.and_then(|()| requeued.map_err(HarkError::from)) {
            self.state.notice = Some(Notice::error(e.to_string()));
        }
    }

    /// Art drawn as a thumbnail (lists, the transport, chapters).
    fn want_art(&mut self, url: String) {
        self.want_art_at(url, ArtSize::Thumbnail);
    }

    fn want_art_at(&mut self, url: String, size: ArtSize) {
        if self.state.art.want(&url, size) {
            self.net.send(NetCommand::FetchArt { url, size });
        }
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
        let parallel_downloads = crate::net::parallel_downloads(&self.library)?;
        let window = &mut self.state.downloads_window;
        window.storage_used = finished.iter().map(|(_, size)| size).sum();
        window.finished = finished;
        let setting = |key| self.library.setting(key).ok().flatten();
        window.auto_download_newest = setting(AUTO_DOWNLOAD_NEWEST).and_then(|v| v.parse().ok()).unwrap_or(0);
        window.delete_when_played = setting(DELETE_WHEN_PLAYED).as_deref() == Some("1");
        window.parallel_downloads = parallel_downloads as u32;
        Ok(())
    }

    fn reload_podcasts(&mut self) -> Result<(), HarkError> {
        self.state.podcasts = self.library.podcasts()?;
        self.state.queue = self.library.queue()?;
        let art: Vec<String> = self.state.podcasts.iter().filter_map(|p| p.art_url.clone()).collect();
        for url in art {
            self.want_art(url);
        }
        Ok(())
    }

    fn select_podcast(&mut self, id: PodcastId) -> Result<(), HarkError> {
        let podcast = self.library.podcast(id)?;
        if let Some(url) = podcast.art_url.clone() {
            self.want_art_at(url, ArtSize::Header);
        }
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
        // A download deleted behind Hark's back is not downloaded: offer Download again.
        self.library.downloaded_file(id)?;
        let episode = self.library.episode(id)?;
        let notes = Document::from_notes(episode.notes_html.as_deref().unwrap_or_default());
        let duration = episode.summary.duration_secs.map(f64::from);
        let chapters = EpisodeChapters::load(&self.library, id, duration)?;
        // Its chapters file may have changed (or never been fetched), its file never read.
        self.net.send(NetCommand::FetchChapters { episode: id });
        // Pictures in the notes load on demand, through the same fetch, cache and downscale as art.
        for block in &notes.blocks {
            if let crate::notes::Block::Image { url, .. } = block {
                self.want_art_at(url.clone(), ArtSize::Header);
            }
        }
        let listening = self.library.episode_listening(id)?;
        self.state.episode_page = Some(EpisodePage { episode, notes, chapters, listening });
        self.want_chapter_art();
        Ok(())
    }

    /// The selected episode's chapters again (new ones arrived, a skip was toggled).
    fn reload_page_chapters(&mut self, id: EpisodeId, duration: Option<f64>) -> Result<(), HarkError> {
        // The playing episode's length is known to the sample; the feed's is a guess.
        let playing = self.listening.playback().track().filter(|t| t.episode == id).and_then(|t| t.duration_secs);
        let chapters = EpisodeChapters::load(&self.library, id, playing.or(duration))?;
        if let Some(page) = self.state.episode_page.as_mut().filter(|p| p.episode.summary.id == id) {
            page.chapters = chapters;
        }
        self.want_chapter_art();
        Ok(())
    }

    fn want_chapter_art(&mut self) {
        let Some(page) = &self.state.episode_page else { return };
        let images: Vec<String> = page.chapters.list.iter().filter_map(|c| c.image.clone()).collect();
        for url in images {
            self.want_art(url);
        }
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
        if let Some(page) = &mut self.state.episode_page {
            let id = page.episode.summary.id;
            match self.library.episode(id) {
                Ok(episode) => {
                    page.episode = episode;
                    page.listening = self.library.episode_listening(id)?;
                }
                Err(_) => self.state.episode_page = None,
            }
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
            Action::Listen(command) => self.listen(command),
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
            Action::Unsubscribe { podcast: id, keep_downloads } => {
                self.listen(Command::StopShow(id));
                for episode in self.library.episodes(Some(id))? {
                    self.net.send(NetCommand::Cancel { episode: episode.id });
                }
                let removed =
                    crate::library::unsubscribe(&mut self.library, &self.paths.downloads(), id, keep_downloads)?;
                self.state.notice = Some(Notice::info(match removed.deleted {
                    0 => format!("Unsubscribed from \"{}\"", removed.title),
                    n => format!("Unsubscribed from \"{}\" and deleted its {n} downloads", removed.title),
                }));
                self.refresh_views()?;
                if self.state.selected_podcast.is_none()
                    && let Some(first) = self.state.podcasts.first().map(|p| p.id)
                {
                    self.select_podcast(first)?;
                }
            }
            Action::DismissNotice => self.state.notice = None,
            Action::OpenLink(url) => ctx.open_url(egui::OpenUrl::new_tab(url)),
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
                // The window shows, and the net service runs, the number the setting comes to.
                self.library.set_setting(PARALLEL_DOWNLOADS, &count.to_string())?;
                let parallel_downloads = crate::net::parallel_downloads(&self.library)?;
                self.state.downloads_window.parallel_downloads = parallel_downloads as u32;
                self.net.send(NetCommand::SetParallelDownloads(parallel_downloads));
            }
            Action::Copy { text, what } => {
                ctx.copy_text(text);
                self.state.notice = Some(Notice::info(format!("Copied the {what}")));
            }
            Action::Discover(term) => {
                let request = self.request_id();
                let discover = &mut self.state.discover;
                discover.open = true;
                discover.pending = Some((request, term.clone()));
                let directories = self.directories.clone().unwrap_or_else(|| Directories::of(&self.library));
                self.net.send(NetCommand::Discover { request, term, directories });
            }
            Action::OpenShowSettings(podcast) => {
                let title = self.library.podcast(podcast)?.title;
                let settings = self.library.show_settings(podcast)?;
                self.state.show_settings = Some(crate::ui::sound::ShowSettingsView::new(podcast, title, settings));
            }
            Action::OpenStatistics => self.state.statistics = Some(self.library.listening_stats()?),
            Action::SearchLibrary(query) => {
                // Quick enough for the frame being drawn (see benches/search.rs).
                self.state.find.results =
                    (!query.trim().is_empty()).then(|| self.library.search(&query)).transpose()?;
            }
            Action::OpenSearchHit { podcast, episode } => {
                self.select_podcast(podcast)?;
                if let Some(episode) = episode {
                    self.select_episode(episode)?;
                }
            }
            Action::SetPodcastIndexKey { key, secret } => {
                self.library.set_setting(PODCASTINDEX_KEY, key.trim())?;
                self.library.set_setting(PODCASTINDEX_SECRET, secret.trim())?;
                self.state.notice = Some(Notice::info("The Podcast Index is searched too from now on"));
            }
            Action::RememberPanels(widths) => {
                self.library.set_setting(PANEL_PODCASTS, &widths.podcasts.to_string())?;
                self.library.set_setting(PANEL_EPISODE, &widths.episode.to_string())?;
            }
            Action::ImportOpml => self.dialogs.import_opml(),
            Action::ImportFeeds(feeds) => self.import_feeds(feeds)?,
            Action::OpenTranscript(id) => self.open_transcript(id)?,
            Action::ExportOpml => self.dialogs.export_opml(crate::opml::write(&self.state.podcasts)),
            Action::Quit => {
                self.listening.close()?;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        Ok(())
    }
}

impl eframe::App for HarkApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain(ctx);
        // A skipped chapter is left when it begins, not at the next position report.
        if let Some(wake) = self.listening.next_wake() {
            ctx.request_repaint_after(wake);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
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
        if let Err(e) = self.listening.close() {
            tracing::warn!("could not save the position on exit: {e}");
        }
    }
}
