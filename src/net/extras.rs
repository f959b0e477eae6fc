//! What an episode links to besides its audio: the Podcasting 2.0 chapters file (fetched with
//! a conditional GET, its parsed list kept in the library) and transcripts (fetched on demand,
//! the bytes cached in the data directory). Both are bounded in size.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use url::Url;

use super::{Internal, NetEvent};
use crate::chapters::{Chapter, ChapterSource, MAX_CHAPTERS_JSON_BYTES};
use crate::error::FeedError;
use crate::error::LibraryError;
use crate::feed::{FetchOutcome, Fetched, fetch_conditional};
use crate::library::Library;
use crate::media::PartialFile;
use crate::media::id3::ID3V2_HEADER_LEN;
use crate::model::FileChapters;
use crate::model::{EpisodeId, FeedValidators};
use crate::transcript::{MAX_TRANSCRIPT_BYTES, Transcript, TranscriptFormat, TranscriptLink};

/// What a fetch of a chapters file found.
#[derive(Debug)]
pub enum ChaptersFetched {
    /// 304: the stored list stands.
    Unchanged,
    Changed {
        chapters: Vec<Chapter>,
        validators: FeedValidators,
    },
}

/// Fetches a Podcasting 2.0 chapters file, conditionally when a copy is held.
pub async fn fetch_chapters(
    client: &reqwest::Client,
    url: &str,
    known: Option<&FeedValidators>,
) -> Result<ChaptersFetched, String> {
    let parsed = Url::parse(url).map_err(|_| format!("the chapters address {url} is not valid"))?;
    let known = known.cloned().unwrap_or_default();
    let outcome = fetch_conditional(client, &parsed, &known, MAX_CHAPTERS_JSON_BYTES as u64)
        .await
        .map_err(|e| described("chapters", e))?;
    match outcome {
        FetchOutcome::NotModified { .. } => Ok(ChaptersFetched::Unchanged),
        FetchOutcome::Fetched(Fetched { body, validators, final_url, .. }) => {
            let chapters = tokio::task::spawn_blocking(move || crate::chapters::parse_json(&body, &final_url))
                .await
                .map_err(|e| format!("reading the chapters stopped: {e}"))?
                .map_err(|e| format!("the chapters at {url} could not be read: {e}"))?;
            Ok(ChaptersFetched::Changed { chapters, validators })
        }
    }
}

/// Stores what a fetch of an episode's chapters file found; true when the list changed.
pub fn store_fetched_chapters(
    library: &mut Library,
    episode: EpisodeId,
    url: &str,
    fetched: ChaptersFetched,
) -> Result<bool, LibraryError> {
    match fetched {
        ChaptersFetched::Unchanged => Ok(false),
        ChaptersFetched::Changed { chapters, validators } => {
            library.set_chapters(episode, ChapterSource::Json, &chapters, Some((url, &validators)))?;
            Ok(true)
        }
    }
}

pub use crate::transcript::cache::cache_path as transcript_cache_path;

/// A transcript, asked for conditionally: the cached copy when the server says it has not changed
/// (or cannot be reached), else the new one. Only a transcript that parsed is cached, so a broken
/// file the publisher fixes is fetched again.
pub async fn load_transcript(
    client: &reqwest::Client,
    cache_dir: &Path,
    link: &TranscriptLink,
) -> Result<Transcript, String> {
    match fetch_transcript(client, cache_dir, link, true).await? {
        TranscriptFetched::Changed(transcript) | TranscriptFetched::Unchanged(Some(transcript)) => Ok(transcript),
        TranscriptFetched::Unchanged(None) => Err(format!("the transcript at {} could not be read", link.url)),
    }
}

/// What a conditional fetch of a transcript found.
#[derive(Debug)]
pub enum TranscriptFetched {
    /// New bytes, parsed and cached.
    Changed(Transcript),
    /// 304 (or the network failed and a copy is held): the cached copy, parsed when asked for.
    Unchanged(Option<Transcript>),
}

/// Asks for a transcript with the cached copy's validators (a plain request when none is held);
/// new bytes that parse are cached. `read_held`: parse the held copy when it stands.
pub async fn fetch_transcript(
    client: &reqwest::Client,
    cache_dir: &Path,
    link: &TranscriptLink,
    read_held: bool,
) -> Result<TranscriptFetched, String> {
    let format = TranscriptFormat::detect(link.mime.as_deref(), &link.url)
        .ok_or_else(|| format!("the transcript at {} is in a format Hark does not read", link.url))?;
    let url = Url::parse(&link.url).map_err(|_| format!("the transcript address {} is not valid", link.url))?;
    let cached = transcript_cache_path(cache_dir, &link.url);
    let held = {
        let cached = cached.clone();
        tokio::task::spawn_blocking(move || crate::transcript::cache::read(&cached)).await.map_err(|e| e.to_string())?
    };
    let validators = held.as_ref().map(|(_, validators)| validators.clone()).unwrap_or_default();
    let outcome = fetch_conditional(client, &url, &validators, MAX_TRANSCRIPT_BYTES as u64).await;
    let (bytes, fresh) = match (outcome, held) {
        (Ok(FetchOutcome::Fetched(Fetched { body, validators, .. })), _) => (body, Some(validators)),
        (Ok(FetchOutcome::NotModified { .. }) | Err(_), Some(_)) if !read_held => {
            return Ok(TranscriptFetched::Unchanged(None));
        }
        (Ok(FetchOutcome::NotModified { .. }) | Err(_), Some((bytes, _))) => (bytes, None),
        (Ok(FetchOutcome::NotModified { .. }), None) => return Err(format!("{url} answered 304 to a plain request")),
        (Err(e), None) => return Err(described("transcript", e)),
    };
    tokio::task::spawn_blocking(move || {
        let transcript = crate::transcript::parse(&bytes, format)?;
        Ok(match fresh {
            Some(validators) => {
                // A cache that cannot be written costs a fetch next time, nothing more.
                let _ = crate::transcript::cache::write(&cached, &bytes, &validators);
                TranscriptFetched::Changed(transcript)
            }
            None => TranscriptFetched::Unchanged(Some(transcript)),
        })
    })
    .await
    .map_err(|e| format!("reading the transcript stopped: {e}"))?
    .map_err(|e: crate::transcript::TranscriptError| format!("the transcript at {url} could not be read: {e}"))
}

/// How often a stream's start is looked at until its tag is down.
const HEAD_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Waits (passively: the player decides what downloads first) until the first `len` bytes of a
/// download are there. None once nobody downloads or plays it any more, or it cannot be read.
async fn downloaded_head(part: &Arc<PartialFile>, len: u64) -> Option<Vec<u8>> {
    loop {
        match part.head(len) {
            Ok(Some(head)) => return Some(head),
            Ok(None) if Arc::strong_count(part) > 1 => tokio::time::sleep(HEAD_POLL).await,
            _ => return None,
        }
    }
}

/// A fetch failure in words that name what was fetched.
fn described(what: &str, error: FeedError) -> String {
    match error {
        FeedError::TooLarge { url, limit_mb } => format!("the {what} at {url} is larger than {limit_mb} MB"),
        other => other.to_string(),
    }
}

impl super::Service {
    /// Brings an episode's chapters up to date: the chapters file (conditionally) and, for a
    /// downloaded episode whose file was not read yet, the file's own chapters.
    pub(super) fn update_chapters(&mut self, episode: EpisodeId, done: &UnboundedSender<Internal>) {
        match self.library.chapters_file(episode) {
            Ok(Some(file)) => {
                let (client, done) = (self.client.clone(), done.clone());
                tokio::spawn(async move {
                    let result = fetch_chapters(&client, &file.url, file.fetched.as_ref()).await;
                    let _ = done.send(Internal::ChaptersFetched { episode, url: file.url, result });
                });
            }
            Ok(None) => {}
            Err(e) => return tracing::warn!("chapters of {episode}: {e}"),
        }
        let read = self.library.file_chapters_read(episode).unwrap_or(false);
        if let Some(path) = self.downloaded_file(episode).filter(|_| !read) {
            self.read_file_chapters(episode, path, done);
        }
    }

    /// A streamed MP3's chapters, from the ID3 tag at its start as soon as that is downloaded
    /// (the whole file is read again when it is complete).
    pub(super) fn read_streamed_chapters(&self, episode: EpisodeId, done: &UnboundedSender<Internal>) {
        let Some(active) = self.downloads.get(&episode) else { return };
        if self.library.file_chapters_read(episode).unwrap_or(false) {
            return;
        }
        let (part, done) = (active.part.clone(), done.clone());
        tokio::spawn(async move {
            let Some(first) = downloaded_head(&part, ID3V2_HEADER_LEN as u64).await else { return };
            let Some(needed) = first.try_into().ok().and_then(|first| crate::media::chapters::head_needed(&first))
            else {
                return; // not an MP3 with a tag: read when the download is complete
            };
            let Some(head) = downloaded_head(&part, needed).await else { return };
            let result = tokio::task::spawn_blocking(move || crate::media::chapters::read_head_chapters(head))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            let _ = done.send(Internal::FileChaptersRead { episode, result });
        });
    }

    pub(super) fn read_file_chapters(&self, episode: EpisodeId, path: PathBuf, done: &UnboundedSender<Internal>) {
        let done = done.clone();
        tokio::task::spawn_blocking(move || {
            let result = crate::media::chapters::read_file_chapters(&path);
            let _ = done.send(Internal::FileChaptersRead { episode, result });
        });
    }

    /// A downloaded episode played before its loudness was known (downloaded by an older Hark,
    /// or by hand) is measured now.
    pub(super) fn measure_if_unmeasured(&mut self, episode: EpisodeId, done: &UnboundedSender<Internal>) {
        let measured = self.library.loudness(episode).ok().and_then(|(lufs, _)| lufs).is_some();
        if let Some(path) = self.downloaded_file(episode).filter(|_| !measured) {
            self.measure_loudness(episode, path, done);
        }
    }

    /// The episode's downloaded file, if it is there (the library's answer; a failure to ask is
    /// logged and counts as no file).
    pub(super) fn downloaded_file(&mut self, episode: EpisodeId) -> Option<PathBuf> {
        self.library.downloaded_file(episode).unwrap_or_else(|e| {
            tracing::warn!("the file of {episode}: {e}");
            None
        })
    }

    /// Measures the file's loudness in the background: one file at a time, on a thread of its
    /// own at the lowest priority, so that playing and the window never wait for it.
    pub(super) fn measure_loudness(&self, episode: EpisodeId, path: PathBuf, done: &UnboundedSender<Internal>) {
        let (done, slot) = (done.clone(), self.measuring.clone());
        tokio::spawn(async move {
            let Ok(permit) = slot.acquire_owned().await else { return };
            let measuring = std::thread::Builder::new().name("hark-loudness".into()).spawn(move || {
                lowest_priority_for_this_thread();
                let lufs = crate::player::measure_loudness(&path);
                let _ = done.send(Internal::LoudnessMeasured { episode, lufs });
                drop(permit);
            });
            if let Err(e) = measuring {
                tracing::warn!("could not start measuring the loudness of {episode}: {e}");
            }
        });
    }

    pub(super) fn store_fetched(&mut self, episode: EpisodeId, url: &str, result: Result<ChaptersFetched, String>) {
        let stored = result.and_then(|fetched| {
            store_fetched_chapters(&mut self.library, episode, url, fetched).map_err(|e| e.to_string())
        });
        match stored {
            Ok(true) => self.emit(NetEvent::ChaptersChanged { episode }),
            Ok(false) => {}
            Err(reason) => self.emit(NetEvent::ChaptersFailed { episode, reason }),
        }
    }

    pub(super) fn store_file_chapters(&mut self, episode: EpisodeId, result: Result<FileChapters, String>) {
        match result {
            Ok(file) => match self.library.set_file_chapters(episode, &file) {
                Ok(()) if !file.chapters.is_empty() => self.emit(NetEvent::ChaptersChanged { episode }),
                Ok(()) => {}
                Err(e) => tracing::warn!("chapters of {episode}: {e}"),
            },
            // A file that cannot be read for chapters fails to play with its own message.
            Err(reason) => tracing::debug!("no file chapters for {episode}: {reason}"),
        }
    }

    /// Loads a transcript for the window; the service indexes it (`Internal::TranscriptLoaded`)
    /// before it says so.
    pub(super) fn load_transcript(&self, episode: EpisodeId, link: TranscriptLink, done: &UnboundedSender<Internal>) {
        let (client, cache, done) = (self.client.clone(), self.paths.transcript_cache(), done.clone());
        tokio::spawn(async move {
            let result = load_transcript(&client, &cache, &link).await.map(Arc::new);
            let _ = done.send(Internal::TranscriptLoaded { episode, url: link.url, result });
        });
    }
}

/// An episode's transcript as it was cached when it was last loaded (the window's transcript
/// view, `hark transcript`), without asking the network; None when it never was.
pub fn cached_transcript(cache_dir: &Path, link: &TranscriptLink) -> Option<Transcript> {
    crate::transcript::cache::cached(cache_dir, link)
}

/// The line of its episode's cached transcript spoken at each bookmark (None without one),
/// each transcript read once: for the Bookmarks window and `hark bookmarks` alike.
pub fn spoken_at_bookmarks(
    library: &Library,
    cache_dir: &Path,
    marks: &[crate::library::Bookmark],
) -> Vec<Option<String>> {
    let mut transcripts = std::collections::HashMap::new();
    marks
        .iter()
        .map(|mark| {
            let episode = mark.episode_id?;
            let transcript = transcripts.entry(episode).or_insert_with(|| {
                let link = library.chosen_transcript(episode).ok().flatten()?;
                cached_transcript(cache_dir, &link)
            });
            transcript_line_at(transcript.as_ref()?, mark.at_secs)
        })
        .collect()
}

/// The line of an episode's cached transcript spoken at `secs`, if there is one.
fn transcript_line_at(transcript: &Transcript, secs: f64) -> Option<String> {
    if !transcript.timed {
        return None;
    }
    let cue = &transcript.cues[crate::transcript::cue_at(&transcript.cues, secs)?];
    Some(match &cue.speaker {
        Some(speaker) => format!("{speaker}: {}", cue.text),
        None => cue.text.clone(),
    })
}

/// A clip to write: the episode's downloaded file, the span, and its tags (show, episode, the
/// `#t=start,end` link, the show's art when it is cached). The same for `hark clip` and the
/// window.
pub struct ClipJob {
    pub source: PathBuf,
    pub start: f64,
    pub end: f64,
    pub tags: crate::clip::ClipTags,
    /// The link to the span, when the episode has a web link.
    pub link: Option<String>,
}

impl ClipJob {
    /// None when the episode is not downloaded (a clip is cut from the file on disk).
    pub fn of(
        library: &mut Library,
        art_cache: &Path,
        episode: EpisodeId,
        start: f64,
        end: f64,
    ) -> Result<Option<Self>, crate::error::HarkError> {
        crate::clip::check_span(start, end).map_err(|e| crate::error::HarkError::Other(e.to_string()))?;
        let Some(source) = library.downloaded_file(episode)? else { return Ok(None) };
        let found = library.episode(episode)?;
        let show = library.podcast_of(episode)?;
        let link = crate::model::moment_link(found.share_link(), start, Some(end));
        let span = format!("{}–{}", crate::model::format_clock(start), crate::model::format_clock(end));
        let comment = match &link {
            Some(link) => format!("{} — {} ({span}) {link}", show.title, found.summary.title),
            None => format!("{} — {} ({span})", show.title, found.summary.title),
        };
        let picture = show.art_url.as_deref().and_then(|url| {
            let data = std::fs::read(super::art::cached_header(art_cache, url)).ok()?;
            Some(crate::clip::Picture { mime: "image/png".into(), data })
        });
        let tags = crate::clip::ClipTags {
            title: format!("{} ({span})", found.summary.title),
            show: show.title,
            comment,
            picture,
        };
        Ok(Some(Self { source, start, end, tags, link }))
    }

    pub fn write(&self, out: &Path) -> Result<crate::clip::Clip, crate::clip::ClipError> {
        crate::clip::write_opus(&self.source, self.start, self.end, &self.tags, out)
    }
}

/// Background work yields to everything else: on Linux the nice value belongs to the thread
/// (`setpriority` with 0 names the calling thread), so only this thread is lowered.
fn lowest_priority_for_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}
