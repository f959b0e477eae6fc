//! The last stage: a look-ahead peak limiter that keeps the true peak under −1 dBTP.
//!
//! The peak of each frame is measured between the samples too, 4× oversampled by a 16-tap
//! windowed-sinc interpolator per phase (as BS.1770's true-peak meter does; a cubic guess
//! missed a decibel on clipped masters), and the ceiling is set 0.5 dB under −1 dBTP for what
//! a short filter still misses. The
//! gain each frame needs is held for the look-ahead and averaged over it, so it has reached
//! its lowest exactly when the peak is heard, with no step in the gain (no click); it recovers
//! with a 100 ms release. The audio is delayed by the look-ahead.

use std::collections::VecDeque;

/// −1.5 dBFS: −1 dBTP with half a decibel to spare.
const CEILING: f32 = 0.841_395;
/// Taps of each interpolation phase; the peak found lies between the middle two samples.
const TAPS: usize = 16;
const LOOKAHEAD_SECS: f64 = 0.005;
const RELEASE_SECS: f64 = 0.100;

pub struct Limiter {
    channels: usize,
    lookahead: usize,
    release: f32,
    /// The last `TAPS` input samples per channel, and the interpolators at ¼, ½ and ¾.
    history: Vec<History>,
    phases: [[f32; TAPS]; 3],
    /// While every sample in a channel's history is under this, no peak between them can pass
    /// the ceiling (it is the ceiling over the most any interpolator can read above the largest
    /// sample it reads), and the interpolation is skipped: most of speech is far under it.
    quiet_under: f32,
    /// Gain after release, and its minimum over the look-ahead (frame number, gain).
    released: f32,
    hold: VecDeque<(u64, f32)>,
    /// The held gains of the last `lookahead` frames and their sum.
    held: VecDeque<f32>,
    held_sum: f64,
    /// Input frames waiting for their gain.
    delay: VecDeque<f32>,
    frame: u64,
}

impl Limiter {
    pub fn new(channels: usize, sample_rate: u32) -> Self {
        let lookahead = ((sample_rate as f64 * LOOKAHEAD_SECS) as usize).max(4);
        let phases = [interpolator(0.25), interpolator(0.5), interpolator(0.75)];
        Self {
            channels: channels.max(1),
            lookahead,
            release: (-1.0 / (RELEASE_SECS * sample_rate as f64)).exp() as f32,
            history: vec![History::default(); channels.max(1)],
            phases,
            quiet_under: CEILING / phases.iter().map(|p| p.iter().map(|c| c.abs()).sum::<f32>()).fold(1.0, f32::max),
            released: 1.0,
            hold: VecDeque::new(),
            held: VecDeque::new(),
            held_sum: 0.0,
            delay: VecDeque::new(),
            frame: 0,
        }
    }

    /// How many frames the output lags the input.
    pub fn latency(&self) -> usize {
        self.lookahead - 1
    }

    pub fn reset(&mut self) {
        for h in &mut self.history {
            *h = History::default();
        }
        self.released = 1.0;
        self.hold.clear();
        self.held.clear();
        self.held_sum = 0.0;
        self.delay.clear();
        self.frame = 0;
    }

    /// Limits `input`, appending to `out` the frames whose gain is now known (the input of
    /// `latency()` frames ago).
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        for frame in input.chunks_exact(self.channels) {
            self.push_frame(frame, out);
        }
    }

    /// The end of the audio: the frames still held come out.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        let silence = vec![0.0; self.channels];
        let before = out.len();
        let held = self.delay.len();
        for _ in 0..self.latency() {
            self.push_frame(&silence, out);
        }
        out.truncate(before + held);
        self.reset();
    }

    fn push_frame(&mut self, frame: &[f32], out: &mut Vec<f32>) {
        let mut peak = 0.0f32;
        for (sample, h) in frame.iter().zip(&mut self.history) {
            h.push(*sample, self.quiet_under);
            peak = peak.max(sample.abs());
            if h.loud_left == 0 {
                continue;
            }
            let window = h.window();
            for phase in &self.phases {
                let between: f32 = phase.iter().zip(window).map(|(c, x)| c * x).sum();
                peak = peak.max(between.abs());
            }
        }
        let needed = if peak > CEILING { CEILING / peak } else { 1.0 };
        self.released = needed.min(1.0 - (1.0 - self.released) * self.release);
        // Lowest gain over the look-ahead: a deque of rising gains.
        while self.hold.back().is_some_and(|(_, g)| *g >= self.released) {
            self.hold.pop_back();
        }
        self.hold.push_back((self.frame, self.released));
        while self.hold.front().is_some_and(|(f, _)| *f + (self.lookahead as u64) <= self.frame) {
            self.hold.pop_front();
        }
        let held = self.hold.front().map_or(1.0, |(_, g)| *g);
        self.held.push_back(held);
        self.held_sum += held as f64;
        if self.held.len() > self.lookahead {
            self.held_sum -= self.held.pop_front().unwrap_or(1.0) as f64;
        }
        self.frame += 1;
        self.delay.extend(frame);
        if self.delay.len() / self.channels >= self.lookahead {
            let gain = (self.held_sum / self.lookahead as f64) as f32;
            for _ in 0..self.channels {
                let sample = self.delay.pop_front().unwrap_or(0.0);
                out.push(sample * gain);
            }
        }
    }
}

/// A channel's last `TAPS` samples, in a ring written twice so that they always read as one
/// slice (no shifting per sample).
#[derive(Clone)]
struct History {
    ring: [f32; 2 * TAPS],
    next: usize,
    /// Samples until the last one at or over the quiet level leaves the window.
    loud_left: usize,
}

impl Default for History {
    fn default() -> Self {
        Self { ring: [0.0; 2 * TAPS], next: 0, loud_left: 0 }
    }
}

impl History {
    fn push(&mut self, sample: f32, quiet_under: f32) {
        self.ring[self.next] = sample;
        self.ring[self.next + TAPS] = sample;
        self.next = (self.next + 1) % TAPS;
        self.loud_left = match sample.abs() >= quiet_under {
            true => TAPS,
            false => self.loud_left.saturating_sub(1),
        };
    }

    /// Oldest first.
    fn window(&self) -> &[f32] {
        &self.ring[self.next..self.next + TAPS]
    }
}

/// A Hann-windowed sinc that reads the signal `fraction` of a sample after the middle of
/// `TAPS` samples, its taps summing to one.
fn interpolator(fraction: f32) -> [f32; TAPS] {
    let middle = (TAPS / 2 - 1) as f32 + fraction;
    let mut taps = [0.0f32; TAPS];
    for (k, tap) in taps.iter_mut().enumerate() {
        let x = k as f32 - middle;
        let sinc = if x.abs() < 1e-6 { 1.0 } else { (std::f32::consts::PI * x).sin() / (std::f32::consts::PI * x) };
        let window = 0.5 + 0.5 * (std::f32::consts::PI * x / (TAPS as f32 / 2.0 + 1.0)).cos();
        *tap = sinc * window;
    }
    let sum: f32 = taps.iter().sum();
    taps.map(|t| t / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_stay_under_the_ceiling_and_quiet_audio_passes_unchanged() {
        let rate = 44_100;
        let mut limiter = Limiter::new(2, rate);
        // Quiet, then a swell to 8 dB over full scale, then quiet again.
        let input: Vec<f32> = (0..rate as usize)
            .flat_map(|i| {
                let swell = if (20_000..24_000).contains(&i) {
                    (std::f32::consts::PI * (i - 20_000) as f32 / 4000.0).sin().powi(2)
                } else {
                    0.0
                };
                let amp = 0.3 + 2.2 * swell;
                let s = amp * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / rate as f32).sin();
                [s, -s]
            })
            .collect();
        let mut out = Vec::new();
        for chunk in input.chunks(2048) {
            limiter.process(chunk, &mut out);
        }
        limiter.finish(&mut out);
        assert_eq!(out.len(), input.len());
        let peak = out.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak <= CEILING + 1e-4, "peak {peak}");
        // Well before the burst, nothing changed.
        assert!(out[..30_000].iter().zip(&input).all(|(o, i)| (o - i).abs() < 1e-6));
        // The gain moves smoothly: no sample-to-sample jump beyond what a 1 kHz tone makes.
        let left: Vec<f32> = out.chunks(2).map(|f| f[0]).collect();
        let (at, step) = left
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .enumerate()
            .fold((0, 0.0f32), |m, (i, s)| if s > m.1 { (i, s) } else { m });
        assert!(step < 0.13, "a jump of {step} at {at}: {:?}", &left[at.saturating_sub(3)..at + 3]);
    }

    #[test]
    fn a_peak_only_between_the_samples_is_limited() {
        // A quarter-rate tone sampled 45° off its crests: every sample is at 0.707 of its true
        // peak, under the ceiling, while the wave between them rises over it.
        let rate = 44_100;
        let amplitude = 0.97f32;
        let input: Vec<f32> = (0..rate as usize / 2)
            .map(|i| amplitude * (std::f32::consts::FRAC_PI_2 * i as f32 + std::f32::consts::FRAC_PI_4).sin())
            .collect();
        assert!(input.iter().all(|s| s.abs() < CEILING), "no sample is over the ceiling");
        let mut limiter = Limiter::new(1, rate);
        let mut out = Vec::new();
        limiter.process(&input, &mut out);
        limiter.finish(&mut out);
        let settled = &out[rate as usize / 10..];
        let sample_peak = settled.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        let true_peak = sample_peak * std::f32::consts::SQRT_2;
        assert!(true_peak <= CEILING * 1.02, "the wave between the samples peaks at {true_peak}");
        assert!(true_peak > CEILING * 0.9, "limited, not silenced: {true_peak}");
    }
}
