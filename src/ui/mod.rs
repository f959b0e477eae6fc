//! The window's views. They read `UiState`, change only pure view state (text being typed),
//! and return `Action`s for `app.rs` to carry out. No I/O, no SQL, no blocking here.

mod art_store;
pub mod bookmarks;
mod chapters;
mod credits;
mod downloads;
pub mod episode_list;
mod episode_page;
mod episodes;
mod failure;
pub mod file_picker;
pub mod find;
mod inbox;
pub mod keys;
mod offer;
mod podcasts;
mod preferences;
mod show;
pub mod sound;
pub mod style;
pub mod sync;
mod toolbar;
pub mod transcript;
pub mod transport;
pub mod widgets;

use std::collections::HashMap;

use eframe::egui;

pub use crate::listening::{Command, QueueEdit};
use crate::model::{Episode, EpisodeId, EpisodeSummary, Podcast, PodcastId, PodcastSummary};
use crate::net::RequestId;
use crate::notes::Document;
pub use art_store::{ArtSlot, ArtStore};

pub use offer::Offer;
pub use transport::TransportState;

/// Everything the window shows.
#[derive(Default)]
pub struct UiState {
    pub podcasts: Vec<PodcastSummary>,
    pub selected_podcast: Option<PodcastId>,
    pub show: Option<Podcast>,
    pub episodes: Vec<EpisodeSummary>,
    pub episode_page: Option<EpisodePage>,
    pub add_podcast: AddPodcast,
    pub refresh: Option<RefreshProgress>,
    pub notice: Option<Notice>,
    pub art: ArtStore,
    pub transport: TransportState,
    /// Up Next, in order.
    pub queue: Vec<EpisodeSummary>,
    /// The keyboard shortcuts window is open (view state).
    pub show_shortcuts: bool,
    /// Downloads under way, queued or failed (finished ones are in the library).
    pub downloads: HashMap<EpisodeId, DownloadView>,
    pub downloads_window: DownloadsWindow,
    /// The episode list's order, filter and search (view state).
    pub episode_list: episode_list::EpisodeListView,
    /// Bumped whenever the episodes are read again.
    pub episodes_version: u64,
    pub import: Option<ImportProgress>,
    pub panels: PanelWidths,
    pub discover: find::DiscoverState,
    pub find: find::FindState,
    /// A feed or OPML file another program handed over, waiting for a yes.
    pub offer: Option<Offer>,
    /// The follow-along transcript window.
    pub transcript: Option<transcript::TranscriptView>,
    /// A show's listening settings being edited (its window is open).
    pub show_settings: Option<sound::ShowSettingsView>,
    /// The Statistics window's numbers (open while there are some).
    pub statistics: Option<crate::library::ListeningStats>,
    pub inbox: InboxView,
    /// The Preferences window with every preference's value (open while Some).
    pub preferences: Option<Vec<(&'static crate::preferences::Preference, String)>>,
    pub theme: crate::preferences::Theme,
    /// What the desktop prefers (its settings portal), when it says.
    pub desktop_scheme: Option<crate::desktop::appearance::Scheme>,
    /// The Sync window (account, Sync now, the last result).
    pub sync: sync::SyncView,
    pub bookmarks: bookmarks::BookmarksView,
    /// The window's own file picker, where the desktop has none.
    pub file_picker: Option<file_picker::FilePicker>,
    /// Which pane the keys drive, and its lists' scrolling.
    pub keys: keys::KeyFocus,
    /// The shows drawer of a narrow window is open.
    pub shows_drawer: bool,
}

/// The Inbox: what arrived since the listener last looked.
#[derive(Default)]
pub struct InboxView {
    /// The central panel shows the Inbox instead of the selected show.
    pub open: bool,
    pub entries: Vec<crate::library::InboxEntry>,
    /// Its badge in the sidebar.
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProgress {
    pub request: RequestId,
    pub done: usize,
    pub total: usize,
    pub failures: Vec<(String, String)>,
}

pub struct DownloadView {
    pub title: String,
    pub state: DownloadState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DownloadState {
    Queued,
    Running { bytes: u64, total: Option<u64>, bytes_per_sec: f64 },
    Failed { reason: String },
}

/// The Downloads window: finished downloads with their sizes, and the download settings.
#[derive(Default)]
pub struct DownloadsWindow {
    pub open: bool,
    pub finished: Vec<(EpisodeSummary, u64)>,
    pub storage_used: u64,
    pub auto_download_newest: u32,
    pub delete_when_played: bool,
    pub parallel_downloads: u32,
}

/// The selected episode with its notes laid out once, and its chapters.
pub struct EpisodePage {
    pub episode: Episode,
    pub notes: Document,
    pub chapters: crate::listening::EpisodeChapters,
    /// Time spent on it and saved (by speed, by shortened silences).
    pub listening: crate::library::ListeningTime,
}

#[derive(Default)]
pub struct AddPodcast {
    pub url: String,
    /// When a name was last typed (egui's input time): the directories are asked once typing
    /// pauses for `DISCOVER_AFTER_SECS`, not at every keystroke.
    pub typed_at: Option<f64>,
    /// The subscription under way: its request and the address typed.
    pub pending: Option<(RequestId, String)>,
    /// Why the last address could not be followed, said under the box until it is edited.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshProgress {
    pub request: RequestId,
    pub done: usize,
    pub total: usize,
    pub added: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { text: text.into(), is_error: false }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Self { text: text.into(), is_error: true }
    }
}

/// The side panels' widths: resizable, within sensible bounds, remembered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelWidths {
    pub podcasts: f32,
    pub episode: f32,
}

impl PanelWidths {
    pub const PODCASTS: std::ops::RangeInclusive<f32> = 200.0..=420.0;
    pub const EPISODE: std::ops::RangeInclusive<f32> = 280.0..=640.0;

    /// Widths read back from the settings, where anything odd falls back to the defaults.
    pub fn restored(podcasts: Option<f32>, episode: Option<f32>) -> Self {
        let within = |value: Option<f32>, range: std::ops::RangeInclusive<f32>, default: f32| {
            value.filter(|v| v.is_finite()).map_or(default, |v| v.clamp(*range.start(), *range.end()))
        };
        let defaults = Self::default();
        Self {
            podcasts: within(podcasts, Self::PODCASTS, defaults.podcasts),
            episode: within(episode, Self::EPISODE, defaults.episode),
        }
    }

    fn differs_from(&self, other: &Self) -> bool {
        (self.podcasts - other.podcasts).abs() > 1.0 || (self.episode - other.episode).abs() > 1.0
    }
}

impl Default for PanelWidths {
    fn default() -> Self {
        Self { podcasts: 270.0, episode: 420.0 }
    }
}

/// What a listener asked for this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SelectPodcast(PodcastId),
    SelectEpisode(EpisodeId),
    Subscribe(String),
    Refresh(Option<PodcastId>),
    /// Forget a show; its downloads go too unless kept.
    Unsubscribe {
        podcast: PodcastId,
        keep_downloads: bool,
    },
    DismissNotice,
    OpenLink(String),
    /// Anything about what plays: the listening session's.
    Listen(Command),
    Download(EpisodeId),
    CancelDownload(EpisodeId),
    DeleteDownload(EpisodeId),
    OpenDownloads,
    SetAutoDownload(u32),
    SetDeleteWhenPlayed(bool),
    SetParallelDownloads(u32),
    /// Put text on the clipboard; `what` names it in the confirmation.
    Copy {
        text: String,
        what: &'static str,
    },
    ImportOpml,
    /// A path from the window's own file picker, and what it is for.
    FilePicked {
        purpose: file_picker::Purpose,
        path: std::path::PathBuf,
    },
    /// Move the downloads to another folder (the preference `download-folder`).
    ChooseDownloadFolder,
    /// Open the follow-along transcript of this episode.
    OpenTranscript(EpisodeId),
    /// Subscribe to these (from an OPML file handed to the window).
    ImportFeeds(Vec<crate::opml::OpmlFeed>),
    ExportOpml,
    /// The side panels were resized.
    RememberPanels(PanelWidths),
    /// Look for shows by name in the podcast directories.
    Discover(String),
    /// Search the Podcast Index too, with the listener's API key.
    SetPodcastIndexKey {
        key: String,
        secret: String,
    },
    /// Open a show's listening settings.
    OpenShowSettings(PodcastId),
    /// Open the Statistics window.
    OpenStatistics,
    OpenInbox,
    /// Take one episode out of the Inbox, or (None) all of them.
    DismissInbox(Option<EpisodeId>),
    OpenPreferences,
    /// Back from the episode page to the list (a narrow window shows one of them).
    CloseEpisodePage,
    /// The order of this show's episode list, kept for it.
    SetEpisodeSort(PodcastId, episode_list::Sort),
    /// Announce this show's new episodes on the desktop, or not.
    SetShowNotify {
        podcast: PodcastId,
        notify: bool,
    },
    /// A preference from the Preferences window, as `hark config NAME VALUE` takes it.
    SetPreference {
        name: &'static str,
        value: String,
    },
    /// Search the library (as the query is typed).
    SearchLibrary(String),
    /// Show a search hit: its show, and its episode if it is one.
    OpenSearchHit {
        podcast: PodcastId,
        episode: Option<EpisodeId>,
    },
    /// Open the Sync window.
    OpenSync,
    /// Keep this account (its password in the secret store) and sync.
    SyncLogin(sync::SyncForm),
    SyncNow,
    SyncLogout,
    /// Bookmarks and clips.
    Bookmarks(bookmarks::BookmarkAction),
    Quit,
}

impl Action {
    /// Whether it opens a window over the main one (the others close first).
    pub fn opens_a_dialog(&self) -> bool {
        matches!(
            self,
            Action::OpenTranscript(_)
                | Action::OpenShowSettings(_)
                | Action::OpenStatistics
                | Action::OpenPreferences
                | Action::OpenDownloads
                | Action::OpenSync
                | Action::Bookmarks(bookmarks::BookmarkAction::Open | bookmarks::BookmarkAction::ClipFrom(_))
        )
    }
}

/// The keys, as the help view lists them.
pub const SHORTCUTS: [(&str, &str); 20] = [
    ("Space", "Play / pause"),
    ("Left", "Rewind (skip-back, 10 seconds unless changed)"),
    ("Right", "Skip (skip-forward, 30 seconds unless changed)"),
    ("[  ]", "Slower / faster (0.1× steps)"),
    ("Ctrl+Up  Ctrl+Down", "Volume up / down"),
    (",  .", "Previous / next chapter"),
    ("P", "Previous episode"),
    ("N", "Next in Up Next"),
    ("Z", "Sleep timer: 15, 30, 60 minutes, end of episode, off"),
    ("B", "Bookmark this moment"),
    ("Up  Down", "Move in the list that has the keys (opens the episode, not playing it)"),
    ("PageUp  PageDown", "Move a page of the list"),
    ("Home  End", "First / last in the list"),
    ("Enter", "Play the selected episode (in the shows: open the show)"),
    ("Tab  Shift+Tab", "Next / previous pane: shows, episodes, episode page"),
    ("Esc", "Close the window open; leave a focused button for the lists"),
    ("F5", "Refresh all podcasts"),
    ("Ctrl+F", "Search your library"),
    ("Ctrl+,", "Preferences"),
    ("Ctrl+Q", "Quit"),
];

/// Draws the whole window and returns what the listener did.
pub fn draw(ui: &mut egui::Ui, state: &mut UiState) -> Vec<Action> {
    let mut actions = Vec::new();
    keys::keyboard(ui, state, &mut actions);
    // Esc closes whatever window is open ("Not now" for an offer).
    if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        close_dialogs(state);
    }
    shortcuts_window(ui, state);
    downloads::window(ui, state, &mut actions);
    find::discover_window(ui, state, &mut actions);
    find::results_window(ui, state, &mut actions);
    offer::window(ui, state, &mut actions);
    transcript::window(ui, state, &mut actions);
    sound::show_settings_window(ui, state, &mut actions);
    sound::statistics_window(ui, state);
    preferences::window(ui, state, &mut actions);
    follow_theme(ui, state.theme, state.desktop_scheme);
    sync::window(ui, state, &mut actions);
    bookmarks::windows(ui, state, &mut actions);
    file_picker::window(ui.ctx(), state, &mut actions);
    egui::Panel::top("toolbar").show(ui, |ui| toolbar::draw(ui, state, &mut actions));
    egui::Panel::bottom("transport").show(ui, |ui| transport::draw(ui, state, &mut actions));
    // Narrower still, the shows list is a drawer: out of the way until asked for (or given the
    // keys), and away again once a show is picked.
    let drawer = ui.ctx().content_rect().width() < SHOWS_DRAWER_BELOW;
    let shows_visible = !drawer || state.shows_drawer || state.keys.pane == keys::Pane::Shows;
    let mut expanded = shows_visible;
    let podcasts = egui::Panel::left("podcasts")
        .resizable(true)
        .default_size(state.panels.podcasts)
        .size_range(PanelWidths::PODCASTS)
        .show_collapsible(ui, &mut expanded, |ui| {
            keep_panel_width(ui);
            podcasts::draw(ui, state, &mut actions)
        });
    if drawer && expanded != shows_visible {
        // Dragged open or shut by its edge.
        state.shows_drawer = expanded;
    }
    if drawer && actions.iter().any(|a| matches!(a, Action::SelectPodcast(_) | Action::OpenInbox)) {
        state.shows_drawer = false;
        state.keys.pane = keys::Pane::Episodes;
    }
    let podcasts_rect = podcasts.map_or(egui::Rect::NOTHING, |panel| panel.response.rect);
    // Narrow windows fold the episode page into the middle: it replaces the list, with a way back.
    let folded = ui.ctx().content_rect().width() < FOLD_EPISODE_PAGE_BELOW;
    let episode = (!folded).then(|| {
        egui::Panel::right("episode")
            .resizable(true)
            .default_size(state.panels.episode)
            .size_range(PanelWidths::EPISODE)
            .show(ui, |ui| {
                keep_panel_width(ui);
                episode_page::draw(ui, state, &mut actions);
                // The page holds no list: with the keys and no button focused, the pane is outlined.
                if state.keys.drives(ui, keys::Pane::Page) {
                    keys::mark(ui, ui.clip_rect().shrink(1.0));
                }
            })
    });
    let page_rect = episode.as_ref().map(|panel| panel.response.rect);
    // A width the listener dragged to is kept for the next launch (once the drag is over).
    let episode_width = episode.map_or(state.panels.episode, |panel| panel.response.rect.width());
    let podcasts_width = if podcasts_rect.is_positive() { podcasts_rect.width() } else { state.panels.podcasts };
    let now = PanelWidths { podcasts: podcasts_width, episode: episode_width };
    if !ui.input(|i| i.pointer.any_down()) && now.differs_from(&state.panels) {
        state.panels = now;
        actions.push(Action::RememberPanels(now));
    }
    let central = egui::CentralPanel::default().show(ui, |ui| {
        if folded && state.episode_page.is_some() {
            if ui.button("Back to the episodes").clicked() {
                actions.push(Action::CloseEpisodePage);
            }
            return episode_page::draw(ui, state, &mut actions);
        }
        if state.inbox.open {
            return inbox::draw(ui, state, &mut actions);
        }
        show::draw(ui, state, &mut actions);
        ui.separator();
        episodes::draw(ui, state, &mut actions);
    });
    // Folded, the page is in the middle (where a click gives the episodes the keys).
    let page = page_rect.unwrap_or(egui::Rect::NOTHING);
    state.keys.rects = Some([podcasts_rect, central.response.rect, page]);
    state.keys.focus_page = false;
    actions
}

/// Light, dark, or as the desktop says (its settings portal, else the windowing system); set
/// only when it changes.
fn follow_theme(ui: &egui::Ui, theme: crate::preferences::Theme, desktop: Option<crate::desktop::appearance::Scheme>) {
    use crate::desktop::appearance::Scheme;
    use crate::preferences::Theme;
    let wanted = match (theme, desktop) {
        (Theme::Light, _) | (Theme::System, Some(Scheme::Light)) => egui::ThemePreference::Light,
        (Theme::Dark, _) | (Theme::System, Some(Scheme::Dark)) => egui::ThemePreference::Dark,
        (Theme::System, _) => egui::ThemePreference::System,
    };
    if ui.ctx().options(|o| o.theme_preference) != wanted {
        ui.ctx().set_theme(wanted);
    }
}

/// Closes every window over the main one. Opening one closes the others first, so one is open at
/// a time.
pub fn close_dialogs(state: &mut UiState) {
    state.show_shortcuts = false;
    state.downloads_window.open = false;
    state.discover.open = false;
    state.find.results = None;
    state.offer = None;
    state.transcript = None;
    state.show_settings = None;
    state.statistics = None;
    state.preferences = None;
    state.sync.open = false;
    (state.bookmarks.open, state.bookmarks.note, state.bookmarks.clip) = (false, None, None);
    state.file_picker = None;
}

/// Whether a window is open over the main one (the lists leave the keys to it).
pub fn any_dialog_open(state: &UiState) -> bool {
    state.show_shortcuts
        || state.downloads_window.open
        || state.discover.open
        || state.find.results.is_some()
        || state.offer.is_some()
        || state.transcript.is_some()
        || state.show_settings.is_some()
        || state.statistics.is_some()
        || state.preferences.is_some()
        || state.sync.open
        || state.bookmarks.open
        || state.bookmarks.note.is_some()
        || state.bookmarks.clip.is_some()
        || state.file_picker.is_some()
}

/// Below this window width the shows list is a drawer (*☰ Shows* in the toolbar).
pub const SHOWS_DRAWER_BELOW: f32 = 720.0;

/// Below this window width the episode page takes the middle column's place instead of a column
/// of its own (the three columns would not fit their minimum widths).
pub const FOLD_EPISODE_PAGE_BELOW: f32 = 1000.0;

/// A side panel takes the size of what it holds; filling its width makes it keep the width it
/// was given (or dragged to) instead of shrinking to narrow content or following wide content.
fn keep_panel_width(ui: &mut egui::Ui) {
    ui.set_min_width(ui.available_width());
}

fn shortcuts_window(ui: &egui::Ui, state: &mut UiState) {
    let mut open = state.show_shortcuts;
    widgets::dialog(ui.ctx(), "Keyboard shortcuts").open(&mut open).resizable(false).show(ui.ctx(), |ui| {
        widgets::fitted(ui, |ui| shortcuts(ui, state));
    });
    state.show_shortcuts = open;
}

fn shortcuts(ui: &mut egui::Ui, state: &UiState) {
    {
        egui::Grid::new("shortcuts").num_columns(2).spacing([24.0, 6.0]).show(ui, |ui| {
            for (keys, what) in SHORTCUTS {
                ui.label(egui::RichText::new(keys).monospace().strong());
                // The skip steps as the preferences set them now.
                match keys {
                    "Left" => ui.label(format!("Rewind {} seconds", state.transport.rewind_secs)),
                    "Right" => ui.label(format!("Skip {} seconds", state.transport.skip_secs)),
                    _ => ui.label(what),
                };
                ui.end_row();
            }
        });
        ui.label(egui::RichText::new("The transport keys work whenever no text field has focus.").weak());
        ui.label(
            egui::RichText::new("Enter in the box under Add podcast adds it (a name searches the directories).").weak(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{ArtSlot, ArtStore};
    use crate::net::ArtSize;

    #[test]
    fn large_art_is_kept_for_the_last_few_pictures_only_and_thumbnails_are_asked_once() {
        let mut art = ArtStore::default();
        for i in 0..20 {
            assert!(art.want(&format!("https://example.com/{i}.jpg"), ArtSize::Header));
        }
        assert_eq!(art.large.len(), ArtStore::LARGE_ART_KEPT);
        assert!(
            art.large.contains_key("https://example.com/19.jpg")
                && !art.large.contains_key("https://example.com/0.jpg")
        );
        // Let go meanwhile: its answer is dropped, not kept.
        art.arrived("https://example.com/0.jpg".into(), ArtSize::Header, ArtSlot::Missing);
        assert!(!art.large.contains_key("https://example.com/0.jpg"));
        assert!(art.want("https://example.com/a.jpg", ArtSize::Thumbnail));
        assert!(!art.want("https://example.com/a.jpg", ArtSize::Thumbnail), "asked once");
        assert!(art.thumbnails.len() == 1 && art.large.len() == ArtStore::LARGE_ART_KEPT);
    }
}
