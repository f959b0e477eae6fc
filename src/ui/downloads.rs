//! The Downloads window: what is downloading, queued, failed and finished, storage used, and
//! the download settings.

use eframe::egui;

use super::{Action, DownloadState, UiState};

pub fn window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let mut open = state.downloads_window.open;
    super::widgets::dialog(ui.ctx(), "Downloads").open(&mut open).default_width(520.0).show(ui.ctx(), |ui| {
        let w = &state.downloads_window;
        ui.label(format!("Storage used: {}", crate::model::size_text(w.storage_used)));
        ui.separator();
        let mut active: Vec<_> = state.downloads.iter().collect();
        active.sort_by_key(|(id, _)| **id);
        if active.is_empty() {
            ui.label(egui::RichText::new("Nothing is downloading.").weak());
        }
        for (id, download) in active {
            ui.horizontal(|ui| {
                ui.add(egui::Label::new(&download.title).truncate());
                match &download.state {
                    DownloadState::Queued => {
                        ui.label("queued");
                        if ui.small_button("Cancel").clicked() {
                            actions.push(Action::CancelDownload(*id));
                        }
                    }
                    DownloadState::Running { bytes, total, bytes_per_sec } => {
                        let fraction = total.filter(|t| *t > 0).map(|t| *bytes as f32 / t as f32).unwrap_or(0.0);
                        ui.add(egui::ProgressBar::new(fraction).desired_width(140.0).text(format!(
                            "{:.0}% · {}/s",
                            fraction * 100.0,
                            crate::model::size_text(*bytes_per_sec as u64)
                        )));
                        if ui.small_button("Cancel").clicked() {
                            actions.push(Action::CancelDownload(*id));
                        }
                    }
                    DownloadState::Failed { reason } => {
                        if ui.small_button("Retry").clicked() {
                            actions.push(Action::Download(*id));
                        }
                        // A long reason wraps within the window instead of widening it.
                        ui.add(
                            egui::Label::new(egui::RichText::new(reason).color(ui.visuals().error_fg_color))
                                .wrap_mode(egui::TextWrapMode::Wrap),
                        );
                    }
                }
            });
        }
        ui.separator();
        ui.label(egui::RichText::new(format!("Finished ({})", w.finished.len())).strong());
        egui::ScrollArea::vertical().id_salt("finished-downloads").max_height(220.0).show(ui, |ui| {
            for (episode, size) in &w.finished {
                ui.horizontal(|ui| {
                    ui.add(egui::Label::new(&episode.title).truncate());
                    ui.label(crate::model::size_text(*size));
                    if ui.small_button("Delete").on_hover_text("Delete download").clicked() {
                        actions.push(Action::DeleteDownload(episode.id));
                    }
                });
            }
        });
        ui.separator();
        let mut newest = w.auto_download_newest;
        ui.horizontal(|ui| {
            ui.label("After a refresh, download the newest");
            if ui.add(egui::DragValue::new(&mut newest).range(0..=20)).changed() {
                actions.push(Action::SetAutoDownload(newest));
            }
            ui.label("episodes of each podcast (0: off)");
        });
        let mut delete = w.delete_when_played;
        if ui.checkbox(&mut delete, "Delete a download once the episode is played").changed() {
            actions.push(Action::SetDeleteWhenPlayed(delete));
        }
        let mut parallel = w.parallel_downloads;
        ui.horizontal(|ui| {
            ui.label("Downloads at once");
            if ui.add(egui::DragValue::new(&mut parallel).range(1..=10)).changed() {
                actions.push(Action::SetParallelDownloads(parallel));
            }
        });
    });
    state.downloads_window.open = open;
}
