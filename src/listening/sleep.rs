//! The sleep timer: playback stops by itself after so much listening, at the end of this
//! episode or at the end of this chapter. The last seconds fade out; where it stopped is saved.

use std::time::{Duration, Instant};

use super::{Changed, Playback};
use crate::error::HarkError;

/// How long the fade before stopping lasts.
pub const FADE_SECS: f64 = 5.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SleepMode {
    /// After this much listening (the countdown stands still while paused).
    After(Duration),
    EndOfEpisode,
    EndOfChapter,
}

/// What the timer asks of playback now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SleepStep {
    /// Play on.
    Wait,
    /// Play at this fraction of the volume (the fade).
    Fade(f32),
    Stop,
}

#[derive(Debug, Clone)]
pub struct SleepTimer {
    pub mode: SleepMode,
    /// For `After`: listening time left, as of `counted_at`.
    left: Duration,
    counted_at: Option<Instant>,
}

impl SleepTimer {
    pub fn new(mode: SleepMode) -> Self {
        let left = match mode {
            SleepMode::After(after) => after,
            SleepMode::EndOfEpisode | SleepMode::EndOfChapter => Duration::ZERO,
        };
        Self { mode, left, counted_at: None }
    }

    /// Counts listening time: call while playing (and once when playing stops, with `false`).
    pub fn count(&mut self, playing: bool) {
        let now = Instant::now();
        if let Some(since) = self.counted_at.take() {
            self.left = self.left.saturating_sub(now - since);
        }
        if playing {
            self.counted_at = Some(now);
        }
    }

    /// Seconds of playback until it stops: `until_end` is how long (at the current speed) until
    /// the end of the episode or chapter the timer waits for, when it waits for one.
    pub fn seconds_left(&self, until_end: Option<f64>) -> Option<f64> {
        match self.mode {
            SleepMode::After(_) => {
                let counted = self.counted_at.map_or(Duration::ZERO, |since| since.elapsed());
                Some(self.left.saturating_sub(counted).as_secs_f64())
            }
            SleepMode::EndOfEpisode | SleepMode::EndOfChapter => until_end.map(|secs| secs.max(0.0)),
        }
    }

    pub fn step(&self, until_end: Option<f64>) -> SleepStep {
        match self.seconds_left(until_end) {
            Some(left) if left <= 0.0 => SleepStep::Stop,
            Some(left) if left < FADE_SECS => SleepStep::Fade((left / FADE_SECS) as f32),
            _ => SleepStep::Wait,
        }
    }
}

impl super::Listening {
    /// Starts the sleep timer, or (None) turns it off.
    pub(super) fn set_sleep(&mut self, mode: Option<SleepMode>) -> Changed {
        self.sleep = mode.map(SleepTimer::new);
        if let Some(timer) = &mut self.sleep {
            timer.count(self.playback.is_playing());
        }
        self.set_sleep_gain(1.0);
        Changed { playback: true, ..Changed::default() }
    }

    /// The sleep timer, if one runs: what it waits for and the seconds of playback left (None
    /// while the length it waits for is not known).
    pub fn sleep_timer(&self) -> Option<(SleepMode, Option<f64>)> {
        let timer = self.sleep.as_ref()?;
        Some((timer.mode, timer.seconds_left(self.until_sleep_end(timer.mode))))
    }

    /// For a timer waiting for the end of the episode or chapter: seconds of playback until it.
    fn until_sleep_end(&self, mode: SleepMode) -> Option<f64> {
        let now = self.position_secs();
        let end = match mode {
            SleepMode::After(_) => return None,
            SleepMode::EndOfEpisode => self.playback.track()?.duration_secs?,
            SleepMode::EndOfChapter => self.chapters.current(now)?.end_secs?,
        };
        Some((end - now) / self.speed as f64)
    }

    /// Counts the sleep timer down, fades, and stops when it runs out.
    pub(super) fn tick_sleep(&mut self) -> Result<Changed, HarkError> {
        let playing = matches!(self.playback, Playback::Playing { .. });
        let Some(timer) = self.sleep.as_mut() else { return Ok(Changed::default()) };
        timer.count(playing);
        let mode = timer.mode;
        let step = self.sleep.as_ref().map_or(SleepStep::Wait, |t| t.step(self.until_sleep_end(mode)));
        match step {
            SleepStep::Wait => Ok(Changed::default()),
            SleepStep::Fade(gain) if playing => {
                self.set_sleep_gain(gain);
                Ok(Changed::default())
            }
            SleepStep::Fade(_) => Ok(Changed::default()),
            // The episode's own end stops it (marked played, nothing after it): see `finish`.
            SleepStep::Stop if mode == SleepMode::EndOfEpisode => {
                self.set_sleep_gain(0.0);
                Ok(Changed::default())
            }
            SleepStep::Stop => {
                let mut changed = self.pause();
                self.sleep = None;
                self.set_sleep_gain(1.0);
                changed.merge(self.save()?);
                changed.playback = true;
                changed.slept = true;
                Ok(changed)
            }
        }
    }

    pub(super) fn set_sleep_gain(&mut self, gain: f32) {
        if (gain - self.sleep_gain).abs() > 0.005 || (gain == 1.0 && self.sleep_gain != 1.0) {
            self.sleep_gain = gain;
            self.player.set_volume(self.volume * gain);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_runs_only_while_playing_and_fades_before_it_stops() {
        let mut timer = SleepTimer::new(SleepMode::After(Duration::from_millis(5_200)));
        assert_eq!(timer.step(None), SleepStep::Wait);
        std::thread::sleep(Duration::from_millis(100));
        assert!(timer.seconds_left(None).unwrap() > 5.19, "not counting while paused");
        timer.count(true);
        std::thread::sleep(Duration::from_millis(300));
        match timer.step(None) {
            SleepStep::Fade(gain) => assert!(gain > 0.9 && gain < 1.0, "{gain}"),
            other => panic!("{other:?}"),
        }
        timer.count(false);
        let left = timer.seconds_left(None).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(timer.seconds_left(None).unwrap(), left, "paused: the countdown stands");
        let end = SleepTimer::new(SleepMode::EndOfEpisode);
        assert_eq!(end.step(Some(30.0)), SleepStep::Wait);
        assert_eq!(end.step(Some(2.5)), SleepStep::Fade(0.5));
        assert_eq!(end.step(Some(0.0)), SleepStep::Stop);
        assert_eq!(end.step(None), SleepStep::Wait, "a length not known yet");
    }
}
