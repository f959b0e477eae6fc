//! The Inbox: new episodes across shows, newest first, each with what one does with news.

use eframe::egui;

use super::widgets::Labelled;
use super::{Action, Command, QueueEdit, UiState, widgets};
use crate::model::format_clock;

/// A row of the Inbox: its buttons with room around them.
pub(super) const ROW_HEIGHT: f32 = 24.0;

/// The Inbox in the central panel, in place of a show.
pub fn draw(ui: &mut egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let inbox = &state.inbox;
    ui.horizontal(|ui| {
        ui.heading(format!("Inbox ({})", inbox.entries.len()));
        if ui.add_enabled(!inbox.entries.is_empty(), egui::Button::new("Dismiss all")).clicked() {
            actions.push(Action::DismissInbox(None));
        }
    });
    ui.label(egui::RichText::new("New episodes from the shows you follow, since you last looked.").weak());
    ui.separator();
    if inbox.entries.is_empty() {
        ui.label("Nothing new. New episodes land here after each refresh.");
        return;
    }
    let selected = state.episode_page.as_ref().map(|page| page.episode.summary.id);
    let keyed = state.keys.drives(ui, super::keys::Pane::Episodes);
    let mut list = state.keys.episodes;
    // Only the rows in view are laid out, however long the Inbox grows.
    let area = list.show_rows(ui, "inbox", ROW_HEIGHT, inbox.entries.len(), |ui, in_view| {
        for entry in &inbox.entries[in_view] {
            let episode = &entry.episode;
            let drawn = ui.horizontal(|ui| {
                ui.set_height(ROW_HEIGHT);
                ui.add_sized([92.0, 18.0], egui::Label::new(widgets::date(episode.published)));
                let duration = episode.duration_secs.map(|d| format_clock(d as f64)).unwrap_or_default();
                ui.add_sized([64.0, 18.0], egui::Label::new(duration));
                let buttons = 4.0 * 34.0;
                let width = (ui.available_width() - buttons).max(60.0);
                let playing = state.transport.playback.episode() == Some(episode.id);
                let mark = if playing { "▶ " } else { "" };
                let text = format!("{mark}{} — {}", entry.podcast_title, episode.title);
                let title = ui
                    .add_sized([width, 18.0], egui::Button::selectable(selected == Some(episode.id), &text).truncate());
                if widgets::full_text_if_cut(ui, title, &text).clicked() {
                    actions.push(Action::SelectEpisode(episode.id));
                }
                let named = |response: egui::Response, what: &str| {
                    response.on_hover_text(what).labelled(egui::Role::Button, &format!("{what}: {}", episode.title))
                };
                if named(ui.small_button("▶"), "Play").clicked() {
                    actions.push(Action::Listen(Command::Play { episode: episode.id, from: None }));
                }
                if named(ui.small_button("+"), "Add to Up Next").clicked() {
                    actions.push(Action::Listen(Command::Queue(QueueEdit::Add(episode.id))));
                }
                if named(ui.add_enabled(!episode.downloaded, egui::Button::new("⬇").small()), "Download").clicked() {
                    actions.push(Action::Download(episode.id));
                }
                if named(ui.small_button("×"), "Dismiss").clicked() {
                    actions.push(Action::DismissInbox(Some(episode.id)));
                }
            });
            if keyed && selected == Some(episode.id) {
                super::keys::mark(ui, drawn.response.rect);
            }
        }
    });
    state.keys.episodes = list;
    super::episodes::list_region(ui, area.inner_rect, "Inbox list", keyed);
}
