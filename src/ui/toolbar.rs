use eframe::egui;

use super::{Action, UiState};

pub fn draw(ui: &mut egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        if ui.ctx().content_rect().width() < super::SHOWS_DRAWER_BELOW {
            let drawer = ui.add(egui::Button::selectable(state.shows_drawer, "☰ Shows"));
            if drawer.on_hover_text("Your shows and the Inbox").clicked() {
                state.shows_drawer = !state.shows_drawer;
            }
        }
        ui.heading("Hark");
        ui.menu_button("File", |ui| {
            if ui.button("Import OPML…").on_hover_text("Subscribe to the feeds of an OPML file").clicked() {
                actions.push(Action::ImportOpml);
                ui.close();
            }
            if ui.button("Export OPML…").on_hover_text("Save your subscriptions for another app").clicked() {
                actions.push(Action::ExportOpml);
                ui.close();
            }
            ui.separator();
            if ui.button("Preferences…").on_hover_text("Ctrl+,").clicked() {
                actions.push(Action::OpenPreferences);
                ui.close();
            }
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard shortcuts").clicked() {
                state.show_shortcuts = true;
                ui.close();
            }
        });
        ui.separator();
        let active =
            state.downloads.values().filter(|d| !matches!(d.state, super::DownloadState::Failed { .. })).count();
        let label = if active > 0 { format!("⬇ Downloads ({active})") } else { "⬇ Downloads".to_string() };
        if ui.button(label).clicked() {
            actions.push(Action::OpenDownloads);
        }
        if ui.button("Bookmarks").on_hover_text("Every bookmark, searchable").clicked() {
            actions.push(Action::Bookmarks(super::bookmarks::BookmarkAction::Open));
        }
        if ui.button("Statistics").on_hover_text("Time listened and time saved").clicked() {
            actions.push(Action::OpenStatistics);
        }
        if ui.button("Sync").on_hover_text("Keep your phone and this computer in step").clicked() {
            actions.push(Action::OpenSync);
        }
        let refreshing = state.refresh.is_some();
        let button = ui
            .add_enabled(!refreshing, egui::Button::new("⟳ Refresh all"))
            .on_hover_text("Fetch new episodes of every podcast (F5)");
        if button.clicked() {
            actions.push(Action::Refresh(None));
        }
        ui.separator();
        super::find::search_field(ui, state, actions);
        if let Some(progress) = &state.refresh {
            ui.spinner();
            ui.label(format!("Refreshing {} of {}…", progress.done.min(progress.total), progress.total));
            ui.add(
                egui::ProgressBar::new(progress.done as f32 / progress.total.max(1) as f32)
                    .desired_width(140.0)
                    .desired_height(8.0),
            );
        }
        if let Some(import) = &state.import {
            ui.spinner();
            ui.label(format!("Importing {} of {} feeds…", import.done, import.total));
        }
        if let Some(notice) = &state.notice {
            ui.separator();
            let color = if notice.is_error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
            ui.label(egui::RichText::new(&notice.text).color(color));
            if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                actions.push(Action::DismissNotice);
            }
        }
    });
}
