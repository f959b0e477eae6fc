//! Links to a moment of an episode: the page (or, without one, the enclosure) with a media
//! fragment (`#t=754`, or a span `#t=750,790`), as the Share menu, the transcript, bookmarks and
//! clips give them.

use super::Episode;

impl Episode {
    /// The episode's own link: its page, else its audio.
    pub fn share_link(&self) -> &str {
        self.link.as_deref().unwrap_or(&self.summary.url)
    }
}

/// `base` at `start` (whole seconds), or the span `start`–`end`; None when `base` is not an
/// http(s) address (a bundled file has no link worth sharing).
pub fn moment_link(base: &str, start: f64, end: Option<f64>) -> Option<String> {
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return None;
    }
    let base = base.split('#').next().unwrap_or(base);
    let secs = |t: f64| t.max(0.0) as u64;
    Some(match end {
        Some(end) => format!("{base}#t={},{}", secs(start), secs(end).max(secs(start))),
        None => format!("{base}#t={}", secs(start)),
    })
}

#[cfg(test)]
mod tests {
    use super::moment_link;

    #[test]
    fn a_moment_and_a_span_replace_any_fragment_and_only_web_links_get_one() {
        assert_eq!(moment_link("https://e.com/ep#old", 754.9, None).as_deref(), Some("https://e.com/ep#t=754"));
        assert_eq!(moment_link("https://e.com/ep", 750.0, Some(790.2)).as_deref(), Some("https://e.com/ep#t=750,790"));
        assert_eq!(moment_link("file:///demo.mp3", 1.0, None), None);
    }
}
