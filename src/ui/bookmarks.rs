//! Bookmarks: the Bookmarks window (every bookmark across shows, newest first, searchable), the
//! episode page's own list, the note asked for after `B`, and the clip form of a bookmark.

use eframe::egui;

use super::widgets::Labelled;
use super::{Action, Command, UiState, widgets};
use crate::library::{Bookmark, BookmarkId};
use crate::model::{EpisodeId, format_clock, moment_link};

/// What the views show of bookmarks.
#[derive(Default)]
pub struct BookmarksView {
    /// The Bookmarks window is open.
    pub open: bool,
    /// The search typed in the Bookmarks window.
    pub query: String,
    /// Every bookmark, newest first, with the transcript's line at it when it is cached.
    pub all: Vec<BookmarkRow>,
    /// What the window lists: all of them, or the search's hits.
    pub listed: Vec<BookmarkId>,
    /// The note being written for a bookmark just made.
    pub note: Option<NoteEdit>,
    /// A clip being set up from a bookmark.
    pub clip: Option<ClipForm>,
}

pub struct BookmarkRow {
    pub bookmark: Bookmark,
    /// The line of the cached transcript spoken at the bookmark.
    pub spoken: Option<String>,
}

pub struct NoteEdit {
    pub id: BookmarkId,
    pub at_secs: f64,
    pub text: String,
}

/// A clip being set up: from a bookmark, a transcript line or a place on the seek bar.
pub struct ClipForm {
    /// None for a bookmark whose episode is not in the library now.
    pub episode: Option<EpisodeId>,
    /// "Show — episode".
    pub heading: String,
    /// The episode's web link, for the link to the span.
    pub link: Option<String>,
    pub start: f64,
    /// The clip's length in seconds, as typed.
    pub length: String,
}

/// How long a clip from a bookmark is unless the listener says otherwise.
pub const DEFAULT_CLIP_SECS: f64 = 30.0;

impl ClipForm {
    /// The span asked for: from the bookmark, for the length typed (1 s to the longest clip).
    pub fn span(&self) -> Option<(f64, f64)> {
        let length = self.length.trim().parse::<f64>().ok().filter(|l| l.is_finite() && *l >= 1.0)?;
        Some((self.start, self.start + length.min(crate::clip::MAX_CLIP_SECS)))
    }
}

/// What the listener did with bookmarks.
#[derive(Debug, Clone, PartialEq)]
pub enum BookmarkAction {
    /// Bookmark the moment in the transport.
    Add,
    /// Open the Bookmarks window.
    Open,
    Search(String),
    SaveNote(BookmarkId, String),
    Delete(BookmarkId),
    /// Set up a clip from a bookmark (the form opens).
    ClipFrom(BookmarkId),
    /// Set up a clip of `secs` from `start` in the episode (a transcript line, the seek bar).
    ClipAt {
        episode: EpisodeId,
        start: f64,
        secs: f64,
    },
    /// Save the span of this episode as an audio file (asks where).
    SaveClip {
        episode: EpisodeId,
        start: f64,
        end: f64,
    },
}

/// The Bookmarks window, the note window and the clip window.
pub fn windows(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    list_window(ui, state, actions);
    note_window(ui, state, actions);
    clip_window(ui, state, actions);
}

fn list_window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let view = &mut state.bookmarks;
    let mut open = view.open;
    widgets::dialog(ui.ctx(), "Bookmarks").open(&mut open).default_size([560.0, 420.0]).show(ui.ctx(), |ui| {
        let field = egui::TextEdit::singleline(&mut view.query).hint_text("Search notes, episodes and shows");
        if ui.add(field).labelled(egui::Role::TextInput, "Search bookmarks").changed() {
            actions.push(Action::Bookmarks(BookmarkAction::Search(view.query.clone())));
        }
        ui.separator();
        if view.listed.is_empty() {
            let empty = if view.query.trim().is_empty() {
                "No bookmarks yet: press B while listening."
            } else {
                "No bookmark matches."
            };
            ui.label(empty);
        }
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            for id in &view.listed {
                if let Some(row) = view.all.iter().find(|r| r.bookmark.id == *id) {
                    row_ui(ui, row, true, actions);
                }
            }
        });
    });
    state.bookmarks.open = open;
}

/// One bookmark: a click plays from it; its note and the transcript's line beneath; Clip….
fn row_ui(ui: &mut egui::Ui, row: &BookmarkRow, with_titles: bool, actions: &mut Vec<Action>) {
    let mark = &row.bookmark;
    let at = format_clock(mark.at_secs);
    ui.horizontal(|ui| {
        let text = if with_titles {
            format!("{at}  {} — {}", mark.podcast_title, mark.episode_title)
        } else if mark.note.is_empty() {
            at.clone()
        } else {
            format!("{at}  {}", mark.note)
        };
        let width = (ui.available_width() - 120.0).max(60.0);
        let button = ui.add_enabled_ui(mark.episode_id.is_some(), |ui| {
            ui.add_sized([width, 18.0], egui::Button::selectable(false, &text).truncate())
        });
        let label = format!("Bookmark {text}");
        let button = widgets::full_text_if_cut(ui, button.inner, &text).labelled(egui::Role::Button, &label);
        if let (true, Some(episode)) = (button.clicked(), mark.episode_id) {
            actions.push(Action::Listen(Command::Play { episode, from: Some(mark.at_secs) }));
        }
        let named = |response: egui::Response, what: &str| {
            response.on_hover_text(what).labelled(egui::Role::Button, &format!("{what} at {at}"))
        };
        if named(ui.add_enabled(mark.episode_id.is_some(), egui::Button::new("Clip…").small()), "Clip").clicked() {
            actions.push(Action::Bookmarks(BookmarkAction::ClipFrom(mark.id)));
        }
        if named(ui.small_button("×"), "Delete bookmark").clicked() {
            actions.push(Action::Bookmarks(BookmarkAction::Delete(mark.id)));
        }
    });
    if with_titles && !mark.note.is_empty() {
        ui.label(&mark.note);
    }
    if let Some(spoken) = &row.spoken {
        ui.label(egui::RichText::new(format!("“{spoken}”")).weak().italics());
    }
}

/// The episode page's bookmarks, in the order they come in the episode.
pub fn episode_section(ui: &mut egui::Ui, state: &UiState, episode: EpisodeId, actions: &mut Vec<Action>) {
    let mut rows: Vec<&BookmarkRow> =
        state.bookmarks.all.iter().filter(|r| r.bookmark.episode_id == Some(episode)).collect();
    if rows.is_empty() {
        return;
    }
    rows.sort_by(|a, b| a.bookmark.at_secs.total_cmp(&b.bookmark.at_secs));
    ui.separator();
    ui.strong(format!("Bookmarks ({})", rows.len()));
    for row in rows {
        row_ui(ui, row, false, actions);
    }
}

fn note_window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(note) = state.bookmarks.note.as_mut() else { return };
    let mut open = true;
    let mut done = false;
    widgets::dialog(ui.ctx(), "Bookmark added").open(&mut open).resizable(false).show(ui.ctx(), |ui| {
        ui.label(format!("Bookmarked at {}. A note (optional):", format_clock(note.at_secs)));
        let field = ui.add(egui::TextEdit::singleline(&mut note.text).desired_width(320.0));
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        field.labelled(egui::Role::TextInput, "Bookmark note");
        ui.horizontal(|ui| {
            if ui.button("Save note").clicked() || entered {
                actions.push(Action::Bookmarks(BookmarkAction::SaveNote(note.id, note.text.clone())));
                done = true;
            }
            done |= ui.button("No note").clicked();
        });
    });
    if done || !open {
        state.bookmarks.note = None;
    }
}

fn clip_window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(form) = state.bookmarks.clip.as_mut() else { return };
    let mut open = true;
    let mut done = false;
    widgets::dialog(ui.ctx(), "Clip").open(&mut open).resizable(false).show(ui.ctx(), |ui| {
        ui.label(&form.heading);
        ui.horizontal(|ui| {
            ui.label(format!("From {} for", format_clock(form.start)));
            let field = ui.add(egui::TextEdit::singleline(&mut form.length).desired_width(48.0));
            field.labelled(egui::Role::TextInput, "Clip length in seconds");
            ui.label("seconds");
        });
        let span = form.span();
        if span.is_none() {
            ui.label(egui::RichText::new("Say how many seconds (1 to 300).").weak());
        }
        ui.horizontal(|ui| {
            if let (Some((start, end)), Some(episode)) = (span, form.episode)
                && ui.button("Save clip…").on_hover_text("An Opus file with the show's art").clicked()
            {
                actions.push(Action::Bookmarks(BookmarkAction::SaveClip { episode, start, end }));
                done = true;
            }
            let link =
                span.zip(form.link.as_deref()).and_then(|((start, end), link)| moment_link(link, start, Some(end)));
            if let Some(link) = link
                && ui.button("Copy link to this span").on_hover_text(&link).clicked()
            {
                actions.push(Action::Copy { text: link, what: "link to this span" });
            }
        });
    });
    if done || !open {
        state.bookmarks.clip = None;
    }
}
