//! Searching the library: SQLite FTS5 over shows and episodes (see `search.sql`).

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, params};
use serde::Serialize;

use super::{Library, Result};
use crate::model::{EpisodeId, PodcastId};

/// Marks around the matched words in a snippet (control characters: never in cleaned text).
pub const MATCH_START: char = '\u{2}';
pub const MATCH_END: char = '\u{3}';
/// How many hits of each kind a search returns.
const LIMIT: i64 = 50;
/// Up to this many matching episodes are ranked by relevance; more, and the newest come first.
const RANK_AT_MOST: i64 = 2000;

/// Where a hit was found, best first: an episode found in several places is listed once, by
/// its best hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Notes,
    /// The listener's own bookmark note (at its moment).
    Bookmark,
    /// A chapter title (at the chapter's start).
    Chapter,
    /// A transcript cue (at its start).
    Transcript,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShowHit {
    pub podcast_id: PodcastId,
    pub title: String,
    /// With `MATCH_START` / `MATCH_END` around the matched words.
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeHit {
    pub episode_id: EpisodeId,
    pub podcast_id: PodcastId,
    pub title: String,
    pub podcast_title: String,
    /// With `MATCH_START` / `MATCH_END` around the matched words.
    pub snippet: String,
    pub field: Field,
    /// Where in the episode (transcript, chapter and bookmark hits).
    pub at_secs: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    pub shows: Vec<ShowHit>,
    pub episodes: Vec<EpisodeHit>,
}

/// A query longer than this (in bytes) is read up to here: nobody types more into a search field,
/// and the index's work grows with every word.
pub const MAX_QUERY_BYTES: usize = 256;
/// At most this many different words are searched for.
pub const MAX_QUERY_WORDS: usize = 12;

/// The listener's words as an FTS5 query: every word must appear, the last as a word or the
/// start of one (it may be typed halfway), the others as words: a prefix makes FTS5 merge the
/// lists of every word it starts, all of them, so a common word ("episode") as a prefix costs
/// milliseconds where as a word it costs next to nothing. Each is quoted, so punctuation (`C++`,
/// a stray `"`, brackets) is never syntax. A word said twice counts once, and the query is
/// capped (`MAX_QUERY_BYTES`, `MAX_QUERY_WORDS`).
pub fn fts_query(input: &str) -> Option<String> {
    fts_words(&query_words(input), "*")
}

/// `words` quoted, each to appear, with `last` after the last (`*`: a prefix).
fn fts_words(words: &[&str], last: &str) -> Option<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect();
    (!quoted.is_empty()).then(|| quoted.join(" ") + last)
}

/// The words of a query as typed, within its bounds: each once (case aside), at most
/// `MAX_QUERY_WORDS`, from the first `MAX_QUERY_BYTES`.
pub(super) fn query_words(input: &str) -> Vec<&str> {
    let cut = (0..=MAX_QUERY_BYTES.min(input.len())).rev().find(|at| input.is_char_boundary(*at)).unwrap_or(0);
    let mut seen = std::collections::HashSet::new();
    input[..cut]
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .filter(|w| seen.insert(w.to_lowercase()))
        .take(MAX_QUERY_WORDS)
        .collect()
}

/// `hark_plain(html)`: notes as the words the index holds.
pub(super) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "hark_plain",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let html: Option<String> = ctx.get(0)?;
            Ok(html.map(|h| crate::notes::index_text(&h)).unwrap_or_default())
        },
    )
}

/// The newest episode's row id: the episodes a feed adds after it are the ones
/// `index_new_episodes` indexes.
pub(super) fn newest_episode_row(tx: &Connection) -> rusqlite::Result<i64> {
    tx.query_row("SELECT coalesce(max(id), 0) FROM episodes", [], |r| r.get(0))
}

/// Indexes the podcast's episodes added after row `after` (see `search_words.sql`): every path
/// that adds episodes (a feed written, `sync::sync_in`) calls this before its transaction ends.
pub(super) fn index_new_episodes(tx: &Connection, podcast: PodcastId, after: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO search_episodes (rowid, title, body)
         SELECT id, title, hark_plain(notes_html) FROM episodes WHERE podcast_id = ?1 AND id > ?2",
        params![podcast.0, after],
    )?;
    // Their chapters from the feed (psc:chapters), in the moments index (`moments_index.sql`).
    tx.execute(
        "INSERT INTO search_moments (rowid, words)
         SELECT episode_id * 2, words FROM chapter_words
         WHERE episode_id IN (SELECT id FROM episodes WHERE podcast_id = ?1 AND id > ?2 AND psc_chapters IS NOT NULL)
           AND words <> ''",
        params![podcast.0, after],
    )?;
    Ok(())
}

impl Library {
    /// Shows and episodes matching `input`, best first: an episode once, by its best hit (title,
    /// then notes, a bookmark, a chapter, a transcript cue — see `Field`). Transcript hits are
    /// read back from `transcripts`, the cache folder (`AppPaths::transcript_cache`).
    pub fn search_with_transcripts(&self, input: &str, transcripts: &std::path::Path) -> Result<SearchResults> {
        self.search_in(input, Some(transcripts))
    }

    /// The same without transcripts (titles, notes, bookmarks and chapters).
    pub fn search(&self, input: &str) -> Result<SearchResults> {
        self.search_in(input, None)
    }

    fn search_in(&self, input: &str, transcripts: Option<&std::path::Path>) -> Result<SearchResults> {
        let mut found = self.search_titles_and_notes(input)?;
        let mut listed: std::collections::HashSet<EpisodeId> = found.episodes.iter().map(|h| h.episode_id).collect();
        for hit in self.search_bookmarks(input)? {
            let Some(episode) = hit.bookmark.episode_id else { continue };
            if listed.len() < LIMIT as usize + super::moments_index::MOMENT_HITS && listed.insert(episode) {
                let at = Some(hit.bookmark.at_secs);
                found.episodes.push(self.episode_hit(episode, Field::Bookmark, hit.snippet, at)?);
            }
        }
        let words = super::words::QueryWords::of(input);
        found.episodes.extend(self.moment_hits(&words, transcripts, &listed)?);
        // Stable: within a field, the index's order (relevance, or newest first).
        found.episodes.sort_by_key(|hit| hit.field);
        Ok(found)
    }

    /// An episode found by its title or notes, with the words marked where they are: in the
    /// title when it holds one of them, else in the notes (made into words only then).
    fn title_or_notes_hit(&self, episode: EpisodeId, words: &super::words::QueryWords) -> Result<EpisodeHit> {
        let mut row = self.conn.prepare_cached(
            "SELECT e.podcast_id, e.title, p.title FROM episodes e JOIN podcasts p ON p.id = e.podcast_id WHERE e.id = ?1",
        )?;
        let (podcast_id, title, podcast_title): (i64, String, String) =
            row.query_row([episode.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let (field, snippet) = match words.marked_any(&title) {
            Some(marked) => (Field::Title, marked),
            None => {
                let mut body = self.conn.prepare_cached("SELECT body FROM episode_words WHERE id = ?1")?;
                let body: String = body.query_row([episode.0], |r| r.get(0))?;
                (Field::Notes, words.marked_any(&body).unwrap_or_default())
            }
        };
        Ok(EpisodeHit {
            episode_id: episode,
            podcast_id: PodcastId(podcast_id),
            title,
            podcast_title,
            snippet,
            field,
            at_secs: None,
        })
    }

    fn search_titles_and_notes(&self, input: &str) -> Result<SearchResults> {
        let words = query_words(input);
        let Some(query) = fts_words(&words, "*") else { return Ok(SearchResults::default()) };
        let (start, end) = (MATCH_START.to_string(), MATCH_END.to_string());
        let mut shows = self.conn.prepare_cached(
            "SELECT p.id, p.title, hit.snippet
             FROM (SELECT rowid, snippet(search_shows, -1, ?2, ?3, '…', 12) AS snippet, rank
                   FROM search_shows WHERE search_shows MATCH ?1 ORDER BY rank LIMIT ?4) hit
             JOIN podcasts p ON p.id = hit.rowid ORDER BY hit.rank",
        )?;
        let shows = shows
            .query_map(params![query, start, end, LIMIT], |r| {
                Ok(ShowHit { podcast_id: PodcastId(r.get(0)?), title: r.get(1)?, snippet: r.get(2)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let found = self.matching_episodes(&query, &words)?;
        let words = super::words::QueryWords::of(input);
        let episodes =
            found.iter().map(|&id| self.title_or_notes_hit(EpisodeId(id), &words)).collect::<Result<Vec<_>>>()?;
        Ok(SearchResults { shows, episodes })
    }

    /// The episodes `query` (made of `words`) finds, the fifty to list, best first.
    fn matching_episodes(&self, query: &str, words: &[&str]) -> Result<Vec<i64>> {
        // FTS5 merges the whole list of every word the last one starts before it answers, even
        // when the other words are in no episode (a show's name, typed: "big sho"); they are
        // whole words, which it reads lazily: whether any episode holds them costs next to
        // nothing, and when none does, the merge is not made.
        if let Some(earlier) = words.split_last().and_then(|(_, earlier)| fts_words(earlier, "")) {
            let mut any =
                self.conn.prepare_cached("SELECT 1 FROM search_episodes WHERE search_episodes MATCH ?1 LIMIT 1")?;
            if !any.exists([earlier])? {
                return Ok(Vec::new());
            }
        }
        // Words in nearly every episode ("episode", a show's name) would rank tens of thousands
        // of matches for nothing: one pass, newest first, finds whether there are more than a
        // few thousand, and if so the newest are the answer; fewer, and they are ranked. The
        // caller makes the snippets of the fifty shown (FTS5's snippet() would run the match
        // again, and a common prefix costs a merge of its whole doclist each time).
        let mut newest = self.conn.prepare_cached(
            "SELECT rowid FROM search_episodes WHERE search_episodes MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
        )?;
        let mut found: Vec<i64> =
            newest.query_map(params![query, RANK_AT_MOST + 1], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if found.len() as i64 <= RANK_AT_MOST {
            let mut ranked = self.conn.prepare_cached(
                "SELECT rowid FROM search_episodes WHERE search_episodes MATCH ?1 ORDER BY rank LIMIT ?2",
            )?;
            found = ranked.query_map(params![query, LIMIT], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        }
        found.truncate(LIMIT as usize);
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_in_thousands_of_episodes_lists_the_newest_without_ranking_them_all() {
        let mut library = Library::in_memory().unwrap();
        let items: String = (0..=RANK_AT_MOST)
            .map(|i| {
                format!(
                    "<item><guid>{i}</guid><title>Episode {i}</title>\
                     <enclosure url=\"https://example.com/{i}.mp3\" type=\"audio/mpeg\"/></item>"
                )
            })
            .collect();
        let xml = format!("<rss version=\"2.0\"><channel><title>Many</title>{items}</channel></rss>");
        let feed = crate::feed::parse_feed(xml.as_bytes(), &url::Url::parse("https://example.com/f.xml").unwrap());
        library.subscribe("https://example.com/f.xml", &feed.unwrap()).unwrap();
        let found = library.search("episode").unwrap();
        assert_eq!(found.episodes.len(), LIMIT as usize);
        let ids: Vec<i64> = found.episodes.iter().map(|h| h.episode_id.0).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        assert_eq!(found.episodes[0].title, format!("Episode {RANK_AT_MOST}"));
        assert_eq!(library.search("1999").unwrap().episodes[0].title, "Episode 1999", "a rare word is ranked");
    }

    #[test]
    fn the_index_follows_changed_and_removed_episodes_without_keeping_their_words() {
        let mut library = Library::in_memory().unwrap();
        let feed = |notes: &str| {
            let xml = format!(
                "<rss version=\"2.0\"><channel><title>Show</title><item><guid>a</guid><title>Espresso</title>\
                 <description>{notes}</description><enclosure url=\"https://example.com/a.mp3\"/></item></channel></rss>"
            );
            crate::feed::parse_feed(xml.as_bytes(), &url::Url::parse("https://example.com/f.xml").unwrap()).unwrap()
        };
        let (podcast, _) =
            library.subscribe("https://example.com/f.xml", &feed("All about &lt;b&gt;crema&lt;/b&gt;")).unwrap();
        assert_eq!(library.search("crema").unwrap().episodes.len(), 1);
        library.subscribe("https://example.com/f.xml", &feed("Now about &lt;i&gt;grinders&lt;/i&gt;")).unwrap();
        assert!(library.search("crema").unwrap().episodes.is_empty(), "the old notes are gone from the index");
        assert!(library.search("grinders").unwrap().episodes[0].snippet.contains("\u{2}grinders\u{3}"));
        library.remove_podcast(podcast).unwrap();
        assert!(library.search("grinders").unwrap().episodes.is_empty());
        // The words removed were the words indexed: FTS5 finds its index consistent.
        library.conn.execute("INSERT INTO search_episodes (search_episodes) VALUES ('integrity-check')", []).unwrap();
    }

    #[test]
    fn a_library_from_before_the_index_gets_it_built_by_the_migration() {
        let mut library = Library::in_memory().unwrap();
        let xml = "<rss version=\"2.0\"><channel><title>Café Society</title><item><guid>a</guid>\
                   <title>Espresso</title><description>All about crema</description>\
                   <enclosure url=\"https://example.com/a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>";
        let feed = crate::feed::parse_feed(xml.as_bytes(), &url::Url::parse("https://example.com/f.xml").unwrap());
        library.subscribe("https://example.com/f.xml", &feed.unwrap()).unwrap();
        // Back to the first schema, as a library written before search existed.
        library
            .conn
            .execute_batch(
                "DROP TABLE search_moments; DROP VIEW chapter_words; DROP TABLE transcript_checks;
                 DROP TRIGGER moments_feed_chapters_changed; DROP TRIGGER moments_episode_removed;
                 DROP TABLE search_shows; DROP TABLE search_episodes; DROP VIEW episode_words;
                 DROP TRIGGER search_show_added; DROP TRIGGER search_show_changed; DROP TRIGGER search_show_removed;
                 DROP TRIGGER search_episode_changed;
                 DROP TRIGGER search_episode_removed;
                 DROP TABLE chapters; DROP TABLE skipped_chapters; ALTER TABLE episodes DROP COLUMN psc_chapters;
                 ALTER TABLE episodes DROP COLUMN transcripts; ALTER TABLE episodes ADD COLUMN transcript_url TEXT;
                 ALTER TABLE podcasts DROP COLUMN language;
                 DROP TRIGGER count_episode_added; DROP TRIGGER count_episode_removed; DROP TRIGGER count_episode_played;
                 ALTER TABLE podcasts DROP COLUMN episode_count; ALTER TABLE podcasts DROP COLUMN unplayed_count;
                 ALTER TABLE episodes DROP COLUMN loudness_lufs; ALTER TABLE podcasts DROP COLUMN loudness_lufs;
                 DROP TABLE show_settings; DROP TABLE listening_time;
                 ALTER TABLE podcasts DROP COLUMN declared_feed_url; ALTER TABLE podcasts DROP COLUMN serial;
                 ALTER TABLE episodes DROP COLUMN episode_type;
                 DROP TRIGGER inbox_left_when_heard; DROP INDEX episodes_in_inbox;
                 ALTER TABLE episodes DROP COLUMN inbox_at; ALTER TABLE podcasts DROP COLUMN refresh_failures;
                 ALTER TABLE podcasts DROP COLUMN notify; ALTER TABLE podcasts DROP COLUMN update_every_secs;
                 ALTER TABLE podcasts DROP COLUMN self_url; ALTER TABLE podcasts DROP COLUMN podcast_guid;
                 DROP TABLE sync_account; DROP TABLE sync_since; DROP TABLE sync_outbox; DROP TABLE sync_seen;
                 DROP TABLE sync_wanted; DROP TABLE sync_inbox;
                 DROP TABLE search_bookmarks; DROP TABLE bookmarks; DROP TRIGGER bookmarks_attach;
                 DROP TRIGGER bookmarks_episode_changed; DROP TRIGGER bookmarks_show_changed;
                 ALTER TABLE podcasts DROP COLUMN subtitle; ALTER TABLE episodes DROP COLUMN credits;
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        library.migrate().unwrap();
        let found = library.search("crem").unwrap();
        assert_eq!(found.episodes.len(), 1, "notes indexed by the migration");
        assert_eq!(library.search("cafe").unwrap().shows.len(), 1, "accents don't matter");
    }

    #[test]
    fn the_last_word_is_found_typed_halfway_and_the_others_as_words() {
        let mut library = Library::in_memory().unwrap();
        let xml = "<rss version=\"2.0\"><channel><title>Big Show</title><item><guid>a</guid>\
                   <title>Espresso basics</title><description>All about crema</description>\
                   <enclosure url=\"https://example.com/a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>";
        let feed = crate::feed::parse_feed(xml.as_bytes(), &url::Url::parse("https://example.com/f.xml").unwrap());
        library.subscribe("https://example.com/f.xml", &feed.unwrap()).unwrap();
        assert_eq!(library.search("big sho").unwrap().shows[0].snippet, "\u{2}Big\u{3} \u{2}Show\u{3}");
        assert!(library.search("bi show").unwrap().shows.is_empty(), "an earlier word is a whole word");
        let found = library.search("espresso bas").unwrap();
        assert_eq!(found.episodes[0].snippet, "\u{2}Espresso\u{3} \u{2}basics\u{3}");
        assert!(library.search("espress basics").unwrap().episodes.is_empty());
        assert_eq!(library.search("about cre").unwrap().episodes[0].snippet, "All \u{2}about\u{3} \u{2}crema\u{3}");
    }

    #[test]
    fn user_input_is_always_a_valid_query() {
        assert_eq!(fts_query("  rust  "), Some("\"rust\"*".into()));
        assert_eq!(fts_query("C++ \"quoted (brackets)"), Some("\"C++\" \"\"\"quoted\" \"(brackets)\"*".into()));
        assert_eq!(fts_query("\" ( ) * -"), None, "nothing to look for");
        let library = Library::in_memory().unwrap();
        for hostile in ["C++", "\"", "a\"b", "(x", "NEAR(a b)", "x AND", "-y", "*", "col:val", "ünïcödé"] {
            library.search(hostile).unwrap_or_else(|e| panic!("{hostile}: {e}"));
        }
    }

    #[test]
    fn a_query_of_repeated_or_endless_words_is_bounded() {
        assert_eq!(fts_query(&"a ".repeat(50_000)).as_deref(), Some("\"a\"*"), "a word said twice counts once");
        assert_eq!(fts_query("Rust rust RUST c++").as_deref(), Some("\"Rust\" \"c++\"*"));
        let many: String = (0..4000).map(|i| format!("w{i} ")).collect();
        assert_eq!(fts_query(&many).unwrap().split(' ').count(), MAX_QUERY_WORDS);
        let long = "é".repeat(10_000);
        assert!(fts_query(&long).unwrap().len() <= MAX_QUERY_BYTES + 4, "cut at a character boundary");
    }
}
