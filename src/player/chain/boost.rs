//! Voice boost, for noisy places: a high-pass takes the rumble out, a gentle compressor
//! brings the quiet words up to the loud ones, and make-up gain lifts the whole; the
//! limiter after it keeps the peaks in.

use biquad::{Biquad, Coefficients, DirectForm2Transposed, Q_BUTTERWORTH_F32, ToHertz, Type};

const HIGH_PASS_HZ: f32 = 100.0;
const THRESHOLD_DB: f32 = -26.0;
const RATIO: f32 = 3.0;
const MAKEUP_DB: f32 = 8.0;
const ATTACK_SECS: f32 = 0.005;
const RELEASE_SECS: f32 = 0.150;
/// The compressor's gain is worked out once per this many frames (the envelope moves slower).
const GAIN_EVERY: usize = 16;

pub struct VoiceBoost {
    channels: usize,
    high_pass: Vec<DirectForm2Transposed<f32>>,
    attack: f32,
    release: f32,
    envelope: f32,
    gain: f32,
    until_gain: usize,
}

impl VoiceBoost {
    pub fn new(channels: usize, rate: u32) -> Self {
        let channels = channels.max(1);
        let coefficients = Coefficients::<f32>::from_params(
            Type::HighPass,
            (rate.max(1000) as f32).hz(),
            HIGH_PASS_HZ.hz(),
            Q_BUTTERWORTH_F32,
        )
        .expect("100 Hz is under Nyquist at any rate of 1 kHz or more");
        let per_frame = |secs: f32| (-1.0 / (secs * rate.max(1) as f32)).exp();
        Self {
            channels,
            high_pass: vec![DirectForm2Transposed::<f32>::new(coefficients); channels],
            attack: per_frame(ATTACK_SECS),
            release: per_frame(RELEASE_SECS),
            envelope: 0.0,
            gain: 1.0,
            until_gain: 0,
        }
    }

    pub fn reset(&mut self) {
        for filter in &mut self.high_pass {
            filter.reset_state();
        }
        self.envelope = 0.0;
        self.until_gain = 0;
    }

    pub fn process(&mut self, samples: &mut [f32]) {
        for frame in samples.chunks_exact_mut(self.channels) {
            let mut peak = 0.0f32;
            for (sample, filter) in frame.iter_mut().zip(&mut self.high_pass) {
                *sample = filter.run(*sample);
                peak = peak.max(sample.abs());
            }
            let coefficient = if peak > self.envelope { self.attack } else { self.release };
            self.envelope = peak + (self.envelope - peak) * coefficient;
            if self.until_gain == 0 {
                self.until_gain = GAIN_EVERY;
                let level_db = 20.0 * (self.envelope + 1e-9).log10();
                let over = (level_db - THRESHOLD_DB).max(0.0);
                self.gain = 10f32.powf((MAKEUP_DB - over * (1.0 - 1.0 / RATIO)) / 20.0);
            }
            self.until_gain -= 1;
            for sample in frame {
                *sample *= self.gain;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms(samples: &[f32]) -> f32 {
        (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
    }

    #[test]
    fn quiet_words_come_up_more_than_loud_ones_and_rumble_goes() {
        let rate = 44_100;
        let tone = |freq: f32, amp: f32| -> Vec<f32> {
            (0..rate as usize)
                .map(|i| amp * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
                .collect()
        };
        let run = |input: Vec<f32>| {
            let mut boost = VoiceBoost::new(1, rate);
            let mut out = input.clone();
            boost.process(&mut out);
            rms(&out[rate as usize / 2..]) / rms(&input[rate as usize / 2..])
        };
        let quiet = run(tone(500.0, 0.02));
        let loud = run(tone(500.0, 0.5));
        assert!(quiet > 2.0, "quiet words raised {quiet}×");
        assert!(loud < quiet / 3.0, "loud words raised {loud}×, quiet {quiet}×");
        assert!(run(tone(30.0, 0.02)) < quiet / 3.0, "rumble kept");
    }
}
