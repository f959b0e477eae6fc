//! The one timestamp grammar: `[[H…:]MM:]SS[.fff]`. Every place that reads a moment or a length
//! from text (a chapter file, a transcript cue, a link in the show notes, `hark play --from`, an
//! `itunes:duration`) parses it here, and differs only in what the table below says:
//!
//! | source            | fields | fraction after | a field after the first may reach 60+ |
//! |-------------------|--------|----------------|----------------------------------------|
//! | `Chapter`         | 1–3    | `.`            | no                                     |
//! | `Cue` (WebVTT, JSON) | 2–3 | `.` or `,`     | no                                     |
//! | `SubRip` (SRT)    | 2–3    | `.` or `,`     | yes (`00:00:90,740` is 1:30.740, as ffmpeg reads it) |
//! | `NotesLink`       | 2–3    | `.`            | no                                     |
//! | `Command` (`--from`) | 1–3 | `.`            | no                                     |
//! | `Duration` (`itunes:duration`) | 1–3 | `.` | yes (publishers write `1:75:00`)     |
//!
//! The first field may be any size ("75:30" is 75 minutes; a lone "94" is 94 seconds). Signs,
//! empty fields, spaces inside and more than three fields are refused everywhere. The value is
//! the decimal correctly rounded: it is summed in whole nanoseconds, which an f64 holds exactly
//! up to `MAX_SECS`, and divided once ("3723.25" and "01:02:03.250" give the same f64). Digits
//! past the nanosecond are dropped.

/// Where a timestamp was written, which decides how strictly it is read (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// A chapter's start or end in a chapters file, Podlove chapters or the show notes' list.
    Chapter,
    /// A transcript cue's start or end in WebVTT or a JSON transcript.
    Cue,
    /// A cue's start or end in SRT, which people write by hand.
    SubRip,
    /// A timestamp in the show notes that becomes a "play from here" link.
    NotesLink,
    /// A time the listener typed (`hark play --from`).
    Command,
    /// An episode's length as the feed states it.
    Duration,
}

struct Rules {
    min_fields: usize,
    fraction_marks: &'static [char],
    sixty_and_over: bool,
}

impl TimeSource {
    fn rules(self) -> Rules {
        let (min_fields, fraction_marks, sixty_and_over): (usize, &'static [char], bool) = match self {
            TimeSource::Chapter | TimeSource::Command => (1, &['.'], false),
            TimeSource::Cue => (2, &['.', ','], false),
            TimeSource::SubRip => (2, &['.', ','], true),
            TimeSource::NotesLink => (2, &['.'], false),
            TimeSource::Duration => (1, &['.'], true),
        };
        Rules { min_fields, fraction_marks, sixty_and_over }
    }
}

/// The largest time read (about 104 days): beyond it no episode goes, and up to it the whole time
/// in nanoseconds fits an f64 exactly.
pub const MAX_SECS: u64 = 9_000_000;

/// Reads a timestamp written at `source` as seconds, or None when it is not one there.
pub fn parse_time(text: &str, source: TimeSource) -> Option<f64> {
    let rules = source.rules();
    let text = text.trim();
    let (clock, fraction) = match text.find(rules.fraction_marks) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let fields: Vec<&str> = clock.split(':').collect();
    if fields.len() < rules.min_fields || fields.len() > 3 {
        return None;
    }
    let mut total = 0u64;
    for (place, field) in fields.iter().enumerate() {
        let value = match place {
            0 => digits(field, 9)?,
            _ if rules.sixty_and_over => digits(field, 3)?,
            _ => digits(field, 2).filter(|&value| value < 60)?,
        };
        total = total * 60 + value;
    }
    if total > MAX_SECS {
        return None;
    }
    let nanos = match fraction {
        Some(fraction) => fraction_nanos(fraction)?,
        None => 0,
    };
    Some((total * 1_000_000_000 + nanos) as f64 / 1e9)
}

/// A field of 1 to `max_len` ASCII digits.
fn digits(field: &str, max_len: usize) -> Option<u64> {
    let ok = !field.is_empty() && field.len() <= max_len && field.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| field.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0')))
}

/// The digits after the fraction mark as nanoseconds (`5` is half a second).
fn fraction_nanos(fraction: &str) -> Option<u64> {
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = fraction
        .bytes()
        .take(9)
        .enumerate()
        .map(|(place, digit)| u64::from(digit - b'0') * 10u64.pow(8 - place as u32));
    Some(nanos.sum())
}

#[cfg(test)]
mod tests {
    use super::TimeSource::*;
    use super::*;

    #[test]
    fn the_same_text_means_the_same_second_everywhere_it_is_read() {
        for source in [Chapter, Cue, SubRip, NotesLink, Command, Duration] {
            assert_eq!(parse_time("1:02:03.5", source), Some(3723.5), "{source:?}");
            assert_eq!(parse_time("01:02:03.250", source), Some(3723.25), "{source:?}");
            assert_eq!(parse_time("61:08", source), Some(3668.0), "{source:?}");
            assert_eq!(parse_time(" 00:45 ", source), Some(45.0), "{source:?}");
        }
    }

    #[test]
    fn fractions_are_decimal_and_rounded_once() {
        assert_eq!(parse_time("3723.25", Chapter), Some(3723.25));
        assert_eq!(parse_time("00:00:01.5", Cue), Some(1.5));
        assert_eq!(parse_time("00:00:01.50", Cue), Some(1.5));
        assert_eq!(parse_time("00:00:01.1234", Cue), Some(1.1234));
        assert_eq!(parse_time("0.1", Chapter), Some(0.1));
    }

    #[test]
    fn each_source_keeps_its_own_strictness() {
        // A lone number is a time in a chapters file, a command and a duration; not in a cue or
        // in running text.
        assert_eq!(parse_time("94", Chapter), Some(94.0));
        assert_eq!(parse_time("94", Command), Some(94.0));
        assert_eq!(parse_time("3723", Duration), Some(3723.0));
        assert_eq!(parse_time("94", Cue), None);
        assert_eq!(parse_time("94", NotesLink), None);
        // A comma before the fraction only in subtitles.
        assert_eq!(parse_time("00:01:02,345", Cue), Some(62.345));
        assert_eq!(parse_time("00:01:02,345", Chapter), None);
        // Seconds past 59: read on as ffmpeg does in cues and durations, refused elsewhere.
        assert_eq!(parse_time("00:00:90,740", SubRip), Some(90.74));
        assert_eq!(parse_time("00:00:90,740", Cue), None, "WebVTT says seconds are 00-59");
        assert_eq!(parse_time("1:75:00", Duration), Some(3600.0 + 75.0 * 60.0));
        assert_eq!(parse_time("00:00:90", Chapter), None);
        assert_eq!(parse_time("12:60", NotesLink), None);
        assert_eq!(parse_time("1:60:00", Command), None);
    }

    #[test]
    fn what_is_not_a_time_is_refused_everywhere() {
        for source in [Chapter, Cue, SubRip, NotesLink, Command, Duration] {
            for bad in [
                "",
                " ",
                "-1",
                "+5",
                "1:2:3:4",
                "1::2",
                ":30",
                "12:",
                "1.",
                ".5",
                "1e3",
                "１２",
                "a:b",
                "1 :02",
                "https://x/1:00",
            ] {
                assert_eq!(parse_time(bad, source), None, "{bad:?} at {source:?}");
            }
        }
        assert_eq!(parse_time("9000001", Chapter), None, "beyond MAX_SECS");
        assert_eq!(parse_time("2500:00:00", Chapter), Some(9_000_000.0));
        assert_eq!(parse_time("9999999999", Chapter), None, "too many digits");
    }

    #[test]
    fn chapter_timestamps_in_every_form() {
        assert_eq!(parse_time("01:02:03.250", Chapter), Some(3723.25));
        assert_eq!(parse_time("00:01:02.5", Chapter), Some(62.5));
        assert_eq!(parse_time("01:02:03", Chapter), Some(3723.0));
        assert_eq!(parse_time("1:02:03", Chapter), Some(3723.0));
        assert_eq!(parse_time("12:34", Chapter), Some(754.0));
        assert_eq!(parse_time("75:30", Chapter), Some(4530.0));
        assert_eq!(parse_time("42", Chapter), Some(42.0));
        assert_eq!(parse_time("94.5", Chapter), Some(94.5));
        assert_eq!(parse_time(" 00:00:00.000 ", Chapter), Some(0.0));
        assert_eq!(parse_time("00:00:01.123456789999", Chapter), Some(1.123456789));
        // The same f64 as the decimal written out, not an accumulated sum.
        assert_eq!(parse_time("00:59:59.1", Chapter), Some("3599.1".parse().unwrap()));
        for bad in
            ["", ":", "1:", ":30", "1:60", "1:02:60", "1:2:3:4", "-5", "+5", "1.2.3", "1:02.", "ab", "1: 02", "1e3"]
        {
            assert_eq!(parse_time(bad, Chapter), None, "{bad:?}");
        }
        // Longer than any episode (and past exact nanoseconds).
        assert_eq!(parse_time("9999:00:00", Chapter), None);
        assert_eq!(parse_time("99999999999999999999", Chapter), None);
    }
}
