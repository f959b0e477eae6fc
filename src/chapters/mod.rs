//! Chapters: the marks inside an episode, from wherever the episode offers them (a Podcasting 2.0
//! JSON file, the audio's own ID3 or MP4 chapters, the feed's Podlove Simple Chapters, or
//! timestamps written into the show notes), merged into one list, and the arithmetic the player
//! needs on it (what plays now, where "next" and "previous" go, where a skipped chapter ends).
//!
//! Everything here is pure: bytes and strings in, values out. Fetching the JSON file and reading
//! the audio's tags happen elsewhere.
//!
//! Every list this module returns is sorted by start, with finite, non-negative starts and at
//! most `MAX_CHAPTERS` entries; the navigation functions rely on that.

mod json;
mod merge;
mod notes;
mod psc;

pub use json::parse_json;
pub use merge::merge;
pub use notes::from_notes;
pub use psc::from_psc;

use std::collections::HashSet;

pub use crate::model::{Chapter, ChapterSource};

/// A source with more chapters is cut here (after sorting): no episode needs more, and a hostile
/// file gets no more memory or drawing time.
pub const MAX_CHAPTERS: usize = 5_000;
/// A JSON chapters file larger than this is refused unread.
pub const MAX_CHAPTERS_JSON_BYTES: usize = 4 * 1024 * 1024;
/// Longer titles are cut: a title is a line in a list, not an essay.
pub const MAX_TITLE_CHARS: usize = 500;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ChaptersError {
    #[error("the chapters file is too large ({bytes} bytes; at most 4 MB is read)")]
    TooLarge { bytes: usize },
    #[error("this is not a chapters file ({0})")]
    Malformed(String),
    #[error("the chapters file lists no chapters")]
    Empty,
}

/// Fills every `end_secs`: a chapter ends where the next one (listed or not) starts, so the ends
/// agree with `current`; an end the source gave is replaced, since players show a chapter until
/// the next begins. The last ends at `duration` when it is known, else keeps the end its source
/// gave (or none). Expects the sorted lists this module returns; an end never comes before its
/// chapter's start.
pub fn with_ends(mut chapters: Vec<Chapter>, duration: Option<f64>) -> Vec<Chapter> {
    let duration = duration.filter(|d| d.is_finite() && *d >= 0.0);
    let count = chapters.len();
    for i in 0..count {
        let start = chapters[i].start_secs;
        let end = if i + 1 < count { Some(chapters[i + 1].start_secs) } else { duration.or(chapters[i].end_secs) };
        chapters[i].end_secs = end.map(|end| end.max(start));
    }
    chapters
}

/// The chapter playing at `secs`: the last one starting at or before it, listed or not (an
/// unlisted chapter still changes the art and title shown while it plays).
pub fn current(chapters: &[Chapter], secs: f64) -> Option<usize> {
    chapters.partition_point(|chapter| chapter.start_secs <= secs).checked_sub(1)
}

/// Where "next chapter" goes from `secs`: the start of the first listed chapter starting more than
/// half a second later (so pressing "next" right after a jump does not land on the same mark).
pub fn next_start(chapters: &[Chapter], secs: f64) -> Option<f64> {
    let after = chapters.partition_point(|chapter| chapter.start_secs <= secs + 0.5);
    chapters[after..].iter().find(|chapter| chapter.listed).map(|chapter| chapter.start_secs)
}

/// Within this many seconds of a chapter's start, "previous" goes to the chapter before instead of
/// back to this one's start, as in every player.
pub const PREVIOUS_GRACE_SECS: f64 = 3.0;

/// Where "previous chapter" goes: the start of the listed chapter playing at `secs`, or of the
/// listed one before it when `secs` is within `PREVIOUS_GRACE_SECS` of the current one's start.
/// In the first listed chapter that is its own start again; before any listed chapter, None.
pub fn previous_start(chapters: &[Chapter], secs: f64) -> Option<f64> {
    let upto = current(chapters, secs)? + 1;
    let mut listed_before = chapters[..upto].iter().rev().filter(|chapter| chapter.listed);
    let playing = listed_before.next()?;
    if secs - playing.start_secs >= PREVIOUS_GRACE_SECS {
        return Some(playing.start_secs);
    }
    Some(listed_before.next().unwrap_or(playing).start_secs)
}

/// Where to jump when `secs` is inside a skipped chapter: the end of the run of consecutive
/// skipped chapters it is in, i.e. the start of the next chapter that is not skipped, or the end
/// of the last chapter (after `with_ends`: the duration) when the run reaches the end; None when
/// `secs` is not in a skipped chapter, or the run reaches an unknown end.
///
/// `skipped` is by chapter index (missing entries are not skipped). The listener only sees, and so
/// only marks, listed chapters: an unlisted chapter is skipped with the listed chapter it falls
/// in, so a silent marker inside an ad break does not stop the skip.
pub fn skip_target(chapters: &[Chapter], skipped: &[bool], secs: f64) -> Option<f64> {
    let marked = |i: usize| skipped.get(i).copied().unwrap_or(false);
    let playing = current(chapters, secs)?;
    // The listed chapter whose mark counts for `playing` (itself when listed).
    let owner = (0..=playing).rev().find(|&i| chapters[i].listed).unwrap_or(playing);
    if !marked(owner) {
        return None;
    }
    let mut next = playing + 1;
    while next < chapters.len() && (!chapters[next].listed || marked(next)) {
        next += 1;
    }
    let target = match chapters.get(next) {
        Some(chapter) => chapter.start_secs,
        None => chapters.last()?.end_secs?,
    };
    // A target behind us (an end shorter than the chapter list) would loop the player.
    (target > secs).then_some(target)
}

/// A title as shown: control characters gone (line breaks and tabs become spaces), runs of
/// whitespace collapsed, trimmed, at most `MAX_TITLE_CHARS` characters.
fn clean_title(raw: &str) -> String {
    let mut title = String::with_capacity(raw.len().min(MAX_TITLE_CHARS));
    let mut chars = 0;
    let mut pending_space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            pending_space = !title.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if pending_space {
            if chars + 1 >= MAX_TITLE_CHARS {
                break;
            }
            title.push(' ');
            chars += 1;
            pending_space = false;
        }
        if chars >= MAX_TITLE_CHARS {
            break;
        }
        title.push(c);
        chars += 1;
    }
    title
}

/// A link or image address as kept: resolved against the document it came from, and only if it
/// is http(s) (no `javascript:`, `file:` or `data:` from a feed).
fn web_address(raw: &str, base: &url::Url) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let resolved = base.join(raw).ok()?;
    matches!(resolved.scheme(), "http" | "https").then(|| resolved.into())
}

/// The common finish of every source: sorted by start (stable, so equal starts keep the source's
/// order), the same start and title only once, and cut at `MAX_CHAPTERS`.
fn tidy(mut chapters: Vec<Chapter>) -> Vec<Chapter> {
    chapters.sort_by(|a, b| a.start_secs.total_cmp(&b.start_secs));
    let mut seen = HashSet::with_capacity(chapters.len().min(MAX_CHAPTERS));
    let mut keep = Vec::with_capacity(chapters.len());
    for chapter in &chapters {
        keep.push(seen.len() < MAX_CHAPTERS && seen.insert((chapter.start_secs.to_bits(), chapter.title.as_str())));
    }
    drop(seen);
    let mut keep = keep.into_iter();
    chapters.retain(|_| keep.next().unwrap_or(false));
    chapters
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listed chapter from a source with nothing but a start and a title.
    fn chapter(start_secs: f64, title: &str, source: ChapterSource) -> Chapter {
        Chapter { start_secs, end_secs: None, title: title.into(), url: None, image: None, listed: true, source }
    }

    fn unlisted(start_secs: f64) -> Chapter {
        Chapter { listed: false, ..chapter(start_secs, "", ChapterSource::Json) }
    }

    /// Listed chapters at these starts.
    fn at(starts: &[f64]) -> Vec<Chapter> {
        starts.iter().map(|&start| chapter(start, &format!("at {start}"), ChapterSource::Json)).collect()
    }

    #[test]
    fn source_names_round_trip_in_priority_order() {
        for source in ChapterSource::ALL {
            assert_eq!(ChapterSource::parse(source.as_str()), Some(source));
            assert_eq!(serde_json::to_string(&source).unwrap(), format!("\"{}\"", source.as_str()));
        }
        assert_eq!(ChapterSource::parse(" ID3 "), Some(ChapterSource::Id3));
        assert_eq!(ChapterSource::parse("vorbis"), None);
        let mut sorted = ChapterSource::ALL;
        sorted.sort();
        assert_eq!(sorted, ChapterSource::ALL);
        assert!(ChapterSource::Json < ChapterSource::Notes);
    }

    #[test]
    fn chapters_round_trip_through_json() {
        // The library stores fetched and read lists this way.
        let chapters = vec![
            Chapter {
                end_secs: Some(61.5),
                url: Some("https://example.com/a".into()),
                image: Some("https://example.com/a.jpg".into()),
                ..chapter(0.0, "Intro", ChapterSource::Id3)
            },
            unlisted(61.5),
        ];
        let json = serde_json::to_string(&chapters).unwrap();
        assert!(json.contains(r#""source":"id3""#) && json.contains(r#""listed":false"#), "{json}");
        assert_eq!(serde_json::from_str::<Vec<Chapter>>(&json).unwrap(), chapters);
    }

    #[test]
    fn titles_are_cleaned_and_capped() {
        assert_eq!(clean_title("  Intro\n\tand\u{0}  news \u{7f} "), "Intro and news");
        assert_eq!(clean_title(&"é".repeat(600)).chars().count(), MAX_TITLE_CHARS);
        let words = clean_title(&"ab ".repeat(400));
        assert!(words.chars().count() <= MAX_TITLE_CHARS && !words.ends_with(' '), "{words:?}");
    }

    #[test]
    fn addresses_are_resolved_and_only_web() {
        let base = url::Url::parse("https://example.com/show/ep1/chapters.json").unwrap();
        assert_eq!(web_address("art/1.jpg", &base).as_deref(), Some("https://example.com/show/ep1/art/1.jpg"));
        assert_eq!(web_address("/a.png", &base).as_deref(), Some("https://example.com/a.png"));
        assert_eq!(web_address("//cdn.example.org/x", &base).as_deref(), Some("https://cdn.example.org/x"));
        assert_eq!(web_address(" http://a.example/ ", &base).as_deref(), Some("http://a.example/"));
        for bad in ["", "  ", "javascript:alert(1)", "file:///etc/passwd", "data:image/png;base64,AAAA", "mailto:a@b"] {
            assert_eq!(web_address(bad, &base), None, "{bad:?}");
        }
    }

    #[test]
    fn ends_come_from_the_next_start_and_the_duration() {
        let mut chapters = at(&[0.0, 60.0, 120.0]);
        chapters.insert(2, unlisted(90.0));
        chapters[0].end_secs = Some(30.0); // a source's end is replaced by the next start
        let ends = |chapters: &[Chapter]| chapters.iter().map(|c| c.end_secs).collect::<Vec<_>>();
        let filled = with_ends(chapters.clone(), Some(300.0));
        assert_eq!(ends(&filled), [Some(60.0), Some(90.0), Some(120.0), Some(300.0)]);
        assert_eq!(ends(&with_ends(chapters.clone(), None)), [Some(60.0), Some(90.0), Some(120.0), None]);
        assert_eq!(ends(&with_ends(chapters.clone(), Some(f64::NAN))).last(), Some(&None));
        // Without a duration the last keeps its source's end; a duration short of the last start
        // ends it where it starts.
        chapters[3].end_secs = Some(200.0);
        assert_eq!(ends(&with_ends(chapters.clone(), None)).last(), Some(&Some(200.0)));
        assert_eq!(ends(&with_ends(chapters, Some(100.0))).last(), Some(&Some(120.0)));
        assert!(with_ends(Vec::new(), Some(10.0)).is_empty());
    }

    #[test]
    fn current_includes_unlisted_chapters() {
        let mut chapters = at(&[10.0, 60.0, 120.0]);
        chapters.insert(2, unlisted(90.0));
        assert_eq!(current(&chapters, 0.0), None);
        assert_eq!(current(&chapters, 9.99), None);
        assert_eq!(current(&chapters, 10.0), Some(0));
        assert_eq!(current(&chapters, 59.0), Some(0));
        assert_eq!(current(&chapters, 60.0), Some(1));
        assert_eq!(current(&chapters, 95.0), Some(2));
        assert_eq!(current(&chapters, 1e9), Some(3));
        assert_eq!(current(&chapters, f64::NAN), None);
        assert_eq!(current(&[], 5.0), None);
    }

    #[test]
    fn next_skips_unlisted_and_the_half_second_after_a_jump() {
        let mut chapters = at(&[0.0, 60.0, 120.0]);
        chapters.insert(2, unlisted(90.0));
        assert_eq!(next_start(&chapters, 0.0), Some(60.0));
        assert_eq!(next_start(&chapters, 59.4), Some(60.0));
        assert_eq!(next_start(&chapters, 59.6), Some(120.0)); // just jumped to 60: go on
        assert_eq!(next_start(&chapters, 70.0), Some(120.0)); // not to the unlisted 90
        assert_eq!(next_start(&chapters, 120.0), None);
        assert_eq!(next_start(&[], 0.0), None);
    }

    #[test]
    fn previous_goes_back_to_the_start_or_past_it_within_three_seconds() {
        let mut chapters = at(&[10.0, 60.0, 120.0]);
        chapters.insert(2, unlisted(90.0));
        assert_eq!(previous_start(&chapters, 75.0), Some(60.0));
        assert_eq!(previous_start(&chapters, 63.0), Some(60.0)); // 3 s in: this chapter's start
        assert_eq!(previous_start(&chapters, 62.9), Some(10.0)); // within 3 s: the one before
        assert_eq!(previous_start(&chapters, 60.0), Some(10.0));
        assert_eq!(previous_start(&chapters, 95.0), Some(60.0)); // the unlisted 90 is not a stop
        assert_eq!(previous_start(&chapters, 121.0), Some(60.0));
        assert_eq!(previous_start(&chapters, 11.0), Some(10.0)); // first chapter: its start again
        assert_eq!(previous_start(&chapters, 5.0), None);
        assert_eq!(previous_start(&[unlisted(0.0)], 50.0), None);
    }

    #[test]
    fn skipping_a_chapter_a_run_and_the_end() {
        let chapters = with_ends(at(&[0.0, 60.0, 120.0, 180.0]), Some(240.0));
        let no_end = with_ends(at(&[0.0, 60.0, 120.0, 180.0]), None);
        // A single skipped chapter: to the next one's start.
        assert_eq!(skip_target(&chapters, &[false, true, false, false], 61.0), Some(120.0));
        assert_eq!(skip_target(&chapters, &[false, true, false, false], 60.0), Some(120.0));
        assert_eq!(skip_target(&chapters, &[false, true, false, false], 30.0), None);
        assert_eq!(skip_target(&chapters, &[false, true, false, false], 130.0), None);
        // A run of consecutive skipped chapters: past all of it.
        assert_eq!(skip_target(&chapters, &[true, true, true, false], 5.0), Some(180.0));
        assert_eq!(skip_target(&chapters, &[true, true, true, false], 130.0), Some(180.0));
        // The last chapter (or a run reaching it): to the end when known.
        assert_eq!(skip_target(&chapters, &[false, false, false, true], 200.0), Some(240.0));
        assert_eq!(skip_target(&chapters, &[false, false, true, true], 130.0), Some(240.0));
        assert_eq!(skip_target(&no_end, &[false, false, false, true], 200.0), None);
        assert_eq!(skip_target(&no_end, &[false, false, true, true], 130.0), None);
        // Before the first chapter, a short mark list, nothing marked.
        assert_eq!(skip_target(&with_ends(at(&[10.0, 20.0]), None), &[true, true], 5.0), None);
        assert_eq!(skip_target(&chapters, &[false, true], 130.0), None);
        assert_eq!(skip_target(&chapters, &[], 61.0), None);
        // A duration shorter than where we are never sends us back.
        assert_eq!(skip_target(&with_ends(at(&[0.0, 60.0]), Some(50.0)), &[false, true], 70.0), None);
    }

    #[test]
    fn an_unlisted_marker_inside_a_skipped_chapter_is_skipped_with_it() {
        let mut chapters = at(&[0.0, 60.0, 120.0]);
        chapters.insert(2, unlisted(90.0)); // new art halfway through the ad at 60
        let chapters = with_ends(chapters, Some(200.0));
        let skipped = [false, true, false, false];
        assert_eq!(skip_target(&chapters, &skipped, 70.0), Some(120.0));
        assert_eq!(skip_target(&chapters, &skipped, 95.0), Some(120.0));
        assert_eq!(skip_target(&chapters, &[false, false, false, true], 95.0), None);
    }

    #[test]
    fn tidy_sorts_stably_drops_repeats_and_cuts() {
        let chapters = vec![
            chapter(30.0, "C", ChapterSource::Psc),
            chapter(10.0, "A", ChapterSource::Psc),
            chapter(10.0, "B", ChapterSource::Psc),
            chapter(10.0, "A", ChapterSource::Psc),
            chapter(30.0, "C", ChapterSource::Psc),
        ];
        let titles: Vec<String> = tidy(chapters).into_iter().map(|c| c.title).collect();
        assert_eq!(titles, ["A", "B", "C"]);
        let many = (0..MAX_CHAPTERS + 10).rev().map(|i| chapter(i as f64, "x", ChapterSource::Id3)).collect();
        let cut = tidy(many);
        assert_eq!(cut.len(), MAX_CHAPTERS);
        assert_eq!(cut.last().unwrap().start_secs, (MAX_CHAPTERS - 1) as f64);
    }
}
