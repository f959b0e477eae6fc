//! Chapters in the library: each source's list as it was read, merged when asked, and the
//! chapters the listener chose to skip.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use super::{Library, Result};
use crate::chapters::{Chapter, ChapterSource};
use crate::model::{EpisodeId, FeedValidators};
use crate::transcript::TranscriptLink;

/// Where an episode's Podcasting 2.0 chapters file is, and what the last fetch of it returned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChaptersFile {
    pub url: String,
    /// The validators of the stored copy; None when it was never fetched from `url`.
    pub fetched: Option<FeedValidators>,
}

impl Library {
    /// Every source's chapters for an episode, in merge order (the Podcasting 2.0 JSON first):
    /// the fetched and read ones from the table, `psc:` from the feed, and the timestamps in
    /// the show notes.
    pub fn chapter_sources(&self, episode: EpisodeId) -> Result<Vec<Vec<Chapter>>> {
        let mut sources: Vec<(ChapterSource, Vec<Chapter>)> = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached("SELECT source, list FROM chapters WHERE episode_id = ?1")?;
            let rows = stmt.query_map([episode.0], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (source, list) = row?;
                if let (Some(source), Ok(list)) = (ChapterSource::parse(&source), serde_json::from_str(&list)) {
                    sources.push((source, list));
                }
            }
        }
        let (psc, notes): (Option<String>, Option<String>) =
            self.conn.query_row("SELECT psc_chapters, notes_html FROM episodes WHERE id = ?1", [episode.0], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        if let Some(list) = psc.and_then(|json| serde_json::from_str(&json).ok()) {
            sources.push((ChapterSource::Psc, list));
        }
        if let Some(notes) = notes {
            let text = crate::notes::Document::from_notes(&notes).plain_text();
            let chapters = crate::chapters::from_notes(&without_list_markers(&text));
            sources.push((ChapterSource::Notes, chapters));
        }
        sources.sort_by_key(|(source, _)| *source);
        Ok(sources.into_iter().map(|(_, list)| list).filter(|list| !list.is_empty()).collect())
    }

    /// The chapters to show and navigate: the best source, gaps filled from the others, every
    /// chapter with its end.
    pub fn chapters(&self, episode: EpisodeId, duration_secs: Option<f64>) -> Result<Vec<Chapter>> {
        let merged = crate::chapters::merge(&self.chapter_sources(episode)?);
        Ok(crate::chapters::with_ends(merged, duration_secs))
    }

    /// Stores one source's chapters (`[]` records that the source was read and had none).
    pub fn set_chapters(
        &mut self,
        episode: EpisodeId,
        source: ChapterSource,
        list: &[Chapter],
        from: Option<(&str, &FeedValidators)>,
    ) -> Result<()> {
        let json = serde_json::to_string(list).expect("plain data serialises");
        let (url, etag, modified) = match from {
            Some((url, v)) => (Some(url), v.etag.as_deref(), v.last_modified.as_deref()),
            None => (None, None, None),
        };
        self.conn.execute(
            "INSERT INTO chapters (episode_id, source, list, url, etag, last_modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (episode_id, source) DO UPDATE SET list = ?3, url = ?4, etag = ?5, last_modified = ?6",
            params![episode.0, source.as_str(), json, url, etag, modified],
        )?;
        Ok(())
    }

    /// Whether the audio file's own chapters (ID3 or MP4) were read for this episode: they are
    /// read once per download.
    pub fn file_chapters_read(&self, episode: EpisodeId) -> Result<bool> {
        let found = self
            .conn
            .query_row("SELECT 1 FROM chapters WHERE episode_id = ?1 AND source IN ('id3', 'mp4')", [episode.0], |_| {
                Ok(())
            })
            .optional()?;
        Ok(found.is_some())
    }

    /// The transcript to show for an episode: in its show's language (else the listener's), the
    /// most readable format. None when the feed lists none Hark reads.
    pub fn chosen_transcript(&self, episode: EpisodeId) -> Result<Option<TranscriptLink>> {
        let links = self.episode(episode)?.transcripts;
        let language = self.transcript_language(episode)?;
        Ok(crate::transcript::choose(&links, language.as_deref()).cloned())
    }

    /// The episode's chapters file, if the feed names one, with the validators of the copy held.
    pub fn chapters_file(&self, episode: EpisodeId) -> Result<Option<ChaptersFile>> {
        let url: Option<String> =
            self.conn.query_row("SELECT chapters_url FROM episodes WHERE id = ?1", [episode.0], |r| r.get(0))?;
        let Some(url) = url else { return Ok(None) };
        let stored: Option<(Option<String>, Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT url, etag, last_modified FROM chapters WHERE episode_id = ?1 AND source = 'json'",
                [episode.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let fetched = stored
            .filter(|(from, _, _)| from.as_deref() == Some(url.as_str()))
            .map(|(_, etag, modified)| FeedValidators { etag, last_modified: modified, body_hash: None });
        Ok(Some(ChaptersFile { url, fetched }))
    }

    /// The language an episode's transcript is chosen in: its show's, else the listener's.
    fn transcript_language(&self, episode: EpisodeId) -> Result<Option<String>> {
        let show: Option<String> = self.conn.query_row(
            "SELECT p.language FROM podcasts p JOIN episodes e ON e.podcast_id = p.id WHERE e.id = ?1",
            [episode.0],
            |r| r.get(0),
        )?;
        Ok(show.or_else(crate::model::listener_language))
    }

    /// Records the audio's length where the feed gave none (the file says it exactly).
    pub fn fill_duration(&mut self, episode: EpisodeId, duration_secs: f64) -> Result<()> {
        if duration_secs.is_finite() && duration_secs > 0.0 {
            self.conn.execute(
                "UPDATE episodes SET duration_secs = ?2 WHERE id = ?1 AND duration_secs IS NULL",
                params![episode.0, duration_secs.round() as i64],
            )?;
        }
        Ok(())
    }

    /// Stores what an audio file said: its chapters (an empty list too: it was read) and, where
    /// the feed gave none, its length.
    pub fn set_file_chapters(&mut self, episode: EpisodeId, file: &crate::model::FileChapters) -> Result<()> {
        self.set_chapters(episode, file.source, &file.chapters, None)?;
        if let Some(duration) = file.duration_secs {
            self.fill_duration(episode, duration)?;
        }
        Ok(())
    }

    /// Starts (in whole milliseconds) of the chapters the listener unchecked.
    pub fn skipped_chapters(&self, episode: EpisodeId) -> Result<HashSet<i64>> {
        let mut stmt = self.conn.prepare_cached("SELECT start_ms FROM skipped_chapters WHERE episode_id = ?1")?;
        let rows = stmt.query_map([episode.0], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_chapter_skipped(&mut self, episode: EpisodeId, start_secs: f64, skipped: bool) -> Result<()> {
        let start_ms = chapter_key(start_secs);
        if skipped {
            self.conn.execute(
                "INSERT OR IGNORE INTO skipped_chapters (episode_id, start_ms) VALUES (?1, ?2)",
                params![episode.0, start_ms],
            )?;
        } else {
            self.conn.execute(
                "DELETE FROM skipped_chapters WHERE episode_id = ?1 AND start_ms = ?2",
                params![episode.0, start_ms],
            )?;
        }
        Ok(())
    }
}

/// A chapter's key among the skipped ones: its start in whole milliseconds.
pub fn chapter_key(start_secs: f64) -> i64 {
    (start_secs * 1000.0).round() as i64
}

/// Notes lay lists out with markers ("• 12:34 News", "3. 12:34 News"); a chapter line starts
/// with its time.
fn without_list_markers(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix('•').unwrap_or(line);
            let numbered =
                line.split_once(". ").filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            numbered.map_or(line, |(_, rest)| rest).trim_start()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
