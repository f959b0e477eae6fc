//! Between the decoder and the output: skip silence → time-stretch (WSOLA) → loudness →
//! voice boost → true-peak limiter. The chain keeps positions in content time: every block
//! of audio it gives out comes with anchors saying which content frame it plays, so a seek,
//! a resume, a chapter or a `#t=` link mean the same second of the file whatever was
//! shortened or sped up.

mod boost;
mod limiter;
pub mod loudness;
mod measure;
mod silence;

use std::collections::VecDeque;

use super::dsp::TimeStretch;
pub use crate::model::SilenceLevel;
use boost::VoiceBoost;
use limiter::Limiter;
pub use loudness::{KnownLevel, Leveller};
pub use measure::measure_file;
use silence::{Anchor as Join, SilenceShortener};

/// Decoded samples are clipped here (+12 dBFS): floating-point files can hold anything.
const LOUDEST: f32 = 4.0;
/// The stretcher's steps start up to its search range from where the last anchor predicts;
/// a new anchor is only set when that drifts further than this (in frames ÷ rate, 10 ms).
const ANCHOR_DRIFT_SECS: f64 = 0.010;

/// How an episode is to sound, from the listener's settings and the show's.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AudioSettings {
    pub skip_silence: SilenceLevel,
    pub loudness: bool,
    pub voice_boost: bool,
    pub level: KnownLevel,
}

/// Where a stretch of the chain's output sits in the episode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// First frame of the piece in the block given out.
    pub offset: usize,
    /// The content frame (fractional, after time-stretching) it plays.
    pub content_frame: f64,
    /// Listening time saved just before it by shortening a pause (content ÷ speed), in s.
    pub saved_secs: f64,
}

/// A content position at a frame of the stretched stream.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    frame: u64,
    content: f64,
    saved_secs: f64,
}

pub struct AudioChain {
    channels: usize,
    rate: u32,
    settings: AudioSettings,
    speed: f64,
    silence: SilenceShortener,
    stretch: TimeStretch,
    leveller: Leveller,
    boost: VoiceBoost,
    limiter: Limiter,
    /// Frames of the stretched stream made so far, and given out by the limiter.
    stretched: u64,
    given: u64,
    anchors: VecDeque<Anchor>,
    /// Joins of the silence stage not yet reached by the stretcher, and the last one reached.
    joins: VecDeque<Join>,
    mapping: Join,
    scratch: Vec<f32>,
    /// The decoded audio with non-finite samples silenced and absurd ones clipped.
    clean: Vec<f32>,
    shortened: Vec<f32>,
    new_joins: Vec<Join>,
}

impl AudioChain {
    pub fn new(channels: usize, rate: u32, settings: AudioSettings) -> Self {
        let channels = channels.max(1);
        Self {
            channels,
            rate,
            settings,
            speed: 1.0,
            silence: SilenceShortener::new(channels, rate, settings.skip_silence),
            stretch: TimeStretch::new(channels, rate),
            leveller: Leveller::new(channels, rate, settings.loudness, settings.level),
            boost: VoiceBoost::new(channels, rate),
            limiter: Limiter::new(channels, rate),
            stretched: 0,
            given: 0,
            anchors: VecDeque::new(),
            joins: VecDeque::new(),
            mapping: Join { at: 0, content: 0, removed: 0 },
            scratch: Vec::new(),
            clean: Vec::new(),
            shortened: Vec::new(),
            new_joins: Vec::new(),
        }
    }

    pub fn set_speed(&mut self, speed: f64) {
        self.speed = speed;
        self.stretch.set_speed(speed);
    }

    /// The episode's length in frames: its last seconds are never shortened.
    pub fn set_length(&mut self, frames: Option<u64>) {
        self.silence.set_length(frames);
    }

    /// The whole file's loudness was measured while it played.
    pub fn set_measured_level(&mut self, lufs: f64) {
        self.leveller.set_measured(lufs);
    }

    /// The level the loudness stage works from now (measured, the show's, or its estimate).
    pub fn level(&self) -> Option<f64> {
        self.leveller.level()
    }

    /// A seek: what is in flight is dropped; the next input starts afresh.
    pub fn reset(&mut self) {
        self.stretch.reset();
        self.boost.reset();
        self.limiter.reset();
        self.anchors.clear();
        self.joins.clear();
        self.stretched = 0;
        self.given = 0;
        self.mapping = Join { at: 0, content: 0, removed: 0 };
        // The silence stage restarts at the next push's frame.
        self.silence.clear();
    }

    /// Takes decoded audio whose first frame is content frame `first_frame`, appends what
    /// can be heard now to `out`, and returns where its pieces sit in the episode.
    pub fn process(&mut self, decoded: &[f32], first_frame: u64, out: &mut Vec<f32>) -> Vec<Piece> {
        // A broken file's NaN or infinity would poison every filter's state (and the speech
        // level) for the rest of the episode.
        self.clean.clear();
        self.clean.extend(decoded.iter().map(|s| if s.is_finite() { s.clamp(-LOUDEST, LOUDEST) } else { 0.0 }));
        let decoded = std::mem::take(&mut self.clean);
        let pieces = self.process_clean(&decoded, first_frame, out);
        self.clean = decoded;
        pieces
    }

    fn process_clean(&mut self, decoded: &[f32], first_frame: u64, out: &mut Vec<f32>) -> Vec<Piece> {
        self.leveller.analyse(decoded);
        if self.silence.expected_next() != Some(first_frame) {
            // A seek (or the first audio): every stage starts over at this frame.
            self.reset();
            self.silence.reset(first_frame);
            self.joins.push_back(Join { at: first_frame, content: first_frame, removed: 0 });
        }
        self.shortened.clear();
        self.new_joins.clear();
        let start = self.silence.push(decoded, first_frame, &mut self.shortened, &mut self.new_joins);
        self.after_silence(start, out)
    }

    /// The end of the episode: what the stages hold comes out.
    pub fn finish(&mut self, out: &mut Vec<f32>) -> Vec<Piece> {
        self.shortened.clear();
        self.new_joins.clear();
        let start = self.silence.finish(&mut self.shortened, &mut self.new_joins);
        let mut pieces = self.after_silence(start, out);
        let from = out.len();
        self.limiter.finish(out);
        pieces.extend(self.pieces(from, out.len()));
        pieces
    }

    fn after_silence(&mut self, start: u64, out: &mut Vec<f32>) -> Vec<Piece> {
        self.joins.extend(self.new_joins.drain(..));
        self.scratch.clear();
        let ch = self.channels as u64;
        if (self.speed - 1.0).abs() < 1e-3 {
            let frames = (self.shortened.len() as u64) / ch;
            self.anchor_joins(start, frames, 1.0);
            self.scratch.extend_from_slice(&self.shortened);
        } else {
            self.stretch.push(&self.shortened, start);
            if let Some(from) = self.stretch.pull(&mut self.scratch) {
                let frames = self.scratch.len() as u64 / ch;
                self.anchor_joins(from, frames, self.speed);
            }
        }
        self.stretched += self.scratch.len() as u64 / ch;
        self.leveller.apply(&mut self.scratch);
        if self.settings.voice_boost {
            self.boost.process(&mut self.scratch);
        }
        let from = out.len();
        self.limiter.process(&self.scratch, out);
        self.pieces(from, out.len())
    }

    /// Output frames `[stretched, stretched + frames)` play the silence stage's frames from
    /// `from` on, `speed` of them per frame: an anchor where they begin, and one at each join
    /// they reach (each join once, even when the stretcher's next step starts a little back).
    fn anchor_joins(&mut self, from: u64, frames: u64, speed: f64) {
        let base = self.mapping.content as f64 + from as f64 - self.mapping.at as f64;
        // Most blocks continue the last anchor exactly (1×) or nearly (the stretcher's search):
        // a new anchor would only cut a chunk in two.
        let predicted =
            self.anchors.back().map(|a| a.content + self.stretched.saturating_sub(a.frame) as f64 * self.speed);
        if predicted.is_none_or(|p| (p - base).abs() > ANCHOR_DRIFT_SECS * self.rate as f64) {
            self.anchors.push_back(Anchor { frame: self.stretched, content: base, saved_secs: 0.0 });
        }
        let end = from as f64 + frames as f64 * speed;
        while let Some(join) = self.joins.front().copied().filter(|j| (j.at as f64) < end) {
            self.joins.pop_front();
            let (offset, content) = if join.at <= from {
                (0, join.content as f64 + (from - join.at) as f64)
            } else {
                (((join.at - from) as f64 / speed).ceil() as u64, join.content as f64)
            };
            let saved_secs = join.removed as f64 / self.rate as f64 / speed;
            self.anchors.push_back(Anchor { frame: self.stretched + offset, content, saved_secs });
            self.mapping = join;
        }
    }

    /// The pieces of `out[from..to]`, the limiter's output frames given out now.
    fn pieces(&mut self, from: usize, to: usize) -> Vec<Piece> {
        let ch = self.channels;
        let frames = ((to - from) / ch) as u64;
        let (first, end) = (self.given, self.given + frames);
        self.given = end;
        let mut pieces = Vec::new();
        if frames == 0 {
            return pieces;
        }
        while self.anchors.len() > 1 && self.anchors[1].frame <= first {
            self.anchors.pop_front();
        }
        let Some(current) = self.anchors.front().copied() else { return pieces };
        let content_frame = current.content + (first.saturating_sub(current.frame)) as f64 * self.speed;
        let saved_secs = if current.frame == first { current.saved_secs } else { 0.0 };
        pieces.push(Piece { offset: 0, content_frame, saved_secs });
        for anchor in self.anchors.iter().skip(1).filter(|a| a.frame > first && a.frame < end) {
            pieces.push(Piece {
                offset: (anchor.frame - first) as usize,
                content_frame: anchor.content,
                saved_secs: anchor.saved_secs,
            });
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_samples_do_not_poison_the_rest_of_the_episode() {
        let settings = AudioSettings {
            skip_silence: SilenceLevel::Strong,
            loudness: true,
            voice_boost: true,
            ..AudioSettings::default()
        };
        let mut chain = AudioChain::new(1, RATE, settings);
        let tone = |i: usize| 0.3 * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / RATE as f32).sin();
        let mut out = Vec::new();
        let mut frame = 0;
        for block in 0..200 {
            let mut packet: Vec<f32> = (frame..frame + 1152).map(tone).collect();
            if block == 20 {
                packet[5] = f32::NAN;
                packet[6] = f32::INFINITY;
                packet[7] = 1e30;
            }
            chain.process(&packet, frame as u64, &mut out);
            frame += 1152;
        }
        let last_second = &out[out.len() - RATE as usize..];
        assert!(last_second.iter().all(|s| s.is_finite()), "NaN got through");
        let rms = (last_second.iter().map(|s| s * s).sum::<f32>() / RATE as f32).sqrt();
        assert!(rms > 0.05, "the tone went silent after the broken packet: rms {rms}");
        assert!(out.len() as f64 > frame as f64 * 0.99, "nothing was cut as silence");
    }

    const RATE: u32 = 22_050;

    #[test]
    fn positions_stay_in_content_time_through_shortened_pauses_and_speed() {
        // 2 s of a 440 Hz tone whose content frame is coded in its amplitude, 2 s silence, …
        let mut input = Vec::new();
        for block in 0..6 {
            for i in 0..2 * RATE as usize {
                let frame = block * 2 * RATE as usize + i;
                let loud = block % 2 == 0;
                let s = (2.0 * std::f32::consts::PI * 440.0 * frame as f32 / RATE as f32).sin();
                input.push(if loud { 0.3 * s } else { 0.0 });
            }
        }
        for speed in [1.0, 1.5] {
            let settings = AudioSettings { skip_silence: SilenceLevel::Medium, ..AudioSettings::default() };
            let mut chain = AudioChain::new(1, RATE, settings);
            chain.set_speed(speed);
            let mut out = Vec::new();
            let mut pieces = Vec::new();
            for (i, chunk) in input.chunks(1152).enumerate() {
                let from = out.len();
                pieces.extend(
                    chain.process(chunk, (i * 1152) as u64, &mut out).into_iter().map(|p| (from + p.offset, p)),
                );
            }
            let from = out.len();
            pieces.extend(chain.finish(&mut out).into_iter().map(|p| (from + p.offset, p)));
            let saved: f64 = pieces.iter().map(|(_, p)| p.saved_secs).sum();
            let heard = out.len() as f64 / RATE as f64;
            // Three pauses of 2 s keep 0.2 s each.
            let expected = (12.0 - 3.0 * 1.8) / speed;
            assert!((heard - expected).abs() < 0.15, "{speed}×: heard {heard} s, expected {expected}");
            assert!((saved - 5.4 / speed).abs() < 0.05, "{speed}×: saved {saved} s");
            // The piece that starts the third tone says it is at 8 s of content.
            let (_, third) = pieces.iter().filter(|(_, p)| p.saved_secs > 0.0).nth(1).expect("two joins");
            let secs = third.content_frame / RATE as f64;
            assert!((secs - 7.9).abs() < 0.05, "{speed}×: the second join continues at {secs} s");
        }
    }
}
