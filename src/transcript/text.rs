//! Untimed transcripts: HTML and plain text, one cue per paragraph with start = end = 0.
//!
//! HTML goes through the show-notes reader (`notes::Document`: html5ever's tokenizer and a
//! whitelist walker, linear in the input). The spec's HTML names the speaker in a `<cite>` and
//! the time in a `<time>` before each `<p>`: such a label block gives the speaker of the
//! paragraphs after it and is not a cue itself.

use crate::notes::{Block, Document, Link, MAX_NOTES_BYTES, Span};

use super::Cue;

/// The notes reader cuts at `MAX_NOTES_BYTES`; longer transcripts are read in pieces of about
/// this size, each ending after a `</p>` where there is one.
const PIECE_BYTES: usize = MAX_NOTES_BYTES / 2;

pub(super) fn parse_html(html: &str) -> Vec<Cue> {
    let mut cues = Vec::new();
    let mut speaker: Option<String> = None;
    for piece in pieces(html) {
        // `<p>` first: the notes reader takes a piece with none of the tags it knows for plain
        // text, and would show the markup.
        for block in Document::from_notes(&format!("<p>{piece}")).blocks {
            let spans = match &block {
                Block::Heading { spans, .. }
                | Block::Paragraph { spans }
                | Block::ListItem { spans, .. }
                | Block::Quote { spans } => spans,
                Block::Code { text } => {
                    for paragraph in paragraphs(text) {
                        push(&mut cues, speaker.clone(), paragraph);
                    }
                    continue;
                }
                Block::Rule | Block::Image { .. } => continue,
            };
            if let Some(label) = speaker_label(spans) {
                speaker = label;
                continue;
            }
            let text: String = spans.iter().map(|s| s.text.as_str()).collect();
            // A single `<br>` is a line break the transcript meant: each line is a cue.
            for line in text.split('\n') {
                push(&mut cues, speaker.clone(), super::collapse(line));
            }
        }
        if cues.len() >= super::MAX_CUES {
            break;
        }
    }
    cues.truncate(super::MAX_CUES);
    cues
}

pub(super) fn parse_plain(text: &str) -> Vec<Cue> {
    let mut cues = Vec::new();
    for paragraph in paragraphs(text) {
        if cues.len() >= super::MAX_CUES {
            break;
        }
        push(&mut cues, None, paragraph);
    }
    cues
}

/// Paragraphs are separated by blank lines, and their lines joined with spaces (plain text is
/// often wrapped). A text without any blank line is one paragraph a line.
fn paragraphs(text: &str) -> Vec<String> {
    let blocks: Vec<Vec<&str>> = super::blocks(text).collect();
    match blocks.len() {
        1 => blocks[0].iter().map(|line| super::collapse(line)).collect(),
        _ => blocks.iter().map(|lines| super::collapse(&lines.join(" "))).collect(),
    }
}

fn push(cues: &mut Vec<Cue>, speaker: Option<String>, text: String) {
    if !text.is_empty() {
        cues.push(Cue { start_secs: 0.0, end_secs: 0.0, speaker, text });
    }
}

/// A block that only labels what follows: `<cite>Name:</cite> <time>0:00</time>`, `Name: 0:00`
/// or a bare time. `Some(speaker)` for a label (None when it names nobody).
fn speaker_label(spans: &[Span]) -> Option<Option<String>> {
    let is_time = |s: &Span| matches!(s.link, Some(Link::Timestamp(_)));
    let has_time = spans.iter().any(is_time);
    let cite = spans.first().is_some_and(|s| s.style.italic && !is_time(s))
        && spans.iter().skip(1).all(|s| is_time(s) || s.text.trim().is_empty());
    if !cite && !has_time {
        return None;
    }
    let words: String = spans.iter().filter(|s| !is_time(s)).map(|s| s.text.as_str()).collect();
    let words = super::collapse(&words);
    let name = match words.strip_suffix(':') {
        Some(name) => name.trim_end(),
        None if cite || words.is_empty() => words.as_str(),
        None => return None,
    };
    let plausible = name.chars().count() <= 60 && !name.contains(['?', '!', '\n']);
    plausible.then(|| (!name.is_empty()).then(|| name.to_string()))
}

/// `html` in pieces the notes reader reads whole.
fn pieces(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut window = PIECE_BYTES.min(rest.len());
        while !rest.is_char_boundary(window) {
            window -= 1;
        }
        let cut = match window == rest.len() {
            true => window,
            false => {
                let bytes = &rest.as_bytes()[..window];
                let after_paragraph = (0..window.saturating_sub(3))
                    .rev()
                    .find(|&i| bytes[i..i + 4].eq_ignore_ascii_case(b"</p>"))
                    .map(|i| i + 4);
                after_paragraph.or_else(|| rest[..window].rfind('>').map(|i| i + 1)).unwrap_or(window)
            }
        };
        let (piece, tail) = rest.split_at(cut.max(1).min(rest.len()));
        rest = tail;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Cue, TranscriptError, TranscriptFormat, parse};
    use super::*;

    fn untimed(bytes: &[u8], format: TranscriptFormat) -> Result<Vec<(Option<String>, String)>, TranscriptError> {
        let t = parse(bytes, format)?;
        assert!(!t.timed);
        assert!(t.cues.iter().all(|c| c.start_secs == 0.0 && c.end_secs == 0.0));
        Ok(t.cues.into_iter().map(|c: Cue| (c.speaker, c.text)).collect())
    }

    fn said(speaker: Option<&str>, text: &str) -> (Option<String>, String) {
        (speaker.map(Into::into), text.into())
    }

    #[test]
    fn spec_html_example() {
        // The Podcasting 2.0 transcripts spec's HTML snippet (CC0).
        let file = "<cite>Kevin:</cite>
<time>0:00</time>
<p>We have an update planned where we would like to give the ability to upload an artwork file for these videos</p>
<cite>Alban :</cite>
<time>0:09</time>
<p>You're triggering Tom right now with a hey, here's a cool feature.</p>";
        assert_eq!(
            untimed(file.as_bytes(), TranscriptFormat::Html).unwrap(),
            [
                said(
                    Some("Kevin"),
                    "We have an update planned where we would like to give the ability to upload an artwork file for these videos"
                ),
                said(Some("Alban"), "You're triggering Tom right now with a hey, here's a cool feature."),
            ]
        );
    }

    #[test]
    fn html_paragraphs() {
        let file = "<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head><body>
<h1>Episode 12</h1>
<p>First &amp; <b>bold</b>\n   paragraph.</p>
<p>Line one<br>Line two<br><br>After a double break</p>
<script>alert('<p>no</p>')</script>
<div><p><i>Emphasis</i> is not a speaker label: see 1:00 for why.</p></div>
<p>   </p><ul><li>an item</li></ul>
<p><time>12:34</time></p><p>after a bare time</p>
<pre>pre one
pre two</pre>
</body></html>";
        assert_eq!(
            untimed(file.as_bytes(), TranscriptFormat::Html).unwrap(),
            [
                said(None, "Episode 12"),
                said(None, "First & bold paragraph."),
                said(None, "Line one"),
                said(None, "Line two"),
                said(None, "After a double break"),
                said(None, "Emphasis is not a speaker label: see 1:00 for why."),
                said(None, "an item"),
                said(None, "after a bare time"),
                said(None, "pre one"),
                said(None, "pre two"),
            ]
        );
        assert_eq!(
            untimed(b"<html><body> <p></p> </body></html>", TranscriptFormat::Html),
            Err(TranscriptError::Empty)
        );
        // Markup the notes reader does not know is still markup, not text.
        assert_eq!(
            untimed(b"<html><body><cite>Ann:</cite> hello</body></html>", TranscriptFormat::Html).unwrap(),
            [said(None, "Ann: hello")]
        );
    }

    #[test]
    fn long_html_is_read_in_pieces() {
        let mut file = String::from("<html><body>");
        for i in 0..10_000 {
            let time = format!("{}:{:02}:{:02}", i / 3600, i / 60 % 60, i % 60);
            file.push_str(&format!("<cite>S{}:</cite><time>{time}</time><p>Paragraph number {i} é.</p>\n", i % 3));
        }
        file.push_str("</body></html>");
        assert!(file.len() > MAX_NOTES_BYTES);
        let cues = untimed(file.as_bytes(), TranscriptFormat::Html).unwrap();
        assert_eq!(cues.len(), 10_000);
        for (i, (speaker, text)) in cues.iter().enumerate() {
            assert_eq!(speaker.as_deref(), Some(format!("S{}", i % 3).as_str()));
            assert_eq!(text, &format!("Paragraph number {i} é."));
        }
        let joined: String = pieces(&file).collect();
        assert_eq!(joined, file);
        assert!(pieces(&file).all(|p| p.len() <= PIECE_BYTES));
        // No `</p>` or `>` at all, and multi-byte text: cut at a character boundary.
        let file = "é".repeat(PIECE_BYTES);
        let parts: Vec<&str> = pieces(&file).collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts.concat(), file);
    }

    #[test]
    fn plain_paragraphs() {
        let file = "\u{feff}Alice: first paragraph\r\nwrapped here.\r\n\r\n\r\n  Bob: second.  \n \nthird\n";
        assert_eq!(
            untimed(file.as_bytes(), TranscriptFormat::Plain).unwrap(),
            [said(None, "Alice: first paragraph wrapped here."), said(None, "Bob: second."), said(None, "third")]
        );
        // No blank line anywhere: each line is a paragraph.
        assert_eq!(
            untimed(b"one\ntwo\n\tthree  \n", TranscriptFormat::Plain).unwrap(),
            [said(None, "one"), said(None, "two"), said(None, "three")]
        );
        assert_eq!(untimed(b"\n \n\t\n", TranscriptFormat::Plain), Err(TranscriptError::Empty));
        let many = "w\n\n".repeat(super::super::MAX_CUES + 3);
        assert_eq!(untimed(many.as_bytes(), TranscriptFormat::Plain).unwrap().len(), super::super::MAX_CUES);
    }
}
