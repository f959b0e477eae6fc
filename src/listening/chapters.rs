//! The current episode's chapters in the listening session: where "next" and "previous
//! chapter" go, and which chapters are jumped over while playing.

use crate::chapters::Chapter;
use crate::error::HarkError;
use crate::library::{Library, chapter_key};
use crate::model::EpisodeId;

#[derive(Debug, Default, Clone)]
pub struct EpisodeChapters {
    pub list: Vec<Chapter>,
    /// Per chapter: unchecked by the listener, jumped over while playing.
    pub skipped: Vec<bool>,
}

impl EpisodeChapters {
    /// The episode's merged chapters and the listener's skips, from the library.
    pub fn load(library: &Library, episode: EpisodeId, duration_secs: Option<f64>) -> Result<Self, HarkError> {
        let list = library.chapters(episode, duration_secs)?;
        let skipped_starts = library.skipped_chapters(episode)?;
        let skipped = list.iter().map(|c| skipped_starts.contains(&chapter_key(c.start_secs))).collect();
        Ok(Self { list, skipped })
    }

    /// The audio's length became known: the last chapter ends there.
    pub fn end_at(&mut self, duration_secs: Option<f64>) {
        self.list = crate::chapters::with_ends(std::mem::take(&mut self.list), duration_secs);
    }

    pub fn current(&self, secs: f64) -> Option<&Chapter> {
        crate::chapters::current(&self.list, secs).map(|i| &self.list[i])
    }

    pub fn next_start(&self, secs: f64) -> Option<f64> {
        crate::chapters::next_start(&self.navigable(), secs)
    }

    pub fn previous_start(&self, secs: f64) -> Option<f64> {
        crate::chapters::previous_start(&self.navigable(), secs)
    }

    /// Where the next skipped chapter after `secs` begins.
    pub fn next_skipped_start(&self, secs: f64) -> Option<f64> {
        self.list
            .iter()
            .zip(&self.skipped)
            .find(|(c, skipped)| **skipped && c.start_secs > secs)
            .map(|(c, _)| c.start_secs)
    }

    /// Next and previous go to chapters that play: a skipped one is as good as unlisted.
    fn navigable(&self) -> Vec<Chapter> {
        let mut list = self.list.clone();
        for (chapter, skipped) in list.iter_mut().zip(&self.skipped) {
            chapter.listed &= !skipped;
        }
        list
    }

    /// Where to jump when `secs` is inside a skipped chapter.
    pub fn skip_target(&self, secs: f64) -> Option<f64> {
        crate::chapters::skip_target(&self.list, &self.skipped, secs)
    }
}
