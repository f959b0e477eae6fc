//! Chapters written into the audio file itself: ID3v2 `CHAP` frames in MP3 (symphonia reads them
//! while probing; a stream's are read from its start as soon as the tag is down) and MP4
//! chapters, the Nero `chpl` list or the QuickTime chapter track (mp4ameta; symphonia does not
//! read them).

use std::io::Read;
use std::path::Path;

use symphonia::core::formats::TrackType;
use symphonia::core::io::MediaSource;
use symphonia::core::meta::{ChapterGroup, ChapterGroupItem, StandardTag};

use super::AudioAfterTag;
use super::id3::{ID3V2_HEADER_LEN, id3v2_len, readable_tag};
use crate::chapters::MAX_CHAPTERS;
use crate::model::{Chapter, ChapterSource, FileChapters};

/// The chapters in the file at `path`, where they came from, and how long the audio is.
pub fn read_file_chapters(path: &Path) -> Result<FileChapters, String> {
    let shown = path.display();
    if is_mp4(path).map_err(|e| format!("could not read {shown}: {e}"))? {
        return mp4_chapters(path);
    }
    let not_read = |e: std::io::Error| format!("could not read {shown}: {e}");
    let audio = AudioAfterTag::open(path).map_err(not_read)?;
    let extension = path.extension().and_then(|e| e.to_str());
    let not_audio = |e: String| format!("{shown} is not audio Hark can read: {e}");
    // The length from the audio, the chapters from the tag and the audio's start (the tag made
    // safe first).
    let tag_len = audio.tag_len();
    let duration_secs = duration(Box::new(audio), extension).map_err(not_audio)?;
    if tag_len == 0 || tag_len > MAX_TAG_BYTES {
        return Ok(FileChapters { source: ChapterSource::Id3, chapters: Vec::new(), duration_secs });
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .map_err(not_read)?
        .take(tag_len + AUDIO_AFTER_TAG)
        .read_to_end(&mut head)
        .map_err(not_read)?;
    let mut read = head_chapters(head).map_err(not_audio)?;
    read.duration_secs = duration_secs;
    Ok(read)
}

/// Tags larger than this are not read for chapters (podcasts put cover art of a few megabytes
/// there; nothing needs more).
const MAX_TAG_BYTES: u64 = 32 * 1024 * 1024;

fn duration(source: Box<dyn MediaSource>, extension: Option<&str>) -> Result<Option<f64>, String> {
    let format = super::probe(source, extension).map_err(|e| e.to_string())?;
    Ok(format.default_track(TrackType::Audio).and_then(|track| {
        let (time_base, duration) = (track.time_base?, track.duration?);
        time_base.calc_duration(duration).map(|t| t.as_secs_f64())
    }))
}

/// How much audio after the tag the probe needs to recognise the stream.
const AUDIO_AFTER_TAG: u64 = 64 * 1024;

/// How many bytes of an MP3's start hold its ID3 tag (with enough audio after it to be
/// recognised), given its first 10 bytes; None for a file that does not start with a tag.
pub fn head_needed(first: &[u8; ID3V2_HEADER_LEN]) -> Option<u64> {
    let tag = id3v2_len(first);
    (tag > 0).then_some(tag + AUDIO_AFTER_TAG)
}

/// The chapters in the start of an MP3 that is still streaming (its length is not known yet).
pub fn read_head_chapters(head: Vec<u8>) -> Result<FileChapters, String> {
    head_chapters(head).map_err(|e| format!("the start of the stream is not audio Hark can read: {e}"))
}

/// The chapters of an MP3's start (its ID3 tag and some audio after it), the tag made safe to
/// read first. A tag that cannot be made safe gives no chapters, never a failure to play.
fn head_chapters(head: Vec<u8>) -> Result<FileChapters, String> {
    let tag_len = head.get(..ID3V2_HEADER_LEN).and_then(|h| h.try_into().ok()).map_or(0, id3v2_len) as usize;
    let none = FileChapters { source: ChapterSource::Id3, chapters: Vec::new(), duration_secs: None };
    let Some(mut readable) = (tag_len > 0).then(|| readable_tag(&head)).flatten() else { return Ok(none) };
    readable.extend_from_slice(&head[tag_len.min(head.len())..]);
    let format = super::probe(Box::new(std::io::Cursor::new(readable)), Some("mp3")).map_err(|e| e.to_string())?;
    let mut chapters = Vec::new();
    if let Some(group) = format.chapters() {
        collect(group, &mut chapters);
    }
    chapters.sort_by(|a, b| a.start_secs.total_cmp(&b.start_secs));
    Ok(FileChapters { chapters, ..none })
}

fn is_mp4(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 8];
    let mut file = std::fs::File::open(path)?;
    let read = file.read(&mut head)?;
    Ok(read == 8 && &head[4..8] == b"ftyp")
}

/// ID3 chapters may be nested in tables of contents (`CTOC`); every chapter counts once. Walked
/// with a stack of our own, never by recursion (`id3::readable_tag` already bounds the depth).
fn collect(group: &ChapterGroup, into: &mut Vec<Chapter>) {
    let mut pending: Vec<&ChapterGroupItem> = group.items.iter().rev().collect();
    while let Some(item) = pending.pop() {
        if into.len() >= MAX_CHAPTERS {
            return;
        }
        match item {
            ChapterGroupItem::Group(inner) => pending.extend(inner.items.iter().rev()),
            ChapterGroupItem::Chapter(chapter) => {
                let mut title = String::new();
                let mut url = None;
                for tag in &chapter.tags {
                    match &tag.std {
                        Some(StandardTag::ChapterTitle(text)) | Some(StandardTag::TrackTitle(text)) => {
                            title = crate::model::clean_line(text)
                        }
                        Some(StandardTag::Url(link)) if link.starts_with("http://") || link.starts_with("https://") => {
                            url = Some(link.to_string())
                        }
                        _ => {}
                    }
                }
                let start = chapter.start_time.as_secs_f64();
                if !start.is_finite() || start < 0.0 {
                    continue;
                }
                into.push(Chapter {
                    start_secs: start,
                    end_secs: chapter.end_time.map(|t| t.as_secs_f64()).filter(|end| end.is_finite() && *end > start),
                    title,
                    url,
                    image: None,
                    listed: true,
                    source: ChapterSource::Id3,
                });
            }
        }
    }
}

/// An MP4's chapters: its QuickTime chapter text track (read by `chapter_track`), else its Nero
/// chapter list (`chpl`, read by the tag reader, which also gives the length).
fn mp4_chapters(path: &Path) -> Result<FileChapters, String> {
    let config = mp4ameta::ReadConfig { read_chapter_list: true, read_audio_info: true, ..mp4ameta::ReadConfig::NONE };
    let not_read = |e: &dyn std::fmt::Display| format!("could not read the chapters of {}: {e}", path.display());
    let tag = mp4ameta::Tag::read_with_path(path, &config).map_err(|e| not_read(&e))?;
    let track = super::chapter_track::read(path, MAX_CHAPTERS).map_err(|e| not_read(&e))?;
    let listed = match track.is_empty() {
        false => track,
        true => tag.chapter_list().iter().map(|c| (c.start.as_secs_f64(), c.title.clone())).collect(),
    };
    let mut chapters: Vec<Chapter> = listed
        .into_iter()
        .take(MAX_CHAPTERS)
        .map(|(start_secs, title)| Chapter {
            start_secs,
            end_secs: None,
            title: crate::model::clean_line(&title),
            url: None,
            image: None,
            listed: true,
            source: ChapterSource::Mp4,
        })
        .collect();
    chapters.sort_by(|a, b| a.start_secs.total_cmp(&b.start_secs));
    let duration = tag.duration().as_secs_f64();
    Ok(FileChapters { source: ChapterSource::Mp4, chapters, duration_secs: (duration > 0.0).then_some(duration) })
}
