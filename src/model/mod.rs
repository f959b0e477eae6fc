//! Plain data shared by every layer. No I/O here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod address;
mod chapter;
mod link;
pub mod played;
mod sound;
pub mod sync;
pub mod time;

pub use chapter::{Chapter, ChapterSource, FileChapters};
pub use link::moment_link;
pub use sound::SilenceLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PodcastId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EpisodeId(pub i64);

impl std::fmt::Display for PodcastId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::fmt::Display for EpisodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A show as a feed describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewPodcast {
    pub title: String,
    pub author: Option<String>,
    pub description: Option<String>,
    pub link: Option<String>,
    pub art_url: Option<String>,
    /// `itunes:new-feed-url`: the publisher moved the feed.
    pub new_feed_url: Option<String>,
    pub related: Related,
    /// The show's language (`<language>`, e.g. `en-us`): its transcripts are chosen in it.
    pub language: Option<String>,
    /// `itunes:type serial`: a story in parts, listened to from its start.
    pub serial: bool,
    /// How often the feed says it changes (`sy:updatePeriod`, `podcast:updateFrequency`), in
    /// seconds: it is refreshed no more often than that.
    pub update_every_secs: Option<u64>,
    /// `atom:link rel="self"`: the address the feed gives itself.
    pub self_url: Option<String>,
    /// `podcast:guid`: the show's identity across addresses.
    pub guid: Option<String>,
    /// `itunes:subtitle`: the show in a line.
    pub subtitle: Option<String>,
}

/// What a feed says about other shows and people: the "shows you might like" section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    /// `podcast:podroll`: shows the publisher recommends.
    pub podroll: Vec<RemoteFeed>,
    /// `podcast:funding`: where to support the show.
    pub funding: Vec<WebLink>,
    /// `podcast:person` at show level: hosts and regulars.
    pub people: Vec<Person>,
}

impl Related {
    pub fn is_empty(&self) -> bool {
        self.podroll.is_empty() && self.funding.is_empty() && self.people.is_empty()
    }
}

/// A show named by a `podcast:remoteItem`: by feed URL, by `podcast:guid`, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteFeed {
    pub url: Option<String>,
    pub guid: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebLink {
    pub url: String,
    pub text: String,
}

/// A `podcast:person`: who speaks on a show or an episode. Stored shows from before roles were
/// kept wrote `{url, text}`; those read as a name with a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    #[serde(alias = "text")]
    pub name: String,
    /// `host`, `guest`, … as the feed writes it (lower case); None when it says none.
    #[serde(default)]
    pub role: Option<String>,
    /// Their page (http(s) only).
    #[serde(default, alias = "url")]
    pub href: Option<String>,
    /// Their picture (http(s) only).
    #[serde(default)]
    pub img: Option<String>,
}

/// What an episode says of itself beyond its notes: `itunes:subtitle`, `itunes:author`, and
/// its `podcast:person`s. Kept together (one JSON column): display only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeCredits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<Person>,
}

impl EpisodeCredits {
    pub fn is_empty(&self) -> bool {
        self.subtitle.is_none() && self.author.is_none() && self.persons.is_empty()
    }
}

/// The audio file of an episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Enclosure {
    pub url: String,
    pub mime: Option<String>,
    pub length: Option<u64>,
}

/// An episode as a feed describes it: no user state.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEpisode {
    pub guid: Option<String>,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub duration_secs: Option<u32>,
    pub enclosure: Enclosure,
    pub notes_html: Option<String>,
    pub episode_number: Option<u32>,
    pub season_number: Option<u32>,
    pub link: Option<String>,
    pub image_url: Option<String>,
    pub chapters_url: Option<String>,
    /// Podlove Simple Chapters (`psc:chapter`) written in the feed.
    pub psc_chapters: Vec<Chapter>,
    /// Every `podcast:transcript`, in the feed's order.
    pub transcripts: Vec<TranscriptLink>,
    /// `itunes:explicit` said so.
    pub explicit: bool,
    pub episode_type: EpisodeType,
    pub credits: EpisodeCredits,
}

/// What `itunes:episodeType` says an episode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EpisodeType {
    #[default]
    Full,
    Trailer,
    Bonus,
}

impl EpisodeType {
    /// The tag's value, case and spaces aside; None for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "full" => Some(Self::Full),
            "trailer" => Some(Self::Trailer),
            "bonus" => Some(Self::Bonus),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Trailer => "trailer",
            Self::Bonus => "bonus",
        }
    }
}

/// A parsed feed, ready to be merged into the library.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub podcast: NewPodcast,
    pub episodes: Vec<NewEpisode>,
    /// RFC 5005 paged feeds: the next page of the archive (http(s), resolved), if any.
    pub next_page: Option<String>,
}

/// What a sync changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// One row of the podcast list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodcastSummary {
    pub id: PodcastId,
    pub title: String,
    pub author: Option<String>,
    pub feed_url: String,
    pub episodes: u32,
    pub unplayed: u32,
    #[serde(skip)]
    pub art_url: Option<String>,
    #[serde(skip)]
    pub last_error: Option<String>,
}

/// A stored show with everything the show header needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Podcast {
    pub id: PodcastId,
    pub feed_url: String,
    pub title: String,
    pub author: Option<String>,
    pub description: Option<String>,
    pub link: Option<String>,
    pub art_url: Option<String>,
    pub last_refresh: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub related: Related,
    /// Its new episodes are announced on the desktop.
    pub notify: bool,
    /// `itunes:subtitle`: the show in a line.
    pub subtitle: Option<String>,
}

/// The validators and hash kept for a conditional refresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedValidators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body_hash: Option<String>,
}

/// One row of an episode list: small, so 20,000 of them stay cheap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeSummary {
    pub id: EpisodeId,
    pub podcast_id: PodcastId,
    pub title: String,
    #[serde(serialize_with = "rfc3339_or_null")]
    pub published: Option<DateTime<Utc>>,
    pub duration_secs: Option<u32>,
    pub url: String,
    pub mime: Option<String>,
    pub position_secs: f64,
    pub played: bool,
    pub downloaded: bool,
    pub path: Option<String>,
    pub episode_type: EpisodeType,
}

fn rfc3339_or_null<S: serde::Serializer>(value: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(date) => s.serialize_str(&date.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// Everything stored about one episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub summary: EpisodeSummary,
    pub guid: Option<String>,
    pub notes_html: Option<String>,
    pub episode_number: Option<u32>,
    pub season_number: Option<u32>,
    pub link: Option<String>,
    pub image_url: Option<String>,
    pub chapters_url: Option<String>,
    pub transcripts: Vec<TranscriptLink>,
    pub enclosure_length: Option<u64>,
    pub explicit: bool,
    pub credits: EpisodeCredits,
}

/// A line of text from outside (a feed's title, an author): control characters (escape codes
/// that would drive a terminal, bytes XML cannot hold) become spaces, and the ends are trimmed.
pub fn clean_line(text: &str) -> String {
    let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    cleaned.trim().to_string()
}

/// Longer text from outside (show notes, descriptions): control characters are dropped, but
/// line breaks and tabs stay.
pub fn clean_text(text: &str) -> String {
    let dropped = |c: &char| c.is_control() && !matches!(c, '\n' | '\t');
    // Nearly all notes hold no control character: a byte scan finds that out far faster than
    // rebuilding megabytes of notes character by character (Unicode's controls are C0, DEL and
    // C1, the last encoded as 0xC2 0x80..=0x9F).
    let bytes = text.as_bytes();
    let suspect = bytes.iter().enumerate().any(|(at, &b)| {
        (b < 0x20 && b != b'\n' && b != b'\t')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(at + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    });
    if !suspect {
        return text.to_string();
    }
    text.chars().filter(|c| !dropped(c)).collect()
}

impl ParsedFeed {
    /// The feed with every text field cleaned for terminals, XML and the library.
    pub fn cleaned(mut self) -> Self {
        let line = |s: &mut String| *s = clean_line(s);
        let optional_line = |s: &mut Option<String>| *s = s.as_deref().map(clean_line).filter(|v| !v.is_empty());
        let p = &mut self.podcast;
        line(&mut p.title);
        optional_line(&mut p.author);
        p.description = p.description.as_deref().map(clean_text);
        optional_line(&mut p.subtitle);
        for link in &mut p.related.funding {
            line(&mut link.text);
        }
        p.related.people.iter_mut().for_each(Person::clean);
        p.related.people.retain(|person| !person.name.is_empty());
        for feed in &mut p.related.podroll {
            optional_line(&mut feed.title);
        }
        for e in &mut self.episodes {
            line(&mut e.title);
            optional_line(&mut e.guid);
            e.notes_html = e.notes_html.as_deref().map(clean_text);
            optional_line(&mut e.credits.subtitle);
            optional_line(&mut e.credits.author);
            e.credits.persons.iter_mut().for_each(Person::clean);
            e.credits.persons.retain(|person| !person.name.is_empty());
        }
        self
    }
}

impl Person {
    fn clean(&mut self) {
        self.name = clean_line(&self.name);
        self.role = self.role.as_deref().map(clean_line).filter(|r| !r.is_empty());
    }
}

/// Formats seconds as `m:ss` or `h:mm:ss`, as players show time.
pub fn format_clock(total_secs: f64) -> String {
    let secs = total_secs.max(0.0) as u64;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// Formats an amount of time in words, as statistics show it: `45 s`, `12 min`, `3 h 05 min`.
pub fn format_duration(total_secs: f64) -> String {
    let secs = total_secs.max(0.0).round() as u64;
    match (secs / 3600, secs / 60 % 60) {
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// The listener's language from the locale (`de_DE.UTF-8` → `de`), for choosing a transcript.
pub fn listener_language() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|key| std::env::var(key).ok())
        .find(|value| !value.is_empty() && value != "C" && value != "POSIX")
        .and_then(|value| value.split(['_', '.', '@']).next().map(str::to_ascii_lowercase))
        .filter(|language| !language.is_empty())
}

/// A transcript tag as the feed lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TranscriptLink {
    pub url: String,
    pub mime: Option<String>,
    pub language: Option<String>,
    pub rel: Option<String>,
}

/// Bytes as a listener reads them: 512 KB, 48.3 MB, 1.2 GB.
pub fn size_text(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= 1024.0 * MB {
        format!("{:.1} GB", b / 1024.0 / MB)
    } else if b >= MB {
        format!("{:.1} MB", b / MB)
    } else {
        format!("{:.0} KB", b / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_stored_before_roles_were_kept_read_as_a_name_with_a_page() {
        let stored = r#"{"podroll":[],"funding":[],"people":[{"url":"https://example.org/mara","text":"Mara"}]}"#;
        let related: Related = serde_json::from_str(stored).unwrap();
        let mara = Person { name: "Mara".into(), href: Some("https://example.org/mara".into()), ..Person::default() };
        assert_eq!(related.people, [mara]);
    }

    #[test]
    fn control_characters_never_get_through() {
        assert_eq!(clean_line("\u{1b}]0;pwned\u{7}Real\u{1b}[2J Title\u{85}"), "]0;pwned Real [2J Title");
        assert_eq!(clean_text("a\u{0}b\nc\td\r"), "ab\nc\td");
        assert_eq!(
            clean_text("x\u{85}y\u{7f}z é\u{a0}—"),
            "xyz é\u{a0}—",
            "C1 controls and DEL too, not Latin-1 letters"
        );
    }

    #[test]
    fn clock_format() {
        assert_eq!(format_clock(0.0), "0:00");
        assert_eq!(format_clock(61.9), "1:01");
        assert_eq!(format_clock(3723.0), "1:02:03");
    }
}
