//! Time-stretching with the pitch kept: WSOLA (waveform-similarity overlap-add).
//!
//! Each step emits `hop` frames: a crossfade from the natural continuation of the previous
//! segment into a new segment taken `hop × speed` further on in the input, shifted by up to
//! `search` frames to where its waveform best matches, so the seam has no phase jump. The
//! input advances `speed` times faster than the output, and the pitch stays as it was.

/// Length of one output step (and of the crossfade), in seconds.
const HOP_SECS: f64 = 0.015;
/// How far a segment may move to find the best match, in seconds.
const SEARCH_SECS: f64 = 0.008;
/// The match is scored on every `DECIMATE`th frame and offset first, then refined.
const DECIMATE: usize = 4;

pub struct TimeStretch {
    channels: usize,
    hop: usize,
    search: usize,
    speed: f64,
    /// Interleaved input not yet consumed; `input_start` is the content frame of its first frame.
    input: Vec<f32>,
    input_start: u64,
    /// Content frame (fractional) where the next segment would start without a search.
    next_pos: f64,
    /// The `hop` frames that naturally follow the last segment emitted.
    tail: Vec<f32>,
    have_tail: bool,
    mono_scratch: Vec<f32>,
}

impl TimeStretch {
    pub fn new(channels: usize, sample_rate: u32) -> Self {
        let hop = ((sample_rate as f64 * HOP_SECS) as usize).max(16);
        let search = ((sample_rate as f64 * SEARCH_SECS) as usize).max(4);
        Self {
            channels: channels.max(1),
            hop,
            search,
            speed: 1.0,
            input: Vec::new(),
            input_start: 0,
            next_pos: 0.0,
            tail: Vec::new(),
            have_tail: false,
            mono_scratch: Vec::new(),
        }
    }

    /// `speed` is one the player takes (`player::valid_speed`): the range is the player's rule.
    pub fn set_speed(&mut self, speed: f64) {
        debug_assert!(speed.is_finite() && speed > 0.0, "a speed from player::valid_speed");
        self.speed = speed;
    }

    /// Forgets everything buffered (after a seek).
    pub fn reset(&mut self) {
        self.input.clear();
        self.have_tail = false;
        self.tail.clear();
    }

    fn frames(&self) -> usize {
        self.input.len() / self.channels
    }

    /// Adds decoded input whose first frame is content frame `first_frame`. A jump in the
    /// frame numbers (a seek) starts afresh.
    pub fn push(&mut self, samples: &[f32], first_frame: u64) {
        let expected = self.input_start + self.frames() as u64;
        if self.input.is_empty() || first_frame != expected {
            self.reset();
            self.input_start = first_frame;
            self.next_pos = first_frame as f64;
        }
        self.input.extend_from_slice(samples);
    }

    /// Emits every full step the buffered input allows into `out`. Returns the content frame
    /// at which the emitted audio starts, or None when nothing could be emitted.
    pub fn pull(&mut self, out: &mut Vec<f32>) -> Option<u64> {
        let (ch, hop, search) = (self.channels, self.hop, self.search);
        let mut first = None;
        loop {
            let nominal = self.next_pos.round() as i64 - self.input_start as i64;
            // A segment starts within ±search of nominal and needs 2·hop frames after it.
            if nominal + (search + 2 * hop) as i64 > self.frames() as i64 {
                break;
            }
            let lowest = (nominal - search as i64).max(0) as usize;
            let highest = (nominal + search as i64).max(0) as usize;
            let start = if self.have_tail { self.best_match(lowest, highest) } else { nominal.max(0) as usize };
            first.get_or_insert(self.input_start + start as u64);
            let segment = &self.input[start * ch..(start + hop) * ch];
            if self.have_tail {
                for i in 0..hop {
                    let fade_in = (i as f32 + 0.5) / hop as f32;
                    for c in 0..ch {
                        let idx = i * ch + c;
                        out.push(self.tail[idx] * (1.0 - fade_in) + segment[idx] * fade_in);
                    }
                }
            } else {
                out.extend_from_slice(segment);
            }
            self.tail.clear();
            self.tail.extend_from_slice(&self.input[(start + hop) * ch..(start + 2 * hop) * ch]);
            self.have_tail = true;
            self.next_pos += hop as f64 * self.speed;
            self.drop_consumed();
        }
        first
    }

    /// Drops input that no future segment can reach.
    fn drop_consumed(&mut self) {
        let keep_from = (self.next_pos.floor() as i64 - self.input_start as i64 - self.search as i64).max(0) as usize;
        let keep_from = keep_from.min(self.frames());
        if keep_from > 4096 {
            self.input.drain(..keep_from * self.channels);
            self.input_start += keep_from as u64;
        }
    }

    /// The segment start in [lowest, highest] whose first `hop` frames best continue the tail.
    fn best_match(&mut self, lowest: usize, highest: usize) -> usize {
        let (ch, hop) = (self.channels, self.hop);
        // Score on a mono mix.
        let span = highest + hop - lowest;
        self.mono_scratch.clear();
        for f in 0..span {
            let base = (lowest + f) * ch;
            self.mono_scratch.push(self.input[base..base + ch].iter().sum::<f32>());
        }
        let tail: Vec<f32> = (0..hop).map(|f| self.tail[f * ch..f * ch + ch].iter().sum()).collect();
        let score = |offset: usize, step: usize| -> f32 {
            let (mut dot, mut energy) = (0.0f32, 1e-9f32);
            let mut f = 0;
            while f < hop {
                let x = self.mono_scratch[offset + f];
                dot += tail[f] * x;
                energy += x * x;
                f += step;
            }
            dot / energy.sqrt()
        };
        let candidates = highest - lowest;
        let mut best = (f32::MIN, 0usize);
        let mut offset = 0;
        while offset <= candidates {
            let s = score(offset, DECIMATE);
            if s > best.0 {
                best = (s, offset);
            }
            offset += DECIMATE / 2;
        }
        let (from, to) = (best.1.saturating_sub(DECIMATE), (best.1 + DECIMATE).min(candidates));
        let mut refined = (f32::MIN, best.1);
        for offset in from..=to {
            let s = score(offset, 1);
            if s > refined.0 {
                refined = (s, offset);
            }
        }
        lowest + refined.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5)
            .collect()
    }

    /// Dominant frequency by counting upward zero crossings.
    fn frequency(samples: &[f32], rate: u32) -> f32 {
        let crossings = samples.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        crossings as f32 * rate as f32 / samples.len() as f32
    }

    #[test]
    fn faster_speech_keeps_its_pitch_and_takes_less_time() {
        let rate = 22_050;
        let input = tone(600.0, rate, 30.0);
        let mut stretch = TimeStretch::new(1, rate);
        stretch.set_speed(1.5);
        let mut out = Vec::new();
        for (i, chunk) in input.chunks(1024).enumerate() {
            stretch.push(chunk, (i * 1024) as u64);
            stretch.pull(&mut out);
        }
        let secs = out.len() as f32 / rate as f32;
        assert!((secs - 20.0).abs() < 0.1, "30 s at 1.5× lasted {secs} s");
        let heard = frequency(&out[rate as usize..rate as usize * 19], rate);
        assert!((heard - 600.0).abs() < 6.0, "pitch moved to {heard} Hz");
    }

    #[test]
    fn slower_speech_keeps_its_pitch_and_takes_more_time() {
        let rate = 22_050;
        let input = tone(450.0, rate, 10.0);
        let mut stretch = TimeStretch::new(2, rate);
        stretch.set_speed(0.5);
        let stereo: Vec<f32> = input.iter().flat_map(|s| [*s, *s]).collect();
        let mut out = Vec::new();
        for (i, chunk) in stereo.chunks(2048).enumerate() {
            stretch.push(chunk, (i * 1024) as u64);
            stretch.pull(&mut out);
        }
        let left: Vec<f32> = out.iter().step_by(2).copied().collect();
        let secs = left.len() as f32 / rate as f32;
        assert!((secs - 20.0).abs() < 0.1, "10 s at 0.5× lasted {secs} s");
        let heard = frequency(&left[rate as usize..rate as usize * 19], rate);
        assert!((heard - 450.0).abs() < 5.0, "pitch moved to {heard} Hz");
    }
}
