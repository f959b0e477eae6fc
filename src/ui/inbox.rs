//! The Inbox: new episodes across shows, newest first, each with what one does with news.

use eframe::egui;

use super::widgets::Labelled;
use super::{Action, Command, QueueEdit, UiState, widgets};
use crate::model::format_clock;

/// The Inbox in the central panel, in place of a show.
pub fn draw(ui: &mut egui::Ui, state: &UiState, actions: &mut Vec<Action>) {
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
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for entry in &inbox.entries {
            let episode = &entry.episode;
            ui.horizontal(|ui| {
                ui.add_sized([92.0, 18.0], egui::Label::new(widgets::date(episode.published)));
                let duration = episode.duration_secs.map(|d| format_clock(d as f64)).unwrap_or_default();
                ui.add_sized([64.0, 18.0], egui::Label::new(duration));
                let buttons = 4.0 * 34.0;
                let width = (ui.available_width() - buttons).max(60.0);
                let playing = state.transport.playback.episode() == Some(episode.id);
                let mark = if playing { "▶ " } else { "" };
                let text = format!("{mark}{} — {}", entry.podcast_title, episode.title);
                let title = ui.add_sized([width, 18.0], egui::Button::selectable(false, &text).truncate());
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
        }
    });
}
