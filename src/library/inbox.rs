//! The Inbox: episodes that arrived by a refresh since the listener last looked, across shows.

use chrono::Utc;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{Library, Result, SUMMARY_COLUMN_COUNT, SUMMARY_COLUMNS, summary_from_row};
use crate::model::{EpisodeId, EpisodeSummary, PodcastId};

/// One episode in the Inbox, with its show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxEntry {
    pub episode: EpisodeSummary,
    pub podcast_title: String,
    /// When it arrived (Unix seconds).
    pub arrived_at: i64,
}

/// The highest episode row id of a show before new ones are written (new rows are numbered
/// after it).
pub(super) fn last_episode_row(tx: &Transaction<'_>, podcast: PodcastId) -> rusqlite::Result<i64> {
    tx.query_row("SELECT COALESCE(MAX(id), 0) FROM episodes WHERE podcast_id = ?1", [podcast.0], |r| r.get(0))
}

/// Puts the episodes written after row `after` in the Inbox.
pub(super) fn arrived(tx: &Transaction<'_>, podcast: PodcastId, after: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE episodes SET inbox_at = ?3 WHERE podcast_id = ?1 AND id > ?2",
        params![podcast.0, after, Utc::now().timestamp()],
    )?;
    Ok(())
}

/// A new subscription's first fetch: only its newest episode (a trailer aside) goes in the
/// Inbox, so following a show with 500 episodes does not flood it.
pub(super) fn subscribed(tx: &Transaction<'_>, podcast: PodcastId) -> rusqlite::Result<()> {
    let newest: Option<i64> = tx
        .query_row(
            &format!(
                "SELECT e.id FROM episodes e WHERE e.podcast_id = ?1 AND COALESCE(e.episode_type, '') != 'trailer'
                 ORDER BY {}",
                super::NEWEST_FIRST
            ),
            [podcast.0],
            |r| r.get(0),
        )
        .optional()?;
    // Arrived when the show was added: not news to announce (see `arrived_after`).
    if let Some(id) = newest {
        tx.execute(
            "UPDATE episodes SET inbox_at = (SELECT added_at FROM podcasts WHERE id = ?2) WHERE id = ?1",
            params![id, podcast.0],
        )?;
    }
    Ok(())
}

impl Library {
    /// The Inbox, newest first (undated ones by when they arrived).
    pub fn inbox(&self) -> Result<Vec<InboxEntry>> {
        self.inbox_where("1")
    }

    /// What refreshes brought after `since` (Unix seconds) to shows that announce theirs; a new
    /// subscription's first episode is not news, and a trailer never is (it waits in the Inbox).
    pub fn arrived_after(&self, since: i64) -> Result<Vec<InboxEntry>> {
        self.inbox_where(&format!(
            "e.inbox_at > {since} AND e.inbox_at > p.added_at AND p.notify = 1
             AND COALESCE(e.episode_type, '') != 'trailer'"
        ))
    }

    fn inbox_where(&self, condition: &str) -> Result<Vec<InboxEntry>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, p.title, e.inbox_at FROM episodes e JOIN podcasts p ON p.id = e.podcast_id
             WHERE e.inbox_at IS NOT NULL AND {condition}
             ORDER BY COALESCE(e.published, e.inbox_at) DESC, e.id DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(InboxEntry {
                episode: summary_from_row(r)?,
                podcast_title: r.get(SUMMARY_COLUMN_COUNT)?,
                arrived_at: r.get(SUMMARY_COLUMN_COUNT + 1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn inbox_count(&self) -> Result<usize> {
        let count: i64 =
            self.conn.query_row("SELECT COUNT(*) FROM episodes WHERE inbox_at IS NOT NULL", [], |r| r.get(0))?;
        Ok(count as usize)
    }

    /// Takes one episode out of the Inbox, or all of them; returns how many left it.
    pub fn dismiss_inbox(&mut self, episode: Option<EpisodeId>) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE episodes SET inbox_at = NULL WHERE inbox_at IS NOT NULL AND (?1 IS NULL OR id = ?1)",
            [episode.map(|e| e.0)],
        )?)
    }

    /// Whether a show's new episodes are announced on the desktop.
    pub fn set_notify(&mut self, podcast: PodcastId, notify: bool) -> Result<()> {
        self.conn.execute("UPDATE podcasts SET notify = ?2 WHERE id = ?1", params![podcast.0, notify])?;
        Ok(())
    }
}
