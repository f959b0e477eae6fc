//! What the session keeps across runs: where the listener is (positions, saved every
//! `SAVE_EVERY` and whenever playback stops), the listening time tallied, and the listener's
//! speed and volume.

use std::time::Instant;

use super::rules::counts_as_played;
use super::{Changed, Listening, Playback};
use crate::error::HarkError;
use crate::library::keys::{SPEED, VOLUME};
use crate::model::EpisodeId;
use crate::player::{round_speed, valid_speed};

impl Listening {
    /// The listener's speed and volume, as the settings last had them.
    pub(super) fn load_speed_and_volume(&mut self) -> Result<(), HarkError> {
        let number =
            |key| -> Result<Option<f32>, HarkError> { Ok(self.library.setting(key)?.and_then(|v| v.parse().ok())) };
        let (speed, volume) = (number(SPEED)?.and_then(valid_speed), number(VOLUME)?.filter(|v| v.is_finite()));
        if let Some(speed) = speed {
            self.speed = speed;
            self.listener_speed = speed;
            self.player.set_speed(speed);
        }
        if let Some(volume) = volume {
            self.volume = volume.clamp(0.0, 1.0);
            self.player.set_volume(self.volume);
        }
        Ok(())
    }

    /// A new speed, kept by the show when it has a speed of its own, else the listener's.
    pub(super) fn set_speed(&mut self, speed: f32) -> Result<Changed, HarkError> {
        let Some(speed) = valid_speed(speed) else { return Ok(Changed::default()) };
        self.count_listening();
        self.speed = round_speed(speed);
        self.run_speed = None;
        self.player.set_speed(self.speed);
        match self.playback.track().map(|t| t.podcast).filter(|_| self.sound.show_speed.is_some()) {
            Some(podcast) => {
                let mut settings = self.library.show_settings(podcast)?;
                settings.speed = Some(self.speed);
                self.library.set_show_settings(podcast, &settings)?;
                self.sound.show_speed = Some(self.speed);
            }
            None => {
                self.listener_speed = self.speed;
                self.library.set_setting(SPEED, &self.speed.to_string())?;
            }
        }
        Ok(Changed { playback: true, ..Changed::default() })
    }

    pub(super) fn set_volume(&mut self, volume: f32) -> Result<Changed, HarkError> {
        if !volume.is_finite() {
            return Ok(Changed::default());
        }
        self.volume = volume.clamp(0.0, 1.0);
        self.player.set_volume(self.volume * self.sleep_gain);
        self.library.set_setting(VOLUME, &self.volume.to_string())?;
        Ok(Changed { playback: true, ..Changed::default() })
    }

    /// Writes where the listener is (the window calls it on exit).
    pub fn save(&mut self) -> Result<Changed, HarkError> {
        let Some(episode) = self.playback.episode() else { return Ok(Changed::default()) };
        let position = self.position_secs();
        if let Some(track) = self.playback.track_mut() {
            track.position_secs = position;
        }
        self.library.set_position(episode, position)?;
        self.last_saved = Instant::now();
        let mut changed = Changed::default();
        if let Some(podcast) = self.playback.track().map(|t| t.podcast) {
            self.count_listening();
            let time = self.tally.take();
            changed.listened = !time.is_empty();
            self.library.add_listening(episode, podcast, time)?;
        }
        let duration = self.playback.track().and_then(|t| t.duration_secs);
        if !self.marked_played && counts_as_played(position, duration) {
            self.marked_played = true;
            self.finished_here = true;
            self.library.set_played(episode, true)?;
            changed.library = true;
        }
        Ok(changed)
    }

    /// Another device moved the episode in the transport (a sync wrote it to the library). While
    /// it plays here, this listening is the newest change and the next save sends it; otherwise
    /// the transport takes the synced place, so leaving it does not write the old one back.
    pub(super) fn adopt_synced(&mut self, episode: EpisodeId) -> Result<Changed, HarkError> {
        if self.playback.is_playing() || self.playback.episode() != Some(episode) {
            return Ok(Changed::default());
        }
        let synced = self.library.episode(episode)?.summary;
        if let Some(track) = self.playback.track_mut() {
            track.position_secs = synced.position_secs;
        }
        self.marked_played = synced.played;
        if self.in_player {
            self.player.seek_to(synced.position_secs);
        }
        Ok(Changed { playback: true, library: true, ..Changed::default() })
    }

    /// Counts the time listened since the last count (the next save writes it).
    pub(super) fn count_listening(&mut self) {
        let playing = self.in_player && matches!(self.playback, Playback::Playing { buffering: false, .. });
        self.tally.count(playing, self.speed, self.player.take_silence_saved());
    }
}
