use eframe::egui;

use super::{Action, UiState, widgets};
use crate::model::format_clock;

const ROW_HEIGHT: f32 = 26.0;

pub fn draw(ui: &mut egui::Ui, state: &UiState, actions: &mut Vec<Action>) {
    if state.show.is_none() {
        return;
    }
    if state.episodes.is_empty() {
        ui.label("This podcast has no episodes with audio yet.");
        return;
    }
    let selected = state.episode_page.as_ref().map(|p| p.episode.summary.id);
    // Only the visible rows are laid out, so 20,000 episodes cost what 30 do.
    egui::ScrollArea::vertical().auto_shrink([false, false]).show_rows(
        ui,
        ROW_HEIGHT,
        state.episodes.len(),
        |ui, rows| {
            for episode in &state.episodes[rows] {
                ui.horizontal(|ui| {
                    ui.set_height(ROW_HEIGHT - 4.0);
                    let (mark, hint) = if episode.played {
                        ("✔", "Played")
                    } else if episode.position_secs > 0.0 {
                        ("◐", "In progress")
                    } else {
                        ("●", "Not played")
                    };
                    ui.label(egui::RichText::new(mark).color(ui.visuals().weak_text_color())).on_hover_text(hint);
                    ui.allocate_ui_with_layout(
                        egui::vec2(92.0, ROW_HEIGHT - 4.0),
                        egui::Layout::left_to_right(egui::Align::Center),
                        |ui| {
                            ui.set_min_width(92.0);
                            ui.label(widgets::date(episode.published));
                        },
                    );
                    let duration = episode.duration_secs.map(|d| format_clock(d as f64)).unwrap_or_default();
                    let title_width = (ui.available_width() - 70.0).max(80.0);
                    let mut title = egui::RichText::new(&episode.title);
                    if episode.played {
                        title = title.color(ui.visuals().weak_text_color());
                    }
                    let response = ui
                        .allocate_ui_with_layout(
                            egui::vec2(title_width, ROW_HEIGHT - 4.0),
                            egui::Layout::left_to_right(egui::Align::Center),
                            |ui| {
                                ui.set_min_width(title_width);
                                ui.add(egui::Button::selectable(selected == Some(episode.id), title).truncate())
                            },
                        )
                        .inner;
                    if response.clicked() {
                        actions.push(Action::SelectEpisode(episode.id));
                    }
                    ui.label(duration);
                });
            }
        },
    );
}
