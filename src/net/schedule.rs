//! The refresh timer: when each show is refreshed next while the window is open. The net
//! service sleeps until the earliest show is due (no polling: between refreshes it uses no CPU),
//! refreshes the shows due then in one batch, and asks again.
//!
//! - Every show is due `interval` after its last refresh (or at once when that is older), plus a
//!   jitter of up to a tenth of the interval fixed per show, so a thousand shows followed on the
//!   same day do not all fire in the same second.
//! - A show whose refresh failed backs off: twice the interval per failure in a row, up to a day.
//! - When every show of a batch of several failed, the network is down, not the feeds: no show is
//!   counted as failing, and one show (in turn) is tried every `OFFLINE_PROBE` until one answers;
//!   then every show that came due meanwhile is refreshed at once.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::RequestId;
use crate::library::Library;
use crate::model::PodcastId;

/// How often an offline library tries one show to see whether the network is back.
pub const OFFLINE_PROBE: Duration = Duration::from_secs(60);
/// The longest a failing show waits between tries.
const LONGEST_BACKOFF: Duration = Duration::from_secs(24 * 3600);
/// Timed batches are numbered from here, so the window tells them from the refreshes it asked for.
const FIRST_TIMED_REQUEST: u64 = 1 << 62;

impl RequestId {
    /// A refresh the timer started (not the listener).
    pub fn is_timed(self) -> bool {
        self.0 >= FIRST_TIMED_REQUEST
    }
}

#[derive(Debug, Clone, Copy)]
struct Timer {
    /// None: due at once (never refreshed, or before this machine started).
    last: Option<Instant>,
    failures: u32,
    /// How often the feed says it changes: never refreshed more often than that.
    declared: Option<Duration>,
}

#[derive(Debug, Default)]
struct Batch {
    total: usize,
    failed: Vec<PodcastId>,
    probe: bool,
}

#[derive(Debug, Default)]
pub struct Schedule {
    interval: Option<Duration>,
    timers: HashMap<PodcastId, Timer>,
    in_flight: HashSet<PodcastId>,
    batches: HashMap<RequestId, Batch>,
    /// Since when the network seemed down, and the last probe.
    offline_probed_at: Option<Instant>,
    probes: usize,
    next_batch: u64,
}

impl Schedule {
    /// Turns the timer on (or changes its interval) with the shows' last refreshes and failures
    /// from the library; None turns it off.
    pub fn set_interval(&mut self, interval: Option<Duration>, library: &Library) -> crate::library::Result<()> {
        self.interval = interval;
        let now = Instant::now();
        let now_unix = chrono::Utc::now().timestamp();
        self.timers = library
            .refresh_timers()?
            .into_iter()
            .map(|show| {
                let ago = show.last_refresh.map(|at| Duration::from_secs(now_unix.saturating_sub(at).max(0) as u64));
                let timer = Timer {
                    last: ago.and_then(|ago| now.checked_sub(ago)),
                    failures: show.failures,
                    declared: show.update_every_secs.map(Duration::from_secs),
                };
                (show.podcast, timer)
            })
            .collect();
        Ok(())
    }

    /// How long a show waits after its last refresh.
    fn wait(&self, podcast: PodcastId, timer: &Timer) -> Duration {
        let interval = self.interval.unwrap_or(LONGEST_BACKOFF).max(timer.declared.unwrap_or_default());
        let backoff = interval.saturating_mul(1 << timer.failures.min(10)).min(LONGEST_BACKOFF.max(interval));
        backoff + jitter(podcast, backoff / 10)
    }

    fn due_at(&self, podcast: PodcastId, timer: &Timer, now: Instant) -> Instant {
        timer.last.map_or(now, |last| last + self.wait(podcast, timer))
    }

    /// When the service must wake next; None: nothing is due, ever (the timer is off).
    pub fn next_wake(&self) -> Option<Instant> {
        self.interval?;
        let now = Instant::now();
        if let Some(probed) = self.offline_probed_at {
            return Some(probed + OFFLINE_PROBE.min(self.interval?));
        }
        self.timers
            .iter()
            .filter(|(podcast, _)| !self.in_flight.contains(podcast))
            .map(|(podcast, timer)| self.due_at(*podcast, timer, now))
            .min()
    }

    /// The shows due now, as one batch with its request; `library` names the shows followed now
    /// (a new subscription starts its interval now, a removed one is forgotten).
    pub fn take_due(&mut self, library: &Library) -> Option<(RequestId, Vec<PodcastId>)> {
        self.interval?;
        let now = Instant::now();
        let followed = library.refresh_timers().ok()?;
        let ids: HashSet<PodcastId> = followed.iter().map(|show| show.podcast).collect();
        self.timers.retain(|podcast, _| ids.contains(podcast));
        for show in followed {
            let declared = show.update_every_secs.map(Duration::from_secs);
            let timer = self.timers.entry(show.podcast).or_insert(Timer { last: Some(now), failures: 0, declared });
            timer.declared = declared;
        }
        let mut due: Vec<PodcastId> = if self.offline_probed_at.is_some() {
            let mut all: Vec<PodcastId> = self.timers.keys().copied().collect();
            all.sort();
            self.probes += 1;
            self.offline_probed_at = Some(now);
            all.get(self.probes % all.len().max(1)).copied().into_iter().collect()
        } else {
            self.timers
                .iter()
                .filter(|(podcast, timer)| {
                    !self.in_flight.contains(podcast) && self.due_at(**podcast, timer, now) <= now
                })
                .map(|(podcast, _)| *podcast)
                .collect()
        };
        due.retain(|podcast| !self.in_flight.contains(podcast));
        if due.is_empty() {
            return None;
        }
        due.sort();
        self.next_batch += 1;
        let request = RequestId(FIRST_TIMED_REQUEST + self.next_batch);
        let probe = self.offline_probed_at.is_some();
        self.batches.insert(request, Batch { total: due.len(), failed: Vec::new(), probe });
        self.in_flight.extend(due.iter().copied());
        Some((request, due))
    }

    /// One show's refresh ended (any refresh: the listener's too restarts its interval).
    pub fn refreshed(&mut self, request: RequestId, podcast: PodcastId, ok: bool) {
        self.in_flight.remove(&podcast);
        let timer = self.timers.entry(podcast).or_insert(Timer { last: None, failures: 0, declared: None });
        timer.last = Some(Instant::now());
        timer.failures = if ok { 0 } else { timer.failures + 1 };
        if let Some(batch) = self.batches.get_mut(&request)
            && !ok
        {
            batch.failed.push(podcast);
        }
        if ok && self.offline_probed_at.take().is_some() {
            // Back online: everything that came due meanwhile, now.
            for timer in self.timers.values_mut() {
                timer.last = timer.last.filter(|last| last.elapsed() < self.interval.unwrap_or(LONGEST_BACKOFF));
            }
        }
    }

    /// A timed batch ended: when all of several failed (or the offline probe did), the network
    /// is down, and no show is held to have failed.
    pub fn batch_finished(&mut self, request: RequestId) {
        let Some(batch) = self.batches.remove(&request) else { return };
        let all_failed = batch.failed.len() == batch.total;
        if all_failed && (batch.total > 1 || batch.probe) {
            for podcast in &batch.failed {
                if let Some(timer) = self.timers.get_mut(podcast) {
                    timer.failures = timer.failures.saturating_sub(1);
                    // Due as soon as the network is back.
                    timer.last = None;
                }
            }
            self.offline_probed_at = Some(Instant::now());
        }
    }

    /// Whether the last batches found the network down.
    #[cfg(test)]
    fn offline(&self) -> bool {
        self.offline_probed_at.is_some()
    }
}

/// A show's own share of `span`, the same on every run (its id spread by a multiplicative hash).
fn jitter(podcast: PodcastId, span: Duration) -> Duration {
    let spread = (podcast.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    span.mul_f64(spread as f64 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule_with(interval: Duration, shows: &[(i64, Option<Instant>, u32)]) -> Schedule {
        let mut schedule = Schedule { interval: Some(interval), ..Default::default() };
        for (id, last, failures) in shows {
            schedule.timers.insert(PodcastId(*id), Timer { last: *last, failures: *failures, declared: None });
        }
        schedule
    }

    #[test]
    fn a_show_is_due_an_interval_after_its_last_refresh_and_backs_off_when_failing() {
        let hour = Duration::from_secs(3600);
        let now = Instant::now();
        let schedule = schedule_with(hour, &[(1, Some(now), 0), (2, Some(now), 3)]);
        let wait = |id| schedule.wait(PodcastId(id), &schedule.timers[&PodcastId(id)]);
        assert!(wait(1) >= hour && wait(1) <= hour + hour / 10, "{:?}", wait(1));
        assert!(wait(2) >= hour * 8 && wait(2) <= hour * 8 + hour * 8 / 10, "three failures: 8×, {:?}", wait(2));
        let mut weekly = schedule_with(hour, &[(4, Some(now), 0)]);
        weekly.timers.get_mut(&PodcastId(4)).unwrap().declared = Some(hour * 24 * 7);
        let week = weekly.wait(PodcastId(4), &weekly.timers[&PodcastId(4)]);
        assert!(week >= hour * 24 * 7, "a weekly feed is refreshed weekly: {week:?}");
        let mut hourly_feed = schedule_with(hour * 6, &[(5, Some(now), 0)]);
        hourly_feed.timers.get_mut(&PodcastId(5)).unwrap().declared = Some(hour);
        let six = hourly_feed.wait(PodcastId(5), &hourly_feed.timers[&PodcastId(5)]);
        assert!(six >= hour * 6, "never more often than the listener's interval: {six:?}");
        let failing_long = schedule_with(hour, &[(3, Some(now), 20)]);
        assert!(
            failing_long.wait(PodcastId(3), &failing_long.timers[&PodcastId(3)])
                <= LONGEST_BACKOFF + LONGEST_BACKOFF / 10
        );
    }

    #[test]
    fn jitter_spreads_a_thousand_shows_over_the_tenth_of_the_interval() {
        let span = Duration::from_secs(360);
        let mut seconds: Vec<u64> = (1..=1000).map(|id| jitter(PodcastId(id), span).as_secs()).collect();
        seconds.sort();
        seconds.dedup();
        assert!(seconds.len() > 250, "1000 shows land on {} distinct seconds of 360", seconds.len());
        assert!(seconds.iter().all(|s| *s < 360));
    }

    #[test]
    fn when_every_show_of_a_batch_fails_it_is_the_network_and_nobody_backs_off() {
        let mut schedule = schedule_with(Duration::from_secs(3600), &[(1, None, 0), (2, None, 0)]);
        schedule.in_flight.extend([PodcastId(1), PodcastId(2)]);
        let request = RequestId(FIRST_TIMED_REQUEST + 1);
        schedule.batches.insert(request, Batch { total: 2, ..Default::default() });
        schedule.refreshed(request, PodcastId(1), false);
        schedule.refreshed(request, PodcastId(2), false);
        schedule.batch_finished(request);
        assert!(schedule.offline());
        assert!(schedule.timers.values().all(|t| t.failures == 0));
        let wake = schedule.next_wake().unwrap();
        assert!(wake > Instant::now() + OFFLINE_PROBE - Duration::from_secs(2), "probes once a minute, not at once");
        // The probe answers: back online, everything due at once.
        schedule.refreshed(RequestId(FIRST_TIMED_REQUEST + 2), PodcastId(1), true);
        assert!(!schedule.offline());
        assert!(schedule.next_wake().unwrap() <= Instant::now(), "show 2 is due at once");
    }
}
