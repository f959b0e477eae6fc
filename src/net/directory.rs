//! Finding shows by name in podcast directories: Apple's iTunes Search API (no key) and, when
//! the listener has a key and secret, the Podcast Index. Results are merged, one per feed.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use url::Url;

use crate::error::FeedError;

pub const ITUNES_URL_DEFAULT: &str = "https://itunes.apple.com";
pub const PODCASTINDEX_URL_DEFAULT: &str = "https://api.podcastindex.org";
/// The most results asked of each directory.
const RESULTS: &str = "30";
/// A directory's answer is small; anything past this is not one (refused as it streams in).
const BODY_LIMIT: u64 = 4 * 1024 * 1024;
/// A directory that has not answered whole by then is not waited for (typing goes on).
const DIRECTORY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// One show a directory knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectoryShow {
    pub title: String,
    pub author: Option<String>,
    pub feed_url: String,
    pub artwork_url: Option<String>,
    pub episodes: Option<u32>,
    pub genre: Option<String>,
    /// `itunes` or `podcastindex`.
    pub source: &'static str,
}

/// Where the directories are, and the Podcast Index credentials if there are any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directories {
    pub itunes_url: String,
    pub podcast_index: Option<PodcastIndex>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodcastIndex {
    pub url: String,
    pub key: String,
    pub secret: String,
}

/// Each value: the environment variable (tests, self-hosters), else the library setting.
const SOURCES: [(&str, &str); 4] = [
    ("HARK_ITUNES_URL", crate::library::keys::ITUNES_URL),
    ("HARK_PODCASTINDEX_URL", crate::library::keys::PODCASTINDEX_URL),
    ("HARK_PODCASTINDEX_KEY", crate::library::keys::PODCASTINDEX_KEY),
    ("HARK_PODCASTINDEX_SECRET", crate::library::keys::PODCASTINDEX_SECRET),
];

impl Directories {
    /// The real services, unless the environment or the settings (`setting(key)`) name others,
    /// and the Podcast Index when a key and secret are given either way.
    pub fn resolve(setting: impl Fn(&str) -> Option<String>) -> Self {
        let [itunes, index_url, key, secret] = SOURCES.map(|(variable, key)| {
            std::env::var(variable)
                .ok()
                .or_else(|| setting(key))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        });
        let podcast_index = match (key, secret) {
            (Some(key), Some(secret)) => {
                Some(PodcastIndex { url: index_url.unwrap_or_else(|| PODCASTINDEX_URL_DEFAULT.into()), key, secret })
            }
            _ => None,
        };
        Self { itunes_url: itunes.unwrap_or_else(|| ITUNES_URL_DEFAULT.into()), podcast_index }
    }

    /// From the environment and the library's settings.
    pub fn of(library: &crate::library::Library) -> Self {
        Self::resolve(|key| library.setting(key).ok().flatten())
    }
}

/// Shows whose name matches `term`, from every directory that answered; one calm line when
/// none did.
pub async fn search(
    client: &reqwest::Client,
    directories: &Directories,
    term: &str,
) -> Result<Vec<DirectoryShow>, String> {
    let itunes = itunes(client, &directories.itunes_url, term);
    let (itunes, index) = match &directories.podcast_index {
        Some(index) => {
            let (a, b) = tokio::join!(itunes, podcast_index(client, index, term));
            (a, Some(b))
        }
        None => (itunes.await, None),
    };
    let mut shows = Vec::new();
    let mut failures = Vec::new();
    for answer in std::iter::once(itunes).chain(index) {
        match answer {
            Ok(found) => shows.extend(found),
            Err(reason) => failures.push(reason),
        }
    }
    if shows.is_empty()
        && let Some(reason) = failures.into_iter().next()
    {
        return Err(format!("The podcast directory could not be searched: {reason}"));
    }
    Ok(merge(shows))
}

/// One entry per feed (the first directory's, filled in from the others), in order.
fn merge(shows: Vec<DirectoryShow>) -> Vec<DirectoryShow> {
    let mut merged: Vec<DirectoryShow> = Vec::new();
    for show in shows {
        let key = feed_key(&show.feed_url);
        match merged.iter_mut().find(|m| feed_key(&m.feed_url) == key) {
            Some(known) => {
                known.author = known.author.take().or(show.author);
                known.artwork_url = known.artwork_url.take().or(show.artwork_url);
                known.episodes = known.episodes.or(show.episodes);
                known.genre = known.genre.take().or(show.genre);
            }
            None => merged.push(show),
        }
    }
    merged
}

/// Feed addresses compare without their scheme, a trailing slash or case in the host.
fn feed_key(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    match rest.split_once('/') {
        Some((host, path)) => format!("{}/{path}", host.to_ascii_lowercase()),
        None => rest.to_ascii_lowercase(),
    }
}

/// The results of one directory as JSON values, each read on its own afterwards (one odd result
/// costs that result, not the answer). `build` makes the request for each redirect hop.
async fn get_results(
    build: impl Fn(&Url) -> reqwest::RequestBuilder,
    url: &Url,
    field: &str,
) -> Result<Vec<serde_json::Value>, String> {
    // Messages name the service, not the query (what the listener typed).
    let service = Url::parse(&origin(url)).unwrap_or_else(|_| url.clone());
    let named = |e: FeedError| match e {
        FeedError::Network { reason, .. } => FeedError::Network { url: origin(url), reason }.to_string(),
        FeedError::TooLarge { .. } => format!("{} sent an answer too large to be a search result", origin(url)),
        other => other.to_string(),
    };
    let reply = crate::http::send(|target| build(target).timeout(DIRECTORY_TIMEOUT), url).await.map_err(named)?;
    let status = reply.response.status();
    if !status.is_success() {
        return Err(FeedError::HttpStatus { url: origin(url), status: status.as_u16() }.to_string());
    }
    let body = crate::http::read_capped(reply.response, &service, BODY_LIMIT).await.map_err(named)?;
    // The iTunes API starts its body with blank lines; JSON allows them.
    let answer: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| format!("{} sent an answer Hark could not read ({e})", origin(url)))?;
    match answer.get(field) {
        Some(serde_json::Value::Array(results)) => Ok(results.clone()),
        _ => Ok(Vec::new()),
    }
}

/// Each result read on its own: one a directory got wrong is left out, the rest stay.
fn each<T: for<'de> Deserialize<'de>>(results: Vec<serde_json::Value>) -> impl Iterator<Item = T> {
    results.into_iter().filter_map(|result| serde_json::from_value(result).ok())
}

/// The service's address without the query (which holds what the listener typed).
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A directory's address, only when it is http(s), as a URL parser writes it back (no line
/// breaks or tabs survive: a result is printed as one line).
fn web(url: Option<String>) -> Option<String> {
    let url = Url::parse(url?.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// A directory's text as one line, or None when nothing is left.
fn line(text: Option<String>) -> Option<String> {
    Some(crate::model::clean_line(&text?)).filter(|t| !t.is_empty())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItunesShow {
    collection_name: Option<String>,
    artist_name: Option<String>,
    feed_url: Option<String>,
    artwork_url600: Option<String>,
    artwork_url100: Option<String>,
    track_count: Option<u32>,
    primary_genre_name: Option<String>,
}

async fn itunes(client: &reqwest::Client, base: &str, term: &str) -> Result<Vec<DirectoryShow>, String> {
    let url = Url::parse_with_params(
        &format!("{}/search", base.trim_end_matches('/')),
        [("term", term), ("media", "podcast"), ("entity", "podcast"), ("limit", RESULTS)],
    )
    .map_err(|_| format!("{base} is not a web address"))?;
    let results = get_results(|target| client.get(target.clone()), &url, "results").await?;
    Ok(each::<ItunesShow>(results)
        .filter_map(|show| {
            Some(DirectoryShow {
                title: line(show.collection_name)?,
                author: line(show.artist_name),
                feed_url: web(show.feed_url)?,
                artwork_url: web(show.artwork_url600.or(show.artwork_url100)),
                episodes: show.track_count,
                genre: line(show.primary_genre_name),
                source: "itunes",
            })
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndexShow {
    title: Option<String>,
    author: Option<String>,
    url: Option<String>,
    artwork: Option<String>,
    image: Option<String>,
    episode_count: Option<u32>,
    #[serde(default)]
    categories: Option<std::collections::BTreeMap<String, String>>,
}

/// The Podcast Index's request signature: SHA-1 of key, secret and the time, in hex.
pub fn podcast_index_authorization(key: &str, secret: &str, unix_time: u64) -> String {
    let digest = Sha1::digest(format!("{key}{secret}{unix_time}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

async fn podcast_index(
    client: &reqwest::Client,
    index: &PodcastIndex,
    term: &str,
) -> Result<Vec<DirectoryShow>, String> {
    let url = Url::parse_with_params(
        &format!("{}/api/1.0/search/byterm", index.url.trim_end_matches('/')),
        [("q", term), ("max", RESULTS)],
    )
    .map_err(|_| format!("{} is not a web address", index.url))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let request = |target: &Url| {
        client
            .get(target.clone())
            .header("X-Auth-Key", &index.key)
            .header("X-Auth-Date", now.to_string())
            .header("Authorization", podcast_index_authorization(&index.key, &index.secret, now))
    };
    let results = get_results(request, &url, "feeds").await?;
    Ok(each::<IndexShow>(results)
        .filter_map(|show| {
            Some(DirectoryShow {
                title: line(show.title)?,
                author: line(show.author),
                feed_url: web(show.url)?,
                artwork_url: web(show.artwork.filter(|a| !a.is_empty()).or(show.image)),
                episodes: show.episode_count,
                genre: line(show.categories.and_then(|c| c.into_values().next())),
                source: "podcastindex",
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(url: &str, source: &'static str, genre: Option<&str>) -> DirectoryShow {
        DirectoryShow {
            title: "T".into(),
            author: None,
            feed_url: url.into(),
            artwork_url: None,
            episodes: None,
            genre: genre.map(str::to_string),
            source,
        }
    }

    #[test]
    fn one_entry_per_feed_whatever_its_spelling() {
        let merged = merge(vec![
            show("https://Feeds.Example.com/show.xml", "itunes", None),
            show("http://feeds.example.com/show.xml/", "podcastindex", Some("News")),
            show("https://other.example.com/feed", "podcastindex", None),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].source, "itunes");
        assert_eq!(merged[0].genre.as_deref(), Some("News"), "filled in from the other directory");
    }

    #[test]
    fn the_podcast_index_signature_is_sha1_of_key_secret_and_time() {
        // As `printf keysecret1700000000 | sha1sum` gives it.
        assert_eq!(
            podcast_index_authorization("key", "secret", 1_700_000_000),
            "abaf71c02050c31e4d4e6b08c1625173af0445ba"
        );
    }
}
