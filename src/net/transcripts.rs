//! Transcripts fetched in the background, so they are searchable before they are opened: after
//! a refresh, each followed show's newest N episodes (the `transcripts-per-show` preference)
//! whose transcript was never fetched, or not asked about for a week. A few at a time, each a
//! conditional request (the cache keeps the validators: an unchanged transcript is a 304 and is
//! not read again); never on a metered connection, nor when the refresh found no network.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

use super::Internal;
use super::extras::{TranscriptFetched, fetch_transcript};
use crate::library::Library;
use crate::model::EpisodeId;
use crate::transcript::TranscriptLink;

/// How many transcripts are fetched at once.
pub const PARALLEL_TRANSCRIPTS: usize = 4;
/// A transcript fetched (or found unchanged) this long ago is asked about again.
pub const RECHECK_AFTER_SECS: i64 = 7 * 24 * 3600;

/// What is said when a metered connection holds the fetch back (the CLI; the service logs it).
pub fn held_line(count: usize) -> String {
    format!("{count} transcripts not fetched: the connection is metered")
}

/// What one fetch found, for `store`.
pub type Fetched = (EpisodeId, String, Result<TranscriptFetched, String>);

/// What the background fetch asks for now.
pub fn wanted(library: &Library) -> Vec<(EpisodeId, TranscriptLink)> {
    let per_show = crate::preferences::transcripts_per_show(library).unwrap_or(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64);
    library.transcripts_to_fetch(per_show, now.unwrap_or(0) - RECHECK_AFTER_SECS).unwrap_or_else(|e| {
        tracing::warn!("which transcripts to fetch: {e}");
        Vec::new()
    })
}

/// Fetches `wanted`, at most `PARALLEL_TRANSCRIPTS` at once, handing each result to `each` as it
/// comes.
pub async fn fetch_all(
    client: &reqwest::Client,
    cache_dir: &Path,
    wanted: Vec<(EpisodeId, TranscriptLink)>,
    mut each: impl FnMut(Fetched),
) {
    let slots = Arc::new(Semaphore::new(PARALLEL_TRANSCRIPTS));
    let mut tasks = tokio::task::JoinSet::new();
    for (episode, link) in wanted {
        let (client, cache, slots) = (client.clone(), cache_dir.to_path_buf(), slots.clone());
        tasks.spawn(async move {
            let _permit = slots.acquire_owned().await;
            let result = fetch_transcript(&client, &cache, &link, false).await;
            (episode, link.url, result)
        });
    }
    while let Some(done) = tasks.join_next().await {
        if let Ok(fetched) = done {
            each(fetched);
        }
    }
}

/// Indexes a fetched transcript, or notes that it has not changed; true when it was indexed.
pub fn store(library: &mut Library, (episode, url, result): Fetched) -> bool {
    let stored = match result {
        Ok(TranscriptFetched::Changed(transcript)) => {
            library.index_transcript(episode, &url, &transcript).map(|()| true)
        }
        Ok(TranscriptFetched::Unchanged(_)) => library.transcript_unchanged(episode, &url).map(|()| false),
        Err(reason) => {
            tracing::debug!("transcript of {episode}: {reason}");
            Ok(false)
        }
    };
    stored.unwrap_or_else(|e| {
        tracing::warn!("transcript of {episode}: {e}");
        false
    })
}

/// The background fetch as the net service runs it: one round at a time.
#[derive(Default)]
pub(super) struct Round {
    running: bool,
    /// Some feed of the refresh batch answered (else the network is not there).
    pub reachable: bool,
}

impl super::Service {
    /// After a refresh: the round, unless one runs, nothing is wanted, the refresh reached no
    /// server, or the connection is metered (asked off the service's thread).
    pub(super) fn fetch_transcripts(&mut self, done: &mpsc::UnboundedSender<Internal>) {
        let reachable = std::mem::take(&mut self.transcripts.reachable);
        if self.transcripts.running || !reachable {
            return;
        }
        let wanted = wanted(&self.library);
        if wanted.is_empty() {
            return;
        }
        self.transcripts.running = true;
        let (client, cache, done) = (self.client.clone(), self.paths.transcript_cache(), done.clone());
        tokio::spawn(async move {
            let metered = tokio::task::spawn_blocking(super::metered::is_metered).await.unwrap_or(false);
            if metered {
                tracing::info!("{}", held_line(wanted.len()));
            } else {
                fetch_all(&client, &cache, wanted, |fetched| {
                    let _ = done.send(Internal::TranscriptFetched(fetched));
                })
                .await;
            }
            let _ = done.send(Internal::TranscriptsRoundEnded);
        });
    }

    pub(super) fn transcripts_round_ended(&mut self) {
        self.transcripts.running = false;
    }

    /// Transcripts cached before the moments index (or by `hark transcript` without it) are
    /// indexed once, off the service's thread, on a connection of its own.
    pub(super) fn index_cached_transcripts(&self) {
        let (database, cache) = (self.paths.database(), self.paths.transcript_cache());
        tokio::task::spawn_blocking(move || {
            let indexed = Library::open(&database).and_then(|mut library| library.index_cached_transcripts(&cache));
            match indexed {
                Ok(0) => {}
                Ok(count) => tracing::info!("{count} cached transcripts indexed for search"),
                Err(e) => tracing::warn!("indexing cached transcripts: {e}"),
            }
        });
    }
}
