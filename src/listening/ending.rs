//! The end-of-episode policy: when an episode counts as played, "delete once played", what
//! plays next (Up Next), and the history behind "previous".

use std::collections::VecDeque;

use super::queue::{self, QueueEdit};
use super::{Changed, Listening, Playback, SleepMode};
use crate::error::HarkError;
use crate::library::keys::DELETE_WHEN_PLAYED;
use crate::model::EpisodeId;
use crate::net::NetCommand;

/// How many episodes "previous" can go back through: enough for any evening, bounded for a
/// window left open for weeks.
const HISTORY_LEN: usize = 100;

/// The episodes played before the current one, the latest last.
#[derive(Debug, Default)]
pub(super) struct History(VecDeque<EpisodeId>);

impl History {
    pub(super) fn push(&mut self, episode: EpisodeId) {
        if self.0.len() == HISTORY_LEN {
            self.0.pop_front();
        }
        self.0.push_back(episode);
    }

    pub(super) fn pop(&mut self) -> Option<EpisodeId> {
        self.0.pop_back()
    }
}

impl Listening {
    /// Heard to the end: played, starts over next time, "delete once played", next in Up Next
    /// (or a serial show's next part).
    pub(super) fn finish(&mut self, episode: EpisodeId) -> Result<Changed, HarkError> {
        let mut changed = Changed { playback: true, library: true, queue: true, ..Changed::default() };
        self.library.set_position(episode, 0.0)?;
        self.library.set_played(episode, true)?;
        self.marked_played = true;
        // "Delete once played" waits until it leaves the transport (the next episode, Stop, or
        // the session's end): Play again still finds its file.
        self.finished_here = true;
        let playback = std::mem::take(&mut self.playback);
        if let Some(mut track) = playback.into_track() {
            track.position_secs = 0.0;
            self.playback = Playback::Paused { track };
        }
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

    pub(super) fn set_played(&mut self, episode: EpisodeId, played: bool) -> Result<Changed, HarkError> {
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
    pub(super) fn delete_if_wanted(&mut self, episode: EpisodeId) -> Result<(), HarkError> {
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

    pub(super) fn queue_ids(&self) -> Result<Vec<EpisodeId>, HarkError> {
        Ok(self.library.queue()?.into_iter().map(|e| e.id).collect())
    }

    pub(super) fn edit_queue(&mut self, edit: QueueEdit) -> Result<Changed, HarkError> {
        let mut ids = self.queue_ids()?;
        queue::apply(&mut ids, edit);
        self.library.set_queue(&ids)?;
        Ok(Changed { queue: true, ..Changed::default() })
    }

    /// Starts the first episode of Up Next (taking it off the queue), if there is one; with Up
    /// Next empty, the next part of a serial show after the one finished (or in the transport).
    /// `finished` leaves Up Next too. None when nothing comes next.
    pub(super) fn play_next_in_queue(&mut self, finished: Option<EpisodeId>) -> Result<Option<Changed>, HarkError> {
        let mut queue = self.queue_ids()?;
        queue.retain(|id| Some(*id) != finished);
        let queued = (!queue.is_empty()).then(|| queue.remove(0));
        self.library.set_queue(&queue)?;
        let next = match (queued, finished.or(self.playback.episode())) {
            (Some(queued), _) => Some(queued),
            (None, Some(heard)) => self.library.next_part(heard)?,
            (None, None) => None,
        };
        let Some(next) = next else { return Ok(None) };
        let mut changed = self.start(next, None, true)?;
        changed.queue = true;
        Ok(Some(changed))
    }

    /// Goes back to the episode played before this one; the current one returns to Up Next.
    pub(super) fn play_previous(&mut self) -> Result<Changed, HarkError> {
        let Some(previous) = self.history.pop() else {
            return self.seek_to(0.0);
        };
        let current = self.playback.episode();
        if let Some(current) = current {
            let mut queue = self.queue_ids()?;
            queue::apply(&mut queue, QueueEdit::PlayNext(current));
            self.library.set_queue(&queue)?;
        }
        let mut changed = self.start(previous, None, true)?;
        // Starting it pushed the one it replaced on the history (when there was one); going
        // back must not.
        if current.is_some_and(|current| current != previous) {
            self.history.pop();
        }
        changed.queue = true;
        Ok(changed)
    }
}
