//! An episode's integrated loudness (EBU R128), measured once its download is complete.
//!
//! Decoding a whole file costs seconds of a core per hour of audio, for every episode: too much
//! for a laptop on battery. A long file is measured on short samples spread evenly over it
//! instead — one meter per sample, combined with the standard's own gating
//! (`EbuR128::loudness_global_multiple`), so no 400 ms block straddles two samples — which comes
//! within a few tenths of a LU of the whole file on speech, speech over music and near-silence
//! (tests/loudness.rs checks that against ffmpeg's `ebur128`).

use ebur128::{EbuR128, Mode};

use super::loudness::QUIETEST_LUFS;
use crate::player::Decoder;

/// A file shorter than this is measured whole (under a fifth of a second of a core).
const MEASURE_WHOLE_BELOW_SECS: f64 = 240.0;
/// Each sample's length: five 400 ms blocks in a row, with the standard's 75 % overlap.
const SAMPLE_SECS: f64 = 2.0;
/// One sample in this many seconds of audio (5 % of the file, 0.15 s of a core an hour).
const SAMPLE_EVERY_SECS: f64 = 40.0;
/// Shorter files still get this many samples, so that one odd moment weighs little.
const SAMPLES_AT_LEAST: usize = 45;
/// Audio just after a jump is dropped: an MP3 frame leans on the ones before it.
const SETTLE_SECS: f64 = 0.1;

/// A downloaded file's integrated loudness (LUFS); None when it is silent or cannot be decoded
/// (it then fails to play with its own message).
pub fn measure_file(path: &std::path::Path) -> Option<f64> {
    let mut decoder = crate::player::open_file(path).ok()?;
    match decoder.duration_secs() {
        Some(duration) if duration >= MEASURE_WHOLE_BELOW_SECS => measure_samples(&mut decoder, duration),
        _ => measure_whole(&mut decoder),
    }
}

fn meter(decoder: &Decoder) -> Option<EbuR128> {
    EbuR128::new(decoder.channels().max(1) as u32, decoder.sample_rate().max(1), Mode::I).ok()
}

fn audible(lufs: Result<f64, ebur128::Error>) -> Option<f64> {
    lufs.ok().filter(|l| l.is_finite() && *l > QUIETEST_LUFS)
}

fn measure_whole(decoder: &mut Decoder) -> Option<f64> {
    let mut meter = meter(decoder)?;
    let mut samples = Vec::with_capacity(8192);
    loop {
        samples.clear();
        match decoder.next_packet(&mut samples) {
            Ok(Some(_)) => meter.add_frames_f32(&samples).ok()?,
            Ok(None) => break,
            Err(_) => return None,
        }
    }
    audible(meter.loudness_global())
}

fn measure_samples(decoder: &mut Decoder, duration: f64) -> Option<f64> {
    let count = ((duration / SAMPLE_EVERY_SECS) as usize).max(SAMPLES_AT_LEAST);
    let spacing = duration / count as f64;
    let mut meters = Vec::with_capacity(count);
    for index in 0..count {
        let start = spacing * (index as f64 + 0.5) - SAMPLE_SECS / 2.0;
        // A sample the reader cannot reach is left out; the others still measure the file.
        if decoder.seek_near(start - SETTLE_SECS).is_err() {
            continue;
        }
        let mut meter = meter(decoder)?;
        if measure_sample(decoder, &mut meter)? {
            meters.push(meter);
        }
    }
    audible(EbuR128::loudness_global_multiple(meters.iter()))
}

/// Feeds one sample to `meter`; Some(false) when the file ended first, None when it cannot be
/// decoded.
fn measure_sample(decoder: &mut Decoder, meter: &mut EbuR128) -> Option<bool> {
    let channels = decoder.channels().max(1) as usize;
    let rate = decoder.sample_rate().max(1) as f64;
    let (mut skip, mut wanted) = ((SETTLE_SECS * rate) as usize, (SAMPLE_SECS * rate) as usize);
    let mut samples = Vec::with_capacity(8192);
    while wanted > 0 {
        samples.clear();
        match decoder.next_packet(&mut samples) {
            Ok(Some(_)) => {}
            Ok(None) => return Some(false),
            Err(_) => return None,
        }
        let frames = samples.len() / channels;
        let skipped = skip.min(frames);
        let taken = wanted.min(frames - skipped);
        meter.add_frames_f32(&samples[skipped * channels..(skipped + taken) * channels]).ok()?;
        (skip, wanted) = (skip - skipped, wanted - taken);
    }
    Some(true)
}
