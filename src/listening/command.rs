//! What goes into the listening session (commands) and what comes out (what they changed).

use super::QueueEdit;
use super::SleepMode;
use super::sound::ListenerSound;
use crate::library::ShowSettings;
use crate::model::{EpisodeId, PodcastId};

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
    pub(super) fn merge(&mut self, other: Changed) {
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
