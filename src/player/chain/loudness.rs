//! Loudness normalisation: every episode heard at −16 LUFS (Apple's podcast target).
//!
//! An episode's integrated loudness (EBU R128, the `ebur128` crate) is measured once its
//! download is complete (`measure`) and stored; then its gain is right from the first sample. Streaming,
//! or before that measurement, the stage starts from the show's last known level and follows
//! a running measurement of what it decodes, slowly, so the level never pumps. Gain changes
//! glide; the limiter after it keeps the peaks in.

use ebur128::{EbuR128, Mode};

pub const TARGET_LUFS: f64 = -16.0;
/// A mono file is heard on both speakers, 3 dB louder than it measures (BS.1770 sums the
/// channels): it is brought to −19 LUFS, as the AES recommends for mono podcasts.
const MONO_ON_TWO_SPEAKERS_DB: f64 = 3.0103;
/// A quieter episode is raised at most this much (a near-silent file is not made noise).
const MAX_GAIN_DB: f64 = 24.0;
const MIN_GAIN_DB: f64 = -24.0;
/// How often the running measurement is read.
const ESTIMATE_EVERY_SECS: f64 = 0.5;
/// Audio measured before the first estimate is trusted when nothing was known.
const FIRST_ESTIMATE_SECS: f64 = 2.0;
/// How far a known level moves toward the running estimate per reading (1 dB/s).
const FOLLOW_DB: f64 = 0.5;
/// How fast the applied gain glides toward the wanted one.
const GLIDE_DB_PER_SEC: f64 = 8.0;
/// Below this an estimate is silence, not a level.
pub(super) const QUIETEST_LUFS: f64 = -70.0;

/// What is known of the episode's level when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum KnownLevel {
    /// Measured over the whole file: nothing to follow.
    Measured(f64),
    /// The show's last known level: a starting point.
    Show(f64),
    #[default]
    Unknown,
}

pub struct Leveller {
    channels: usize,
    rate: u32,
    on: bool,
    meter: Option<EbuR128>,
    level: Option<f64>,
    measured: bool,
    since_estimate: usize,
    metered_frames: u64,
    /// The gain applied now, in dB.
    gain_db: f64,
    target: f64,
}

impl Leveller {
    pub fn new(channels: usize, rate: u32, on: bool, known: KnownLevel) -> Self {
        let (level, measured) = match known {
            KnownLevel::Measured(lufs) => (Some(lufs), true),
            KnownLevel::Show(lufs) => (Some(lufs), false),
            KnownLevel::Unknown => (None, false),
        };
        let meter = (on && !measured)
            .then(|| EbuR128::new(channels.max(1) as u32, rate.max(1), Mode::I | Mode::HISTOGRAM).ok())
            .flatten();
        let target = if channels <= 1 { TARGET_LUFS - MONO_ON_TWO_SPEAKERS_DB } else { TARGET_LUFS };
        let mut leveller = Self {
            channels: channels.max(1),
            rate,
            on,
            meter,
            level,
            measured,
            since_estimate: 0,
            metered_frames: 0,
            gain_db: 0.0,
            target,
        };
        leveller.gain_db = leveller.wanted_gain_db();
        leveller
    }

    /// The whole file was measured while it played (its download finished).
    pub fn set_measured(&mut self, lufs: f64) {
        self.level = Some(lufs);
        self.measured = true;
        self.meter = None;
    }

    pub fn level(&self) -> Option<f64> {
        self.level
    }

    fn wanted_gain_db(&self) -> f64 {
        match (self.on, self.level) {
            (true, Some(level)) => (self.target - level).clamp(MIN_GAIN_DB, MAX_GAIN_DB),
            _ => 0.0,
        }
    }

    /// Feeds the running measurement with decoded audio (content, before any other stage).
    pub fn analyse(&mut self, decoded: &[f32]) {
        let Some(meter) = &mut self.meter else { return };
        if meter.add_frames_f32(decoded).is_err() {
            self.meter = None;
            return;
        }
        let frames = decoded.len() / self.channels;
        self.metered_frames += frames as u64;
        self.since_estimate += frames;
        if (self.since_estimate as f64) < ESTIMATE_EVERY_SECS * self.rate as f64 {
            return;
        }
        self.since_estimate = 0;
        let Ok(estimate) = meter.loudness_global() else { return };
        if !estimate.is_finite() || estimate < QUIETEST_LUFS {
            return;
        }
        self.level = match self.level {
            Some(level) => Some(level + (estimate - level).clamp(-FOLLOW_DB, FOLLOW_DB)),
            None if self.metered_frames as f64 >= FIRST_ESTIMATE_SECS * self.rate as f64 => Some(estimate),
            None => None,
        };
    }

    /// Applies the gain to audio about to be heard, gliding from the last gain.
    pub fn apply(&mut self, samples: &mut [f32]) {
        let frames = samples.len() / self.channels;
        if frames == 0 {
            return;
        }
        let wanted = self.wanted_gain_db();
        let step = GLIDE_DB_PER_SEC * frames as f64 / self.rate as f64;
        let from = self.gain_db;
        let to = from + (wanted - from).clamp(-step, step);
        self.gain_db = to;
        if from == 0.0 && to == 0.0 {
            return;
        }
        let (from, to) = (db_to_gain(from), db_to_gain(to));
        for (i, frame) in samples.chunks_exact_mut(self.channels).enumerate() {
            let gain = from + (to - from) * (i as f32 / frames as f32);
            for sample in frame {
                *sample *= gain;
            }
        }
    }
}

pub fn db_to_gain(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amp: f32, secs: f64, rate: u32) -> Vec<f32> {
        (0..(rate as f64 * secs) as usize)
            .map(|i| amp * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / rate as f32).sin())
            .collect()
    }

    fn loudness(samples: &[f32], rate: u32) -> f64 {
        let mut meter = EbuR128::new(1, rate, Mode::I).unwrap();
        meter.add_frames_f32(samples).unwrap();
        meter.loudness_global().unwrap()
    }

    #[test]
    fn a_measured_quiet_episode_is_raised_to_the_target_from_the_start() {
        let rate = 48_000;
        let input = tone(0.03, 10.0, rate);
        let level = loudness(&input, rate);
        let mut stage = Leveller::new(1, rate, true, KnownLevel::Measured(level));
        let mut out = input.clone();
        for chunk in out.chunks_mut(1024) {
            stage.apply(chunk);
        }
        let mono_target = TARGET_LUFS - MONO_ON_TWO_SPEAKERS_DB;
        assert!((loudness(&out, rate) - mono_target).abs() < 0.1, "{}", loudness(&out, rate));
    }

    #[test]
    fn an_unknown_level_is_followed_and_off_changes_nothing() {
        let rate = 48_000;
        let input = tone(0.03, 30.0, rate);
        let mut stage = Leveller::new(1, rate, true, KnownLevel::Unknown);
        let mut out = input.clone();
        for chunk in out.chunks_mut(1024) {
            stage.analyse(chunk);
            stage.apply(chunk);
        }
        let tail = &out[out.len() - rate as usize * 10..];
        let mono_target = TARGET_LUFS - MONO_ON_TWO_SPEAKERS_DB;
        assert!((loudness(tail, rate) - mono_target).abs() < 0.3, "{}", loudness(tail, rate));
        let mut off = Leveller::new(1, rate, false, KnownLevel::Measured(-40.0));
        let mut same = input.clone();
        off.apply(&mut same);
        assert_eq!(same, input);
    }
}
