//! Podlove Simple Chapters (https://podlove.org/simple-chapters/): `<psc:chapter start= title=
//! href= image=>` in the feed item. The feed parser reads the XML; this turns its strings into
//! chapters.

use super::{Chapter, ChapterSource, clean_title, tidy, web_address};
use crate::model::time::{TimeSource, parse_time};

/// One chapter per `<psc:chapter>`, given as (start, title, href, image) strings; `base` is the
/// feed's address, for relative links. A start `parse_time` cannot read skips its chapter.
/// Sorted, repeats dropped and cut as every source (see `tidy`).
pub fn from_psc(raw: &[(String, String, Option<String>, Option<String>)], base: &url::Url) -> Vec<Chapter> {
    let chapters = raw
        .iter()
        .filter_map(|(start, title, href, image)| {
            Some(Chapter {
                start_secs: parse_time(start, TimeSource::Chapter)?,
                end_secs: None,
                title: clean_title(title),
                url: href.as_deref().and_then(|href| web_address(href, base)),
                image: image.as_deref().and_then(|image| web_address(image, base)),
                listed: true,
                source: ChapterSource::Psc,
            })
        })
        .collect();
    tidy(chapters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("https://example.com/feed.xml").unwrap()
    }

    fn raw(
        start: &str,
        title: &str,
        href: Option<&str>,
        image: Option<&str>,
    ) -> (String, String, Option<String>, Option<String>) {
        (start.into(), title.into(), href.map(Into::into), image.map(Into::into))
    }

    /// "HH:MM:SS.mmm" for a time in milliseconds, as Podlove Publisher writes it.
    fn npt(millis: u64) -> String {
        let secs = millis / 1000;
        format!("{:02}:{:02}:{:02}.{:03}", secs / 3600, secs / 60 % 60, secs % 60, millis % 1000)
    }

    #[test]
    fn eight_hundred_thirty_two_chapters_with_exact_starts() {
        // Every 7.25 s and a few milliseconds, so every field and the fraction vary.
        let millis: Vec<u64> = (0..832u64).map(|i| i * 7_250 + i % 7).collect();
        let entries: Vec<_> =
            millis.iter().map(|&ms| raw(&npt(ms), &format!("Chapter at {ms} ms"), None, None)).collect();
        let chapters = from_psc(&entries, &base());
        assert_eq!(chapters.len(), 832);
        for (chapter, &ms) in chapters.iter().zip(&millis) {
            assert_eq!(chapter.start_secs, ms as f64 / 1000.0, "{}", npt(ms));
            assert_eq!(chapter.title, format!("Chapter at {ms} ms"));
            assert_eq!((chapter.listed, chapter.source, chapter.end_secs), (true, ChapterSource::Psc, None));
        }
        assert_eq!(npt(3_723_250), "01:02:03.250");
        assert_eq!(from_psc(&[raw("01:02:03.250", "x", None, None)], &base())[0].start_secs, 3723.25);
    }

    #[test]
    fn every_start_form_links_and_bad_starts() {
        let entries = vec![
            raw("00:01:02.5", "fraction", Some("https://example.com/a"), Some("img/b.jpg")),
            raw("01:02:03", "hours", Some("javascript:alert(1)"), None),
            raw("05:30", "minutes", None, Some("file:///etc/passwd")),
            raw("7", "seconds", Some("/c"), None),
            raw("00:00:00.000", " Intro\n", None, None),
            raw("later", "bad", None, None),
            raw("-00:01", "negative", None, None),
            raw("", "empty", None, None),
            raw("1:99", "bad minutes", None, None),
        ];
        let chapters = from_psc(&entries, &base());
        let got: Vec<(f64, &str)> = chapters.iter().map(|c| (c.start_secs, c.title.as_str())).collect();
        assert_eq!(got, [(0.0, "Intro"), (7.0, "seconds"), (62.5, "fraction"), (330.0, "minutes"), (3723.0, "hours")]);
        assert_eq!(chapters[1].url.as_deref(), Some("https://example.com/c"));
        assert_eq!(chapters[2].url.as_deref(), Some("https://example.com/a"));
        assert_eq!(chapters[2].image.as_deref(), Some("https://example.com/img/b.jpg"));
        assert_eq!((&chapters[3].image, &chapters[4].url), (&None, &None));
        assert!(from_psc(&[], &base()).is_empty());
    }
}
