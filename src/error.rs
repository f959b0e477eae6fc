//! Error types, one per layer. The UI and the CLI show their `Display` text only, so each
//! message names the cause in words a listener understands.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum FeedError {
    #[error("{url} is not an http(s) address")]
    UnsupportedScheme { url: String },
    #[error("\"{input}\" is not a valid web address")]
    InvalidUrl { input: String },
    #[error("{url} could not be reached: {reason}")]
    Network { url: String, reason: String },
    #[error("{url} answered HTTP {status}{}", reason_suffix(*status))]
    HttpStatus { url: String, status: u16 },
    #[error("{url} redirects too many times")]
    TooManyRedirects { url: String },
    #[error("{url} is larger than the {limit_mb} MB limit for a feed")]
    TooLarge { url: String, limit_mb: u64 },
    #[error("{url} is not a podcast feed ({what})")]
    NotAFeed { url: String, what: String },
}

fn reason_suffix(status: u16) -> &'static str {
    match status {
        401 | 403 => " (access denied)",
        404 | 410 => " (not found)",
        429 => " (too many requests)",
        500..=599 => " (server error)",
        _ => "",
    }
}

#[derive(Debug, Error)]
pub enum LibraryError {
    #[error("library database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not open the library at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("the library was written by a newer Hark (schema {found}, this one knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("no podcast matches \"{0}\"")]
    NoSuchPodcast(String),
    #[error("\"{query}\" matches several podcasts: {}", matches.join(", "))]
    AmbiguousPodcast { query: String, matches: Vec<String> },
    #[error("no episode matches \"{0}\"")]
    NoSuchEpisode(String),
    #[error("\"{query}\" matches several episodes: {}", matches.join(", "))]
    AmbiguousEpisode { query: String, matches: Vec<String> },
}

/// Any failure a command can end in; its text is the one line the CLI prints after `error: `.
#[derive(Debug, Error)]
pub enum HarkError {
    #[error(transparent)]
    Feed(#[from] FeedError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("{0}")]
    Other(String),
}

impl HarkError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io { context: context.into(), source }
    }
}

/// A message as one line of bounded length: a feed can put anything in a title or a URL.
pub fn one_line(message: &str) -> String {
    const LIMIT: usize = 400;
    let line = crate::model::clean_line(message);
    match line.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}
