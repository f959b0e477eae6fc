//! `hark play`: the listening session in a terminal, with a progress line on stderr.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::time::Duration;

use crate::error::HarkError;
use crate::library::Library;
use crate::listening::{Command, Listening, Playback, QueueEdit, RunSound, SleepMode};
use crate::model::{EpisodeId, format_clock};
use crate::net::{NetService, OnStart};
use crate::paths::AppPaths;
use crate::player::{OutputChoice, SPEED_RANGE};

/// What `hark play` was asked besides the episodes.
pub struct Options {
    /// Where the first episode starts.
    pub from: Option<f64>,
    /// A speed for this run.
    pub speed: Option<f32>,
    pub sleep: Option<SleepMode>,
    /// Skip silence, voice boost and loudness for this run.
    pub sound: RunSound,
}

/// Plays `episodes` in order; returns when the last one ends, the sleep timer stops it, on
/// Ctrl-C, or on a failure.
pub fn play(paths: &AppPaths, episodes: &[EpisodeId], options: Options) -> Result<(), HarkError> {
    let Options { from, speed, sleep, sound } = options;
    let Some((&first, rest)) = episodes.split_first() else { return Ok(()) };
    if let Some(speed) = speed.filter(|s| !SPEED_RANGE.contains(s)) {
        return Err(HarkError::Other(format!("--speed {speed}: the speed must be from 0.5 to 3.0")));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| HarkError::Other(format!("could not catch Ctrl-C: {e}")))?;

    let (net_tx, net_events) = channel();
    let net = NetService::spawn(paths.clone(), net_tx, Arc::new(crate::NoWaker), OnStart::Idle)?;
    let library = Library::open(&paths.database())?;
    let mut session = Listening::new(library, OutputChoice::Default, net.sender(), Arc::new(crate::NoWaker))?;
    if session.player().is_silent() {
        eprintln!("No audio device — playing silently");
    }
    if let Some(speed) = speed {
        session.use_speed(speed);
    }
    session.use_sound(sound);
    session.handle(Command::Queue(QueueEdit::PutFirst(rest.to_vec())))?;
    session.handle(Command::Play { episode: first, from })?;
    if let Some(mode) = sleep {
        session.handle(Command::Sleep(Some(mode)))?;
    }

    let mut err = std::io::stderr();
    let outcome = loop {
        if stop.load(Ordering::SeqCst) {
            break Ok(false);
        }
        let timeout =
            session.next_wake().map_or(Duration::from_millis(100), |wake| wake.min(Duration::from_millis(100)));
        let mut changed = session.wait(timeout)?;
        for event in net_events.try_iter() {
            let news = session.on_net_event(&event);
            changed.failure = changed.failure.or(news.failure);
        }
        if let Some(failure) = changed.failure {
            break Err(HarkError::Other(failure));
        }
        if changed.slept {
            break Ok(false);
        }
        if changed.finished {
            break Ok(true);
        }
        let _ = write!(err, "\r{}   ", progress_line(session.playback(), session.position_secs()));
        let _ = err.flush();
    };
    let _ = writeln!(err);
    let saved = session.close();
    let position = session.position_secs();
    drop(session);
    drop(net);
    saved?;
    match outcome? {
        true => Ok(()),
        false => {
            eprintln!("Stopped at {}", format_clock(position));
            Ok(())
        }
    }
}

fn progress_line(playback: &Playback, position: f64) -> String {
    let Some(track) = playback.track() else { return String::new() };
    let total = track.duration_secs.map(format_clock).unwrap_or_else(|| "--:--".into());
    let state = match playback {
        Playback::Loading { .. } => "  loading…",
        Playback::Playing { buffering: true, .. } => "  buffering…",
        Playback::Paused { .. } => "  paused",
        _ => "",
    };
    format!("▶ {}  {} / {}{state}", track.title, format_clock(position), total)
}
