//! The player's event channel. It never drops what matters: `Loaded`, `State`, `Ended` and
//! failures always arrive, however long nobody drains it (a hidden window, a busy CLI). Position
//! reports are coalesced instead of queued: at most one waits in the channel, and it carries
//! the newest position when it is taken.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::PlayerEvent;
use crate::Waker;
use crate::model::EpisodeId;

#[derive(Default)]
struct LatestPosition {
    /// A position report is in the channel and not yet taken.
    queued: AtomicBool,
    newest: Mutex<Option<(EpisodeId, f64)>>,
}

impl LatestPosition {
    fn set(&self, episode: EpisodeId, secs: f64) {
        *self.newest.lock().unwrap_or_else(|e| e.into_inner()) = Some((episode, secs));
    }

    fn take(&self) -> Option<(EpisodeId, f64)> {
        self.queued.store(false, Ordering::Release);
        *self.newest.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The engine's end (cloned into the downloading reader's buffering callback).
#[derive(Clone)]
pub struct EventSender {
    tx: Sender<PlayerEvent>,
    latest: Arc<LatestPosition>,
    waker: Arc<dyn Waker>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the player stopped")]
pub struct PlayerGone;

/// What the session (window or CLI) drains.
pub struct PlayerEvents {
    rx: Receiver<PlayerEvent>,
    latest: Arc<LatestPosition>,
}

pub fn event_channel(waker: Arc<dyn Waker>) -> (EventSender, PlayerEvents) {
    let (tx, rx) = channel();
    let latest = Arc::new(LatestPosition::default());
    (EventSender { tx, latest: latest.clone(), waker }, PlayerEvents { rx, latest })
}

impl EventSender {
    /// Sends an event and wakes the receiver (also when a position report was folded into one
    /// already waiting: that one, sent quietly, woke nobody).
    pub fn send(&self, event: PlayerEvent) {
        self.offer(event);
        self.waker.wake();
    }

    /// Sends without waking: a position report between the once-a-second wakes.
    pub fn send_quietly(&self, event: PlayerEvent) {
        self.offer(event);
    }

    fn offer(&self, event: PlayerEvent) {
        if let PlayerEvent::Position { episode, secs } = event {
            self.latest.set(episode, secs);
            if self.latest.queued.swap(true, Ordering::AcqRel) {
                return; // the report already waiting will carry this position
            }
        }
        // Fails only when the receiver is gone (shutting down).
        let _ = self.tx.send(event);
    }
}

impl PlayerEvents {
    pub fn try_recv(&self) -> Option<PlayerEvent> {
        self.rx.try_recv().ok().map(|event| self.freshen(event))
    }

    /// Waits up to `timeout`; `Err` when the player thread is gone.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<PlayerEvent>, PlayerGone> {
        match self.rx.recv_timeout(timeout) {
            Ok(event) => Ok(Some(self.freshen(event))),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(PlayerGone),
        }
    }

    fn freshen(&self, event: PlayerEvent) -> PlayerEvent {
        match event {
            PlayerEvent::Position { episode, secs } => match self.latest.take() {
                Some((newest_episode, newest)) => PlayerEvent::Position { episode: newest_episode, secs: newest },
                None => PlayerEvent::Position { episode, secs },
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[derive(Default)]
    struct CountingWaker(AtomicUsize);

    impl Waker for CountingWaker {
        fn wake(&self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn the_once_a_second_report_wakes_even_when_a_quiet_one_is_waiting() {
        let waker = Arc::new(CountingWaker::default());
        let (sender, events) = event_channel(waker.clone());
        let episode = EpisodeId(1);
        sender.send_quietly(PlayerEvent::Position { episode, secs: 1.0 });
        assert_eq!(waker.0.load(Ordering::Relaxed), 0);
        sender.send(PlayerEvent::Position { episode, secs: 2.0 });
        assert_eq!(waker.0.load(Ordering::Relaxed), 1, "the window is woken to show the position");
        assert_eq!(events.try_recv(), Some(PlayerEvent::Position { episode, secs: 2.0 }));
        assert_eq!(events.try_recv(), None);
    }

    #[test]
    fn a_flood_of_position_reports_never_crowds_out_the_end() {
        let (sender, events) = event_channel(Arc::new(crate::NoWaker));
        let episode = EpisodeId(7);
        sender.send(PlayerEvent::Loaded { episode, duration_secs: Some(60.0), start_secs: 0.0 });
        // Far more reports than any bounded channel would hold, nobody draining.
        for i in 0..100_000 {
            sender.send_quietly(PlayerEvent::Position { episode, secs: i as f64 / 1000.0 });
        }
        sender.send(PlayerEvent::Ended { episode });
        let drained: Vec<PlayerEvent> = std::iter::from_fn(|| events.try_recv()).collect();
        assert_eq!(
            drained,
            vec![
                PlayerEvent::Loaded { episode, duration_secs: Some(60.0), start_secs: 0.0 },
                PlayerEvent::Position { episode, secs: 99.999 },
                PlayerEvent::Ended { episode },
            ],
            "one position report, carrying the newest position, and the end"
        );
        sender.send(PlayerEvent::Position { episode, secs: 100.0 });
        assert_eq!(events.try_recv(), Some(PlayerEvent::Position { episode, secs: 100.0 }), "reports flow again");
    }
}
