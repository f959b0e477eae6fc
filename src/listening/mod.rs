//! The listening session: the one owner of what plays, shared by the window and `hark play`.
//!
//! It holds the player, its own library connection and a line to the net service. Commands
//! (play, pause, seek, queue edits, …) and the player's and net service's events go in; what
//! changed comes out, for the window to redraw or the CLI to print. The rules live here and
//! nowhere else: where an episode resumes, when positions are saved, when an episode counts
//! as played, what happens at its end (played, delete once played, next in Up Next), the
//! history behind "previous", and handing a stream from the net service to the player.

mod chapters;
mod command;
mod ending;
mod persist;
mod queue;
mod rules;
mod shaping;
mod sleep;
mod sound;
mod tally;
mod transport;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Waker;
use crate::error::{HarkError, one_line};
use crate::library::Library;
use crate::library::keys::{LAST_EPISODE, OPENING_EPISODE};
use crate::model::EpisodeId;
use crate::net::{NetEvent, NetSender};
use crate::player::{KnownLevel, OutputChoice, Player, PlayerEvents, valid_speed};

pub use chapters::EpisodeChapters;
pub use command::{Changed, Command};
use ending::History;
pub use queue::QueueEdit;
pub use rules::{PLAYED_MARGIN_SECS, counts_as_played, resume_point};
use sleep::SleepTimer;
pub use sleep::{FADE_SECS, SleepMode};
pub use sound::{EpisodeSound, ListenerSound, RunSound};
use tally::Tally;
pub use transport::{Playback, Track};

/// How often the position is written while playing (a crash loses at most this much).
pub const SAVE_EVERY: Duration = Duration::from_secs(2);
/// How often the sleep timer's fade changes the volume.
const SLEEP_FADE_STEP: Duration = Duration::from_millis(50);
/// How long the engine's clock may take to show a seek: the same jump is not asked twice in it.
const SKIP_SETTLES: Duration = Duration::from_millis(500);

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
    history: History,
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
    /// The library notes an episode being opened (see `mark_opening`).
    opening_marked: bool,
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
            history: History::default(),
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
            opening_marked: false,
        };
        session.load_speed_and_volume()?;
        session.listener_sound = ListenerSound::load(&session.library)?;
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

    /// Puts the episode the listener had last back in the transport, paused, unless opening it
    /// ended Hark last time: then it stays out, and the failure says so.
    pub fn restore_last(&mut self) -> Result<Changed, HarkError> {
        let id = |value: Option<String>| value.and_then(|v| v.parse().ok()).map(EpisodeId);
        let last = id(self.library.setting(LAST_EPISODE)?).filter(|id| self.library.episode(*id).is_ok());
        let crashed = id(self.library.setting(OPENING_EPISODE)?);
        match last {
            Some(episode) if crashed == Some(episode) => {
                self.library.set_setting(OPENING_EPISODE, "")?;
                self.library.set_setting(LAST_EPISODE, "")?;
                let title = self.library.episode(episode)?.summary.title;
                let failure = format!("Hark closed while opening \"{title}\" last time, so it was not opened again");
                Ok(Changed { failure: Some(one_line(&failure)), ..Changed::default() })
            }
            Some(episode) => self.handle(Command::Hold { episode }),
            None => Ok(Changed::default()),
        }
    }

    pub fn handle(&mut self, command: Command) -> Result<Changed, HarkError> {
        let nothing = || Ok(Changed::default());
        match command {
            Command::Play { episode, from } => self.play(episode, from),
            Command::Hold { episode } => self.start(episode, None, false),
            Command::Toggle if self.playback.is_playing() => Ok(self.pause()),
            Command::Toggle | Command::Resume => self.toggle_on(),
            Command::Pause => Ok(self.pause()),
            Command::SeekBy(delta) if delta.is_finite() => self.seek_to(self.position_secs() + delta),
            Command::SeekTo(secs) if secs.is_finite() => self.seek_to(secs),
            Command::SeekBy(_) | Command::SeekTo(_) => nothing(),
            Command::SetSpeed(speed) => self.set_speed(speed),
            Command::SetVolume(volume) => self.set_volume(volume),
            Command::Next => Ok(self.play_next_in_queue(None)?.unwrap_or_default()),
            Command::Previous => self.play_previous(),
            Command::Stop => self.stop(),
            Command::StopShow(podcast) if self.playback.track().is_some_and(|t| t.podcast == podcast) => self.stop(),
            Command::StopShow(_) => nothing(),
            Command::SetPlayed { episode, played } => self.set_played(episode, played),
            Command::Queue(edit) => self.edit_queue(edit),
            Command::NextChapter => self.seek_to_chapter(self.chapters.next_start(self.position_secs())),
            Command::PreviousChapter => self.seek_to_chapter(self.chapters.previous_start(self.position_secs())),
            Command::SkipChapter { episode, start_secs, skipped } => self.skip_chapter(episode, start_secs, skipped),
            Command::Sleep(mode) => Ok(self.set_sleep(mode)),
            Command::SetShowSettings { podcast, settings } => self.set_show_settings(podcast, settings),
            Command::SetListenerSound(sound) => self.set_listener_sound(sound),
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
            self.sound.audio.level = KnownLevel::Measured(*lufs);
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
        if let NetEvent::Synced { result: Ok(summary), .. } = event
            && let Some(episode) = self.playback.episode().filter(|e| summary.moved.contains(e))
        {
            match self.adopt_synced(episode) {
                Ok(adopted) => changed.merge(adopted),
                Err(e) => tracing::warn!("the synced place of {episode}: {e}"),
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

    /// The session ends (the window closes, `hark play` returns): the place is saved, and an
    /// episode played to the end here leaves the transport, so "delete once played" applies.
    pub fn close(&mut self) -> Result<(), HarkError> {
        self.leave()?;
        self.mark_opening(None)
    }
}
