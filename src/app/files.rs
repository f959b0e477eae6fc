//! Where files come from and go: the desktop's file dialogs where it has them, else the
//! window's own picker (never a silent no-op); and moving the downloads to another folder,
//! which the net service does since its downloads may be running.

use std::path::PathBuf;

use super::HarkApp;
use super::dialogs::clip_name;
use crate::error::HarkError;
use crate::net::NetCommand;
use crate::net::extras::ClipJob;
use crate::ui::Notice;
use crate::ui::file_picker::{FilePicker, Purpose};

impl HarkApp {
    pub(super) fn import_opml(&mut self) {
        if self.dialogs.desktop_has_them() {
            self.dialogs.import_opml();
        } else {
            self.pick(Purpose::ImportOpml, home());
        }
    }

    pub(super) fn export_opml(&mut self) {
        if self.dialogs.desktop_has_them() {
            self.dialogs.export_opml(crate::opml::write(&self.state.podcasts));
        } else {
            self.pick(Purpose::ExportOpml, home());
        }
    }

    pub(super) fn save_clip(&mut self, job: ClipJob) {
        if self.dialogs.desktop_has_them() {
            self.dialogs.save_clip(job);
        } else {
            self.pick(Purpose::SaveClip(clip_name(&job)), home());
            self.pending_clip = Some(job);
        }
    }

    pub(super) fn choose_download_folder(&mut self) {
        let start = self.paths.downloads();
        let start = start.parent().map(PathBuf::from).unwrap_or_else(home);
        if self.dialogs.desktop_has_them() {
            self.dialogs.choose_folder("Download folder", start);
        } else {
            self.pick(Purpose::DownloadFolder, start);
        }
    }

    fn pick(&mut self, purpose: Purpose, start: PathBuf) {
        crate::ui::close_dialogs(&mut self.state);
        self.state.file_picker = Some(FilePicker::new(purpose, &start));
    }

    /// The window's own picker was closed on `path`.
    pub(super) fn file_picked(&mut self, purpose: Purpose, path: PathBuf) {
        match purpose {
            Purpose::ImportOpml => self.dialogs.import_opml_from(path),
            Purpose::ExportOpml => self.dialogs.export_opml_to(path, crate::opml::write(&self.state.podcasts)),
            Purpose::SaveClip(_) => {
                if let Some(job) = self.pending_clip.take() {
                    self.dialogs.save_clip_to(path, job);
                }
            }
            Purpose::DownloadFolder => self.move_downloads(path),
        }
    }

    /// From the Preferences window, the picker or `hark config download-folder` (handed over).
    pub(super) fn move_downloads(&mut self, to: PathBuf) {
        if to == self.paths.downloads() {
            return;
        }
        self.state.notice = Some(Notice::info(format!("Moving your downloads to {}…", to.display())));
        self.net.send(NetCommand::MoveDownloads { to });
    }

    pub(super) fn downloads_moved(
        &mut self,
        result: Result<crate::library::Relocated, String>,
    ) -> Result<(), HarkError> {
        match result {
            Ok(moved) => {
                self.paths = self.paths.clone().with_downloads(Some(moved.folder.clone()));
                let line = match moved.files {
                    0 => format!("Downloads now go to {}", moved.folder.display()),
                    1 => format!(
                        "Moved 1 download ({}) to {}",
                        crate::model::size_text(moved.bytes),
                        moved.folder.display()
                    ),
                    n => format!(
                        "Moved {n} downloads ({}) to {}",
                        crate::model::size_text(moved.bytes),
                        moved.folder.display()
                    ),
                };
                self.state.notice = Some(Notice::info(line));
                self.refresh_views()?;
            }
            Err(reason) => {
                self.state.notice = Some(Notice::error(format!("Your downloads stay where they are: {reason}")))
            }
        }
        if self.state.preferences.is_some() {
            self.open_preferences()?;
        }
        Ok(())
    }
}

/// Where a picker opens when nothing better is known.
fn home() -> PathBuf {
    directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf()).unwrap_or_else(|| PathBuf::from("/"))
}
