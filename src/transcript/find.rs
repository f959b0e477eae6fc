//! Where in a transcript a search hit is, without reading the whole transcript: the first cue
//! that a search accepts, exactly as `parse` would list it, found in WebVTT and SRT by looking
//! for one of the searched words in the text and reading only the cue blocks around it. Other
//! formats, and anything the look cannot be sure of, are read whole.
//!
//! The look is exact because of what the caller promises about `needle` (see `first_cue`) and
//! because a cue's text is its block's lines joined with spaces, its markup removed, entities
//! decoded (to `&`, `<`, `>`, quotes, a no-break space or a direction mark: never a letter or
//! digit) and its spaces collapsed. So a cue can only hold the needle, or a letter or digit
//! beyond ASCII, when its block does, or when removing a tag joins letters: a `<` (or in SRT a
//! `{`) right after an ASCII letter or digit. Those blocks are the only ones read.

use memchr::memmem;

use super::{Cue, MAX_CUES, TranscriptFormat, srt, vtt};
use crate::model::time::{TimeSource, parse_time};

/// The first cue of the transcript (sorted by start, as `parse` leaves them) that `found`
/// accepts: its start (None when the transcript is untimed) and what `found` said. None when
/// no cue is accepted or the transcript does not read.
///
/// `needle`, lowercase ASCII letters and digits, may say where to look: `found` must then
/// accept only cues whose text holds it (ignoring ASCII case) or holds a non-ASCII letter,
/// digit or private-use character. Without it, the transcript is read whole.
pub fn first_cue<T>(
    bytes: &[u8],
    format: TranscriptFormat,
    needle: Option<&str>,
    mut found: impl FnMut(&Cue) -> Option<T>,
) -> Option<(Option<f64>, T)> {
    let usable = |n: &&str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    let srt = match format {
        TranscriptFormat::Vtt => false,
        TranscriptFormat::Srt => true,
        _ => return read_whole(bytes, format, found),
    };
    match needle.filter(usable).map(|needle| look(bytes, srt, needle, &mut found)) {
        Some(Look::Found(start, said)) => Some((Some(start), said)),
        Some(Look::Nowhere) => None,
        Some(Look::Unsure) | None => read_whole(bytes, format, found),
    }
}

/// What `parse` and a search of its cues in order say.
fn read_whole<T>(
    bytes: &[u8],
    format: TranscriptFormat,
    mut found: impl FnMut(&Cue) -> Option<T>,
) -> Option<(Option<f64>, T)> {
    let transcript = super::parse(bytes, format).ok()?;
    transcript.cues.iter().find_map(|cue| Some((transcript.timed.then_some(cue.start_secs), found(cue)?)))
}

enum Look<T> {
    Found(f64, T),
    /// No cue is accepted, or the transcript does not read: what `parse` would say too.
    Nowhere,
    /// Read it whole (too many cues to be sure which are kept, or cues out of order).
    Unsure,
}

fn look<T>(bytes: &[u8], srt: bool, needle: &str, found: &mut impl FnMut(&Cue) -> Option<T>) -> Look<T> {
    let Ok(text) = super::decode(bytes) else { return Look::Nowhere };
    // `parse` keeps at most MAX_CUES: below this size there cannot be more (a cue takes at
    // least 8 bytes), and each cue has a timing line of its own.
    if text.len() > 7 * MAX_CUES && memmem::find_iter(text.as_bytes(), b"-->").count() > MAX_CUES {
        return Look::Unsure;
    }
    let Some(first_line) = first_full_line(&text) else { return Look::Nowhere };
    if !srt {
        let header = block_at(&text, first_line).unwrap_or_default();
        if !vtt::header_ok(&text[header.0..header.1].split('\n').collect::<Vec<_>>()) {
            return Look::Nowhere;
        }
    }
    let lowered = text.to_ascii_lowercase();
    let mut places = Places::new(&text, &lowered, needle, srt);
    let mut from = 0;
    while let Some(at) = places.next_from(from) {
        let Some((start, end)) = block_at(&text, at) else {
            from = line_end(&text, at) + 1;
            continue;
        };
        let lines: Vec<&str> = text[start..end].split('\n').collect();
        let mut cues = Vec::new();
        match (srt, start == first_line) {
            (true, _) => srt::block_cues(&lines, &mut cues),
            (false, true) => vtt::header_cues(&lines, &mut cues),
            (false, false) => vtt::block_cues(&lines, &mut cues),
        }
        for (i, cue) in cues.iter().enumerate() {
            if let Some(said) = found(cue) {
                let at_secs = cue.start_secs;
                // A later cue starting before it would come first once sorted.
                let in_order = cues[i + 1..].iter().all(|c| c.start_secs >= at_secs)
                    && no_cue_starts_before(&text[end..], srt, at_secs);
                return if in_order { Look::Found(at_secs, said) } else { Look::Unsure };
            }
        }
        from = end;
    }
    Look::Nowhere
}

/// Where the blocks worth reading may be, in order: the needle (in the ASCII-lowercased text,
/// whose offsets are the text's), non-ASCII letters and digits, and tags right after a letter.
struct Places<'a> {
    text: &'a str,
    needles: std::iter::Peekable<memmem::FindIter<'a, 'a>>,
    ascii: bool,
    srt: bool,
}

impl<'a> Places<'a> {
    fn new(text: &'a str, lowered: &'a str, needle: &'a str, srt: bool) -> Self {
        Self {
            text,
            needles: memmem::find_iter(lowered.as_bytes(), needle.as_bytes()).peekable(),
            ascii: text.is_ascii(),
            srt,
        }
    }

    /// The first place at or after byte `from`.
    fn next_from(&mut self, from: usize) -> Option<usize> {
        if from >= self.text.len() {
            return None;
        }
        while self.needles.next_if(|&at| at < from).is_some() {}
        let needle = self.needles.peek().copied();
        // Nothing else can come before the next needle: look no further than it.
        let until = needle.unwrap_or(self.text.len());
        let tag = self.tag_after_letter(from, until);
        let wide = if self.ascii { None } else { self.wide_letter(from, tag.unwrap_or(until)) };
        [needle, tag, wide].into_iter().flatten().min()
    }

    /// A tag's start (`<`; in SRT `{` too) in `from..until` right after an ASCII letter or digit.
    fn tag_after_letter(&self, from: usize, until: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let marks = &bytes[from..until];
        let mut at = 0;
        let next = |rest: &[u8]| if self.srt { memchr::memchr2(b'<', b'{', rest) } else { memchr::memchr(b'<', rest) };
        while let Some(found) = next(&marks[at..]) {
            let place = from + at + found;
            if place > 0 && bytes[place - 1].is_ascii_alphanumeric() {
                return Some(place);
            }
            at += found + 1;
        }
        None
    }

    /// A non-ASCII letter, digit or private-use character in `from..until` (char boundaries or
    /// not: `from` always is one, and a character is taken whole).
    fn wide_letter(&self, from: usize, until: usize) -> Option<usize> {
        let bytes = &self.text.as_bytes()[from..until];
        let mut at = 0;
        while let Some(found) = bytes[at..].iter().position(|b| !b.is_ascii()) {
            let place = from + at + found;
            let c = self.text[place..].chars().next()?;
            if c.is_alphanumeric() || ('\u{E000}'..='\u{F8FF}').contains(&c) {
                return Some(place);
            }
            at += found + c.len_utf8();
        }
        None
    }
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn line_start(text: &str, at: usize) -> usize {
    memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |nl| nl + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |nl| at + nl)
}

/// The start of the first line that is not blank: the first block's.
fn first_full_line(text: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let end = line_end(text, at);
        if !is_blank(&text[at..end]) {
            return Some(at);
        }
        if end == text.len() {
            return None;
        }
        at = end + 1;
    }
}

/// The block (a run of lines that are not blank, as `super::blocks` reads them) holding byte
/// `at`: from its first line's start to its last line's end. None when that line is blank.
fn block_at(text: &str, at: usize) -> Option<(usize, usize)> {
    let (mut start, mut end) = (line_start(text, at), line_end(text, at));
    if is_blank(&text[start..end]) {
        return None;
    }
    while start > 0 {
        let before = line_start(text, start - 1);
        if is_blank(&text[before..start - 1]) {
            break;
        }
        start = before;
    }
    while end < text.len() {
        let after = line_end(text, end + 1);
        if is_blank(&text[end + 1..after]) {
            break;
        }
        end = after;
    }
    Some((start, end))
}

/// True when no timing line in `rest` starts before `secs` (lines that do not read as one
/// make no cue; lines in NOTE blocks are looked at too, which only errs towards reading whole).
fn no_cue_starts_before(rest: &str, srt: bool, secs: f64) -> bool {
    let source = if srt { TimeSource::SubRip } else { TimeSource::Cue };
    let mut last_line = None;
    for arrow in memmem::find_iter(rest.as_bytes(), b"-->") {
        let start = line_start(rest, arrow);
        if last_line == Some(start) {
            continue;
        }
        last_line = Some(start);
        if parse_time(&rest[start..arrow], source).is_some_and(|s| s < secs) {
            return false;
        }
    }
    true
}
