//! A `ParsedFeed` from what the two passes read: feed-rs's document when it could read one, and
//! the quick-xml pass's extras. One rule for each field, whichever passes are there: the pass's
//! item for an episode is found by the episode's identity (guid, then enclosure), never by
//! position, so an item one pass skipped cannot shift the others.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, FeedType};
use url::Url;

use super::extras::{FeedExtras, ItemExtras, RawEnclosure};
use super::parse::{AUDIO_EXTENSIONS, is_web_url, resolve};
use crate::model::{Enclosure, EpisodeCredits, NewEpisode, NewPodcast, ParsedFeed, TranscriptLink};

/// Builds the feed from feed-rs's reading (`feed`) and the pass's extras; without `feed`, from the
/// extras alone (feed-rs could not read the document, which was well-formed all the same).
pub(super) fn build(feed: Option<Feed>, extras: FeedExtras, feed_url: &Url) -> ParsedFeed {
    let podcast = podcast(feed.as_ref(), &extras, feed_url);
    let items = if extras.complete { extras.items } else { Vec::new() };
    let episodes = match feed {
        Some(feed) => {
            // Atom requires an id; in RSS feed-rs makes one up when an item has no guid, and a
            // made-up id is no identity (the guid comes from the pass instead).
            let ids_are_real = feed.feed_type == FeedType::Atom;
            let mut items = ItemsByIdentity::new(items, feed_url);
            let entries = feed.entries.into_iter().map(|entry| {
                let item = items.take_for(&entry, feed_url);
                (Some(entry), item)
            });
            entries.filter_map(|(entry, item)| episode(entry.as_ref(), item, feed_url, ids_are_real)).collect()
        }
        None => items.into_iter().filter_map(|item| episode(None, item, feed_url, false)).collect(),
    };
    let next_page = extras.next_page.as_deref().and_then(|page| resolve(page, feed_url));
    ParsedFeed { podcast, episodes, next_page }
}

fn podcast(feed: Option<&Feed>, extras: &FeedExtras, feed_url: &Url) -> NewPodcast {
    let title = feed
        .and_then(|f| f.title.as_ref())
        .map(|t| t.content.trim().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| extras.title.clone())
        .unwrap_or_else(|| feed_url.host_str().unwrap_or("Untitled podcast").to_string());
    let link = feed
        .and_then(|f| f.links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")))
        .map(|l| l.href.clone())
        .or_else(|| extras.link.clone())
        .filter(|href| is_web_url(href));
    let art_url = extras
        .image
        .clone()
        .or_else(|| feed.and_then(|f| f.logo.as_ref().or(f.icon.as_ref())).map(|i| i.uri.clone()))
        .and_then(|u| resolve(&u, feed_url));
    let feed_author = || {
        let name = feed?.authors.first()?.name.as_deref()?.trim().to_string();
        Some(name).filter(|n| !n.is_empty())
    };
    // The richest non-empty of what the channel says of itself (an empty <description> hides
    // no itunes:summary).
    let read_by_feed_rs = feed.and_then(|f| f.description.as_ref()).map(|d| d.content.clone());
    let description = richest_notes(read_by_feed_rs.into_iter().chain(extras.descriptions.iter().cloned()).collect());
    NewPodcast {
        title,
        author: extras.author.clone().or_else(feed_author),
        description,
        link,
        art_url,
        new_feed_url: extras.new_feed_url.as_deref().and_then(|u| resolve(u, feed_url)),
        related: extras.related.clone(),
        language: feed.and_then(|f| f.language.as_deref()).map(crate::model::clean_line).filter(|l| !l.is_empty()),
        serial: extras.serial,
        update_every_secs: update_every(extras),
        self_url: extras.self_url.as_deref().and_then(|u| resolve(u, feed_url)),
        guid: extras.podcast_guid.as_deref().map(crate::model::clean_line).filter(|g| !g.is_empty()),
        subtitle: extras.subtitle.clone(),
    }
}

/// How often the feed says it changes: the longer of what it says either way.
fn update_every(extras: &FeedExtras) -> Option<u64> {
    let syndication = extras
        .sy_period
        .as_deref()
        .and_then(|period| super::cadence::syndication(period, extras.sy_frequency.as_deref()));
    let rule = extras.update_rule.as_deref().and_then(super::cadence::rrule);
    syndication.max(rule)
}

/// The pass's items, found by guid or by enclosure address; among items that share one (a feed
/// that repeats a guid), in document order.
struct ItemsByIdentity {
    items: Vec<Option<ItemExtras>>,
    by_guid: HashMap<String, VecDeque<usize>>,
    by_enclosure: HashMap<String, VecDeque<usize>>,
}

impl ItemsByIdentity {
    fn new(items: Vec<ItemExtras>, feed_url: &Url) -> Self {
        let (mut by_guid, mut by_enclosure) = (HashMap::<_, VecDeque<_>>::new(), HashMap::<_, VecDeque<_>>::new());
        for (at, item) in items.iter().enumerate() {
            if let Some(guid) = &item.guid {
                by_guid.entry(guid.clone()).or_default().push_back(at);
            }
            if let Some(url) = item.enclosure.as_ref().and_then(|e| resolve(&e.url, feed_url)) {
                by_enclosure.entry(url).or_default().push_back(at);
            }
        }
        Self { items: items.into_iter().map(Some).collect(), by_guid, by_enclosure }
    }

    /// The item for `entry` (taken, so no other entry gets it), or an empty one when the pass has
    /// none for it.
    fn take_for(&mut self, entry: &Entry, feed_url: &Url) -> ItemExtras {
        let enclosures = entry_enclosures(entry).filter_map(|(url, _, _)| resolve(&url, feed_url)).collect::<Vec<_>>();
        let found = std::iter::once(&entry.id)
            .filter_map(|id| Self::first_free(&self.items, self.by_guid.get_mut(id.trim())))
            .chain(enclosures.iter().filter_map(|url| Self::first_free(&self.items, self.by_enclosure.get_mut(url))))
            .next();
        found.and_then(|at| self.items[at].take()).unwrap_or_default()
    }

    fn first_free(items: &[Option<ItemExtras>], queue: Option<&mut VecDeque<usize>>) -> Option<usize> {
        let queue = queue?;
        while let Some(&at) = queue.front() {
            if items[at].is_some() {
                return Some(at);
            }
            queue.pop_front();
        }
        None
    }
}

/// One episode from feed-rs's entry (when there is one) and the pass's item; None when it has no
/// audio to play.
fn episode(entry: Option<&Entry>, item: ItemExtras, feed_url: &Url, ids_are_real: bool) -> Option<NewEpisode> {
    let enclosure = episode_enclosure(entry, item.enclosure, feed_url)?;
    let media = entry.map(|e| e.media.as_slice()).unwrap_or_default();
    let title = entry
        .and_then(|e| e.title.as_ref())
        .map(|t| t.content.trim().to_string())
        .filter(|t| !t.is_empty())
        .or(item.title)
        .unwrap_or_else(|| "Untitled episode".to_string());
    let published: Option<DateTime<Utc>> = entry.and_then(|e| e.published.or(e.updated)).or(item.published);
    let media_duration = media.iter().find_map(|m| m.duration).map(|d| d.as_secs() as u32).filter(|d| *d > 0);
    let content = entry.and_then(|e| e.content.as_ref()?.body.clone()).into_iter().chain(item.content);
    let summaries = entry.map(|e| {
        let summary = e.summary.as_ref().map(|s| s.content.clone());
        let media_description = media.iter().find_map(|m| m.description.as_ref().map(|d| d.content.clone()));
        [summary, media_description].into_iter().flatten().collect::<Vec<_>>()
    });
    // The content (Atom <content>, RSS content:encoded) is the notes whenever it has any; else
    // the richest of the rest.
    let notes = first_non_empty(content)
        .or_else(|| richest_notes(summaries.unwrap_or_default().into_iter().chain(item.notes).collect()));
    // A guid that is a permalink is the episode's page when it names no other (as feedparser
    // and podcastparser read it).
    let permalink = item.guid.clone().filter(|_| item.guid_is_link);
    let link = entry
        .and_then(|e| e.links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")))
        .map(|l| l.href.clone())
        .or(item.link)
        .filter(|href| is_web_url(href))
        .or_else(|| permalink.filter(|guid| is_web_url(guid)));
    let thumbnail = || media.iter().find_map(|m| m.thumbnails.first().map(|t| t.image.uri.clone()));
    let entry_guid = entry.map(|e| e.id.clone()).filter(|id| ids_are_real && !id.is_empty() && !looks_generated(id));
    Some(NewEpisode {
        guid: item.guid.or(entry_guid),
        title,
        published,
        // An itunes:duration that does not read is unknown (the file tells once it is known),
        // never a number scraped out of it.
        duration_secs: if item.duration_given { item.duration } else { media_duration },
        enclosure,
        notes_html: notes,
        episode_number: item
            .episode
            .or_else(|| media.iter().find_map(|m| m.episode.as_ref().and_then(|e| positive_whole(e.number)))),
        season_number: item.season.or_else(|| media.iter().find_map(|m| m.season.as_ref().map(|s| s.number))),
        link,
        image_url: item.image.or(item.thumbnail).or_else(thumbnail).and_then(|u| resolve(&u, feed_url)),
        chapters_url: item.chapters.and_then(|u| resolve(&u, feed_url)),
        psc_chapters: crate::chapters::from_psc(&item.psc, feed_url),
        transcripts: resolve_transcripts(item.transcripts, feed_url),
        explicit: item.explicit,
        episode_type: item.episode_type,
        credits: EpisodeCredits { subtitle: item.subtitle, author: item.author, persons: item.persons },
    })
}

/// An episode number as feed-rs reads it (a float): only a positive whole number counts, never a
/// negative or absurd one cast into range.
fn positive_whole(number: f32) -> Option<u32> {
    (number.is_finite() && number >= 1.0 && number.fract() == 0.0 && number <= u32::MAX as f32).then_some(number as u32)
}

fn first_non_empty(sources: impl IntoIterator<Item = String>) -> Option<String> {
    sources.into_iter().map(|n| n.trim().to_string()).find(|n| !n.is_empty())
}

/// The richest of several texts that say the same thing (a description, a summary): the longest
/// non-empty one.
fn richest_notes(sources: Vec<String>) -> Option<String> {
    sources.into_iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).max_by_key(|n| n.len())
}

/// Transcript links whose URL resolves to http(s), the rest dropped.
fn resolve_transcripts(links: Vec<TranscriptLink>, feed_url: &Url) -> Vec<TranscriptLink> {
    links.into_iter().filter_map(|link| Some(TranscriptLink { url: resolve(&link.url, feed_url)?, ..link })).collect()
}

/// feed-rs invents an id (a hex digest, without its leading zeros) when an entry has none;
/// that is not a guid.
fn looks_generated(id: &str) -> bool {
    (16..=32).contains(&id.len()) && id.chars().all(|c| c.is_ascii_hexdigit())
}

/// An entry's enclosure candidates as feed-rs read them: media contents, then enclosure links.
fn entry_enclosures(entry: &Entry) -> impl Iterator<Item = (String, Option<String>, Option<u64>)> + '_ {
    let media = entry.media.iter().flat_map(|m| {
        m.content.iter().filter_map(|c| {
            c.url.as_ref().map(|u| (u.to_string(), c.content_type.as_ref().map(|t| t.to_string()), c.size))
        })
    });
    let links = entry
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
        .map(|l| (l.href.clone(), l.media_type.clone(), l.length));
    media.chain(links)
}

/// The first candidate that is audio at an http(s) address: the pass's raw `<enclosure>` first.
fn episode_enclosure(entry: Option<&Entry>, raw: Option<RawEnclosure>, feed_url: &Url) -> Option<Enclosure> {
    let candidates =
        raw.into_iter().map(|r| (r.url, r.mime, r.length)).chain(entry.into_iter().flat_map(entry_enclosures));
    for (url, mime, length) in candidates {
        let Some(url) = resolve(&url, feed_url) else { continue };
        let mime = mime.map(|m| m.trim().to_string()).filter(|m| !m.is_empty() && m != "null");
        if is_audio(&url, mime.as_deref()) {
            return Some(Enclosure { url, mime, length: length.filter(|l| *l > 0) });
        }
    }
    None
}

fn is_audio(url: &str, mime: Option<&str>) -> bool {
    if mime.is_some_and(|m| m.to_ascii_lowercase().contains("audio")) {
        return true;
    }
    let path = Url::parse(url).map(|u| u.path().to_ascii_lowercase()).unwrap_or_default();
    path.rsplit_once('.').is_some_and(|(_, ext)| AUDIO_EXTENSIONS.contains(&ext))
}

#[cfg(test)]
mod tests {
    use crate::feed::parse_feed;

    #[test]
    fn each_item_keeps_its_own_fields_when_the_passes_count_items_differently() {
        // The pass sees an <item> that feed-rs does not list (it is not under the channel): paired
        // by position, every episode would lose its guid and duration, or take another's.
        let feed = br#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
            xmlns:x="https://example.com/x"><channel><title>T</title>
            <x:promo><item><guid>promo</guid><itunes:duration>9:99</itunes:duration></item></x:promo>
            <item><title>A</title><guid>guid-a</guid><itunes:duration>1:00</itunes:duration>
              <enclosure url="https://example.com/a.mp3" type="audio/mpeg"/></item>
            <item><title>B</title><itunes:duration>2:00</itunes:duration>
              <enclosure url="https://example.com/b.mp3" type="audio/mpeg"/></item>
            </channel></rss>"#;
        let base = url::Url::parse("https://example.com/feed.xml").unwrap();
        let episodes = parse_feed(feed, &base).unwrap().episodes;
        let got: Vec<_> = episodes.iter().map(|e| (e.title.as_str(), e.guid.as_deref(), e.duration_secs)).collect();
        assert_eq!(got, [("A", Some("guid-a"), Some(60)), ("B", None, Some(120))]);
    }

    #[test]
    fn a_negative_or_fractional_episode_number_is_no_number() {
        let feed = br#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
            xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>T</title>
            <item><title>A</title><itunes:episode>-3</itunes:episode><podcast:episode>-3</podcast:episode>
              <itunes:season>-1</itunes:season><enclosure url="https://example.com/a.mp3" type="audio/mpeg"/></item>
            <item><title>B</title><podcast:episode>2.5</podcast:episode><itunes:episode>x</itunes:episode>
              <enclosure url="https://example.com/b.mp3" type="audio/mpeg"/></item>
            <item><title>C</title><itunes:episode>7</itunes:episode><enclosure url="https://example.com/c.mp3" type="audio/mpeg"/></item>
            </channel></rss>"#;
        let base = url::Url::parse("https://example.com/feed.xml").unwrap();
        let episodes = parse_feed(feed, &base).unwrap().episodes;
        let numbers: Vec<_> = episodes.iter().map(|e| (e.episode_number, e.season_number)).collect();
        assert_eq!(numbers, [(None, None), (None, None), (Some(7), None)]);
    }
}
