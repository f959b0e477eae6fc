//! Conditional, capped, redirect-aware feed download.

use std::time::Duration;

use reqwest::{StatusCode, header};
use url::Url;

use crate::error::FeedError;
use crate::http::{self, Reply};
use crate::model::FeedValidators;

pub const FEED_SIZE_LIMIT: u64 = 50 * 1024 * 1024;
const FEED_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub validators: FeedValidators,
    /// The address that answered, after any redirects: relative links resolve against it.
    pub final_url: Url,
    /// Where the feed now lives, when every redirect on the way was permanent.
    pub moved_to: Option<Url>,
}

#[derive(Debug)]
pub enum FetchOutcome {
    NotModified { moved_to: Option<Url> },
    Fetched(Fetched),
}

/// Reads what a listener typed as a feed address. A bare host gets `https://`.
pub fn parse_feed_url(input: &str) -> Result<Url, FeedError> {
    let input = input.trim();
    let with_scheme = if input.contains("://") { input.to_string() } else { format!("https://{input}") };
    let url = Url::parse(&with_scheme).map_err(|_| FeedError::InvalidUrl { input: input.to_string() })?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err(FeedError::InvalidUrl { input: input.to_string() }),
        _ => Err(FeedError::UnsupportedScheme { url: input.to_string() }),
    }
}

/// GETs a feed with both validators; a chain of permanent redirects says where it moved.
pub async fn fetch_feed(
    client: &reqwest::Client,
    url: &Url,
    known: &FeedValidators,
) -> Result<FetchOutcome, FeedError> {
    fetch_conditional(client, url, known, FEED_SIZE_LIMIT).await
}

/// A conditional GET of any document a feed points at (a feed, a chapters file, a transcript):
/// redirects followed by the one rule (`http::send`), the body refused past `limit` bytes and the
/// whole answer bounded by `FEED_TIMEOUT`.
pub async fn fetch_conditional(
    client: &reqwest::Client,
    url: &Url,
    known: &FeedValidators,
    limit: u64,
) -> Result<FetchOutcome, FeedError> {
    let build = |target: &Url| {
        let mut request = client.get(target.clone()).timeout(FEED_TIMEOUT);
        if let Some(etag) = &known.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &known.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        request
    };
    let Reply { response, final_url, all_permanent } = http::send(build, url).await?;
    let moved_to = (all_permanent && final_url != *url).then(|| final_url.clone());
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(FetchOutcome::NotModified { moved_to });
    }
    if !status.is_success() {
        return Err(FeedError::HttpStatus { url: final_url.to_string(), status: status.as_u16() });
    }
    let header_text =
        |name| response.headers().get(name).and_then(|v: &header::HeaderValue| v.to_str().ok()).map(str::to_string);
    let validators = FeedValidators {
        etag: header_text(header::ETAG),
        last_modified: header_text(header::LAST_MODIFIED),
        body_hash: None,
    };
    let body = http::read_capped(response, &final_url, limit).await?;
    Ok(FetchOutcome::Fetched(Fetched { body, validators, final_url, moved_to }))
}
