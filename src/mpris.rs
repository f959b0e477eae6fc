//! Desktop media keys and MPRIS (`org.mpris.MediaPlayer2.hark`) through souvlaki: what the
//! desktop asks for comes in as `MediaRequest`s; what plays goes out as metadata and position.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig, SeekDirection,
};

use crate::Waker;

/// What the desktop asked for, in Hark's words.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaRequest {
    Play,
    Pause,
    Toggle,
    Next,
    Previous,
    /// Seconds; negative goes back. `None` means the configured skip or rewind.
    SeekBy(Option<f64>, bool),
    SeekTo(f64),
    Volume(f32),
    Raise,
    Quit,
}

pub struct MediaKeys {
    controls: MediaControls,
    requests: Receiver<MediaRequest>,
}

impl MediaKeys {
    /// Registers on the session bus. Without one (souvlaki would panic in its own thread) or
    /// when registering fails, Hark runs on without media keys.
    pub fn connect(waker: Arc<dyn Waker>) -> Option<Self> {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            tracing::info!("no D-Bus session bus: media keys and MPRIS are off");
            return None;
        }
        let config = PlatformConfig { dbus_name: "hark", display_name: "Hark", hwnd: None };
        let mut controls = match MediaControls::new(config) {
            Ok(controls) => controls,
            Err(e) => {
                tracing::warn!("media keys unavailable: {e:?}");
                return None;
            }
        };
        let (tx, requests) = channel();
        let attached = controls.attach(move |event| {
            if let Some(request) = translate(event)
                && tx.send(request).is_ok()
            {
                waker.wake();
            }
        });
        if let Err(e) = attached {
            tracing::warn!("media keys unavailable: {e:?}");
            return None;
        }
        Some(Self { controls, requests })
    }

    pub fn requests(&self) -> impl Iterator<Item = MediaRequest> + '_ {
        self.requests.try_iter()
    }

    pub fn now_playing(&mut self, title: &str, show: &str, art_url: Option<&str>, duration_secs: Option<f64>) {
        let metadata = MediaMetadata {
            title: Some(title),
            artist: Some(show),
            album: Some(show),
            cover_url: art_url,
            duration: duration_secs.map(Duration::from_secs_f64),
        };
        if let Err(e) = self.controls.set_metadata(metadata) {
            tracing::debug!("MPRIS metadata: {e:?}");
        }
    }

    pub fn playback(&mut self, playing: Option<bool>, position_secs: f64) {
        let progress = Some(MediaPosition(Duration::from_secs_f64(position_secs.max(0.0))));
        let playback = match playing {
            Some(true) => MediaPlayback::Playing { progress },
            Some(false) => MediaPlayback::Paused { progress },
            None => MediaPlayback::Stopped,
        };
        if let Err(e) = self.controls.set_playback(playback) {
            tracing::debug!("MPRIS playback: {e:?}");
        }
    }

    pub fn volume(&mut self, volume: f32) {
        let _ = self.controls.set_volume(volume as f64);
    }
}

fn translate(event: MediaControlEvent) -> Option<MediaRequest> {
    let sign = |direction: SeekDirection| if matches!(direction, SeekDirection::Forward) { 1.0 } else { -1.0 };
    Some(match event {
        MediaControlEvent::Play => MediaRequest::Play,
        MediaControlEvent::Pause | MediaControlEvent::Stop => MediaRequest::Pause,
        MediaControlEvent::Toggle => MediaRequest::Toggle,
        MediaControlEvent::Next => MediaRequest::Next,
        MediaControlEvent::Previous => MediaRequest::Previous,
        MediaControlEvent::Seek(direction) => MediaRequest::SeekBy(None, matches!(direction, SeekDirection::Forward)),
        MediaControlEvent::SeekBy(direction, by) => {
            MediaRequest::SeekBy(Some(sign(direction) * by.as_secs_f64()), matches!(direction, SeekDirection::Forward))
        }
        MediaControlEvent::SetPosition(MediaPosition(at)) => MediaRequest::SeekTo(at.as_secs_f64()),
        MediaControlEvent::SetVolume(volume) => MediaRequest::Volume(volume.clamp(0.0, 1.0) as f32),
        MediaControlEvent::Raise => MediaRequest::Raise,
        MediaControlEvent::Quit => MediaRequest::Quit,
        _ => return None,
    })
}
