//! How the episode in the transport sounds: the listener's settings, its show's own, and
//! what `hark play` asked for this run, in that order of weight (the run's flags win).

use crate::library::keys::{LOUDNESS, SKIP_SILENCE, VOICE_BOOST};
use crate::library::{Library, Result};
use crate::model::{EpisodeId, PodcastId};
use crate::player::{AudioSettings, KnownLevel, SilenceLevel};

/// The listener's own settings, for every show that does not say otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ListenerSound {
    pub skip_silence: SilenceLevel,
    /// Loudness normalisation: on unless the listener turned it off.
    pub loudness: bool,
    pub voice_boost: bool,
}

impl Default for ListenerSound {
    fn default() -> Self {
        Self { skip_silence: SilenceLevel::Off, loudness: true, voice_boost: false }
    }
}

impl ListenerSound {
    pub fn load(library: &Library) -> Result<Self> {
        let flag = |key, default| -> Result<bool> { Ok(library.setting(key)?.map_or(default, |v| v == "1")) };
        Ok(Self {
            skip_silence: library.setting(SKIP_SILENCE)?.as_deref().and_then(SilenceLevel::parse).unwrap_or_default(),
            loudness: flag(LOUDNESS, true)?,
            voice_boost: flag(VOICE_BOOST, false)?,
        })
    }

    pub fn save(&self, library: &mut Library) -> Result<()> {
        let flag = |on: bool| if on { "1" } else { "0" };
        library.set_setting(SKIP_SILENCE, self.skip_silence.name())?;
        library.set_setting(LOUDNESS, flag(self.loudness))?;
        library.set_setting(VOICE_BOOST, flag(self.voice_boost))?;
        Ok(())
    }
}

/// What this run asked for (`hark play --skip-silence … --boost --loudness …`), over any
/// show's settings; not saved.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunSound {
    pub skip_silence: Option<SilenceLevel>,
    pub voice_boost: Option<bool>,
    pub loudness: Option<bool>,
}

/// The sound, speed and trims an episode plays with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EpisodeSound {
    pub audio: AudioSettings,
    /// The show's own speed, if it has one.
    pub show_speed: Option<f32>,
    pub skip_intro_secs: f64,
    pub skip_outro_secs: f64,
}

impl EpisodeSound {
    /// Intro and outro are trimmed only from an episode long enough to keep something between
    /// them (a short bonus episode of a show with a long intro plays whole).
    fn trims_fit(&self, duration: Option<f64>) -> bool {
        duration.is_none_or(|d| self.skip_intro_secs + self.skip_outro_secs < d)
    }

    /// Where an episode of this length starts when it starts from the top.
    pub fn intro_secs(&self, duration: Option<f64>) -> f64 {
        if self.trims_fit(duration) { self.skip_intro_secs } else { 0.0 }
    }

    /// Where its outro starts, if there is one to skip.
    pub fn outro_starts(&self, duration: Option<f64>) -> Option<f64> {
        let duration = duration?;
        (self.skip_outro_secs > 0.0 && self.trims_fit(Some(duration))).then_some(duration - self.skip_outro_secs)
    }
}

pub fn episode_sound(
    library: &Library,
    episode: EpisodeId,
    podcast: PodcastId,
    listener: ListenerSound,
    run: RunSound,
) -> Result<EpisodeSound> {
    let show = library.show_settings(podcast)?;
    let level = match library.loudness(episode)? {
        (Some(measured), _) => KnownLevel::Measured(measured),
        (None, Some(show)) => KnownLevel::Show(show),
        (None, None) => KnownLevel::Unknown,
    };
    let audio = AudioSettings {
        skip_silence: run.skip_silence.or(show.skip_silence).unwrap_or(listener.skip_silence),
        loudness: run.loudness.or(show.loudness).unwrap_or(listener.loudness),
        voice_boost: run.voice_boost.or(show.voice_boost).unwrap_or(listener.voice_boost),
        level,
    };
    Ok(EpisodeSound {
        audio,
        show_speed: show.speed,
        skip_intro_secs: show.skip_intro_secs,
        skip_outro_secs: show.skip_outro_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intro_and_outro_are_trimmed_only_where_something_is_left_between_them() {
        let sound = EpisodeSound { skip_intro_secs: 60.0, skip_outro_secs: 30.0, ..EpisodeSound::default() };
        assert_eq!(sound.intro_secs(Some(3600.0)), 60.0);
        assert_eq!(sound.outro_starts(Some(3600.0)), Some(3570.0));
        // A two-minute bonus episode of the same show plays whole.
        assert_eq!(sound.intro_secs(Some(80.0)), 0.0);
        assert_eq!(sound.outro_starts(Some(80.0)), None);
        // Of unknown length: the intro is skipped, and there is no end to trim from.
        assert_eq!(sound.intro_secs(None), 60.0);
        assert_eq!(sound.outro_starts(None), None);
        assert_eq!(EpisodeSound::default().outro_starts(Some(100.0)), None);
    }
}
