//! Show notes: episode HTML (or plain text) → a small, sanitised document of blocks and
//! styled spans with links and timestamps. Nothing here emits HTML again: only the elements
//! below are understood, everything else contributes its text at most, and script-like
//! elements contribute nothing. Built once per episode; the UI draws the result.

mod index_text;
pub use index_text::index_text;
use std::sync::LazyLock;

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use regex::Regex;

use crate::model::time::{TimeSource, parse_time};

/// Notes longer than this are cut: no show needs more, and a hostile feed gets no more time.
pub const MAX_NOTES_BYTES: usize = 512 * 1024;
/// Deeper lists are drawn at this depth.
pub const MAX_LIST_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        spans: Vec<Span>,
    },
    Paragraph {
        spans: Vec<Span>,
    },
    /// `marker` is set on an item's first block; later blocks of the same item have none.
    ListItem {
        depth: usize,
        marker: Option<ListMarker>,
        spans: Vec<Span>,
    },
    Quote {
        spans: Vec<Span>,
    },
    Code {
        text: String,
    },
    Rule,
    Image {
        url: String,
        alt: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMarker {
    Bullet,
    Number(u32),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpanStyle {
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub code: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// http, https or mailto.
    Web(String),
    /// A moment in the episode, in seconds.
    Timestamp(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub style: SpanStyle,
    pub link: Option<Link>,
}

impl Document {
    pub fn from_notes(notes: &str) -> Self {
        let (notes, truncated) = match notes.len() > MAX_NOTES_BYTES {
            true => (&notes[..floor_boundary(notes, MAX_NOTES_BYTES)], true),
            false => (notes, false),
        };
        let blocks = if looks_like_html(notes) { from_html(notes) } else { from_plain_text(notes) };
        Document { blocks, truncated }
    }

    /// The text alone, one block a line: for search and for plain views.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            let line = match block {
                Block::Heading { spans, .. } | Block::Paragraph { spans } | Block::Quote { spans } => span_text(spans),
                Block::ListItem { depth, marker, spans } => {
                    let indent = "  ".repeat(depth.saturating_sub(1));
                    match marker {
                        Some(ListMarker::Bullet) => format!("{indent}• {}", span_text(spans)),
                        Some(ListMarker::Number(n)) => format!("{indent}{n}. {}", span_text(spans)),
                        None => format!("{indent}  {}", span_text(spans)),
                    }
                }
                Block::Code { text } => text.clone(),
                Block::Rule => "―――".to_string(),
                Block::Image { alt, .. } if !alt.is_empty() => format!("[{alt}]"),
                Block::Image { .. } => continue,
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.blocks.iter().flat_map(|b| match b {
            Block::Heading { spans, .. }
            | Block::Paragraph { spans }
            | Block::ListItem { spans, .. }
            | Block::Quote { spans } => spans.iter().filter_map(|s| s.link.as_ref()).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    }
}

fn span_text(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

static HTML_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(p|br|a|div|span|ul|ol|li|h[1-6]|b|i|u|em|strong|img|blockquote|pre|code|hr|table|tr|td)\b")
        .expect("static regex")
});
static WEB_URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'\]\[]+"#).expect("static regex"));
static TIMESTAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:\d{1,2}:)?[0-5]?\d:[0-5]\d(?:\.\d+)?\b").expect("static regex"));

fn looks_like_html(notes: &str) -> bool {
    HTML_TAG.is_match(notes) || notes.contains("&amp;") || notes.contains("&#")
}

/// Plain text keeps its paragraphs (blank lines) and line breaks.
fn from_plain_text(notes: &str) -> Vec<Block> {
    let normalized = notes.replace("\r\n", "\n");
    normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Block::Paragraph { spans: linkify(vec![plain(p)]) })
        .collect()
}

fn plain(text: &str) -> Span {
    Span { text: text.to_string(), style: SpanStyle::default(), link: None }
}

/// Where the walker is: what kind of block the text being gathered will become.
#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    spans: Vec<Span>,
    style: SpanStyle,
    bold: u32,
    italic: u32,
    underline: u32,
    code: u32,
    link: Option<Link>,
    heading: Option<u8>,
    lists: Vec<(bool, u32)>,
    /// The list item whose first block still needs its marker.
    pending_marker: Option<ListMarker>,
    quote: u32,
    pre: u32,
}

/// Elements whose content is never shown.
const SKIPPED: [&str; 12] =
    ["script", "style", "iframe", "noscript", "template", "object", "embed", "svg", "math", "head", "title", "form"];

/// Feeds tokens to the walker. The tokenizer alone (no tree builder) keeps the work linear in
/// the input, however deep a hostile note nests its tags.
struct Sink {
    walker: RefCell<Walker>,
    /// Inside a skipped element: its name and how deep it nests in itself.
    skipping: RefCell<Option<(String, u32)>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut walker = self.walker.borrow_mut();
        let mut skipping = self.skipping.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if let Some((skipped, depth)) = skipping.as_mut() {
                    if name == skipped.as_str() {
                        match tag.kind {
                            TagKind::StartTag if !tag.self_closing => *depth += 1,
                            TagKind::EndTag => *depth -= 1,
                            TagKind::StartTag => {}
                        }
                        if *depth == 0 {
                            *skipping = None;
                        }
                    }
                    return TokenSinkResult::Continue;
                }
                match tag.kind {
                    TagKind::StartTag if SKIPPED.contains(&name) => {
                        if tag.self_closing {
                            return TokenSinkResult::Continue;
                        }
                        *skipping = Some((name.to_string(), 1));
                        // Their text is raw: without this the tokenizer would read `<` inside a
                        // script as tags.
                        return match name {
                            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                            "style" | "iframe" | "noscript" | "object" | "embed" => {
                                TokenSinkResult::RawData(RawKind::Rawtext)
                            }
                            "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                            _ => TokenSinkResult::Continue,
                        };
                    }
                    TagKind::StartTag => {
                        let attr = |wanted: &str| {
                            tag.attrs.iter().find(|a| &*a.name.local == wanted).map(|a| a.value.to_string())
                        };
                        walker.open(name, attr);
                        if tag.self_closing {
                            walker.close(name);
                        }
                    }
                    TagKind::EndTag => walker.close(name),
                }
            }
            Token::CharacterTokens(text) if skipping.is_none() => walker.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn from_html(html: &str) -> Vec<Block> {
    let sink = Sink { walker: RefCell::new(Walker::default()), skipping: RefCell::new(None) };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut walker = tokenizer.sink.walker.into_inner();
    walker.flush();
    walker.blocks
}

impl Walker {
    fn restyle(&mut self) {
        self.style = SpanStyle {
            bold: self.bold > 0,
            italic: self.italic > 0,
            underline: self.underline > 0,
            code: self.code > 0,
        };
    }

    fn text(&mut self, text: &str) {
        let text = if self.pre > 0 { text.to_string() } else { collapse_whitespace(text) };
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.spans.last_mut().filter(|s| s.style == self.style && s.link == self.link) {
            last.text.push_str(&text);
        } else {
            self.spans.push(Span { text, style: self.style, link: self.link.clone() });
        }
    }

    fn open(&mut self, name: &str, attr: impl Fn(&str) -> Option<String>) {
        match name {
            "b" | "strong" => self.bold += 1,
            "i" | "em" | "cite" => self.italic += 1,
            "u" | "ins" => self.underline += 1,
            "code" | "kbd" | "tt" | "samp" => self.code += 1,
            "a" => {
                self.link = attr("href").as_deref().and_then(web_link).map(Link::Web);
            }
            "br" => {
                if self.pre > 0 {
                    self.text("\n");
                } else {
                    self.line_break();
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush();
                self.heading = name[1..].parse().ok();
            }
            "ul" | "ol" => {
                self.flush();
                let start = attr("start").and_then(|s| s.trim().parse().ok()).unwrap_or(1);
                self.lists.push((name == "ol", start));
            }
            "li" => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some((true, next)) => {
                        let n = *next;
                        // `start` comes from the feed: any number, up to u32::MAX.
                        *next = next.saturating_add(1);
                        ListMarker::Number(n)
                    }
                    _ => ListMarker::Bullet,
                };
                self.pending_marker = Some(marker);
            }
            "blockquote" => {
                self.flush();
                self.quote += 1;
            }
            "pre" => {
                self.flush();
                self.pre += 1;
            }
            "hr" => {
                self.flush();
                self.blocks.push(Block::Rule);
            }
            "img" => {
                let url = attr("src").as_deref().and_then(web_link).filter(|u| !u.starts_with("mailto:"));
                let tiny = |a| {
                    attr(a).and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok()).is_some_and(|v| v <= 2)
                };
                if let Some(url) = url.filter(|_| !tiny("width") && !tiny("height")) {
                    self.flush();
                    self.blocks.push(Block::Image { url, alt: attr("alt").unwrap_or_default().trim().to_string() });
                }
            }
            "p" | "div" | "section" | "article" | "header" | "footer" | "table" | "tr" | "dl" | "dt" | "dd"
            | "figure" | "figcaption" | "aside" | "nav" | "main" => self.flush(),
            "td" | "th" => self.text(" "),
            _ => {}
        }
        self.restyle();
    }

    fn close(&mut self, name: &str) {
        match name {
            "b" | "strong" => self.bold = self.bold.saturating_sub(1),
            "i" | "em" | "cite" => self.italic = self.italic.saturating_sub(1),
            "u" | "ins" => self.underline = self.underline.saturating_sub(1),
            "code" | "kbd" | "tt" | "samp" => self.code = self.code.saturating_sub(1),
            "a" => self.link = None,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush();
                self.heading = None;
            }
            "ul" | "ol" => {
                self.flush();
                self.lists.pop();
            }
            "li" => self.flush(),
            "blockquote" => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
            }
            "pre" => {
                self.flush();
                self.pre = self.pre.saturating_sub(1);
            }
            "p" | "div" | "section" | "article" | "header" | "footer" | "table" | "tr" | "dl" | "dt" | "dd"
            | "figure" | "figcaption" | "aside" | "nav" | "main" => self.flush(),
            _ => {}
        }
        self.restyle();
    }

    fn line_break(&mut self) {
        // Two <br> in a row make a paragraph break, as they look in a browser.
        match self.spans.last_mut() {
            Some(last) if last.text.ends_with('\n') => {
                last.text.pop();
                self.flush();
            }
            Some(last) if last.link.is_none() && last.style == self.style => last.text.push('\n'),
            Some(_) => self.spans.push(Span { text: "\n".into(), style: self.style, link: None }),
            None => {}
        }
    }

    fn flush(&mut self) {
        let spans = std::mem::take(&mut self.spans);
        let spans = trim_spans(spans);
        if spans.is_empty() {
            return;
        }
        if self.pre > 0 {
            self.blocks.push(Block::Code { text: span_text(&spans) });
            return;
        }
        let spans = linkify(spans);
        let block = if let Some(level) = self.heading {
            Block::Heading { level, spans }
        } else if !self.lists.is_empty() || self.pending_marker.is_some() {
            Block::ListItem {
                depth: self.lists.len().clamp(1, MAX_LIST_DEPTH),
                marker: self.pending_marker.take(),
                spans,
            }
        } else if self.quote > 0 {
            Block::Quote { spans }
        } else {
            Block::Paragraph { spans }
        };
        self.blocks.push(block);
    }
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

/// Drops leading and trailing whitespace of a block, and spans left empty.
fn trim_spans(mut spans: Vec<Span>) -> Vec<Span> {
    if let Some(first) = spans.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = spans.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    spans.retain(|s| !s.text.is_empty());
    spans
}

/// Only web and mail links survive; `javascript:`, `data:` and the like do not.
fn web_link(href: &str) -> Option<String> {
    let href = href.trim();
    let url = url::Url::parse(href).ok()?;
    matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
}

/// Turns bare URLs and timestamps in unlinked, non-code text into links.
fn linkify(spans: Vec<Span>) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        if span.link.is_some() || span.style.code {
            out.push(span);
            continue;
        }
        let mut rest = span.text.as_str();
        while !rest.is_empty() {
            let url = WEB_URL.find(rest).map(|m| {
                let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
                (m.start(), m.start() + trimmed.len(), Link::Web(trimmed.to_string()))
            });
            let time = TIMESTAMP.find(rest).and_then(|m| {
                parse_time(m.as_str(), TimeSource::NotesLink).map(|secs| (m.start(), m.end(), Link::Timestamp(secs)))
            });
            // The earlier match wins, so a timestamp-like piece of a URL stays in the URL.
            let next = match (url, time) {
                (Some(u), Some(t)) => Some(if t.0 < u.0 { t } else { u }),
                (u, t) => u.or(t),
            };
            let Some((start, end, link)) = next else {
                out.push(Span { text: rest.to_string(), ..span.clone() });
                break;
            };
            if start > 0 {
                out.push(Span { text: rest[..start].to_string(), ..span.clone() });
            }
            out.push(Span { text: rest[start..end].to_string(), style: span.style, link: Some(link) });
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(html: &str) -> Document {
        Document::from_notes(html)
    }

    #[test]
    fn headings_lists_links_and_timestamps() {
        let d = doc("<h2>Topics</h2><ul><li>(00:45) Intro</li><li>See <a href=\"https://example.com/x\">this</a> \
             at 1:02:03</li></ul><ol start=\"3\"><li>three</li></ol>");
        assert_eq!(d.blocks[0], Block::Heading { level: 2, spans: vec![plain("Topics")] });
        let Block::ListItem { marker: Some(ListMarker::Bullet), spans, depth: 1 } = &d.blocks[1] else {
            panic!("{:?}", d.blocks[1])
        };
        assert_eq!(spans[1].link, Some(Link::Timestamp(45.0)));
        let links: Vec<_> = d.links().cloned().collect();
        assert_eq!(
            links,
            vec![Link::Timestamp(45.0), Link::Web("https://example.com/x".into()), Link::Timestamp(3723.0)]
        );
        assert!(matches!(d.blocks[3], Block::ListItem { marker: Some(ListMarker::Number(3)), .. }));
    }

    #[test]
    fn a_list_that_starts_at_the_largest_number_does_not_overflow() {
        let d = doc("<ol start=\"4294967295\"><li>a</li><li>b</li></ol>");
        let numbers: Vec<_> = d
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::ListItem { marker: Some(ListMarker::Number(n)), .. } => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(numbers, vec![u32::MAX, u32::MAX]);
    }

    #[test]
    fn script_style_iframes_and_bad_links_are_gone() {
        let d = doc("<p>Hi<script>alert(1)</script><style>p{}</style><iframe src=\"https://x\">frame</iframe> \
             <a href=\"javascript:alert(1)\">js</a> <a href=\"data:text/html,x\">data</a></p>\
             <img src=\"https://t.example/pixel.gif\" width=\"1\" height=\"1\">");
        assert_eq!(d.plain_text(), "Hi js data\n");
        assert_eq!(d.links().count(), 0);
    }

    #[test]
    fn timestamps_inside_urls_stay_in_the_url() {
        let d = doc("Listen at https://example.com/clip?t=12:34 now, or jump to 12:34.");
        let links: Vec<_> = d.links().cloned().collect();
        assert_eq!(links, vec![Link::Web("https://example.com/clip?t=12:34".into()), Link::Timestamp(754.0)]);
    }

    #[test]
    fn plain_text_keeps_paragraphs() {
        let d = doc("First line\nsecond line\n\nNext paragraph https://example.org.");
        assert_eq!(d.blocks.len(), 2);
        assert_eq!(d.links().cloned().collect::<Vec<_>>(), vec![Link::Web("https://example.org".into())]);
    }

    #[test]
    fn hostile_nesting_and_size_are_bounded() {
        let deep = format!("{}deep{}", "<div><ul><li>".repeat(10_000), "</li></ul></div>".repeat(10_000));
        let d = doc(&deep);
        assert!(d.plain_text().contains("deep"));
        let huge = format!("<p>{}</p>", "word ".repeat(1_000_000));
        let d = doc(&huge);
        assert!(d.truncated);
        assert!(d.plain_text().len() <= MAX_NOTES_BYTES);
    }
}
