//! The daily flow: the listener's preferences into the views, the net service and the listening
//! session; the Inbox; and news of what a timed refresh brought (the Inbox badge, a desktop
//! notification).

use super::HarkApp;
use crate::desktop::notify::Arrivals;
use crate::error::HarkError;
use crate::listening::{Command, ListenerSound};
use crate::model::EpisodeId;
use crate::net::NetCommand;
use crate::preferences::{self, Preferences};

fn refused(e: preferences::PreferenceError) -> HarkError {
    HarkError::Other(e.to_string())
}

impl HarkApp {
    /// Reads the preferences again (at launch, after a change here or by `hark config`).
    pub(super) fn apply_preferences(&mut self) -> Result<(), HarkError> {
        let preferences = Preferences::load(&self.library).map_err(refused)?;
        let transport = &mut self.state.transport;
        transport.rewind_secs = preferences.skip_back_secs;
        transport.skip_secs = preferences.skip_forward_secs;
        self.state.theme = preferences.theme;
        if self.timed_refresh
            && self.preferences.as_ref().map(|p| p.refresh_interval) != Some(preferences.refresh_interval)
        {
            self.net.send(NetCommand::SetRefreshInterval(preferences.refresh_interval));
        }
        self.preferences = Some(preferences);
        if let Some(window) = &mut self.state.preferences {
            *window = preferences::list(&self.library).map_err(refused)?;
        }
        Ok(())
    }

    pub(super) fn open_preferences(&mut self) -> Result<(), HarkError> {
        self.state.preferences = Some(preferences::list(&self.library).map_err(refused)?);
        Ok(())
    }

    /// A preference set in the Preferences window: stored, then followed by whoever acts on it.
    pub(super) fn set_preference(&mut self, name: &str, value: &str) -> Result<(), HarkError> {
        // A folder preference moves files (as in `hark config`): it is set by the move.
        if preferences::find(name).is_ok_and(|p| p.kind == preferences::Kind::Folder) {
            let folder = preferences::folder(value).map_err(refused)?;
            self.move_downloads(folder.unwrap_or_else(|| self.paths.default_downloads()));
            return Ok(());
        }
        preferences::set(&mut self.library, name, value).map_err(refused)?;
        self.follow_preferences(Some(name))
    }

    /// `hark config` changed something: everything that acts on a preference reads them again.
    pub(super) fn preferences_changed(&mut self) -> Result<(), HarkError> {
        self.follow_preferences(None)
    }

    /// What acts on the preference `changed` (None: on any of them) takes its value, once each.
    fn follow_preferences(&mut self, changed: Option<&str>) -> Result<(), HarkError> {
        self.apply_preferences()?;
        let touched = |names: &[&str]| changed.is_none_or(|name| names.contains(&name));
        if touched(&[preferences::SPEED]) {
            let speed = preferences::get(&self.library, preferences::SPEED).map_err(refused)?;
            if let Ok(speed) = speed.parse() {
                self.listen(Command::SetSpeed(speed));
            }
        }
        if touched(&[preferences::SKIP_SILENCE, preferences::LOUDNESS, preferences::VOICE_BOOST]) {
            self.listen(Command::SetListenerSound(ListenerSound::load(&self.library)?));
        }
        if touched(&[preferences::PARALLEL_DOWNLOADS]) {
            self.net.send(NetCommand::SetParallelDownloads(crate::net::parallel_downloads(&self.library)?));
        }
        if self.state.downloads_window.open {
            self.refresh_downloads_window()?;
        }
        Ok(())
    }

    pub(super) fn open_inbox(&mut self) -> Result<(), HarkError> {
        self.state.inbox.entries = self.library.inbox()?;
        self.state.inbox.open = true;
        Ok(())
    }

    /// Reads the Inbox again: its badge, and its list when it is open.
    pub(super) fn reload_inbox(&mut self) -> Result<(), HarkError> {
        self.state.inbox.count = self.library.inbox_count()?;
        if self.state.inbox.open {
            self.state.inbox.entries = self.library.inbox()?;
        }
        Ok(())
    }

    pub(super) fn dismiss_inbox(&mut self, episode: Option<EpisodeId>) -> Result<(), HarkError> {
        self.library.dismiss_inbox(episode)?;
        self.reload_inbox()
    }

    /// After a timed refresh: the Inbox's badge, and one notification for what arrived since
    /// the last one (when the listener wants them; per show, as each show says).
    pub(super) fn announce_arrivals(&mut self) -> Result<(), HarkError> {
        self.reload_inbox()?;
        let arrived = self.library.arrived_after(self.announced_through)?;
        if let Some(latest) = arrived.iter().map(|entry| entry.arrived_at).max() {
            self.announced_through = latest;
        }
        let wanted = self.preferences.as_ref().is_none_or(|p| p.notifications);
        if wanted && !arrived.is_empty() {
            let lines = arrived.into_iter().map(|entry| (entry.podcast_title, entry.episode.title)).collect();
            self.notifier.announce(Arrivals(lines));
        }
        Ok(())
    }
}
