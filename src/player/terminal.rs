//! `hark play`: the same engine as the window, with a progress line in the terminal.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use super::{OutputChoice, Player, PlayerEvent, SourceSpec, counts_as_played, resume_point};
use crate::error::HarkError;
use crate::library::Library;
use crate::library::keys::LAST_EPISODE;
use crate::model::{EpisodeId, format_clock};

const SAVE_EVERY: Duration = Duration::from_secs(2);

pub fn play(library: &mut Library, id: EpisodeId, from: Option<f64>, speed: f32) -> Result<(), HarkError> {
    let episode = library.episode(id)?;
    let summary = &episode.summary;
    let Some(path) = summary.path.as_ref().filter(|p| std::path::Path::new(p).is_file()) else {
        return Err(HarkError::Other(format!(
            "\"{}\" is not downloaded yet (run: hark download {})",
            summary.title, summary.id
        )));
    };
    let start = match from {
        Some(from) => from,
        None => resume_point(summary, library.last_played_at(id)?, chrono::Utc::now()),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| HarkError::Other(format!("could not catch Ctrl-C: {e}")))?;

    let (events_tx, events) = sync_channel(256);
    let player = Player::spawn(OutputChoice::Default, events_tx, Arc::new(crate::NoWaker));
    if player.is_silent() {
        eprintln!("No audio device — playing silently");
    }
    player.set_speed(speed.clamp(0.5, 3.0));
    player.load(id, SourceSpec::File(path.into()), start, true);
    library.set_setting(LAST_EPISODE, &id.0.to_string())?;
    library.set_position(id, start)?;

    let mut duration = summary.duration_secs.map(f64::from);
    let mut position = start;
    let mut last_save = Instant::now();
    let mut err = std::io::stderr();
    let outcome = loop {
        if stop.load(Ordering::SeqCst) {
            break Ok(false);
        }
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(PlayerEvent::Loaded { duration_secs, .. }) => duration = duration_secs.or(duration),
            Ok(PlayerEvent::Position { secs, .. }) => position = secs,
            Ok(PlayerEvent::Ended { .. }) => break Ok(true),
            Ok(PlayerEvent::Failed { reason, .. }) => break Err(HarkError::Other(reason)),
            Ok(PlayerEvent::Buffering { .. } | PlayerEvent::State { .. }) => {}
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break Err(HarkError::Other("the player stopped".into())),
        }
        if last_save.elapsed() >= SAVE_EVERY {
            library.set_position(id, position)?;
            last_save = Instant::now();
        }
        let total = duration.map(format_clock).unwrap_or_else(|| "--:--".into());
        let _ = write!(err, "\r▶ {}  {} / {}   ", summary.title, format_clock(position), total);
        let _ = err.flush();
    };
    let _ = writeln!(err);
    position = player.position_secs().max(0.0);
    drop(player);
    match outcome {
        Ok(true) => {
            library.set_position(id, 0.0)?;
            library.set_played(id, true)?;
            Ok(())
        }
        Ok(false) => {
            library.set_position(id, position)?;
            if counts_as_played(position, duration) {
                library.set_played(id, true)?;
            }
            eprintln!("Stopped at {}", format_clock(position));
            Ok(())
        }
        Err(e) => {
            library.set_position(id, position)?;
            Err(e)
        }
    }
}
