//! The player thread's state machine: commands in, decoded audio out to the stream, events
//! out to whoever listens.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::chain::{AudioChain, AudioSettings, KnownLevel, Piece};
use super::decode::{DecodeError, Decoder, open_source};
use super::events::EventSender;
use super::output::{Chunk, EngineSource, Output, Shared, Stream};
use super::{PlaybackState, PlayerCommand, PlayerEvent, SourceSpec};
use crate::model::EpisodeId;

const POSITION_EVERY: Duration = Duration::from_millis(250);
const WAKE_FOR_POSITION_EVERY: Duration = Duration::from_secs(1);
/// Paused (or with nothing loaded) this long, the sound card is let go of: an idle Hark keeps no
/// device open and no audio callback waking up.
const RELEASE_DEVICE_AFTER: Duration = Duration::from_secs(3);
/// How long the thread sleeps when the queue is full and nothing is asked of it.
const IDLE_POLL: Duration = Duration::from_millis(20);

struct Loaded {
    episode: EpisodeId,
    decoder: Decoder,
    stream: Arc<Stream>,
    chain: AudioChain,
    generation: u64,
    /// Chunks made but not yet queued (the queue was full).
    pending: VecDeque<Chunk>,
    /// Decoded audio before the chain (reused).
    decoded: Vec<f32>,
    /// The decoder has nothing more; the end marker is queued.
    decoded_all: bool,
    ended: bool,
    buffering: bool,
}

/// A load whose source is not open yet: its first bytes are still downloading, or a newer
/// command cut the wait short. Seeks, play and pause that come meanwhile change it.
struct PendingLoad {
    episode: EpisodeId,
    source: SourceSpec,
    start_secs: f64,
    autoplay: bool,
    generation: u64,
}

pub(super) struct Engine {
    output: Output,
    shared: Arc<Shared>,
    events: EventSender,
    loaded: Option<Loaded>,
    pending_load: Option<PendingLoad>,
    speed: f64,
    audio: AudioSettings,
    last_position_event: Instant,
    last_wake: Instant,
}

impl Engine {
    pub fn new(output: Output, shared: Arc<Shared>, events: EventSender) -> Self {
        Self {
            output,
            shared,
            events,
            loaded: None,
            pending_load: None,
            speed: 1.0,
            audio: AudioSettings { loudness: true, ..AudioSettings::default() },
            last_position_event: Instant::now(),
            last_wake: Instant::now(),
        }
    }

    /// Events never wait and are never dropped (position reports are coalesced, see `events`).
    fn emit(&mut self, event: PlayerEvent) {
        self.events.send(event);
        self.last_wake = Instant::now();
    }

    /// The regular position report: the window shows whole seconds, so it is woken for it at
    /// most once a second (each frame costs far more than the report).
    fn report_position(&mut self, episode: EpisodeId) {
        let event = PlayerEvent::Position { episode, secs: self.shared.position_secs() };
        if self.last_wake.elapsed() >= WAKE_FOR_POSITION_EVERY {
            self.emit(event);
        } else {
            self.events.send_quietly(event);
        }
    }

    pub fn run(mut self, commands: Receiver<PlayerCommand>) {
        loop {
            let wants_audio =
                self.loaded.as_ref().is_some_and(|l| !l.decoded_all || !l.pending.is_empty()) && self.has_room();
            // Nothing loaded or paused, nothing to decode: nothing to watch until a command comes.
            let idle = self.pending_load.is_none()
                && self.loaded.as_ref().is_none_or(|_| self.shared.paused.load(Ordering::Relaxed));
            let command = if wants_audio {
                commands.try_recv().map_err(|e| match e {
                    std::sync::mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                    std::sync::mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            } else if idle && self.output.holds_device() {
                match commands.recv_timeout(RELEASE_DEVICE_AFTER) {
                    Err(RecvTimeoutError::Timeout) => {
                        self.release_device();
                        continue;
                    }
                    received => received,
                }
            } else if idle {
                commands.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                commands.recv_timeout(IDLE_POLL)
            };
            let command = match command {
                Ok(PlayerCommand::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(command) => Some(command),
                Err(RecvTimeoutError::Timeout) => None,
            };
            // A bug met by some input must not leave the listener in silence for the rest of
            // the session: the episode fails with a message, and the thread carries on.
            let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.step(command, wants_audio)));
            if let Err(panic) = step {
                self.recover(panic);
            }
        }
        if let Some(loaded) = self.loaded.take() {
            loaded.stream.close();
        }
    }

    fn step(&mut self, command: Option<PlayerCommand>, wants_audio: bool) {
        if let Some(command) = command {
            if command.interrupts() {
                self.shared.pending_interrupts.fetch_sub(1, Ordering::AcqRel);
            }
            self.handle(command);
        }
        if self.pending_load.is_some() && self.shared.pending_interrupts.load(Ordering::Acquire) == 0 {
            self.open_pending();
        }
        if wants_audio {
            self.produce();
        }
        self.watch();
    }

    /// After a panic: drop the episode being played, say so, and wait for the next command.
    fn recover(&mut self, panic: Box<dyn std::any::Any + Send>) {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        tracing::error!("the player recovered from an internal error: {what}");
        self.shared.paused.store(true, Ordering::Relaxed);
        let episode = self.loaded.as_ref().map(|l| l.episode).or(self.pending_load.as_ref().map(|p| p.episode));
        if let Some(loaded) = self.loaded.take() {
            loaded.stream.close();
        }
        self.pending_load = None;
        if let Some(episode) = episode {
            let reason = format!("playback stopped after an internal error in the player ({what})");
            self.emit(PlayerEvent::Failed { episode, reason });
        }
    }

    fn has_room(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| l.stream.has_room())
    }

    fn handle(&mut self, command: PlayerCommand) {
        match command {
            PlayerCommand::Load { ticket: Some(ticket), .. }
                if ticket != self.shared.stream_ticket.load(Ordering::Acquire) => {}
            PlayerCommand::Load { episode, source, start_secs, autoplay, generation, .. } => {
                if let Some(previous) = self.loaded.take() {
                    previous.stream.close();
                }
                self.shared.paused.store(true, Ordering::Relaxed);
                self.pending_load = Some(PendingLoad { episode, source, start_secs, autoplay, generation });
            }
            PlayerCommand::Play => self.set_playing(true),
            PlayerCommand::Pause => self.set_playing(false),
            PlayerCommand::Toggle => match &self.pending_load {
                Some(pending) => self.set_playing(!pending.autoplay),
                None => {
                    let paused = self.shared.paused.load(Ordering::Relaxed);
                    self.set_playing(paused);
                }
            },
            PlayerCommand::SeekTo { secs, generation } => self.seek(secs, generation),
            PlayerCommand::SeekBy { delta_secs, generation } => {
                let from = self.pending_load.as_ref().map_or(self.shared.position_secs(), |p| p.start_secs);
                self.seek(from + delta_secs, generation);
            }
            PlayerCommand::SetSpeed { speed, generation } => {
                self.speed = f64::from(super::valid_speed(speed).unwrap_or(1.0));
                // Re-decode from where the listener is: the queued audio had the old speed.
                self.seek(self.shared.position_secs(), generation);
            }
            PlayerCommand::SetAudio { settings, generation } => {
                self.audio = settings;
                if let Some(pending) = &mut self.pending_load {
                    pending.generation = generation;
                }
                if let Some(loaded) = &mut self.loaded {
                    let (channels, rate) = (loaded.decoder.channels() as usize, loaded.decoder.sample_rate());
                    // The level learnt so far of what plays is kept (the new settings know only
                    // the show's, or nothing, while it streams).
                    let mut settings = settings;
                    if let (KnownLevel::Show(_) | KnownLevel::Unknown, Some(level)) =
                        (settings.level, loaded.chain.level())
                    {
                        settings.level = KnownLevel::Show(level);
                    }
                    loaded.chain = new_chain(channels, rate, settings, loaded.decoder.duration_secs());
                    // Re-decode from where the listener is: the queued audio sounded the old way.
                    // Not when a newer command (the load these settings are for) waits.
                    if self.shared.pending_interrupts.load(Ordering::Acquire) == 0 {
                        self.seek(self.shared.position_secs(), generation);
                    } else {
                        loaded.generation = generation;
                    }
                }
            }
            PlayerCommand::SetMeasuredLevel(lufs) => {
                if let KnownLevel::Show(_) | KnownLevel::Unknown = self.audio.level {
                    self.audio.level = KnownLevel::Measured(lufs);
                }
                if let Some(loaded) = &mut self.loaded {
                    loaded.chain.set_measured_level(lufs);
                }
            }
            PlayerCommand::SetVolume(volume) => self.shared.set_volume(volume),
            PlayerCommand::Stop => {
                self.pending_load = None;
                if let Some(loaded) = self.loaded.take() {
                    loaded.stream.close();
                    self.shared.paused.store(true, Ordering::Relaxed);
                    self.emit(PlayerEvent::State { episode: loaded.episode, state: PlaybackState::Stopped });
                }
            }
            PlayerCommand::Shutdown => {}
        }
    }

    /// Opens the pending load's source. A wait for its first bytes that a newer command cuts
    /// short leaves it pending, so a skip, seek or pause pressed while loading lands.
    fn open_pending(&mut self) {
        let Some(PendingLoad { episode, source, start_secs, autoplay, generation }) = self.pending_load.take() else {
            return;
        };
        let buffering: Arc<dyn Fn(bool) + Send + Sync> = {
            let events = self.events.clone();
            Arc::new(move |buffering| events.send(PlayerEvent::Buffering { episode, buffering }))
        };
        let interrupted: Arc<dyn Fn() -> bool + Send + Sync> = {
            let shared = self.shared.clone();
            Arc::new(move || shared.pending_interrupts.load(Ordering::Acquire) > 0)
        };
        let opened = open_source(&source, interrupted, buffering).and_then(|mut decoder| {
            let start = clamp_target(start_secs, decoder.duration_secs());
            if start > 0.0 {
                decoder.seek(start)?;
            }
            Ok((decoder, start))
        });
        let (decoder, start) = match opened {
            Ok(opened) => opened,
            Err(DecodeError::Interrupted) => {
                self.pending_load = Some(PendingLoad { episode, source, start_secs, autoplay, generation });
                return;
            }
            Err(e) => {
                self.emit(PlayerEvent::Failed { episode, reason: e.to_string() });
                return;
            }
        };
        let duration = decoder.duration_secs();
        let stream = Stream::new(decoder.channels(), decoder.sample_rate());
        let chain = new_chain(decoder.channels() as usize, decoder.sample_rate(), self.audio, duration);
        self.output.attach(EngineSource::new(stream.clone(), self.shared.clone()));
        self.shared.set_position_secs(start);
        self.shared.starved.store(false, Ordering::Relaxed);
        self.loaded = Some(Loaded {
            episode,
            decoder,
            stream,
            chain,
            generation,
            pending: VecDeque::new(),
            decoded: Vec::new(),
            decoded_all: false,
            ended: false,
            buffering: false,
        });
        self.emit(PlayerEvent::Loaded { episode, duration_secs: duration, start_secs: start });
        self.emit(PlayerEvent::Position { episode, secs: start });
        self.set_playing(autoplay);
    }

    fn set_playing(&mut self, playing: bool) {
        if let Some(pending) = &mut self.pending_load {
            // Nothing is heard before it opens: the state follows the load's own events.
            pending.autoplay = playing;
            return;
        }
        let Some(loaded) = &self.loaded else { return };
        // Generations are only ever made by the handle, in the order its commands go out: a
        // generation made here (to start an ended episode over) could overtake a load already
        // on its way and silence it. Starting over after the end is the session's seek to 0.
        let episode = loaded.episode;
        self.shared.paused.store(!playing, Ordering::Relaxed);
        if playing {
            if self.output.is_released() {
                self.output.attach(EngineSource::new(loaded.stream.clone(), self.shared.clone()));
            }
            self.output.resumed();
        }
        let state = if playing { PlaybackState::Playing } else { PlaybackState::Paused };
        self.emit(PlayerEvent::State { episode, state });
        self.emit(PlayerEvent::Position { episode, secs: self.shared.position_secs() });
    }

    fn seek(&mut self, target: f64, generation: u64) {
        if let Some(pending) = &mut self.pending_load {
            pending.start_secs = target.max(0.0);
            pending.generation = generation;
            let (episode, secs) = (pending.episode, pending.start_secs);
            self.shared.set_position_secs(secs);
            self.emit(PlayerEvent::Position { episode, secs });
            return;
        }
        let Some(loaded) = &mut self.loaded else { return };
        let target = clamp_target(target, loaded.decoder.duration_secs());
        loaded.generation = generation;
        loaded.pending.clear();
        loaded.chain.reset();
        loaded.decoded_all = false;
        loaded.ended = false;
        let episode = loaded.episode;
        match loaded.decoder.seek(target) {
            Ok(()) => {}
            // A newer command is waiting; it will set things right.
            Err(DecodeError::Interrupted) => return,
            Err(e) => {
                self.emit(PlayerEvent::Failed { episode, reason: e.to_string() });
                return;
            }
        }
        self.shared.set_position_secs(target);
        self.emit(PlayerEvent::Position { episode, secs: target });
        self.last_position_event = Instant::now();
    }

    /// Decodes one packet through the chain into the stream (or queues what the full queue
    /// refused before).
    fn produce(&mut self) {
        let speed = self.speed;
        let Some(loaded) = &mut self.loaded else { return };
        if !loaded.pending.is_empty() {
            loaded.queue_pending();
            return;
        }
        loaded.chain.set_speed(speed);
        let rate = loaded.decoder.sample_rate() as f64;
        let mut heard = loaded.stream.buffer();
        loaded.decoded.clear();
        let pieces = match loaded.decoder.next_packet(&mut loaded.decoded) {
            Ok(Some(first_frame)) => loaded.chain.process(&loaded.decoded, first_frame, &mut heard),
            Ok(None) => {
                loaded.decoded_all = true;
                let pieces = loaded.chain.finish(&mut heard);
                let end = Chunk {
                    generation: loaded.generation,
                    start_secs: loaded.decoder.duration_secs().unwrap_or(0.0),
                    secs_per_frame: 0.0,
                    samples: Vec::new(),
                    saved_secs: 0.0,
                    end_of_stream: true,
                };
                loaded.split_into_chunks(heard, &pieces, speed / rate);
                loaded.pending.push_back(end);
                loaded.queue_pending();
                return;
            }
            Err(DecodeError::Interrupted) => return,
            Err(e) => {
                let episode = loaded.episode;
                loaded.decoded_all = true;
                self.emit(PlayerEvent::Failed { episode, reason: e.to_string() });
                return;
            }
        };
        loaded.split_into_chunks(heard, &pieces, speed / rate);
        loaded.queue_pending();
    }

    /// Lets the sound card go. It takes the source with it, and the audio that had begun: the
    /// queue is emptied and the decoder set back to the last frame heard, so that Play resumes
    /// exactly there (and the queue is filled again meanwhile, so it resumes at once).
    fn release_device(&mut self) {
        if !self.output.release() {
            return;
        }
        let Some(loaded) = &self.loaded else { return };
        loaded.stream.drain();
        if !loaded.ended {
            let (position, generation) = (self.shared.position_secs(), loaded.generation);
            self.seek(position, generation);
        }
    }

    /// Reports position, the end, running dry, and a sound card that went away (unplugged:
    /// playing pauses where it was heard, and the next Play opens whatever device is there then).
    fn watch(&mut self) {
        if self.output.device_lost() {
            tracing::warn!("the sound device went away: paused");
            self.set_playing(false);
            self.release_device();
        }
        let Some(loaded) = &mut self.loaded else { return };
        let episode = loaded.episode;
        let playing = !self.shared.paused.load(Ordering::Relaxed);
        if !loaded.ended && self.shared.ended_generation.load(Ordering::Acquire) == loaded.generation {
            loaded.ended = true;
            self.shared.paused.store(true, Ordering::Relaxed);
            self.emit(PlayerEvent::Position { episode, secs: self.shared.position_secs() });
            self.emit(PlayerEvent::Ended { episode });
            return;
        }
        let starved = self.shared.starved.swap(false, Ordering::Relaxed) && playing && !loaded.decoded_all;
        if starved != loaded.buffering {
            loaded.buffering = starved;
            self.emit(PlayerEvent::Buffering { episode, buffering: starved });
        }
        if playing && self.last_position_event.elapsed() >= POSITION_EVERY {
            self.last_position_event = Instant::now();
            self.report_position(episode);
        }
    }
}

impl Loaded {
    /// Cuts the chain's output where its pieces begin: each chunk plays content from its own
    /// start (a shortened pause is a jump in content time).
    fn split_into_chunks(&mut self, mut samples: Vec<f32>, pieces: &[Piece], secs_per_frame: f64) {
        let channels = self.stream.channels as usize;
        let rate = self.decoder.sample_rate() as f64;
        // Corrected after the chain, which keeps counting in the reader's times: a jump in
        // those would restart every stage, and be heard.
        let correction = self.decoder.clock_correction_secs();
        let frames = samples.len() / channels;
        let mut saved_secs = 0.0;
        let mut chunks = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            saved_secs += piece.saved_secs;
            let end = pieces.get(i + 1).map_or(frames, |next| next.offset.min(frames));
            if end <= piece.offset {
                continue;
            }
            chunks.push((piece.offset, end, piece.content_frame / rate + correction, std::mem::take(&mut saved_secs)));
        }
        // Most blocks are one piece: its buffer becomes the chunk as it is. Later pieces are
        // cut off the end first.
        let mut made = Vec::with_capacity(chunks.len());
        for (offset, end, start_secs, saved_secs) in chunks.into_iter().rev() {
            let part = if offset == 0 {
                std::mem::take(&mut samples)
            } else {
                let mut part = self.stream.buffer();
                part.extend_from_slice(&samples[offset * channels..end * channels]);
                samples.truncate(offset * channels);
                part
            };
            made.push(Chunk {
                generation: self.generation,
                start_secs,
                secs_per_frame,
                samples: part,
                saved_secs,
                end_of_stream: false,
            });
        }
        self.pending.extend(made.into_iter().rev());
    }

    fn queue_pending(&mut self) {
        while let Some(chunk) = self.pending.pop_front() {
            if let Err(chunk) = self.stream.push(chunk) {
                self.pending.push_front(chunk);
                return;
            }
        }
    }
}

fn new_chain(channels: usize, rate: u32, settings: AudioSettings, duration_secs: Option<f64>) -> AudioChain {
    let mut chain = AudioChain::new(channels, rate, settings);
    chain.set_length(duration_secs.map(|secs| (secs * rate as f64) as u64));
    chain
}

fn clamp_target(target: f64, duration: Option<f64>) -> f64 {
    let target = target.max(0.0);
    match duration {
        Some(duration) => target.min((duration - 0.05).max(0.0)),
        None => target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::player::events::event_channel;
    use crate::player::output::Capture;

    #[test]
    fn a_panic_fails_the_episode_and_the_engine_goes_on() {
        let shared = Arc::new(Shared::new());
        let (events, received) = event_channel(Arc::new(crate::NoWaker));
        let mut engine = Engine::new(Output::open(super::super::OutputChoice::Capture(Capture::new())), shared, events);
        let episode = EpisodeId(3);
        let source = SourceSpec::File(std::path::PathBuf::from("/nonexistent"));
        engine.pending_load = Some(PendingLoad { episode, source, start_secs: 0.0, autoplay: true, generation: 1 });
        let panic = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
        engine.recover(panic);
        assert!(engine.pending_load.is_none() && engine.loaded.is_none());
        let Some(PlayerEvent::Failed { episode: failed, reason }) = received.try_recv() else { panic!("no failure") };
        assert_eq!(failed, episode);
        assert!(reason.contains("boom"), "{reason}");
        // And the next command is taken as usual.
        engine.step(Some(PlayerCommand::Stop), false);
    }
}
