//! Desktop media keys and MPRIS (`org.mpris.MediaPlayer2.hark`) through souvlaki: what the
//! desktop asks for comes in as `MediaRequest`s; what plays goes out as metadata and position.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Duration;

use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig, SeekDirection,
};

use crate::Waker;
use crate::listening::{Command, Playback};

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
}

impl MediaKeys {
    /// Registers on the session bus. Without one (souvlaki would panic in its own thread) or
    /// when registering fails, Hark runs on without media keys.
    pub fn connect(requests: Sender<MediaRequest>, waker: Arc<dyn Waker>) -> Option<Self> {
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
        let attached = controls.attach(move |event| {
            if let Some(request) = translate(event)
                && requests.send(request).is_ok()
            {
                waker.wake();
            }
        });
        if let Err(e) = attached {
            tracing::warn!("media keys unavailable: {e:?}");
            return None;
        }
        Some(Self { controls })
    }

    /// What plays: title, show, art (a URL the desktop can load: the web address, or the cached
    /// copy on disk) and length.
    pub fn publish_track(&mut self, playback: &Playback, art_cache: &std::path::Path) {
        let Some(track) = playback.track() else { return };
        let art = track.art_url.as_deref().and_then(|url| {
            if url.starts_with("http://") || url.starts_with("https://") {
                Some(url.to_string())
            } else {
                let path = crate::net::art::cached_header(art_cache, url);
                path.is_file().then(|| format!("file://{}", path.display()))
            }
        });
        let metadata = MediaMetadata {
            title: Some(&track.title),
            artist: Some(&track.show),
            album: Some(&track.show),
            cover_url: art.as_deref(),
            duration: track.duration_secs.filter(|d| d.is_finite() && *d >= 0.0).map(Duration::from_secs_f64),
        };
        if let Err(e) = self.controls.set_metadata(metadata) {
            tracing::debug!("MPRIS metadata: {e:?}");
        }
    }

    /// Playing, paused or stopped, and where.
    pub fn publish_state(&mut self, playback: &Playback) {
        let position = playback.track().map_or(0.0, |t| t.position_secs);
        let progress = Some(MediaPosition(Duration::from_secs_f64(position.max(0.0))));
        let playback = match playback {
            Playback::Idle => MediaPlayback::Stopped,
            _ if playback.is_playing() => MediaPlayback::Playing { progress },
            _ => MediaPlayback::Paused { progress },
        };
        if let Err(e) = self.controls.set_playback(playback) {
            tracing::debug!("MPRIS playback: {e:?}");
        }
    }

    pub fn volume(&mut self, volume: f32) {
        let _ = self.controls.set_volume(volume as f64);
    }
}

/// What a desktop request asks of the listening session; None for the window's own
/// (raise, quit) and for play/pause that is already so.
pub fn command(request: &MediaRequest, playback: &Playback, skip_secs: f64, rewind_secs: f64) -> Option<Command> {
    let playing = playback.is_playing();
    Some(match request {
        MediaRequest::Play if !playing => Command::Resume,
        MediaRequest::Pause if playing => Command::Pause,
        MediaRequest::Play | MediaRequest::Pause | MediaRequest::Raise | MediaRequest::Quit => return None,
        MediaRequest::Toggle => Command::Toggle,
        MediaRequest::Next => Command::Next,
        MediaRequest::Previous => Command::Previous,
        MediaRequest::SeekBy(Some(secs), _) => Command::SeekBy(*secs),
        MediaRequest::SeekBy(None, forward) => Command::SeekBy(if *forward { skip_secs } else { -rewind_secs }),
        MediaRequest::SeekTo(secs) => Command::SeekTo(*secs),
        MediaRequest::Volume(volume) => Command::SetVolume(*volume),
    })
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
