//! An MP3 played while it downloads. A seek ahead of the bytes there jumps by estimate: symphonia
//! takes the byte at the asked time's share of the file (its average bitrate) and counts on from
//! there, so in a VBR file the time it reports is off by as much as the bitrate varied before
//! that point (seconds to half a minute in an hour). Playing starts at once from the estimate;
//! once every byte before the landing point is on disk, a walk over the frame headers from the
//! start gives the landing frame's true time, and the clock is corrected by the difference
//! (the audio plays on untouched). A seek whose target the bytes on disk already reach is not
//! estimated at all: the caller seeks exactly.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use symphonia::core::io::MediaSource;

use crate::media::mp3_frames::FrameWalk;
use crate::media::{PartialFile, PartialReader};

/// How far past the byte a coarse seek jumped to the frame it plays first can be: symphonia
/// syncs to the next frames and steps a few on (a frame is at most 2,881 bytes).
const LANDING_WINDOW: u64 = 64 * 1024;
const NOT_SOUGHT: u64 = u64::MAX;

/// The reader symphonia reads the download through, noting where it last jumped to: the byte a
/// coarse seek started from.
pub(super) struct SeekWatch {
    inner: Box<dyn MediaSource>,
    sought: Arc<AtomicU64>,
}

impl SeekWatch {
    pub fn new(inner: Box<dyn MediaSource>, sought: Arc<AtomicU64>) -> Self {
        Self { inner, sought }
    }
}

impl Read for SeekWatch {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Seek for SeekWatch {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let at = self.inner.seek(pos)?;
        if let SeekFrom::Start(_) = pos {
            self.sought.store(at, Ordering::Relaxed);
        }
        Ok(at)
    }
}

impl MediaSource for SeekWatch {
    fn is_seekable(&self) -> bool {
        self.inner.is_seekable()
    }

    fn byte_len(&self) -> Option<u64> {
        self.inner.byte_len()
    }
}

/// Where a coarse seek landed: the byte it jumped to, then the first frame it gave (its
/// timestamp as estimated, and its bytes, to find it among the frames walked).
struct Landing {
    sought: u64,
    first: Option<(i64, Box<[u8]>)>,
}

pub(super) struct StreamedMp3 {
    part: Arc<PartialFile>,
    /// Where the reader's byte 0 is in the file (past the ID3 tag).
    origin: u64,
    /// The encoder delay symphonia starts its timestamps below zero by.
    delay: u32,
    sample_rate: u32,
    sought: Arc<AtomicU64>,
    landing: Option<Landing>,
    /// Content frames to add to the reader's timestamps since the last coarse seek.
    correction: i64,
}

impl StreamedMp3 {
    pub fn new(part: Arc<PartialFile>, origin: u64, delay: u32, sample_rate: u32, sought: Arc<AtomicU64>) -> Self {
        Self { part, origin, delay, sample_rate, sought, landing: None, correction: 0 }
    }

    /// What to add to the reader's times to get the true ones (0 until corrected).
    pub fn correction_secs(&self) -> f64 {
        self.correction as f64 / self.sample_rate.max(1) as f64
    }

    /// A seek that is exact: the reader's times are true again.
    pub fn exact_seek(&mut self) {
        self.landing = None;
        self.correction = 0;
        self.sought.store(NOT_SOUGHT, Ordering::Relaxed);
    }

    /// After a coarse seek: where it jumped to is noted, to be corrected later.
    pub fn coarse_seek(&mut self) {
        let sought = self.sought.swap(NOT_SOUGHT, Ordering::Relaxed);
        self.correction = 0;
        self.landing = (sought != NOT_SOUGHT).then_some(Landing { sought, first: None });
    }

    /// Every packet the reader gives: the first after a coarse seek is the landing frame.
    pub fn packet_read(&mut self, pts: i64, data: &[u8]) {
        if let Some(landing @ Landing { first: None, .. }) = &mut self.landing {
            landing.first = Some((pts, data.into()));
        }
    }

    /// Corrects the clock once the bytes before the landing are on disk (a walk of the frame
    /// headers: 73 ms for a 27 MB hour in a debug build, well within the second of audio
    /// queued); before that, costs one look at the range list.
    pub fn correct_when_possible(&mut self) {
        let Some(Landing { sought, first: Some((pts, bytes)) }) = &self.landing else { return };
        let needed = (self.origin + sought + LANDING_WINDOW).min(self.part.total().unwrap_or(u64::MAX));
        let on_disk = self.part.contiguous_from_start();
        if on_disk < needed {
            return;
        }
        let mut walk = self.walk(on_disk);
        let mut found = None;
        while let Some(frame) = walk.next_frame().filter(|frame| frame.pos <= sought + LANDING_WINDOW) {
            if frame.pos >= *sought && walk.bytes() == &bytes[..] {
                found = Some(frame);
                break;
            }
        }
        match found {
            Some(frame) => {
                let true_ts = frame.samples_before as i64 - i64::from(self.delay);
                self.correction = true_ts - pts;
                tracing::debug!(correction = self.correction_secs(), "a seek by estimate corrected");
            }
            // Not one of the frames there (junk the reader resynced over): the estimate stays.
            None => tracing::info!("the frame a seek landed on was not found; its time stays an estimate"),
        }
        self.landing = None;
    }

    /// Whether the bytes on disk from the start reach `secs`: a seek there can be exact now.
    pub fn reaches(&self, secs: f64) -> bool {
        let wanted = (secs.max(0.0) * self.sample_rate as f64) as u64 + u64::from(self.delay);
        let on_disk = self.part.contiguous_from_start();
        if on_disk <= self.origin {
            return false;
        }
        let mut walk = self.walk(on_disk);
        std::iter::from_fn(|| walk.next_frame()).any(|frame| frame.samples_before + u64::from(frame.samples) > wanted)
    }

    /// A walk over the bytes on disk; its reads never wait for the download.
    fn walk(&self, on_disk: u64) -> FrameWalk<PartialReader> {
        let reader = self.part.reader(Arc::new(|| true), Arc::new(|_| {})).starting_at(self.origin);
        FrameWalk::new(reader, on_disk.saturating_sub(self.origin))
    }
}
