//! The window: wires the workers together, turns their events into `UiState`, draws the views
//! and carries out their actions. What plays is the listening session's business.
//!
//! Its parts: `events` (the net service's news and the dialogs' results into view state),
//! `session` (the listening session's changes into the views and out to the desktop), `views`
//! (what is selected and shown), `subscriptions` and `downloads` (the actions on them), and
//! `dialogs` (file dialogs off the UI thread) with `files` (the desktop's dialogs or the
//! window's own picker; moving the downloads).

mod bookmarks;
mod daily;
mod dialogs;
mod downloads;
mod events;
mod files;
mod session;
mod subscriptions;
mod sync;
mod views;

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use eframe::egui;

use crate::desktop::instance::{self, Claim, Handoff};
use crate::desktop::{APP_ID, Opening};
use crate::error::HarkError;
use crate::library::Library;
use crate::library::keys::DEMO_OFFERED;
use crate::listening::Listening;
use crate::mpris::{MediaKeys, MediaRequest};
use crate::net::directory::Directories;
use crate::net::{NetCommand, NetEvent, NetService, OnStart, RequestId};
use crate::paths::AppPaths;
use crate::player::OutputChoice;
use crate::ui::{self, Action, Notice, UiState};
use dialogs::Dialogs;

pub struct AppOptions {
    pub audio: OutputChoice,
    /// Refresh on the timer the preferences set (and at launch when it is due).
    pub timed_refresh: bool,
    /// Register media keys / MPRIS on the session bus.
    pub media_keys: bool,
    /// Where "find a show by name" asks; None: the environment, else the settings.
    pub directories: Option<Directories>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self { audio: OutputChoice::Default, timed_refresh: true, media_keys: true, directories: None }
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
    /// A clip waiting for the window's own picker to say where it goes.
    pending_clip: Option<crate::net::extras::ClipJob>,
    directories: Option<Directories>,
    next_request: u64,
    /// The chapter last announced to the desktop.
    published_chapter: Option<usize>,
    /// The show list is behind the library (refreshes reported new episodes or errors).
    podcasts_stale: bool,
    timed_refresh: bool,
    /// The refreshes the timer started, under way.
    timed_refreshes: std::collections::HashMap<RequestId, ui::RefreshProgress>,
    /// None until read at launch.
    preferences: Option<crate::preferences::Preferences>,
    notifier: crate::desktop::notify::Notifier,
    /// Clicks on a notification (open the Inbox).
    notification_clicks: Receiver<()>,
    /// Arrivals up to this time (Unix seconds) were announced.
    announced_through: i64,
    /// The desktop's light/dark preference as it changes.
    schemes: Receiver<crate::desktop::appearance::Scheme>,
}

impl HarkApp {
    pub fn new(ctx: &egui::Context, paths: AppPaths, options: AppOptions) -> Result<Self, HarkError> {
        paths.create_all().map_err(|e| HarkError::io(format!("could not create {}", paths.data_dir.display()), e))?;
        let mut library = Library::open(&paths.database())?;
        let paths = paths.with_downloads(library.download_folder()?);
        if library.podcast_count()? == 0 && library.setting(DEMO_OFFERED)?.is_none() {
            crate::assets::install_demo(&mut library, &paths.downloads())?;
            library.set_setting(DEMO_OFFERED, "1")?;
        }
        ui::style::apply(ctx);
        let waker: Arc<dyn crate::Waker> = Arc::new(EguiWaker(ctx.clone()));
        let (net_tx, net_events) = channel();
        let net = NetService::spawn(paths.clone(), net_tx, waker.clone(), OnStart::ResumeDownloads)?;
        let listening = Listening::new(Library::open(&paths.database())?, options.audio, net.sender(), waker.clone())?;
        let media_requests = channel();
        let (clicks, notification_clicks) = channel();
        let notifier = crate::desktop::notify::Notifier::start(clicks, waker.clone());
        let (scheme_tx, schemes) = channel();
        crate::desktop::appearance::follow(scheme_tx, waker.clone());
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
            pending_clip: None,
            directories: options.directories,
            next_request: 0,
            published_chapter: None,
            podcasts_stale: false,
            timed_refresh: options.timed_refresh,
            timed_refreshes: Default::default(),
            preferences: None,
            notifier,
            notification_clicks,
            announced_through: chrono::Utc::now().timestamp() - 1,
            schemes,
        };
        app.state.transport.no_audio_device = app.listening.player().is_silent();
        app.restore_panels()?;
        app.reload_podcasts()?;
        app.restore_selection()?;
        let restored = app.listening.restore_last()?;
        app.on_listening(restored);
        app.apply_preferences()?;
        app.reload_inbox()?;
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
                .with_min_inner_size([640.0, 480.0]),
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
            match handoff {
                Handoff::Open(opening) => self.open(opening),
                Handoff::PreferencesChanged => self.preferences_changed().unwrap_or_else(|e| self.complain(e)),
                Handoff::MoveDownloads(folder) => self.move_downloads(folder),
                Handoff::Raise => {}
            }
        }
        while let Ok(scheme) = self.schemes.try_recv() {
            self.state.desktop_scheme = Some(scheme);
        }
        while let Ok(()) = self.notification_clicks.try_recv() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
            self.apply(Action::OpenInbox, ctx);
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

    fn apply(&mut self, action: Action, ctx: &egui::Context) {
        if let Err(e) = self.try_apply(action, ctx) {
            self.complain(e);
        }
    }

    fn complain(&mut self, e: HarkError) {
        self.state.notice = Some(Notice::error(e.to_string()));
    }

    /// Each action to the part of the window that carries it out.
    fn try_apply(&mut self, action: Action, ctx: &egui::Context) -> Result<(), HarkError> {
        if action.opens_a_dialog() {
            ui::close_dialogs(&mut self.state);
        }
        match action {
            Action::Listen(command) => self.listen(command),
            Action::SelectPodcast(id) => self.select_podcast(id)?,
            Action::SelectEpisode(id) => self.select_episode(id)?,
            Action::SearchLibrary(query) => self.search_library(&query)?,
            Action::OpenSearchHit { podcast, episode } => self.open_search_hit(podcast, episode)?,
            Action::OpenTranscript(id) => self.open_transcript(id)?,
            Action::OpenShowSettings(podcast) => self.open_show_settings(podcast)?,
            Action::OpenStatistics => self.state.statistics = Some(self.library.listening_stats()?),
            Action::OpenInbox => self.open_inbox()?,
            Action::DismissInbox(episode) => self.dismiss_inbox(episode)?,
            Action::OpenPreferences => self.open_preferences()?,
            Action::CloseEpisodePage => self.state.episode_page = None,
            Action::SetEpisodeSort(podcast, sort) => self.library.set_episode_sort(podcast, sort.key())?,
            Action::SetShowNotify { podcast, notify } => {
                self.library.set_notify(podcast, notify)?;
                self.refresh_views()?;
            }
            Action::SetPreference { name, value } => self.set_preference(name, &value)?,
            Action::RememberPanels(widths) => self.remember_panels(widths)?,
            Action::Subscribe(url) => self.subscribe(url)?,
            Action::Refresh(podcast) => self.refresh(podcast),
            Action::Unsubscribe { podcast, keep_downloads } => self.unsubscribe(podcast, keep_downloads)?,
            Action::Discover(term) => self.discover(term),
            Action::SetPodcastIndexKey { key, secret } => self.set_podcast_index_key(&key, &secret)?,
            Action::ImportOpml => self.import_opml(),
            Action::FilePicked { purpose, path } => self.file_picked(purpose, path),
            Action::ChooseDownloadFolder => self.choose_download_folder(),
            Action::ImportFeeds(feeds) => self.import_feeds(feeds)?,
            Action::ExportOpml => self.export_opml(),
            Action::Download(episode) => self.download(episode),
            Action::CancelDownload(episode) => self.net.send(NetCommand::Cancel { episode }),
            Action::DeleteDownload(episode) => self.net.send(NetCommand::Delete { episode }),
            Action::OpenDownloads => self.open_downloads()?,
            Action::SetAutoDownload(count) => self.set_auto_download(count)?,
            Action::SetDeleteWhenPlayed(delete) => self.set_delete_when_played(delete)?,
            Action::SetParallelDownloads(count) => self.set_parallel_downloads(count)?,
            Action::DismissNotice => self.state.notice = None,
            Action::OpenLink(url) => ctx.open_url(egui::OpenUrl::new_tab(url)),
            Action::Copy { text, what } => {
                ctx.copy_text(text);
                self.state.notice = Some(Notice::info(format!("Copied the {what}")));
            }
            Action::OpenSync => self.open_sync()?,
            Action::SyncLogin(form) => self.sync_login(form)?,
            Action::SyncNow => self.sync_now(),
            Action::SyncLogout => self.sync_logout()?,
            Action::Bookmarks(action) => self.on_bookmark(action)?,
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
        for url in self.state.art.take_drawn_without() {
            self.want_art(url);
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
