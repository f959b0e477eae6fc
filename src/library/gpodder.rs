//! Sync's state in the library: the account (never its password), the server's `since` per list,
//! the outbox of local changes, what was seen of remote changes, shows wanted from other devices
//! and remote actions waiting for their episode. The rules of the exchange live in `sync`; this
//! file keeps what they decide, and records every local change where it is made
//! (`record_episode`, `record_feed`), so nothing reaches the library without reaching the outbox.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::{Library, Result, timestamp};
use crate::model::sync::{EpisodeState, OutboxChange, OutboxEntry, SyncAccount, SyncEpisode, SyncKind};
use crate::model::{EpisodeId, PodcastId};

/// The outbox key of an episode's change (also the key its remote actions are seen under).
pub fn episode_key(feed_url: &str, url: &str) -> String {
    format!("e:{feed_url}\u{1f}{url}")
}

/// The outbox key of a feed's subscribe or unsubscribe.
pub fn feed_key(url: &str) -> String {
    format!("s:{url}")
}

/// Puts an episode's state after a change here in the outbox (when an account is set up; the
/// bundled demo never travels).
pub(super) fn record_episode(conn: &Connection, id: EpisodeId) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_outbox (key, kind, podcast, episode, guid, started, position, played, duration, at)
         SELECT 'e:' || p.feed_url || char(31) || e.url, 'episode', p.feed_url, e.url, e.guid,
                e.position_secs, e.position_secs, e.played, e.duration_secs, ?2
         FROM episodes e JOIN podcasts p ON p.id = e.podcast_id
         WHERE e.id = ?1 AND p.bundled = 0 AND EXISTS (SELECT 1 FROM sync_account)
         ON CONFLICT(key) DO UPDATE SET kind = 'episode', guid = excluded.guid,
             started = CASE WHEN sync_outbox.kind = 'episode'
                 THEN MIN(COALESCE(sync_outbox.started, excluded.started), excluded.position)
                 ELSE excluded.started END,
             position = excluded.position, played = excluded.played, duration = excluded.duration,
             at = excluded.at, attempted = 0, rev = sync_outbox.rev + 1",
    )?
    .execute(params![id.0, Utc::now().timestamp()])?;
    Ok(())
}

/// Puts a subscribe (`add`) or unsubscribe (`remove`) of a feed in the outbox (when an account
/// is set up); the later of the two wins.
pub(super) fn record_feed(conn: &Connection, url: &str, kind: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_outbox (key, kind, podcast, at) SELECT ?1, ?2, ?3, ?4
         WHERE EXISTS (SELECT 1 FROM sync_account)
         ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, at = excluded.at, attempted = 0,
             rev = sync_outbox.rev + 1",
    )?
    .execute(params![feed_key(url), kind, url, Utc::now().timestamp()])?;
    Ok(())
}

fn account_from_row(r: &Row<'_>) -> rusqlite::Result<SyncAccount> {
    Ok(SyncAccount {
        kind: SyncKind::parse(&r.get::<_, String>(0)?).unwrap_or_default(),
        server: r.get(1)?,
        user: r.get(2)?,
        device: r.get(3)?,
        registered: r.get(4)?,
        last_sync: timestamp(r.get(5)?),
        last_result: r.get(6)?,
        last_error: r.get(7)?,
    })
}

fn outbox_from_row(r: &Row<'_>) -> rusqlite::Result<(OutboxEntry, i64)> {
    let kind: String = r.get(1)?;
    let podcast: String = r.get(2)?;
    let change = match kind.as_str() {
        "add" => OutboxChange::Subscribe { url: podcast },
        "remove" => OutboxChange::Unsubscribe { url: podcast },
        _ => OutboxChange::Episode(EpisodeState {
            podcast,
            episode: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            guid: r.get(4)?,
            started: r.get::<_, Option<f64>>(5)?.unwrap_or_default(),
            position: r.get::<_, Option<f64>>(6)?.unwrap_or_default(),
            played: r.get::<_, Option<bool>>(7)?.unwrap_or_default(),
            duration: r.get(8)?,
            at: r.get(9)?,
        }),
    };
    Ok((OutboxEntry { key: r.get(0)?, change, attempted: r.get(10)? }, r.get(11)?))
}

const OUTBOX_COLUMNS: &str =
    "key, kind, podcast, episode, guid, started, position, played, duration, at, attempted, rev";

/// The account and what sync keeps of it.
impl Library {
    pub fn sync_account(&self) -> Result<Option<SyncAccount>> {
        let sql = "SELECT kind, server, user, device, registered, last_sync, last_result, last_error
                   FROM sync_account WHERE id = 1";
        Ok(self.conn.query_row(sql, [], account_from_row).optional()?)
    }

    /// A new account (`hark sync login`, the Sync window): what the previous one knew is
    /// forgotten, and everything followed and every episode begun or played goes in the outbox,
    /// so the first sync tells the server where this library stands.
    pub fn set_sync_account(&mut self, account: &SyncAccount) -> Result<()> {
        let tx = self.conn.transaction()?;
        forget_sync_state(&tx)?;
        tx.execute(
            "INSERT INTO sync_account (id, kind, server, user, device) VALUES (1, ?1, ?2, ?3, ?4)",
            params![account.kind.as_str(), account.server, account.user, account.device],
        )?;
        let now = Utc::now().timestamp();
        tx.execute(
            "INSERT INTO sync_outbox (key, kind, podcast, at)
             SELECT 's:' || feed_url, 'add', feed_url, ?1 FROM podcasts WHERE bundled = 0",
            [now],
        )?;
        tx.execute(
            "INSERT INTO sync_outbox (key, kind, podcast, episode, guid, started, position, played, duration, at)
             SELECT 'e:' || p.feed_url || char(31) || e.url, 'episode', p.feed_url, e.url, e.guid,
                    e.position_secs, e.position_secs, e.played, e.duration_secs, COALESCE(e.last_played_at, ?1)
             FROM episodes e JOIN podcasts p ON p.id = e.podcast_id
             WHERE p.bundled = 0 AND (e.position_secs > 0 OR e.played) AND e.url <> ''",
            [now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// `hark sync logout`: the account and everything sync kept go; the library stays.
    pub fn forget_sync_account(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        forget_sync_state(&tx)?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_sync_registered(&mut self) -> Result<()> {
        self.conn.execute("UPDATE sync_account SET registered = 1", [])?;
        Ok(())
    }

    /// How the last sync ended: what it moved (in words), or why it failed. A failure keeps the
    /// last result and the time of the last sync that completed.
    pub fn record_sync_outcome(&mut self, outcome: std::result::Result<&str, &str>) -> Result<()> {
        match outcome {
            Ok(result) => self.conn.execute(
                "UPDATE sync_account SET last_sync = ?1, last_result = ?2, last_error = NULL",
                params![Utc::now().timestamp(), result],
            )?,
            Err(error) => self.conn.execute("UPDATE sync_account SET last_error = ?1", [error])?,
        };
        Ok(())
    }

    /// The server's timestamp from its last answer for `list` (0: never asked).
    pub fn sync_since(&self, list: &str) -> Result<i64> {
        let since = self.conn.query_row("SELECT since FROM sync_since WHERE list = ?1", [list], |r| r.get(0));
        Ok(since.optional()?.unwrap_or(0))
    }

    /// Never moves back: an answer's timestamp older than the one kept changes nothing.
    pub fn set_sync_since(&mut self, list: &str, since: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_since (list, since) VALUES (?1, ?2)
             ON CONFLICT(list) DO UPDATE SET since = MAX(since, excluded.since)",
            params![list, since],
        )?;
        Ok(())
    }

    /// Local changes not yet confirmed, oldest first, a page at a time: those of episodes
    /// (`episodes`) or of feeds, after the row `after` (0: from the start), each with its
    /// revision (see `confirm_sync_sent`) and its row (the next page's `after`).
    pub fn sync_outbox(&self, episodes: bool, after: i64, limit: usize) -> Result<Vec<(OutboxEntry, i64, i64)>> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS}, rowid FROM sync_outbox WHERE (kind = 'episode') = ?1 AND rowid > ?2
             ORDER BY rowid LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![episodes, after, limit as i64], |r| {
            let (entry, rev) = outbox_from_row(r)?;
            Ok((entry, rev, r.get(12)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn sync_pending_count(&self) -> Result<usize> {
        let count: i64 = self.conn.query_row("SELECT COUNT(*) FROM sync_outbox", [], |r| r.get(0))?;
        Ok(count as usize)
    }

    /// These are being sent: until the server answers, the server may have them or not. What is
    /// sent is remembered as seen (`seen`: key and identity), so that if the answer is lost, the
    /// server handing the action back confirms it instead of changing anything.
    pub fn mark_sync_attempted(&mut self, keys: &[(String, i64)], seen: &[(String, String)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut mark = tx.prepare_cached("UPDATE sync_outbox SET attempted = 1 WHERE key = ?1 AND rev = ?2")?;
            for (key, rev) in keys {
                mark.execute(params![key, rev])?;
            }
            for (key, value) in seen {
                remember_action(&tx, key, value)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The server confirmed what was sent: each row leaves the outbox unless it changed again
    /// meanwhile (its revision moved on), and what was sent is remembered as seen under the
    /// key, so the server handing it back changes nothing.
    pub fn confirm_sync_sent(&mut self, sent: &[(String, i64, Option<String>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut delete = tx.prepare_cached("DELETE FROM sync_outbox WHERE key = ?1 AND rev = ?2")?;
            for (key, rev, value) in sent {
                delete.execute(params![key, rev])?;
                if let Some(value) = value {
                    remember_action(&tx, key, value)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every episode, as sync matches remote actions to them.
    pub fn sync_episodes(&self) -> Result<Vec<SyncEpisode>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, p.feed_url, e.url, e.guid, e.title, e.duration_secs, e.position_secs, e.played
             FROM episodes e JOIN podcasts p ON p.id = e.podcast_id WHERE p.bundled = 0",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncEpisode {
                id: EpisodeId(r.get(0)?),
                feed_url: r.get(1)?,
                url: r.get(2)?,
                guid: r.get(3)?,
                title: r.get(4)?,
                duration: r.get(5)?,
                position: r.get(6)?,
                played: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Shows another device follows that are not subscribed here yet.
    pub fn sync_wanted(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT url FROM sync_wanted ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A wanted show is followed now (or no longer wanted).
    pub fn sync_unwant(&mut self, url: &str) -> Result<()> {
        self.conn.execute("DELETE FROM sync_wanted WHERE url = ?1", [url])?;
        Ok(())
    }

    /// Applies remote changes in one transaction (see `SyncChanges`).
    pub fn sync_changes(&mut self) -> Result<SyncChanges<'_>> {
        Ok(SyncChanges { tx: self.conn.transaction()? })
    }

    /// A feed the server renamed (`update_urls`): the podcast follows, and so do its outbox and
    /// wanted rows. False when another subscription already has the new address.
    pub fn adopt_sync_url(&mut self, old: &str, new: &str) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let moved = tx.execute("UPDATE OR IGNORE podcasts SET feed_url = ?2 WHERE feed_url = ?1", params![old, new])?;
        tx.execute(
            "UPDATE OR IGNORE sync_outbox SET podcast = ?2, key = 's:' || ?2 WHERE key = 's:' || ?1",
            params![old, new],
        )?;
        tx.execute("UPDATE OR IGNORE sync_wanted SET url = ?2 WHERE url = ?1", params![old, new])?;
        tx.commit()?;
        Ok(moved == 1)
    }
}

/// How many actions of one episode are remembered as seen: more than any server hands back at
/// once for one episode (podsync and Nextcloud keep one).
const SEEN_PER_EPISODE: i64 = 8;

fn remember_action(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO sync_seen (key, value) VALUES (?1, ?2)")?
        .execute(params![key, value])?;
    conn.prepare_cached(
        "DELETE FROM sync_seen WHERE key = ?1 AND rowid NOT IN
             (SELECT rowid FROM sync_seen WHERE key = ?1 ORDER BY rowid DESC LIMIT ?2)",
    )?
    .execute(params![key, SEEN_PER_EPISODE])?;
    Ok(())
}

fn forget_sync_state(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "DELETE FROM sync_account; DELETE FROM sync_since; DELETE FROM sync_outbox;
         DELETE FROM sync_seen; DELETE FROM sync_wanted; DELETE FROM sync_inbox;",
    )
}

/// A pending local change of one episode, as the merge rules see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingEpisode {
    pub position: f64,
    pub played: bool,
    pub attempted: bool,
}

/// Remote changes applied in one transaction: nothing of a sync half-applied.
pub struct SyncChanges<'a> {
    tx: Transaction<'a>,
}

impl SyncChanges<'_> {
    /// This change was seen under `key` (see the `sync_seen` table).
    pub fn seen(&self, key: &str, value: &str) -> Result<bool> {
        let mut stmt = self.tx.prepare_cached("SELECT 1 FROM sync_seen WHERE key = ?1 AND value = ?2")?;
        Ok(stmt.exists(params![key, value])?)
    }

    /// One more action seen of an episode (the last few are kept).
    pub fn remember_action(&self, key: &str, value: &str) -> Result<()> {
        Ok(remember_action(&self.tx, key, value)?)
    }

    /// The change now seen of a thing that has one state (a device's subscription).
    pub fn remember_state(&self, key: &str, value: &str) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM sync_seen WHERE key = ?1")?.execute([key])?;
        self.tx.prepare_cached("INSERT INTO sync_seen (key, value) VALUES (?1, ?2)")?.execute(params![key, value])?;
        Ok(())
    }

    /// Forgets one seen action (a held one, about to be applied again).
    pub fn forget_seen(&self, key: &str, value: &str) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM sync_seen WHERE key = ?1 AND value = ?2")?.execute(params![key, value])?;
        Ok(())
    }

    /// The episode's change here that the server has not confirmed, if any.
    pub fn pending_episode(&self, key: &str) -> Result<Option<PendingEpisode>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT position, played, attempted FROM sync_outbox WHERE key = ?1 AND kind = 'episode'",
        )?;
        let pending = stmt.query_row([key], |r| {
            Ok(PendingEpisode {
                position: r.get::<_, Option<f64>>(0)?.unwrap_or_default(),
                played: r.get::<_, Option<bool>>(1)?.unwrap_or_default(),
                attempted: r.get(2)?,
            })
        });
        Ok(pending.optional()?)
    }

    /// The feed's subscribe (`Some(true)`) or unsubscribe (`Some(false)`) not yet confirmed.
    pub fn pending_feed(&self, url: &str) -> Result<Option<bool>> {
        let mut stmt = self.tx.prepare_cached("SELECT kind FROM sync_outbox WHERE key = ?1")?;
        let kind: Option<String> = stmt.query_row([feed_key(url)], |r| r.get(0)).optional()?;
        Ok(kind.map(|k| k == "add"))
    }

    /// The server already has it (its answer had been lost): it leaves the outbox.
    pub fn drop_pending(&self, key: &str) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM sync_outbox WHERE key = ?1")?.execute([key])?;
        Ok(())
    }

    /// The change here wins over a remote one: it is sent as of now.
    pub fn renew_pending(&self, key: &str) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE sync_outbox SET at = MAX(at, ?2), attempted = 0, rev = rev + 1 WHERE key = ?1")?
            .execute(params![key, Utc::now().timestamp()])?;
        Ok(())
    }

    /// A position (and played state, when `played` is Some) from another device. Not put in the
    /// outbox: it came from the server.
    pub fn apply_episode(&self, id: EpisodeId, position: f64, played: Option<bool>, at: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE episodes SET position_secs = ?2, played = COALESCE(?3, played),
                     last_played_at = MAX(COALESCE(last_played_at, 0), ?4) WHERE id = ?1",
            )?
            .execute(params![id.0, position.max(0.0), played, at.min(Utc::now().timestamp())])?;
        Ok(())
    }

    /// A remote action for an episode not here yet, kept for when its show is subscribed.
    pub fn hold(&self, key: &str, action: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_inbox (key, action) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET action = excluded.action",
            )?
            .execute(params![key, action])?;
        Ok(())
    }

    /// Held remote actions a page at a time: up to `limit` of those held in rows up to `up_to`
    /// (`i64::MAX`: all), oldest first. They leave the inbox; the merge holds again what still
    /// matches nothing (in a later row, so a page never meets them again).
    pub fn take_held(&self, up_to: i64, limit: usize) -> Result<Vec<String>> {
        let rows: Vec<(i64, String)> = {
            let mut stmt = self
                .tx
                .prepare_cached("SELECT rowid, action FROM sync_inbox WHERE rowid <= ?1 ORDER BY rowid LIMIT ?2")?;
            let rows = stmt.query_map(params![up_to, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut delete = self.tx.prepare_cached("DELETE FROM sync_inbox WHERE rowid = ?1")?;
        for (rowid, _) in &rows {
            delete.execute([rowid])?;
        }
        Ok(rows.into_iter().map(|(_, action)| action).collect())
    }

    /// The last row of the inbox (0 when empty).
    pub fn last_held(&self) -> Result<i64> {
        Ok(self.tx.query_row("SELECT COALESCE(MAX(rowid), 0) FROM sync_inbox", [], |r| r.get(0))?)
    }

    /// Held actions of shows that are neither followed nor wanted are of no use: they go.
    pub fn drop_unwanted_held(&self, followed: &dyn Fn(&str) -> bool) -> Result<()> {
        let keys: Vec<String> = {
            let mut stmt = self.tx.prepare_cached("SELECT key FROM sync_inbox")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut delete = self.tx.prepare_cached("DELETE FROM sync_inbox WHERE key = ?1")?;
        for key in keys {
            let feed = key.strip_prefix("e:").and_then(|k| k.split('\u{1f}').next()).unwrap_or_default();
            if !followed(feed) {
                delete.execute([&key])?;
            }
        }
        Ok(())
    }

    /// Another device follows this show: subscribe here when its feed can be fetched.
    pub fn want(&self, url: &str) -> Result<()> {
        self.tx.prepare_cached("INSERT OR IGNORE INTO sync_wanted (url) VALUES (?1)")?.execute([url])?;
        Ok(())
    }

    pub fn unwant(&self, url: &str) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM sync_wanted WHERE url = ?1")?.execute([url])?;
        Ok(())
    }

    pub fn is_wanted(&self, url: &str) -> Result<bool> {
        let mut stmt = self.tx.prepare_cached("SELECT 1 FROM sync_wanted WHERE url = ?1")?;
        Ok(stmt.exists([url])?)
    }

    /// The podcast followed at `url`, if any.
    pub fn followed(&self, url: &str) -> Result<Option<PodcastId>> {
        let mut stmt = self.tx.prepare_cached("SELECT id FROM podcasts WHERE feed_url = ?1")?;
        Ok(stmt.query_row([url], |r| r.get(0)).optional()?.map(PodcastId))
    }

    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(title: &str, enclosure: &str) -> crate::model::ParsedFeed {
        let xml = format!(
            "<rss version=\"2.0\"><channel><title>{title}</title><item><guid>{enclosure}</guid><title>Ep</title>\
             <enclosure url=\"{enclosure}\" type=\"audio/mpeg\"/></item></channel></rss>"
        );
        crate::feed::parse_feed(xml.as_bytes(), &url::Url::parse("https://example.com/").unwrap()).unwrap()
    }

    fn account() -> SyncAccount {
        SyncAccount {
            kind: SyncKind::Gpodder,
            server: "https://sync.example.com".into(),
            user: "alice".into(),
            device: "desk".into(),
            registered: false,
            last_sync: None,
            last_result: None,
            last_error: None,
        }
    }

    #[test]
    fn changes_reach_the_outbox_only_with_an_account_and_never_of_the_bundled_show() {
        let mut library = Library::in_memory().unwrap();
        library.add_bundled("https://demo.invalid/f.xml", &feed("Demo", "https://demo.invalid/1.mp3")).unwrap();
        let (before, _) = library.subscribe("https://a.example/f.xml", &feed("A", "https://a.example/1.mp3")).unwrap();
        let episode = library.episodes(Some(before)).unwrap()[0].id;
        library.set_position(episode, 10.0).unwrap();
        assert_eq!(library.sync_pending_count().unwrap(), 0, "no account: nothing is kept for a server");

        library.set_sync_account(&account()).unwrap();
        assert_eq!(
            library.sync_pending_count().unwrap(),
            2,
            "what this library stands at: the show and its begun episode"
        );
        // A show followed and left: the outbox's rows and the podcasts' ids no longer line up.
        let (gone, _) = library.subscribe("https://c.example/f.xml", &feed("C", "https://c.example/1.mp3")).unwrap();
        library.remove_podcast(gone).unwrap();
        let (after, _) = library.subscribe("https://b.example/f.xml", &feed("B", "https://b.example/1.mp3")).unwrap();
        assert_eq!(library.podcast(after).unwrap().title, "B", "the new show's own id (not the outbox row's)");
        assert_eq!(library.episode_count(after).unwrap(), 1);
        for demo in library.episodes(None).unwrap().into_iter().filter(|e| e.url.contains("demo")) {
            library.set_position(demo.id, 5.0).unwrap();
        }
        let page = library.sync_outbox(false, 0, 100).unwrap();
        let feeds: Vec<_> = page.iter().map(|(e, _, _)| e.change.clone()).collect();
        assert_eq!(
            feeds,
            [
                OutboxChange::Subscribe { url: "https://a.example/f.xml".into() },
                OutboxChange::Unsubscribe { url: "https://c.example/f.xml".into() },
                OutboxChange::Subscribe { url: "https://b.example/f.xml".into() },
            ]
        );
        assert_eq!(library.sync_outbox(true, 0, 100).unwrap().len(), 1, "the demo's episode never travels");
    }

    #[test]
    fn a_confirmation_leaves_a_row_changed_meanwhile() {
        let mut library = Library::in_memory().unwrap();
        library.set_sync_account(&account()).unwrap();
        let (show, _) = library.subscribe("https://a.example/f.xml", &feed("A", "https://a.example/1.mp3")).unwrap();
        let episode = library.episodes(Some(show)).unwrap()[0].id;
        library.set_position(episode, 10.0).unwrap();
        let (sent, rev, _) = library.sync_outbox(true, 0, 10).unwrap().remove(0);
        library.set_position(episode, 20.0).unwrap();
        library.confirm_sync_sent(&[(sent.key.clone(), rev, None)]).unwrap();
        let (left, _, _) = library.sync_outbox(true, 0, 10).unwrap().remove(0);
        let OutboxChange::Episode(state) = left.change else { panic!("an episode's change") };
        assert_eq!((state.started, state.position), (10.0, 20.0), "the newer place waits for the next sync");
    }
}
