//! Podcasting 2.0 JSON chapters
//! (https://github.com/Podcastindex-org/podcast-namespace/blob/main/chapters/jsonChapters.md).
//!
//! Read leniently, entry by entry: one bad chapter (a start that is negative, not a number, or
//! too large for an f64) drops that chapter, never the file. Only a file that is not JSON, or
//! has no `chapters` array, is refused.

use serde_json::Value;

use crate::model::time::{MAX_SECS, TimeSource, parse_time};

use super::{Chapter, ChapterSource, ChaptersError, MAX_CHAPTERS_JSON_BYTES, clean_title, tidy, web_address};

/// Reads a chapters file fetched from `base` (relative `img` and `url` are resolved against it).
///
/// Unknown fields are ignored; entries whose `startTime` is missing, negative or not finite are
/// dropped (a numeric string such as `"94.5"` or `"1:34"` is read as a time); titles are cleaned
/// and capped; `img` and `url` are kept only if http(s); `toc: false` makes a chapter unlisted;
/// `endTime` is kept when it is finite and not before the start. The result is sorted by start
/// (stable), a repeated start + title is dropped, and more than `MAX_CHAPTERS` are cut.
pub fn parse_json(bytes: &[u8], base: &url::Url) -> Result<Vec<Chapter>, ChaptersError> {
    if bytes.len() > MAX_CHAPTERS_JSON_BYTES {
        return Err(ChaptersError::TooLarge { bytes: bytes.len() });
    }
    let document = crate::json::read_lenient(bytes).map_err(|e| ChaptersError::Malformed(e.to_string()))?;
    let entries = match document.get("chapters") {
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(ChaptersError::Malformed("\"chapters\" is not a list".into())),
        None => return Err(ChaptersError::Malformed("no \"chapters\" list".into())),
    };
    let chapters: Vec<Chapter> = entries.iter().filter_map(|entry| chapter(entry, base)).collect();
    let chapters = tidy(chapters);
    if chapters.is_empty() {
        return Err(ChaptersError::Empty);
    }
    Ok(chapters)
}

/// One entry of the `chapters` list, or None when it has no usable start.
fn chapter(entry: &Value, base: &url::Url) -> Option<Chapter> {
    let start_secs = seconds(entry.get("startTime")?)?;
    let end_secs = entry.get("endTime").and_then(seconds).filter(|&end| end >= start_secs);
    let title = match entry.get("title") {
        Some(Value::String(title)) => clean_title(title),
        // Some generators write numbered chapters as numbers.
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    let address = |key: &str| entry.get(key).and_then(Value::as_str).and_then(|raw| web_address(raw, base));
    // Only an explicit false hides a chapter; the spec says absent or true is listed.
    let hidden = match entry.get("toc") {
        Some(Value::Bool(toc)) => !toc,
        Some(Value::String(toc)) => toc.trim().eq_ignore_ascii_case("false"),
        _ => false,
    };
    Some(Chapter {
        start_secs,
        end_secs,
        title,
        url: address("url"),
        image: address("img"),
        listed: !hidden,
        source: ChapterSource::Json,
    })
}

/// A time in seconds: a finite, non-negative number, or a string that reads as one.
fn seconds(value: &Value) -> Option<f64> {
    let secs = match value {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => parse_time(text, TimeSource::Chapter)?,
        _ => return None,
    };
    // `+ 0.0` turns -0.0 into 0.0, so no start prints as "-0".
    // Past `MAX_SECS` a number is no time, as a written timestamp past it is none.
    (secs.is_finite() && secs >= 0.0 && secs <= MAX_SECS as f64).then_some(secs + 0.0)
}

#[cfg(test)]
mod tests {
    use super::super::MAX_CHAPTERS;
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("https://example.com/ep7/chapters.json").unwrap()
    }

    fn starts(chapters: &[Chapter]) -> Vec<f64> {
        chapters.iter().map(|c| c.start_secs).collect()
    }

    /// The "more complex example" of the spec, verbatim.
    const SPEC_EXAMPLE: &str = r#"{
    "version": "1.2.0",
    "author": "John Doe",
    "title": "Episode 7 - Making Progress",
    "podcastName": "John's Awesome Podcast",
    "chapters":
    [
        { "startTime": 0, "title": "Intro" },
        { "startTime": 168, "title": "Hearing Aids" },
        { "startTime": 260, "title": "Progress Report" },
        {
            "startTime": 410,
            "title": "Namespace",
            "img": "https://example.com/images/namepsace_example.jpg",
            "url": "https://github.com/Podcastindex-org/podcast-namespace"
        },
        {
            "startTime": 3990,
            "title": "Just Break Up",
            "img": "https://example.com/images/justbreakuppod.png",
            "url": "https://twitter.com/justbreakuppod"
        },
        {
            "startTime": 4826,
            "img": "https://example.com/images/parisfrance.jpg",
            "toc": false,
            "location": { "name": "Eiffel Tower, Paris", "geo": "geo:42.3417649,-70.9661596" }
        },
        { "startTime": 5510, "title": "The Big Players" },
        { "startTime": 5854, "title": "Spread the Word" },
        { "startTime": 6089, "title": "Outro" }
    ]
}"#;

    #[test]
    fn the_spec_example() {
        let chapters = parse_json(SPEC_EXAMPLE.as_bytes(), &base()).unwrap();
        assert_eq!(starts(&chapters), [0.0, 168.0, 260.0, 410.0, 3990.0, 4826.0, 5510.0, 5854.0, 6089.0]);
        let titles: Vec<&str> = chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Intro",
                "Hearing Aids",
                "Progress Report",
                "Namespace",
                "Just Break Up",
                "",
                "The Big Players",
                "Spread the Word",
                "Outro"
            ]
        );
        assert_eq!(
            chapters[3],
            Chapter {
                start_secs: 410.0,
                end_secs: None,
                title: "Namespace".into(),
                url: Some("https://github.com/Podcastindex-org/podcast-namespace".into()),
                image: Some("https://example.com/images/namepsace_example.jpg".into()),
                listed: true,
                source: ChapterSource::Json,
            }
        );
        let silent = &chapters[5];
        assert!(!silent.listed);
        assert_eq!(silent.image.as_deref(), Some("https://example.com/images/parisfrance.jpg"));
        assert_eq!(chapters.iter().filter(|c| c.listed).count(), 8);
        assert!(chapters.iter().all(|c| c.source == ChapterSource::Json && c.end_secs.is_none()));
    }

    #[test]
    fn toc_false_is_unlisted_and_anything_else_listed() {
        let json = br#"{"version":"1.2.0","chapters":[
            {"startTime":0,"title":"A","toc":false},
            {"startTime":1,"title":"B","toc":true},
            {"startTime":2,"title":"C"},
            {"startTime":3,"title":"D","toc":"false"},
            {"startTime":4,"title":"E","toc":null}]}"#;
        let listed: Vec<bool> = parse_json(json, &base()).unwrap().iter().map(|c| c.listed).collect();
        assert_eq!(listed, [false, true, true, false, true]);
    }

    #[test]
    fn unsorted_input_is_sorted_stably_and_repeats_dropped() {
        let json = br#"{"chapters":[
            {"startTime":300,"title":"Three"},
            {"startTime":12.5,"title":"One"},
            {"startTime":100,"title":"Two b"},
            {"startTime":100,"title":"Two a"},
            {"startTime":12.5,"title":"One"},
            {"startTime":0,"title":"Zero"}]}"#;
        let chapters = parse_json(json, &base()).unwrap();
        assert_eq!(starts(&chapters), [0.0, 12.5, 100.0, 100.0, 300.0]);
        let titles: Vec<&str> = chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Zero", "One", "Two b", "Two a", "Three"]);
    }

    #[test]
    fn bad_starts_drop_their_chapter_only() {
        let json = br#"{"chapters":[
            {"startTime":-5,"title":"negative"},
            {"startTime":"abc","title":"not a number"},
            {"startTime":1e400,"title":"overflows"},
            {"startTime":-1e400,"title":"overflows below"},
            {"startTime":null,"title":"null"},
            {"startTime":[1],"title":"a list"},
            {"title":"no start"},
            "not an object",
            {"startTime":-0.0,"title":"minus zero"},
            {"startTime":"94.5","title":"a string"},
            {"startTime":"1:02","title":"a clock"},
            {"startTime":1e-400,"title":"underflows to zero"},
            {"startTime":10,"title":"\"quoted 1e999\" \\","endTime":1e999}]}"#;
        let chapters = parse_json(json, &base()).unwrap();
        let got: Vec<(f64, &str)> = chapters.iter().map(|c| (c.start_secs, c.title.as_str())).collect();
        assert_eq!(
            got,
            [
                (0.0, "minus zero"),
                (0.0, "underflows to zero"),
                (10.0, "\"quoted 1e999\" \\"),
                (62.0, "a clock"),
                (94.5, "a string")
            ]
        );
        assert!(chapters[0].start_secs.is_sign_positive());
        assert_eq!(chapters[2].end_secs, None);

        let all_bad = br#"{"chapters":[{"startTime":-5},{"startTime":"abc"},{"startTime":1e400}]}"#;
        assert_eq!(parse_json(all_bad, &base()), Err(ChaptersError::Empty));
    }

    #[test]
    fn ends_titles_and_addresses_are_checked() {
        let json = br#"{"chapters":[
            {"startTime":10,"endTime":5,"title":"  ends before it starts\n","img":"art/a.jpg","url":"javascript:alert(1)"},
            {"startTime":20,"endTime":30.5,"title":7,"img":"data:image/png;base64,AAAA","url":"/more"},
            {"startTime":40,"endTime":"x","title":{"nested":true},"img":42}]}"#;
        let chapters = parse_json(json, &base()).unwrap();
        assert_eq!(chapters[0].end_secs, None);
        assert_eq!(chapters[0].title, "ends before it starts");
        assert_eq!(chapters[0].image.as_deref(), Some("https://example.com/ep7/art/a.jpg"));
        assert_eq!(chapters[0].url, None);
        assert_eq!(chapters[1].end_secs, Some(30.5));
        assert_eq!(chapters[1].title, "7");
        assert_eq!(chapters[1].image, None);
        assert_eq!(chapters[1].url.as_deref(), Some("https://example.com/more"));
        assert_eq!((chapters[2].end_secs, chapters[2].title.as_str(), &chapters[2].image), (None, "", &None));

        let long = format!(r#"{{"chapters":[{{"startTime":1,"title":"{}"}}]}}"#, "x".repeat(10_000));
        assert_eq!(parse_json(long.as_bytes(), &base()).unwrap()[0].title.len(), 500);
    }

    #[test]
    fn a_hundred_thousand_entries_are_cut_to_the_first_five_thousand() {
        // Written last-first, so the cut has to come after the sort. ~3 MB: under the size limit.
        let entries: Vec<String> =
            (0..100_000).rev().map(|i| format!(r#"{{"startTime":{i},"title":"c{i}"}}"#)).collect();
        let json = format!(r#"{{"version":"1.2.0","chapters":[{}]}}"#, entries.join(","));
        assert!(json.len() < MAX_CHAPTERS_JSON_BYTES, "{} bytes", json.len());
        let chapters = parse_json(json.as_bytes(), &base()).unwrap();
        assert_eq!(chapters.len(), MAX_CHAPTERS);
        assert!(chapters.windows(2).all(|pair| pair[0].start_secs < pair[1].start_secs));
        assert_eq!(chapters[0].start_secs, 0.0);
        assert_eq!(chapters[MAX_CHAPTERS - 1].start_secs, (MAX_CHAPTERS - 1) as f64);
        assert_eq!(chapters[MAX_CHAPTERS - 1].title, format!("c{}", MAX_CHAPTERS - 1));
    }

    #[test]
    fn refusals() {
        let five_mb = vec![b' '; 5 * 1024 * 1024];
        assert_eq!(parse_json(&five_mb, &base()), Err(ChaptersError::TooLarge { bytes: 5 * 1024 * 1024 }));
        assert_eq!(parse_json(br#"{"chapters":[]}"#, &base()), Err(ChaptersError::Empty));
        for garbage in
            [&b"<html><body>Not found</body></html>"[..], b"", b"\xff\xfe\x00{", b"{\"chapters\":[{\"startTime\":1}"]
        {
            assert!(matches!(parse_json(garbage, &base()), Err(ChaptersError::Malformed(_))), "{garbage:?}");
        }
        for not_chapters in [&br#"{"version":"1.2.0"}"#[..], br#"{"chapters":{"startTime":1}}"#, b"[1,2,3]", b"42"] {
            assert!(matches!(parse_json(not_chapters, &base()), Err(ChaptersError::Malformed(_))), "{not_chapters:?}");
        }
        // A malformed file with an overflowing number still reports the first error.
        let Err(ChaptersError::Malformed(message)) = parse_json(b"{\"chapters\":[{\"startTime\":1e400}", &base())
        else {
            panic!("not malformed");
        };
        assert!(message.contains("out of range"), "{message}");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let json = b"\xEF\xBB\xBF{\"chapters\":[{\"startTime\":1,\"title\":\"A\"}]}";
        assert_eq!(parse_json(json, &base()).unwrap()[0].title, "A");
    }

    #[test]
    fn a_start_past_any_episode_is_no_start() {
        let file = br#"{"chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 9e15, "title": "Never"},
                                      {"startTime": 1e400, "title": "Overflow"}, {"startTime": 30, "title": "Main"}]}"#;
        let chapters = parse_json(file, &base()).unwrap();
        assert_eq!(starts(&chapters), [0.0, 30.0]);
    }
}
