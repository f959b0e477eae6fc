//! Chapters and transcripts in the library index (`moments_index.sql`): indexing a transcript
//! when it is read, which transcripts the background fetch asks for, and where in an episode a
//! hit is (the index keeps no positions: the chapters' own lists and the cached transcript say).

use std::collections::HashSet;
use std::path::Path;

use rusqlite::{OptionalExtension, params};

use super::search::{EpisodeHit, Field};
use super::words::QueryWords;
use super::{Library, Result};
use crate::model::{EpisodeId, PodcastId};
use crate::transcript::{Transcript, TranscriptLink};

/// At most this many episodes are found by their chapters or transcript per search: each
/// transcript hit is read back from the cache to find its cue.
pub const MOMENT_HITS: usize = 12;
/// Matches looked at for those (the index may find a little more than the words themselves).
const MOMENT_CANDIDATES: usize = 4 * MOMENT_HITS;

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn transcript_row(episode: EpisodeId) -> i64 {
    episode.0 * 2 + 1
}

/// An episode found by its chapters or transcript, before it is placed.
struct MomentCandidate {
    episode: EpisodeId,
    chapters: bool,
    transcript: bool,
}

impl Library {
    /// Indexes the words of the episode's transcript (read from `url`), in place of any before.
    pub fn index_transcript(&mut self, episode: EpisodeId, url: &str, transcript: &Transcript) -> Result<()> {
        let mut words = String::with_capacity(transcript.cues.iter().map(|c| c.text.len() + 1).sum());
        for cue in &transcript.cues {
            words.push_str(&cue.text);
            words.push('\n');
        }
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM search_moments WHERE rowid = ?1", [transcript_row(episode)])?;
        tx.execute(
            "INSERT INTO search_moments (rowid, words) VALUES (?1, ?2)",
            params![transcript_row(episode), words],
        )?;
        tx.execute(
            "INSERT INTO transcript_checks (episode_id, url, checked_at, indexed) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (episode_id) DO UPDATE SET url = ?2, checked_at = ?3, indexed = 1",
            params![episode.0, url, now_secs()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The server said the episode's transcript at `url` has not changed (asked again later).
    pub fn transcript_unchanged(&mut self, episode: EpisodeId, url: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO transcript_checks (episode_id, url, checked_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (episode_id) DO UPDATE SET checked_at = ?3 WHERE url = ?2",
            params![episode.0, url, now_secs()],
        )?;
        Ok(())
    }

    /// The transcripts the background fetch asks for: each followed show's newest `per_show`
    /// episodes with a transcript Hark reads, not asked for since `checked_before` (Unix
    /// seconds) at that address.
    pub fn transcripts_to_fetch(
        &self,
        per_show: usize,
        checked_before: i64,
    ) -> Result<Vec<(EpisodeId, TranscriptLink)>> {
        if per_show == 0 {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, transcripts, language, checked_url, checked_at FROM (
                 SELECT e.id, e.transcripts, p.language, c.url AS checked_url, c.checked_at,
                        row_number() OVER (PARTITION BY e.podcast_id ORDER BY {}) AS n
                 FROM episodes e JOIN podcasts p ON p.id = e.podcast_id
                 LEFT JOIN transcript_checks c ON c.episode_id = e.id
                 WHERE p.bundled = 0 AND e.transcripts IS NOT NULL)
             WHERE n <= ?1 ORDER BY id DESC",
            super::NEWEST_FIRST
        ))?;
        let rows = stmt.query_map([per_show as i64], |r| {
            Ok((
                EpisodeId(r.get(0)?),
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        let listener = crate::model::listener_language();
        let mut wanted = Vec::new();
        for row in rows {
            let (episode, links, language, checked_url, checked_at) = row?;
            let links: Vec<TranscriptLink> = serde_json::from_str(&links).unwrap_or_default();
            let language = language.or_else(|| listener.clone());
            let Some(link) = crate::transcript::choose(&links, language.as_deref()) else { continue };
            let fresh = checked_url.as_deref() == Some(link.url.as_str()) && checked_at.unwrap_or(0) >= checked_before;
            if !fresh {
                wanted.push((episode, link.clone()));
            }
        }
        Ok(wanted)
    }

    /// Indexes the transcripts already in the cache that are not indexed yet (a library from
    /// before the moments index; a transcript cached by another Hark). How many it indexed.
    pub fn index_cached_transcripts(&mut self, cache_dir: &Path) -> Result<usize> {
        let pending: Vec<EpisodeId> = {
            let mut stmt = self.conn.prepare(
                "SELECT e.id FROM episodes e LEFT JOIN transcript_checks c ON c.episode_id = e.id
                 WHERE e.transcripts IS NOT NULL AND coalesce(c.indexed, 0) = 0",
            )?;
            let rows = stmt.query_map([], |r| Ok(EpisodeId(r.get(0)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut indexed = 0;
        for episode in pending {
            let Some(link) = self.chosen_transcript(episode)? else { continue };
            if let Some(transcript) = crate::transcript::cache::cached(cache_dir, &link) {
                self.index_transcript(episode, &link.url, &transcript)?;
                indexed += 1;
            }
        }
        Ok(indexed)
    }

    /// The moments index's size on disk (its segments), in bytes.
    pub fn moments_index_bytes(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT coalesce(sum(length(block)), 0) FROM search_moments_data", [], |r| r.get(0))?)
    }

    /// Episodes whose chapter titles or transcript hold every word, newest first, with where
    /// (the first chapter or cue that holds them all) and the words around it. Episodes in
    /// `found` already have a better hit. Transcripts are read back from `transcripts` (the
    /// cache folder); without it, only chapters are looked at.
    pub(super) fn moment_hits(
        &self,
        words: &QueryWords,
        transcripts: Option<&Path>,
        found: &HashSet<EpisodeId>,
    ) -> Result<Vec<EpisodeHit>> {
        let Some(query) = words.fts_any_order() else { return Ok(Vec::new()) };
        let mut candidates: Vec<MomentCandidate> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT rowid FROM search_moments WHERE search_moments MATCH ?1 ORDER BY rowid DESC")?;
            let mut rows = stmt.query([query])?;
            while let Some(row) = rows.next()? {
                let rowid: i64 = row.get(0)?;
                let episode = EpisodeId(rowid / 2);
                if found.contains(&episode) {
                    continue;
                }
                // Newest first: an episode's transcript row, then its chapters row.
                if let Some(last) = candidates.last_mut().filter(|last| last.episode == episode) {
                    last.chapters = true;
                    continue;
                }
                if candidates.len() == MOMENT_CANDIDATES {
                    break;
                }
                candidates.push(MomentCandidate { episode, chapters: rowid % 2 == 0, transcript: rowid % 2 == 1 });
            }
        }
        let mut hits = Vec::new();
        for candidate in candidates {
            let chapter = if candidate.chapters { self.chapter_moment(candidate.episode, words)? } else { None };
            let moment = match chapter {
                Some(found) => Some((Field::Chapter, found)),
                None if candidate.transcript => match transcripts {
                    Some(cache) => {
                        self.transcript_moment(candidate.episode, words, cache)?.map(|m| (Field::Transcript, m))
                    }
                    None => None,
                },
                None => None,
            };
            if let Some((field, (at_secs, snippet))) = moment {
                hits.push(self.episode_hit(candidate.episode, field, snippet, at_secs)?);
                if hits.len() == MOMENT_HITS {
                    break;
                }
            }
        }
        Ok(hits)
    }

    /// The first chapter (best source first) whose title holds every word: its start and title.
    fn chapter_moment(&self, episode: EpisodeId, words: &QueryWords) -> Result<Option<(Option<f64>, String)>> {
        for list in self.chapter_sources(episode)? {
            if let Some((chapter, marked)) = list.iter().find_map(|c| Some((c, words.marked(&c.title)?))) {
                return Ok(Some((Some(chapter.start_secs), marked)));
            }
        }
        Ok(None)
    }

    /// The first cue of the episode's indexed transcript (as cached) that holds every word: its
    /// start (None for an untimed transcript) and its words.
    fn transcript_moment(
        &self,
        episode: EpisodeId,
        words: &QueryWords,
        cache: &Path,
    ) -> Result<Option<(Option<f64>, String)>> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT c.url, e.transcripts FROM transcript_checks c JOIN episodes e ON e.id = c.episode_id
                 WHERE c.episode_id = ?1 AND c.indexed = 1",
                [episode.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((url, links)) = row else { return Ok(None) };
        let links: Vec<TranscriptLink> = links.and_then(|l| serde_json::from_str(&l).ok()).unwrap_or_default();
        let link = links.into_iter().find(|l| l.url == url).unwrap_or(TranscriptLink {
            url,
            mime: None,
            language: None,
            rel: None,
        });
        let marked = |cue: &crate::transcript::Cue| words.may_match(&cue.text).then(|| words.marked(&cue.text))?;
        Ok(crate::transcript::cache::first_cue(cache, &link, words.needle(), marked))
    }

    /// A hit on `episode` with its titles.
    pub(super) fn episode_hit(
        &self,
        episode: EpisodeId,
        field: Field,
        snippet: String,
        at_secs: Option<f64>,
    ) -> Result<EpisodeHit> {
        let (title, podcast, podcast_title) = self.conn.query_row(
            "SELECT e.title, e.podcast_id, p.title FROM episodes e JOIN podcasts p ON p.id = e.podcast_id WHERE e.id = ?1",
            [episode.0],
            |r| Ok((r.get(0)?, PodcastId(r.get(1)?), r.get(2)?)),
        )?;
        Ok(EpisodeHit { episode_id: episode, podcast_id: podcast, title, podcast_title, snippet, field, at_secs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = r#"<rss version="2.0" xmlns:psc="http://podlove.org/simple-chapters"
        xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Roast</title>
        <item><guid>a</guid><title>Espresso basics</title><description>Beans</description>
          <enclosure url="https://example.com/a.mp3" type="audio/mpeg"/></item>
        <item><guid>b</guid><title>Morning</title><description>We talk espresso</description>
          <enclosure url="https://example.com/b.mp3" type="audio/mpeg"/></item>
        <item><guid>c</guid><title>Grinders</title><description>Burrs</description>
          <psc:chapters version="1.2"><psc:chapter start="00:00:05" title="Hello"/>
          <psc:chapter start="00:01:30" title="Espresso machines"/></psc:chapters>
          <enclosure url="https://example.com/c.mp3" type="audio/mpeg"/></item>
        <item><guid>d</guid><title>Water</title><description>Minerals</description>
          <podcast:transcript url="https://example.com/d.vtt" type="text/vtt"/>
          <enclosure url="https://example.com/d.mp3" type="audio/mpeg"/></item>
        </channel></rss>"#;

    const VTT: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello there\n\n\
        00:02:05.500 --> 00:02:09.000\nthe Espresso shot had a thick crème\n\n\
        00:03:00.000 --> 00:03:04.000\nespresso again\n";

    /// Roast, with episode d's transcript cached in `cache` and indexed.
    fn roast(cache: &Path) -> (Library, EpisodeId) {
        let mut library = Library::in_memory().unwrap();
        let feed = crate::feed::parse_feed(FEED.as_bytes(), &url::Url::parse("https://example.com/f.xml").unwrap());
        library.subscribe("https://example.com/f.xml", &feed.unwrap()).unwrap();
        let water = library.find_episode("Water").unwrap();
        let url = "https://example.com/d.vtt";
        let validators = crate::model::FeedValidators::default();
        crate::transcript::cache::write(&crate::transcript::cache::cache_path(cache, url), VTT.as_bytes(), &validators)
            .unwrap();
        let transcript = crate::transcript::parse(VTT.as_bytes(), crate::transcript::TranscriptFormat::Vtt).unwrap();
        library.index_transcript(water, url, &transcript).unwrap();
        (library, water)
    }

    #[test]
    fn title_then_notes_then_chapter_then_transcript_each_episode_once_with_its_moment() {
        let cache = tempfile::tempdir().unwrap();
        let (library, water) = roast(cache.path());
        let found = library.search_with_transcripts("espresso", cache.path()).unwrap();
        let listed: Vec<(&str, Field, Option<f64>)> =
            found.episodes.iter().map(|h| (h.title.as_str(), h.field, h.at_secs)).collect();
        assert_eq!(
            listed,
            [
                ("Espresso basics", Field::Title, None),
                ("Morning", Field::Notes, None),
                ("Grinders", Field::Chapter, Some(90.0)),
                ("Water", Field::Transcript, Some(125.5)),
            ]
        );
        assert_eq!(found.episodes[2].snippet, "\u{2}Espresso\u{3} machines");
        assert_eq!(found.episodes[3].snippet, "the \u{2}Espresso\u{3} shot had a thick crème", "the first cue");
        let spoken = library.search_with_transcripts("creme esp", cache.path()).unwrap();
        assert_eq!(spoken.episodes.len(), 1);
        assert_eq!((spoken.episodes[0].episode_id, spoken.episodes[0].at_secs), (water, Some(125.5)));
        assert!(library.search("creme").unwrap().episodes.is_empty(), "no cache folder: no transcript hits");
    }

    #[test]
    fn a_new_transcript_or_chapter_list_replaces_the_old_words_and_removal_takes_them() {
        let cache = tempfile::tempdir().unwrap();
        let (mut library, water) = roast(cache.path());
        let new = crate::transcript::parse(
            b"WEBVTT\n\n00:00:07.000 --> 00:00:08.000\nLimescale\n",
            crate::transcript::TranscriptFormat::Vtt,
        );
        crate::transcript::cache::write(
            &crate::transcript::cache::cache_path(cache.path(), "https://example.com/d.vtt"),
            b"WEBVTT\n\n00:00:07.000 --> 00:00:08.000\nLimescale\n",
            &Default::default(),
        )
        .unwrap();
        library.index_transcript(water, "https://example.com/d.vtt", &new.unwrap()).unwrap();
        assert!(library.search_with_transcripts("crème", cache.path()).unwrap().episodes.is_empty());
        assert_eq!(library.search_with_transcripts("limescale", cache.path()).unwrap().episodes[0].at_secs, Some(7.0));
        let grinders = library.find_episode("Grinders").unwrap();
        let chapter = crate::chapters::Chapter {
            start_secs: 42.0,
            end_secs: None,
            title: "Tamper talk".into(),
            url: None,
            image: None,
            listed: true,
            source: crate::chapters::ChapterSource::Json,
        };
        library.set_chapters(grinders, crate::chapters::ChapterSource::Json, &[chapter], None).unwrap();
        assert_eq!(library.search("tamper").unwrap().episodes[0].at_secs, Some(42.0), "a stored chapter list");
        assert_eq!(library.search("machines").unwrap().episodes[0].at_secs, Some(90.0), "the feed's kept too");
        library.remove_podcast(library.podcasts().unwrap()[0].id).unwrap();
        assert!(library.search_with_transcripts("limescale", cache.path()).unwrap().episodes.is_empty());
        assert!(library.search("tamper").unwrap().episodes.is_empty());
        library.conn.execute("INSERT INTO search_moments (search_moments) VALUES ('integrity-check')", []).unwrap();
    }

    #[test]
    fn a_library_from_before_the_prefix_indexes_gets_its_chapters_at_once_and_transcripts_again() {
        let cache = tempfile::tempdir().unwrap();
        let (mut library, water) = roast(cache.path());
        let before: i64 = library.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        library.conn.pragma_update(None, "user_version", before - 1).unwrap();
        library.migrate().unwrap();
        assert_eq!(library.search("mach").unwrap().episodes[0].at_secs, Some(90.0), "the feed's chapters");
        assert!(
            library.search_with_transcripts("e", cache.path()).unwrap().episodes.iter().all(|h| h.episode_id != water)
        );
        assert_eq!(library.index_cached_transcripts(cache.path()).unwrap(), 1);
        let spoken = library.search_with_transcripts("cr", cache.path()).unwrap();
        assert_eq!((spoken.episodes[0].episode_id, spoken.episodes[0].at_secs), (water, Some(125.5)));
        let short = library.search_with_transcripts("e", cache.path()).unwrap();
        assert!(short.episodes.iter().any(|h| h.episode_id == water && h.at_secs == Some(125.5)), "one letter");
    }

    #[test]
    fn the_background_fetch_asks_for_each_shows_newest_transcripts_once_until_they_are_old() {
        let cache = tempfile::tempdir().unwrap();
        let (mut library, water) = roast(cache.path());
        assert!(library.transcripts_to_fetch(20, now_secs() - 60).unwrap().is_empty(), "just indexed");
        let wanted = library.transcripts_to_fetch(20, now_secs() + 1).unwrap();
        assert_eq!(
            wanted.iter().map(|(e, l)| (*e, l.url.as_str())).collect::<Vec<_>>(),
            [(water, "https://example.com/d.vtt")]
        );
        assert!(library.transcripts_to_fetch(0, now_secs() + 1).unwrap().is_empty(), "0: off");
        library.transcript_unchanged(water, "https://example.com/d.vtt").unwrap();
        assert!(library.transcripts_to_fetch(20, now_secs() - 60).unwrap().is_empty());
    }

    #[test]
    fn a_library_from_before_the_moments_index_gets_its_chapters_and_cached_transcripts_indexed() {
        let cache = tempfile::tempdir().unwrap();
        let (mut library, water) = roast(cache.path());
        library
            .conn
            .execute_batch(
                "DROP TABLE search_moments; DROP VIEW chapter_words; DROP TABLE transcript_checks;
                 DROP TRIGGER moments_feed_chapters_changed; DROP TRIGGER moments_episode_removed;
                 DROP TRIGGER moments_chapters_added; DROP TRIGGER moments_chapters_changed;
                 DROP TRIGGER moments_chapters_removed;",
            )
            .unwrap();
        // Back to the schema just before this migration (later ones undone as well).
        library
            .conn
            .execute_batch("ALTER TABLE podcasts DROP COLUMN subtitle; ALTER TABLE episodes DROP COLUMN credits;")
            .unwrap();
        let moments = super::super::MIGRATIONS.iter().position(|m| *m == include_str!("moments_index.sql")).unwrap();
        library.conn.pragma_update(None, "user_version", moments as i64).unwrap();
        library.migrate().unwrap();
        assert_eq!(library.search("machines").unwrap().episodes[0].at_secs, Some(90.0), "the feed's chapters");
        assert!(library.search_with_transcripts("crème", cache.path()).unwrap().episodes.is_empty());
        assert_eq!(library.index_cached_transcripts(cache.path()).unwrap(), 1);
        let spoken = library.search_with_transcripts("crème", cache.path()).unwrap();
        assert_eq!((spoken.episodes[0].episode_id, spoken.episodes[0].at_secs), (water, Some(125.5)));
        assert_eq!(library.index_cached_transcripts(cache.path()).unwrap(), 0, "once");
    }
}
