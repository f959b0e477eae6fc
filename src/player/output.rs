//! From the engine to the ears: a lock-free queue of decoded chunks per loaded episode, the
//! `rodio::Source` that the audio callback pulls from it, and the three places it can go: the
//! sound card (`player::device`), a silent clock (no device), or a test's capture.

use std::num::NonZero;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;

use super::device::Device;

/// Chunks in flight per stream: at ~1024 frames each, over a second of audio.
const QUEUE_CHUNKS: usize = 64;
pub const NO_GENERATION: u64 = u64::MAX;
/// Audio that starts anywhere but where the last sound left off (a load, a seek, a skip, play
/// after pause or after running dry) fades in over this long, so a jump never clicks.
const RAMP_IN_SECS: f64 = 0.004;

/// State shared by the handle (commands), the engine thread and the audio callback.
/// Only atomics: the callback never waits on a lock.
pub struct Shared {
    /// Bumped by every load, seek and stop; older audio is dropped, not played.
    pub generation: AtomicU64,
    pub paused: AtomicBool,
    volume_bits: AtomicU32,
    /// Content position of the audio being output, in microseconds.
    position_us: AtomicU64,
    /// The generation whose last chunk has been played out.
    pub ended_generation: AtomicU64,
    /// Set when the output wanted audio and found none.
    pub starved: AtomicBool,
    /// Commands sent that replace what the engine is reading (load, seek, …) and that it has
    /// not taken yet: while there are any, a wait for downloading bytes gives up.
    pub pending_interrupts: AtomicUsize,
    /// Bumped by the session's every load and stop; a stream target carries the value it was
    /// made with (see `StreamTarget`).
    pub stream_ticket: AtomicU64,
    /// Listening time saved by skip silence and heard since the session last took it (µs).
    pub silence_saved_us: AtomicU64,
}

impl Shared {
    pub fn new() -> Self {
        Self {
            generation: AtomicU64::new(0),
            paused: AtomicBool::new(true),
            volume_bits: AtomicU32::new(1.0f32.to_bits()),
            position_us: AtomicU64::new(0),
            ended_generation: AtomicU64::new(NO_GENERATION),
            starved: AtomicBool::new(false),
            pending_interrupts: AtomicUsize::new(0),
            stream_ticket: AtomicU64::new(0),
            silence_saved_us: AtomicU64::new(0),
        }
    }

    pub fn volume(&self) -> f32 {
        f32::from_bits(self.volume_bits.load(Ordering::Relaxed))
    }

    pub fn set_volume(&self, volume: f32) {
        self.volume_bits.store(volume.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    pub fn position_secs(&self) -> f64 {
        self.position_us.load(Ordering::Relaxed) as f64 / 1e6
    }

    pub fn set_position_secs(&self, secs: f64) {
        self.position_us.store((secs.max(0.0) * 1e6) as u64, Ordering::Relaxed);
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

pub struct Chunk {
    pub generation: u64,
    /// Content time of the first frame, and how much content time each frame stands for
    /// (`speed / rate`: at 1.5× a frame carries more content).
    pub start_secs: f64,
    pub secs_per_frame: f64,
    pub samples: Vec<f32>,
    /// Listening time skip silence saved just before this chunk (counted when it is heard).
    pub saved_secs: f64,
    pub end_of_stream: bool,
}

/// One loaded episode's path to the output.
pub struct Stream {
    pub channels: u16,
    pub sample_rate: u32,
    chunks: ArrayQueue<Chunk>,
    spare: ArrayQueue<Vec<f32>>,
    closed: AtomicBool,
}

impl Stream {
    pub fn new(channels: u16, sample_rate: u32) -> Arc<Self> {
        Arc::new(Self {
            channels: channels.max(1),
            sample_rate: sample_rate.max(1),
            chunks: ArrayQueue::new(QUEUE_CHUNKS),
            spare: ArrayQueue::new(QUEUE_CHUNKS),
            closed: AtomicBool::new(false),
        })
    }

    pub fn has_room(&self) -> bool {
        !self.chunks.is_full()
    }

    /// Queues a chunk; gives it back when the queue is full.
    pub fn push(&self, chunk: Chunk) -> Result<(), Chunk> {
        self.chunks.push(chunk)
    }

    /// A cleared buffer to fill, reused from played chunks when there is one.
    pub fn buffer(&self) -> Vec<f32> {
        let mut buffer = self.spare.pop().unwrap_or_default();
        buffer.clear();
        buffer
    }

    /// Empties the queue (its source went with a released device): nothing is left to play.
    pub fn drain(&self) {
        while let Some(chunk) = self.chunks.pop() {
            let _ = self.spare.push(chunk.samples);
        }
    }

    /// The stream's source leaves the output once it sees this.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
}

enum Pulled {
    Sample(f32),
    Nothing,
    Closed,
}

/// The `rodio::Source` the audio callback pulls from. Pausing, volume and dropping audio
/// from before a seek happen here, at frame boundaries, without locks.
pub struct EngineSource {
    stream: Arc<Stream>,
    shared: Arc<Shared>,
    chunk: Option<Chunk>,
    index: usize,
    /// Samples left in the current output frame, and whether that frame is silence.
    left_in_frame: u16,
    silent_frame: bool,
    /// The generation of the audio last played, and the frames of fade-in still to go.
    last_generation: u64,
    ramp_left: u32,
    ramp_frames: u32,
}

impl EngineSource {
    pub fn new(stream: Arc<Stream>, shared: Arc<Shared>) -> Self {
        let ramp_frames = ((stream.sample_rate as f64 * RAMP_IN_SECS) as u32).max(1);
        Self {
            stream,
            shared,
            chunk: None,
            index: 0,
            left_in_frame: 0,
            silent_frame: false,
            last_generation: NO_GENERATION,
            ramp_left: ramp_frames,
            ramp_frames,
        }
    }

    pub fn channels_count(&self) -> u16 {
        self.stream.channels
    }

    pub fn rate(&self) -> u32 {
        self.stream.sample_rate
    }

    /// The next sample of real audio, if one is there now.
    fn pull(&mut self) -> Pulled {
        loop {
            if let Some(chunk) = &self.chunk {
                let current = self.shared.generation.load(Ordering::Acquire);
                if chunk.generation == current && self.index < chunk.samples.len() {
                    if chunk.generation != self.last_generation {
                        self.last_generation = chunk.generation;
                        self.ramp_left = self.ramp_frames;
                    }
                    if self.index == 0 && chunk.saved_secs > 0.0 {
                        let saved = (chunk.saved_secs * 1e6) as u64;
                        self.shared.silence_saved_us.fetch_add(saved, Ordering::Relaxed);
                    }
                    if self.index.is_multiple_of(self.stream.channels as usize) {
                        let frame = (self.index / self.stream.channels as usize) as f64;
                        self.shared.set_position_secs(chunk.start_secs + frame * chunk.secs_per_frame);
                    }
                    let sample = chunk.samples[self.index];
                    self.index += 1;
                    return Pulled::Sample(sample);
                }
                if chunk.generation == current && chunk.end_of_stream {
                    self.shared.ended_generation.store(chunk.generation, Ordering::Release);
                }
                let done = self.chunk.take().expect("checked above");
                let _ = self.stream.spare.push(done.samples);
            }
            match self.stream.chunks.pop() {
                Some(chunk) => {
                    self.chunk = Some(chunk);
                    self.index = 0;
                }
                None if self.stream.closed.load(Ordering::Acquire) => return Pulled::Closed,
                None => return Pulled::Nothing,
            }
        }
    }

    /// The next sample as the device gets it: silence while paused, the volume and the fade-in
    /// applied. `Nothing` when no audio is there yet (the caller decides what a dry moment is).
    fn heard(&mut self) -> Pulled {
        if self.left_in_frame == 0 {
            // A frame starts; if no audio is there for it, nothing of it has started.
            let before = (self.ramp_left, self.silent_frame);
            self.left_in_frame = self.stream.channels;
            let paused = self.shared.paused.load(Ordering::Relaxed);
            if self.silent_frame && !paused {
                self.ramp_left = self.ramp_frames;
            } else if self.ramp_left > 0 && !self.silent_frame {
                self.ramp_left -= 1;
            }
            self.silent_frame = paused;
            if !paused {
                let pulled = self.pull();
                if let Pulled::Nothing | Pulled::Closed = pulled {
                    (self.ramp_left, self.silent_frame) = before;
                    self.left_in_frame = 0;
                }
                return self.scaled(pulled);
            }
        }
        if self.silent_frame {
            if self.stream.closed.load(Ordering::Acquire) {
                return Pulled::Closed;
            }
            self.left_in_frame -= 1;
            return Pulled::Sample(0.0);
        }
        let pulled = self.pull();
        self.scaled(pulled)
    }

    /// A real sample at the volume and the fade-in, counted in its frame.
    fn scaled(&mut self, pulled: Pulled) -> Pulled {
        match pulled {
            Pulled::Sample(s) => {
                self.left_in_frame -= 1;
                let ramp = 1.0 - self.ramp_left as f32 / self.ramp_frames as f32;
                Pulled::Sample(s * self.shared.volume() * ramp)
            }
            other => other,
        }
    }
}

impl EngineSource {
    fn paused(&self) -> bool {
        self.shared.paused.load(Ordering::Relaxed)
    }
}

impl Iterator for EngineSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        match self.heard() {
            Pulled::Sample(s) => Some(s),
            Pulled::Closed => None,
            Pulled::Nothing => {
                // Chunks hold whole frames, so running dry happens only at a frame boundary: the
                // device plays a silent frame, and the audio fades in again when it returns.
                self.shared.starved.store(true, Ordering::Relaxed);
                self.silent_frame = true;
                self.left_in_frame = self.stream.channels - 1;
                Some(0.0)
            }
        }
    }
}

impl rodio::Source for EngineSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        NonZero::new(self.stream.channels).expect("at least one channel")
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        NonZero::new(self.stream.sample_rate).expect("a positive rate")
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

/// Where the player sends audio.
pub enum OutputChoice {
    /// The system's default device; a silent clock when there is none.
    Default,
    /// A silent clock running in real time (headless use, tests of the app).
    Null,
    /// Nothing pulls by itself: a test takes the samples (see `Capture`).
    Capture(Capture),
}

/// A test's ear: takes the real samples the engine produces, as fast as they come.
#[derive(Clone, Default)]
pub struct Capture {
    source: Arc<Mutex<Option<EngineSource>>>,
}

impl Capture {
    pub fn new() -> Self {
        Self::default()
    }

    /// (channels, sample rate) of what is loaded.
    pub fn format(&self) -> Option<(u16, u32)> {
        let guard = self.source.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|s| (s.channels_count(), s.rate()))
    }

    /// Takes `frames` frames as the sound device would get them (silence while paused, the volume
    /// and the fade-in applied), waiting up to `timeout` for the engine: where a device would
    /// play a dry moment as silence, the capture waits for the audio instead, so what it holds
    /// is the content in order. Returns fewer when playback stops (a pause, the end) during the
    /// take, or the time is up; started while paused, it takes the silence a device gets.
    pub fn take_frames(&self, frames: usize, timeout: Duration) -> Vec<f32> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        let mut started_paused = None;
        loop {
            {
                let mut guard = self.source.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(source) = guard.as_mut() {
                    let wanted = frames * source.channels_count() as usize;
                    let paused = || source.shared.paused.load(Ordering::Relaxed);
                    let started_paused = *started_paused.get_or_insert_with(paused);
                    while out.len() < wanted {
                        // Playback stopped during the take: it ends there, on a frame boundary.
                        if !started_paused && source.left_in_frame == 0 && source.shared.paused.load(Ordering::Relaxed)
                        {
                            return out;
                        }
                        match source.heard() {
                            Pulled::Sample(sample) => out.push(sample),
                            Pulled::Nothing | Pulled::Closed => break,
                        }
                    }
                    if out.len() >= wanted {
                        return out;
                    }
                }
            }
            if Instant::now() >= deadline {
                return out;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn attach(&self, source: EngineSource) {
        *self.source.lock().unwrap_or_else(|e| e.into_inner()) = Some(source);
    }
}

/// A silent output that consumes audio at the pace a sound card would.
pub(super) struct NullOutput {
    source: Arc<Mutex<Option<EngineSource>>>,
    running: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl NullOutput {
    pub(super) fn start() -> Self {
        let source: Arc<Mutex<Option<EngineSource>>> = Arc::default();
        let running = Arc::new(AtomicBool::new(true));
        let (pulled, alive) = (source.clone(), running.clone());
        let thread = std::thread::Builder::new()
            .name("hark-null-audio".into())
            .spawn(move || {
                let mut last = Instant::now();
                let mut owed = 0.0f64;
                while alive.load(Ordering::Relaxed) {
                    // Nothing to play, or paused: sleep until woken (`NullOutput::wake`), so an
                    // idle player costs no CPU.
                    let idle =
                        pulled.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_none_or(EngineSource::paused);
                    if idle {
                        std::thread::park();
                        last = Instant::now();
                        continue;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                    let now = Instant::now();
                    let elapsed = now.duration_since(last).as_secs_f64();
                    last = now;
                    let mut guard = pulled.lock().unwrap_or_else(|e| e.into_inner());
                    let Some(source) = guard.as_mut() else { continue };
                    owed += elapsed * source.rate() as f64 * source.channels_count() as f64;
                    while owed >= 1.0 {
                        owed -= 1.0;
                        if source.next().is_none() {
                            *guard = None;
                            owed = 0.0;
                            break;
                        }
                    }
                }
            })
            .expect("spawning a thread");
        Self { source, running, thread: Some(thread) }
    }
}

impl NullOutput {
    /// Plays `source` in place of whatever it played.
    pub(super) fn play(&self, source: EngineSource) {
        *self.source.lock().unwrap_or_else(|e| e.into_inner()) = Some(source);
        self.wake();
    }

    /// Something to play, or playing again: the clock runs.
    pub(super) fn wake(&self) {
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
    }
}

impl Drop for NullOutput {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
        self.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where the engine's audio goes: the sound card (`player::device`), a silent clock, or a test's
/// capture.
pub(super) enum Output {
    Device(Device),
    Null(NullOutput),
    Capture(Capture),
}

impl Output {
    pub fn open(choice: OutputChoice) -> Self {
        match choice {
            OutputChoice::Capture(capture) => Output::Capture(capture),
            OutputChoice::Null => Output::Null(NullOutput::start()),
            OutputChoice::Default => match Device::open() {
                Ok(device) => Output::Device(device),
                Err(reason) => {
                    tracing::warn!("no audio device ({reason}); playing silently");
                    Output::Null(NullOutput::start())
                }
            },
        }
    }

    pub fn is_silent(&self) -> bool {
        matches!(self, Output::Null(_))
    }

    pub fn attach(&mut self, source: EngineSource) {
        match self {
            Output::Device(device) => device.attach(source),
            Output::Null(null) => null.play(source),
            Output::Capture(capture) => capture.attach(source),
        }
    }

    /// Playback resumed: a silent clock that slept while paused runs again.
    pub fn resumed(&self) {
        match self {
            Output::Device(device) => device.resumed(),
            Output::Null(null) => null.wake(),
            Output::Capture(_) => {}
        }
    }

    /// Whether a sound card (or the silent clock standing in for one gone) is open now.
    pub fn holds_device(&self) -> bool {
        matches!(self, Output::Device(device) if device.holds())
    }

    /// A sound card let go of: the next audio needs it opened, with a new source.
    pub fn is_released(&self) -> bool {
        matches!(self, Output::Device(device) if device.is_released())
    }

    /// Closes the sound card; the sources it played go with it. True when one was open.
    pub fn release(&mut self) -> bool {
        match self {
            Output::Device(device) => device.release(),
            _ => false,
        }
    }

    /// Whether the sound card went away since it was opened.
    pub fn device_lost(&self) -> bool {
        matches!(self, Output::Device(device) if device.lost())
    }
}
