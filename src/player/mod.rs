//! The audio thread: `PlayerCommand` in, `PlayerEvent` out. It owns the decoder and the
//! output; the audio callback reads only atomics and a lock-free queue (see `output`).

mod chain;
mod decode;
mod device;
pub mod dsp;
mod engine;
mod events;
pub mod output;
mod streamed_mp3;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;

use crate::Waker;
use crate::model::EpisodeId;

pub use chain::{AudioChain, AudioSettings, KnownLevel, SilenceLevel, measure_file as measure_loudness};
pub use decode::{DecodeError, Decoder, open_file, probe_audio};
pub use events::PlayerEvents;
pub use output::{Capture, OutputChoice};

/// The speeds the player takes; anything else (NaN, infinity, 0) is refused where it comes in.
pub const SPEED_RANGE: std::ops::RangeInclusive<f32> = 0.5..=3.0;
/// Speed steps the window and the keys use.
pub const SPEED_STEP: f32 = 0.1;

/// A speed the player takes, or None for NaN, infinities and the like.
pub fn valid_speed(speed: f32) -> Option<f32> {
    speed.is_finite().then(|| speed.clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end()))
}

/// A speed as the listener picks it: on a `SPEED_STEP`, inside the range.
pub fn round_speed(speed: f32) -> f32 {
    ((speed / SPEED_STEP).round() * SPEED_STEP).clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end())
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
    /// Ready to play from `start_secs` (where the load asked, or where a seek during loading moved it).
    Loaded {
        episode: EpisodeId,
        duration_secs: Option<f64>,
        start_secs: f64,
    },
    State {
        episode: EpisodeId,
        state: PlaybackState,
    },
    Position {
        episode: EpisodeId,
        secs: f64,
    },
    Buffering {
        episode: EpisodeId,
        buffering: bool,
    },
    Ended {
        episode: EpisodeId,
    },
    Failed {
        episode: EpisodeId,
        reason: String,
    },
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
    /// `ticket`: for a stream delivered from another thread, the session's ticket it was sent
    /// with; the engine drops it when the session has loaded or stopped anything since.
    Load {
        episode: EpisodeId,
        source: SourceSpec,
        start_secs: f64,
        autoplay: bool,
        generation: u64,
        ticket: Option<u64>,
    },
    Play,
    Pause,
    Toggle,
    SeekTo {
        secs: f64,
        generation: u64,
    },
    SeekBy {
        delta_secs: f64,
        generation: u64,
    },
    SetSpeed {
        speed: f32,
        generation: u64,
    },
    /// How episodes are to sound (skip silence, loudness, voice boost, the episode's level);
    /// what is queued is dropped and decoded again, like after a seek.
    SetAudio {
        settings: AudioSettings,
        generation: u64,
    },
    /// The playing episode's loudness was measured (its download finished).
    SetMeasuredLevel(f64),
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
                | PlayerCommand::SetAudio { .. }
                | PlayerCommand::Stop
                | PlayerCommand::Shutdown
        )
    }
}

/// The command side of the player, shared by the handle and stream targets.
#[derive(Clone)]
struct PlayerRemote {
    commands: Sender<PlayerCommand>,
    shared: Arc<output::Shared>,
}

impl std::fmt::Debug for PlayerRemote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlayerRemote")
    }
}

impl PlayerRemote {
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

    fn load(&self, episode: EpisodeId, source: SourceSpec, start_secs: f64, autoplay: bool, ticket: Option<u64>) {
        let generation = self.next_generation();
        self.shared.set_position_secs(start_secs);
        self.send(PlayerCommand::Load { episode, source, start_secs, autoplay, generation, ticket });
    }
}

/// Where a stream goes the moment its download exists: straight into the player. Stale once
/// the session loads or stops anything else, and then dropped by the engine.
#[derive(Debug, Clone)]
pub struct StreamTarget {
    player: PlayerRemote,
    ticket: u64,
    start_secs: f64,
    autoplay: bool,
}

impl StreamTarget {
    pub fn deliver(self, episode: EpisodeId, source: SourceSpec) {
        self.player.load(episode, source, self.start_secs, self.autoplay, Some(self.ticket));
    }
}

/// The handle the listening session holds.
pub struct Player {
    remote: PlayerRemote,
    silent: bool,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    /// Starts the player thread; its events come out of the returned receiver.
    pub fn spawn(output: OutputChoice, waker: Arc<dyn Waker>) -> (Self, PlayerEvents) {
        let shared = Arc::new(output::Shared::new());
        let (events, events_out) = events::event_channel(waker);
        let (commands, receiver) = std::sync::mpsc::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let engine_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("hark-player".into())
            .spawn(move || {
                // The output is opened on this thread: it owns it for its whole life.
                let output = output::Output::open(output);
                let _ = ready_tx.send(output.is_silent());
                engine::Engine::new(output, engine_shared, events).run(receiver);
            })
            .expect("spawning the player thread");
        let silent = ready_rx.recv().unwrap_or(true);
        let player = Self { remote: PlayerRemote { commands, shared }, silent, thread: Some(thread) };
        (player, events_out)
    }

    /// For the net service to load a stream into, from its own thread, once it exists.
    /// Whatever the session loads or stops after this makes the target stale.
    pub fn stream_target(&self, start_secs: f64, autoplay: bool) -> StreamTarget {
        let ticket = self.remote.shared.stream_ticket.fetch_add(1, Ordering::AcqRel) + 1;
        StreamTarget { player: self.remote.clone(), ticket, start_secs, autoplay }
    }

    fn invalidate_stream_targets(&self) {
        self.remote.shared.stream_ticket.fetch_add(1, Ordering::AcqRel);
    }

    /// True when there is no audio device and playback runs on a silent clock.
    pub fn is_silent(&self) -> bool {
        self.silent
    }

    /// Content position of what is being heard now.
    pub fn position_secs(&self) -> f64 {
        self.remote.shared.position_secs()
    }

    pub fn is_paused(&self) -> bool {
        self.remote.shared.paused.load(Ordering::Relaxed)
    }

    fn send(&self, command: PlayerCommand) {
        self.remote.send(command);
    }

    pub fn load(&self, episode: EpisodeId, source: SourceSpec, start_secs: f64, autoplay: bool) {
        self.invalidate_stream_targets();
        self.remote.load(episode, source, start_secs, autoplay, None);
    }

    pub fn play(&self) {
        self.remote.shared.paused.store(false, Ordering::Relaxed);
        self.send(PlayerCommand::Play);
    }

    pub fn pause(&self) {
        self.remote.shared.paused.store(true, Ordering::Relaxed);
        self.send(PlayerCommand::Pause);
    }

    pub fn toggle(&self) {
        self.send(PlayerCommand::Toggle);
    }

    pub fn seek_to(&self, secs: f64) {
        let generation = self.remote.next_generation();
        self.send(PlayerCommand::SeekTo { secs, generation });
    }

    pub fn seek_by(&self, delta_secs: f64) {
        let generation = self.remote.next_generation();
        self.send(PlayerCommand::SeekBy { delta_secs, generation });
    }

    /// Audio already decoded at the old speed is dropped at once, like before a seek.
    pub fn set_speed(&self, speed: f32) {
        let generation = self.remote.next_generation();
        self.send(PlayerCommand::SetSpeed { speed, generation });
    }

    /// Applies to what is loaded now and to every later load.
    pub fn set_audio(&self, settings: AudioSettings) {
        let generation = self.remote.next_generation();
        self.send(PlayerCommand::SetAudio { settings, generation });
    }

    pub fn set_measured_level(&self, lufs: f64) {
        self.send(PlayerCommand::SetMeasuredLevel(lufs));
    }

    /// Listening time skip silence saved since the last call (heard, not just decoded).
    pub fn take_silence_saved(&self) -> f64 {
        self.remote.shared.silence_saved_us.swap(0, Ordering::Relaxed) as f64 / 1e6
    }

    pub fn set_volume(&self, volume: f32) {
        self.remote.shared.set_volume(volume);
        self.send(PlayerCommand::SetVolume(volume));
    }

    pub fn stop(&self) {
        self.invalidate_stream_targets();
        // The new generation silences what is queued at once.
        self.remote.next_generation();
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
