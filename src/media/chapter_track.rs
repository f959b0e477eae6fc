//! The QuickTime chapter track of an MP4: the audio track's `tref/chap` names the tracks that hold
//! its chapters, and the first of them that is a text track holds the titles, one text sample per
//! chapter. Written here because the MP4 tag reader takes whichever referenced track comes first
//! in the file, and producers such as Auphonic reference several (titles, titles with links, and
//! the chapter pictures as a video track): read that way, the pictures' bytes are taken for text
//! and every chapter is lost.
//!
//! Everything read is bounded: the movie box, the number of samples and each sample's size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// A movie box (`moov`) larger than this is not read for chapters.
const MAX_MOOV_BYTES: u64 = 64 * 1024 * 1024;
/// A chapter title sample larger than this is no title.
const MAX_TITLE_SAMPLE: u32 = 64 * 1024;

/// (start in seconds, title) of each chapter in the file's chapter text track, in order; empty
/// when it has none.
pub fn read(path: &Path, most: usize) -> std::io::Result<Vec<(f64, String)>> {
    let mut file = File::open(path)?;
    let Some(moov) = top_level_box(&mut file, b"moov")? else { return Ok(Vec::new()) };
    let tracks: Vec<Track<'_>> =
        children(&moov).filter(|(kind, _)| kind == b"trak").filter_map(|(_, body)| track(body)).collect();
    let referenced: Vec<u32> = tracks.iter().flat_map(|t| t.chapter_refs.iter().copied()).collect();
    let chapter_track =
        referenced.iter().find_map(|id| tracks.iter().find(|t| t.id == *id && matches!(&t.handler, b"text" | b"sbtl")));
    let Some(track) = chapter_track else { return Ok(Vec::new()) };
    let samples = track.samples(most);
    let mut chapters = Vec::with_capacity(samples.len());
    for (start, offset, size) in samples {
        let mut sample = vec![0u8; size.min(MAX_TITLE_SAMPLE) as usize];
        file.seek(SeekFrom::Start(offset))?;
        if file.read_exact(&mut sample).is_err() {
            break;
        }
        chapters.push((start as f64 / f64::from(track.timescale.max(1)), text_sample(&sample)));
    }
    Ok(chapters)
}

/// The body of the first top-level box of `kind`, read into memory (bounded).
fn top_level_box(file: &mut File, kind: &[u8; 4]) -> std::io::Result<Option<Vec<u8>>> {
    let len = file.metadata()?.len();
    let mut at = 0u64;
    while at + 8 <= len {
        file.seek(SeekFrom::Start(at))?;
        let mut head = [0u8; 16];
        file.read_exact(&mut head[..8])?;
        let mut size = u64::from(u32::from_be_bytes(head[..4].try_into().expect("4 bytes")));
        let mut header = 8;
        if size == 1 {
            file.read_exact(&mut head[8..16])?;
            size = u64::from_be_bytes(head[8..16].try_into().expect("8 bytes"));
            header = 16;
        } else if size == 0 {
            size = len - at;
        }
        if size < header {
            return Ok(None);
        }
        if &head[4..8] == kind {
            let body = size - header;
            if body > MAX_MOOV_BYTES {
                return Ok(None);
            }
            let mut bytes = vec![0u8; body as usize];
            file.read_exact(&mut bytes)?;
            return Ok(Some(bytes));
        }
        at = at.saturating_add(size);
    }
    Ok(None)
}

/// The boxes directly inside `body`, as (kind, body); stops at the first that does not fit.
fn children(body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = body;
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        let (header, size) = match size {
            1 => (16, usize::try_from(u64::from_be_bytes(rest.get(8..16)?.try_into().ok()?)).ok()?),
            0 => (8, rest.len()),
            size => (8, size),
        };
        let inner = rest.get(header..size)?;
        rest = &rest[size..];
        Some((kind, inner))
    })
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(body).find(|(k, _)| k == kind).map(|(_, inner)| inner)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// A full box's table: its entry count after the version and flags, then the entries.
fn table(body: &[u8], entry_len: usize) -> impl Iterator<Item = &[u8]> {
    let count = u32_at(body, 4).unwrap_or(0) as usize;
    body.get(8..).unwrap_or_default().chunks_exact(entry_len).take(count)
}

struct Track<'a> {
    id: u32,
    handler: [u8; 4],
    timescale: u32,
    chapter_refs: Vec<u32>,
    stbl: &'a [u8],
}

fn track(trak: &[u8]) -> Option<Track<'_>> {
    let tkhd = child(trak, b"tkhd")?;
    let id = if tkhd.first() == Some(&1) { u32_at(tkhd, 20)? } else { u32_at(tkhd, 12)? };
    let chapter_refs = child(trak, b"tref")
        .and_then(|tref| child(tref, b"chap"))
        .map(|chap| chap.chunks_exact(4).filter_map(|id| Some(u32::from_be_bytes(id.try_into().ok()?))).collect())
        .unwrap_or_default();
    let mdia = child(trak, b"mdia")?;
    let mdhd = child(mdia, b"mdhd")?;
    let timescale = if mdhd.first() == Some(&1) { u32_at(mdhd, 20)? } else { u32_at(mdhd, 12)? };
    let handler = child(mdia, b"hdlr")?.get(8..12)?.try_into().ok()?;
    let stbl = child(child(mdia, b"minf")?, b"stbl")?;
    Some(Track { id, handler, timescale, chapter_refs, stbl })
}

impl Track<'_> {
    /// (start in the track's time scale, file offset, size) of its first `most` samples.
    fn samples(&self, most: usize) -> Vec<(u64, u64, u32)> {
        let durations = child(self.stbl, b"stts").map_or_else(Vec::new, |stts| {
            table(stts, 8)
                .flat_map(|e| std::iter::repeat_n(u32_at(e, 4).unwrap_or(0), u32_at(e, 0).unwrap_or(0) as usize))
                .take(most)
                .collect()
        });
        let sizes: Vec<u32> = match child(self.stbl, b"stsz") {
            Some(stsz) if u32_at(stsz, 4).unwrap_or(0) != 0 => {
                vec![u32_at(stsz, 4).unwrap_or(0); (u32_at(stsz, 8).unwrap_or(0) as usize).min(most)]
            }
            Some(stsz) => {
                stsz.get(12..).unwrap_or_default().chunks_exact(4).take(most).filter_map(|s| u32_at(s, 0)).collect()
            }
            None => Vec::new(),
        };
        let chunk_offsets: Vec<u64> = match (child(self.stbl, b"stco"), child(self.stbl, b"co64")) {
            (Some(stco), _) => table(stco, 4).filter_map(|e| u32_at(e, 0).map(u64::from)).collect(),
            (None, Some(co64)) => table(co64, 8).filter_map(|e| u64_at(e, 0)).collect(),
            (None, None) => Vec::new(),
        };
        // Sample-to-chunk runs: (first chunk, 1-based; samples per chunk).
        let runs: Vec<(usize, usize)> = child(self.stbl, b"stsc").map_or_else(Vec::new, |stsc| {
            table(stsc, 12).filter_map(|e| Some((u32_at(e, 0)? as usize, u32_at(e, 4)? as usize))).collect()
        });
        let mut samples = Vec::new();
        let (mut sample, mut time) = (0usize, 0u64);
        for (chunk, offset) in chunk_offsets.iter().enumerate() {
            let per_chunk = runs.iter().rev().find(|(first, _)| *first <= chunk + 1).map_or(0, |(_, n)| *n);
            let mut at = *offset;
            for _ in 0..per_chunk {
                let (Some(&size), Some(&duration)) = (sizes.get(sample), durations.get(sample)) else { return samples };
                samples.push((time, at, size));
                at = at.saturating_add(u64::from(size));
                time = time.saturating_add(u64::from(duration));
                sample += 1;
            }
        }
        samples
    }
}

/// A QuickTime text sample: a 16-bit length, then the text (UTF-16 when it starts with a
/// byte-order mark, else UTF-8); anything after it (style boxes, a link) is not the title.
fn text_sample(sample: &[u8]) -> String {
    let len = sample.get(..2).map_or(0, |l| u16::from_be_bytes([l[0], l[1]]) as usize);
    let text = sample.get(2..2 + len).or_else(|| sample.get(2..)).unwrap_or_default();
    match text {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|u| u16::from_be_bytes([u[0], u[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8_lossy(text).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_samples_in_both_encodings_and_with_trailing_boxes() {
        assert_eq!(text_sample(b"\x00\x04Newsxxxxencd"), "News");
        assert_eq!(text_sample(b"\x00\x06\xFE\xFF\x00H\x00i"), "Hi");
        assert_eq!(text_sample(b"\x00\xFFshort"), "short", "a length past the sample reads what is there");
        assert_eq!(text_sample(b""), "");
    }
}
