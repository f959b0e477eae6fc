//! symphonia 0.6 behind a small interface: open, decode a packet at a time into interleaved
//! f32 with the content frame it starts at, and seek to an exact frame.

use std::io::Read;
use std::path::Path;

use symphonia::core::codecs::audio::well_known::{CODEC_ID_AAC, CODEC_ID_MP3};
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::MediaSource;
use symphonia::core::units::{Duration as Ticks, Time, TimeBase};

use std::sync::Arc;

use super::SourceSpec;
use super::streamed_mp3::{SeekWatch, StreamedMp3};
use crate::media::AudioAfterTag;
use crate::media::id3::{ID3V2_HEADER_LEN, id3v2_len};

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum DecodeError {
    #[error("could not read the audio file: {0}")]
    Io(String),
    /// The download being streamed failed (its own words).
    #[error("{0}")]
    Stream(String),
    #[error("this file is not audio Hark can play ({0})")]
    NotAudio(String),
    #[error("the audio could not be decoded: {0}")]
    Failed(String),
    /// A wait for downloading bytes was cut short by a new command; not a failure.
    #[error("interrupted")]
    Interrupted,
}

fn io_failure(e: std::io::Error) -> DecodeError {
    if e.get_ref().is_some_and(|inner| inner.is::<crate::media::Interrupted>()) {
        DecodeError::Interrupted
    } else if let Some(stopped) = e.get_ref().and_then(|inner| inner.downcast_ref::<crate::media::DownloadStopped>()) {
        DecodeError::Stream(stopped.0.clone())
    } else {
        DecodeError::Io(e.to_string())
    }
}

const LAME_PRIMING_FRAMES: u64 = 576 + 529;

/// symphonia's decoders, and libopus for Opus.
fn codecs() -> &'static CodecRegistry {
    static CODECS: std::sync::LazyLock<CodecRegistry> = std::sync::LazyLock::new(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
        registry
    });
    &CODECS
}
/// Opens a fresh reader of the same bytes (a seek after the end needs one in M4A).
type Reopen = Box<dyn Fn() -> std::io::Result<Box<dyn MediaSource>> + Send>;

pub struct Decoder {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    time_base: Option<TimeBase>,
    sample_rate: u32,
    channels: u16,
    duration_secs: Option<f64>,
    /// MP3 without a LAME/Xing header: symphonia guesses the length and trims everything
    /// past the guess, so its end trims are not to be trusted.
    clear_trim_end: bool,
    /// Encoder priming at the start of AAC that the decoder leaves in: not content.
    priming_frames: u64,
    /// After a seek, output before this content frame is dropped.
    drop_before: Option<u64>,
    reopen: Option<Reopen>,
    scratch: Vec<f32>,
    /// A decoded buffer kept from opening, returned by the first `next_packet`.
    primed: Option<(Vec<f32>, u64)>,
    /// The download being played from, while it is one.
    streaming: Option<Arc<crate::media::PartialFile>>,
    /// An MP3's encoder delay (symphonia's timestamps start this far below zero).
    mp3_delay: Option<u32>,
    /// An MP3 being downloaded: where a seek by estimate landed, and the clock's correction.
    streamed_mp3: Option<StreamedMp3>,
    /// A seek by estimate moved the MP3 reader: its timestamps are the estimate's until a seek
    /// from the start (see `seek_reader`).
    estimated_timeline: bool,
}

/// True when the file opens as audio and its first packet decodes: what makes a download done.
pub fn probe_audio(path: &Path, extension: Option<&str>) -> bool {
    AudioAfterTag::open(path).is_ok_and(|file| Decoder::open(Box::new(file), extension, None).is_ok())
}

/// Opens a file for playing, from the end of its ID3 tag: the decoder needs nothing from the tag.
pub fn open_file(path: &Path) -> Result<Decoder, DecodeError> {
    let owned = path.to_path_buf();
    let reopen: Reopen = Box::new(move || AudioAfterTag::open(&owned).map(|f| Box::new(f) as Box<dyn MediaSource>));
    let file = AudioAfterTag::open(path).map_err(|e| DecodeError::Io(e.to_string()))?;
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_string);
    Decoder::open(Box::new(file), extension.as_deref(), Some(reopen))
}

/// Opens any source. A partial file's reads give up when `interrupt` is set and report
/// waits for bytes through `buffering`.
pub fn open_source(
    source: &SourceSpec,
    interrupted: Arc<dyn Fn() -> bool + Send + Sync>,
    buffering: Arc<dyn Fn(bool) + Send + Sync>,
) -> Result<Decoder, DecodeError> {
    match source {
        SourceSpec::File(path) => open_file(path),
        SourceSpec::Partial(part) => {
            // From the end of the ID3 tag, as for a file: the decoder needs nothing from it.
            let mut head = [0u8; ID3V2_HEADER_LEN];
            let audio_starts = match part.reader(interrupted.clone(), buffering.clone()).read_exact(&mut head) {
                Ok(()) => id3v2_len(&head),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
                Err(e) => return Err(io_failure(e)),
            };
            let sought = Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX));
            let make = {
                let (part, sought) = (part.clone(), sought.clone());
                move || {
                    let reader = part.reader(interrupted.clone(), buffering.clone()).starting_at(audio_starts);
                    Box::new(SeekWatch::new(Box::new(reader), sought.clone())) as Box<dyn MediaSource>
                }
            };
            let reopen_make = make.clone();
            let reopen: Reopen = Box::new(move || Ok(reopen_make()));
            let extension = part.url().rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).filter(|e| e.len() <= 4);
            let mut decoder = Decoder::open(make(), extension.as_deref(), Some(reopen))?;
            decoder.streaming = Some(part.clone());
            decoder.streamed_mp3 = decoder
                .mp3_delay
                .map(|delay| StreamedMp3::new(part.clone(), audio_starts, delay, decoder.sample_rate, sought));
            Ok(decoder)
        }
    }
}

impl Decoder {
    pub fn open(
        source: Box<dyn MediaSource>,
        extension: Option<&str>,
        reopen: Option<Reopen>,
    ) -> Result<Self, DecodeError> {
        let format = crate::media::probe(source, extension).map_err(|e| match e {
            SymphoniaError::IoError(e) => io_failure(e),
            other => DecodeError::NotAudio(other.to_string()),
        })?;
        let track =
            format.default_track(TrackType::Audio).ok_or_else(|| DecodeError::NotAudio("no audio track".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| DecodeError::NotAudio("no audio track".into()))?
            .clone();
        let decoder = codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|e| DecodeError::NotAudio(e.to_string()))?;
        let time_base = track.time_base;
        let sample_rate = params.sample_rate.unwrap_or(0);
        let duration_secs = match (time_base, track.duration) {
            (Some(tb), Some(duration)) => tb.calc_duration(duration).map(|t| t.as_secs_f64()),
            _ => None,
        }
        .or_else(|| track.num_frames.filter(|_| sample_rate > 0).map(|n| n as f64 / sample_rate as f64));
        let untagged_mp3 = params.codec == CODEC_ID_MP3 && track.padding.is_none();
        let mp3_delay = (params.codec == CODEC_ID_MP3).then(|| track.delay.unwrap_or(0));
        let priming_frames = match params.codec {
            CODEC_ID_AAC => track.delay.unwrap_or(0) as u64,
            // Without a LAME tag nothing says how much priming there is; LAME's own is the
            // encoder's 576 plus the decoder's 529 frames, and most podcast MP3s are LAME's.
            _ if untagged_mp3 => LAME_PRIMING_FRAMES,
            _ => 0,
        };
        let mut decoder = Self {
            clear_trim_end: untagged_mp3,
            track_id: track.id,
            format,
            decoder,
            time_base,
            sample_rate,
            channels: params.channels.as_ref().map(|c| c.count() as u16).unwrap_or(0),
            duration_secs,
            priming_frames,
            drop_before: None,
            reopen,
            scratch: Vec::new(),
            primed: None,
            streaming: None,
            mp3_delay,
            streamed_mp3: None,
            estimated_timeline: false,
        };
        // Decode the first packet now: it proves the file is audio and gives the real format.
        let mut first = Vec::new();
        match decoder.decode_next(&mut first)? {
            Some(frame) => decoder.primed = Some((first, frame)),
            None => return Err(DecodeError::NotAudio("no audio in the file".into())),
        }
        if decoder.sample_rate == 0 || decoder.channels == 0 {
            return Err(DecodeError::NotAudio("unknown audio format".into()));
        }
        Ok(decoder)
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn channels(&self) -> u16 {
        self.channels
    }

    pub fn duration_secs(&self) -> Option<f64> {
        self.duration_secs
    }

    /// Appends the next decoded audio to `out` and returns its first content frame; None at
    /// the end. Corrupt packets are skipped.
    pub fn next_packet(&mut self, out: &mut Vec<f32>) -> Result<Option<u64>, DecodeError> {
        if let Some((samples, frame)) = self.primed.take() {
            out.extend_from_slice(&samples);
            return Ok(Some(frame));
        }
        self.decode_next(out)
    }

    fn decode_next(&mut self, out: &mut Vec<f32>) -> Result<Option<u64>, DecodeError> {
        loop {
            let mut packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => return Ok(None),
                Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
                Err(SymphoniaError::ResetRequired) => return Ok(None),
                Err(SymphoniaError::IoError(e)) => return Err(io_failure(e)),
                Err(SymphoniaError::DecodeError(_)) => continue,
                Err(e) => return Err(DecodeError::Failed(e.to_string())),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            if let Some(mp3) = &mut self.streamed_mp3 {
                mp3.packet_read(packet.pts.get(), &packet.data);
                mp3.correct_when_possible();
            }
            if self.clear_trim_end {
                packet.trim_end = Ticks::ZERO;
            }
            let buffer = match self.decoder.decode(&packet) {
                Ok(buffer) => buffer,
                Err(SymphoniaError::IoError(e)) if e.get_ref().is_some_and(|i| i.is::<crate::media::Interrupted>()) => {
                    return Err(DecodeError::Interrupted);
                }
                Err(SymphoniaError::DecodeError(_)) | Err(SymphoniaError::IoError(_)) => continue,
                Err(e) => return Err(DecodeError::Failed(e.to_string())),
            };
            if buffer.frames() == 0 {
                continue;
            }
            let channels = buffer.spec().channels().count() as u16;
            if self.sample_rate == 0 {
                self.sample_rate = buffer.spec().rate();
            }
            if self.channels == 0 {
                self.channels = channels;
            }
            if channels != self.channels {
                // A mid-stream channel change: keep the stream's layout rather than garble it.
                continue;
            }
            buffer.copy_to_vec_interleaved(&mut self.scratch);
            let first_ts = packet.pts.saturating_add(packet.trim_start);
            let first_secs = self.time_base.and_then(|tb| tb.calc_time(first_ts)).map(|t| t.as_secs_f64());
            let first_frame = first_secs.map(|s| (s * self.sample_rate as f64).round() as i64).unwrap_or(0);
            let first_frame = first_frame - self.priming_frames as i64;
            let frames = (self.scratch.len() / channels as usize) as i64;
            // Frames before the start of content (priming) or before a seek target are dropped.
            let keep_from = self.drop_before.map(|f| f as i64).unwrap_or(0).max(0);
            let skip = (keep_from - first_frame).clamp(0, frames);
            if skip == frames {
                continue;
            }
            self.drop_before = None;
            out.extend_from_slice(&self.scratch[skip as usize * channels as usize..]);
            return Ok(Some((first_frame + skip) as u64));
        }
    }

    /// What to add to the content times this decoder gives to get the true ones: not 0 only
    /// after a seek by estimate in a downloading MP3 has been corrected (see `streamed_mp3`).
    pub fn clock_correction_secs(&self) -> f64 {
        self.streamed_mp3.as_ref().map_or(0.0, StreamedMp3::correction_secs)
    }

    /// Positions the decoder so the next audio starts exactly at `secs`; in a download whose
    /// bytes do not reach there yet, where an estimate puts it (see `streamed_mp3`).
    pub fn seek(&mut self, secs: f64) -> Result<(), DecodeError> {
        self.primed = None;
        if let Some(part) = &self.streaming
            && !part.is_complete()
            && !self.streamed_mp3.as_ref().is_some_and(|mp3| mp3.reaches(secs))
        {
            // A seek ahead of the bytes reads none of the bytes before: it jumps by estimate,
            // and plays from where it lands.
            let sought = self.seek_reader_by(secs, SeekMode::Coarse);
            if let Some(mp3) = &mut self.streamed_mp3 {
                mp3.coarse_seek();
            }
            return match sought {
                Ok(()) => Ok(()),
                Err(SymphoniaError::IoError(e)) => Err(io_failure(e)),
                Err(e) => Err(DecodeError::Failed(e.to_string())),
            };
        }
        if let Some(mp3) = &mut self.streamed_mp3 {
            mp3.exact_seek();
        }
        let target_frame = (secs.max(0.0) * self.sample_rate as f64).round() as u64;
        // MP3 frames lean on earlier ones (bit reservoir) and AAC frames overlap: start early
        // and drop what comes before the target.
        let preroll = if self.clear_trim_end || self.priming_frames > 0 { 0.5 } else { 0.2 };
        let from = (secs - preroll).max(0.0);
        if self.seek_reader(from).is_err() {
            let reopen = self.reopen.as_ref().ok_or_else(|| DecodeError::Failed("cannot seek here".into()))?;
            let source = reopen().map_err(|e| DecodeError::Io(e.to_string()))?;
            let fresh = Decoder::open(source, None, None)?;
            self.format = fresh.format;
            self.decoder = fresh.decoder;
            self.estimated_timeline = false;
            if self.seek_reader(from).is_err() {
                // Past the end (or a reader that cannot seek): the next packet ends the episode.
                self.drop_before = Some(u64::MAX / 2);
                return Ok(());
            }
        }
        self.drop_before = Some(target_frame);
        Ok(())
    }

    /// Moves to about `secs`, by estimate where the format allows: for measuring a sample of
    /// the file, where the exact frame does not matter and an MP3 jump then costs no scan of
    /// every frame header before it.
    pub fn seek_near(&mut self, secs: f64) -> Result<(), DecodeError> {
        self.primed = None;
        self.drop_before = None;
        self.seek_reader_by(secs, SeekMode::Coarse).map_err(|e| match e {
            SymphoniaError::IoError(e) => io_failure(e),
            e => DecodeError::Failed(e.to_string()),
        })
    }

    /// An exact seek. symphonia's MP3 reader counts an accurate seek on from where it is when
    /// the target is ahead: after a seek by estimate that is the estimate's count, so it goes
    /// back to the start first and counts every frame header from there.
    fn seek_reader(&mut self, secs: f64) -> Result<(), SymphoniaError> {
        if self.estimated_timeline {
            self.seek_reader_by(0.0, SeekMode::Accurate)?;
            self.estimated_timeline = false;
        }
        self.seek_reader_by(secs, SeekMode::Accurate)
    }

    fn seek_reader_by(&mut self, secs: f64, mode: SeekMode) -> Result<(), SymphoniaError> {
        let time = Time::try_from_secs_f64(secs).unwrap_or_default();
        // Set first: a coarse seek that fails half way may have moved the reader already.
        self.estimated_timeline |= mode == SeekMode::Coarse && self.mp3_delay.is_some();
        self.format.seek(mode, SeekTo::Time { time, track_id: Some(self.track_id) })?;
        self.decoder.reset();
        Ok(())
    }
}
