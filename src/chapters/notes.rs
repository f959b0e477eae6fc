//! Chapters written into the show notes as timestamps, the last resort when an episode has no
//! chapters of its own: "00:00 Intro", "(12:34) News", "[1:02:03] Mailbag", "12:34 – Title",
//! "Title - 12:34", "• 05:00–12:00 Interview".
//!
//! A notes text mentions times for other reasons ("at 12:34 he says…"), so a list is only believed
//! when it looks like one: at least `MIN_NOTES_CHAPTERS` lines with a timestamp at their start or
//! end, and their times strictly increasing.

use std::sync::LazyLock;

use regex::Regex;

use super::{Chapter, ChapterSource, MAX_CHAPTERS, clean_title};
use crate::model::time::{TimeSource, parse_time};

/// Fewer timestamped lines than this are mentions, not a chapter list.
const MIN_NOTES_CHAPTERS: usize = 3;

/// "12:34", "1:02:03", "123:45", with an optional fraction; `parse_time` then checks that the
/// minutes and seconds are below 60.
const TIMESTAMP: &str = r"\d{1,3}(?::\d{2}){1,2}(?:\.\d+)?";

/// A line that starts with a timestamp: an optional bullet, the time (maybe in brackets, maybe a
/// range "05:00 - 12:00"), then the end of the line or a separator (spaces, a dash, colon or bar)
/// before the title. "12:34abc" and "12:34." are not a start.
static LEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:[-*•·]\s*)?[(\[]?({TIMESTAMP})(?:\s*[-–—]\s*({TIMESTAMP}))?[)\]]?(?:$|\s*[-–—:|]\s*|\s+)(.*)$"
    ))
    .unwrap()
});

/// A line that ends with a timestamp: the title, then a separator (spaces, dash, colon or bar) or an
/// opening bracket, the time, and nothing after it but a closing bracket. "Room101 12:34" counts,
/// "abc12:34" and "…at 12:34." do not.
static TRAILING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*(?:[-*•·]\s+)?(.*?\S)(?:(?:\s*[-–—:|]\s*|\s+)[(\[]?|\s*[(\[])({TIMESTAMP})[)\]]?\s*$"))
        .unwrap()
});

/// The chapter list written in `plain_text` (the notes as text, one paragraph or list item a
/// line), or empty when it does not look like one (see the module comment). A range gives the
/// chapter its end; a line with only a timestamp gives a chapter without a title.
pub fn from_notes(plain_text: &str) -> Vec<Chapter> {
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut latest_start = None;
    for line in plain_text.lines() {
        let Some((start_secs, end_secs, title)) = timestamped(line) else {
            continue;
        };
        // The whole list must increase, also past the cut, or none of it is believed.
        if latest_start.is_some_and(|latest| latest >= start_secs) {
            return Vec::new();
        }
        latest_start = Some(start_secs);
        if chapters.len() == MAX_CHAPTERS {
            continue;
        }
        chapters.push(Chapter {
            start_secs,
            end_secs,
            title: clean_title(title),
            url: None,
            image: None,
            listed: true,
            source: ChapterSource::Notes,
        });
    }
    if chapters.len() < MIN_NOTES_CHAPTERS {
        return Vec::new();
    }
    chapters
}

/// The start, the end of a range, and the title of a line with a timestamp at its start (which
/// wins) or end.
fn timestamped(line: &str) -> Option<(f64, Option<f64>, &str)> {
    if let Some(found) = LEADING.captures(line)
        && let Some(start) = parse_time(&found[1], TimeSource::Chapter)
    {
        let end = found.get(2).and_then(|end| parse_time(end.as_str(), TimeSource::Chapter)).filter(|&end| end > start);
        return Some((start, end, found.get(3).map_or("", |title| title.as_str())));
    }
    let found = TRAILING.captures(line)?;
    Some((parse_time(&found[2], TimeSource::Chapter)?, None, found.get(1)?.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts_and_titles(chapters: &[Chapter]) -> Vec<(f64, &str)> {
        chapters.iter().map(|c| (c.start_secs, c.title.as_str())).collect()
    }

    #[test]
    fn leading_timestamps_in_every_dress() {
        let notes = "In this episode we talk about chapters.\n\
                     00:00 Intro\n\
                     05:12 – News\n\
                     (1:02:03) Mailbag\n\
                     Thanks for listening!";
        let chapters = from_notes(notes);
        assert_eq!(starts_and_titles(&chapters), [(0.0, "Intro"), (312.0, "News"), (3723.0, "Mailbag")]);
        assert!(chapters.iter().all(|c| c.source == ChapterSource::Notes && c.listed && c.end_secs.is_none()));

        let notes = "[00:00:00] Cold open\n\
                     - 00:45 - Headlines\n\
                     • 12:34: The story | part one\n\
                     20:00 -\n\
                     [1:02:03]\n\
                     1:10:00.5 Outro";
        assert_eq!(
            starts_and_titles(&from_notes(notes)),
            [
                (0.0, "Cold open"),
                (45.0, "Headlines"),
                (754.0, "The story | part one"),
                (1200.0, ""),
                (3723.0, ""),
                (4200.5, "Outro")
            ]
        );
    }

    #[test]
    fn trailing_timestamps() {
        let notes = "Intro - 00:00\nThe news 12:34\nListener mail (45:10)\nGoodbye: 1:02:03\nCredits [1:05:00]";
        assert_eq!(
            starts_and_titles(&from_notes(notes)),
            [(0.0, "Intro"), (754.0, "The news"), (2710.0, "Listener mail"), (3723.0, "Goodbye"), (3900.0, "Credits")]
        );
    }

    #[test]
    fn ranges_give_an_end() {
        let notes = "00:00 - 05:00 Intro\n05:00–12:00 Interview\n12:00 Outro";
        let chapters = from_notes(notes);
        assert_eq!(starts_and_titles(&chapters), [(0.0, "Intro"), (300.0, "Interview"), (720.0, "Outro")]);
        let ends: Vec<Option<f64>> = chapters.iter().map(|c| c.end_secs).collect();
        assert_eq!(ends, [Some(300.0), Some(720.0), None]);
    }

    #[test]
    fn mentions_are_not_a_list() {
        assert!(from_notes("We get to the good part at 12:34, promise.\nMore at example.com").is_empty());
        assert!(from_notes("00:00 Intro\n05:00 News").is_empty());
        assert!(from_notes("").is_empty());
        // Not strictly increasing: decreasing, or a repeat.
        assert!(from_notes("10:00 C\n05:00 B\n00:00 A").is_empty());
        assert!(from_notes("00:00 A\n05:00 B\n03:00 C\n09:00 D").is_empty());
        assert!(from_notes("00:00 A\n05:00 B\n05:00 C").is_empty());
        // Not timestamps: glued to words, a sentence's full stop, seconds past 59, ratios.
        assert!(from_notes("abc00:00 A\nb01:00\nc02:00").is_empty());
        assert!(from_notes("We met at 10:00.\nLunch was at 12:30.\nHome by 18:00.").is_empty());
        assert!(from_notes("00:61 A\n01:75 B\n02:99 C").is_empty());
        assert!(from_notes("ratio 16:9 here\nand 4:3 there\nor 21:9 too").is_empty());
    }

    #[test]
    fn a_line_with_a_timestamp_at_both_ends_is_read_from_the_start() {
        let notes = "00:00 Intro, replayed at 59:00\n10:00 Middle\n59:00 End";
        assert_eq!(
            starts_and_titles(&from_notes(notes)),
            [(0.0, "Intro, replayed at 59:00"), (600.0, "Middle"), (3540.0, "End")]
        );
    }

    #[test]
    fn more_than_the_limit_is_cut() {
        let lines = |count: usize| -> String {
            (0..count).map(|i| format!("{}:{:02}:{:02} c\n", i / 3600, i / 60 % 60, i % 60)).collect()
        };
        let chapters = from_notes(&lines(MAX_CHAPTERS + 100));
        assert_eq!(chapters.len(), MAX_CHAPTERS);
        assert_eq!(chapters.last().unwrap().start_secs, (MAX_CHAPTERS - 1) as f64);
        // A time going back after the cut still means this is no list.
        assert!(from_notes(&(lines(MAX_CHAPTERS + 100) + "0:00:01 back\n")).is_empty());
    }
}
