//! OPML: the subscription list every podcast app can read and write. Reading is tolerant
//! (nested outlines, no head, any attribute case, as gPodder, AntennaPod and Pocket Casts
//! write it); writing is plain OPML 2.0.

use std::collections::HashSet;

use quick_xml::events::Event;

use crate::model::PodcastSummary;

/// More outlines than this is not a subscription list.
pub const MAX_OUTLINES: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub title: Option<String>,
    pub url: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpmlError {
    #[error("this is not an OPML file ({0})")]
    Malformed(String),
    #[error("this OPML file lists no podcast feeds")]
    Empty,
    #[error("this OPML file lists more than {MAX_OUTLINES} feeds")]
    TooMany,
}

/// Every feed address in the file, once each, in order.
pub fn parse(bytes: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    // Any encoding the file declares (or its BOM says, UTF-16 included), as for feeds.
    let text = crate::feed::to_utf8(bytes);
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = false;
    let mut feeds = Vec::new();
    let mut seen = HashSet::new();
    let mut saw_opml = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = AsRef::<str>::as_ref(&e.name()).to_ascii_lowercase();
                if name == "opml" {
                    saw_opml = true;
                }
                if name != "outline" {
                    continue;
                }
                let mut url = None;
                let mut title = None;
                for attribute in e.attributes().flatten() {
                    let key = AsRef::<str>::as_ref(&attribute.key).to_ascii_lowercase();
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::default())
                        .map(|v| v.trim().to_string())
                        .unwrap_or_default();
                    match key.as_str() {
                        "xmlurl" | "url" if !value.is_empty() => url = Some(value),
                        "title" if !value.is_empty() => title = Some(value),
                        "text" if !value.is_empty() && title.is_none() => title = Some(value),
                        _ => {}
                    }
                }
                if let Some(url) = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                    && seen.insert(url.clone())
                {
                    if feeds.len() == MAX_OUTLINES {
                        return Err(OpmlError::TooMany);
                    }
                    feeds.push(OpmlFeed { title, url });
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(OpmlError::Malformed(e.to_string())),
        }
    }
    if !saw_opml {
        return Err(OpmlError::Malformed("no <opml> element".into()));
    }
    if feeds.is_empty() {
        return Err(OpmlError::Empty);
    }
    Ok(feeds)
}

/// The library's subscriptions as OPML 2.0 (the bundled demo is not a subscription).
pub fn write(podcasts: &[PodcastSummary]) -> String {
    let escape = |s: &str| quick_xml::escape::escape(xml_text(s)).into_owned();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    \
         <title>Hark subscriptions</title>\n  </head>\n  <body>\n",
    );
    for podcast in podcasts.iter().filter(|p| p.feed_url != crate::assets::DEMO_FEED_URL) {
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{}\" title=\"{}\" xmlUrl=\"{}\"/>\n",
            escape(&podcast.title),
            escape(&podcast.title),
            escape(&podcast.feed_url)
        ));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// A line of text as XML 1.0 can hold it: control characters become spaces (`clean_line`), and the
/// characters outside XML's `Char` production (U+FFFE, U+FFFF, lone surrogates cannot occur in
/// a `str`) are left out, escaped or not: XML parsers refuse a document with them.
fn xml_text(text: &str) -> String {
    let allowed =
        |c: &char| matches!(*c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
    crate::model::clean_line(text).chars().filter(allowed).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_holds_only_characters_xml_allows() {
        let podcast = |title: &str| PodcastSummary {
            id: crate::model::PodcastId(1),
            title: title.to_string(),
            author: None,
            feed_url: "https://example.com/feed.xml?a=1&b=\u{FFFE}2".to_string(),
            episodes: 0,
            unplayed: 0,
            art_url: None,
            last_error: None,
        };
        let written = write(&[podcast("Non\u{FFFF}characters \u{1}and <tags> & \u{1F3A7}")]);
        // XML 1.0's Char production, written out here on its own.
        let bad: Vec<char> = written
            .chars()
            .filter(|c| {
                let c = *c as u32;
                !(c == 0x9
                    || c == 0xA
                    || c == 0xD
                    || (0x20..=0xD7FF).contains(&c)
                    || (0xE000..=0xFFFD).contains(&c)
                    || c >= 0x10000)
            })
            .collect();
        assert!(bad.is_empty(), "{bad:?} in {written}");
        assert!(written.contains("text=\"Noncharacters  and &lt;tags&gt; &amp; \u{1F3A7}\""), "{written}");
        let read = parse(written.as_bytes()).unwrap();
        assert_eq!(read[0].url, "https://example.com/feed.xml?a=1&b=2");
    }

    #[test]
    fn nested_outlines_odd_case_and_duplicates() {
        let opml = br#"<?xml version="1.0"?><opml version="1.0"><body>
            <outline text="Folder"><outline TEXT="A" XMLURL="https://a.example/feed"/>
              <outline text="B &amp; C" xmlUrl="https://b.example/rss"/></outline>
            <outline text="A again" xmlUrl="https://a.example/feed"/>
            <outline text="not a feed"/><outline text="local" xmlUrl="file:///etc/passwd"/>
            </body></opml>"#;
        let feeds = parse(opml).unwrap();
        assert_eq!(
            feeds,
            vec![
                OpmlFeed { title: Some("A".into()), url: "https://a.example/feed".into() },
                OpmlFeed { title: Some("B & C".into()), url: "https://b.example/rss".into() },
            ]
        );
    }

    #[test]
    fn declared_and_bom_encodings_are_honoured() {
        let opml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><opml version=\"2.0\"><body>\
                    <outline text=\"Caf\u{e9}\" xmlUrl=\"https://example.com/caf\u{e9}.xml\"/></body></opml>";
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(opml);
        let feeds = parse(&latin1).unwrap();
        assert_eq!(feeds[0].title.as_deref(), Some("Caf\u{e9}"));
        assert_eq!(feeds[0].url, "https://example.com/caf\u{e9}.xml");

        let utf16 = opml.replace("ISO-8859-1", "UTF-16");
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(utf16.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(parse(&bytes).unwrap(), feeds, "UTF-16 with a BOM");
    }

    #[test]
    fn garbage_and_empty_files_are_refused_clearly() {
        assert_eq!(parse(b"<html><body>hi</body></html>"), Err(OpmlError::Malformed("no <opml> element".into())));
        assert_eq!(parse(b"<opml><body></body></opml>"), Err(OpmlError::Empty));
        assert!(matches!(parse(b"<opml><body><outline xmlUrl=\"https://x"), Err(OpmlError::Malformed(_))));
    }

    #[test]
    fn ten_thousand_outlines_are_taken_and_more_are_refused() {
        let many = |n: usize| {
            let mut s = String::from("<opml><body>");
            for i in 0..n {
                s.push_str(&format!("<outline xmlUrl=\"https://x.example/{i}\"/>"));
            }
            s.push_str("</body></opml>");
            s
        };
        assert_eq!(parse(many(MAX_OUTLINES).as_bytes()).unwrap().len(), MAX_OUTLINES);
        assert_eq!(parse(many(MAX_OUTLINES + 1).as_bytes()), Err(OpmlError::TooMany));
    }
}
