//! The audio thread: `PlayerCommand` in, `PlayerEvent` out. It owns the decoder and the
//! output; the audio callback reads only atomics and a lock-free queue (see `output`).

mod decode;
pub mod dsp;
mod engine;
pub mod output;
pub mod terminal;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Sender, SyncSender};
use std::thread::JoinHandle;

use crate::Waker;
use chrono::{DateTime, Utc};

use crate::model::{EpisodeId, EpisodeSummary};

pub use decode::{DecodeError, Decoder, open_file};
pub use output::{Capture, OutputChoice};

/// Closer than this to the end, an episode counts as played (a tenth of it for short ones,
/// so a skip in a two-minute trailer does not finish it).
pub const PLAYED_MARGIN_SECS: f64 = 30.0;
/// After a pause longer than this, resume a little earlier so the listener finds the thread.
const LONG_PAUSE_SECS: i64 = 60;
const RESUME_REWIND_SECS: f64 = 3.0;

/// Where to start an episode the listener opens again: where it stopped (a few seconds
/// earlier after a long pause), or the beginning once it was heard to the end. An episode that
/// counts as played but was stopped short of its end resumes where it stopped.
pub fn resume_point(summary: &EpisodeSummary, last_played_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f64 {
    if summary.position_secs <= 0.0 {
        return 0.0;
    }
    let long_pause = last_played_at.is_some_and(|at| (now - at).num_seconds() > LONG_PAUSE_SECS);
    let rewind = if long_pause { RESUME_REWIND_SECS } else { 0.0 };
    (summary.position_secs - rewind).max(0.0)
}

/// True when `position` is close enough to the end to count as heard.
pub fn counts_as_played(position: f64, duration: Option<f64>) -> bool {
    duration.is_some_and(|d| d > 0.0 && d - position <= PLAYED_MARGIN_SECS.min(d / 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PodcastId;

    fn summary(position_secs: f64, played: bool) -> EpisodeSummary {
        EpisodeSummary {
            id: EpisodeId(1),
            podcast_id: PodcastId(1),
            title: "t".into(),
            published: None,
            duration_secs: Some(3600),
            url: "https://x".into(),
            mime: None,
            position_secs,
            played,
            downloaded: false,
            path: None,
        }
    }

    #[test]
    fn resume_where_stopped_earlier_after_a_long_pause_and_from_zero_once_finished() {
        let now = Utc::now();
        let recent = Some(now - chrono::TimeDelta::seconds(20));
        let long_ago = Some(now - chrono::TimeDelta::hours(3));
        assert_eq!(resume_point(&summary(754.0, false), recent, now), 754.0);
        assert_eq!(resume_point(&summary(754.0, false), long_ago, now), 751.0);
        assert_eq!(resume_point(&summary(0.0, true), recent, now), 0.0, "finished: from the start");
        assert_eq!(resume_point(&summary(3590.0, true), recent, now), 3590.0, "near the end but stopped");
        assert_eq!(resume_point(&summary(1.0, false), long_ago, now), 0.0);
    }

    #[test]
    fn played_means_within_thirty_seconds_of_the_end_or_a_tenth_of_short_ones() {
        assert!(counts_as_played(3575.0, Some(3600.0)));
        assert!(!counts_as_played(3560.0, Some(3600.0)));
        assert!(!counts_as_played(33.0, Some(60.0)), "a skip in a one-minute episode does not finish it");
        assert!(counts_as_played(55.0, Some(60.0)));
        assert!(!counts_as_played(10.0, None));
    }
}

/// Where an episode's bytes come from.
#[derive(Clone)]
pub enum SourceSpec {
    File(PathBuf),
    /// A download in progress: reads wait for bytes, seeks ask for them.
    Partial(Arc<crate::media::PartialFile>),
}

impl std::fmt::Debug for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceSpec::File(path) => write!(f, "File({})", path.display()),
            SourceSpec::Partial(part) => write!(f, "Partial({})", part.episode()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaybackState {
    Playing,
    Paused,
    Stopped,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlayerEvent {
    Loaded { episode: EpisodeId, duration_secs: Option<f64> },
    State { episode: EpisodeId, state: PlaybackState },
    Position { episode: EpisodeId, secs: f64 },
    Buffering { episode: EpisodeId, buffering: bool },
    Ended { episode: EpisodeId },
    Failed { episode: EpisodeId, reason: String },
}

impl PlayerEvent {
    /// The episode this event answers.
    pub fn episode(&self) -> EpisodeId {
        match self {
            PlayerEvent::Loaded { episode, .. }
            | PlayerEvent::State { episode, .. }
            | PlayerEvent::Position { episode, .. }
            | PlayerEvent::Buffering { episode, .. }
            | PlayerEvent::Ended { episode }
            | PlayerEvent::Failed { episode, .. } => *episode,
        }
    }
}

/// Commands carry the generation the handle gave them: audio of older generations is dropped
/// by the output at once, before the engine even reads the command.
#[derive(Debug, Clone)]
pub enum PlayerCommand {
    Load { episode: EpisodeId, source: SourceSpec, start_secs: f64, autoplay: bool, generation: u64 },
    Play,
    Pause,
    Toggle,
    SeekTo { secs: f64, generation: u64 },
    SeekBy { delta_secs: f64, generation: u64 },
    SetSpeed { speed: f32, generation: u64 },
    SetVolume(f32),
    Stop,
    Shutdown,
}

impl PlayerCommand {
    /// True for commands that make what the engine is reading obsolete.
    fn interrupts(&self) -> bool {
        matches!(
            self,
            PlayerCommand::Load { .. }
                | PlayerCommand::SeekTo { .. }
                | PlayerCommand::SeekBy { .. }
                | PlayerCommand::SetSpeed { .. }
                | PlayerCommand::Stop
                | PlayerCommand::Shutdown
        )
    }
}

/// The handle the app and the CLI hold.
pub struct Player {
    commands: Sender<PlayerCommand>,
    shared: Arc<output::Shared>,
    silent: bool,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    pub fn spawn(output: OutputChoice, events: SyncSender<PlayerEvent>, waker: Arc<dyn Waker>) -> Self {
        let shared = Arc::new(output::Shared::new());
        let (commands, receiver) = std::sync::mpsc::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let engine_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("hark-player".into())
            .spawn(move || {
                // The output is opened on this thread: it owns it for its whole life.
                let output = output::Output::open(output);
                let _ = ready_tx.send(output.is_silent());
                engine::Engine::new(output, engine_shared, events, waker).run(receiver);
            })
            .expect("spawning the player thread");
        let silent = ready_rx.recv().unwrap_or(true);
        Self { commands, shared, silent, thread: Some(thread) }
    }

    /// True when there is no audio device and playback runs on a silent clock.
    pub fn is_silent(&self) -> bool {
        self.silent
    }

    /// Content position of what is being heard now.
    pub fn position_secs(&self) -> f64 {
        self.shared.position_secs()
    }

    pub fn is_paused(&self) -> bool {
        self.shared.paused.load(Ordering::Relaxed)
    }

    fn next_generation(&self) -> u64 {
        self.shared.generation.fetch_add(1, Ordering::AcqRel) + 1
    }

    fn send(&self, command: PlayerCommand) {
        // A command that replaces what is being read pulls the engine out of a wait for bytes.
        if command.interrupts() {
            self.shared.pending_interrupts.fetch_add(1, Ordering::AcqRel);
        }
        // Fails only when the player thread is gone (shutdown); nothing to do then.
        let _ = self.commands.send(command);
    }

    pub fn load(&self, episode: EpisodeId, source: SourceSpec, start_secs: f64, autoplay: bool) {
        let generation = self.next_generation();
        self.shared.set_position_secs(start_secs);
        self.send(PlayerCommand::Load { episode, source, start_secs, autoplay, generation });
    }

    pub fn play(&self) {
        self.shared.paused.store(false, Ordering::Relaxed);
        self.send(PlayerCommand::Play);
    }

    pub fn pause(&self) {
        self.shared.paused.store(true, Ordering::Relaxed);
        self.send(PlayerCommand::Pause);
    }

    pub fn toggle(&self) {
        self.send(PlayerCommand::Toggle);
    }

    pub fn seek_to(&self, secs: f64) {
        let generation = self.next_generation();
        self.send(PlayerCommand::SeekTo { secs, generation });
    }

    pub fn seek_by(&self, delta_secs: f64) {
        let generation = self.next_generation();
        self.send(PlayerCommand::SeekBy { delta_secs, generation });
    }

    /// Audio already decoded at the old speed is dropped at once, like before a seek.
    pub fn set_speed(&self, speed: f32) {
        let generation = self.next_generation();
        self.send(PlayerCommand::SetSpeed { speed, generation });
    }

    pub fn set_volume(&self, volume: f32) {
        self.shared.set_volume(volume);
        self.send(PlayerCommand::SetVolume(volume));
    }

    pub fn stop(&self) {
        // The new generation silences what is queued at once.
        self.next_generation();
        self.send(PlayerCommand::Stop);
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.send(PlayerCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
