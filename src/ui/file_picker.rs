//! The window's own file picker, for a desktop with no file-chooser portal (a bare X session, a
//! minimal window manager), where the desktop's dialog would silently never appear: Import and
//! Export OPML, Save clip and the download folder ask here instead. It is a well-kept egui
//! widget (egui_file), centred over the window like every other dialog, closed by Esc.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::{Action, UiState};

/// What the picked path is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    ImportOpml,
    ExportOpml,
    /// Saving a clip, under this suggested name.
    SaveClip(String),
    DownloadFolder,
}

pub struct FilePicker {
    purpose: Purpose,
    dialog: egui_file::FileDialog,
}

impl FilePicker {
    /// Opens on `start` (a folder).
    pub fn new(purpose: Purpose, start: &Path) -> Self {
        let dialog = match &purpose {
            Purpose::ImportOpml => egui_file::FileDialog::open_file()
                .title("Import podcasts")
                .show_files_filter(Box::new(|path: &Path| path.extension().is_some_and(|e| e == "opml" || e == "xml"))),
            Purpose::ExportOpml => {
                egui_file::FileDialog::save_file().title("Export podcasts").default_filename("hark-subscriptions.opml")
            }
            Purpose::SaveClip(name) => egui_file::FileDialog::save_file().title("Save clip").default_filename(name),
            Purpose::DownloadFolder => egui_file::FileDialog::select_folder().title("Download folder"),
        };
        let mut dialog = dialog
            .initial_path(start.to_path_buf())
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .default_size([560.0, 380.0])
            .show_rename(false);
        dialog.open();
        Self { purpose, dialog }
    }

    pub fn purpose(&self) -> &Purpose {
        &self.purpose
    }
}

/// Draws the picker while one is open; the path it was closed with becomes an action.
pub fn window(ctx: &egui::Context, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(picker) = &mut state.file_picker else { return };
    picker.dialog.show(ctx);
    match picker.dialog.state() {
        egui_file::State::Open => {}
        egui_file::State::Selected => {
            if let Some(path) = picker.dialog.path().map(PathBuf::from) {
                actions.push(Action::FilePicked { purpose: picker.purpose.clone(), path });
            }
            state.file_picker = None;
        }
        egui_file::State::Cancelled | egui_file::State::Closed => state.file_picker = None,
    }
}
