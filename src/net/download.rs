//! One episode's download into its `PartialFile`: resumes with `Range` + `If-Range`, restarts
//! cleanly when the server ignores ranges or the file changed, retries dropped connections
//! with backoff, follows the player when it wants bytes further on, and ends with a synced,
//! renamed file. The same function serves the window, the CLI and streaming.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{StatusCode, header};
use url::Url;

use crate::error::FeedError;
use crate::media::{PartialFile, Progress, Validator, final_name};
use crate::model::EpisodeId;

/// Attempts in a row that move no bytes before a download gives up.
const MAX_FAILURES: u32 = 5;
const FEWER_BYTES: &str = "The server sent fewer bytes than it announced";
/// A read further ahead of the current connection than it brings in this time (or this many
/// bytes at least) is served by a new Range request.
const LOOKAHEAD_SECS: f64 = 0.5;
const LOOKAHEAD_MIN: f64 = 64.0 * 1024.0;
const DOWNLOAD_TIMEOUT_READ: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    #[error("The disk is full")]
    DiskFull,
    #[error("Not enough room on the disk: {needed_mb} MB needed, {free_mb} MB free")]
    NoSpace { needed_mb: u64, free_mb: u64 },
    /// Worth trying again later (a server error, an unreadable answer).
    #[error("{0}")]
    Http(String),
    /// The server refuses this address (404, 403, …).
    #[error("{0}")]
    Refused(String),
    #[error("The server sent a web page, not audio")]
    NotAudio,
    #[error("Only web addresses (http or https) can be downloaded, not {0}")]
    BadUrl(String),
    #[error("Couldn't write the download: {0}")]
    Io(String),
    #[error("{0}")]
    Network(String),
    /// No network at all: said at once (retrying a few seconds would not help), and the bytes
    /// already here stay for later.
    #[error("You're offline — this episode isn't downloaded yet")]
    Offline,
}

impl DownloadError {
    /// A later try can continue from the bytes already here (not so for a web page, a file
    /// the disk cannot hold, or an address the server refuses).
    pub fn can_resume(&self) -> bool {
        matches!(
            self,
            DownloadError::Network(_) | DownloadError::Io(_) | DownloadError::Http(_) | DownloadError::Offline
        )
    }
}

fn io_error(e: std::io::Error) -> DownloadError {
    if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
        DownloadError::DiskFull
    } else {
        DownloadError::Io(e.to_string())
    }
}

/// What a download reports as it goes.
pub trait DownloadObserver: Send + Sync {
    fn progress(&self, progress: Progress, bytes_per_sec: f64);
}

impl<F: Fn(Progress, f64) + Send + Sync> DownloadObserver for F {
    fn progress(&self, progress: Progress, bytes_per_sec: f64) {
        self(progress, bytes_per_sec)
    }
}

#[derive(Debug, Clone)]
pub struct DownloadJob {
    pub episode: EpisodeId,
    pub url: String,
    pub mime: Option<String>,
    pub downloads_dir: PathBuf,
}

impl DownloadJob {
    pub fn final_path(&self) -> PathBuf {
        self.downloads_dir.join(final_name(self.episode, &self.url, self.mime.as_deref()))
    }
}

/// Free bytes on the disk holding `dir`.
fn free_space(dir: &Path) -> Option<u64> {
    fs4::available_space(dir).ok()
}

/// Runs a download to its end. The part file stays for a resume on any error.
pub async fn download(
    client: &reqwest::Client,
    job: &DownloadJob,
    part: &Arc<PartialFile>,
    observer: &dyn DownloadObserver,
) -> Result<PathBuf, DownloadError> {
    let result = run(client, job, part, observer).await;
    if let Err(e) = &result {
        part.fail(&e.to_string());
        if e.can_resume() && part.is_seekable() {
            let _ = part.checkpoint();
        } else {
            // Nothing a later try could continue from: leave nothing behind.
            PartialFile::remove(part.dir(), job.episode);
        }
    }
    result
}

async fn run(
    client: &reqwest::Client,
    job: &DownloadJob,
    part: &Arc<PartialFile>,
    observer: &dyn DownloadObserver,
) -> Result<PathBuf, DownloadError> {
    let url = Url::parse(&job.url).map_err(|_| DownloadError::BadUrl(job.url.clone()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DownloadError::BadUrl(job.url.clone()));
    }
    let final_path = job.final_path();
    let mut failures = 0;
    let mut cursor = 0u64;
    let mut rate = RateMeter::new();
    // Attempts count as failures unless the download gets further than it ever was.
    let mut best = part.progress().bytes;
    loop {
        if part.is_complete() {
            // Finished means: its bytes are audio (a 0-byte body or an error page with an
            // audio name is not a download).
            let probe = part.part_path().to_path_buf();
            let extension = final_path.extension().and_then(|e| e.to_str()).map(str::to_string);
            let audio = tokio::task::spawn_blocking(move || crate::player::probe_audio(&probe, extension.as_deref()))
                .await
                .unwrap_or(false);
            if !audio {
                return Err(DownloadError::NotAudio);
            }
            part.finish(&final_path).map_err(io_error)?;
            observer.progress(part.progress(), rate.per_sec());
            return Ok(final_path);
        }
        // The player's need comes first; then the first gap after where we were; then any gap.
        let wanted = part.take_wanted().filter(|w| !part.contains(*w));
        let Some(start) = wanted.or_else(|| part.next_missing(cursor)).or_else(|| part.next_missing(0)) else {
            continue;
        };
        let outcome = fetch_from(client, &url, part, start, observer, &mut rate).await;
        let reached = part.progress().bytes;
        let progressed = reached > best || part.is_complete();
        best = best.max(reached);
        match outcome {
            Ok(at) => {
                cursor = at;
                failures = if progressed { 0 } else { failures + 1 };
                if failures >= MAX_FAILURES {
                    return Err(DownloadError::Network("The server keeps ending the download early".into()));
                }
            }
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Retry(e)) => {
                failures = if progressed { 1 } else { failures + 1 };
                if failures >= MAX_FAILURES {
                    return Err(e);
                }
                tracing::info!(episode = %job.episode, "download interrupted ({e}); retrying");
                tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(failures.min(5)))).await;
            }
        }
    }
}

enum Attempt {
    Fatal(DownloadError),
    /// Worth another try.
    Retry(DownloadError),
}

/// What the body brought next.
enum Chunk {
    Data(bytes::Bytes),
    End,
    /// The player wants bytes this connection will not reach soon.
    WantedElsewhere,
}

/// One request from `start`: writes what arrives until the body ends, the range meets bytes
/// already there, or the player wants bytes elsewhere.
async fn fetch_from(
    client: &reqwest::Client,
    url: &Url,
    part: &Arc<PartialFile>,
    start: u64,
    observer: &dyn DownloadObserver,
    rate: &mut RateMeter,
) -> Result<u64, Attempt> {
    let response = request_from(client, url, part, start).await?;
    match accept_reply(&response, url, part, start)? {
        Some(offset) => write_body(response, url, part, offset, observer, rate).await,
        None => Ok(0),
    }
}

/// Asks for the bytes from `start`: only the gap up to bytes already there, and, when resuming,
/// only if the file is still the version those bytes came from (If-Range).
async fn request_from(
    client: &reqwest::Client,
    url: &Url,
    part: &PartialFile,
    start: u64,
) -> Result<reqwest::Response, Attempt> {
    let validator = part.validator();
    let resuming = start > 0 || part.has_data();
    // Only the gap: a range that stops where bytes are already there wastes nothing.
    let range = match part.gap_end(start) {
        Some(end) if end > start && part.next_present(start).is_some() => format!("bytes={start}-{}", end - 1),
        _ => format!("bytes={start}-"),
    };
    let build = |target: &Url| {
        let mut request = client.get(target.clone()).header(header::ACCEPT_ENCODING, "identity");
        if resuming {
            request = request.header(header::RANGE, &range);
            if let Some(tag) = validator.etag.as_ref().or(validator.last_modified.as_ref()) {
                request = request.header(header::IF_RANGE, tag);
            }
        }
        request
    };
    send_following_redirects(build, url).await
}

fn header_text(response: &reqwest::Response, name: header::HeaderName) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Reads a reply's status and headers: where its body goes in the file (Some(offset)), or None
/// when the file starts over from byte 0 and the body is not for it. Every change of size goes
/// through the free-space check before the part file takes it.
fn accept_reply(
    response: &reqwest::Response,
    url: &Url,
    part: &PartialFile,
    start: u64,
) -> Result<Option<u64>, Attempt> {
    let fatal_io = |e: std::io::Error| Attempt::Fatal(io_error(e));
    let status = response.status();
    let new_validator = Validator {
        etag: header_text(response, header::ETAG),
        last_modified: header_text(response, header::LAST_MODIFIED),
    };
    let content_type = header_text(response, header::CONTENT_TYPE).unwrap_or_default().to_ascii_lowercase();
    if status.is_success()
        && ["text/html", "application/json", "application/xhtml"].iter().any(|t| content_type.starts_with(t))
    {
        return Err(Attempt::Fatal(DownloadError::NotAudio));
    }
    match status {
        StatusCode::PARTIAL_CONTENT => {
            let (from, total) =
                header_text(response, header::CONTENT_RANGE)
                    .as_deref()
                    .and_then(parse_content_range)
                    .ok_or_else(|| Attempt::Retry(DownloadError::Http("the server sent an unreadable range".into())))?;
            if from != start {
                return Err(Attempt::Retry(DownloadError::Http("the server sent the wrong range".into())));
            }
            if part.validator().changed_to(&new_validator) {
                // The server ignored If-Range and sent part of another version of the file:
                // stitching it to what is here would match neither. Start over.
                part.restart(None, new_validator, true).map_err(fatal_io)?;
                return Ok(None);
            }
            if let Some(total) = total {
                if part.total().is_some_and(|known| known != total) {
                    // Same name, different size: it is another file now, and it must fit.
                    ensure_space_for(part.dir(), total).map_err(Attempt::Fatal)?;
                    part.restart(Some(total), new_validator, true).map_err(fatal_io)?;
                    return Ok(None);
                }
                ensure_space(part, total).map_err(Attempt::Fatal)?;
                part.set_total(total).map_err(fatal_io)?;
            }
            Ok(Some(start))
        }
        StatusCode::OK => {
            let total = response.content_length().filter(|_| header_text(response, header::CONTENT_LENGTH).is_some());
            let seekable = header_text(response, header::ACCEPT_RANGES).is_some_and(|v| v.contains("bytes"));
            // A whole body: the first one, or the server ignored the range, or the file changed.
            // Either way the download starts over from byte 0, if the disk can hold it.
            if let Some(total) = total {
                ensure_space_for(part.dir(), total).map_err(Attempt::Fatal)?;
            }
            part.restart(total, new_validator, seekable).map_err(fatal_io)?;
            Ok(Some(0))
        }
        StatusCode::RANGE_NOT_SATISFIABLE => {
            part.restart(None, Default::default(), true).map_err(fatal_io)?;
            Ok(None)
        }
        status if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS => {
            Err(Attempt::Retry(DownloadError::Http(http_message(url, status))))
        }
        status => Err(Attempt::Fatal(DownloadError::Refused(http_message(url, status)))),
    }
}

/// The next piece of the body, its end, or word that the player wants bytes elsewhere.
async fn next_chunk(
    response: &mut reqwest::Response,
    url: &Url,
    part: &PartialFile,
    first_request_byte: u64,
    offset: u64,
) -> Result<Chunk, Attempt> {
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(DOWNLOAD_TIMEOUT_READ, response.chunk()) => next,
            () = part.want_changed() => {
                let elsewhere = |w: u64| !part.contains(w) && (w < first_request_byte || w > offset + LOOKAHEAD_MIN as u64);
                if part.wanted().is_some_and(elsewhere) {
                    return Ok(Chunk::WantedElsewhere);
                }
                continue;
            }
        };
        return match next {
            Ok(Ok(Some(data))) => Ok(Chunk::Data(data)),
            Ok(Ok(None)) => Ok(Chunk::End),
            Ok(Err(e)) => {
                let error = crate::http::network_error(url, &e);
                // hyper's words for a body shorter than its Content-Length.
                let reason = match error.details().contains("end of file before message length reached") {
                    true => FEWER_BYTES.to_string(),
                    false => error.to_string(),
                };
                Err(Attempt::Retry(DownloadError::Network(reason)))
            }
            Err(_) => {
                let host = url.host_str().unwrap_or("The server");
                Err(Attempt::Retry(DownloadError::Network(format!("{host} stopped sending"))))
            }
        };
    }
}

/// Writes the body from `offset` until it ends, meets bytes already there, or the player wants
/// bytes elsewhere; the progress record is saved whenever the connection stops.
async fn write_body(
    mut response: reqwest::Response,
    url: &Url,
    part: &Arc<PartialFile>,
    mut offset: u64,
    observer: &dyn DownloadObserver,
    rate: &mut RateMeter,
) -> Result<u64, Attempt> {
    let first_request_byte = offset;
    let mut first_chunk = offset == 0;
    loop {
        let chunk = match next_chunk(&mut response, url, part, first_request_byte, offset).await {
            Ok(Chunk::Data(chunk)) => chunk,
            Ok(Chunk::End) => break,
            Ok(Chunk::WantedElsewhere) => {
                let _ = part.checkpoint();
                return Ok(offset);
            }
            Err(stopped) => {
                let _ = part.checkpoint();
                return Err(stopped);
            }
        };
        if std::mem::take(&mut first_chunk) && looks_like_html(&chunk) {
            return Err(Attempt::Fatal(DownloadError::NotAudio));
        }
        let mut data = &chunk[..];
        if let Some(total) = part.total() {
            data = &data[..data.len().min(total.saturating_sub(offset) as usize)];
        }
        if part.total().is_none() && offset / SPACE_CHECK_EVERY != (offset + data.len() as u64) / SPACE_CHECK_EVERY {
            // No length was given, so nothing was checked up front: a body that never ends
            // stops at the margin instead of filling the disk.
            if free_space(part.dir()).is_some_and(|free| free < FREE_SPACE_MARGIN + SPACE_CHECK_EVERY) {
                return Err(Attempt::Fatal(DownloadError::DiskFull));
            }
        }
        part.write_at(offset, data).map_err(|e| Attempt::Fatal(io_error(e)))?;
        offset += data.len() as u64;
        rate.add(data.len() as u64);
        if rate.due() {
            observer.progress(part.progress(), rate.per_sec());
        }
        if part.total().is_some_and(|t| offset >= t) {
            break;
        }
        // The player jumped somewhere this connection will not reach soon: go there now.
        if let Some(wanted) = part.wanted() {
            let behind = wanted < first_request_byte;
            let lookahead = (rate.per_sec() * LOOKAHEAD_SECS).max(LOOKAHEAD_MIN) as u64;
            let far_ahead = wanted > offset + lookahead;
            if (behind || far_ahead) && !part.contains(wanted) {
                let _ = part.checkpoint();
                return Ok(offset);
            }
        }
        // Ran into bytes fetched before (the gap behind a seek is filled): stop here.
        if part.contains(offset) && offset > first_request_byte {
            break;
        }
    }
    finish_body(part, offset, observer, rate)
}

/// The body ended: a file without a stated length ends here; one that stated more than it sent
/// is tried again from where it stopped.
fn finish_body(
    part: &PartialFile,
    offset: u64,
    observer: &dyn DownloadObserver,
    rate: &RateMeter,
) -> Result<u64, Attempt> {
    if part.total().is_none() {
        part.end_at(offset).map_err(|e| Attempt::Fatal(io_error(e)))?;
    }
    let _ = part.checkpoint();
    observer.progress(part.progress(), rate.per_sec());
    if part.total().is_some_and(|t| offset < t) && !part.contains(offset) {
        return Err(Attempt::Retry(DownloadError::Network(FEWER_BYTES.into())));
    }
    Ok(offset)
}

/// A request through the one redirect rule; a network failure is worth another try, a bad hop
/// is not.
async fn send_following_redirects(
    build: impl Fn(&Url) -> reqwest::RequestBuilder,
    url: &Url,
) -> Result<reqwest::Response, Attempt> {
    match crate::http::send(build, url).await {
        Ok(reply) => Ok(reply.response),
        Err(e) if e.is_offline() => {
            tracing::info!("offline: {}", e.details());
            Err(Attempt::Fatal(DownloadError::Offline))
        }
        Err(e @ FeedError::Network { .. }) => Err(Attempt::Retry(DownloadError::Network(e.to_string()))),
        Err(FeedError::UnsupportedScheme { url }) => Err(Attempt::Fatal(DownloadError::BadUrl(url))),
        Err(other) => Err(Attempt::Fatal(DownloadError::Http(other.to_string()))),
    }
}

fn http_message(url: &Url, status: StatusCode) -> String {
    crate::error::FeedError::HttpStatus { url: url.to_string(), status: status.as_u16() }.to_string()
}

/// What a download leaves free on the disk, at least.
const FREE_SPACE_MARGIN: u64 = 64 * 1024 * 1024;
/// How often a download without a length checks the free space as it grows.
const SPACE_CHECK_EVERY: u64 = 8 * 1024 * 1024;

fn ensure_space(part: &PartialFile, total: u64) -> Result<(), DownloadError> {
    ensure_space_for(part.dir(), total.saturating_sub(part.progress().bytes))
}

fn ensure_space_for(dir: &Path, needed: u64) -> Result<(), DownloadError> {
    match free_space(dir) {
        Some(free) if free < needed.saturating_add(FREE_SPACE_MARGIN) => {
            Err(DownloadError::NoSpace { needed_mb: needed.div_ceil(1 << 20), free_mb: free >> 20 })
        }
        _ => Ok(()),
    }
}

/// `bytes 100-199/1000` → (100, Some(1000)); `bytes 100-199/*` → (100, None).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let (from, _) = range.split_once('-')?;
    Some((from.trim().parse().ok()?, total.trim().parse().ok()))
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || head.starts_with("<head")
}

/// Bytes per second over the last few seconds, and when to report next.
struct RateMeter {
    started: Instant,
    bytes: u64,
    last_report: Instant,
}

impl RateMeter {
    fn new() -> Self {
        Self { started: Instant::now(), bytes: 0, last_report: Instant::now() }
    }

    fn add(&mut self, bytes: u64) {
        if self.started.elapsed() > Duration::from_secs(5) {
            self.started = Instant::now();
            self.bytes = 0;
        }
        self.bytes += bytes;
    }

    fn per_sec(&self) -> f64 {
        self.bytes as f64 / self.started.elapsed().as_secs_f64().max(0.05)
    }

    fn due(&mut self) -> bool {
        if self.last_report.elapsed() >= Duration::from_millis(200) {
            self.last_report = Instant::now();
            return true;
        }
        false
    }
}
