//! An episode's credits (`itunes:subtitle`, `itunes:author`, `podcast:person`), kept as one
//! JSON column, and read for a whole list at once (the CLI's JSON).

use std::collections::HashMap;

use super::{Library, Result};
use crate::model::{EpisodeCredits, EpisodeId, PodcastId};

/// The column's value: NULL when the episode says none of it (most episodes).
pub(super) fn to_column(credits: &EpisodeCredits) -> Option<String> {
    (!credits.is_empty()).then(|| serde_json::to_string(credits).expect("plain data serialises"))
}

/// The column read back; a value that does not read is no credits.
pub(super) fn from_column(json: Option<String>) -> EpisodeCredits {
    json.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default()
}

impl Library {
    /// The credits and web pages of one show's episodes (or every show's), for the episodes that
    /// have any: one query for a whole list, not one per episode.
    pub fn episode_credits(
        &self,
        podcast: Option<PodcastId>,
    ) -> Result<HashMap<EpisodeId, (EpisodeCredits, Option<String>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, credits, link FROM episodes
             WHERE (credits IS NOT NULL OR link IS NOT NULL) AND (?1 IS NULL OR podcast_id = ?1)",
        )?;
        let rows = stmt
            .query_map([podcast.map(|p| p.0)], |r| Ok((EpisodeId(r.get(0)?), (from_column(r.get(1)?), r.get(2)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
