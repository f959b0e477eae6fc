//! Subscribe and refresh: a fetch phase that can run many at once, and an apply phase that
//! writes to the library on its owner's thread. The CLI calls the same functions.

use url::Url;

use crate::error::HarkError;
use crate::feed::{FeedUpdate, fetch_and_parse, parse_feed_url};
use crate::library::Library;
use crate::model::{FeedValidators, ParsedFeed, PodcastId, SyncReport};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribed {
    pub podcast: PodcastId,
    pub title: String,
    pub episodes: usize,
    pub already_subscribed: bool,
    /// Why the archive of a paged feed was not read to its end (a loop, another host, the bounds).
    pub archive_note: Option<String>,
}

impl Subscribed {
    /// What the window and the CLI both say of it, in one line.
    pub fn summary(&self) -> String {
        if self.already_subscribed {
            return format!("You already follow \"{}\" ({} episodes)", self.title, self.episodes);
        }
        let said = format!("Subscribed to \"{}\" ({} episodes)", self.title, self.episodes);
        match &self.archive_note {
            Some(note) => format!("{said}; its older episodes: {note}"),
            None => said,
        }
    }
}

/// A fetched, parsed feed waiting to be written: what the fetch phase hands over.
#[derive(Debug)]
pub struct FetchedFeed {
    /// The address as it was asked for.
    pub asked: Url,
    /// Where the feed was read (after the moves followed).
    pub url: Url,
    pub update: FeedUpdate,
    /// At subscribe time: why a paged feed's archive was not read to its end.
    pub archive_note: Option<String>,
}

/// The most moves (`itunes:new-feed-url`) followed from one address at subscribe time.
const MAX_MOVES: usize = 5;

/// Fetches a feed to subscribe to. A feed that says it moved is followed to its new home (a
/// chain of moves to its end, at most `MAX_MOVES`, never round a loop); when a new home cannot
/// be read, the last feed that could is kept.
pub async fn fetch_new(client: &reqwest::Client, input: &str) -> Result<FetchedFeed, HarkError> {
    let url = parse_feed_url(input)?;
    let update = fetch_and_parse(client, &url, &FeedValidators::default()).await?;
    let mut fetched = FetchedFeed { asked: url.clone(), url, update, archive_note: None };
    let mut seen = vec![fetched.url.clone()];
    while seen.len() <= MAX_MOVES {
        let FeedUpdate::Changed { feed, .. } = &fetched.update else { break };
        let Some(home) = feed.podcast.new_feed_url.as_deref().and_then(|u| Url::parse(u).ok()) else { break };
        if seen.contains(&home) {
            break;
        }
        match fetch_and_parse(client, &home, &FeedValidators::default()).await {
            Ok(update) => fetched = FetchedFeed { url: home.clone(), update, ..fetched },
            Err(e) => {
                tracing::info!("{home}, where {} says it moved, could not be read: {e}", fetched.url);
                break;
            }
        }
        seen.push(home);
    }
    fetched.archive_note = read_archive_pages(client, &mut fetched).await;
    Ok(fetched)
}

/// The most pages of a paged feed read at subscribe time, and the most episodes taken from them.
const MAX_PAGES: usize = 50;
const MAX_PAGED_EPISODES: usize = 20_000;

/// RFC 5005 paged feeds: the pages after the first (`atom:link rel="next"`) are read at subscribe
/// time, so the whole archive appears; refreshes read the first page only. A page on another
/// host, a loop, or more than the bounds end the reading, with a note saying why (None when the
/// archive was read to its end).
async fn read_archive_pages(client: &reqwest::Client, fetched: &mut FetchedFeed) -> Option<String> {
    let FeedUpdate::Changed { feed, .. } = &mut fetched.update else { return None };
    let mut seen = vec![fetched.url.clone()];
    let mut next = feed.next_page.take();
    while let Some(page) = next.take() {
        let Ok(page) = Url::parse(&page) else { return Some(format!("its next page {page} is not an address")) };
        if page.host_str() != fetched.url.host_str() {
            return Some(format!("its next page is on another host ({page}); not read"));
        }
        if seen.contains(&page) {
            return Some(format!("its pages loop back to {page}; read {} pages", seen.len()));
        }
        if seen.len() >= MAX_PAGES || feed.episodes.len() >= MAX_PAGED_EPISODES {
            return Some(format!(
                "read the first {} pages ({} episodes), the most Hark reads",
                seen.len(),
                feed.episodes.len()
            ));
        }
        match fetch_and_parse(client, &page, &FeedValidators::default()).await {
            Ok(FeedUpdate::Changed { feed: older, .. }) => {
                let room = MAX_PAGED_EPISODES - feed.episodes.len();
                feed.episodes.extend(older.episodes.into_iter().take(room));
                next = older.next_page;
            }
            Ok(FeedUpdate::Unchanged { .. }) => {}
            Err(e) => return Some(format!("its page {page} could not be read ({e})")),
        }
        seen.push(page);
    }
    None
}

pub fn apply_subscription(library: &mut Library, fetched: FetchedFeed) -> Result<Subscribed, HarkError> {
    let FeedUpdate::Changed { feed, validators, moved_to } = fetched.update else {
        return Err(HarkError::Other(format!("{} sent no feed", fetched.url)));
    };
    // A server's permanent redirect names the feed's address; a new feed's own claim that it
    // moved (`itunes:new-feed-url`) does not: only a feed already followed may move itself, on
    // refresh, so a new feed can never take over (rename, fill) a show that is followed.
    let url = moved_to.unwrap_or(fetched.url).to_string();
    // A second address of a show already followed (another spelling, a redirect, the address the
    // feed gives itself or says it moved to, the same podcast:guid) adds nothing.
    let p = &feed.podcast;
    let addresses: Vec<String> =
        [Some(fetched.asked.to_string()), Some(url.clone()), p.self_url.clone(), p.new_feed_url.clone()]
            .into_iter()
            .flatten()
            .collect();
    if let Some((podcast, title)) = library.following(&addresses, p.guid.as_deref())? {
        let episodes = library.episode_count(podcast)?;
        return Ok(Subscribed { podcast, title, episodes, already_subscribed: true, archive_note: None });
    }
    let (podcast, _) = library.subscribe(&url, &feed)?;
    library.record_fetch(podcast, &validators)?;
    // What the library holds, after items the feed repeats became one episode each.
    let episodes = library.episode_count(podcast)?;
    let archive_note = fetched.archive_note;
    Ok(Subscribed { podcast, title: feed.podcast.title.clone(), episodes, already_subscribed: false, archive_note })
}

/// A show already followed at another spelling of `input`: known without asking the network.
pub fn already_following(library: &Library, input: &str) -> Result<Option<Subscribed>, HarkError> {
    let Some((podcast, title)) = library.following(&[input.trim().to_string()], None)? else { return Ok(None) };
    let episodes = library.episode_count(podcast)?;
    Ok(Some(Subscribed { podcast, title, episodes, already_subscribed: true, archive_note: None }))
}

/// The CLI's subscribe: fetch, parse, write.
pub async fn subscribe(client: &reqwest::Client, library: &mut Library, input: &str) -> Result<Subscribed, HarkError> {
    if let Some(known) = already_following(library, input)? {
        return Ok(known);
    }
    let fetched = fetch_new(client, input).await?;
    apply_subscription(library, fetched)
}

/// One podcast's refresh result, as the CLI prints it and the UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refreshed {
    pub podcast: PodcastId,
    pub title: String,
    pub result: Result<SyncReport, String>,
}

pub async fn fetch_known(
    client: &reqwest::Client,
    feed_url: &str,
    validators: &FeedValidators,
) -> Result<FetchedFeed, HarkError> {
    let url = parse_feed_url(feed_url)?;
    let update = fetch_and_parse(client, &url, validators).await?;
    Ok(FetchedFeed { asked: url.clone(), url, update, archive_note: None })
}

/// Writes a refresh's outcome. A failure records its message on the podcast and changes nothing else.
pub fn apply_refresh(
    library: &mut Library,
    podcast: PodcastId,
    fetched: Result<FetchedFeed, HarkError>,
) -> Result<Refreshed, HarkError> {
    let title = library.podcast(podcast)?.title;
    let fetched = match fetched {
        Ok(fetched) => fetched,
        Err(error) => {
            tracing::info!("refreshing {title}: {}", error.kept().replace('\n', ": "));
            library.record_error(podcast, &error.kept())?;
            return Ok(Refreshed { podcast, title, result: Err(error.to_string()) });
        }
    };
    let (report, validators, moved_to, new_feed_url, feed): (SyncReport, _, _, _, Option<Box<ParsedFeed>>) =
        match fetched.update {
            // Unchanged: the move the feed declared when it last changed still stands (publishers
            // freeze the old feed once it names its new home).
            FeedUpdate::Unchanged { validators, moved_to } => {
                (SyncReport::default(), validators, moved_to, library.declared_feed_url(podcast)?, None)
            }
            FeedUpdate::Changed { feed, validators, moved_to } => {
                let report = library.sync(podcast, &feed)?;
                let new_url = feed.podcast.new_feed_url.clone();
                (report, validators, moved_to, new_url, Some(feed))
            }
        };
    library.record_fetch(podcast, &validators)?;
    let title = feed.map(|f| f.podcast.title.clone()).unwrap_or(title);
    if let Some(new_url) = new_feed_url.or_else(|| moved_to.map(|u| u.to_string()))
        && new_url != fetched.url.as_str()
    {
        if !library.update_feed_url(podcast, &new_url)? {
            // Onto a show already followed: nothing is merged, and the listener is told.
            let message = format!("the feed says it moved to {new_url}, which you already follow; both are kept");
            library.record_error(podcast, &message)?;
            return Ok(Refreshed { podcast, title, result: Err(message) });
        }
        // A new address: the old one's validators say nothing of it.
        library.record_fetch(podcast, &FeedValidators::default())?;
    }
    Ok(Refreshed { podcast, title, result: Ok(report) })
}
