//! The listening rules: where an episode resumes and when it counts as played (that rule is
//! `model::played`, re-exported here).

use chrono::{DateTime, Utc};

use crate::model::EpisodeSummary;
/// When an episode counts as played: one rule, kept beside the plain data so that positions from
/// another device (`sync`) are judged by it too.
pub use crate::model::played::{PLAYED_MARGIN_SECS, counts_as_played};

/// After a pause longer than this, resume a little earlier so the listener finds the thread.
const LONG_PAUSE_SECS: i64 = 60;
const RESUME_REWIND_SECS: f64 = 3.0;

/// Where to start an episode the listener opens again: where it stopped (a few seconds
/// earlier after a long pause), or the beginning once it was heard to the end. An episode that
/// counts as played but was stopped short of its end resumes where it stopped.
pub fn resume_point(summary: &EpisodeSummary, last_played_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f64 {
    if summary.position_secs <= 0.0 {
        return 0.0;
    }
    let long_pause = last_played_at.is_some_and(|at| (now - at).num_seconds() > LONG_PAUSE_SECS);
    let rewind = if long_pause { RESUME_REWIND_SECS } else { 0.0 };
    (summary.position_secs - rewind).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EpisodeId, PodcastId};

    fn summary(position_secs: f64, played: bool) -> EpisodeSummary {
        EpisodeSummary {
            id: EpisodeId(1),
            podcast_id: PodcastId(1),
            title: "t".into(),
            published: None,
            duration_secs: Some(3600),
            url: "https://x".into(),
            mime: None,
            position_secs,
            played,
            downloaded: false,
            path: None,
            episode_type: Default::default(),
        }
    }

    #[test]
    fn resume_where_stopped_earlier_after_a_long_pause_and_from_zero_once_finished() {
        let now = Utc::now();
        let recent = Some(now - chrono::TimeDelta::seconds(20));
        let long_ago = Some(now - chrono::TimeDelta::hours(3));
        assert_eq!(resume_point(&summary(754.0, false), recent, now), 754.0);
        assert_eq!(resume_point(&summary(754.0, false), long_ago, now), 751.0);
        assert_eq!(resume_point(&summary(0.0, true), recent, now), 0.0, "finished: from the start");
        assert_eq!(resume_point(&summary(3590.0, true), recent, now), 3590.0, "near the end but stopped");
        assert_eq!(resume_point(&summary(1.0, false), long_ago, now), 0.0);
    }

    #[test]
    fn played_means_within_thirty_seconds_of_the_end_or_a_tenth_of_short_ones() {
        assert!(counts_as_played(3575.0, Some(3600.0)));
        assert!(!counts_as_played(3560.0, Some(3600.0)));
        assert!(!counts_as_played(33.0, Some(60.0)), "a skip in a one-minute episode does not finish it");
        assert!(counts_as_played(55.0, Some(60.0)));
        assert!(!counts_as_played(10.0, None));
    }
}
