//! Feeds: fetch (conditional GET, caps, redirects) and parse (feed-rs → `ParsedFeed`). No SQL.

mod build;
mod cadence;
mod extras;
mod fetch;
mod parse;

pub use fetch::{FEED_SIZE_LIMIT, FetchOutcome, Fetched, fetch_conditional, fetch_feed, parse_feed_url};
pub use parse::{own_address, parse_feed, resolve, to_utf8};

use sha2::{Digest, Sha256};
use url::Url;

use crate::error::FeedError;
use crate::model::{FeedValidators, ParsedFeed};

/// What a fetch of a known feed found.
#[derive(Debug)]
pub enum FeedUpdate {
    /// 304, or the same bytes as last time: nothing parsed.
    Unchanged {
        validators: FeedValidators,
        moved_to: Option<Url>,
    },
    Changed {
        feed: Box<ParsedFeed>,
        validators: FeedValidators,
        moved_to: Option<Url>,
    },
}

pub fn body_hash(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

/// Fetches a feed and parses it unless the server or the body hash says it has not changed.
/// The parse runs on a blocking thread: a big feed takes tens of milliseconds.
pub async fn fetch_and_parse(
    client: &reqwest::Client,
    url: &Url,
    known: &FeedValidators,
) -> Result<FeedUpdate, FeedError> {
    match fetch_feed(client, url, known).await? {
        FetchOutcome::NotModified { moved_to } => Ok(FeedUpdate::Unchanged { validators: known.clone(), moved_to }),
        FetchOutcome::Fetched(Fetched { body, mut validators, final_url, moved_to }) => {
            let hash = body_hash(&body);
            validators.body_hash = Some(hash.clone());
            if known.body_hash.as_deref() == Some(hash.as_str()) {
                return Ok(FeedUpdate::Unchanged { validators, moved_to });
            }
            let feed = tokio::task::spawn_blocking(move || parse_feed(&body, &final_url))
                .await
                .map_err(|e| FeedError::NotAFeed { url: url.to_string(), what: format!("parser stopped: {e}") })??;
            Ok(FeedUpdate::Changed { feed: Box::new(feed), validators, moved_to })
        }
    }
}
