//! Downloaded files as the library knows them: whether an episode's file is really there, and
//! removing what Hark downloaded (only ever inside its own downloads folder).

use std::path::{Path, PathBuf};

use super::Library;
use crate::error::HarkError;
use crate::media::PartialFile;
use crate::model::{EpisodeId, EpisodeSummary, PodcastId};

impl Library {
    /// The episode's downloaded file when it is really on disk. A download deleted behind Hark's
    /// back is no download: the row is repaired, so every view offers Download again.
    pub fn downloaded_file(&mut self, episode: EpisodeId) -> Result<Option<PathBuf>, HarkError> {
        let Some(path) = self.episode(episode)?.summary.path.map(PathBuf::from) else { return Ok(None) };
        if path.is_file() {
            return Ok(Some(path));
        }
        self.set_downloaded(episode, None)?;
        Ok(None)
    }

    /// Every finished download that is really on disk, with its size in bytes, newest first; the
    /// rows of files deleted behind Hark's back are repaired on the way (see `downloaded_file`).
    pub fn downloads_on_disk(&mut self) -> Result<Vec<(EpisodeSummary, u64)>, HarkError> {
        let mut found = Vec::new();
        for episode in self.downloaded_episodes()? {
            let size = episode.path.as_ref().and_then(|p| std::fs::metadata(p).ok()).filter(|m| m.is_file());
            match size {
                Some(meta) => found.push((episode, meta.len())),
                None => self.set_downloaded(episode.id, None)?,
            }
        }
        Ok(found)
    }

    /// The downloads of `podcast` past the newest `keep`, the ones to delete first first: played
    /// ones, oldest first, then unplayed ones never started, oldest first. Never one in Up Next
    /// or one the listener is part-way through.
    pub fn downloads_past(&self, podcast: PodcastId, keep: u32) -> super::Result<Vec<EpisodeId>> {
        let on_disk: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM episodes WHERE podcast_id = ?1 AND downloaded_path IS NOT NULL",
            [podcast.0],
            |r| r.get(0),
        )?;
        let excess = on_disk.saturating_sub(keep as i64).max(0);
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id FROM episodes e
             WHERE e.podcast_id = ?1 AND e.downloaded_path IS NOT NULL
               AND e.id NOT IN (SELECT episode_id FROM queue)
               AND NOT (e.played = 0 AND e.position_secs > 0)
             ORDER BY e.played DESC, COALESCE(e.published, 0) ASC, e.id ASC
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![podcast.0, excess], |r| Ok(EpisodeId(r.get(0)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Deletes an episode's download, finished or not, and says so in the library.
pub fn delete_download(library: &mut Library, downloads: &Path, episode: EpisodeId) -> Result<(), HarkError> {
    PartialFile::remove(downloads, episode);
    if let Some(path) = library.episode(episode)?.summary.path {
        // The bundled demo's files and anything a path might point at outside stay.
        if Path::new(&path).starts_with(downloads) {
            let _ = std::fs::remove_file(&path);
        }
    }
    library.set_downloaded(episode, None)?;
    Ok(())
}

/// What unsubscribing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribed {
    pub title: String,
    /// Downloads deleted with the show.
    pub deleted: usize,
}

/// Forgets a show; its downloads go too unless the listener keeps them.
pub fn unsubscribe(
    library: &mut Library,
    downloads: &Path,
    podcast: PodcastId,
    keep_downloads: bool,
) -> Result<Unsubscribed, HarkError> {
    let mut deleted = 0;
    if !keep_downloads {
        for episode in library.episodes(Some(podcast))? {
            let had_file = episode.downloaded || PartialFile::peek(downloads, episode.id).is_some();
            delete_download(library, downloads, episode.id)?;
            deleted += usize::from(had_file && episode.downloaded);
        }
    }
    let title = library.remove_podcast(podcast)?;
    Ok(Unsubscribed { title, deleted })
}
