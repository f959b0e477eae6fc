//! The Downloads window and the download buttons: what to fetch, cancel or delete, and the
//! listener's download settings (stored in the library, told to the net service).

use super::HarkApp;
use crate::error::HarkError;
use crate::library::keys::{AUTO_DOWNLOAD_NEWEST, DELETE_WHEN_PLAYED, PARALLEL_DOWNLOADS};
use crate::model::EpisodeId;
use crate::net::{self, NetCommand};

impl HarkApp {
    pub(super) fn download(&mut self, episode: EpisodeId) {
        // A failed download's line goes; the queue shows the new attempt.
        self.state.downloads.remove(&episode);
        self.net.send(NetCommand::Download { episode });
    }

    pub(super) fn open_downloads(&mut self) -> Result<(), HarkError> {
        self.refresh_downloads_window()?;
        self.state.downloads_window.open = true;
        Ok(())
    }

    /// Finished downloads with their sizes, the storage they use, and the settings.
    pub(super) fn refresh_downloads_window(&mut self) -> Result<(), HarkError> {
        let finished = self.library.downloads_on_disk()?;
        let parallel_downloads = net::parallel_downloads(&self.library)?;
        let window = &mut self.state.downloads_window;
        window.storage_used = finished.iter().map(|(_, size)| size).sum();
        window.finished = finished;
        let setting = |key| self.library.setting(key).ok().flatten();
        window.auto_download_newest = setting(AUTO_DOWNLOAD_NEWEST).and_then(|v| v.parse().ok()).unwrap_or(0);
        window.delete_when_played = setting(DELETE_WHEN_PLAYED).as_deref() == Some("1");
        window.parallel_downloads = parallel_downloads as u32;
        Ok(())
    }

    pub(super) fn set_auto_download(&mut self, count: u32) -> Result<(), HarkError> {
        self.library.set_setting(AUTO_DOWNLOAD_NEWEST, &count.to_string())?;
        self.state.downloads_window.auto_download_newest = count;
        Ok(())
    }

    pub(super) fn set_delete_when_played(&mut self, delete: bool) -> Result<(), HarkError> {
        self.library.set_setting(DELETE_WHEN_PLAYED, if delete { "1" } else { "0" })?;
        self.state.downloads_window.delete_when_played = delete;
        Ok(())
    }

    /// Stores the listener's choice; the window shows, and the net service runs, the number the
    /// setting comes to.
    pub(super) fn set_parallel_downloads(&mut self, count: u32) -> Result<(), HarkError> {
        self.library.set_setting(PARALLEL_DOWNLOADS, &count.to_string())?;
        let parallel_downloads = net::parallel_downloads(&self.library)?;
        self.state.downloads_window.parallel_downloads = parallel_downloads as u32;
        self.net.send(NetCommand::SetParallelDownloads(parallel_downloads));
        Ok(())
    }
}
