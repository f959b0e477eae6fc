//! The transport state machine: what plays and where. Loading (from the file, or streamed while
//! it downloads), play, pause, seek and stop, and what the player's events mean for it.

use std::time::Instant;

use super::rules::resume_point;
use super::{Changed, EpisodeChapters, Listening, SAVE_EVERY, sound};
use crate::error::HarkError;
use crate::library::keys::{LAST_EPISODE, OPENING_EPISODE};
use crate::model::{EpisodeId, PodcastId};
use crate::net::NetCommand;
use crate::player::{KnownLevel, PlaybackState, PlayerEvent, SourceSpec};

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

    pub(super) fn track_mut(&mut self) -> Option<&mut Track> {
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

    pub(super) fn into_track(self) -> Option<Track> {
        match self {
            Playback::Idle => None,
            Playback::Loading { track, .. }
            | Playback::Playing { track, .. }
            | Playback::Paused { track }
            | Playback::Failed { track, .. } => Some(track),
        }
    }
}

impl Listening {
    /// Notes which episode the player is opening (None: nothing is), so that a file that ends
    /// Hark while it opens is not opened again at the next launch.
    pub(super) fn mark_opening(&mut self, episode: Option<EpisodeId>) -> Result<(), HarkError> {
        if episode.is_none() && !self.opening_marked {
            return Ok(());
        }
        self.opening_marked = episode.is_some();
        self.library.set_setting(OPENING_EPISODE, &episode.map(|e| e.0.to_string()).unwrap_or_default())?;
        Ok(())
    }

    /// Where the listener is now: the engine's own clock while it plays.
    pub fn position_secs(&self) -> f64 {
        match &self.playback {
            Playback::Playing { .. } if self.in_player => self.player.position_secs(),
            other => other.track().map_or(0.0, |t| t.position_secs),
        }
    }

    /// Play `episode`: the one in the transport goes on (from `from` when given; a failed one
    /// starts again from where it was), another one is loaded.
    pub(super) fn play(&mut self, episode: EpisodeId, from: Option<f64>) -> Result<Changed, HarkError> {
        if self.playback.episode() != Some(episode) || !self.in_player {
            return self.start(episode, from, true);
        }
        if matches!(self.playback, Playback::Failed { .. }) {
            let from = from.or(self.playback.track().map(|t| t.position_secs));
            return self.start(episode, from, true);
        }
        let mut changed = Changed::default();
        if let Some(from) = from {
            changed.merge(self.seek_to(from)?);
        }
        changed.merge(self.resume());
        Ok(changed)
    }

    /// Loads an episode: from `from`, else where the listener stopped.
    pub(super) fn start(&mut self, id: EpisodeId, from: Option<f64>, autoplay: bool) -> Result<Changed, HarkError> {
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
        if file.is_some() && !matches!(self.sound.audio.level, KnownLevel::Measured(_)) {
            self.net.send(NetCommand::MeasureLoudness { episode: id });
        }
        if file.is_some() || autoplay {
            self.mark_opening(Some(id))?;
        }
        self.playback = match (file, autoplay) {
            (Some(path), _) => {
                self.player.load(id, SourceSpec::File(path), start, autoplay);
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

    pub(super) fn stream(&mut self, episode: EpisodeId, start_secs: f64) {
        self.player.stop();
        let into = self.player.stream_target(start_secs, true);
        self.net.send(NetCommand::Stream { episode, into });
        self.in_player = true;
        self.stream_failure = None;
    }

    /// The current episode leaves the transport: its place is saved, and if it became played
    /// here, "delete once played" applies.
    pub(super) fn leave(&mut self) -> Result<Changed, HarkError> {
        let Some(episode) = self.playback.episode() else { return Ok(Changed::default()) };
        let changed = self.save()?;
        if self.finished_here {
            self.finished_here = false;
            self.delete_if_wanted(episode)?;
        }
        Ok(changed)
    }

    pub(super) fn stop(&mut self) -> Result<Changed, HarkError> {
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
    pub(super) fn toggle_on(&mut self) -> Result<Changed, HarkError> {
        if let Playback::Failed { track, .. } = &self.playback {
            let (episode, from) = (track.episode, track.position_secs);
            return self.start(episode, Some(from), true);
        }
        Ok(self.resume())
    }

    pub(super) fn resume(&mut self) -> Changed {
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

    pub(super) fn pause(&mut self) -> Changed {
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

    pub(super) fn seek_to(&mut self, secs: f64) -> Result<Changed, HarkError> {
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

    pub(super) fn fail(&mut self, error: String) -> Changed {
        let playback = std::mem::take(&mut self.playback);
        if let Some(track) = playback.into_track() {
            self.playback = Playback::Failed { track, error: error.clone() };
        }
        Changed { playback: true, failure: Some(error), ..Changed::default() }
    }

    pub(super) fn on_player_event(&mut self, event: PlayerEvent) -> Result<Changed, HarkError> {
        let mut changed = Changed::default();
        if Some(event.episode()) != self.playback.episode() || !self.in_player {
            return Ok(changed); // an answer about an episode that is no longer loaded
        }
        match event {
            PlayerEvent::Loaded { duration_secs, start_secs, .. } => {
                self.mark_opening(None)?;
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
                self.mark_opening(None)?;
                let reason = self.stream_failure.clone().unwrap_or(reason);
                changed.merge(self.fail(reason));
            }
        }
        Ok(changed)
    }
}
