//! Error types, one per layer. The UI and the CLI show their `Display` text only, so each
//! message names the cause in words a listener understands.

use thiserror::Error;

/// Why a feed (or another file from the web) could not be had. Its `Display` is the one plain
/// line a listener reads, in the window and after `error: ` on the command line alike ("Couldn't
/// reach feeds.example.com", "That address is a web page, not a podcast feed"); the technical
/// cause is `details()`, for the window's *Details* and the log.
#[derive(Debug, Error)]
pub enum FeedError {
    #[error("Only web addresses (http or https) can be followed, not {url}")]
    UnsupportedScheme { url: String },
    #[error("\"{input}\" isn't a web address")]
    InvalidUrl { input: String },
    #[error("{}", network_line(url, reason))]
    Network { url: String, reason: String },
    #[error("{}", status_line(url, *status))]
    HttpStatus { url: String, status: u16 },
    #[error("{} redirects too many times", host(url))]
    TooManyRedirects { url: String },
    #[error("{} sent more than the {limit_mb} MB Hark reads from it", host(url))]
    TooLarge { url: String, limit_mb: u64 },
    #[error("{}", not_a_feed_line(what))]
    NotAFeed { url: String, what: String },
}

impl FeedError {
    /// Whether the machine seems to have no network at all (no name can be looked up, no
    /// route out), rather than one server being away.
    pub fn is_offline(&self) -> bool {
        match self {
            Self::Network { reason, .. } => {
                let reason = reason.to_ascii_lowercase();
                OFFLINE_WORDS.iter().any(|w| reason.contains(w))
            }
            _ => false,
        }
    }

    /// The technical cause behind the plain line: the address and what exactly went wrong.
    pub fn details(&self) -> String {
        match self {
            Self::Network { url, reason } => format!("{url}: {reason}"),
            Self::HttpStatus { url, status } => format!("{url} answered HTTP {status}"),
            Self::NotAFeed { url, what } => format!("{url}: {what}"),
            Self::TooLarge { url, limit_mb } => format!("{url} is larger than {limit_mb} MB"),
            Self::TooManyRedirects { url } | Self::UnsupportedScheme { url } => url.clone(),
            Self::InvalidUrl { input } => format!("not a URL: {input:?}"),
        }
    }
}

/// The server's name in an address, as a listener knows it (the address itself when it has none).
fn host(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| url.to_string())
}

/// What the system says when it has no network: no name resolves, or there is no route out.
const OFFLINE_WORDS: [&str; 7] = [
    "dns",
    "lookup",
    "name or service not known",
    "no address associated",
    "name resolution",
    "network is unreachable",
    "os error 101",
];

fn network_line(url: &str, reason: &str) -> String {
    let host = host(url);
    let reason = reason.to_ascii_lowercase();
    let said = |words: &[&str]| words.iter().any(|w| reason.contains(w));
    if said(&OFFLINE_WORDS) {
        format!("Couldn't find {host} — you may be offline, or the address is wrong")
    } else if said(&["timed out"]) {
        format!("{host} took too long to answer")
    } else if said(&["broke off"]) {
        format!("The connection to {host} broke off")
    } else if said(&["certificate", "tls", "handshake"]) {
        format!("Couldn't connect securely to {host}")
    } else {
        format!("Couldn't reach {host}")
    }
}

fn status_line(url: &str, status: u16) -> String {
    let host = host(url);
    match status {
        404 | 410 => format!("{host} says it isn't there (HTTP {status})"),
        401 | 403 => format!("{host} refused access (HTTP {status})"),
        429 => format!("{host} asks to wait before trying again (HTTP 429)"),
        500..=599 => format!("{host} had a problem on its side (HTTP {status})"),
        _ => format!("{host} answered HTTP {status}"),
    }
}

fn not_a_feed_line(what: &str) -> String {
    match what {
        "HTML page" => "That address is a web page, not a podcast feed".to_string(),
        "empty document" => "That address sent nothing, not a podcast feed".to_string(),
        _ => "That address isn't a podcast feed Hark can read".to_string(),
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

    /// The error as the library keeps it for a show: the plain line, then on the lines after
    /// it the technical cause (see `said_and_details`).
    pub fn kept(&self) -> String {
        match self {
            Self::Feed(feed) => format!("{self}\n{}", feed.details()),
            _ => self.to_string(),
        }
    }
}

/// A kept error (`HarkError::kept`) split into the line to say and the details behind it.
pub fn said_and_details(kept: &str) -> (&str, Option<&str>) {
    match kept.split_once('\n') {
        Some((said, details)) => (said, Some(details)),
        None => (kept, None),
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
