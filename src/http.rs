//! The one HTTP client configuration Hark uses everywhere, and the rules every request to the
//! outside follows: redirects (`send`), a body read under a cap as it streams (`read_capped`), and
//! errors in a listener's words (`network_error`).

use std::time::Duration;

use reqwest::{StatusCode, header};
use url::Url;

use crate::error::FeedError;

pub const USER_AGENT: &str = concat!("Hark/", env!("CARGO_PKG_VERSION"), " (desktop podcast player)");

/// rustls needs its crypto provider chosen once per process before the first client.
pub fn install_crypto_provider() {
    // Err only means another part of the process installed one first, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Redirects are followed by hand (`send`) so that each hop can be checked.
pub fn client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client configuration is static and valid")
}

/// The most redirects any request follows.
pub const MAX_REDIRECTS: usize = 10;

/// A request's answer after its redirects.
pub struct Reply {
    pub response: reqwest::Response,
    /// The address that answered.
    pub final_url: Url,
    /// Every redirect on the way was permanent (301 or 308): the resource lives at `final_url`.
    pub all_permanent: bool,
}

/// The one redirect rule, for every request Hark makes: redirects are followed by hand, up to
/// `MAX_REDIRECTS`, each hop re-checked to be http(s). `build` makes the request for each hop
/// (headers such as Range or If-None-Match go on every hop). A 304 is an answer, not a hop.
pub async fn send(build: impl Fn(&Url) -> reqwest::RequestBuilder, url: &Url) -> Result<Reply, FeedError> {
    if !is_web(url) {
        return Err(FeedError::UnsupportedScheme { url: url.to_string() });
    }
    let mut current = url.clone();
    let mut all_permanent = true;
    for _ in 0..=MAX_REDIRECTS {
        let response = build(&current).send().await.map_err(|e| network_error(&current, &e))?;
        let status = response.status();
        if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
            return Ok(Reply { response, final_url: current, all_permanent });
        }
        let next = response
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| current.join(l).ok())
            .ok_or_else(|| FeedError::Network {
                url: current.to_string(),
                reason: "redirect without a valid Location".into(),
            })?;
        if !is_web(&next) {
            return Err(FeedError::UnsupportedScheme { url: next.to_string() });
        }
        all_permanent &= matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT);
        current = next;
    }
    Err(FeedError::TooManyRedirects { url: url.to_string() })
}

fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// A body read as it streams in, refused as soon as it passes `limit` bytes (never buffered
/// whole first). The time it may take is the request's own deadline (`RequestBuilder::timeout`,
/// which reqwest applies until the body's end), so a server that trickles cannot hold it open.
pub async fn read_capped(mut response: reqwest::Response, url: &Url, limit: u64) -> Result<Vec<u8>, FeedError> {
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
