//! When an episode counts as played: the one rule, for the listening session (`listening::rules`
//! re-exports it) and for positions that arrive from another device (`sync`).

/// Closer than this to the end, an episode counts as played (a tenth of it for short ones,
/// so a skip in a two-minute trailer does not finish it).
pub const PLAYED_MARGIN_SECS: f64 = 30.0;

/// True when `position` is close enough to the end to count as heard.
pub fn counts_as_played(position: f64, duration: Option<f64>) -> bool {
    duration.is_some_and(|d| d > 0.0 && d - position <= PLAYED_MARGIN_SECS.min(d / 10.0))
}
