//! Listening time and the time saved, counted as it passes and written with each save.

use std::time::{Duration, Instant};

use crate::library::ListeningTime;

/// Listening time counted between two looks at most (a suspended machine is not listening).
const LONGEST_COUNT: Duration = Duration::from_secs(5);

#[derive(Default)]
pub(super) struct Tally {
    unsaved: ListeningTime,
    /// When it was last counted while playing (None when not playing).
    counted_at: Option<Instant>,
}

impl Tally {
    /// Adds the time since the last count if it was playing then, at `speed`, and what skip
    /// silence saved of what was heard; `playing` says whether the next stretch counts.
    pub fn count(&mut self, playing: bool, speed: f32, silence_saved_secs: f64) {
        let now = Instant::now();
        if let Some(since) = self.counted_at {
            let listened = now.duration_since(since).min(LONGEST_COUNT).as_secs_f64();
            self.unsaved.listened_secs += listened;
            // Content heard is listened × speed; saved is content × (1 − 1/speed).
            self.unsaved.saved_by_speed_secs += listened * (speed as f64 - 1.0).max(0.0);
        }
        self.unsaved.saved_by_silence_secs += silence_saved_secs;
        self.counted_at = playing.then_some(now);
    }

    /// What was counted since the last call, to be written.
    pub fn take(&mut self) -> ListeningTime {
        std::mem::take(&mut self.unsaved)
    }
}
