//! Reading the position tones: segment k (seconds 10k..10k+10) of every fixture is a sine at
//! 400 + 100k Hz, so the frequency heard tells where playback is.

pub fn tone_at(content_secs: f64) -> f64 {
    400.0 + 100.0 * (content_secs / 10.0).floor()
}

/// Power of `freq` in `samples` (Goertzel).
pub fn power(samples: &[f32], rate: u32, freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / rate as f64;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = x as f64 + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - coeff * s1 * s2) / samples.len().max(1) as f64
}

/// The strongest of the ladder's tones (300..1000 Hz in 10 Hz steps) in `samples`.
pub fn dominant(samples: &[f32], rate: u32) -> f64 {
    (30..=100)
        .map(|f| f as f64 * 10.0)
        .map(|f| (f, power(samples, rate, f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(f, _)| f)
        .unwrap_or(0.0)
}

/// The position tone in `samples`, to the nearest step of the ladder (100 Hz): a window cut
/// by the ALSA file device's silence, or heard while loudness normalisation glides, reads a
/// few hertz off.
pub fn ladder_tone(samples: &[f32], rate: u32) -> f64 {
    (dominant(samples, rate) / 100.0).round() * 100.0
}

pub fn rms(samples: &[f32]) -> f64 {
    (samples.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / samples.len().max(1) as f64).sqrt()
}

/// First channel of interleaved audio.
pub fn mono(samples: &[f32], channels: u16) -> Vec<f32> {
    samples.iter().step_by(channels.max(1) as usize).copied().collect()
}

/// Seconds into `samples` where `from` Hz gives way to `to` Hz, by 10 ms windows.
pub fn transition(samples: &[f32], rate: u32, from: f64, to: f64) -> Option<f64> {
    let window = (rate as usize / 100).max(1);
    let step = window / 2;
    let mut at = 0;
    while at + window <= samples.len() {
        let part = &samples[at..at + window];
        if power(part, rate, to) > power(part, rate, from) {
            return Some((at + window / 2) as f64 / rate as f64);
        }
        at += step;
    }
    None
}

/// Writes a mono 16-bit WAV of `secs` seconds of `freq` Hz: a short episode made on the spot.
pub fn write_tone_wav(path: &std::path::Path, secs: f64, freq: f64) {
    const RATE: u32 = 8000;
    let frames = (secs * RATE as f64) as u32;
    let mut bytes = Vec::with_capacity(44 + frames as usize * 2);
    let data_len = frames * 2;
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&RATE.to_le_bytes());
    bytes.extend_from_slice(&(RATE * 2).to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..frames {
        let sample = (0.5 * (2.0 * std::f64::consts::PI * freq * i as f64 / RATE as f64).sin() * 32767.0) as i16;
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}
