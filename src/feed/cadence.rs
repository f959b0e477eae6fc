//! How often a feed says it changes: RSS's syndication module (`sy:updatePeriod` and
//! `sy:updateFrequency`) and Podcasting 2.0's `podcast:updateFrequency rrule="…"`. Hark uses it
//! only to refresh a show less often than the listener's interval, never more.

/// The length of one of the syndication module's periods, in seconds.
fn period_secs(period: &str) -> Option<u64> {
    match period.trim().to_ascii_lowercase().as_str() {
        "hourly" => Some(3600),
        "daily" => Some(86_400),
        "weekly" => Some(7 * 86_400),
        "monthly" => Some(30 * 86_400),
        "yearly" => Some(365 * 86_400),
        _ => None,
    }
}

/// `sy:updatePeriod` with `sy:updateFrequency` (times per period, 1 when absent).
pub(super) fn syndication(period: &str, frequency: Option<&str>) -> Option<u64> {
    let times: u64 = match frequency {
        Some(text) => text.trim().parse().ok().filter(|n| *n > 0)?,
        None => 1,
    };
    Some(period_secs(period)? / times)
}

/// An iCalendar RRULE's FREQ and INTERVAL (`FREQ=WEEKLY;INTERVAL=2`); the rest (BYDAY, COUNT…)
/// does not change how often the feed is worth a look.
pub(super) fn rrule(rule: &str) -> Option<u64> {
    let mut every = None;
    let mut interval = 1u64;
    for part in rule.split(';') {
        let (key, value) = part.split_once('=')?;
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => {
                every = match value.trim().to_ascii_uppercase().as_str() {
                    "HOURLY" => Some(3600),
                    "DAILY" => Some(86_400),
                    "WEEKLY" => Some(7 * 86_400),
                    "MONTHLY" => Some(30 * 86_400),
                    "YEARLY" => Some(365 * 86_400),
                    _ => None,
                }
            }
            "INTERVAL" => interval = value.trim().parse().ok().filter(|n| *n > 0).unwrap_or(1),
            _ => {}
        }
    }
    every.map(|secs: u64| secs.saturating_mul(interval))
}

#[cfg(test)]
mod tests {
    use super::{rrule, syndication};

    #[test]
    fn periods_and_rules_are_read_as_seconds_between_changes() {
        assert_eq!(syndication("daily", None), Some(86_400));
        assert_eq!(syndication(" Hourly ", Some("2")), Some(1800));
        assert_eq!(syndication("weekly", Some("0")), None, "nonsense is ignored");
        assert_eq!(syndication("fortnightly", None), None);
        assert_eq!(rrule("FREQ=WEEKLY"), Some(7 * 86_400));
        assert_eq!(rrule("FREQ=DAILY;INTERVAL=3;BYHOUR=6"), Some(3 * 86_400));
        assert_eq!(rrule("BYDAY=MO"), None);
        assert_eq!(rrule("garbage"), None);
    }
}
