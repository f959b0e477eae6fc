use eframe::egui;

use super::{Action, UiState, widgets};

pub fn draw(ui: &mut egui::Ui, state: &UiState, actions: &mut Vec<Action>) {
    let Some(show) = &state.show else {
        ui.label("Select a podcast on the left.");
        return;
    };
    ui.horizontal_top(|ui| {
        widgets::art(ui, &state.art, show.art_url.as_deref(), &show.title, 140.0);
        ui.vertical(|ui| {
            ui.heading(egui::RichText::new(&show.title).strong());
            if let Some(author) = &show.author {
                ui.label(egui::RichText::new(author).italics());
            }
            ui.horizontal(|ui| {
                let unplayed = state.episodes.iter().filter(|e| !e.played).count();
                ui.label(format!("{} episodes · {unplayed} unplayed", state.episodes.len()));
                if let Some(link) = &show.link
                    && ui.link("Website").on_hover_text(link).clicked()
                {
                    actions.push(Action::OpenLink(link.clone()));
                }
            });
            if let Some(description) = &show.description {
                egui::ScrollArea::vertical().id_salt("show-description").max_height(84.0).show(ui, |ui| {
                    ui.label(description);
                });
            }
            if let Some(error) = &show.last_error {
                ui.colored_label(ui.visuals().warn_fg_color, format!("Last refresh failed: {error}"));
            }
        });
    });
}
