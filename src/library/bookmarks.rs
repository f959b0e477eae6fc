//! Bookmarks: moments of episodes the listener marked, with an optional note (see
//! `bookmarks.sql`). They name their episode by identity, not only by row, so they survive a
//! refresh, a re-download, an unsubscribe-then-resubscribe and an export to another library.

use chrono::Utc;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Row, params};
use serde::{Deserialize, Serialize};

use super::search::{MATCH_END, MATCH_START, fts_query};
use super::{Library, Result};
use crate::error::LibraryError;
use crate::model::address::feed_address_key;
use crate::model::{EpisodeId, moment_link};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BookmarkId(pub i64);

/// A bookmark as the views and `hark bookmarks` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bookmark {
    pub id: BookmarkId,
    /// None while its show is not followed (it attaches again when the episode comes back).
    pub episode_id: Option<EpisodeId>,
    pub podcast_title: String,
    pub episode_title: String,
    pub at_secs: f64,
    pub note: String,
    /// The episode's link at this moment (`#t=`), when it has a web link.
    pub link: Option<String>,
    /// When it was made (Unix seconds).
    pub created: i64,
}

/// A bookmark found by a search, with the matched words marked (`MATCH_START`/`MATCH_END`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookmarkHit {
    pub bookmark: Bookmark,
    pub snippet: String,
}

/// A bookmark as `hark export --bookmarks` writes it: everything that finds its episode again
/// in another library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookmarkRecord {
    pub feed_url: String,
    pub guid: Option<String>,
    #[serde(default)]
    pub enclosure_url: String,
    pub podcast_title: String,
    pub episode_title: String,
    #[serde(default)]
    pub page_link: String,
    pub at_secs: f64,
    #[serde(default)]
    pub note: String,
    pub created: i64,
}

/// `hark_feed_key(url)`: `model::address::feed_address_key`, for the bookmarks' triggers.
pub(super) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "hark_feed_key",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|url| feed_address_key(&url)).unwrap_or_default()),
    )
}

const COLUMNS: &str = "b.id, b.episode_id, b.podcast_title, b.episode_title, b.at_secs, b.note, b.page_link, b.created";

fn bookmark_from_row(r: &Row<'_>) -> rusqlite::Result<Bookmark> {
    let at_secs: f64 = r.get(4)?;
    let page_link: String = r.get(6)?;
    Ok(Bookmark {
        id: BookmarkId(r.get(0)?),
        episode_id: r.get::<_, Option<i64>>(1)?.map(EpisodeId),
        podcast_title: r.get(2)?,
        episode_title: r.get(3)?,
        at_secs,
        note: r.get(5)?,
        link: moment_link(&page_link, at_secs, None),
        created: r.get(7)?,
    })
}

/// Where a detached bookmark finds its episode: the same show (by feed address key) and guid,
/// else the same enclosure.
const ATTACH_DETACHED: &str = "UPDATE bookmarks SET episode_id = (
        SELECT e.id FROM episodes e JOIN podcasts p ON p.id = e.podcast_id
        WHERE (bookmarks.guid IS NOT NULL AND e.guid = bookmarks.guid AND hark_feed_key(p.feed_url) = bookmarks.feed_key)
           OR (bookmarks.enclosure_url != '' AND e.url = bookmarks.enclosure_url)
        ORDER BY (e.guid IS bookmarks.guid) DESC LIMIT 1)
     WHERE episode_id IS NULL";

impl Library {
    /// Marks `at_secs` of an episode, with an optional note (blank: none).
    pub fn add_bookmark(&mut self, episode: EpisodeId, at_secs: f64, note: &str) -> Result<BookmarkId> {
        let found = self.episode(episode)?;
        let show = self.podcast_of(episode)?;
        let at = at_secs.max(0.0);
        let at = found.summary.duration_secs.map_or(at, |d| at.min(d as f64));
        self.conn.execute(
            "INSERT INTO bookmarks (episode_id, feed_url, feed_key, guid, enclosure_url, podcast_title, episode_title,
                                    page_link, at_secs, note, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                episode.0,
                show.feed_url,
                feed_address_key(&show.feed_url),
                found.guid,
                found.summary.url,
                show.title,
                found.summary.title,
                found.share_link(),
                at,
                note.trim(),
                Utc::now().timestamp()
            ],
        )?;
        Ok(BookmarkId(self.conn.last_insert_rowid()))
    }

    /// Every bookmark across shows, newest first.
    pub fn bookmarks(&self) -> Result<Vec<Bookmark>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM bookmarks b ORDER BY b.created DESC, b.id DESC"))?;
        Ok(stmt.query_map([], bookmark_from_row)?.collect::<rusqlite::Result<_>>()?)
    }

    /// An episode's bookmarks, in the order they come in it.
    pub fn episode_bookmarks(&self, episode: EpisodeId) -> Result<Vec<Bookmark>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM bookmarks b WHERE b.episode_id = ?1 ORDER BY b.at_secs, b.id"
        ))?;
        Ok(stmt.query_map([episode.0], bookmark_from_row)?.collect::<rusqlite::Result<_>>()?)
    }

    pub fn bookmark(&self, id: BookmarkId) -> Result<Bookmark> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM bookmarks b WHERE b.id = ?1"))?;
        let mut rows = stmt.query_map([id.0], bookmark_from_row)?;
        rows.next().transpose()?.ok_or_else(|| LibraryError::NoSuchEpisode(format!("bookmark {}", id.0)))
    }

    pub fn set_bookmark_note(&mut self, id: BookmarkId, note: &str) -> Result<()> {
        self.conn.execute("UPDATE bookmarks SET note = ?2 WHERE id = ?1", params![id.0, note.trim()])?;
        Ok(())
    }

    pub fn delete_bookmark(&mut self, id: BookmarkId) -> Result<()> {
        self.conn.execute("DELETE FROM bookmarks WHERE id = ?1", [id.0])?;
        Ok(())
    }

    /// Bookmarks whose note, episode or show title match `input` (every word, the last as the
    /// start of one: `fts_query`), best first; the snippet is the note's, else the episode title's.
    pub fn search_bookmarks(&self, input: &str) -> Result<Vec<BookmarkHit>> {
        let Some(query) = fts_query(input) else { return Ok(Vec::new()) };
        let (start, end) = (MATCH_START.to_string(), MATCH_END.to_string());
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, hit.note_snippet, hit.title_snippet
             FROM (SELECT rowid, rank,
                          snippet(search_bookmarks, 0, ?2, ?3, '…', 16) AS note_snippet,
                          snippet(search_bookmarks, 1, ?2, ?3, '…', 12) AS title_snippet
                   FROM search_bookmarks WHERE search_bookmarks MATCH ?1 ORDER BY rank LIMIT 200) hit
             JOIN bookmarks b ON b.id = hit.rowid ORDER BY hit.rank"
        ))?;
        let hits = stmt.query_map(params![query, start, end], |r| {
            let note: String = r.get(8)?;
            let title: String = r.get(9)?;
            let snippet = if note.contains(MATCH_START) || title.is_empty() { note } else { title };
            Ok(BookmarkHit { bookmark: bookmark_from_row(r)?, snippet })
        })?;
        Ok(hits.collect::<rusqlite::Result<_>>()?)
    }

    /// Every bookmark with what finds its episode again elsewhere, oldest first.
    pub fn export_bookmarks(&self) -> Result<Vec<BookmarkRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_url, guid, enclosure_url, podcast_title, episode_title, page_link, at_secs, note, created
             FROM bookmarks ORDER BY created, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(BookmarkRecord {
                feed_url: r.get(0)?,
                guid: r.get(1)?,
                enclosure_url: r.get(2)?,
                podcast_title: r.get(3)?,
                episode_title: r.get(4)?,
                page_link: r.get(5)?,
                at_secs: r.get(6)?,
                note: r.get(7)?,
                created: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Takes in exported bookmarks (one already here, same episode, moment and note, is not
    /// taken twice); each attaches to its episode when it is here, else when it comes. Returns
    /// how many were new.
    pub fn import_bookmarks(&mut self, records: &[BookmarkRecord]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut added = 0;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO bookmarks (feed_url, feed_key, guid, enclosure_url, podcast_title, episode_title,
                                        page_link, at_secs, note, created)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
                 WHERE NOT EXISTS (SELECT 1 FROM bookmarks WHERE feed_key = ?2 AND guid IS ?3 AND enclosure_url = ?4
                                   AND abs(at_secs - ?8) < 0.5 AND note = ?9)",
            )?;
            for r in records.iter().filter(|r| r.at_secs.is_finite()) {
                added += insert.execute(params![
                    r.feed_url,
                    feed_address_key(&r.feed_url),
                    r.guid.as_deref().map(str::trim).filter(|g| !g.is_empty()),
                    r.enclosure_url,
                    r.podcast_title,
                    r.episode_title,
                    r.page_link,
                    r.at_secs.max(0.0),
                    r.note.trim(),
                    r.created
                ])?;
            }
        }
        tx.execute(ATTACH_DETACHED, [])?;
        tx.commit()?;
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(url: &str, guid: &str, title: &str) -> crate::model::ParsedFeed {
        let xml = format!(
            "<rss version=\"2.0\"><channel><title>Show</title><item><guid>{guid}</guid><title>{title}</title>\
             <link>https://example.com/{guid}</link>\
             <enclosure url=\"https://cdn.example.com/{guid}.mp3\" type=\"audio/mpeg\"/></item></channel></rss>"
        );
        crate::feed::parse_feed(xml.as_bytes(), &url::Url::parse(url).unwrap()).unwrap()
    }

    #[test]
    fn a_bookmark_outlives_its_show_and_comes_back_with_it_by_guid_under_another_address() {
        let mut library = Library::in_memory().unwrap();
        let (show, _) = library
            .subscribe("https://example.com/feed.xml", &feed("https://example.com/feed.xml", "a", "Alpha"))
            .unwrap();
        let episode = library.episodes(Some(show)).unwrap()[0].id;
        let id = library.add_bookmark(episode, 83.6, "  the good part ").unwrap();
        library.remove_podcast(show).unwrap();
        let detached = library.bookmark(id).unwrap();
        assert_eq!((detached.episode_id, detached.note.as_str()), (None, "the good part"));
        assert_eq!(detached.link.as_deref(), Some("https://example.com/a#t=83"));
        // The same feed under a spelling `feed_address_key` takes as the same.
        let url = "https://www.example.com/feed.xml/";
        let (again, _) = library.subscribe(url, &feed(url, "a", "Alpha")).unwrap();
        let back = library.episodes(Some(again)).unwrap()[0].id;
        assert_eq!(library.bookmark(id).unwrap().episode_id, Some(back));
        assert_eq!(library.episode_bookmarks(back).unwrap().len(), 1);
    }

    #[test]
    fn bookmarks_are_searched_by_note_episode_and_show_and_exported_for_another_library() {
        let mut library = Library::in_memory().unwrap();
        let url = "https://example.com/feed.xml";
        let (show, _) = library.subscribe(url, &feed(url, "b", "Café talk")).unwrap();
        let episode = library.episodes(Some(show)).unwrap()[0].id;
        library.add_bookmark(episode, 10.0, "espresso ratios").unwrap();
        library.add_bookmark(episode, 20.0, "").unwrap();
        assert_eq!(library.search_bookmarks("espres").unwrap().len(), 1);
        assert_eq!(library.search_bookmarks("cafe").unwrap().len(), 2, "episode titles, accents aside");
        assert_eq!(library.search_bookmarks("show").unwrap().len(), 2, "the show's title");
        assert!(library.search_bookmarks("tea").unwrap().is_empty());
        let records = library.export_bookmarks().unwrap();
        let mut other = Library::in_memory().unwrap();
        assert_eq!(other.import_bookmarks(&records).unwrap(), 2);
        assert_eq!(other.import_bookmarks(&records).unwrap(), 0, "not taken twice");
        assert!(other.bookmarks().unwrap().iter().all(|b| b.episode_id.is_none()));
        let (show, _) = other.subscribe(url, &feed(url, "b", "Café talk")).unwrap();
        let episode = other.episodes(Some(show)).unwrap()[0].id;
        let marks = other.episode_bookmarks(episode).unwrap();
        assert_eq!(marks.iter().map(|b| b.at_secs).collect::<Vec<_>>(), [10.0, 20.0]);
    }
}
