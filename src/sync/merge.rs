//! The merge rules: which local episode a remote action means, and what it changes.
//!
//! - Episodes are matched by enclosure URL (without tracking prefixes and query string), then
//!   guid, then feed and title.
//! - A remote action moves an episode only when it is newer than the change here: an action
//!   that arrived since the last sync is newer, unless this episode also changed here since (an
//!   outbox row). Then both changed, and the furthest wins (played is furthest); a place that
//!   was listened to is never lost, and the log says so. Never a comparison of two devices'
//!   clocks, so a skew between them changes nothing.
//! - A remote position within the played margin of its end (`model::played`) marks it played.
//! - Each remote thing is applied once: an answer repeating itself, and our own actions coming
//!   back, change nothing (`sync_seen`).

use std::collections::{HashMap, HashSet};

use super::SyncError;
use super::api::{ActionsReply, FeedChanges, WireAction, parse_timestamp};
use crate::error::HarkError;
use crate::library::{Library, SyncChanges, episode_key};
use crate::model::EpisodeId;
use crate::model::played::counts_as_played;
use crate::model::sync::SyncEpisode;

/// Hosts that only count a download and redirect to the real file, with what of the path
/// belongs to them. After their part the path names the real host.
const TRACKERS: &[&str] = &[
    "dts.podtrac.com",
    "www.podtrac.com",
    "podtrac.com",
    "chtbl.com",
    "chrt.fm",
    "pdst.fm",
    "pfx.vpixl.com",
    "arttrk.com",
    "op3.dev",
    "mgln.ai",
    "prfx.byspotify.com",
    "pscrb.fm",
    "verifi.podscribe.com",
    "tracking.swap.fm",
    "clrtpod.com",
    "media.blubrry.com",
    "growx.podkite.com",
    "p.podderapp.com",
    "podcorn.com",
    "jump.spotify.com",
];

const AUDIO_EXTENSIONS: &[&str] = &["mp3", "m4a", "mp4", "aac", "ogg", "opus", "oga", "wav", "flac", "m4b"];

/// How two enclosure URLs are compared: without scheme, query, fragment and any tracking
/// redirect prefixes (`dts.podtrac.com/redirect.mp3/`, `chtbl.com/track/ID/`, `pdst.fm/e/` …,
/// also chained), the host in lower case.
pub fn enclosure_key(url: &str) -> String {
    let rest = url.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut segments: Vec<&str> = rest.split('/').collect();
    loop {
        let host = segments.first().map(|h| h.to_ascii_lowercase()).unwrap_or_default();
        if !TRACKERS.contains(&host.as_str()) {
            break;
        }
        // The real host: the first later segment that looks like one (a dot, not a file name
        // like redirect.mp3) with more path after it.
        let real = (1..segments.len().saturating_sub(1)).find(|&i| looks_like_host(segments[i]));
        match real {
            Some(at) => segments.drain(..at).for_each(drop),
            None => break,
        }
    }
    if let Some(host) = segments.first_mut() {
        let lower = host.to_ascii_lowercase();
        return std::iter::once(lower.as_str()).chain(segments[1..].iter().copied()).collect::<Vec<_>>().join("/");
    }
    String::new()
}

fn looks_like_host(segment: &str) -> bool {
    let host = match segment.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => segment,
    };
    let labels: Vec<&str> = host.split('.').collect();
    let address = labels.len() == 4 && labels.iter().all(|l| l.parse::<u8>().is_ok());
    let last = labels.last().copied().unwrap_or_default();
    address
        || (labels.len() > 1
            && !last.is_empty()
            && last.chars().all(|c| c.is_ascii_alphabetic())
            && !AUDIO_EXTENSIONS.contains(&last.to_ascii_lowercase().as_str())
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

/// The library's episodes, looked up the three ways the rules match (by hashes of the keys, so
/// 50,000 episodes stay small; a hit is checked against the episode itself).
pub struct EpisodeIndex {
    episodes: Vec<SyncEpisode>,
    by_url: HashMap<u64, u32>,
    by_guid: HashMap<u64, u32>,
    by_title: HashMap<u64, u32>,
}

fn hash(parts: &[&str]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

impl EpisodeIndex {
    pub fn new(mut episodes: Vec<SyncEpisode>) -> Self {
        let (mut by_url, mut by_guid, mut by_title) = (HashMap::new(), HashMap::new(), HashMap::new());
        for (at, e) in episodes.iter_mut().enumerate() {
            let at = at as u32;
            by_url.entry(hash(&[&enclosure_key(&e.url)])).or_insert(at);
            if let Some(guid) = e.guid.as_deref().filter(|g| !g.trim().is_empty()) {
                by_guid.entry(hash(&[guid])).or_insert(at);
            }
            by_title.entry(hash(&[&e.feed_url, &e.title.trim().to_lowercase()])).or_insert(at);
            e.title = String::new();
        }
        Self { episodes, by_url, by_guid, by_title }
    }

    pub fn find(&self, action: &WireAction) -> Option<&SyncEpisode> {
        let key = enclosure_key(&action.episode);
        let by_url = self.by_url.get(&hash(&[&key])).map(|at| &self.episodes[*at as usize]);
        if let Some(found) = by_url.filter(|e| enclosure_key(&e.url) == key) {
            return Some(found);
        }
        let guid = action.guid.as_deref().filter(|g| !g.trim().is_empty());
        let by_guid = guid.and_then(|g| self.by_guid.get(&hash(&[g]))).map(|at| &self.episodes[*at as usize]);
        if let Some(found) = by_guid.filter(|e| e.guid.as_deref() == guid) {
            return Some(found);
        }
        let title = action.title.as_deref()?.trim().to_lowercase();
        let at = self.by_title.get(&hash(&[&action.podcast, &title]))?;
        self.episodes.get(*at as usize).filter(|e| e.feed_url == action.podcast)
    }
}

/// What applying remote actions changed here.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Applied {
    pub positions: usize,
    pub played: usize,
    /// Both changed since the last sync (each said in the log).
    pub conflicts: usize,
    pub moved: Vec<EpisodeId>,
}

/// How an action is known again (its kind, time and place).
pub fn identity(action: &WireAction) -> String {
    format!(
        "{}|{}|{}",
        action.action.to_ascii_lowercase(),
        action.timestamp.as_deref().unwrap_or_default(),
        action.position.unwrap_or(-1)
    )
}

/// Applies a page of remote actions: the latest of each episode, in one transaction. Actions
/// that match no episode here are held again when their show is followed or wanted. Our own
/// actions coming back are known by what was sent (`sync_seen`), never by the `device` field:
/// podsync keeps the device that first wrote an episode's row.
fn apply_with(
    library: &mut Library,
    index: &EpisodeIndex,
    followed: &HashSet<String>,
    actions: Vec<WireAction>,
    applied: &mut Applied,
) -> Result<(), HarkError> {
    let changes = library.sync_changes()?;
    let mut latest: HashMap<String, WireAction> = HashMap::new();
    for action in actions {
        let key = episode_key(&action.podcast, &action.episode);
        let identity = identity(&action);
        if changes.seen(&key, &identity)? {
            // Known: ours coming back (it confirms an attempt whose answer was lost), or a repeat.
            if let Some(local) = index.find(&action) {
                let local_key = episode_key(&local.feed_url, &local.url);
                if changes.pending_episode(&local_key)?.is_some_and(|p| p.attempted) {
                    changes.drop_pending(&local_key)?;
                }
            }
            continue;
        }
        changes.remember_action(&key, &identity)?;
        if latest.get(&key).is_none_or(|held| stamp(held) <= stamp(&action)) {
            latest.insert(key, action);
        }
    }
    let mut latest: Vec<(String, WireAction)> = latest.into_iter().collect();
    latest.sort_by_key(|(_, a)| stamp(a));
    for (key, action) in latest {
        match index.find(&action) {
            Some(local) => apply_one(&changes, local, &action, applied)?,
            None if followed.contains(&action.podcast) || changes.is_wanted(&action.podcast)? => {
                changes.hold(&key, &serde_json::to_string(&action).expect("plain data serialises"))?;
            }
            None => {}
        }
    }
    changes.commit()?;
    Ok(())
}

/// Takes in an answer of remote actions, one at a time as it is read, in one transaction: ours
/// coming back confirm what was sent (an attempt whose answer was lost leaves the outbox), what
/// was seen before is passed over, and the rest waits in the inbox for `apply_held` (the last
/// of an episode in the server's order). Returns the answer's timestamp.
pub fn take_in(library: &mut Library, reply: &ActionsReply) -> Result<i64, SyncError> {
    let changes = library.sync_changes()?;
    let mut failed = None;
    let timestamp = reply.each_action(&mut |action| {
        if failed.is_none()
            && let Err(e) = take_one(&changes, &action)
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    changes.commit()?;
    Ok(timestamp)
}

fn take_one(changes: &SyncChanges<'_>, action: &WireAction) -> Result<(), HarkError> {
    let key = episode_key(&action.podcast, &action.episode);
    if changes.seen(&key, &identity(action))? {
        if changes.pending_episode(&key)?.is_some_and(|p| p.attempted) {
            changes.drop_pending(&key)?;
        }
        return Ok(());
    }
    changes.hold(&key, &serde_json::to_string(action).expect("plain data serialises"))?;
    Ok(())
}

/// Held actions applied per page, so that 50,000 of them never sit in memory at once.
const HELD_PAGE: usize = 2000;

/// Remote actions held for episodes that were not here: applied now that their shows may be.
pub fn apply_held(library: &mut Library) -> Result<Applied, HarkError> {
    let up_to = library.sync_changes()?.last_held()?;
    let mut applied = Applied::default();
    if up_to == 0 {
        return Ok(applied);
    }
    let index = EpisodeIndex::new(library.sync_episodes()?);
    let followed: HashSet<String> = library.podcasts()?.into_iter().map(|p| p.feed_url).collect();
    // A pass ends by itself (a row held again is numbered after `up_to`); this bound only
    // makes sure of it.
    for _ in 0..=(up_to.max(0) as usize).div_ceil(HELD_PAGE) {
        let actions: Vec<WireAction> = {
            let changes = library.sync_changes()?;
            let held = changes.take_held(up_to, HELD_PAGE)?;
            let actions: Vec<WireAction> = held.iter().filter_map(|json| serde_json::from_str(json).ok()).collect();
            // Not seen any more, so that they are applied (or held) once more.
            for action in &actions {
                changes.forget_seen(&episode_key(&action.podcast, &action.episode), &identity(action))?;
            }
            changes.commit()?;
            if held.is_empty() {
                break;
            }
            actions
        };
        apply_with(library, &index, &followed, actions, &mut applied)?;
    }
    let wanted: HashSet<String> = library.sync_wanted()?.into_iter().collect();
    let changes = library.sync_changes()?;
    changes.drop_unwanted_held(&|feed| followed.contains(feed) || wanted.contains(feed))?;
    changes.commit()?;
    Ok(applied)
}

/// A device's subscription changes: a show it follows is wanted here (subscribed by the caller,
/// `net::sync`), a show it removed is unsubscribed here (downloads kept), unless this device
/// changed that show since the last sync (its own change wins). Returns how many shows went.
pub fn apply_feed_changes(library: &mut Library, device: &str, changes: &FeedChanges) -> Result<usize, HarkError> {
    let mut removed = Vec::new();
    let tx = library.sync_changes()?;
    for (url, kind) in changes.add.iter().map(|u| (u, "add")).chain(changes.remove.iter().map(|u| (u, "remove"))) {
        let key = format!("d:{device}\u{1f}{url}");
        if tx.seen(&key, kind)? {
            continue;
        }
        tx.remember_state(&key, kind)?;
        let here = tx.pending_feed(url)?;
        match kind {
            "add" if here.is_none() && tx.followed(url)?.is_none() => tx.want(url)?,
            "remove" if here != Some(true) => {
                tx.unwant(url)?;
                removed.extend(tx.followed(url)?);
            }
            _ => {}
        }
    }
    tx.commit()?;
    for podcast in &removed {
        // Downloads stay: the listener removed the show elsewhere, not its files here.
        crate::library::unsubscribe(library, std::path::Path::new(""), *podcast, true)?;
    }
    Ok(removed.len())
}

fn stamp(action: &WireAction) -> i64 {
    action.timestamp.as_deref().and_then(parse_timestamp).unwrap_or(0)
}

/// One remote action against one local episode, by the rules above.
fn apply_one(
    changes: &SyncChanges<'_>,
    local: &SyncEpisode,
    action: &WireAction,
    applied: &mut Applied,
) -> Result<(), HarkError> {
    let (position, played) = match action.action.to_ascii_lowercase().as_str() {
        "play" => {
            let position = action.position.unwrap_or(0) as f64;
            let total = action.total.filter(|t| *t > 0).map(|t| t as f64).or(local.duration.map(f64::from));
            let played = counts_as_played(position, total);
            // Heard to its very end there: it starts over here, as one finished here does.
            let finished = played && total.is_some_and(|t| position >= t);
            (if finished { 0.0 } else { position }, played.then_some(true))
        }
        // AntennaPod's "mark unplayed".
        "new" => (0.0, Some(false)),
        _ => return Ok(()),
    };
    let local_key = episode_key(&local.feed_url, &local.url);
    if let Some(pending) = changes.pending_episode(&local_key)? {
        // Both changed since the last sync: the furthest wins, played being furthest.
        let progress = |position: f64, played: bool| if played { f64::INFINITY } else { position };
        let remote = if played == Some(false) { -1.0 } else { progress(position, played == Some(true)) };
        applied.conflicts += 1;
        if remote > progress(pending.position, pending.played) {
            tracing::info!(
                "sync: \"{}\" changed here and on another device; kept the furthest, theirs ({})",
                local.title,
                clock(position)
            );
            changes.drop_pending(&local_key)?;
        } else {
            tracing::info!(
                "sync: \"{}\" changed here and on another device; kept the furthest, this one ({})",
                local.title,
                clock(pending.position)
            );
            changes.renew_pending(&local_key)?;
            return Ok(());
        }
    }
    let at = action.timestamp.as_deref().and_then(parse_timestamp).unwrap_or(0);
    let moved = (local.position - position).abs() >= 1.0;
    let newly_played = played == Some(true) && !local.played;
    if !moved && played.is_none_or(|p| p == local.played) {
        return Ok(());
    }
    changes.apply_episode(local.id, position, played, at)?;
    applied.positions += usize::from(moved);
    applied.played += usize::from(newly_played);
    applied.moved.push(local.id);
    Ok(())
}

fn clock(secs: f64) -> String {
    let secs = secs.max(0.0) as u64;
    format!("{}:{:02}", secs / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_prefixes_and_queries_do_not_tell_episodes_apart() {
        let plain = enclosure_key("https://traffic.example.com/show/ep1.mp3");
        assert_eq!(plain, "traffic.example.com/show/ep1.mp3");
        for tracked in [
            "https://dts.podtrac.com/redirect.mp3/traffic.example.com/show/ep1.mp3",
            "http://www.podtrac.com/pts/redirect.mp3/traffic.example.com/show/ep1.mp3?source=rss",
            "https://chtbl.com/track/A1B2C/traffic.example.com/show/ep1.mp3",
            "https://pdst.fm/e/chtbl.com/track/A1B2C/dts.podtrac.com/redirect.mp3/traffic.example.com/show/ep1.mp3",
            "https://op3.dev/e/traffic.example.com/show/ep1.mp3",
            "HTTP://Traffic.Example.COM/show/ep1.mp3?awCollectionId=1&utm_source=x",
        ] {
            assert_eq!(enclosure_key(tracked), plain, "{tracked}");
        }
        assert_ne!(enclosure_key("https://traffic.example.com/show/EP1.mp3"), plain, "the path keeps its case");
    }

    #[test]
    fn a_host_with_a_port_or_an_address_is_found_behind_a_tracker() {
        assert_eq!(
            enclosure_key("https://dts.podtrac.com/redirect.mp3/127.0.0.1:8080/a/ep.wav?x=1"),
            "127.0.0.1:8080/a/ep.wav"
        );
        assert_eq!(
            enclosure_key("https://chtbl.com/track/X1/cdn.example.com:8443/ep.mp3"),
            "cdn.example.com:8443/ep.mp3"
        );
    }

    #[test]
    fn a_tracker_without_a_real_host_after_it_is_kept() {
        assert_eq!(enclosure_key("https://dts.podtrac.com/ep.mp3"), "dts.podtrac.com/ep.mp3");
    }
}
