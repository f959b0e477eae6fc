//! Merging a parsed feed into the stored episodes of one podcast.

use std::collections::{HashMap, HashSet};

use rusqlite::{CachedStatement, Transaction, params};
use xxhash_rust::xxh3::Xxh3;

use crate::model::{NewEpisode, NewPodcast, ParsedFeed, PodcastId, SyncReport};

/// The key that tells whether two feed items are the same episode: the guid, else the
/// enclosure URL, else title and date; never an id a parser made up. A guid that repeats within
/// one feed (it happens) is told apart by its enclosure URL, so both episodes are kept, the same
/// way on every refresh. None for an item that repeats an earlier one exactly (same guid and
/// enclosure): it is the same episode, listed twice.
pub fn episode_identity(episode: &NewEpisode, seen: &mut HashSet<String>) -> Option<String> {
    let base = match episode.guid.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(guid) => format!("g:{guid}"),
        None if !episode.enclosure.url.is_empty() => format!("u:{}", episode.enclosure.url),
        None => format!("t:{}|{}", episode.title, episode.published.map(|d| d.timestamp()).unwrap_or_default()),
    };
    let distinct = format!("{base}\u{1f}{}", episode.enclosure.url);
    if seen.insert(base.clone()) {
        // Remembered with its enclosure too, so an exact repeat is recognised below.
        seen.insert(distinct);
        return Some(base);
    }
    seen.insert(distinct.clone()).then_some(distinct)
}

/// A fingerprint of the feed-owned fields: equal fingerprints mean nothing to update. XXH3-128:
/// a change detector, not a seal (SHA-256 here was a twentieth of the time to subscribe to a
/// big feed); a library fingerprinted otherwise has each episode rewritten once, unchanged.
fn content_hash(e: &NewEpisode) -> String {
    let mut hasher = Xxh3::new();
    let mut field = |value: &[u8]| {
        hasher.update(&(value.len() as u64).to_le_bytes());
        hasher.update(value);
    };
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    field(e.guid.as_deref().unwrap_or_default().as_bytes());
    field(e.title.as_bytes());
    field(e.published.map(|d| d.timestamp().to_string()).unwrap_or_default().as_bytes());
    field(number(e.duration_secs).as_bytes());
    field(e.enclosure.url.as_bytes());
    field(e.enclosure.mime.as_deref().unwrap_or_default().as_bytes());
    field(e.enclosure.length.map(|n| n.to_string()).unwrap_or_default().as_bytes());
    field(e.notes_html.as_deref().unwrap_or_default().as_bytes());
    field(number(e.episode_number).as_bytes());
    field(number(e.season_number).as_bytes());
    for optional in [&e.link, &e.image_url, &e.chapters_url] {
        field(optional.as_deref().unwrap_or_default().as_bytes());
    }
    field(json_list(&e.psc_chapters).unwrap_or_default().as_bytes());
    field(json_list(&e.transcripts).unwrap_or_default().as_bytes());
    field(if e.explicit { b"explicit" } else { b"" });
    field(e.episode_type.as_str().as_bytes());
    // Only when there are any: an episode without credits keeps the fingerprint it had before
    // credits were kept.
    if let Some(credits) = super::credits::to_column(&e.credits) {
        field(credits.as_bytes());
    }
    format!("{:032x}", hasher.digest128())
}

/// A list as its JSON column: NULL when empty (most episodes).
fn json_list<T: serde::Serialize>(list: &[T]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::to_string(list).expect("plain data serialises"))
}

/// Writes a feed over what is stored of its show: each item matched to a stored episode,
/// rewritten when the feed changed it, inserted when new.
pub(super) fn sync_in(tx: &Transaction<'_>, podcast: PodcastId, feed: &ParsedFeed) -> rusqlite::Result<SyncReport> {
    update_show(tx, podcast, &feed.podcast)?;
    let mut stored = StoredEpisodes::read(tx, podcast)?;
    let claimed: HashSet<String> = {
        let mut seen = HashSet::new();
        feed.episodes.iter().filter_map(|e| episode_identity(e, &mut seen)).collect()
    };
    let newest_before = super::search::newest_episode_row(tx)?;
    let mut writes = EpisodeWrites::prepare(tx)?;
    let mut report = SyncReport::default();
    let mut seen = HashSet::new();
    for episode in &feed.episodes {
        let Some(identity) = episode_identity(episode, &mut seen) else { continue };
        let hash = content_hash(episode);
        match stored.matching(&identity, &episode.enclosure.url, &claimed) {
            Some((_, stored_hash)) if stored_hash == hash => report.unchanged += 1,
            Some((id, _)) => {
                writes.update(id, &identity, &hash, episode)?;
                report.updated += 1;
            }
            None => {
                writes.insert(podcast, &identity, &hash, episode)?;
                report.added += 1;
            }
        }
    }
    if report.added > 0 {
        super::search::index_new_episodes(tx, podcast, newest_before)?;
    }
    Ok(report)
}

/// The show's own fields, as the feed gives them now.
fn update_show(tx: &Transaction<'_>, podcast: PodcastId, p: &NewPodcast) -> rusqlite::Result<()> {
    let related = (!p.related.is_empty()).then(|| serde_json::to_string(&p.related).expect("plain data serialises"));
    tx.execute(
        "UPDATE podcasts SET title = ?2, author = ?3, description = ?4, link = ?5, art_url = ?6, related = ?7,
             language = ?8, declared_feed_url = ?9, serial = ?10, update_every_secs = ?11,
             self_url = ?12, podcast_guid = ?13, subtitle = ?14
         WHERE id = ?1",
        params![
            podcast.0,
            p.title,
            p.author,
            p.description,
            p.link,
            p.art_url,
            related,
            p.language,
            p.new_feed_url,
            p.serial,
            p.update_every_secs.map(|secs| secs as i64),
            p.self_url,
            p.guid,
            p.subtitle
        ],
    )?;
    Ok(())
}

/// The podcast's episodes as stored: (row id, content hash) by identity, and identity by
/// enclosure URL.
struct StoredEpisodes {
    by_identity: HashMap<String, (i64, String)>,
    identity_by_url: HashMap<String, String>,
}

impl StoredEpisodes {
    fn read(tx: &Transaction<'_>, podcast: PodcastId) -> rusqlite::Result<Self> {
        let mut stored = Self { by_identity: HashMap::new(), identity_by_url: HashMap::new() };
        let mut stmt =
            tx.prepare_cached("SELECT id, identity, content_hash, url FROM episodes WHERE podcast_id = ?1")?;
        let rows = stmt
            .query_map([podcast.0], |r| Ok((r.get::<_, String>(1)?, (r.get(0)?, r.get(2)?), r.get::<_, String>(3)?)))?;
        for row in rows {
            let (identity, value, url) = row?;
            stored.identity_by_url.insert(url, identity.clone());
            stored.by_identity.insert(identity, value);
        }
        Ok(stored)
    }

    /// The stored episode a feed item is: (row id, content hash). Second chance by enclosure URL:
    /// an episode stored under a guid the feed no longer gives (or one a parser made up, in
    /// libraries from before) is the same episode, not a new one, unless another item of the feed
    /// claims that identity. Matched that way it is taken (no second item gets it) and comes with
    /// no hash, so its new identity is written.
    fn matching(&mut self, identity: &str, url: &str, claimed: &HashSet<String>) -> Option<(i64, String)> {
        if let Some(known) = self.by_identity.get(identity) {
            return Some(known.clone());
        }
        let old = self.identity_by_url.get(url).filter(|old| !claimed.contains(*old))?;
        self.by_identity.remove(old).map(|(id, _)| (id, String::new()))
    }
}

/// The two writes of a sync, prepared once for all its episodes. Only feed-owned columns are
/// written: position, played and the download stay as the listener left them.
struct EpisodeWrites<'tx> {
    insert: CachedStatement<'tx>,
    update: CachedStatement<'tx>,
}

impl<'tx> EpisodeWrites<'tx> {
    fn prepare(tx: &'tx Transaction<'_>) -> rusqlite::Result<Self> {
        let insert = tx.prepare_cached(
            "INSERT INTO episodes (podcast_id, identity, guid, title, published, duration_secs, url, mime, length,
                 notes_html, episode_number, season_number, link, image_url, chapters_url, transcripts, content_hash,
                 explicit, psc_chapters, episode_type, credits)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        )?;
        // The same parameters as the insert, ?1 being the row's own id here.
        let update = tx.prepare_cached(
            "UPDATE episodes SET identity = ?2, guid = ?3, title = ?4, published = ?5, duration_secs = ?6, url = ?7,
                 mime = ?8, length = ?9, notes_html = ?10, episode_number = ?11, season_number = ?12, link = ?13,
                 image_url = ?14, chapters_url = ?15, transcripts = ?16, content_hash = ?17, explicit = ?18,
                 psc_chapters = ?19, episode_type = ?20, credits = ?21
             WHERE id = ?1",
        )?;
        Ok(Self { insert, update })
    }

    fn insert(&mut self, podcast: PodcastId, identity: &str, hash: &str, e: &NewEpisode) -> rusqlite::Result<()> {
        write(&mut self.insert, podcast.0, identity, hash, e)
    }

    fn update(&mut self, id: i64, identity: &str, hash: &str, e: &NewEpisode) -> rusqlite::Result<()> {
        write(&mut self.update, id, identity, hash, e)
    }
}

/// Binds an episode's feed-owned columns in the one order both writes use (`key` is ?1: the
/// podcast for an insert, the row for an update).
fn write(
    statement: &mut CachedStatement<'_>,
    key: i64,
    identity: &str,
    hash: &str,
    e: &NewEpisode,
) -> rusqlite::Result<()> {
    statement.execute(params![
        key,
        identity,
        e.guid,
        e.title,
        e.published.map(|d| d.timestamp()),
        e.duration_secs,
        e.enclosure.url,
        e.enclosure.mime,
        stored_length(e),
        e.notes_html,
        e.episode_number,
        e.season_number,
        e.link,
        e.image_url,
        e.chapters_url,
        json_list(&e.transcripts),
        hash,
        e.explicit,
        json_list(&e.psc_chapters),
        e.episode_type.as_str(),
        super::credits::to_column(&e.credits),
    ])?;
    Ok(())
}

/// The enclosure's length as SQLite's integer holds it.
fn stored_length(e: &NewEpisode) -> Option<i64> {
    e.enclosure.length.map(|n| n.min(i64::MAX as u64) as i64)
}

#[cfg(test)]
mod tests {
    use crate::feed::parse_feed;
    use crate::library::Library;

    fn feed(items: &str) -> crate::model::ParsedFeed {
        let xml = format!("<rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>");
        parse_feed(xml.as_bytes(), &url::Url::parse("https://example.com/feed.xml").unwrap()).unwrap()
    }

    fn item(guid: Option<&str>, title: &str, url: &str) -> String {
        let guid = guid.map(|g| format!("<guid>{g}</guid>")).unwrap_or_default();
        format!("<item>{guid}<title>{title}</title><enclosure url=\"{url}\" type=\"audio/mpeg\"/></item>")
    }

    #[test]
    fn show_counts_follow_added_played_and_removed_episodes() {
        let mut library = Library::in_memory().unwrap();
        let three: String =
            (0..3).map(|i| item(Some(&format!("g{i}")), "E", &format!("https://e.com/{i}.mp3"))).collect();
        let (show, _) = library.subscribe("https://example.com/feed.xml", &feed(&three)).unwrap();
        let (other, _) = library.subscribe("https://example.com/other.xml", &feed(&three[..three.len() / 3])).unwrap();
        let counts = |library: &Library| -> Vec<(u32, u32)> {
            library.podcasts().unwrap().iter().map(|p| (p.episodes, p.unplayed)).collect()
        };
        assert_eq!(counts(&library), [(3, 3), (1, 1)]);
        let first = library.episodes(Some(show)).unwrap()[0].id;
        library.set_played(first, true).unwrap();
        library.set_played(first, true).unwrap();
        assert_eq!(counts(&library), [(3, 2), (1, 1)], "marked played once, counted once");
        library.sync(show, &feed(&three[three.len() / 3..])).unwrap();
        assert_eq!(library.episodes(Some(show)).unwrap().len() as u32, counts(&library)[0].0, "as many as listed");
        library.remove_podcast(other).unwrap();
        assert_eq!(counts(&library).len(), 1);
    }

    #[test]
    fn an_item_listed_three_times_is_one_episode() {
        let mut library = Library::in_memory().unwrap();
        let repeated = item(Some("same"), "Again", "https://example.com/a.mp3").repeat(3);
        let (podcast, report) = library.subscribe("https://example.com/feed.xml", &feed(&repeated)).unwrap();
        assert_eq!(report.added, 1);
        assert_eq!(library.episodes(Some(podcast)).unwrap().len(), 1);
    }

    #[test]
    fn items_without_a_guid_keep_their_identity_through_edits() {
        let mut library = Library::in_memory().unwrap();
        let items = |suffix: &str| -> String {
            (0..22)
                .map(|i| {
                    item(
                        None,
                        &format!("{}{suffix}", if i % 3 == 0 { "" } else { "Episode" }),
                        &format!("https://example.com/{i}.mp3"),
                    )
                })
                .collect()
        };
        let (podcast, _) = library.subscribe("https://example.com/feed.xml", &feed(&items(""))).unwrap();
        assert_eq!(library.episodes(Some(podcast)).unwrap().len(), 22);
        let report = library.sync(podcast, &feed(&items(" (edited)"))).unwrap();
        assert_eq!((report.added, report.updated), (0, 22), "titles edited, episodes the same");
        library.sync(podcast, &feed(&items(" (edited)"))).unwrap();
        assert_eq!(library.episodes(Some(podcast)).unwrap().len(), 22);
    }

    #[test]
    fn a_guid_that_changes_under_the_same_file_is_the_same_episode() {
        let mut library = Library::in_memory().unwrap();
        let (podcast, _) = library
            .subscribe("https://example.com/feed.xml", &feed(&item(Some("old"), "A", "https://example.com/a.mp3")))
            .unwrap();
        let report = library.sync(podcast, &feed(&item(Some("new"), "A", "https://example.com/a.mp3"))).unwrap();
        assert_eq!((report.added, report.updated), (0, 1));
        assert_eq!(library.episodes(Some(podcast)).unwrap().len(), 1);
    }
}
