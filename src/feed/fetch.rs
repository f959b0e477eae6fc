//! Conditional, capped, redirect-aware feed download.

use std::time::Duration;

use reqwest::{StatusCode, header};
use url::Url;

use crate::error::FeedError;
use crate::model::FeedValidators;

pub const FEED_SIZE_LIMIT: u64 = 50 * 1024 * 1024;
pub const MAX_REDIRECTS: usize = 10;
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

/// GETs a feed with both validators, following up to ten redirects by hand so that each hop
/// is checked for its scheme and a chain of permanent ones is noticed.
pub async fn fetch_feed(
    client: &reqwest::Client,
    url: &Url,
    known: &FeedValidators,
) -> Result<FetchOutcome, FeedError> {
    fetch_conditional(client, url, known, FEED_SIZE_LIMIT).await
}

/// A conditional GET of any document a feed points at (a feed, a chapters file, a transcript):
/// redirects followed and checked by hand, the body refused past `limit` bytes.
pub async fn fetch_conditional(
    client: &reqwest::Client,
    url: &Url,
    known: &FeedValidators,
    limit: u64,
) -> Result<FetchOutcome, FeedError> {
    let mut current = url.clone();
    let mut all_permanent = true;
    for _ in 0..=MAX_REDIRECTS {
        let mut request = client.get(current.clone()).timeout(FEED_TIMEOUT);
        if let Some(etag) = &known.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &known.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        let response = request.send().await.map_err(|e| network_error(&current, &e))?;
        let status = response.status();
        let moved_to = || (all_permanent && current != *url).then(|| current.clone());
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| current.join(l).ok())
                .ok_or_else(|| FeedError::Network {
                    url: current.to_string(),
                    reason: "redirect without a valid Location".into(),
                })?;
            if !matches!(location.scheme(), "http" | "https") {
                return Err(FeedError::UnsupportedScheme { url: location.to_string() });
            }
            all_permanent &= matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT);
            current = location;
            continue;
        }
        if status == StatusCode::NOT_MODIFIED {
            return Ok(FetchOutcome::NotModified { moved_to: moved_to() });
        }
        if !status.is_success() {
            return Err(FeedError::HttpStatus { url: current.to_string(), status: status.as_u16() });
        }
        let header_text =
            |name| response.headers().get(name).and_then(|v: &header::HeaderValue| v.to_str().ok()).map(str::to_string);
        let validators = FeedValidators {
            etag: header_text(header::ETAG),
            last_modified: header_text(header::LAST_MODIFIED),
            body_hash: None,
        };
        let moved_to = moved_to();
        let body = read_capped(response, &current, limit).await?;
        return Ok(FetchOutcome::Fetched(Fetched { body, validators, final_url: current, moved_to }));
    }
    Err(FeedError::TooManyRedirects { url: url.to_string() })
}

async fn read_capped(mut response: reqwest::Response, url: &Url, limit: u64) -> Result<Vec<u8>, FeedError> {
    let too_large = || FeedError::TooLarge { url: url.to_string(), limit_mb: limit.div_ceil(1024 * 1024) };
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(64 * 1024).min(limit) as usize);
    while let Some(chunk) = response.chunk().await.map_err(|e| network_error(url, &e))? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// reqwest's errors nest their cause; a listener needs the innermost words.
pub fn network_error(url: &Url, error: &reqwest::Error) -> FeedError {
    let mut reason = if error.is_timeout() { "timed out".to_string() } else { error.to_string() };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    if error.is_body() || error.is_decode() {
        reason = format!("the connection broke off ({reason})");
    }
    FeedError::Network { url: url.to_string(), reason }
}
