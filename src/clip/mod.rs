//! Clips: a span of an episode (at most `MAX_CLIP_SECS`) saved as an audio file of its own,
//! Opus in Ogg at 48 kHz, tagged with the show, the episode, the `#t=` link and the show's art.
//!
//! Floor 1, beside `player`: the span is decoded by `player::decode` (symphonia, and libopus
//! for Opus), resampled to 48 kHz (rubato) and encoded by libopus (`opus.rs`).

mod opus;

use std::path::Path;

use crate::player::{DecodeError, open_file};

/// The longest clip: five minutes.
pub const MAX_CLIP_SECS: f64 = 300.0;
/// Opus's own rate: clips are encoded at 48 kHz whatever the episode's rate.
pub const OPUS_RATE: u32 = 48_000;
/// The encoder's bitrate, mono or stereo as the source.
pub const BITRATE: i32 = 64_000;

/// What a clip is tagged with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClipTags {
    /// The episode's title and the span (`TITLE`).
    pub title: String,
    /// The show (`ARTIST`, `ALBUM`).
    pub show: String,
    /// Show, episode and the `#t=start,end` link (`COMMENT`).
    pub comment: String,
    /// The show's art (`METADATA_BLOCK_PICTURE`), when it is cached.
    pub picture: Option<Picture>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub mime: String,
    pub data: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    #[error("{0}")]
    Span(String),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("the clip could not be encoded: {0}")]
    Encode(String),
    #[error("could not write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clip {
    pub duration_secs: f64,
    pub channels: u16,
}

/// Checks a span: it starts at 0 or later, ends after it starts and lasts at most
/// `MAX_CLIP_SECS`.
pub fn check_span(start: f64, end: f64) -> Result<(), ClipError> {
    if !(start.is_finite() && end.is_finite()) || start < 0.0 {
        return Err(ClipError::Span("a clip starts at 0:00 or later".into()));
    }
    if end <= start {
        return Err(ClipError::Span("a clip ends after it starts".into()));
    }
    if end - start > MAX_CLIP_SECS + 1e-6 {
        return Err(ClipError::Span(format!("a clip is at most {} minutes long", MAX_CLIP_SECS / 60.0)));
    }
    Ok(())
}

/// Saves `start`–`end` (seconds of the file) of the audio at `source` as Opus in Ogg at `out`.
pub fn write_opus(source: &Path, start: f64, end: f64, tags: &ClipTags, out: &Path) -> Result<Clip, ClipError> {
    check_span(start, end)?;
    let (pcm, rate, channels) = decode_span(source, start, end)?;
    let pcm = if rate == OPUS_RATE { pcm } else { resample(&pcm, channels, rate)? };
    let frames = pcm.len() / channels as usize;
    opus::write(out, &pcm, channels, rate, tags)?;
    Ok(Clip { duration_secs: frames as f64 / OPUS_RATE as f64, channels })
}

/// The span's samples, interleaved, at the file's own rate; more than two channels are cut to
/// the first two (Opus's mapping for more needs a layout podcasts never have).
fn decode_span(source: &Path, start: f64, end: f64) -> Result<(Vec<f32>, u32, u16), ClipError> {
    let mut decoder = open_file(source)?;
    let (rate, channels) = (decoder.sample_rate(), decoder.channels().max(1));
    if let Some(duration) = decoder.duration_secs()
        && start >= duration
    {
        return Err(ClipError::Span(format!("the episode is only {} long", crate::model::format_clock(duration))));
    }
    let (first, last) = ((start * rate as f64).round() as u64, (end * rate as f64).round() as u64);
    decoder.seek(start)?;
    let kept = channels.min(2) as usize;
    let mut pcm = Vec::with_capacity(((last - first) as usize) * kept);
    let mut packet = Vec::new();
    loop {
        packet.clear();
        let Some(at) = decoder.next_packet(&mut packet)? else { break };
        let frames = packet.len() / channels as usize;
        for (index, frame) in packet.chunks_exact(channels as usize).enumerate().take(frames) {
            let position = at + index as u64;
            if (first..last).contains(&position) {
                pcm.extend_from_slice(&frame[..kept]);
            }
        }
        if at + frames as u64 >= last {
            break;
        }
    }
    if pcm.is_empty() {
        return Err(ClipError::Span("nothing to clip there: the span is past the end of the audio".into()));
    }
    Ok((pcm, rate, kept as u16))
}

/// To 48 kHz, delay-compensated (rubato's FFT resampler).
fn resample(pcm: &[f32], channels: u16, rate: u32) -> Result<Vec<f32>, ClipError> {
    use rubato::audioadapter_buffers::direct::InterleavedSlice;
    use rubato::{Fft, FixedSync, Resampler};
    let channels = channels as usize;
    let frames = pcm.len() / channels;
    let failed = |e: &dyn std::fmt::Display| ClipError::Encode(format!("resampling: {e}"));
    let mut resampler =
        Fft::<f32>::new(rate as usize, OPUS_RATE as usize, 1024, channels, FixedSync::Input).map_err(|e| failed(&e))?;
    let input = InterleavedSlice::new(pcm, channels, frames).map_err(|e| failed(&e))?;
    let room = resampler.process_all_needed_output_len(frames);
    let mut out = vec![0.0f32; room * channels];
    let mut output = InterleavedSlice::new_mut(&mut out[..], channels, room).map_err(|e| failed(&e))?;
    let (_, produced) = resampler.process_all_into_buffer(&input, &mut output, frames, None).map_err(|e| failed(&e))?;
    out.truncate(produced * channels);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_forwards_and_at_most_five_minutes() {
        assert!(check_span(10.0, 40.0).is_ok());
        assert!(check_span(0.0, MAX_CLIP_SECS).is_ok());
        assert!(check_span(10.0, 10.0 + MAX_CLIP_SECS + 1.0).is_err());
        assert!(check_span(40.0, 10.0).is_err());
        assert!(check_span(-1.0, 10.0).is_err());
        assert!(check_span(f64::NAN, 10.0).is_err());
    }
}
