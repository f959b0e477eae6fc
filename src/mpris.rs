//! Desktop media keys and MPRIS (`org.mpris.MediaPlayer2.hark`): what the desktop asks for comes
//! in as `MediaRequest`s; what plays goes out as metadata, state and position.
//!
//! One thread owns the D-Bus server. The window hands it what it shows (`Shown`), the thread
//! keeps the newest copy for the desktop's property reads and announces what changed.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use mpris_server::zbus::{Result as ZbusResult, fdo};
use mpris_server::{
    LoopStatus, Metadata, PlaybackRate, PlaybackStatus, PlayerInterface, Property, RootInterface, Server, Signal, Time,
    TrackId, Volume,
};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::Waker;
use crate::desktop::APP_ID;
use crate::listening::{Command, Playback};

/// What the desktop asked for, in Hark's words.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaRequest {
    Play,
    Pause,
    Toggle,
    Next,
    Previous,
    /// Seconds; negative goes back.
    SeekBy(f64),
    SeekTo(f64),
    Volume(f32),
    Raise,
    Quit,
}

/// The bus name's last part: `org.mpris.MediaPlayer2.hark`.
const BUS_NAME_SUFFIX: &str = "hark";

/// A later position report further than this from where playback should be is a seek.
const SEEK_TOLERANCE_SECS: f64 = 1.5;

/// What the window shows, as the desktop reads it.
#[derive(Debug, Clone)]
struct Shown {
    metadata: Metadata,
    status: PlaybackStatus,
    /// Where playback was at `reported`; while playing it moves on at `rate`.
    position_secs: f64,
    reported: Instant,
    rate: f64,
    volume: f64,
    has_track: bool,
}

impl Shown {
    fn position_now(&self) -> f64 {
        match self.status {
            PlaybackStatus::Playing => self.position_secs + self.reported.elapsed().as_secs_f64() * self.rate,
            _ => self.position_secs,
        }
    }
}

impl Default for Shown {
    fn default() -> Self {
        Self {
            metadata: Metadata::new(),
            status: PlaybackStatus::Stopped,
            position_secs: 0.0,
            reported: Instant::now(),
            rate: 1.0,
            volume: 1.0,
            has_track: false,
        }
    }
}

enum Update {
    Track { metadata: Metadata, has_track: bool },
    State { status: PlaybackStatus, position_secs: f64, rate: f64 },
    Volume(f64),
}

pub struct MediaKeys {
    updates: UnboundedSender<Update>,
}

impl MediaKeys {
    /// Registers on the session bus from a thread of its own. Without a session bus, or when
    /// registering fails, Hark runs on without media keys.
    pub fn connect(requests: Sender<MediaRequest>, waker: Arc<dyn Waker>) -> Option<Self> {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            tracing::info!("no D-Bus session bus: media keys and MPRIS are off");
            return None;
        }
        let (updates, mut incoming) = unbounded_channel::<Update>();
        let shown = Arc::new(Mutex::new(Shown::default()));
        let desktop = Desktop { requests: Mutex::new(requests), waker, shown: shown.clone() };
        let spawned = std::thread::Builder::new().name("mpris".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return tracing::warn!("media keys unavailable: {e}"),
            };
            runtime.block_on(async move {
                let server = match Server::new(BUS_NAME_SUFFIX, desktop).await {
                    Ok(server) => server,
                    Err(e) => return tracing::warn!("media keys unavailable: {e}"),
                };
                // Ends when the window drops its `MediaKeys`; the bus name goes with the server.
                while let Some(update) = incoming.recv().await {
                    let (changed, seeked) = apply(&shown, update);
                    if let Err(e) = server.properties_changed(changed).await {
                        tracing::debug!("MPRIS properties: {e}");
                    }
                    if let Some(position) = seeked
                        && let Err(e) = server.emit(Signal::Seeked { position }).await
                    {
                        tracing::debug!("MPRIS seeked: {e}");
                    }
                }
            });
        });
        if let Err(e) = spawned {
            tracing::warn!("media keys unavailable: {e}");
            return None;
        }
        Some(Self { updates })
    }

    /// What plays: title (with the chapter, when there is one), show, art (a URL the desktop can
    /// load: the web address, or the cached copy on disk) and length.
    pub fn publish_track(&mut self, playback: &Playback, chapter: Option<&str>, art_cache: &std::path::Path) {
        let mut metadata = Metadata::new();
        let has_track = playback.track().is_some();
        if let Some(track) = playback.track() {
            let art = track.art_url.as_deref().and_then(|url| {
                if url.starts_with("http://") || url.starts_with("https://") {
                    Some(url.to_string())
                } else {
                    let path = crate::net::art::cached_header(art_cache, url);
                    path.is_file().then(|| format!("file://{}", path.display()))
                }
            });
            let id = TrackId::try_from(format!("/io/github/hark/Hark/episode/{}", track.episode.0)).ok();
            metadata.set_trackid(id);
            let title = match chapter {
                Some(chapter) => format!("{} — {chapter}", track.title),
                None => track.title.clone(),
            };
            metadata.set_title(Some(title));
            metadata.set_artist(Some([track.show.clone()]));
            metadata.set_album(Some(track.show.clone()));
            metadata.set_art_url(art);
            let length = track.duration_secs.filter(|d| d.is_finite() && *d >= 0.0);
            metadata.set_length(length.map(|secs| Time::from_micros((secs * 1e6) as i64)));
        }
        let _ = self.updates.send(Update::Track { metadata, has_track });
    }

    /// Playing, paused or stopped, where, and how fast.
    pub fn publish_state(&mut self, playback: &Playback, speed: f32) {
        let position_secs = playback.track().map_or(0.0, |t| t.position_secs.max(0.0));
        let status = match playback {
            Playback::Idle => PlaybackStatus::Stopped,
            _ if playback.is_playing() => PlaybackStatus::Playing,
            _ => PlaybackStatus::Paused,
        };
        let _ = self.updates.send(Update::State { status, position_secs, rate: speed as f64 });
    }

    pub fn volume(&mut self, volume: f32) {
        let _ = self.updates.send(Update::Volume(volume as f64));
    }
}

/// Takes an update into what the desktop reads; returns the properties that changed and, when
/// the position jumped, where to (the `Seeked` signal).
fn apply(shown: &Mutex<Shown>, update: Update) -> (Vec<Property>, Option<Time>) {
    let mut shown = shown.lock().unwrap_or_else(PoisonError::into_inner);
    let mut changed = Vec::new();
    let mut seeked = None;
    match update {
        Update::Track { metadata, has_track } => {
            shown.metadata = metadata.clone();
            shown.has_track = has_track;
            changed.push(Property::Metadata(metadata));
            changed.extend([Property::CanPlay(has_track), Property::CanPause(has_track), Property::CanSeek(has_track)]);
        }
        Update::State { status, position_secs, rate } => {
            let expected = shown.position_now();
            if (position_secs - expected).abs() > SEEK_TOLERANCE_SECS {
                seeked = Some(Time::from_micros((position_secs * 1e6) as i64));
            }
            if shown.status != status {
                changed.push(Property::PlaybackStatus(status));
            }
            if shown.rate != rate {
                changed.push(Property::Rate(rate));
            }
            shown.status = status;
            shown.position_secs = position_secs;
            shown.rate = rate;
            shown.reported = Instant::now();
        }
        Update::Volume(volume) => {
            shown.volume = volume;
            changed.push(Property::Volume(volume));
        }
    }
    (changed, seeked)
}

/// The object the desktop talks to: reads come from `shown`, calls become `MediaRequest`s.
struct Desktop {
    requests: Mutex<Sender<MediaRequest>>,
    waker: Arc<dyn Waker>,
    shown: Arc<Mutex<Shown>>,
}

impl Desktop {
    fn ask(&self, request: MediaRequest) -> fdo::Result<()> {
        let sent = self.requests.lock().unwrap_or_else(PoisonError::into_inner).send(request);
        sent.map_err(|_| fdo::Error::Failed("Hark is closing".into()))?;
        self.waker.wake();
        Ok(())
    }

    fn shown(&self) -> Shown {
        self.shown.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl RootInterface for Desktop {
    async fn raise(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Raise)
    }
    async fn quit(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Quit)
    }
    async fn can_quit(&self) -> fdo::Result<bool> {
        Ok(true)
    }
    async fn fullscreen(&self) -> fdo::Result<bool> {
        Ok(false)
    }
    async fn set_fullscreen(&self, _fullscreen: bool) -> ZbusResult<()> {
        Ok(())
    }
    async fn can_set_fullscreen(&self) -> fdo::Result<bool> {
        Ok(false)
    }
    async fn can_raise(&self) -> fdo::Result<bool> {
        Ok(true)
    }
    async fn has_track_list(&self) -> fdo::Result<bool> {
        Ok(false)
    }
    async fn identity(&self) -> fdo::Result<String> {
        Ok("Hark".into())
    }
    async fn desktop_entry(&self) -> fdo::Result<String> {
        Ok(APP_ID.into())
    }
    async fn supported_uri_schemes(&self) -> fdo::Result<Vec<String>> {
        Ok(Vec::new())
    }
    async fn supported_mime_types(&self) -> fdo::Result<Vec<String>> {
        Ok(Vec::new())
    }
}

impl PlayerInterface for Desktop {
    async fn next(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Next)
    }
    async fn previous(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Previous)
    }
    async fn pause(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Pause)
    }
    async fn play_pause(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Toggle)
    }
    async fn stop(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Pause)
    }
    async fn play(&self) -> fdo::Result<()> {
        self.ask(MediaRequest::Play)
    }
    async fn seek(&self, offset: Time) -> fdo::Result<()> {
        let secs = offset.as_micros() as f64 / 1e6;
        self.ask(MediaRequest::SeekBy(secs))
    }
    async fn set_position(&self, track_id: TrackId, position: Time) -> fdo::Result<()> {
        // The spec: a position for another track than the current one is ignored.
        if self.shown().metadata.trackid().is_some_and(|current| current == track_id) {
            self.ask(MediaRequest::SeekTo(position.as_micros() as f64 / 1e6))?;
        }
        Ok(())
    }
    async fn open_uri(&self, _uri: String) -> fdo::Result<()> {
        Err(fdo::Error::NotSupported("Hark opens feeds, not single files".into()))
    }
    async fn playback_status(&self) -> fdo::Result<PlaybackStatus> {
        Ok(self.shown().status)
    }
    async fn loop_status(&self) -> fdo::Result<LoopStatus> {
        Ok(LoopStatus::None)
    }
    async fn set_loop_status(&self, _loop_status: LoopStatus) -> ZbusResult<()> {
        Ok(())
    }
    async fn rate(&self) -> fdo::Result<PlaybackRate> {
        Ok(self.shown().rate)
    }
    async fn set_rate(&self, _rate: PlaybackRate) -> ZbusResult<()> {
        // Speed is chosen in the window; MinimumRate = MaximumRate would forbid this, but the
        // rate varies, so the call is accepted and ignored.
        Ok(())
    }
    async fn shuffle(&self) -> fdo::Result<bool> {
        Ok(false)
    }
    async fn set_shuffle(&self, _shuffle: bool) -> ZbusResult<()> {
        Ok(())
    }
    async fn metadata(&self) -> fdo::Result<Metadata> {
        Ok(self.shown().metadata)
    }
    async fn volume(&self) -> fdo::Result<Volume> {
        Ok(self.shown().volume)
    }
    async fn set_volume(&self, volume: Volume) -> ZbusResult<()> {
        if volume.is_finite() {
            let _ = self.ask(MediaRequest::Volume(volume.clamp(0.0, 1.0) as f32));
        }
        Ok(())
    }
    async fn position(&self) -> fdo::Result<Time> {
        Ok(Time::from_micros((self.shown().position_now() * 1e6) as i64))
    }
    async fn minimum_rate(&self) -> fdo::Result<PlaybackRate> {
        Ok(*crate::player::SPEED_RANGE.start() as f64)
    }
    async fn maximum_rate(&self) -> fdo::Result<PlaybackRate> {
        Ok(*crate::player::SPEED_RANGE.end() as f64)
    }
    async fn can_go_next(&self) -> fdo::Result<bool> {
        Ok(true)
    }
    async fn can_go_previous(&self) -> fdo::Result<bool> {
        Ok(true)
    }
    async fn can_play(&self) -> fdo::Result<bool> {
        Ok(self.shown().has_track)
    }
    async fn can_pause(&self) -> fdo::Result<bool> {
        Ok(self.shown().has_track)
    }
    async fn can_seek(&self) -> fdo::Result<bool> {
        Ok(self.shown().has_track)
    }
    async fn can_control(&self) -> fdo::Result<bool> {
        Ok(true)
    }
}

/// What a desktop request asks of the listening session; None for the window's own
/// (raise, quit) and for play/pause that is already so.
pub fn command(request: &MediaRequest, playback: &Playback) -> Option<Command> {
    let playing = playback.is_playing();
    Some(match request {
        MediaRequest::Play if !playing => Command::Resume,
        MediaRequest::Pause if playing => Command::Pause,
        MediaRequest::Play | MediaRequest::Pause | MediaRequest::Raise | MediaRequest::Quit => return None,
        MediaRequest::Toggle => Command::Toggle,
        MediaRequest::Next => Command::Next,
        MediaRequest::Previous => Command::Previous,
        MediaRequest::SeekBy(secs) => Command::SeekBy(*secs),
        MediaRequest::SeekTo(secs) => Command::SeekTo(*secs),
        MediaRequest::Volume(volume) => Command::SetVolume(*volume),
    })
}
