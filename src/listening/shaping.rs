//! What the show and the listener ask of an episode while it plays: how it sounds (skip
//! silence, loudness, voice boost, speed), its intro and outro trims, and its skipped chapters.

use std::time::Instant;

use super::sound::{self, EpisodeSound, ListenerSound};
use super::{Changed, EpisodeChapters, Listening, Playback, SKIP_SETTLES};
use crate::error::HarkError;
use crate::library::ShowSettings;
use crate::model::{EpisodeId, PodcastId};

impl Listening {
    pub(super) fn set_show_settings(
        &mut self,
        podcast: PodcastId,
        settings: ShowSettings,
    ) -> Result<Changed, HarkError> {
        self.library.set_show_settings(podcast, &settings)?;
        match self.playback.track().is_some_and(|t| t.podcast == podcast) {
            true => self.apply_sound(),
            false => Ok(Changed::default()),
        }
    }

    pub(super) fn set_listener_sound(&mut self, sound: ListenerSound) -> Result<Changed, HarkError> {
        sound.save(&mut self.library)?;
        self.listener_sound = sound;
        let mut changed = Changed { playback: true, ..Changed::default() };
        if self.playback.track().is_some() {
            changed.merge(self.apply_sound()?);
        }
        Ok(changed)
    }

    /// To a chapter's start, when there is one to go to.
    pub(super) fn seek_to_chapter(&mut self, start: Option<f64>) -> Result<Changed, HarkError> {
        match start {
            Some(start) => self.seek_to(start),
            None => Ok(Changed::default()),
        }
    }

    pub(super) fn skip_chapter(
        &mut self,
        episode: EpisodeId,
        start_secs: f64,
        skipped: bool,
    ) -> Result<Changed, HarkError> {
        if !start_secs.is_finite() {
            return Ok(Changed::default());
        }
        self.library.set_chapter_skipped(episode, start_secs, skipped)?;
        let mut changed = Changed { chapters: true, ..Changed::default() };
        if self.playback.episode() == Some(episode) {
            changed.merge(self.reload_chapters()?);
        }
        Ok(changed)
    }

    /// Works out how the current episode sounds and tells the player (before its load, or
    /// while it plays: the player decodes again from where the listener is).
    pub(super) fn apply_sound(&mut self) -> Result<Changed, HarkError> {
        let Some((episode, podcast)) = self.playback.track().map(|t| (t.episode, t.podcast)) else {
            return Ok(Changed::default());
        };
        let sound = sound::episode_sound(&self.library, episode, podcast, self.listener_sound, self.run_sound)?;
        Ok(self.use_sound_of(sound, false))
    }

    /// `for_load`: the settings go with a load that follows, so they are sent whatever the
    /// player had (its own start-up defaults are not the session's business).
    pub(super) fn use_sound_of(&mut self, sound: EpisodeSound, for_load: bool) -> Changed {
        if for_load || sound.audio != self.sound.audio {
            self.player.set_audio(sound.audio);
        }
        let speed = self.run_speed.or(sound.show_speed).unwrap_or(self.listener_speed);
        if (speed - self.speed).abs() > f32::EPSILON {
            self.count_listening();
            self.speed = speed;
            self.player.set_speed(speed);
        }
        self.sound = sound;
        Changed { playback: true, ..Changed::default() }
    }

    /// Reads the current episode's chapters again (new ones arrived, or its length is known).
    pub(super) fn reload_chapters(&mut self) -> Result<Changed, HarkError> {
        self.chapters = match self.playback.track() {
            Some(track) => EpisodeChapters::load(&self.library, track.episode, track.duration_secs)?,
            None => EpisodeChapters::default(),
        };
        Ok(Changed { chapters: true, ..Changed::default() })
    }

    /// Inside a skipped chapter while playing: on to where the skipped run ends (once: the
    /// engine's clock takes a moment to show the seek).
    pub(super) fn skip_unwanted_chapter(&mut self, secs: f64) -> Result<Changed, HarkError> {
        match self.chapters.skip_target(secs) {
            Some(target) if target > secs && matches!(self.playback, Playback::Playing { .. }) => {
                let asked = self.chapter_skip.is_some_and(|(to, when)| to == target && when.elapsed() < SKIP_SETTLES);
                if asked {
                    return Ok(Changed::default());
                }
                self.chapter_skip = Some((target, Instant::now()));
                self.seek_to(target)
            }
            _ => Ok(Changed::default()),
        }
    }

    /// Playing on from `position`, reaching the outro ends the episode; from inside it (a
    /// resume or a seek there) it plays on.
    pub(super) fn arm_outro(&mut self, position: f64, duration: Option<f64>) {
        self.outro_armed = self.sound.outro_starts(duration).is_none_or(|at| position < at);
    }

    /// Where the show's outro starts in this episode, if it has one to skip.
    pub(super) fn outro_starts(&self) -> Option<f64> {
        self.sound.outro_starts(self.playback.track()?.duration_secs)
    }

    /// In the show's outro while playing: the episode is over, as if heard to the end.
    pub(super) fn skip_outro(&mut self) -> Result<Changed, HarkError> {
        let Some(at) = self.outro_starts() else { return Ok(Changed::default()) };
        let Playback::Playing { track, .. } = &self.playback else { return Ok(Changed::default()) };
        // Only playback that runs into the outro ends the episode: a resume or a seek the
        // listener made into it plays on.
        if self.player.position_secs() < at || !self.outro_armed {
            return Ok(Changed::default());
        }
        self.outro_armed = false;
        let episode = track.episode;
        self.count_listening();
        self.player.pause();
        self.finish(episode)
    }
}
