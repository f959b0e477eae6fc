//! The second, light pass over a feed with quick-xml: what feed-rs drops or misreads in podcast
//! feeds (durations, enclosures with odd attributes, `itunes:new-feed-url`, Podcasting 2.0 links,
//! episode numbers), and every item's fields for when feed-rs cannot read the feed at all.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use quick_xml::events::{BytesStart, Event};

use crate::chapters::MAX_CHAPTERS;
use crate::model::time::{TimeSource, parse_time};
use crate::model::{EpisodeType, Person, Related, RemoteFeed, TranscriptLink, WebLink};

pub(super) const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
const PSC_NS: &str = "http://podlove.org/simple-chapters";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const SYNDICATION_NS: &str = "http://purl.org/rss/1.0/modules/syndication/";
/// Media RSS, with and without its trailing slash.
const MEDIA_NS: [&str; 1] = ["http://search.yahoo.com/mrss/"];
/// Both URIs of the Podcasting 2.0 namespace are in use: the current one and the legacy one.
pub(super) const PODCAST_NS: [&str; 2] = [
    "https://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
];

/// What the quick-xml pass reads from one `<item>`.
#[derive(Debug, Default)]
pub(super) struct ItemExtras {
    pub(super) guid: Option<String>,
    /// The guid is a permalink (`isPermaLink` absent or true): the episode's web page when it
    /// has no `<link>` and the guid is an http(s) address.
    pub(super) guid_is_link: bool,
    /// `itunes:subtitle` and `itunes:author` of the episode.
    pub(super) subtitle: Option<String>,
    pub(super) author: Option<String>,
    /// The episode's own `podcast:person`s (guests, this episode's hosts).
    pub(super) persons: Vec<Person>,
    /// Read for the fallback, when feed-rs cannot read the feed.
    pub(super) title: Option<String>,
    pub(super) published: Option<DateTime<Utc>>,
    /// `content:encoded`, which is the notes whenever it has any.
    pub(super) content: Option<String>,
    /// The other non-empty notes sources (description, itunes:summary, media:description): the
    /// richest is the notes when there is no content.
    pub(super) notes: Vec<String>,
    pub(super) link: Option<String>,
    pub(super) enclosure: Option<RawEnclosure>,
    pub(super) duration: Option<u32>,
    /// The item states a duration (readable or not): then nobody else's guess replaces it.
    pub(super) duration_given: bool,
    pub(super) episode: Option<u32>,
    pub(super) season: Option<u32>,
    pub(super) image: Option<String>,
    /// `media:thumbnail`, alone or in a `media:group`: the episode's picture when it has no
    /// `itunes:image`.
    pub(super) thumbnail: Option<String>,
    pub(super) chapters: Option<String>,
    /// Podlove Simple Chapters: start, title, href, image as written.
    pub(super) psc: Vec<RawPscChapter>,
    pub(super) transcripts: Vec<TranscriptLink>,
    pub(super) explicit: bool,
    pub(super) episode_type: EpisodeType,
}

pub(super) type RawPscChapter = (String, String, Option<String>, Option<String>);

/// More people than this on one show or episode are a list of credits, not who speaks.
const MAX_PERSONS: usize = 32;

/// An item rarely lists more than an SRT, a VTT, a JSON and an HTML transcript per language.
const MAX_TRANSCRIPT_LINKS: usize = 32;

#[derive(Debug)]
pub(super) struct RawEnclosure {
    pub(super) url: String,
    pub(super) mime: Option<String>,
    pub(super) length: Option<u64>,
}

#[derive(Debug, Default)]
pub(super) struct FeedExtras {
    /// The channel's title and link (for the fallback).
    pub(super) title: Option<String>,
    /// Every non-empty description the channel gives (description, itunes:summary).
    pub(super) descriptions: Vec<String>,
    pub(super) link: Option<String>,
    pub(super) new_feed_url: Option<String>,
    /// `atom:link rel="self"`: where the feed says it lives.
    pub(super) self_url: Option<String>,
    /// `podcast:guid`: the show's own identity, whatever its address.
    pub(super) podcast_guid: Option<String>,
    pub(super) image: Option<String>,
    pub(super) author: Option<String>,
    /// `itunes:subtitle` of the channel.
    pub(super) subtitle: Option<String>,
    pub(super) related: Related,
    pub(super) items: Vec<ItemExtras>,
    /// `itunes:type serial`.
    pub(super) serial: bool,
    /// `sy:updatePeriod` and `sy:updateFrequency`, as written.
    pub(super) sy_period: Option<String>,
    pub(super) sy_frequency: Option<String>,
    /// `podcast:updateFrequency`'s `rrule`.
    pub(super) update_rule: Option<String>,
    /// RFC 5005: where the rest of a paged feed's archive goes on (`atom:link rel="next"`).
    pub(super) next_page: Option<String>,
    /// False when the pass could not read the whole document: then its items are not used.
    pub(super) complete: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Ns {
    Plain,
    Itunes,
    Podcast,
    /// Podlove Simple Chapters.
    Psc,
    /// Media RSS (`media:thumbnail`, `media:description`).
    Media,
    /// Atom (`atom:link` in an RSS feed).
    Atom,
    /// RSS 1.0's syndication module (`sy:updatePeriod`).
    Syndication,
    Other,
}

#[derive(Clone, PartialEq)]
enum Field {
    /// `itunes:episodeType` of an item.
    EpisodeType,
    /// `itunes:type` of the channel.
    ShowType,
    /// `content:encoded`.
    Content,
    Guid,
    Duration,
    Episode,
    Season,
    NewFeedUrl,
    Author,
    /// Text of a show-level link element whose URL was in an attribute.
    Funding(String),
    /// A `podcast:person`'s name is its text; the rest came from its attributes.
    Person(Box<Person>),
    Subtitle,
    Explicit,
    Title,
    Published,
    Notes,
    Link,
    UpdatePeriod,
    UpdateFrequency,
    PodcastGuid,
}

/// At most this many notes sources per item are kept (a feed may repeat them).
const MAX_NOTES_SOURCES: usize = 4;

/// Reads the document once with quick-xml, for what feed-rs drops or misreads.
pub(super) fn scan_extras(text: &str) -> FeedExtras {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut scan = Scanner::default();
    loop {
        let Ok(event) = reader.read_event() else { return scan.extras };
        match event {
            Event::Start(ref e) => scan.start(e, false),
            Event::Empty(ref e) => scan.start(e, true),
            Event::Text(t) if scan.field.is_some() => scan.text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if scan.field.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    scan.text.push(c);
                } else if let Some(text) = resolve_entity(&r) {
                    scan.text.push_str(text);
                }
            }
            Event::CData(t) if scan.field.is_some() => scan.text.push_str(t.as_ref()),
            Event::End(_) => scan.end(),
            Event::Eof => break,
            _ => {}
        }
    }
    scan.extras.complete = true;
    scan.extras
}

/// Where the pass is in the document.
#[derive(Default)]
struct Scanner {
    prefixes: HashMap<String, Ns>,
    extras: FeedExtras,
    /// The depth of the `<item>` being read, if inside one.
    depth_in_item: Option<usize>,
    /// The depth of a `podcast:alternateEnclosure` being read: what it holds (its duration, its
    /// chapters, its transcript) describes that other enclosure, not the episode.
    depth_in_alternate: Option<usize>,
    depth: usize,
    /// The element whose text is being collected, and that text.
    field: Option<Field>,
    text: String,
}

impl Scanner {
    fn start(&mut self, e: &BytesStart<'_>, is_empty: bool) {
        learn_prefixes(e, &mut self.prefixes);
        let (ns, local) = element_name(e, &self.prefixes);
        if !is_empty {
            self.depth += 1;
        }
        if ns == Ns::Plain && local == "item" && !is_empty {
            self.extras.items.push(ItemExtras::default());
            self.depth_in_item = Some(self.depth);
            return;
        }
        if ns == Ns::Podcast && local == "alternateEnclosure" && !is_empty && self.depth_in_alternate.is_none() {
            self.depth_in_alternate = Some(self.depth);
        }
        self.field = match self.extras.items.last_mut().filter(|_| self.depth_in_item.is_some()) {
            Some(_) if self.depth_in_alternate.is_some() => None,
            Some(item) => item_start(item, ns, &local, e),
            None => channel_start(&mut self.extras, ns, &local, e),
        };
        if is_empty {
            self.field = None;
        }
        self.text.clear();
    }

    fn end(&mut self) {
        if let Some(field) = self.field.take() {
            let value = self.text.trim().to_string();
            match self.extras.items.last_mut().filter(|_| self.depth_in_item.is_some()) {
                Some(item) => item_end(item, field, value),
                None => channel_end(&mut self.extras, field, value),
            }
        }
        if self.depth_in_item == Some(self.depth) {
            self.depth_in_item = None;
        }
        if self.depth_in_alternate == Some(self.depth) {
            self.depth_in_alternate = None;
        }
        self.depth = self.depth.saturating_sub(1);
    }
}

/// An element opening inside an item: attributes are read at once; the field whose text is
/// wanted is returned.
fn item_start(item: &mut ItemExtras, ns: Ns, local: &str, e: &BytesStart<'_>) -> Option<Field> {
    match (ns, local) {
        (Ns::Plain, "enclosure") if item.enclosure.is_none() => {
            item.enclosure = attr(e, "url").map(|url| RawEnclosure {
                url,
                mime: attr(e, "type"),
                length: attr(e, "length").and_then(|l| l.trim().parse().ok()).filter(|l| *l > 0),
            });
        }
        (Ns::Plain, "guid") => {
            item.guid_is_link = attr(e, "isPermaLink").is_none_or(|p| p.eq_ignore_ascii_case("true"));
            return Some(Field::Guid);
        }
        (Ns::Itunes, "subtitle") => return Some(Field::Subtitle),
        (Ns::Itunes, "author") => return Some(Field::Author),
        (Ns::Podcast, "person") if item.persons.len() < MAX_PERSONS => return Some(person(e)),
        (Ns::Plain, "title") => return Some(Field::Title),
        (Ns::Plain, "pubDate") => return Some(Field::Published),
        (Ns::Other, "encoded") => return Some(Field::Content),
        (Ns::Plain, "description") | (Ns::Itunes, "summary") | (Ns::Media, "description") => return Some(Field::Notes),
        (Ns::Media, "thumbnail") if item.thumbnail.is_none() => item.thumbnail = attr(e, "url"),
        (Ns::Plain, "link") => return Some(Field::Link),
        (Ns::Itunes, "duration") => {
            item.duration_given = true;
            return Some(Field::Duration);
        }
        (Ns::Itunes, "explicit") => return Some(Field::Explicit),
        (Ns::Itunes, "episodeType") => return Some(Field::EpisodeType),
        (Ns::Itunes | Ns::Podcast, "episode") => return Some(Field::Episode),
        (Ns::Itunes | Ns::Podcast, "season") => return Some(Field::Season),
        (Ns::Itunes, "image") => item.image = attr(e, "href").or(item.image.take()),
        (Ns::Podcast, "chapters") => item.chapters = attr(e, "url"),
        (Ns::Podcast, "transcript") if item.transcripts.len() < MAX_TRANSCRIPT_LINKS => {
            if let Some(url) = attr(e, "url") {
                let (mime, language, rel) = (attr(e, "type"), attr(e, "language"), attr(e, "rel"));
                item.transcripts.push(TranscriptLink { url, mime, language, rel });
            }
        }
        (Ns::Psc, "chapter") if item.psc.len() < MAX_CHAPTERS => {
            if let (Some(start), title) = (attr(e, "start"), attr(e, "title")) {
                item.psc.push((start, title.unwrap_or_default(), attr(e, "href"), attr(e, "image")));
            }
        }
        _ => {}
    }
    None
}

/// An element opening outside any item (the channel's own tags).
fn channel_start(extras: &mut FeedExtras, ns: Ns, local: &str, e: &BytesStart<'_>) -> Option<Field> {
    let web = |name| web_attr(e, name);
    match (ns, local) {
        (Ns::Atom | Ns::Plain, "link") if attr(e, "rel").is_some_and(|rel| rel.eq_ignore_ascii_case("next")) => {
            extras.next_page = extras.next_page.take().or_else(|| attr(e, "href"));
        }
        (Ns::Atom | Ns::Plain, "link") if attr(e, "rel").is_some_and(|rel| rel.eq_ignore_ascii_case("self")) => {
            extras.self_url = extras.self_url.take().or_else(|| attr(e, "href"));
        }
        // Where to support the show, as AntennaPod reads it beside podcast:funding.
        (Ns::Atom | Ns::Plain, "link") if attr(e, "rel").is_some_and(|rel| rel.eq_ignore_ascii_case("payment")) => {
            if let Some(url) = web("href") {
                extras.related.funding.push(WebLink { url, text: "Support the show".into() });
            }
        }
        (Ns::Plain, "title") => return Some(Field::Title),
        (Ns::Plain, "description") | (Ns::Itunes, "summary") => return Some(Field::Notes),
        (Ns::Plain, "link") => return Some(Field::Link),
        (Ns::Podcast, "remoteItem") => {
            let (url, guid) = (web("feedUrl"), attr(e, "feedGuid"));
            // Only whole shows: an itemGuid names an episode, and a medium other than podcast
            // names a publisher or music.
            let show = attr(e, "itemGuid").is_none() && attr(e, "medium").is_none_or(|m| m == "podcast");
            if (url.is_some() || guid.is_some()) && show {
                extras.related.podroll.push(RemoteFeed { url, guid, title: attr(e, "title") });
            }
        }
        (Ns::Podcast, "funding") => return web("url").map(Field::Funding),
        (Ns::Podcast, "guid") => return Some(Field::PodcastGuid),
        (Ns::Podcast, "person") if extras.related.people.len() < MAX_PERSONS => return Some(person(e)),
        (Ns::Itunes, "subtitle") => return Some(Field::Subtitle),
        (Ns::Itunes, "new-feed-url") => return Some(Field::NewFeedUrl),
        (Ns::Syndication, "updatePeriod") => return Some(Field::UpdatePeriod),
        (Ns::Syndication, "updateFrequency") => return Some(Field::UpdateFrequency),
        (Ns::Podcast, "updateFrequency") => extras.update_rule = attr(e, "rrule"),
        (Ns::Itunes, "author") => return Some(Field::Author),
        (Ns::Itunes, "type") => return Some(Field::ShowType),
        (Ns::Itunes, "image") if extras.image.is_none() => extras.image = attr(e, "href"),
        _ => {}
    }
    None
}

/// A field inside an item closed with `value`, its text trimmed.
fn item_end(item: &mut ItemExtras, field: Field, value: String) {
    match field {
        Field::Guid => item.guid = non_empty(value),
        Field::Title => item.title = item.title.take().or(non_empty(value)),
        Field::Published => item.published = published(&value),
        Field::Content => item.content = item.content.take().or(non_empty(value)),
        Field::Notes if !value.is_empty() && item.notes.len() < MAX_NOTES_SOURCES => item.notes.push(value),
        Field::Link => item.link = item.link.take().or(non_empty(value)),
        Field::Duration => item.duration = parse_duration(&value),
        Field::Explicit => item.explicit = matches!(value.to_ascii_lowercase().as_str(), "yes" | "true" | "explicit"),
        Field::Episode => item.episode = value.parse().ok().or(item.episode),
        Field::EpisodeType => item.episode_type = EpisodeType::parse(&value).unwrap_or_default(),
        Field::Season => item.season = value.parse().ok().or(item.season),
        Field::Subtitle => item.subtitle = item.subtitle.take().or(non_empty(value)),
        Field::Author => item.author = item.author.take().or(non_empty(value)),
        Field::Person(person) if !value.is_empty() => item.persons.push(Person { name: value, ..*person }),
        _ => {}
    }
}

/// A channel-level field closed with `value`, its text trimmed.
fn channel_end(extras: &mut FeedExtras, field: Field, value: String) {
    match field {
        Field::Title => extras.title = extras.title.take().or(non_empty(value)),
        Field::Notes if !value.is_empty() && extras.descriptions.len() < MAX_NOTES_SOURCES => {
            extras.descriptions.push(value)
        }
        Field::Link => extras.link = extras.link.take().or(non_empty(value)),
        Field::NewFeedUrl => extras.new_feed_url = non_empty(value),
        Field::Author => extras.author = non_empty(value),
        Field::ShowType => extras.serial = value.trim().eq_ignore_ascii_case("serial"),
        Field::UpdatePeriod => extras.sy_period = non_empty(value),
        Field::PodcastGuid => extras.podcast_guid = non_empty(value),
        Field::UpdateFrequency => extras.sy_frequency = non_empty(value),
        Field::Funding(url) => {
            let text = if value.is_empty() { "Support the show".to_string() } else { value };
            extras.related.funding.push(WebLink { url, text });
        }
        Field::Person(person) if !value.is_empty() => extras.related.people.push(Person { name: value, ..*person }),
        Field::Subtitle => extras.subtitle = extras.subtitle.take().or(non_empty(value)),
        _ => {}
    }
}

/// A `podcast:person`'s attributes (its name is its text): the role in lower case, as the
/// namespace's list writes it; a page and a picture only at http(s) addresses.
fn person(e: &BytesStart<'_>) -> Field {
    let role = attr(e, "role").map(|r| r.to_lowercase());
    Field::Person(Box::new(Person { name: String::new(), role, href: web_attr(e, "href"), img: web_attr(e, "img") }))
}

/// An attribute holding an http(s) address; None for anything else (`javascript:`, `file:`).
fn web_attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    attr(e, name).filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

/// An RSS date, read as RFC 822 says, else as leniently as feed readers do: a weekday without
/// its comma, a time with a digit too many, an unknown zone: whatever is readable is kept (the
/// day at least, from midnight in its zone), so the episode keeps its place in the list.
fn published(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&Utc));
    }
    let words: Vec<&str> = value.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    // Day, month and year, wherever the weekday left them.
    let at = words.iter().position(|w| w.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d)))?;
    let (day, month, year) = (words[at].parse::<u32>().ok()?, words.get(at + 1)?, words.get(at + 2)?);
    let month = MONTHS.iter().position(|m| month.len() >= 3 && m.eq_ignore_ascii_case(&month[..3]))? as u32 + 1;
    let year: i32 = year.parse().ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    let time = words.get(at + 3).and_then(|clock| lenient_clock(clock)).unwrap_or_default();
    let offset = words.get(at + 4).and_then(|zone| zone_offset_secs(zone)).unwrap_or(0);
    let local = date.and_time(time);
    Some(local.and_utc() - chrono::Duration::seconds(i64::from(offset)))
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// `HH:MM[:SS]`, each field read as a number (`012` is 12) and checked for range.
fn lenient_clock(clock: &str) -> Option<chrono::NaiveTime> {
    let mut fields = clock.split(':').map(|f| f.parse::<u32>().ok());
    let (hour, minute) = (fields.next()??, fields.next()??);
    let second = fields.next().flatten().unwrap_or(0);
    chrono::NaiveTime::from_hms_opt(hour, minute, second)
}

/// A zone as RFC 822 names it (`GMT`, `EST` … or `+0100`), in seconds east of UTC.
fn zone_offset_secs(zone: &str) -> Option<i32> {
    let hours = match zone.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => {
            let (sign, digits) = match zone.as_bytes().first()? {
                b'+' => (1, &zone[1..]),
                b'-' => (-1, &zone[1..]),
                _ => return None,
            };
            let number: i32 = digits.parse().ok().filter(|_| digits.len() == 4)?;
            return Some(sign * ((number / 100) * 3600 + (number % 100) * 60));
        }
    };
    Some(hours * 3600)
}

fn non_empty(value: String) -> Option<String> {
    Some(value).filter(|v| !v.is_empty())
}

fn resolve_entity(r: &quick_xml::events::BytesRef<'_>) -> Option<&'static str> {
    Some(match r.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// The namespace a URI names. Case is ignored (feeds write `.../DTDs/Podcast-1.0.dtd`), and so is
/// a trailing slash.
fn namespace(uri: &str) -> Ns {
    let uri = uri.trim().trim_end_matches('/');
    let same = |known: &str| uri.eq_ignore_ascii_case(known.trim_end_matches('/'));
    if same(ITUNES_NS) {
        Ns::Itunes
    } else if PODCAST_NS.iter().any(|p| same(p)) {
        Ns::Podcast
    } else if same(PSC_NS) {
        Ns::Psc
    } else if MEDIA_NS.iter().any(|m| same(m)) {
        Ns::Media
    } else if same(ATOM_NS) {
        Ns::Atom
    } else if same(SYNDICATION_NS) {
        Ns::Syndication
    } else {
        Ns::Other
    }
}

fn learn_prefixes(e: &BytesStart<'_>, prefixes: &mut HashMap<String, Ns>) {
    for a in e.attributes().flatten() {
        let key: &str = a.key.as_ref();
        if let Some(prefix) = key.strip_prefix("xmlns:") {
            prefixes.insert(prefix.to_string(), namespace(&a.value));
        }
    }
}

fn element_name(e: &BytesStart<'_>, prefixes: &HashMap<String, Ns>) -> (Ns, String) {
    let name = AsRef::<str>::as_ref(&e.name()).to_string();
    match name.split_once(':') {
        // An element that declares its own default namespace (`<duration xmlns="…itunes…">`).
        None => (attr(e, "xmlns").map_or(Ns::Plain, |uri| namespace(&uri)), name),
        Some((prefix, local)) => {
            let ns = prefixes.get(prefix).copied().unwrap_or(match prefix {
                "itunes" => Ns::Itunes,
                "podcast" => Ns::Podcast,
                "psc" => Ns::Psc,
                "media" => Ns::Media,
                "atom" => Ns::Atom,
                _ => Ns::Other,
            });
            (ns, local.to_string())
        }
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| AsRef::<str>::as_ref(&a.key) == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::default()).ok().map(|v| v.trim().to_string()))
        .filter(|v| !v.is_empty())
}

/// An `itunes:duration` in whole seconds: the one timestamp grammar, read as publishers write it.
fn parse_duration(text: &str) -> Option<u32> {
    parse_time(text, TimeSource::Duration).map(|secs| secs.round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("61:08"), Some(3668));
        assert_eq!(parse_duration("1:02:03"), Some(3723));
        assert_eq!(parse_duration("3723"), Some(3723));
        assert_eq!(parse_duration("00:45"), Some(45));
        assert_eq!(parse_duration("45:30"), Some(2730));
        assert_eq!(parse_duration(" 12:00.5 "), Some(721));
        assert_eq!(parse_duration("https://www.mediafire.com/file/x"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("1:2:3:4"), None);
    }
}
