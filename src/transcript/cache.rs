//! Transcripts as fetched, kept as files: the bytes by the hash of their address, their
//! validators (ETag, Last-Modified) beside them. Written by the net service; read back by the
//! transcript view, `hark transcript`, bookmarks and the library search (where a hit is).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Transcript, TranscriptFormat, TranscriptLink};
use crate::model::FeedValidators;

/// Where a transcript's bytes are cached.
pub fn cache_path(cache_dir: &Path, url: &str) -> PathBuf {
    let hash: String = Sha256::digest(url.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect();
    cache_dir.join(hash)
}

/// The validators of a cached transcript sit beside it: its ETag and Last-Modified, a line each.
fn validators_path(cached: &Path) -> PathBuf {
    cached.with_extension("validators")
}

/// The cached bytes and the validators they came with.
pub fn read(cached: &Path) -> Option<(Vec<u8>, FeedValidators)> {
    let bytes = std::fs::read(cached).ok()?;
    let saved = std::fs::read_to_string(validators_path(cached)).unwrap_or_default();
    let mut lines = saved.lines().map(|l| Some(l.to_string()).filter(|l| !l.is_empty()));
    let (etag, last_modified) = (lines.next().flatten(), lines.next().flatten());
    Some((bytes, FeedValidators { etag, last_modified, body_hash: None }))
}

pub fn write(cached: &Path, bytes: &[u8], validators: &FeedValidators) -> std::io::Result<()> {
    std::fs::create_dir_all(cached.parent().unwrap_or(cached))?;
    std::fs::write(cached, bytes)?;
    let line = |value: &Option<String>| value.as_deref().unwrap_or_default().replace(['\r', '\n'], "");
    std::fs::write(
        validators_path(cached),
        format!("{}\n{}\n", line(&validators.etag), line(&validators.last_modified)),
    )
}

/// An episode's transcript as it was cached when it was last loaded, without asking the
/// network; None when it never was (or it no longer reads).
pub fn cached(cache_dir: &Path, link: &TranscriptLink) -> Option<Transcript> {
    let format = TranscriptFormat::detect(link.mime.as_deref(), &link.url)?;
    let (bytes, _) = read(&cache_path(cache_dir, &link.url))?;
    super::parse(&bytes, format).ok()
}

/// The first cue of an episode's cached transcript that `found` accepts, looking where `needle`
/// says (see `super::first_cue`): its start (None when untimed) and what `found` said.
pub fn first_cue<T>(
    cache_dir: &Path,
    link: &TranscriptLink,
    needle: Option<&str>,
    found: impl FnMut(&super::Cue) -> Option<T>,
) -> Option<(Option<f64>, T)> {
    let format = TranscriptFormat::detect(link.mime.as_deref(), &link.url)?;
    let bytes = std::fs::read(cache_path(cache_dir, &link.url)).ok()?;
    super::first_cue(&bytes, format, needle, found)
}
