//! Feed bytes → `ParsedFeed`: the text made readable (encoding, stray bytes before the document,
//! missing namespace declarations), then feed-rs reads the document and a second light pass
//! (`extras`) reads what feed-rs drops or misreads; `build` puts the two together.

use std::borrow::Cow;

use quick_xml::events::Event;
use url::Url;

use super::build::build;
use super::extras::{ITUNES_NS, PODCAST_NS, scan_extras};
use crate::error::FeedError;
use crate::model::ParsedFeed;

/// File extensions that count as audio when a feed gives no usable MIME type.
pub(super) const AUDIO_EXTENSIONS: [&str; 8] = ["mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "wav"];

pub fn parse_feed(body: &[u8], feed_url: &Url) -> Result<ParsedFeed, FeedError> {
    let not_a_feed = |what: String| FeedError::NotAFeed { url: feed_url.to_string(), what };
    let text = to_utf8(body);
    let text = trim_to_document(&text);
    if text.is_empty() {
        return Err(not_a_feed("empty document".into()));
    }
    if looks_like_html(text) {
        return Err(not_a_feed("HTML page".into()));
    }
    let text = declare_missing_namespaces(text);
    let text = complete_rss_root(&text);

    let extras = scan_extras(&text);
    match read_with_feed_rs(&text, feed_url) {
        Ok(feed) => Ok(build(Some(feed), extras, feed_url).cleaned()),
        // A well-formed feed is never refused because feed-rs chokes on something in it (an
        // empty CDATA section, say): our own pass has read every item, and the feed is built
        // from that.
        Err(_) if extras.complete && is_well_formed(&text) && has_feed_root(&text) => {
            tracing::info!(url = %feed_url, "feed-rs could not read this feed; using the items read by Hark's own pass");
            Ok(build(None, extras, feed_url).cleaned())
        }
        Err(e) => Err(not_a_feed(format!("malformed XML: {e}"))),
    }
}

fn read_with_feed_rs(text: &str, feed_url: &Url) -> Result<feed_rs::model::Feed, feed_rs::parser::ParseFeedError> {
    feed_rs::parser::Builder::new().base_uri(Some(feed_url.as_str())).build().parse(text.as_bytes())
}

/// Strictly well-formed: every element closed by its own name, nothing after the root.
fn is_well_formed(text: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return depth == 0 && roots == 1,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

fn has_feed_root(text: &str) -> bool {
    ["<rss", "<feed", "<rdf:RDF"].iter().any(|root| text.contains(root))
}

/// Decodes the body to UTF-8 by BOM, then by XML declaration, then as Windows-1252, and
/// rewrites the declaration to say UTF-8 so the XML reader does not decode it twice.
pub fn to_utf8(body: &[u8]) -> String {
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(body) {
        Some((encoding, len)) => (Some(encoding), len),
        None => (declared_encoding(body), 0),
    };
    let body = &body[bom_len..];
    let text: Cow<'_, str> = match encoding {
        Some(enc) if enc != encoding_rs::UTF_8 => enc.decode_without_bom_handling(body).0,
        _ => match std::str::from_utf8(body) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(body).0,
        },
    };
    rewrite_declared_encoding(&text)
}

fn declared_encoding(body: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &body[..body.len().min(512)];
    let head = String::from_utf8_lossy(head);
    // The declaration's own end: a `?>` before it (PHP output) must not be taken for it.
    let decl_start = head.find("<?xml")?;
    let decl_end = head[decl_start..].find("?>")? + decl_start;
    let decl = &head[decl_start..decl_end];
    let value = attribute_in(decl, "encoding")?;
    encoding_rs::Encoding::for_label(value.as_bytes())
}

fn attribute_in<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[at..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

fn rewrite_declared_encoding(text: &str) -> String {
    let Some(start) = text.find("<?xml") else { return text.to_string() };
    let Some(end) = text[start..].find("?>").map(|e| e + start) else { return text.to_string() };
    let decl = &text[start..end];
    match attribute_in(decl, "encoding") {
        Some(value) if !value.eq_ignore_ascii_case("utf-8") => {
            let fixed = decl.replacen(&format!("encoding=\"{value}\""), "encoding=\"UTF-8\"", 1).replacen(
                &format!("encoding='{value}'"),
                "encoding='UTF-8'",
                1,
            );
            format!("{}{}{}", &text[..start], fixed, &text[end..])
        }
        _ => text.to_string(),
    }
}

/// Skips what servers print before the document: whitespace, and text such as PHP warnings
/// in front of the XML declaration.
fn trim_to_document(text: &str) -> &str {
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml") {
        return trimmed;
    }
    let search = &trimmed[..floor_char_boundary(trimmed, 64 * 1024)];
    match search.find("<?xml") {
        Some(at) => &trimmed[at..],
        None => trimmed,
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn looks_like_html(text: &str) -> bool {
    let head = text[..floor_char_boundary(text, 1024)].to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.contains("<html") && !head.contains("<rss"))
}

/// Some feeds use `itunes:` or `podcast:` without declaring them; a namespace-aware reader
/// rejects that, so declare them on the root element.
fn declare_missing_namespaces(text: &str) -> Cow<'_, str> {
    let mut missing = String::new();
    if text.contains("<itunes:") && !text.contains("xmlns:itunes") {
        missing.push_str(&format!(" xmlns:itunes=\"{ITUNES_NS}\""));
    }
    if text.contains("<podcast:") && !text.contains("xmlns:podcast") {
        missing.push_str(&format!(" xmlns:podcast=\"{}\"", PODCAST_NS[0]));
    }
    if missing.is_empty() {
        return Cow::Borrowed(text);
    }
    let Some(root) = ["<rss", "<feed", "<rdf:RDF"].iter().find_map(|tag| text.find(tag).map(|at| at + tag.len()))
    else {
        return Cow::Borrowed(text);
    };
    Cow::Owned(format!("{}{}{}", &text[..root], missing, &text[root..]))
}

/// feed-rs recognises RSS 2 by `<rss version=…>` and needs a `<channel>`; old and minimal
/// feeds have neither. Supply both so such a feed reads as RSS 2 (an empty one has no episodes).
fn complete_rss_root(text: &str) -> Cow<'_, str> {
    let Some(start) = text.find("<rss") else { return Cow::Borrowed(text) };
    let Some(tag_end) = text[start..].find('>').map(|e| e + start) else { return Cow::Borrowed(text) };
    let tag = &text[start..tag_end];
    let needs_version = attribute_in(tag, "version").is_none();
    let needs_channel = !text[tag_end..].contains("<channel");
    if !needs_version && !needs_channel {
        return Cow::Borrowed(text);
    }
    let (head, self_closing) = match tag.strip_suffix('/') {
        Some(head) => (head, true),
        None => (tag, false),
    };
    let mut fixed = String::with_capacity(text.len() + 40);
    fixed.push_str(&text[..start]);
    fixed.push_str(head);
    if needs_version {
        fixed.push_str(" version=\"2.0\"");
    }
    fixed.push('>');
    if needs_channel {
        fixed.push_str("<channel></channel>");
    }
    if self_closing {
        fixed.push_str("</rss>");
    }
    fixed.push_str(&text[tag_end + 1..]);
    Cow::Owned(fixed)
}

/// The http(s) address a feed says it lives at (`<atom:link rel="self">`), for a feed file saved
/// to disk and handed to the window.
pub fn own_address(body: &[u8]) -> Option<String> {
    let feed = feed_rs::parser::parse(body).ok()?;
    let link = feed.links.iter().find(|link| link.rel.as_deref() == Some("self"))?;
    let url = Url::parse(link.href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Resolves a link from the feed against the feed's URL (relative and protocol-relative
/// links) and keeps it only if it is http(s): a feed must not point Hark at local files.
pub fn resolve(link: &str, feed_url: &Url) -> Option<String> {
    let url = feed_url.join(link.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

pub(super) fn is_web_url(link: &str) -> bool {
    Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_the_feed_and_only_web_schemes_survive() {
        let base = Url::parse("https://example.com/shows/feed.xml").unwrap();
        assert_eq!(resolve("example.mp3", &base).as_deref(), Some("https://example.com/shows/example.mp3"));
        assert_eq!(resolve("//cdn.example.net/a.mp3", &base).as_deref(), Some("https://cdn.example.net/a.mp3"));
        assert_eq!(resolve("../../x", &base).as_deref(), Some("https://example.com/x"));
        assert_eq!(resolve("file:///etc/passwd", &base), None);
        assert_eq!(resolve("ftp://example.com/a.mp3", &base), None);
    }

    #[test]
    fn explicit_episodes_are_flagged() {
        let base = Url::parse("https://example.com/feed.xml").unwrap();
        let feed = br#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>
            <item><title>A</title><itunes:explicit>yes</itunes:explicit><enclosure url="a.mp3" type="audio/mpeg"/></item>
            <item><title>B</title><itunes:explicit>false</itunes:explicit><enclosure url="b.mp3" type="audio/mpeg"/></item>
            </channel></rss>"#;
        let episodes = parse_feed(feed, &base).unwrap().episodes;
        assert_eq!(episodes.iter().map(|e| e.explicit).collect::<Vec<_>>(), vec![true, false]);
    }

    /// A feed feed-rs refuses (empty CDATA sections) is read in full by Hark's own pass.
    #[test]
    fn well_formed_feeds_that_feed_rs_refuses_are_read_anyway() {
        let base = Url::parse("https://example.com/feed.xml").unwrap();
        let mut items = String::new();
        for i in 0..3 {
            items.push_str(&format!(
                "<item><title><![CDATA[Episode {i}]]></title><guid isPermaLink=\"false\">g{i}</guid>\
                 <pubDate>Mon, 0{} Jan 2024 10:00:00 GMT</pubDate><description><![CDATA[]]></description>\
                 <media:description type=\"plain\"><![CDATA[]]></media:description><link></link>\
                 <content:encoded><![CDATA[<p>Notes {i}</p>]]></content:encoded>\
                 <enclosure url=\"/e{i}.mp3\" type=\"audio/mpeg\" length=\"10\"/><itunes:duration>1:00</itunes:duration></item>",
                i + 1
            ));
        }
        let feed = format!(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\" \
             xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:media=\"http://search.yahoo.com/mrss/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Caf\u{e9}</title>\
             <description><![CDATA[]]></description><image><url>/art.jpg</url><title></title></image>{items}</channel></rss>"
        );
        assert!(
            read_with_feed_rs(&feed, &base).is_err(),
            "feed-rs refuses this feed, so the fallback is what reads it"
        );
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&feed);
        let parsed = parse_feed(&latin1, &base).expect("a well-formed feed is read");
        assert_eq!(parsed.podcast.title, "Caf\u{e9}");
        assert_eq!(parsed.episodes.len(), 3);
        let first = &parsed.episodes[0];
        assert_eq!(first.title, "Episode 0");
        assert_eq!(first.guid.as_deref(), Some("g0"));
        assert_eq!(first.enclosure.url, "https://example.com/e0.mp3");
        assert_eq!(first.duration_secs, Some(60));
        assert_eq!(first.notes_html.as_deref(), Some("<p>Notes 0</p>"));
        assert!(first.published.is_some());

        let truncated = &feed[..feed.len() - 30];
        assert!(parse_feed(truncated.as_bytes(), &base).is_err(), "a broken document is still refused");
    }

    #[test]
    fn text_before_the_declaration_that_ends_like_one_does_not_panic() {
        let base = Url::parse("https://example.com/feed.xml").unwrap();
        let feed = b"<br />Notice: x ?> y\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>T</title></channel></rss>";
        assert_eq!(parse_feed(feed, &base).unwrap().podcast.title, "T");
        assert!(parse_feed(b"?><?xml", &base).is_err());
    }

    #[test]
    fn html_is_not_a_feed() {
        let base = Url::parse("https://example.com/").unwrap();
        let err = parse_feed(b"<!DOCTYPE html><html><body>Hi</body></html>", &base).unwrap_err();
        assert_eq!(err.to_string(), "That address is a web page, not a podcast feed");
        assert_eq!(err.details(), "https://example.com/: HTML page");
    }
}
