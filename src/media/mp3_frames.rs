//! A walk over the frames of an MPEG audio stream by their headers: where each frame is and how
//! many samples come before it. Each 4-byte header gives its frame's length and sample count,
//! so the exact time of any byte follows from the bytes before it, which is what a VBR file's
//! table of contents (or a seek by average bitrate) can only estimate.
//!
//! It counts frames the way symphonia's MP3 reader does (a first frame that holds a Xing, Info
//! or VBRI tag is not audio; junk between frames is skipped byte by byte until a header parses),
//! so its times are the reader's own. Bad bytes end the walk or are skipped; they never panic.

use std::io::{BufReader, Read, Seek};

const HEADER_LEN: usize = 4;
/// How far past junk the walk looks for the next header before it gives up.
const MAX_RESYNC: u64 = 64 * 1024;

/// One frame of audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Where its header starts, from the walk's byte 0.
    pub pos: u64,
    /// Audio samples (per channel) in the frames before it.
    pub samples_before: u64,
    /// Its length in bytes, header included, and samples per channel.
    pub len: usize,
    pub samples: u32,
}

/// What a header says about its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    mpeg1: bool,
    layer3: bool,
    mono: bool,
    sample_rate: u32,
    len: usize,
    samples: u32,
}

/// Parses a frame header by the rules symphonia uses (no free bit rate, no reserved values, no
/// layer II bit rate its channel mode forbids). None for anything else.
fn parse_header(word: u32) -> Option<Header> {
    if word & 0xffe0_0000 != 0xffe0_0000 {
        return None;
    }
    let version = (word >> 19) & 3; // 0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1
    let layer = (word >> 17) & 3; // 1: III, 2: II, 3: I
    let bitrate_index = ((word >> 12) & 0xf) as usize;
    let rate_index = ((word >> 10) & 3) as usize;
    if version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    let mpeg1 = version == 3;
    const L1: [u32; 15] = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448];
    const L2: [u32; 15] = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384];
    const L3: [u32; 15] = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    const LOW_L1: [u32; 15] = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256];
    const LOW_L23: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let kbps = match (mpeg1, layer) {
        (true, 3) => L1[bitrate_index],
        (true, 2) => L2[bitrate_index],
        (true, _) => L3[bitrate_index],
        (false, 3) => LOW_L1[bitrate_index],
        (false, _) => LOW_L23[bitrate_index],
    };
    let base_rate = [44_100, 48_000, 32_000][rate_index];
    let sample_rate = match version {
        3 => base_rate,
        2 => base_rate / 2,
        _ => base_rate / 4,
    };
    let mono = (word >> 6) & 3 == 3;
    if layer == 2 && (mono && [224, 256, 320, 384].contains(&kbps) || !mono && [32, 48, 56, 80].contains(&kbps)) {
        return None;
    }
    let padding = ((word >> 9) & 1) as usize;
    let bitrate = kbps as usize * 1000;
    let (len, samples) = match layer {
        3 => ((12 * bitrate / sample_rate as usize + padding) * 4, 384),
        2 => (144 * bitrate / sample_rate as usize + padding, 1152),
        _ if mpeg1 => (144 * bitrate / sample_rate as usize + padding, 1152),
        _ => (72 * bitrate / sample_rate as usize + padding, 576),
    };
    (len > HEADER_LEN).then_some(Header { mpeg1, layer3: layer == 1, mono, sample_rate, len, samples })
}

/// True when a stream's first frame is a Xing/Info or VBRI tag rather than audio.
fn is_tag_frame(header: &Header, frame: &[u8]) -> bool {
    if !header.layer3 {
        return false;
    }
    let side_info = match (header.mpeg1, header.mono) {
        (true, true) => 17,
        (true, false) => 32,
        (false, true) => 9,
        (false, false) => 17,
    };
    let at = |offset: usize| frame.get(offset..offset + 4);
    matches!(at(HEADER_LEN + side_info), Some(b"Xing" | b"Info")) || at(HEADER_LEN + 32) == Some(b"VBRI")
}

/// Walks the frames of a stream from its first audio frame, reading no further than `limit`.
pub struct FrameWalk<R: Read + Seek> {
    reader: BufReader<R>,
    limit: u64,
    /// Where the reader is.
    pos: u64,
    samples_before: u64,
    started: bool,
    frame: Vec<u8>,
}

impl<R: Read + Seek> FrameWalk<R> {
    /// `reader` at the first byte after any ID3v2 tag; `limit`: where the bytes that can be read
    /// without waiting end.
    pub fn new(reader: R, limit: u64) -> Self {
        Self {
            reader: BufReader::with_capacity(64 * 1024, reader),
            limit,
            pos: 0,
            samples_before: 0,
            started: false,
            frame: Vec::new(),
        }
    }

    /// The bytes of the frame `next_frame` last gave, header included.
    pub fn bytes(&self) -> &[u8] {
        &self.frame
    }

    /// The next frame of audio, or None where the bytes end or no header is found.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            let (pos, header) = self.read_frame()?;
            if !self.started {
                self.started = true;
                // The first frame must be followed by one like it (symphonia's test too): a
                // header-like pattern in junk after the tag is not the start of the audio.
                if !self.next_is_like(&header) {
                    self.reader.seek_relative(1 - header.len as i64).ok()?;
                    self.pos = pos + 1;
                    self.started = false;
                    continue;
                }
                if is_tag_frame(&header, &self.frame) {
                    continue;
                }
            }
            let frame = Frame { pos, samples_before: self.samples_before, len: header.len, samples: header.samples };
            self.samples_before += u64::from(header.samples);
            return Some(frame);
        }
    }

    /// Finds the next header (sliding over junk) and reads its frame into `self.frame`.
    fn read_frame(&mut self) -> Option<(u64, Header)> {
        let mut word = [0u8; HEADER_LEN];
        self.read_exact(&mut word)?;
        let junk_from = self.pos;
        loop {
            let at = self.pos - HEADER_LEN as u64;
            if let Some(header) = parse_header(u32::from_be_bytes(word))
                && at + header.len as u64 <= self.limit
            {
                self.frame.clear();
                self.frame.extend_from_slice(&word);
                self.frame.resize(header.len, 0);
                let (_, body) = self.frame.split_at_mut(HEADER_LEN);
                self.reader.read_exact(body).ok()?;
                self.pos += body.len() as u64;
                return Some((at, header));
            }
            if self.pos - junk_from > MAX_RESYNC || self.pos >= self.limit {
                return None;
            }
            word.rotate_left(1);
            self.read_exact(&mut word[HEADER_LEN - 1..])?;
        }
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Option<()> {
        if self.pos + buf.len() as u64 > self.limit {
            return None;
        }
        self.reader.read_exact(buf).ok()?;
        self.pos += buf.len() as u64;
        Some(())
    }

    /// Whether the next bytes are a header of the same kind of stream as `header` (or the end).
    fn next_is_like(&mut self, header: &Header) -> bool {
        if self.pos + HEADER_LEN as u64 > self.limit {
            return true;
        }
        let mut word = [0u8; HEADER_LEN];
        if self.reader.read_exact(&mut word).is_err() {
            return true;
        }
        let like = parse_header(u32::from_be_bytes(word)).is_some_and(|next| {
            (next.mpeg1, next.layer3, next.sample_rate, next.mono)
                == (header.mpeg1, header.layer3, header.sample_rate, header.mono)
        });
        self.reader.seek_relative(-(HEADER_LEN as i64)).is_ok() && like
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn walk(bytes: &[u8]) -> Vec<Frame> {
        let mut walk = FrameWalk::new(Cursor::new(bytes), bytes.len() as u64);
        std::iter::from_fn(|| walk.next_frame()).collect()
    }

    /// An MPEG-1 layer III mono frame at 64 kbps, 44.1 kHz: 208 bytes (209 padded), 1152 samples.
    fn frame(padded: bool) -> Vec<u8> {
        let header: u32 = 0xfffb_50c0 | if padded { 0x200 } else { 0 };
        let mut frame = header.to_be_bytes().to_vec();
        frame.resize(if padded { 209 } else { 208 }, 0x11);
        frame
    }

    #[test]
    fn frames_are_found_past_junk_and_counted_by_their_samples() {
        let mut bytes = b"junk\xff\xfb".to_vec();
        for i in 0..5 {
            bytes.extend(frame(i % 2 == 1));
        }
        let frames = walk(&bytes);
        assert_eq!(frames.len(), 5);
        assert_eq!(frames[0].pos, 6);
        assert_eq!((frames[1].pos, frames[1].len), (6 + 208, 209));
        assert_eq!(frames[4].samples_before, 4 * 1152);
    }

    #[test]
    fn a_xing_frame_first_is_not_audio() {
        let mut tag = frame(false);
        tag[4 + 17..4 + 21].copy_from_slice(b"Xing");
        let bytes = [tag, frame(false), frame(false)].concat();
        let frames = walk(&bytes);
        assert_eq!(frames.len(), 2);
        assert_eq!((frames[0].pos, frames[0].samples_before), (208, 0));
    }

    #[test]
    fn a_real_vbr_file_is_walked_frame_by_frame() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tone-vbr-swing.mp3")).unwrap();
        let frames = walk(&bytes[20..]);
        assert_eq!(frames.len(), 1669);
        // After a 20-byte ID3 tag. The Xing frame is no audio: frame 500 is the file's 502nd.
        assert_eq!((frames[500].pos, frames[500].samples_before), (68_744 - 20, 500 * 576));
        assert_eq!(frames.iter().map(|f| u64::from(f.samples)).sum::<u64>(), 1669 * 576);
    }

    #[test]
    fn garbage_and_truncated_streams_end_the_walk_without_a_panic() {
        let mut noise = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..200_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            noise.push((x >> 16) as u8 | if x.is_multiple_of(7) { 0xe0 } else { 0 });
        }
        let _ = walk(&noise);
        let _ = walk(&[0xff, 0xfb, 0x50]);
        let _ = walk(&[]);
        let whole = [frame(false), frame(false), frame(false)].concat();
        assert_eq!(walk(&whole[..whole.len() - 1]).len(), 2, "a cut last frame is not counted");
    }
}
