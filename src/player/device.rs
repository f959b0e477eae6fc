//! The sound card: held only while it is needed (a paused player lets it go, the engine says
//! when, so an idle Hark keeps no device open and no audio callback running), opened in the
//! episode's own format when it takes it, and noticed when it goes away.

use std::num::NonZero;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::output::{EngineSource, NullOutput};

pub(super) struct Device {
    sink: Option<rodio::MixerDeviceSink>,
    /// Set by the audio callback's error handler when the device went away (unplugged).
    lost: Arc<AtomicBool>,
    /// The episode format the device would not open in (it plays in its own instead).
    refused: Option<(u16, u32)>,
    /// A silent clock that plays while no device opens (its sound server is gone); the device
    /// is asked for again at the next load, and at the next Play once the player let go.
    stand_in: Option<NullOutput>,
}

impl Device {
    /// The default device in its own format; an error when there is none.
    pub fn open() -> Result<Self, String> {
        let lost = Arc::new(AtomicBool::new(false));
        let sink = open_device(&lost, None)?;
        Ok(Self { sink: Some(sink), lost, refused: None, stand_in: None })
    }

    pub fn attach(&mut self, source: EngineSource) {
        self.reacquire((source.channels_count(), source.rate()));
        match (&self.sink, &self.stand_in) {
            (Some(sink), _) => sink.mixer().add(source),
            (None, Some(stand_in)) => stand_in.play(source),
            (None, None) => {}
        }
    }

    pub fn resumed(&self) {
        if let Some(stand_in) = &self.stand_in {
            stand_in.wake();
        }
    }

    /// The device, or the stand-in asking for it again once let go.
    pub fn holds(&self) -> bool {
        !self.is_released()
    }

    pub fn is_released(&self) -> bool {
        self.sink.is_none() && self.stand_in.is_none()
    }

    /// Lets the device (or its stand-in) go with the sources it played. True when one was open.
    pub fn release(&mut self) -> bool {
        let held = self.sink.take().is_some();
        let stood_in = self.stand_in.take().is_some();
        held || stood_in
    }

    pub fn lost(&self) -> bool {
        self.sink.is_some() && self.lost.load(Ordering::Relaxed)
    }

    /// Opens the system's default device again after `release` (it may be another one now:
    /// headphones plugged in meanwhile), or in the format of the audio about to play when it is
    /// open in another (see `open_device`); none there, and a silent clock stands in.
    fn reacquire(&mut self, format: (u16, u32)) {
        if let Some(sink) = &self.sink
            && !self.lost.load(Ordering::Relaxed)
        {
            // Asking again at every load for a format the device refused would only cost time.
            if format_of(sink) == format || self.refused == Some(format) {
                return;
            }
        }
        self.sink = None;
        self.stand_in = None;
        self.lost.store(false, Ordering::Relaxed);
        match open_device(&self.lost, Some(format)) {
            Ok(sink) => {
                self.refused = (format_of(&sink) != format).then_some(format);
                self.sink = Some(sink);
            }
            Err(reason) => {
                tracing::warn!("no audio device ({reason}); playing silently until there is one");
                self.stand_in = Some(NullOutput::start());
            }
        }
    }
}

/// (channels, sample rate) the device is open in.
fn format_of(sink: &rodio::MixerDeviceSink) -> (u16, u32) {
    (sink.config().channel_count().get(), sink.config().sample_rate().get())
}

/// Opens the default device, in `format` (channels, rate) when it is given and the device takes
/// it, else in the device's own. An episode's own format spares a second resampler here: the
/// sound server (or the card) converts anyway, with a better filter, outside this process.
fn open_device(lost: &Arc<AtomicBool>, format: Option<(u16, u32)>) -> Result<rodio::MixerDeviceSink, String> {
    let default_builder = || rodio::DeviceSinkBuilder::from_default_device().map_err(|e| e.to_string());
    if let Some((channels, rate)) = format
        && let (Some(channels), Some(rate)) = (NonZero::new(channels), NonZero::new(rate))
    {
        match open_stream(default_builder()?.with_channels(channels).with_sample_rate(rate), lost) {
            Ok(sink) => return Ok(sink),
            Err(reason) => tracing::debug!("the device refused {channels} channels at {rate} Hz: {reason}"),
        }
    }
    open_stream(default_builder()?, lost)
}

fn open_stream(builder: rodio::DeviceSinkBuilder, lost: &Arc<AtomicBool>) -> Result<rodio::MixerDeviceSink, String> {
    let lost = lost.clone();
    let mut errors = ErrorRun::default();
    let mut sink = builder
        .with_error_callback(move |error| {
            // Unplugged, or its sound server gone: playing pauses, and the next Play opens
            // whatever the default device is then. Some ALSA plugins report passing errors at
            // stream start, and an underrun recovers by itself; but a sound server that went
            // away shows only as an I/O error that comes back at every poll, without end.
            let kind = error.kind();
            let underrun = matches!(kind, rodio::CpalErrorKind::Xrun);
            let endless = !underrun && errors.endless();
            if endless
                || matches!(kind, rodio::CpalErrorKind::DeviceNotAvailable | rodio::CpalErrorKind::HostUnavailable)
            {
                if !lost.swap(true, Ordering::Relaxed) {
                    tracing::warn!("the sound device stopped answering: {error}");
                }
            } else if underrun || errors.count == 1 {
                tracing::debug!("audio output: {error}");
            }
        })
        .open_stream()
        .map_err(|e| e.to_string())?;
    sink.log_on_drop(false);
    Ok(sink)
}

/// A run of errors from the audio callback: a device that answers every poll with an error (its
/// server died) makes thousands a second, on and on; one whose stream is still starting up makes
/// a burst of them for some milliseconds; a passing fault, a few.
#[derive(Default)]
struct ErrorRun {
    since: Option<Instant>,
    last: Option<Instant>,
    count: u32,
}

impl ErrorRun {
    /// A pause this long between errors ends the run.
    const GAP: Duration = Duration::from_millis(100);
    /// A run this long, of at least this many errors, is no device that works.
    const LASTING: Duration = Duration::from_secs(1);
    const AT_LEAST: u32 = 1000;

    /// Counts one more error; true once they come on without end.
    fn endless(&mut self) -> bool {
        let now = Instant::now();
        if self.last.is_none_or(|last| now.duration_since(last) > Self::GAP) {
            (self.since, self.count) = (Some(now), 0);
        }
        self.last = Some(now);
        self.count += 1;
        self.count >= Self::AT_LEAST && self.since.is_some_and(|since| now.duration_since(since) >= Self::LASTING)
    }
}
