//! The listening session: the one owner of what plays, shared by the window and `hark play`.
//!
//! It holds the player, its own library connection and a line to the net service. Commands
//! (play, pause, seek, queue edits, …) and the player's and net service's events go in; what
//! changed comes out, for the window to redraw or the CLI to print. The rules live here and
//! nowhere else: where an episode resumes, when positions are saved, when an episode counts
//! as played, what happens at its end (played, delete once played, next in Up Next), the
//! history behind "previous", and handing a stream from the net service to the player.

mod chapters;
mod queue;
mod rules;
mod sleep;
mod sound;
mod tally;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Waker;
use crate::error::HarkError;
use crate::library::keys::{DELETE_WHEN_PLAYED, LAST_EPISODE, SPEED, VOLUME};
use crate::library::{Library, ShowSettings};
use crate::model::{EpisodeId, PodcastId};
use crate::net::{NetCommand, NetEvent, NetSender};
use crate::player::{OutputChoice, PlaybackState, Player, PlayerEvent, PlayerEvents, SPEED_RANGE, SourceSpec};

pub use chapters::EpisodeChapters;
pub use queue::QueueEdit;
pub use rules::{PLAYED_MARGIN_SECS, counts_as_played, resume_point};
use sleep::SleepTimer;
pub use sleep::{FADE_SECS, SleepMode};
pub use sound::{EpisodeSound, ListenerSound, RunSound};
use tally::Tally;

/// How often the position is written while playing (a crash loses at most this much).
pub const SAVE_EVERY: Duration = Duration::from_secs(2);
/// Speed steps the window and the keys use.
pub const SPEED_STEP: f32 = 0.1;
/// How often the sleep timer's fade changes the volume.
const SLEEP_FADE_STEP: Duration = Duration::from_millis(50);
/// How long the engine's clock may take to show a seek: the same jump is not asked twice in it.
const SKIP_SETTLES: Duration = Duration::from_millis(500);

/// The episode in the transport and where in it the listener is.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub episode: EpisodeId,
    pub podcast: PodcastId,
    pub title: String,
    pub show: String,
    pub art_url: Option<String>,
    pub duration_secs: Option<f64>,
    pub position_secs: f64,
}

/// What plays, as one state that carries its data.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Playback {
    #[default]
    Idle,
    /// Being opened (its first bytes may still be downloading); plays once open if `autoplay`.
    Loading {
        track: Track,
        autoplay: bool,
    },
    Playing {
        track: Track,
        buffering: bool,
    },
    Paused {
        track: Track,
    },
    Failed {
        track: Track,
        error: String,
    },
}

impl Playback {
    pub fn track(&self) -> Option<&Track> {
        match self {
            Playback::Idle => None,
            Playback::Loading { track, .. }
            | Playback::Playing { track, .. }
            | Playback::Paused { track }
            | Playback::Failed { track, .. } => Some(track),
        }
    }

    fn track_mut(&mut self) -> Option<&mut Track> {
        match self {
            Playback::Idle => None,
            Playback::Loading { track, .. }
            | Playback::Playing { track, .. }
            | Playback::Paused { track }
            | Playback::Failed { track, .. } => Some(track),
        }
    }

    pub fn episode(&self) -> Option<EpisodeId> {
        self.track().map(|t| t.episode)
    }

    /// Playing, or about to (what the play/pause button and MPRIS show).
    pub fn is_playing(&self) -> bool {
        matches!(self, Playback::Playing { .. } | Playback::Loading { autoplay: true, .. })
    }

    fn into_track(self) -> Option<Track> {
        match self {
            Playback::Idle => None,
            Playback::Loading { track, .. }
            | Playback::Playing { track, .. }
            | Playback::Paused { track }
            | Playback::Failed { track, .. } => Some(track),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Play this episode: from `from`, or where the listener stopped.
    Play {
        episode: EpisodeId,
        from: Option<f64>,
    },
    /// Put it in the transport, paused where the listener stopped (the window at launch).
    Hold {
        episode: EpisodeId,
    },
    Toggle,
    Pause,
    Resume,
    SeekBy(f64),
    SeekTo(f64),
    SetSpeed(f32),
    SetVolume(f32),
    /// The first of Up Next.
    Next,
    /// The episode played before this one (this one goes back to Up Next).
    Previous,
    /// Nothing in the transport any more.
    Stop,
    /// Stop if what plays belongs to this show (it is being removed).
    StopShow(PodcastId),
    SetPlayed {
        episode: EpisodeId,
        played: bool,
    },
    Queue(QueueEdit),
    /// To the start of the next listed chapter.
    NextChapter,
    /// To the start of this chapter, or of the one before when this one just began.
    PreviousChapter,
    /// Uncheck (or check again) the episode's chapter starting at `start_secs`: skipped
    /// chapters are jumped over while playing.
    SkipChapter {
        episode: EpisodeId,
        start_secs: f64,
        skipped: bool,
    },
    /// Start the sleep timer, or (None) turn it off.
    Sleep(Option<SleepMode>),
    /// A show's own speed, skip silence, voice boost, loudness and intro/outro trims.
    SetShowSettings {
        podcast: PodcastId,
        settings: ShowSettings,
    },
    /// The listener's skip silence, loudness and voice boost, for shows without their own.
    SetListenerSound(ListenerSound),
}

/// What a command or an event changed, for whoever shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changed {
    /// The state or the position.
    pub playback: bool,
    /// Another episode, or what is known of it (its duration).
    pub track: bool,
    /// Episode rows the views show (played, position).
    pub library: bool,
    /// The current episode's chapters (or which are skipped).
    pub chapters: bool,
    pub queue: bool,
    /// A failure to tell the listener, naming the real cause.
    pub failure: Option<String>,
    /// An episode was heard to the end and nothing follows it.
    pub finished: bool,
    /// The sleep timer stopped playback.
    pub slept: bool,
    /// Listening time (and time saved) was written: the statistics changed.
    pub listened: bool,
}

impl Changed {
    fn merge(&mut self, other: Changed) {
        self.playback |= other.playback;
        self.track |= other.track;
        self.library |= other.library;
        self.chapters |= other.chapters;
        self.queue |= other.queue;
        self.finished |= other.finished;
        self.slept |= other.slept;
        self.listened |= other.listened;
        if other.failure.is_some() {
            self.failure = other.failure;
        }
    }

    pub fn any(&self) -> bool {
        self.playback
            || self.track
            || self.library
            || self.chapters
            || self.queue
            || self.failure.is_some()
            || self.finished
            || self.slept
            || self.listened
    }
}

pub struct Listening {
    library: Library,
    player: Player,
    events: PlayerEvents,
    net: NetSender,
    playback: Playback,
    /// The player has the current episode, or is getting it. False for one held paused that
    /// is not downloaded: it starts streaming only when the listener presses Play.
    in_player: bool,
    /// The current episode is played in the library (no need to mark it again).
    marked_played: bool,
    /// It became played while in the transport: "delete once played" applies when it leaves.
    finished_here: bool,
    /// Why the current episode's download failed, the real cause behind a player failure.
    stream_failure: Option<String>,
    last_saved: Instant,
    history: Vec<EpisodeId>,
    speed: f32,
    volume: f32,
    chapters: EpisodeChapters,
    /// The last jump out of a skipped chapter: where to, and when it was asked.
    chapter_skip: Option<(f64, Instant)>,
    sleep: Option<SleepTimer>,
    /// The fraction of the volume the sleep timer's fade plays at (1 when not fading).
    sleep_gain: f32,
    /// The listener's speed (the settings'), and this run's (`hark play --speed`).
    listener_speed: f32,
    run_speed: Option<f32>,
    run_sound: RunSound,
    listener_sound: ListenerSound,
    /// How the current episode sounds (its show's settings applied).
    sound: EpisodeSound,
    /// Listening time not yet written.
    tally: Tally,
    /// Playback reaching the show's outro ends the episode (not a seek into it).
    outro_armed: bool,
}

impl Listening {
    /// Starts the player; speed and volume come back from the settings.
    pub fn new(
        library: Library,
        output: OutputChoice,
        net: NetSender,
        waker: Arc<dyn Waker>,
    ) -> Result<Self, HarkError> {
        let (player, events) = Player::spawn(output, waker);
        let mut session = Self {
            library,
            player,
            events,
            net,
            playback: Playback::Idle,
            in_player: false,
            marked_played: false,
            finished_here: false,
            stream_failure: None,
            last_saved: Instant::now(),
            history: Vec::new(),
            speed: 1.0,
            volume: 1.0,
            chapters: EpisodeChapters::default(),
            chapter_skip: None,
            sleep: None,
            sleep_gain: 1.0,
            listener_speed: 1.0,
            run_speed: None,
            run_sound: RunSound::default(),
            listener_sound: ListenerSound::default(),
            sound: EpisodeSound::default(),
            tally: Tally::default(),
            outro_armed: false,
        };
        let number = |session: &Self, key| -> Result<Option<f32>, HarkError> {
            Ok(session.library.setting(key)?.and_then(|v| v.parse().ok()))
        };
        if let Some(speed) = number(&session, SPEED)?.and_then(valid_speed) {
            session.speed = speed;
            session.listener_speed = speed;
            session.player.set_speed(speed);
        }
        session.listener_sound = ListenerSound::load(&session.library)?;
        if let Some(volume) = number(&session, VOLUME)?.filter(|v| v.is_finite()) {
            session.volume = volume.clamp(0.0, 1.0);
            session.player.set_volume(session.volume);
        }
        Ok(session)
    }

    /// A speed for this run only (`hark play --speed`): not saved, and over any show's.
    pub fn use_speed(&mut self, speed: f32) {
        if let Some(speed) = valid_speed(speed) {
            self.run_speed = Some(speed);
            self.speed = speed;
            self.player.set_speed(speed);
        }
    }

    /// Skip silence, voice boost and loudness for this run only (`hark play` flags): not
    /// saved, and over any show's settings. Applies from the next episode loaded.
    pub fn use_sound(&mut self, run: RunSound) {
        self.run_sound = run;
    }

    /// The listener's skip silence, loudness and voice boost (for shows without their own).
    pub fn listener_sound(&self) -> ListenerSound {
        self.listener_sound
    }

    /// How the episode in the transport sounds.
    pub fn sound(&self) -> &EpisodeSound {
        &self.sound
    }

    pub fn playback(&self) -> &Playback {
        &self.playback
    }

    pub fn speed(&self) -> f32 {
        self.speed
    }

    pub fn volume(&self) -> f32 {
        self.volume
    }

    /// The player, for tests that check what the engine did.
    pub fn player(&self) -> &Player {
        &self.player
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    /// The current episode's chapters, merged from every source, with the listener's skips.
    pub fn chapters(&self) -> &EpisodeChapters {
        &self.chapters
    }

    /// Where the listener is now: the engine's own clock while it plays.
    pub fn position_secs(&self) -> f64 {
        match &self.playback {
            Playback::Playing { .. } if self.in_player => self.player.position_secs(),
            other => other.track().map_or(0.0, |t| t.position_secs),
        }
    }

    /// Puts the episode the listener had last back in the transport, paused.
    pub fn restore_last(&mut self) -> Result<Changed, HarkError> {
        let last = self.library.setting(LAST_EPISODE)?.and_then(|v| v.parse().ok()).map(EpisodeId);
        match last.filter(|id| self.library.episode(*id).is_ok()) {
            Some(episode) => self.handle(Command::Hold { episode }),
            None => Ok(Changed::default()),
        }
    }

    pub fn handle(&mut self, command: Command) -> Result<Changed, HarkError> {
        let current = self.playback.episode();
        let mut changed = Changed::default();
        match command {
            Command::Play { episode, from } if current == Some(episode) && self.in_player => {
                if !matches!(self.playback, Playback::Failed { .. }) {
                    if let Some(from) = from {
                        changed.merge(self.seek_to(from)?);
                    }
                    changed.merge(self.resume());
                } else {
                    let from = from.or(self.playback.track().map(|t| t.position_secs));
                    changed.merge(self.start(episode, from, true)?);
                }
            }
            Command::Play { episode, from } => changed.merge(self.start(episode, from, true)?),
            Command::Hold { episode } => changed.merge(self.start(episode, None, false)?),
            Command::Toggle => {
                if self.playback.is_playing() {
                    changed.merge(self.pause());
                } else {
                    changed.merge(self.toggle_on()?);
                }
            }
            Command::Pause => changed.merge(self.pause()),
            Command::Resume => changed.merge(self.toggle_on()?),
            Command::SeekBy(delta) if delta.is_finite() => {
                let target = self.position_secs() + delta;
                changed.merge(self.seek_to(target)?);
            }
            Command::SeekTo(secs) if secs.is_finite() => changed.merge(self.seek_to(secs)?),
            Command::SeekBy(_) | Command::SeekTo(_) => {}
            Command::SetSpeed(speed) => {
                if let Some(speed) = valid_speed(speed) {
                    self.count_listening();
                    self.speed = round_speed(speed);
                    self.run_speed = None;
                    self.player.set_speed(self.speed);
                    // A show with a speed of its own keeps the new one; else it is the listener's.
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
                    changed.playback = true;
                }
            }
            Command::SetVolume(volume) => {
                if volume.is_finite() {
                    self.volume = volume.clamp(0.0, 1.0);
                    self.player.set_volume(self.volume * self.sleep_gain);
                    self.library.set_setting(VOLUME, &self.volume.to_string())?;
                    changed.playback = true;
                }
            }
            Command::Next => changed.merge(self.play_next_in_queue(None)?.unwrap_or_default()),
            Command::Previous => changed.merge(self.play_previous()?),
            Command::Stop => changed.merge(self.stop()?),
            Command::StopShow(podcast) => {
                if self.playback.track().is_some_and(|t| t.podcast == podcast) {
                    changed.merge(self.stop()?);
                }
            }
            Command::SetPlayed { episode, played } => changed.merge(self.set_played(episode, played)?),
            Command::Queue(edit) => {
                let mut ids = self.queue_ids()?;
                queue::apply(&mut ids, edit);
                self.library.set_queue(&ids)?;
                changed.queue = true;
            }
            Command::NextChapter => {
                if let Some(start) = self.chapters.next_start(self.position_secs()) {
                    changed.merge(self.seek_to(start)?);
                }
            }
            Command::PreviousChapter => {
                if let Some(start) = self.chapters.previous_start(self.position_secs()) {
                    changed.merge(self.seek_to(start)?);
                }
            }
            Command::SkipChapter { episode, start_secs, skipped } if start_secs.is_finite() => {
                self.library.set_chapter_skipped(episode, start_secs, skipped)?;
                changed.chapters = true;
                if current == Some(episode) {
                    changed.merge(self.reload_chapters()?);
                }
            }
            Command::SkipChapter { .. } => {}
            Command::Sleep(mode) => {
                self.sleep = mode.map(SleepTimer::new);
                if let Some(timer) = &mut self.sleep {
                    timer.count(self.playback.is_playing());
                }
                self.set_sleep_gain(1.0);
                changed.playback = true;
            }
            Command::SetShowSettings { podcast, settings } => {
                self.library.set_show_settings(podcast, &settings)?;
                if self.playback.track().is_some_and(|t| t.podcast == podcast) {
                    changed.merge(self.apply_sound()?);
                }
            }
            Command::SetListenerSound(sound) => {
                sound.save(&mut self.library)?;
                self.listener_sound = sound;
                changed.playback = true;
                if self.playback.track().is_some() {
                    changed.merge(self.apply_sound()?);
                }
            }
        }
        Ok(changed)
    }

    /// Works out how the current episode sounds and tells the player (before its load, or
    /// while it plays: the player decodes again from where the listener is).
    fn apply_sound(&mut self) -> Result<Changed, HarkError> {
        let Some((episode, podcast)) = self.playback.track().map(|t| (t.episode, t.podcast)) else {
            return Ok(Changed::default());
        };
        let sound = sound::episode_sound(&self.library, episode, podcast, self.listener_sound, self.run_sound)?;
        Ok(self.use_sound_of(sound, false))
    }

    /// `for_load`: the settings go with a load that follows, so they are sent whatever the
    /// player had (its own start-up defaults are not the session's business).
    fn use_sound_of(&mut self, sound: EpisodeSound, for_load: bool) -> Changed {
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

    /// Counts the time listened since the last count (the next save writes it).
    fn count_listening(&mut self) {
        let playing = self.in_player && matches!(self.playback, Playback::Playing { buffering: false, .. });
        self.tally.count(playing, self.speed, self.player.take_silence_saved());
    }

    /// Reads the current episode's chapters again (new ones arrived, or its length is known).
    fn reload_chapters(&mut self) -> Result<Changed, HarkError> {
        self.chapters = match self.playback.track() {
            Some(track) => EpisodeChapters::load(&self.library, track.episode, track.duration_secs)?,
            None => EpisodeChapters::default(),
        };
        Ok(Changed { chapters: true, ..Changed::default() })
    }

    /// Inside a skipped chapter while playing: on to where the skipped run ends (once: the
    /// engine's clock takes a moment to show the seek).
    fn skip_unwanted_chapter(&mut self, secs: f64) -> Result<Changed, HarkError> {
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

    /// Takes every event the player has sent, and jumps out of a skipped chapter by the
    /// engine's own clock (position reports come only a few times a second).
    pub fn poll(&mut self) -> Result<Changed, HarkError> {
        let mut changed = Changed::default();
        self.count_listening();
        while let Some(event) = self.events.try_recv() {
            changed.merge(self.on_player_event(event)?);
        }
        if self.in_player {
            changed.merge(self.skip_unwanted_chapter(self.player.position_secs())?);
            changed.merge(self.skip_outro()?);
        }
        changed.merge(self.tick_sleep()?);
        self.count_listening();
        Ok(changed)
    }

    /// When to poll next so that a skipped chapter is left the moment it begins and the sleep
    /// timer fades on time: the time until the next of those, at the current speed. None when
    /// neither waits ahead.
    pub fn next_wake(&self) -> Option<Duration> {
        if !matches!(self.playback, Playback::Playing { .. }) || !self.in_player {
            return None;
        }
        let now = self.player.position_secs();
        let skip = self.chapters.next_skipped_start(now).map(|next| (next - now) / self.speed as f64);
        // The sleep timer: at the start of its fade, then often enough for a smooth one.
        let sleep = self
            .sleep_timer()
            .and_then(|(_, left)| left)
            .map(|left| if left > FADE_SECS { left - FADE_SECS } else { SLEEP_FADE_STEP.as_secs_f64() });
        let outro = self.outro_starts().map(|at| (at - now).max(0.0) / self.speed as f64);
        let secs = [skip, sleep, outro].into_iter().flatten().reduce(f64::min)?;
        Some(Duration::from_secs_f64(secs.max(0.0)))
    }

    /// Waits up to `timeout` for the player (the CLI's loop), then takes what came.
    pub fn wait(&mut self, timeout: Duration) -> Result<Changed, HarkError> {
        let first = self.events.recv_timeout(timeout).map_err(|gone| HarkError::Other(gone.to_string()))?;
        self.count_listening();
        let mut changed = match first {
            Some(event) => self.on_player_event(event)?,
            None => Changed::default(),
        };
        changed.merge(self.poll()?);
        Ok(changed)
    }

    /// The net service's news about the current episode: its download, its chapters.
    pub fn on_net_event(&mut self, event: &NetEvent) -> Changed {
        let mut changed = Changed::default();
        if let NetEvent::LoudnessMeasured { episode, lufs } = event
            && self.playback.episode() == Some(*episode)
        {
            self.sound.audio.level = crate::player::KnownLevel::Measured(*lufs);
            self.player.set_measured_level(*lufs);
        }
        if let NetEvent::ChaptersChanged { episode } = event
            && self.playback.episode() == Some(*episode)
        {
            match self.reload_chapters() {
                Ok(reloaded) => changed.merge(reloaded),
                Err(e) => tracing::warn!("chapters of {episode}: {e}"),
            }
        }
        if let NetEvent::DownloadFailed { episode, reason } = event
            && self.playback.episode() == Some(*episode)
            && self.in_player
        {
            self.stream_failure = Some(reason.clone());
            // Nothing heard yet: the download's failure is the answer. Once audio flows, the
            // player plays what arrived and reports this cause when it runs out.
            if matches!(self.playback, Playback::Loading { .. } | Playback::Playing { buffering: true, .. }) {
                self.player.stop();
                self.in_player = false;
                changed.merge(self.fail(reason.clone()));
            }
        }
        changed
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

    fn on_player_event(&mut self, event: PlayerEvent) -> Result<Changed, HarkError> {
        let mut changed = Changed::default();
        if Some(event.episode()) != self.playback.episode() || !self.in_player {
            return Ok(changed); // an answer about an episode that is no longer loaded
        }
        match event {
            PlayerEvent::Loaded { duration_secs, start_secs, .. } => {
                let wanted = self.playback.track().map_or(start_secs, |t| t.position_secs);
                if let Some(track) = self.playback.track_mut() {
                    track.duration_secs = duration_secs.or(track.duration_secs);
                }
                // A seek, pause or play made while the stream was still on its way to the
                // player (which then had nothing to apply it to) lands now.
                if (wanted - start_secs).abs() > 0.25 {
                    self.player.seek_to(wanted);
                }
                match self.playback {
                    Playback::Loading { autoplay: true, .. } => self.player.play(),
                    Playback::Loading { autoplay: false, .. } => self.player.pause(),
                    _ => {}
                }
                changed.track = true;
                // The last chapter ends where the audio does.
                let duration = self.playback.track().and_then(|t| t.duration_secs);
                self.chapters.end_at(duration);
                changed.chapters = true;
            }
            PlayerEvent::State { state, .. } => {
                let playback = std::mem::take(&mut self.playback);
                let Some(mut track) = playback.into_track() else { return Ok(changed) };
                if state != PlaybackState::Playing {
                    // Stopped where the engine's clock stands, to the sample.
                    track.position_secs = self.player.position_secs();
                }
                self.playback = match state {
                    PlaybackState::Playing => Playback::Playing { track, buffering: false },
                    PlaybackState::Paused | PlaybackState::Stopped => Playback::Paused { track },
                };
                if state != PlaybackState::Playing {
                    changed.merge(self.save()?);
                }
                changed.playback = true;
            }
            PlayerEvent::Position { secs, .. } => {
                if let Playback::Playing { track, .. } | Playback::Paused { track } = &mut self.playback {
                    track.position_secs = secs;
                    changed.playback = true;
                }
                if self.last_saved.elapsed() >= SAVE_EVERY {
                    changed.merge(self.save()?);
                }
            }
            PlayerEvent::Buffering { buffering, .. } => {
                if let Playback::Playing { buffering: now, .. } = &mut self.playback {
                    *now = buffering;
                    changed.playback = true;
                }
            }
            PlayerEvent::Ended { episode } => changed.merge(self.finish(episode)?),
            PlayerEvent::Failed { reason, .. } => {
                let reason = self.stream_failure.clone().unwrap_or(reason);
                changed.merge(self.fail(reason));
            }
        }
        Ok(changed)
    }

    fn fail(&mut self, error: String) -> Changed {
        let playback = std::mem::take(&mut self.playback);
        if let Some(track) = playback.into_track() {
            self.playback = Playback::Failed { track, error: error.clone() };
        }
        Changed { playback: true, failure: Some(error), ..Changed::default() }
    }

    /// Loads an episode: from `from`, else where the listener stopped.
    fn start(&mut self, id: EpisodeId, from: Option<f64>, autoplay: bool) -> Result<Changed, HarkError> {
        let mut changed = self.leave()?;
        let episode = self.library.episode(id)?;
        let podcast = self.library.podcast_of(id)?;
        let summary = &episode.summary;
        let sound = sound::episode_sound(&self.library, id, podcast.id, self.listener_sound, self.run_sound)?;
        let start = match from {
            Some(from) => from.max(0.0),
            // A show's fixed intro is skipped when an episode starts from the top.
            None => {
                let resume = resume_point(summary, self.library.last_played_at(id)?, chrono::Utc::now());
                resume.max(sound.intro_secs(summary.duration_secs.map(f64::from)))
            }
        };
        if let Some(previous) = self.playback.episode().filter(|p| *p != id) {
            self.history.push(previous);
        }
        let track = Track {
            episode: id,
            podcast: podcast.id,
            title: summary.title.clone(),
            show: podcast.title.clone(),
            art_url: episode.image_url.clone().or(podcast.art_url.clone()),
            duration_secs: summary.duration_secs.map(f64::from),
            position_secs: start,
        };
        self.marked_played = summary.played;
        self.finished_here = false;
        self.stream_failure = None;
        self.last_saved = Instant::now();
        let file = self.library.downloaded_file(id)?;
        // Sound and speed go to the player before the load they are for.
        self.use_sound_of(sound, true);
        self.arm_outro(start, track.duration_secs);
        if file.is_some() && !matches!(self.sound.audio.level, crate::player::KnownLevel::Measured(_)) {
            self.net.send(NetCommand::MeasureLoudness { episode: id });
        }
        self.playback = match (file, autoplay) {
            (Some(path), _) => {
                self.player.load(id, SourceSpec::File(path.into()), start, autoplay);
                self.in_player = true;
                Playback::Loading { track, autoplay }
            }
            // Not downloaded: listening is downloading, and the net service hands the download
            // to the player as soon as it exists.
            (None, true) => {
                self.stream(id, start);
                Playback::Loading { track, autoplay: true }
            }
            // Held paused (at launch): nothing is fetched until the listener presses Play.
            (None, false) => {
                self.player.stop();
                self.in_player = false;
                Playback::Paused { track }
            }
        };
        self.library.set_setting(LAST_EPISODE, &id.0.to_string())?;
        changed.track = true;
        changed.playback = true;
        changed.merge(self.reload_chapters()?);
        // The chapters file may have changed since (publishers fix them after release), and a
        // downloaded file's own chapters may not have been read yet.
        self.net.send(NetCommand::FetchChapters { episode: id });
        Ok(changed)
    }

    fn stream(&mut self, episode: EpisodeId, start_secs: f64) {
        self.player.stop();
        let into = self.player.stream_target(start_secs, true);
        self.net.send(NetCommand::Stream { episode, into });
        self.in_player = true;
        self.stream_failure = None;
    }

    /// The current episode leaves the transport: its place is saved, and if it became played
    /// here, "delete once played" applies.
    fn leave(&mut self) -> Result<Changed, HarkError> {
        let Some(episode) = self.playback.episode() else { return Ok(Changed::default()) };
        let changed = self.save()?;
        if self.finished_here {
            self.finished_here = false;
            self.delete_if_wanted(episode)?;
        }
        Ok(changed)
    }

    fn stop(&mut self) -> Result<Changed, HarkError> {
        let mut changed = self.leave()?;
        self.player.stop();
        self.in_player = false;
        self.playback = Playback::Idle;
        self.chapters = EpisodeChapters::default();
        changed.playback = true;
        changed.track = true;
        changed.chapters = true;
        Ok(changed)
    }

    /// Play (or, on a failed episode, try again from where it was).
    fn toggle_on(&mut self) -> Result<Changed, HarkError> {
        if let Playback::Failed { track, .. } = &self.playback {
            let (episode, from) = (track.episode, track.position_secs);
            return self.start(episode, Some(from), true);
        }
        Ok(self.resume())
    }

    fn resume(&mut self) -> Changed {
        let mut changed = Changed::default();
        match &mut self.playback {
            Playback::Idle | Playback::Playing { .. } | Playback::Failed { .. } => {}
            Playback::Loading { autoplay, .. } => {
                *autoplay = true;
                self.player.play();
                changed.playback = true;
            }
            Playback::Paused { track } if !self.in_player => {
                let (episode, start) = (track.episode, track.position_secs);
                let track = track.clone();
                self.stream(episode, start);
                self.playback = Playback::Loading { track, autoplay: true };
                changed.playback = true;
            }
            Playback::Paused { .. } => self.player.play(),
        }
        changed
    }

    fn pause(&mut self) -> Changed {
        let mut changed = Changed::default();
        match &mut self.playback {
            Playback::Loading { autoplay, .. } => {
                *autoplay = false;
                self.player.pause();
                changed.playback = true;
            }
            Playback::Playing { .. } => self.player.pause(),
            Playback::Idle | Playback::Paused { .. } | Playback::Failed { .. } => {}
        }
        changed
    }

    fn seek_to(&mut self, secs: f64) -> Result<Changed, HarkError> {
        let Some(track) = self.playback.track_mut() else { return Ok(Changed::default()) };
        let end = track.duration_secs.unwrap_or(f64::MAX);
        let target = secs.clamp(0.0, end.max(0.0));
        track.position_secs = target;
        let (episode, duration) = (track.episode, track.duration_secs);
        self.arm_outro(target, duration);
        if self.in_player {
            self.player.seek_to(target);
        }
        self.library.set_position(episode, target)?;
        self.last_saved = Instant::now();
        Ok(Changed { playback: true, ..Changed::default() })
    }

    /// Playing on from `position`, reaching the outro ends the episode; from inside it (a
    /// resume or a seek there) it plays on.
    fn arm_outro(&mut self, position: f64, duration: Option<f64>) {
        self.outro_armed = self.sound.outro_starts(duration).is_none_or(|at| position < at);
    }

    /// Where the show's outro starts in this episode, if it has one to skip.
    fn outro_starts(&self) -> Option<f64> {
        self.sound.outro_starts(self.playback.track()?.duration_secs)
    }

    /// In the show's outro while playing: the episode is over, as if heard to the end.
    fn skip_outro(&mut self) -> Result<Changed, HarkError> {
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

    /// Heard to the end: played, starts over next time, "delete once played", next in Up Next.
    fn finish(&mut self, episode: EpisodeId) -> Result<Changed, HarkError> {
        let mut changed = Changed { playback: true, library: true, queue: true, ..Changed::default() };
        self.library.set_position(episode, 0.0)?;
        self.library.set_played(episode, true)?;
        self.marked_played = true;
        self.finished_here = false;
        let playback = std::mem::take(&mut self.playback);
        if let Some(mut track) = playback.into_track() {
            track.position_secs = 0.0;
            self.playback = Playback::Paused { track };
        }
        self.delete_if_wanted(episode)?;
        if self.sleep.as_ref().is_some_and(|t| t.mode == SleepMode::EndOfEpisode) {
            // Asleep: nothing more plays tonight; the finished episode leaves Up Next all the same.
            let mut queue = self.queue_ids()?;
            queue.retain(|id| *id != episode);
            self.library.set_queue(&queue)?;
            self.sleep = None;
            self.set_sleep_gain(1.0);
            self.player.seek_to(0.0);
            changed.finished = true;
            changed.slept = true;
            return Ok(changed);
        }
        match self.play_next_in_queue(Some(episode))? {
            Some(next) => changed.merge(next),
            None => {
                // Play again starts from the top.
                self.player.seek_to(0.0);
                changed.finished = true;
            }
        }
        Ok(changed)
    }

    fn set_played(&mut self, episode: EpisodeId, played: bool) -> Result<Changed, HarkError> {
        // Marked by hand, it starts from the beginning next time.
        self.library.set_played(episode, played)?;
        self.library.set_position(episode, 0.0)?;
        if self.playback.episode() == Some(episode) {
            self.marked_played = played;
            self.finished_here = played;
        } else if played {
            self.delete_if_wanted(episode)?;
        }
        Ok(Changed { library: true, ..Changed::default() })
    }

    /// "Delete a download once played", when the listener asked for it. The bundled demo's
    /// files could not be fetched again, so they stay.
    fn delete_if_wanted(&mut self, episode: EpisodeId) -> Result<(), HarkError> {
        if self.library.setting(DELETE_WHEN_PLAYED)?.as_deref() != Some("1") {
            return Ok(());
        }
        let downloaded = self.library.episode(episode)?.summary.downloaded;
        let demo = self.library.podcast_of(episode)?.feed_url == crate::assets::DEMO_FEED_URL;
        if downloaded && !demo {
            self.net.send(NetCommand::Delete { episode });
        }
        Ok(())
    }

    fn queue_ids(&self) -> Result<Vec<EpisodeId>, HarkError> {
        Ok(self.library.queue()?.into_iter().map(|e| e.id).collect())
    }

    /// Starts the first episode of Up Next (taking it off the queue), if there is one.
    /// `finished` leaves Up Next too. None when nothing is queued.
    fn play_next_in_queue(&mut self, finished: Option<EpisodeId>) -> Result<Option<Changed>, HarkError> {
        let mut queue = self.queue_ids()?;
        queue.retain(|id| Some(*id) != finished);
        let next = (!queue.is_empty()).then(|| queue.remove(0));
        self.library.set_queue(&queue)?;
        let Some(next) = next else { return Ok(None) };
        let mut changed = self.start(next, None, true)?;
        changed.queue = true;
        Ok(Some(changed))
    }

    /// Goes back to the episode played before this one; the current one returns to Up Next.
    fn play_previous(&mut self) -> Result<Changed, HarkError> {
        let Some(previous) = self.history.pop() else {
            return self.seek_to(0.0);
        };
        if let Some(current) = self.playback.episode() {
            let mut queue = self.queue_ids()?;
            queue::apply(&mut queue, QueueEdit::PlayNext(current));
            self.library.set_queue(&queue)?;
        }
        let mut changed = self.start(previous, None, true)?;
        // Starting it pushed the current one on the history; going back must not.
        self.history.pop();
        changed.queue = true;
        Ok(changed)
    }
}

/// A speed the player takes, or None for NaN, infinities and the like.
pub fn valid_speed(speed: f32) -> Option<f32> {
    speed.is_finite().then(|| speed.clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end()))
}

pub fn round_speed(speed: f32) -> f32 {
    ((speed / SPEED_STEP).round() * SPEED_STEP).clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end())
}
