//! Feed bytes → `ParsedFeed`. feed-rs reads the document; a second light pass with quick-xml
//! reads what feed-rs drops or misreads in podcast feeds (durations, enclosures with odd
//! attributes, `itunes:new-feed-url`, Podcasting 2.0 links, episode numbers).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use quick_xml::events::{BytesStart, Event};
use url::Url;

use crate::chapters::MAX_CHAPTERS;
use crate::error::FeedError;
use crate::model::time::{TimeSource, parse_time};
use crate::model::{Enclosure, NewEpisode, NewPodcast, ParsedFeed, Related, RemoteFeed, WebLink};
use crate::transcript::TranscriptLink;

const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
const PSC_NS: &str = "http://podlove.org/simple-chapters";
/// Both URIs of the Podcasting 2.0 namespace are in use: the current one and the legacy one.
const PODCAST_NS: [&str; 2] = [
    "https://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
];

/// File extensions that count as audio when a feed gives no usable MIME type.
const AUDIO_EXTENSIONS: [&str; 8] = ["mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "wav"];

pub fn parse_feed(body: &[u8], feed_url: &Url) -> Result<ParsedFeed, FeedError> {
    let not_a_feed = |what: String| FeedError::NotAFeed { url: feed_url.to_string(), what };
    let text = to_utf8(body);
    let text = trim_to_document(&text);
    if text.is_empty() {
        return Err(not_a_feed("empty document".into()));
    }
    if looks_like_html(text) {
        return Err(not_a_feed("HTML page".into()));
    }
    let text = declare_missing_namespaces(text);
    let text = complete_rss_root(&text);

    let extras = scan_extras(&text);
    match read_with_feed_rs(&text, feed_url) {
        Ok(feed) => Ok(build(feed, extras, feed_url).cleaned()),
        // A well-formed feed is never refused because feed-rs chokes on something in it (an
        // empty CDATA section, say): our own pass has read every item, and the feed is built
        // from that.
        Err(_) if extras.complete && is_well_formed(&text) && has_feed_root(&text) => {
            tracing::info!(url = %feed_url, "feed-rs could not read this feed; using the items read by Hark's own pass");
            Ok(build_from_extras(extras, feed_url).cleaned())
        }
        Err(e) => Err(not_a_feed(format!("malformed XML: {e}"))),
    }
}

fn read_with_feed_rs(text: &str, feed_url: &Url) -> Result<feed_rs::model::Feed, feed_rs::parser::ParseFeedError> {
    feed_rs::parser::Builder::new().base_uri(Some(feed_url.as_str())).build().parse(text.as_bytes())
}

/// Strictly well-formed: every element closed by its own name, nothing after the root.
fn is_well_formed(text: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return depth == 0 && roots == 1,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

fn has_feed_root(text: &str) -> bool {
    ["<rss", "<feed", "<rdf:RDF"].iter().any(|root| text.contains(root))
}

/// Decodes the body to UTF-8 by BOM, then by XML declaration, then as Windows-1252, and
/// rewrites the declaration to say UTF-8 so the XML reader does not decode it twice.
pub fn to_utf8(body: &[u8]) -> String {
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(body) {
        Some((encoding, len)) => (Some(encoding), len),
        None => (declared_encoding(body), 0),
    };
    let body = &body[bom_len..];
    let text: Cow<'_, str> = match encoding {
        Some(enc) if enc != encoding_rs::UTF_8 => enc.decode_without_bom_handling(body).0,
        _ => match std::str::from_utf8(body) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(body).0,
        },
    };
    rewrite_declared_encoding(&text)
}

fn declared_encoding(body: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &body[..body.len().min(512)];
    let head = String::from_utf8_lossy(head);
    // The declaration's own end: a `?>` before it (PHP output) must not be taken for it.
    let decl_start = head.find("<?xml")?;
    let decl_end = head[decl_start..].find("?>")? + decl_start;
    let decl = &head[decl_start..decl_end];
    let value = attribute_in(decl, "encoding")?;
    encoding_rs::Encoding::for_label(value.as_bytes())
}

fn attribute_in<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[at..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

fn rewrite_declared_encoding(text: &str) -> String {
    let Some(start) = text.find("<?xml") else { return text.to_string() };
    let Some(end) = text[start..].find("?>").map(|e| e + start) else { return text.to_string() };
    let decl = &text[start..end];
    match attribute_in(decl, "encoding") {
        Some(value) if !value.eq_ignore_ascii_case("utf-8") => {
            let fixed = decl.replacen(&format!("encoding=\"{value}\""), "encoding=\"UTF-8\"", 1).replacen(
                &format!("encoding='{value}'"),
                "encoding='UTF-8'",
                1,
            );
            format!("{}{}{}", &text[..start], fixed, &text[end..])
        }
        _ => text.to_string(),
    }
}

/// Skips what servers print before the document: whitespace, and text such as PHP warnings
/// in front of the XML declaration.
fn trim_to_document(text: &str) -> &str {
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml") {
        return trimmed;
    }
    let search = &trimmed[..floor_char_boundary(trimmed, 64 * 1024)];
    match search.find("<?xml") {
        Some(at) => &trimmed[at..],
        None => trimmed,
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn looks_like_html(text: &str) -> bool {
    let head = text[..floor_char_boundary(text, 1024)].to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.contains("<html") && !head.contains("<rss"))
}

/// Some feeds use `itunes:` or `podcast:` without declaring them; a namespace-aware reader
/// rejects that, so declare them on the root element.
fn declare_missing_namespaces(text: &str) -> Cow<'_, str> {
    let mut missing = String::new();
    if text.contains("<itunes:") && !text.contains("xmlns:itunes") {
        missing.push_str(&format!(" xmlns:itunes=\"{ITUNES_NS}\""));
    }
    if text.contains("<podcast:") && !text.contains("xmlns:podcast") {
        missing.push_str(&format!(" xmlns:podcast=\"{}\"", PODCAST_NS[0]));
    }
    if missing.is_empty() {
        return Cow::Borrowed(text);
    }
    let Some(root) = ["<rss", "<feed", "<rdf:RDF"].iter().find_map(|tag| text.find(tag).map(|at| at + tag.len()))
    else {
        return Cow::Borrowed(text);
    };
    Cow::Owned(format!("{}{}{}", &text[..root], missing, &text[root..]))
}

/// feed-rs recognises RSS 2 by `<rss version=…>` and needs a `<channel>`; old and minimal
/// feeds have neither. Supply both so such a feed reads as RSS 2 (an empty one has no episodes).
fn complete_rss_root(text: &str) -> Cow<'_, str> {
    let Some(start) = text.find("<rss") else { return Cow::Borrowed(text) };
    let Some(tag_end) = text[start..].find('>').map(|e| e + start) else { return Cow::Borrowed(text) };
    let tag = &text[start..tag_end];
    let needs_version = attribute_in(tag, "version").is_none();
    let needs_channel = !text[tag_end..].contains("<channel");
    if !needs_version && !needs_channel {
        return Cow::Borrowed(text);
    }
    let (head, self_closing) = match tag.strip_suffix('/') {
        Some(head) => (head, true),
        None => (tag, false),
    };
    let mut fixed = String::with_capacity(text.len() + 40);
    fixed.push_str(&text[..start]);
    fixed.push_str(head);
    if needs_version {
        fixed.push_str(" version=\"2.0\"");
    }
    fixed.push('>');
    if needs_channel {
        fixed.push_str("<channel></channel>");
    }
    if self_closing {
        fixed.push_str("</rss>");
    }
    fixed.push_str(&text[tag_end + 1..]);
    Cow::Owned(fixed)
}

/// What the quick-xml pass reads from one `<item>`.
#[derive(Debug, Default)]
struct ItemExtras {
    guid: Option<String>,
    /// Read for the fallback, when feed-rs cannot read the feed.
    title: Option<String>,
    published: Option<DateTime<Utc>>,
    notes: Option<String>,
    link: Option<String>,
    enclosure: Option<RawEnclosure>,
    duration: Option<u32>,
    episode: Option<u32>,
    season: Option<u32>,
    image: Option<String>,
    chapters: Option<String>,
    /// Podlove Simple Chapters: start, title, href, image as written.
    psc: Vec<RawPscChapter>,
    transcripts: Vec<TranscriptLink>,
    explicit: bool,
}

type RawPscChapter = (String, String, Option<String>, Option<String>);

/// An item rarely lists more than an SRT, a VTT, a JSON and an HTML transcript per language.
const MAX_TRANSCRIPT_LINKS: usize = 32;

#[derive(Debug)]
struct RawEnclosure {
    url: String,
    mime: Option<String>,
    length: Option<u64>,
}

#[derive(Debug, Default)]
struct FeedExtras {
    /// The channel's title, description and link (for the fallback).
    title: Option<String>,
    description: Option<String>,
    link: Option<String>,
    new_feed_url: Option<String>,
    image: Option<String>,
    author: Option<String>,
    related: Related,
    items: Vec<ItemExtras>,
    /// False when the pass could not read the whole document: then its items are not used.
    complete: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Ns {
    Plain,
    Itunes,
    Podcast,
    /// Podlove Simple Chapters.
    Psc,
    Other,
}

#[derive(Clone, PartialEq)]
enum Field {
    Guid,
    Duration,
    Episode,
    Season,
    NewFeedUrl,
    Author,
    /// Text of a show-level link element whose URL was in an attribute.
    Funding(String),
    Person(String),
    Explicit,
    Title,
    Published,
    Notes,
    Link,
}

fn scan_extras(text: &str) -> FeedExtras {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut prefixes: HashMap<String, Ns> = HashMap::new();
    let mut extras = FeedExtras::default();
    let mut depth_in_item: Option<usize> = None;
    let mut depth = 0usize;
    let mut field: Option<Field> = None;
    let mut field_text = String::new();

    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(_) => return extras,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                learn_prefixes(e, &mut prefixes);
                let (ns, local) = element_name(e, &prefixes);
                if !is_empty {
                    depth += 1;
                }
                if ns == Ns::Plain && local == "item" && !is_empty {
                    extras.items.push(ItemExtras::default());
                    depth_in_item = Some(depth);
                    continue;
                }
                let in_item = depth_in_item.is_some();
                let item = extras.items.last_mut().filter(|_| in_item);
                field = None;
                match (ns, local.as_str(), item) {
                    (Ns::Plain, "enclosure", Some(item)) if item.enclosure.is_none() => {
                        item.enclosure = attr(e, "url").map(|url| RawEnclosure {
                            url,
                            mime: attr(e, "type"),
                            length: attr(e, "length").and_then(|l| l.trim().parse().ok()).filter(|l| *l > 0),
                        });
                    }
                    (Ns::Plain, "guid", Some(_)) => field = Some(Field::Guid),
                    (Ns::Plain, "title", _) => field = Some(Field::Title),
                    (Ns::Plain, "pubDate", Some(_)) => field = Some(Field::Published),
                    (Ns::Plain, "description", _) | (Ns::Other, "encoded", Some(_)) => field = Some(Field::Notes),
                    (Ns::Plain, "link", _) => field = Some(Field::Link),
                    (Ns::Itunes, "duration", Some(_)) => field = Some(Field::Duration),
                    (Ns::Itunes, "explicit", Some(_)) => field = Some(Field::Explicit),
                    (Ns::Itunes | Ns::Podcast, "episode", Some(_)) => field = Some(Field::Episode),
                    (Ns::Itunes | Ns::Podcast, "season", Some(_)) => field = Some(Field::Season),
                    (Ns::Itunes, "image", Some(item)) => item.image = attr(e, "href").or(item.image.take()),
                    (Ns::Podcast, "chapters", Some(item)) => item.chapters = attr(e, "url"),
                    (Ns::Podcast, "transcript", Some(item)) if item.transcripts.len() < MAX_TRANSCRIPT_LINKS => {
                        if let Some(url) = attr(e, "url") {
                            item.transcripts.push(TranscriptLink {
                                url,
                                mime: attr(e, "type"),
                                language: attr(e, "language"),
                                rel: attr(e, "rel"),
                            });
                        }
                    }
                    (Ns::Psc, "chapter", Some(item)) if item.psc.len() < MAX_CHAPTERS => {
                        if let (Some(start), title) = (attr(e, "start"), attr(e, "title")) {
                            item.psc.push((start, title.unwrap_or_default(), attr(e, "href"), attr(e, "image")));
                        }
                    }
                    (Ns::Podcast, "remoteItem", None) => {
                        let url = attr(e, "feedUrl").filter(|u| u.starts_with("http://") || u.starts_with("https://"));
                        let guid = attr(e, "feedGuid");
                        // Only whole shows: an itemGuid names an episode, and a medium other than
                        // podcast names a publisher or music.
                        let show = attr(e, "itemGuid").is_none() && attr(e, "medium").is_none_or(|m| m == "podcast");
                        if (url.is_some() || guid.is_some()) && show {
                            extras.related.podroll.push(RemoteFeed { url, guid, title: attr(e, "title") });
                        }
                    }
                    (Ns::Podcast, "funding", None) => {
                        if let Some(url) =
                            attr(e, "url").filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                        {
                            field = Some(Field::Funding(url));
                        }
                    }
                    (Ns::Podcast, "person", None) => {
                        if let Some(url) =
                            attr(e, "href").filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                        {
                            field = Some(Field::Person(url));
                        }
                    }
                    (Ns::Itunes, "new-feed-url", None) => field = Some(Field::NewFeedUrl),
                    (Ns::Itunes, "author", None) => field = Some(Field::Author),
                    (Ns::Itunes, "image", None) if extras.image.is_none() => extras.image = attr(e, "href"),
                    _ => {}
                }
                if is_empty {
                    field = None;
                }
                field_text.clear();
            }
            Event::Text(t) if field.is_some() => {
                field_text.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if field.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    field_text.push(c);
                } else if let Some(text) = resolve_entity(&r) {
                    field_text.push_str(text);
                }
            }
            Event::CData(t) if field.is_some() => {
                field_text.push_str(t.as_ref());
            }
            Event::End(_) => {
                if let Some(f) = field.take() {
                    let value = field_text.trim().to_string();
                    let item = extras.items.last_mut().filter(|_| depth_in_item.is_some());
                    match (f, item) {
                        (Field::Guid, Some(item)) => item.guid = Some(value).filter(|v| !v.is_empty()),
                        (Field::Title, Some(item)) => item.title = item.title.take().or(non_empty(value)),
                        (Field::Title, None) => extras.title = extras.title.take().or(non_empty(value)),
                        (Field::Published, Some(item)) => {
                            item.published = DateTime::parse_from_rfc2822(&value).ok().map(|d| d.with_timezone(&Utc))
                        }
                        // content:encoded and description: the longer one is the notes.
                        (Field::Notes, Some(item)) if item.notes.as_ref().is_none_or(|n| n.len() < value.len()) => {
                            item.notes = non_empty(value);
                        }
                        (Field::Notes, None) => extras.description = extras.description.take().or(non_empty(value)),
                        (Field::Link, Some(item)) => item.link = item.link.take().or(non_empty(value)),
                        (Field::Link, None) => extras.link = extras.link.take().or(non_empty(value)),
                        (Field::Duration, Some(item)) => item.duration = parse_duration(&value),
                        (Field::Explicit, Some(item)) => {
                            item.explicit = matches!(value.to_ascii_lowercase().as_str(), "yes" | "true" | "explicit")
                        }
                        (Field::Episode, Some(item)) => item.episode = value.parse().ok().or(item.episode),
                        (Field::Season, Some(item)) => item.season = value.parse().ok().or(item.season),
                        (Field::NewFeedUrl, _) => extras.new_feed_url = Some(value).filter(|v| !v.is_empty()),
                        (Field::Author, _) => extras.author = Some(value).filter(|v| !v.is_empty()),
                        (Field::Funding(url), None) => {
                            let text = if value.is_empty() { "Support the show".to_string() } else { value };
                            extras.related.funding.push(WebLink { url, text });
                        }
                        (Field::Person(url), None) if !value.is_empty() => {
                            extras.related.people.push(WebLink { url, text: value });
                        }
                        _ => {}
                    }
                }
                if depth_in_item == Some(depth) {
                    depth_in_item = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    extras.complete = true;
    extras
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

fn learn_prefixes(e: &BytesStart<'_>, prefixes: &mut HashMap<String, Ns>) {
    for a in e.attributes().flatten() {
        let key: &str = a.key.as_ref();
        if let Some(prefix) = key.strip_prefix("xmlns:") {
            let uri = a.value.trim();
            let ns = if uri.eq_ignore_ascii_case(ITUNES_NS) {
                Ns::Itunes
            } else if PODCAST_NS.iter().any(|p| uri.eq_ignore_ascii_case(p)) {
                Ns::Podcast
            } else if uri.eq_ignore_ascii_case(PSC_NS) {
                Ns::Psc
            } else {
                Ns::Other
            };
            prefixes.insert(prefix.to_string(), ns);
        }
    }
}

fn element_name(e: &BytesStart<'_>, prefixes: &HashMap<String, Ns>) -> (Ns, String) {
    let name = AsRef::<str>::as_ref(&e.name()).to_string();
    match name.split_once(':') {
        None => (Ns::Plain, name),
        Some((prefix, local)) => {
            let ns = prefixes.get(prefix).copied().unwrap_or(match prefix {
                "itunes" => Ns::Itunes,
                "podcast" => Ns::Podcast,
                "psc" => Ns::Psc,
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

fn build(feed: feed_rs::model::Feed, extras: FeedExtras, feed_url: &Url) -> ParsedFeed {
    let title = feed
        .title
        .as_ref()
        .map(|t| t.content.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| feed_url.host_str().unwrap_or("Untitled podcast").to_string());
    let link = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone())
        .filter(|href| is_web_url(href));
    let art_url = extras
        .image
        .clone()
        .or_else(|| feed.logo.as_ref().map(|i| i.uri.clone()))
        .or_else(|| feed.icon.as_ref().map(|i| i.uri.clone()))
        .and_then(|u| resolve(&u, feed_url));
    let podcast = NewPodcast {
        title,
        author: extras.author.clone().or_else(|| {
            feed.authors.first().and_then(|a| a.name.as_deref()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty())
        }),
        description: feed.description.as_ref().map(|d| d.content.trim().to_string()).filter(|d| !d.is_empty()),
        link,
        art_url,
        new_feed_url: extras.new_feed_url.as_deref().and_then(|u| resolve(u, feed_url)),
        related: extras.related.clone(),
        language: feed.language.as_deref().map(crate::model::clean_line).filter(|l| !l.is_empty()),
    };

    let use_extras = extras.complete && extras.items.len() == feed.entries.len();
    // Atom requires an id; in RSS feed-rs makes one up when an item has no guid, and a made-up
    // id is no identity (the guid comes from our own pass instead).
    let ids_are_real = feed.feed_type == feed_rs::model::FeedType::Atom;
    let mut item_extras = extras.items.into_iter();
    let episodes = feed
        .entries
        .into_iter()
        .filter_map(|entry| {
            let extra = if use_extras { item_extras.next().unwrap_or_default() } else { ItemExtras::default() };
            build_episode(entry, extra, feed_url, ids_are_real)
        })
        .collect();
    ParsedFeed { podcast, episodes }
}

/// The feed as Hark's own pass read it (when feed-rs could not).
fn build_from_extras(extras: FeedExtras, feed_url: &Url) -> ParsedFeed {
    let podcast = NewPodcast {
        title: extras.title.unwrap_or_else(|| feed_url.host_str().unwrap_or("Untitled podcast").to_string()),
        author: extras.author,
        description: extras.description,
        link: extras.link.filter(|l| is_web_url(l)),
        art_url: extras.image.and_then(|u| resolve(&u, feed_url)),
        new_feed_url: extras.new_feed_url.as_deref().and_then(|u| resolve(u, feed_url)),
        related: extras.related,
        language: None,
    };
    let episodes = extras
        .items
        .into_iter()
        .filter_map(|item| {
            let raw = item.enclosure?;
            let url = resolve(&raw.url, feed_url)?;
            let mime = raw.mime.filter(|m| m != "null");
            if !is_audio(&url, mime.as_deref()) {
                return None;
            }
            Some(NewEpisode {
                guid: item.guid,
                title: item.title.unwrap_or_else(|| "Untitled episode".to_string()),
                published: item.published,
                duration_secs: item.duration,
                enclosure: Enclosure { url, mime, length: raw.length },
                notes_html: item.notes,
                episode_number: item.episode,
                season_number: item.season,
                link: item.link.filter(|l| is_web_url(l)),
                image_url: item.image.and_then(|u| resolve(&u, feed_url)),
                chapters_url: item.chapters.and_then(|u| resolve(&u, feed_url)),
                psc_chapters: crate::chapters::from_psc(&item.psc, feed_url),
                transcripts: resolve_transcripts(item.transcripts, feed_url),
                explicit: item.explicit,
            })
        })
        .collect();
    ParsedFeed { podcast, episodes }
}

fn build_episode(
    entry: feed_rs::model::Entry,
    extra: ItemExtras,
    feed_url: &Url,
    ids_are_real: bool,
) -> Option<NewEpisode> {
    let enclosure = episode_enclosure(&entry, extra.enclosure, feed_url)?;
    let title = entry
        .title
        .as_ref()
        .map(|t| t.content.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Untitled episode".to_string());
    let published: Option<DateTime<Utc>> = entry.published.or(entry.updated);
    let media_duration = entry.media.iter().find_map(|m| m.duration).map(|d| d.as_secs() as u32).filter(|d| *d > 0);
    let notes = [
        entry.content.as_ref().and_then(|c| c.body.clone()),
        entry.summary.as_ref().map(|s| s.content.clone()),
        entry.media.iter().find_map(|m| m.description.as_ref().map(|d| d.content.clone())),
    ]
    .into_iter()
    .flatten()
    .map(|n| n.trim().to_string())
    .filter(|n| !n.is_empty())
    .max_by_key(|n| n.len());
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone())
        .filter(|href| is_web_url(href));
    let image_url = extra
        .image
        .or_else(|| entry.media.iter().find_map(|m| m.thumbnails.first().map(|t| t.image.uri.clone())))
        .and_then(|u| resolve(&u, feed_url));
    let media_episode = entry.media.iter().find_map(|m| m.episode.as_ref().map(|e| e.number as u32));
    let media_season = entry.media.iter().find_map(|m| m.season.as_ref().map(|s| s.number));
    Some(NewEpisode {
        guid: extra
            .guid
            .or_else(|| Some(entry.id.clone()).filter(|id| ids_are_real && !id.is_empty() && !looks_generated(id))),
        title,
        published,
        duration_secs: extra.duration.or(media_duration),
        enclosure,
        notes_html: notes,
        episode_number: extra.episode.or(media_episode),
        season_number: extra.season.or(media_season),
        link,
        image_url,
        chapters_url: extra.chapters.and_then(|u| resolve(&u, feed_url)),
        psc_chapters: crate::chapters::from_psc(&extra.psc, feed_url),
        transcripts: resolve_transcripts(extra.transcripts, feed_url),
        explicit: extra.explicit,
    })
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

fn episode_enclosure(entry: &feed_rs::model::Entry, raw: Option<RawEnclosure>, feed_url: &Url) -> Option<Enclosure> {
    let candidates = raw
        .into_iter()
        .map(|r| (r.url, r.mime, r.length))
        .chain(entry.media.iter().flat_map(|m| {
            m.content.iter().filter_map(|c| {
                c.url.as_ref().map(|u| (u.to_string(), c.content_type.as_ref().map(|t| t.to_string()), c.size))
            })
        }))
        .chain(
            entry
                .links
                .iter()
                .filter(|l| l.rel.as_deref() == Some("enclosure"))
                .map(|l| (l.href.clone(), l.media_type.clone(), l.length)),
        );
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

/// The http(s) address a feed says it lives at (`<atom:link rel="self">`), for a feed file saved
/// to disk and handed to the window.
pub fn own_address(body: &[u8]) -> Option<String> {
    let feed = feed_rs::parser::parse(body).ok()?;
    let link = feed.links.iter().find(|link| link.rel.as_deref() == Some("self"))?;
    let url = Url::parse(link.href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Resolves a link from the feed against the feed's URL (relative and protocol-relative
/// links) and keeps it only if it is http(s): a feed must not point Hark at local files.
pub fn resolve(link: &str, feed_url: &Url) -> Option<String> {
    let url = feed_url.join(link.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

fn is_web_url(link: &str) -> bool {
    Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
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

    #[test]
    fn links_resolve_against_the_feed_and_only_web_schemes_survive() {
        let base = Url::parse("https://example.com/shows/feed.xml").unwrap();
        assert_eq!(resolve("example.mp3", &base).as_deref(), Some("https://example.com/shows/example.mp3"));
        assert_eq!(resolve("//cdn.example.net/a.mp3", &base).as_deref(), Some("https://cdn.example.net/a.mp3"));
        assert_eq!(resolve("../../x", &base).as_deref(), Some("https://example.com/x"));
        assert_eq!(resolve("file:///etc/passwd", &base), None);
        assert_eq!(resolve("ftp://example.com/a.mp3", &base), None);
    }

    #[test]
    fn podroll_funding_and_people_of_the_namespace_example() {
        let base = Url::parse("https://example.com/feed.xml").unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/feeds");
        let bytes = std::fs::read(dir.join("podcast-namespace-example.xml")).unwrap();
        let related = parse_feed(&bytes, &base).unwrap().podcast.related;
        let urls: Vec<_> = related.podroll.iter().filter_map(|r| r.url.as_deref()).collect();
        assert_eq!(urls, ["https://feeds.podcastindex.org/pc20.xml", "https://feedurl.example.rss"]);
        assert_eq!(related.podroll[0].guid.as_deref(), Some("917393e3-1b1e-5cef-ace4-edaa54e1f810"));
        assert_eq!(
            related.funding,
            vec![WebLink { url: "https://example.com/donate".into(), text: "Support the show!".into() }]
        );
        let episode_remote_items = std::fs::read(dir.join("fountain-this-week-in-bitcoin.xml")).unwrap();
        let related = parse_feed(&episode_remote_items, &base).unwrap().podcast.related;
        assert!(related.podroll.is_empty(), "value-split items name episodes, not shows to follow");
    }

    #[test]
    fn explicit_episodes_are_flagged() {
        let base = Url::parse("https://example.com/feed.xml").unwrap();
        let feed = br#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>
            <item><title>A</title><itunes:explicit>yes</itunes:explicit><enclosure url="a.mp3" type="audio/mpeg"/></item>
            <item><title>B</title><itunes:explicit>false</itunes:explicit><enclosure url="b.mp3" type="audio/mpeg"/></item>
            </channel></rss>"#;
        let episodes = parse_feed(feed, &base).unwrap().episodes;
        assert_eq!(episodes.iter().map(|e| e.explicit).collect::<Vec<_>>(), vec![true, false]);
    }

    /// A feed feed-rs refuses (empty CDATA sections) is read in full by Hark's own pass.
    #[test]
    fn well_formed_feeds_that_feed_rs_refuses_are_read_anyway() {
        let base = Url::parse("https://example.com/feed.xml").unwrap();
        let mut items = String::new();
        for i in 0..3 {
            items.push_str(&format!(
                "<item><title><![CDATA[Episode {i}]]></title><guid isPermaLink=\"false\">g{i}</guid>\
                 <pubDate>Mon, 0{} Jan 2024 10:00:00 GMT</pubDate><description><![CDATA[]]></description>\
                 <media:description type=\"plain\"><![CDATA[]]></media:description><link></link>\
                 <content:encoded><![CDATA[<p>Notes {i}</p>]]></content:encoded>\
                 <enclosure url=\"/e{i}.mp3\" type=\"audio/mpeg\" length=\"10\"/><itunes:duration>1:00</itunes:duration></item>",
                i + 1
            ));
        }
        let feed = format!(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\" \
             xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:media=\"http://search.yahoo.com/mrss/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Caf\u{e9}</title>\
             <description><![CDATA[]]></description><image><url>/art.jpg</url><title></title></image>{items}</channel></rss>"
        );
        assert!(
            read_with_feed_rs(&feed, &base).is_err(),
            "feed-rs refuses this feed, so the fallback is what reads it"
        );
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&feed);
        let parsed = parse_feed(&latin1, &base).expect("a well-formed feed is read");
        assert_eq!(parsed.podcast.title, "Caf\u{e9}");
        assert_eq!(parsed.episodes.len(), 3);
        let first = &parsed.episodes[0];
        assert_eq!(first.title, "Episode 0");
        assert_eq!(first.guid.as_deref(), Some("g0"));
        assert_eq!(first.enclosure.url, "https://example.com/e0.mp3");
        assert_eq!(first.duration_secs, Some(60));
        assert_eq!(first.notes_html.as_deref(), Some("<p>Notes 0</p>"));
        assert!(first.published.is_some());

        let truncated = &feed[..feed.len() - 30];
        assert!(parse_feed(truncated.as_bytes(), &base).is_err(), "a broken document is still refused");
    }

    #[test]
    fn text_before_the_declaration_that_ends_like_one_does_not_panic() {
        let base = Url::parse("https://example.com/feed.xml").unwrap();
        let feed = b"<br />Notice: x ?> y\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>T</title></channel></rss>";
        assert_eq!(parse_feed(feed, &base).unwrap().podcast.title, "T");
        assert!(parse_feed(b"?><?xml", &base).is_err());
    }

    #[test]
    fn html_is_not_a_feed() {
        let base = Url::parse("https://example.com/").unwrap();
        let err = parse_feed(b"<!DOCTYPE html><html><body>Hi</body></html>", &base).unwrap_err();
        assert_eq!(err.to_string(), "https://example.com/ is not a podcast feed (HTML page)");
    }
}
