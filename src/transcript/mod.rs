//! Episode transcripts (`podcast:transcript`): WebVTT, SRT, Podcasting 2.0 JSON, HTML and plain
//! text → one list of cues. Pure: bytes in, cues out; fetching and drawing live elsewhere.
//!
//! Timed formats are read by hand (no regex): times are whole milliseconds until the last step,
//! so `00:01:02.345` is exactly `62_345.0 / 1000.0`. A block that cannot be read is skipped, not
//! the file; a hostile file gets at most `MAX_TRANSCRIPT_BYTES` read and `MAX_CUES` kept.

pub use crate::model::TranscriptLink;
use crate::model::time::{TimeSource, parse_time};
pub use find::first_cue;

pub mod cache;
mod find;
mod json;
mod srt;
mod text;
mod vtt;

/// One timed piece of a transcript.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cue {
    pub start_secs: f64,
    pub end_secs: f64,
    pub speaker: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// Sorted by start.
    pub cues: Vec<Cue>,
    /// false for HTML and plain text: one cue per paragraph, with start = end = 0.
    pub timed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptFormat {
    Vtt,
    Json,
    Srt,
    Html,
    Plain,
}

impl TranscriptFormat {
    /// From a `podcast:transcript` type attribute (text/vtt, application/json,
    /// application/x-subrip, application/srt, text/srt, text/html, text/plain), falling back to
    /// the URL's extension (.vtt .json .srt .html .htm .txt) when the type is missing or unknown.
    pub fn detect(mime: Option<&str>, url: &str) -> Option<Self> {
        mime.and_then(Self::from_mime).or_else(|| Self::from_url(url))
    }

    fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        Some(match essence.as_str() {
            "text/vtt" => Self::Vtt,
            "application/json" | "text/json" => Self::Json,
            "application/x-subrip" | "application/srt" | "text/srt" | "text/x-srt" | "application/x-srt" => Self::Srt,
            "text/html" => Self::Html,
            "text/plain" => Self::Plain,
            _ => return None,
        })
    }

    fn from_url(url: &str) -> Option<Self> {
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let name = path.rsplit('/').next().unwrap_or_default();
        let (_, extension) = name.rsplit_once('.')?;
        Some(match extension.to_ascii_lowercase().as_str() {
            "vtt" => Self::Vtt,
            "json" => Self::Json,
            "srt" => Self::Srt,
            "html" | "htm" => Self::Html,
            "txt" => Self::Plain,
            _ => return None,
        })
    }

    /// Lower is preferred: Vtt < Json < Srt < Html < Plain.
    pub fn preference(self) -> u8 {
        match self {
            Self::Vtt => 0,
            Self::Json => 1,
            Self::Srt => 2,
            Self::Html => 3,
            Self::Plain => 4,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TranscriptError {
    /// Read as "the transcript at … could not be read: {error}".
    #[error("it is {bytes} bytes, more than the 8 MB a transcript may have")]
    TooLarge { bytes: usize },
    #[error("it is not text")]
    NotText,
    #[error("it holds no text")]
    Empty,
    #[error("{0}")]
    Malformed(String),
}

/// Bigger transcripts are refused: a 3-hour transcript is about 1 MB.
pub const MAX_TRANSCRIPT_BYTES: usize = 8 * 1024 * 1024;
/// Reading stops after this many cues.
pub const MAX_CUES: usize = 50_000;

/// Reads a transcript in `format`. Timed cues come out sorted by start (a stable sort: equal
/// starts keep the file's order), each with end >= start.
pub fn parse(bytes: &[u8], format: TranscriptFormat) -> Result<Transcript, TranscriptError> {
    let text = decode(bytes)?;
    let (cues, timed) = match format {
        TranscriptFormat::Vtt => (vtt::parse(&text)?, true),
        TranscriptFormat::Srt => (srt::parse(&text), true),
        TranscriptFormat::Json => (json::parse(&text)?, true),
        TranscriptFormat::Html => (text::parse_html(&text), false),
        TranscriptFormat::Plain => (text::parse_plain(&text), false),
    };
    finish(cues, timed)
}

/// Bytes → text with `\n` line ends: the size and binary checks, the BOM, lossy UTF-8 (UTF-16
/// only when a BOM says so).
fn decode(bytes: &[u8]) -> Result<String, TranscriptError> {
    if bytes.len() > MAX_TRANSCRIPT_BYTES {
        return Err(TranscriptError::TooLarge { bytes: bytes.len() });
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, u16::from_le_bytes as fn([u8; 2]) -> u16)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, u16::from_be_bytes as fn([u8; 2]) -> u16)),
        _ => None,
    };
    let text = match utf16 {
        Some((rest, unit)) => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|pair| unit([pair[0], pair[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        None => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let head = &bytes[..bytes.len().min(4096)];
            let nuls = head.iter().filter(|&&b| b == 0).count();
            if nuls * 100 > head.len() {
                return Err(TranscriptError::NotText);
            }
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    Ok(match text.contains('\r') {
        true => text.replace("\r\n", "\n").replace('\r', "\n"),
        false => text,
    })
}

fn finish(mut cues: Vec<Cue>, timed: bool) -> Result<Transcript, TranscriptError> {
    if cues.is_empty() {
        return Err(TranscriptError::Empty);
    }
    cues.truncate(MAX_CUES);
    if timed && !cues.is_sorted_by(|a, b| a.start_secs <= b.start_secs) {
        cues.sort_by(|a, b| a.start_secs.total_cmp(&b.start_secs));
    }
    Ok(Transcript { cues, timed })
}

/// The format a transcript link's MIME type (or, failing that, its address) names.
pub fn link_format(link: &TranscriptLink) -> Option<TranscriptFormat> {
    TranscriptFormat::detect(link.mime.as_deref(), &link.url)
}

/// The one to show: among the links in `language` (e.g. "en"; the primary subtags are compared,
/// ignoring case; a link without a language counts as matching), the most preferred format. A
/// link that names the language wins a tie with one that names none; then the feed's order.
/// When no link is in `language`, the best of any language: a transcript in another language
/// beats none. `rel="captions"` does not disqualify. None when no link has a known format.
pub fn choose<'a>(links: &'a [TranscriptLink], language: Option<&str>) -> Option<&'a TranscriptLink> {
    let primary = |tag: &str| tag.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    let wanted = language.map(primary).filter(|l| !l.is_empty());
    let known = || links.iter().filter_map(|link| Some((link, link_format(link)?)));
    let matches = |link: &TranscriptLink| match (&wanted, link.language.as_deref().map(primary)) {
        (Some(wanted), Some(theirs)) if !theirs.is_empty() => *wanted == theirs,
        _ => true,
    };
    let named = |link: &TranscriptLink| link.language.as_deref().is_some_and(|l| !l.trim().is_empty());
    known()
        .filter(|(link, _)| matches(link))
        .min_by_key(|(link, format)| (format.preference(), !named(link)))
        .or_else(|| known().min_by_key(|(_, format)| format.preference()))
        .map(|(link, _)| link)
}

/// Index of the cue playing at `secs`: the last cue whose start <= `secs`; None before the
/// first. A binary search (called every frame); `cues` must be sorted by start, as `parse`
/// leaves them.
pub fn cue_at(cues: &[Cue], secs: f64) -> Option<usize> {
    cues.partition_point(|cue| cue.start_secs <= secs).checked_sub(1)
}

/// A cue from its start and end in seconds: end is never before start.
fn timed_cue(start_secs: f64, end_secs: f64, speaker: Option<String>, text: String) -> Cue {
    Cue { start_secs, end_secs: end_secs.max(start_secs), speaker, text }
}

/// `start --> end [settings]` in seconds, read as written at `source`; anything after the end
/// time (WebVTT cue settings, SRT coordinates) is ignored.
fn parse_timing(line: &str, source: TimeSource) -> Option<(f64, f64)> {
    let (start, rest) = line.split_once("-->")?;
    let end = rest.split_ascii_whitespace().next()?;
    Some((parse_time(start, source)?, parse_time(end, source)?))
}

/// The blocks of a text with `\n` line ends: runs of lines separated by blank (or
/// whitespace-only) lines.
fn blocks(text: &str) -> impl Iterator<Item = Vec<&str>> {
    let mut lines = text.split('\n').peekable();
    std::iter::from_fn(move || {
        while lines.next_if(|line| line.trim().is_empty()).is_some() {}
        let block: Vec<&str> = std::iter::from_fn(|| lines.next_if(|line| !line.trim().is_empty())).collect();
        (!block.is_empty()).then_some(block)
    })
}

/// The cues of one block of a timed format: `[identifier]` then a timing line, then text lines
/// until a line holding `-->` starts the next cue. A block whose timing cannot be read is
/// skipped. `cue` turns (start, end, text lines) into a cue, or None to skip it.
fn timed_block(lines: &[&str], srt: bool, cues: &mut Vec<Cue>, mut cue: impl FnMut(f64, f64, &[&str]) -> Option<Cue>) {
    let mut at = 0;
    while at < lines.len() && cues.len() < MAX_CUES {
        let timing_at = match lines[at].contains("-->") {
            true => at,
            false if lines.get(at + 1).is_some_and(|l| l.contains("-->")) => at + 1,
            false => return,
        };
        let mut end = timing_at + 1;
        while end < lines.len() && !lines[end].contains("-->") {
            end += 1;
        }
        let mut text_end = end;
        // SRT without the blank line before the next cue: its index number ends this text.
        if srt
            && end < lines.len()
            && text_end > timing_at + 2
            && lines[text_end - 1].trim().bytes().all(|b| b.is_ascii_digit())
        {
            text_end -= 1;
            end -= 1;
        }
        let source = if srt { TimeSource::SubRip } else { TimeSource::Cue };
        if let Some((start, stop)) = parse_timing(lines[timing_at], source)
            && let Some(c) = cue(start, stop, &lines[timing_at + 1..text_end])
        {
            cues.push(c);
        }
        at = end;
    }
}

/// Joins text lines with single spaces and collapses runs of spaces and tabs.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split([' ', '\t', '\n']).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, mime: Option<&str>, language: Option<&str>) -> TranscriptLink {
        TranscriptLink { url: url.into(), mime: mime.map(Into::into), language: language.map(Into::into), rel: None }
    }

    fn cue(start: f64) -> Cue {
        Cue { start_secs: start, end_secs: start + 1.0, speaker: None, text: "x".into() }
    }

    #[test]
    fn formats_from_type_then_extension() {
        use TranscriptFormat::*;
        assert_eq!(TranscriptFormat::detect(Some("text/vtt"), "https://a/b"), Some(Vtt));
        assert_eq!(TranscriptFormat::detect(Some("Application/JSON; charset=utf-8"), ""), Some(Json));
        assert_eq!(TranscriptFormat::detect(Some("application/x-subrip"), ""), Some(Srt));
        assert_eq!(TranscriptFormat::detect(Some("application/srt"), ""), Some(Srt));
        assert_eq!(TranscriptFormat::detect(Some("text/srt"), ""), Some(Srt));
        assert_eq!(TranscriptFormat::detect(Some("text/html"), "x.vtt"), Some(Html));
        assert_eq!(TranscriptFormat::detect(Some("text/plain"), ""), Some(Plain));
        assert_eq!(TranscriptFormat::detect(None, "https://a.com/ep/1.VTT?token=x.srt#t"), Some(Vtt));
        assert_eq!(TranscriptFormat::detect(Some("application/octet-stream"), "https://a/t.srt"), Some(Srt));
        assert_eq!(TranscriptFormat::detect(None, "https://a/t.htm"), Some(Html));
        assert_eq!(TranscriptFormat::detect(None, "https://a/t.html"), Some(Html));
        assert_eq!(TranscriptFormat::detect(None, "https://a/t.txt"), Some(Plain));
        assert_eq!(TranscriptFormat::detect(None, "https://a/t.json"), Some(Json));
        assert_eq!(TranscriptFormat::detect(None, "https://a.vtt/transcript"), None);
        assert_eq!(TranscriptFormat::detect(Some("audio/mpeg"), "https://a/t.mp3"), None);
        assert_eq!(TranscriptFormat::detect(None, ""), None);
        let order: Vec<u8> = [Vtt, Json, Srt, Html, Plain].map(TranscriptFormat::preference).to_vec();
        assert_eq!(order, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn choose_prefers_language_then_format() {
        let srt_en = link("https://a/t.srt", Some("application/srt"), Some("en"));
        let vtt_en = link("https://a/t.vtt", Some("text/vtt"), Some("en-US"));
        let vtt_de = link("https://a/de.vtt", Some("text/vtt"), Some("de"));
        let unknown = link("https://a/t.pdf", Some("application/pdf"), Some("en"));

        // VTT beats SRT in the same language, whatever the feed's order.
        let links = [unknown.clone(), srt_en.clone(), vtt_en.clone()];
        assert_eq!(choose(&links, Some("en")), Some(&links[2]));
        assert_eq!(choose(&links, Some("EN-gb")), Some(&links[2]));
        // A German VTT loses to an English SRT when asking for English…
        let links = [vtt_de.clone(), srt_en.clone()];
        assert_eq!(choose(&links, Some("en")), Some(&links[1]));
        // …and wins when asking for German, or for no language at all.
        assert_eq!(choose(&links, Some("de")), Some(&links[0]));
        assert_eq!(choose(&links, None), Some(&links[0]));
        // Nothing in French: the best of any language rather than nothing.
        assert_eq!(choose(&links, Some("fr")), Some(&links[0]));
        // Unknown types are ignored; only unknown types → None.
        let links = [unknown.clone(), srt_en.clone()];
        assert_eq!(choose(&links, Some("en")), Some(&links[1]));
        assert_eq!(choose(std::slice::from_ref(&unknown), Some("en")), None);
        assert_eq!(choose(&[], Some("en")), None);
        // No language counts as matching; with the same format the named one wins the tie.
        let bare = link("https://a/t.vtt", None, None);
        let links = [vtt_de.clone(), bare.clone(), srt_en.clone()];
        assert_eq!(choose(&links, Some("en")), Some(&links[1]));
        let links = [bare.clone(), vtt_en.clone()];
        assert_eq!(choose(&links, Some("en")), Some(&links[1]));
        // Captions are transcripts too.
        let captions = TranscriptLink { rel: Some("captions".into()), ..vtt_en.clone() };
        let links = [srt_en, captions];
        assert_eq!(choose(&links, Some("en")), Some(&links[1]));
    }

    #[test]
    fn cue_at_edges() {
        let cues = [cue(1.0), cue(2.0), cue(2.0), cue(5.5)];
        assert_eq!(cue_at(&cues, 0.0), None);
        assert_eq!(cue_at(&cues, 0.999), None);
        assert_eq!(cue_at(&cues, 1.0), Some(0));
        assert_eq!(cue_at(&cues, 1.999), Some(0));
        assert_eq!(cue_at(&cues, 2.0), Some(2));
        assert_eq!(cue_at(&cues, 5.4999), Some(2));
        assert_eq!(cue_at(&cues, 5.5), Some(3));
        assert_eq!(cue_at(&cues, 1e12), Some(3));
        assert_eq!(cue_at(&cues, f64::INFINITY), Some(3));
        assert_eq!(cue_at(&cues, f64::NAN), None);
        assert_eq!(cue_at(&cues, -1.0), None);
        assert_eq!(cue_at(&[], 3.0), None);
    }

    #[test]
    fn cue_timings() {
        assert_eq!(parse_timing("00:01.000 --> 00:02.500 align:start position:10%", TimeSource::Cue), Some((1.0, 2.5)));
        assert_eq!(parse_timing("00:01.000-->00:02.500", TimeSource::Cue), Some((1.0, 2.5)));
        assert_eq!(parse_timing("00:01.000 --> ", TimeSource::Cue), None);
    }

    #[test]
    fn decoding_checks_size_binary_bom_and_line_ends() {
        let big = vec![b'a'; 9 * 1024 * 1024];
        for format in [TranscriptFormat::Vtt, TranscriptFormat::Json, TranscriptFormat::Plain] {
            assert_eq!(parse(&big, format), Err(TranscriptError::TooLarge { bytes: 9 * 1024 * 1024 }));
        }
        let mut binary = b"WEBVTT\n\n".to_vec();
        binary.extend((0..4000u32).map(|i| if i % 50 == 0 { 0 } else { b'x' }));
        assert_eq!(parse(&binary, TranscriptFormat::Vtt), Err(TranscriptError::NotText));
        assert_eq!(decode(b"\xEF\xBB\xBFa\r\nb\rc\n").unwrap(), "a\nb\nc\n");
        assert_eq!(decode(b"caf\xC3\xA9 \xFF").unwrap(), "café \u{FFFD}");
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("hé\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&utf16).unwrap(), "hé\n");
        let utf16: Vec<u8> = [0xFE, 0xFF].into_iter().chain("hé".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&utf16).unwrap(), "hé");
        assert_eq!(parse(b"", TranscriptFormat::Plain), Err(TranscriptError::Empty));
        assert_eq!(parse(b"  \n\n \t\n", TranscriptFormat::Srt), Err(TranscriptError::Empty));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..200 {
            let len = 1 + (round * 37) % 3000;
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed >> 24) as u8
                })
                .collect();
            if round % 2 == 0 {
                // Text-like garbage, so that the parsers themselves see it.
                bytes.retain(|&b| b != 0);
                if round % 4 == 0 {
                    bytes = [b"WEBVTT\n".as_slice(), &bytes].concat();
                }
            }
            for format in [
                TranscriptFormat::Vtt,
                TranscriptFormat::Srt,
                TranscriptFormat::Json,
                TranscriptFormat::Html,
                TranscriptFormat::Plain,
            ] {
                if let Ok(t) = parse(&bytes, format) {
                    assert!(!t.cues.is_empty());
                    assert!(t.cues.iter().all(|c| c.end_secs >= c.start_secs && c.start_secs >= 0.0));
                }
            }
            if round % 2 == 1 && bytes.len() >= 100 {
                assert!(matches!(
                    parse(&bytes, TranscriptFormat::Vtt),
                    Err(TranscriptError::NotText | TranscriptError::Malformed(_))
                ));
            }
        }
    }

    #[test]
    fn blocks_split_on_blank_and_whitespace_lines() {
        let found: Vec<Vec<&str>> = blocks("\n\n a\nb\n \t\n\n\nc\n").collect();
        assert_eq!(found, vec![vec![" a", "b"], vec!["c"]]);
        assert_eq!(blocks("").count(), 0);
        assert_eq!(collapse(" a \t b\nc  "), "a b c");
    }
}
