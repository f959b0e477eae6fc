//! A serial show (`itunes:type serial`: an audiobook, a story in parts) is heard in order: what
//! comes after a part; and the order a listener chose for one show's list instead of the show's
//! own (kept per show, as the window's sort menu names it).

use super::{Library, OLDEST_FIRST, Result};
use crate::model::{EpisodeId, EpisodeType, PodcastId};

impl Library {
    /// The part that follows `episode` in a serial show: the first after it, from part one on,
    /// that is not played and not a trailer. None for an episode of any other show, or the last.
    pub fn next_part(&self, episode: EpisodeId) -> Result<Option<EpisodeId>> {
        let podcast = self.episode(episode)?.summary.podcast_id;
        if !self.is_serial(podcast)? {
            return Ok(None);
        }
        let parts = self.episodes_ordered(Some(podcast), OLDEST_FIRST)?;
        let after = parts.iter().skip_while(|e| e.id != episode).skip(1);
        Ok(after.filter(|e| !e.played && e.episode_type != EpisodeType::Trailer).map(|e| e.id).next())
    }
}

/// The setting that keeps one show's list order.
fn sort_key(podcast: PodcastId) -> String {
    format!("episode_sort.{}", podcast.0)
}

impl Library {
    /// The order the listener chose for this show's episode list (the window's name for it), if
    /// any.
    pub fn episode_sort(&self, podcast: PodcastId) -> Result<Option<String>> {
        self.setting(&sort_key(podcast))
    }

    pub fn set_episode_sort(&mut self, podcast: PodcastId, sort: &str) -> Result<()> {
        self.set_setting(&sort_key(podcast), sort)
    }
}
