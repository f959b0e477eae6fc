//! The library: the only place in Hark that writes SQL.
//!
//! One SQLite file (WAL, foreign keys). Each thread that needs the library opens its own
//! `Library`; SQLite serialises the writers.

mod bookmarks;
mod chapters;
mod credits;
mod files;
mod gpodder;
mod identity;
mod inbox;
mod listening;
mod moments_index;
mod relocate;
mod search;
mod serial;
mod sync;
mod words;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::LibraryError;
use crate::model::{
    Episode, EpisodeId, EpisodeSummary, EpisodeType, FeedValidators, ParsedFeed, Podcast, PodcastId, PodcastSummary,
    SyncReport,
};

pub use bookmarks::{Bookmark, BookmarkHit, BookmarkId, BookmarkRecord};
pub use chapters::{ChaptersFile, chapter_key};
pub use files::{Unsubscribed, delete_download, unsubscribe};
pub use gpodder::{PendingEpisode, SyncChanges, episode_key, feed_key};
pub use identity::RefreshTimer;
pub use inbox::InboxEntry;
pub use listening::{ListeningStats, ListeningTime, ShowListening, ShowSettings};
pub use moments_index::MOMENT_HITS;
pub use relocate::{Relocated, move_downloads};
pub use search::{EpisodeHit, Field, MATCH_END, MATCH_START, SearchResults, ShowHit};
pub use sync::episode_identity;

/// Keys of the settings the library keeps for the window and the CLI.
pub mod keys {
    pub const DEMO_OFFERED: &str = "demo_offered";
    pub const LAST_EPISODE: &str = "last_episode";
    /// The episode the player is opening, cleared once it opened or failed: still set at launch,
    /// opening it ended Hark, and it is not opened again by itself.
    pub const OPENING_EPISODE: &str = "opening_episode";
    pub const SELECTED_PODCAST: &str = "selected_podcast";
    pub const SPEED: &str = "speed";
    pub const VOLUME: &str = "volume";
    /// How episodes sound unless their show says otherwise: skip silence (off|mild|medium|
    /// strong), loudness normalisation ("1", the default, or "0"), voice boost ("1" or "0").
    pub const SKIP_SILENCE: &str = "skip_silence";
    pub const LOUDNESS: &str = "loudness";
    pub const VOICE_BOOST: &str = "voice_boost";
    /// How many of the newest episodes to download after a refresh (0: none).
    pub const AUTO_DOWNLOAD_NEWEST: &str = "auto_download_newest";
    pub const DELETE_WHEN_PLAYED: &str = "delete_when_played";
    pub const PARALLEL_DOWNLOADS: &str = "parallel_downloads";
    /// The folder downloads go to, an absolute path; unset: `downloads` in the data folder.
    /// Written only by `relocate::move_downloads`, together with the files' new places.
    pub const DOWNLOAD_FOLDER: &str = "download_folder";
    /// The window's side panels, as the listener sized them.
    pub const PANEL_PODCASTS: &str = "panel_podcasts";
    pub const PANEL_EPISODE: &str = "panel_episode";
    /// Podcast directories: other servers than the real ones, and the Podcast Index's key.
    pub const ITUNES_URL: &str = "directory_itunes_url";
    pub const PODCASTINDEX_URL: &str = "directory_podcastindex_url";
    pub const PODCASTINDEX_KEY: &str = "directory_podcastindex_key";
    pub const PODCASTINDEX_SECRET: &str = "directory_podcastindex_secret";
}

/// How episode lists are ordered: newest first; undated ones after, in the order their feed
/// lists them (they are stored in that order).
const NEWEST_FIRST: &str =
    "e.published IS NULL, e.published DESC, CASE WHEN e.published IS NULL THEN e.id END, e.id DESC";
/// How a serial show (an audiobook, a story in parts) is listed: part one first.
const OLDEST_FIRST: &str = "e.published IS NULL, e.published ASC, e.id ASC";

/// Migrations by `PRAGMA user_version`: entry `n` moves the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("search.sql"),
    include_str!("chapters.sql"),
    include_str!("counts.sql"),
    include_str!("listening.sql"),
    include_str!("fidelity.sql"),
    include_str!("inbox.sql"),
    include_str!("gpodder.sql"),
    include_str!("identity.sql"),
    include_str!("search_words.sql"),
    include_str!("bookmarks.sql"),
    include_str!("moments_index.sql"),
    include_str!("credits.sql"),
    include_str!("moments_prefixes.sql"),
];

pub type Result<T> = std::result::Result<T, LibraryError>;

pub struct Library {
    conn: Connection,
}

const SUMMARY_COLUMNS: &str = "e.id, e.podcast_id, e.title, e.published, e.duration_secs, e.url, e.mime, \
     e.position_secs, e.played, e.downloaded_path, e.episode_type";
/// How many columns `SUMMARY_COLUMNS` names (a query that selects more reads them after these).
const SUMMARY_COLUMN_COUNT: usize = 11;

impl Library {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)
            .map_err(|e| LibraryError::Open { path: path.display().to_string(), reason: e.to_string() })?;
        Self::with_connection(conn)
    }

    /// A library that lives in memory only (benchmarks and quick tests).
    pub fn in_memory() -> Result<Self> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        search::register_functions(&conn)?;
        bookmarks::register_functions(&conn)?;
        let mut library = Self { conn };
        library.migrate()?;
        Ok(library)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(LibraryError::TooNew { found: version, known });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Adds a podcast with its episodes in one transaction. Already subscribed: syncs instead.
    pub fn subscribe(&mut self, feed_url: &str, feed: &ParsedFeed) -> Result<(PodcastId, SyncReport)> {
        self.subscribe_with(feed_url, feed, false)
    }

    /// The bundled demo show: like `subscribe`, but marked so that refresh leaves it alone.
    pub fn add_bundled(&mut self, feed_url: &str, feed: &ParsedFeed) -> Result<(PodcastId, SyncReport)> {
        self.subscribe_with(feed_url, feed, true)
    }

    fn subscribe_with(&mut self, feed_url: &str, feed: &ParsedFeed, bundled: bool) -> Result<(PodcastId, SyncReport)> {
        let tx = self.conn.transaction()?;
        let existing: Option<i64> =
            tx.query_row("SELECT id FROM podcasts WHERE feed_url = ?1", [feed_url], |r| r.get(0)).optional()?;
        let id = match existing {
            Some(id) => PodcastId(id),
            None => {
                tx.execute(
                    "INSERT INTO podcasts (feed_url, title, added_at, bundled) VALUES (?1, ?2, ?3, ?4)",
                    params![feed_url, feed.podcast.title, Utc::now().timestamp(), bundled],
                )?;
                // Read before anything else is inserted (the outbox row has a rowid too).
                let id = PodcastId(tx.last_insert_rowid());
                if !bundled {
                    gpodder::record_feed(&tx, feed_url, "add")?;
                }
                id
            }
        };
        let report = sync::sync_in(&tx, id, feed)?;
        if existing.is_none() && !bundled {
            inbox::subscribed(&tx, id)?;
        }
        tx.commit()?;
        Ok((id, report))
    }

    /// Merges a freshly parsed feed into a stored podcast. User state is never touched.
    pub fn sync(&mut self, podcast: PodcastId, feed: &ParsedFeed) -> Result<SyncReport> {
        let tx = self.conn.transaction()?;
        let before = inbox::last_episode_row(&tx, podcast)?;
        let report = sync::sync_in(&tx, podcast, feed)?;
        inbox::arrived(&tx, podcast, before)?;
        tx.commit()?;
        Ok(report)
    }

    pub fn podcasts(&self) -> Result<Vec<PodcastSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title, author, feed_url, art_url, last_error, episode_count, unplayed_count
             FROM podcasts ORDER BY title COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PodcastSummary {
                id: PodcastId(r.get(0)?),
                title: r.get(1)?,
                author: r.get(2)?,
                feed_url: r.get(3)?,
                art_url: r.get(4)?,
                last_error: r.get(5)?,
                episodes: r.get(6)?,
                unplayed: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn podcast(&self, id: PodcastId) -> Result<Podcast> {
        self.conn
            .query_row(
                "SELECT id, feed_url, title, author, description, link, art_url, last_refresh, last_error, related,
                        notify, subtitle
                 FROM podcasts WHERE id = ?1",
                [id.0],
                |r| {
                    Ok(Podcast {
                        id: PodcastId(r.get(0)?),
                        feed_url: r.get(1)?,
                        title: r.get(2)?,
                        author: r.get(3)?,
                        description: r.get(4)?,
                        link: r.get(5)?,
                        art_url: r.get(6)?,
                        last_refresh: timestamp(r.get(7)?),
                        last_error: r.get(8)?,
                        related: r
                            .get::<_, Option<String>>(9)?
                            .and_then(|json| serde_json::from_str(&json).ok())
                            .unwrap_or_default(),
                        notify: r.get(10)?,
                        subtitle: r.get(11)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| LibraryError::NoSuchPodcast(id.to_string()))
    }

    /// Podcasts that a refresh should fetch (the bundled demo is not fetched).
    pub fn refreshable_podcasts(&self) -> Result<Vec<(PodcastId, String)>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, feed_url FROM podcasts WHERE bundled = 0 ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((PodcastId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// SQLite's own check of the file: "ok", or what is wrong.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    pub fn podcast_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM podcasts", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// A podcast by id, or by a part of its title that only one podcast has.
    pub fn find_podcast(&self, query: &str) -> Result<PodcastId> {
        let query = query.trim();
        if let Ok(id) = query.parse::<i64>() {
            let found: Option<i64> =
                self.conn.query_row("SELECT id FROM podcasts WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            if let Some(id) = found {
                return Ok(PodcastId(id));
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title FROM podcasts WHERE instr(lower(title), lower(?1)) > 0 ORDER BY title LIMIT 6",
        )?;
        let matches: Vec<(i64, String)> =
            stmt.query_map([query], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        match matches.as_slice() {
            [] => Err(LibraryError::NoSuchPodcast(query.to_string())),
            [(id, _)] => Ok(PodcastId(*id)),
            _ => {
                // An exact title wins over partial matches.
                if let Some((id, _)) = matches.iter().find(|(_, title)| title.eq_ignore_ascii_case(query)) {
                    return Ok(PodcastId(*id));
                }
                Err(LibraryError::AmbiguousPodcast {
                    query: query.to_string(),
                    matches: matches.into_iter().map(|(id, title)| format!("{id} \"{title}\"")).collect(),
                })
            }
        }
    }

    /// An episode by id, or by a part of its title that only one episode has.
    pub fn find_episode(&self, query: &str) -> Result<EpisodeId> {
        let query = query.trim();
        if let Ok(id) = query.parse::<i64>() {
            let found: Option<i64> =
                self.conn.query_row("SELECT id FROM episodes WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            if let Some(id) = found {
                return Ok(EpisodeId(id));
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title FROM episodes WHERE instr(lower(title), lower(?1)) > 0 ORDER BY published DESC LIMIT 6",
        )?;
        let matches: Vec<(i64, String)> =
            stmt.query_map([query], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        match matches.as_slice() {
            [] => Err(LibraryError::NoSuchEpisode(query.to_string())),
            [(id, _)] => Ok(EpisodeId(*id)),
            _ => Err(LibraryError::AmbiguousEpisode {
                query: query.to_string(),
                matches: matches.into_iter().map(|(id, title)| format!("{id} \"{title}\"")).collect(),
            }),
        }
    }

    pub fn remove_podcast(&mut self, id: PodcastId) -> Result<String> {
        let podcast = self.podcast(id)?;
        let tx = self.conn.transaction()?;
        if !tx.query_row("SELECT bundled FROM podcasts WHERE id = ?1", [id.0], |r| r.get::<_, bool>(0))? {
            gpodder::record_feed(&tx, &podcast.feed_url, "remove")?;
        }
        tx.execute("DELETE FROM podcasts WHERE id = ?1", [id.0])?;
        tx.commit()?;
        Ok(podcast.title)
    }

    /// Episodes of one podcast in the show's own order (a serial show's part one first, any
    /// other's newest first), or of all, newest first.
    pub fn episodes(&self, podcast: Option<PodcastId>) -> Result<Vec<EpisodeSummary>> {
        let serial = match podcast {
            Some(podcast) => self.is_serial(podcast)?,
            None => false,
        };
        self.episodes_ordered(podcast, if serial { OLDEST_FIRST } else { NEWEST_FIRST })
    }

    /// Episodes newest first, whatever kind of show (`hark episodes --newest-first`).
    pub fn episodes_newest_first(&self, podcast: Option<PodcastId>) -> Result<Vec<EpisodeSummary>> {
        self.episodes_ordered(podcast, NEWEST_FIRST)
    }

    /// How many episodes a show has (kept by the library's triggers).
    pub fn episode_count(&self, podcast: PodcastId) -> Result<usize> {
        let count: i64 =
            self.conn.query_row("SELECT episode_count FROM podcasts WHERE id = ?1", [podcast.0], |r| r.get(0))?;
        Ok(count.max(0) as usize)
    }

    /// `itunes:type serial`: the show is a story in parts, listed from its start.
    pub fn is_serial(&self, podcast: PodcastId) -> Result<bool> {
        let serial = self.conn.query_row("SELECT serial FROM podcasts WHERE id = ?1", [podcast.0], |r| r.get(0));
        Ok(serial.optional()?.unwrap_or(false))
    }

    fn episodes_ordered(&self, podcast: Option<PodcastId>, order: &str) -> Result<Vec<EpisodeSummary>> {
        // Two statements, not `?1 IS NULL OR podcast_id = ?1`: SQLite cannot use the podcast's
        // index for that, and one show's episodes then cost a scan of every episode.
        let mut stmt = match podcast {
            Some(_) => self.conn.prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM episodes e WHERE e.podcast_id = ?1 ORDER BY {order}"
            ))?,
            None => self.conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM episodes e ORDER BY {order}"))?,
        };
        let rows = match podcast {
            Some(podcast) => stmt.query_map([podcast.0], summary_from_row)?,
            None => stmt.query_map([], summary_from_row)?,
        };
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn episode(&self, id: EpisodeId) -> Result<Episode> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, e.guid, e.notes_html, e.episode_number, e.season_number, e.link,
                    e.image_url, e.chapters_url, e.transcripts, e.length, e.explicit, e.credits
             FROM episodes e WHERE e.id = ?1"
        );
        self.conn
            .query_row(&sql, [id.0], |r| {
                // The columns after the summary's own.
                let more = |n: usize| SUMMARY_COLUMN_COUNT + n;
                Ok(Episode {
                    summary: summary_from_row(r)?,
                    guid: r.get(more(0))?,
                    notes_html: r.get(more(1))?,
                    episode_number: r.get(more(2))?,
                    season_number: r.get(more(3))?,
                    link: r.get(more(4))?,
                    image_url: r.get(more(5))?,
                    chapters_url: r.get(more(6))?,
                    transcripts: r
                        .get::<_, Option<String>>(more(7))?
                        .and_then(|json| serde_json::from_str(&json).ok())
                        .unwrap_or_default(),
                    enclosure_length: r.get::<_, Option<i64>>(more(8))?.map(|n| n as u64),
                    explicit: r.get(more(9))?,
                    credits: credits::from_column(r.get(more(10))?),
                })
            })
            .optional()?
            .ok_or_else(|| LibraryError::NoSuchEpisode(id.to_string()))
    }

    pub fn validators(&self, id: PodcastId) -> Result<FeedValidators> {
        Ok(self.conn.query_row("SELECT etag, last_modified, body_hash FROM podcasts WHERE id = ?1", [id.0], |r| {
            Ok(FeedValidators { etag: r.get(0)?, last_modified: r.get(1)?, body_hash: r.get(2)? })
        })?)
    }

    /// Records a successful fetch: new validators, no error. (The show's own fields are
    /// written by `sync`.)
    pub fn record_fetch(&mut self, id: PodcastId, validators: &FeedValidators) -> Result<()> {
        self.conn.execute(
            "UPDATE podcasts SET etag = ?2, last_modified = ?3, body_hash = COALESCE(?4, body_hash),
                    last_refresh = ?5, last_error = NULL, refresh_failures = 0 WHERE id = ?1",
            params![id.0, validators.etag, validators.last_modified, validators.body_hash, Utc::now().timestamp()],
        )?;
        Ok(())
    }

    pub fn record_error(&mut self, id: PodcastId, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE podcasts SET last_error = ?2, last_refresh = ?3, refresh_failures = refresh_failures + 1
             WHERE id = ?1",
            params![id.0, message, Utc::now().timestamp()],
        )?;
        Ok(())
    }

    /// The publisher moved the feed (permanent redirect or `itunes:new-feed-url`).
    /// Returns false when another subscription already has that URL.
    /// Where the feed last said it moved (`itunes:new-feed-url`), if it did.
    pub fn declared_feed_url(&self, id: PodcastId) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT declared_feed_url FROM podcasts WHERE id = ?1", [id.0], |r| r.get(0))?)
    }

    pub fn update_feed_url(&mut self, id: PodcastId, new_url: &str) -> Result<bool> {
        let old_url = self.podcast(id)?.feed_url;
        let tx = self.conn.transaction()?;
        let changed =
            tx.execute("UPDATE OR IGNORE podcasts SET feed_url = ?2 WHERE id = ?1", params![id.0, new_url])?;
        if changed == 1 && old_url != new_url {
            // Other devices follow the move as an unsubscribe and a subscribe.
            gpodder::record_feed(&tx, &old_url, "remove")?;
            gpodder::record_feed(&tx, new_url, "add")?;
        }
        tx.commit()?;
        Ok(changed == 1)
    }

    pub fn set_position(&mut self, id: EpisodeId, position_secs: f64) -> Result<()> {
        self.conn.execute(
            "UPDATE episodes SET position_secs = ?2, last_played_at = ?3 WHERE id = ?1",
            params![id.0, position_secs.max(0.0), Utc::now().timestamp()],
        )?;
        gpodder::record_episode(&self.conn, id)?;
        Ok(())
    }

    pub fn set_played(&mut self, id: EpisodeId, played: bool) -> Result<()> {
        self.conn.execute("UPDATE episodes SET played = ?2 WHERE id = ?1", params![id.0, played])?;
        gpodder::record_episode(&self.conn, id)?;
        Ok(())
    }

    pub fn set_downloaded(&mut self, id: EpisodeId, path: Option<&Path>) -> Result<()> {
        let path = path.map(|p| p.to_string_lossy().into_owned());
        self.conn.execute("UPDATE episodes SET downloaded_path = ?2 WHERE id = ?1", params![id.0, path])?;
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<EpisodeSummary> {
    let path: Option<String> = r.get(9)?;
    Ok(EpisodeSummary {
        id: EpisodeId(r.get(0)?),
        podcast_id: PodcastId(r.get(1)?),
        title: r.get(2)?,
        published: timestamp(r.get(3)?),
        duration_secs: r.get(4)?,
        url: r.get(5)?,
        mime: r.get(6)?,
        position_secs: r.get(7)?,
        played: r.get(8)?,
        downloaded: path.is_some(),
        path,
        episode_type: r.get::<_, Option<String>>(10)?.as_deref().and_then(EpisodeType::parse).unwrap_or_default(),
    })
}

fn timestamp(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| Utc.timestamp_opt(s, 0).single())
}

impl Library {
    /// Of `feed_urls` (an OPML import), those not followed yet, in order.
    pub fn not_followed<'a>(&self, feed_urls: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>> {
        let mut wanted = Vec::new();
        for url in feed_urls {
            if self.find_feed_url(url)?.is_none() {
                wanted.push(url.to_string());
            }
        }
        Ok(wanted)
    }

    pub fn find_feed_url(&self, feed_url: &str) -> Result<Option<PodcastId>> {
        Ok(self
            .conn
            .query_row("SELECT id FROM podcasts WHERE feed_url = ?1", [feed_url], |r| r.get(0))
            .optional()?
            .map(PodcastId))
    }
}

/// The Up Next queue.
impl Library {
    pub fn queue(&self) -> Result<Vec<EpisodeSummary>> {
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM queue q JOIN episodes e ON e.id = q.episode_id ORDER BY q.position");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Replaces the queue's order with `episodes` (duplicates keep their first place).
    pub fn set_queue(&mut self, episodes: &[EpisodeId]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM queue", [])?;
        {
            let mut insert = tx.prepare_cached("INSERT OR IGNORE INTO queue (episode_id, position) VALUES (?1, ?2)")?;
            for (position, id) in episodes.iter().enumerate() {
                insert.execute(params![id.0, position as i64])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest episodes of a show that "download the newest N" wants and that are not
    /// downloaded or played yet (none while the setting is 0).
    pub fn auto_download_candidates(&self, podcast: PodcastId) -> Result<Vec<EpisodeId>> {
        let count: usize = self.setting(keys::AUTO_DOWNLOAD_NEWEST)?.and_then(|v| v.parse().ok()).unwrap_or(0);
        if count == 0 {
            return Ok(Vec::new());
        }
        // The newest, whatever the show's order; a trailer is not worth a download of its own.
        let episodes = self.episodes_newest_first(Some(podcast))?;
        let full = episodes.iter().filter(|e| e.episode_type != EpisodeType::Trailer);
        Ok(full.take(count).filter(|e| !e.downloaded && !e.played).map(|e| e.id).collect())
    }

    pub fn downloaded_episodes(&self) -> Result<Vec<EpisodeSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM episodes e WHERE e.downloaded_path IS NOT NULL
             ORDER BY {NEWEST_FIRST}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the listener last played an episode (for "resume a little earlier").
    pub fn last_played_at(&self, id: EpisodeId) -> Result<Option<DateTime<Utc>>> {
        let secs: Option<i64> =
            self.conn.query_row("SELECT last_played_at FROM episodes WHERE id = ?1", [id.0], |r| r.get(0))?;
        Ok(timestamp(secs))
    }

    /// The show an episode belongs to, for the transport bar.
    pub fn podcast_of(&self, id: EpisodeId) -> Result<Podcast> {
        let podcast: i64 = self
            .conn
            .query_row("SELECT podcast_id FROM episodes WHERE id = ?1", [id.0], |r| r.get(0))
            .optional()?
            .ok_or_else(|| LibraryError::NoSuchEpisode(id.to_string()))?;
        self.podcast(PodcastId(podcast))
    }
}
