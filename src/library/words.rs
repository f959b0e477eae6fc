//! The index's word rules in Rust, for finding where in a transcript or a chapter list a hit
//! is (the moments index keeps no positions): words are runs of letters and digits, compared
//! case-folded with diacritics removed, each query word as a word but the last as the start of
//! one — as FTS5's `unicode61 remove_diacritics 2` tokenizer and `search::fts_query` do.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::search::{MATCH_END, MATCH_START, query_words};

/// True for a character FTS5's unicode61 keeps in a token (letters, digits, private use).
fn is_token_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{E000}'..='\u{F8FF}').contains(&c)
}

/// Appends `token` case-folded and without diacritics to `out`.
fn fold_into(token: &str, out: &mut String) {
    if token.is_ascii() {
        out.extend(token.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.extend(token.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase));
    }
}

/// The tokens of `text`, folded, with their byte spans in `text`.
fn tokens(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = rest.by_ref().find(|(_, c)| is_token_char(*c))?;
        let mut end = text.len();
        while let Some(&(at, c)) = rest.peek() {
            if !is_token_char(c) {
                end = at;
                break;
            }
            rest.next();
        }
        Some((start, end))
    })
}

/// What a search looks for, as the index sees it: each query word as its folded tokens (a word
/// such as `don't` is two, found one after the other); the last token of the last word is a
/// prefix, the rest whole words.
#[derive(Debug, Clone)]
pub struct QueryWords {
    words: Vec<Vec<String>>,
}

impl QueryWords {
    pub fn of(input: &str) -> Self {
        let words = query_words(input)
            .into_iter()
            .map(|word| {
                tokens(word)
                    .map(|(start, end)| {
                        let mut folded = String::new();
                        fold_into(&word[start..end], &mut folded);
                        folded
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|tokens| !tokens.is_empty())
            .collect();
        Self { words }
    }

    /// An FTS5 query for an index without positions (`detail=none` takes no phrases): every
    /// token, in any order, the very last as the start of a word. It may find a little more than
    /// the words themselves; `marked` says which of those really hold them.
    pub fn fts_any_order(&self) -> Option<String> {
        let tokens: Vec<String> = self.words.iter().flatten().map(|t| format!("\"{t}\"")).collect();
        (!tokens.is_empty()).then(|| tokens.join(" ") + "*")
    }

    /// Each query word with whether its last token is a prefix (the last word's only).
    fn each(&self) -> impl Iterator<Item = (&[String], bool)> {
        let last = self.words.len().saturating_sub(1);
        self.words.iter().enumerate().map(move |(i, word)| (word.as_slice(), i == last))
    }

    /// `text` with every query word marked (`MATCH_START`/`MATCH_END`), or None when one of
    /// them is not in it. A long text is cut to the words around the first match.
    pub fn marked(&self, text: &str) -> Option<String> {
        let spans = folded_spans(text);
        let mut hit = vec![false; spans.len()];
        for (word, prefix) in self.each() {
            if !mark(word, prefix, &spans, &mut hit) {
                return None;
            }
        }
        Some(cut_and_mark(text, &spans, &hit))
    }

    /// `text` with each place that holds one of the query words marked, cut to the words around
    /// the first; None when it holds none of them. (One field of a hit whose words may be spread
    /// over the title and the notes.)
    pub fn marked_any(&self, text: &str) -> Option<String> {
        let spans = folded_spans(text);
        let mut hit = vec![false; spans.len()];
        for (word, prefix) in self.each() {
            mark(word, prefix, &spans, &mut hit);
        }
        hit.contains(&true).then(|| cut_and_mark(text, &spans, &hit))
    }

    /// One query token to look for in a transcript's text before reading its cues: the longest
    /// ASCII one (likely the rarest). A text `marked` accepts holds it, ignoring ASCII case, or
    /// holds a non-ASCII letter, digit or private-use character (one that may fold to it).
    pub fn needle(&self) -> Option<&str> {
        self.words.iter().flatten().filter(|t| t.is_ascii()).max_by_key(|t| t.len()).map(String::as_str)
    }

    /// Quickly: could `text` hold every word? (A case-insensitive look for each word's first
    /// token; false only when one is surely absent.)
    pub fn may_match(&self, text: &str) -> bool {
        if !text.is_ascii() {
            return true;
        }
        self.words.iter().all(|word| match word[0].is_ascii() {
            true => contains_ignoring_ascii_case(text.as_bytes(), word[0].as_bytes()),
            false => true,
        })
    }
}

/// The tokens of `text` with their byte spans, folded as the index folds them.
fn folded_spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut folded = String::new();
    tokens(text)
        .map(|(start, end)| {
            folded.clear();
            fold_into(&text[start..end], &mut folded);
            (start, end, folded.clone())
        })
        .collect()
}

/// Marks in `hit` every place in `spans` where `word` (its tokens in a row, the last as a
/// prefix when `prefix`) is; true when there was one.
fn mark(word: &[String], prefix: bool, spans: &[(usize, usize, String)], hit: &mut [bool]) -> bool {
    let last = word.len() - 1;
    let mut found = false;
    for at in 0..spans.len().saturating_sub(last) {
        let fits = word.iter().enumerate().all(|(i, token)| {
            let have = &spans[at + i].2;
            if i == last && prefix { have.starts_with(token.as_str()) } else { have == token }
        });
        if fits {
            hit[at..=at + last].iter_mut().for_each(|h| *h = true);
            found = true;
        }
    }
    found
}

fn contains_ignoring_ascii_case(haystack: &[u8], lower_needle: &[u8]) -> bool {
    haystack.len() >= lower_needle.len()
        && haystack.windows(lower_needle.len()).any(|w| w.eq_ignore_ascii_case(lower_needle))
}

/// Words shown either side of the first match in a long text.
const AROUND: usize = 12;

fn cut_and_mark(text: &str, spans: &[(usize, usize, String)], hit: &[bool]) -> String {
    let first = hit.iter().position(|h| *h).unwrap_or(0);
    let from = first.saturating_sub(AROUND);
    let to = (first + 2 * AROUND).min(spans.len());
    let mut out = String::new();
    let begin = if from == 0 { 0 } else { spans[from].0 };
    let finish = if to == spans.len() { text.len() } else { spans[to - 1].1 };
    if from > 0 {
        out.push('…');
    }
    let mut at = begin;
    for (i, (start, end, _)) in spans.iter().enumerate().take(to).skip(from) {
        if hit[i] {
            out.push_str(&text[at..*start]);
            out.push(MATCH_START);
            out.push_str(&text[*start..*end]);
            out.push(MATCH_END);
            at = *end;
        }
    }
    out.push_str(&text[at..finish]);
    if to < spans.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Cue, TranscriptFormat, first_cue};

    #[test]
    fn words_are_found_as_the_index_finds_them() {
        let q = QueryWords::of("Cafe CRÈM");
        assert_eq!(
            q.marked("We had a café crème, then left.").unwrap(),
            "We had a \u{2}café\u{3} \u{2}crème\u{3}, then left."
        );
        assert!(q.marked("café only").is_none(), "every word");
        assert!(QueryWords::of("rème").marked("crème").is_none(), "the start of a word, not its middle");
        assert_eq!(QueryWords::of("don't").marked("I don't know").unwrap(), "I \u{2}don\u{3}'\u{2}t\u{3} know");
        assert!(QueryWords::of("don't").marked("don know t").is_none(), "one after the other");
        assert_eq!(QueryWords::of("ünï c++").fts_any_order().unwrap(), "\"uni\" \"c\"*");
    }

    #[test]
    fn only_the_last_word_may_be_typed_halfway() {
        assert_eq!(QueryWords::of("big sho").marked("Big Show 7").unwrap(), "\u{2}Big\u{3} \u{2}Show\u{3} 7");
        assert!(QueryWords::of("bi show").marked("Big Show").is_none(), "an earlier word is a whole word");
        assert_eq!(QueryWords::of("bi show").marked_any("Big Show").unwrap(), "Big \u{2}Show\u{3}");
        assert_eq!(
            QueryWords::of("don't kn").marked("I don't know").unwrap(),
            "I \u{2}don\u{3}'\u{2}t\u{3} \u{2}know\u{3}"
        );
        assert!(QueryWords::of("don't kn").marked("I don'tt know").is_none(), "every token of an earlier word whole");
        assert_eq!(QueryWords::of("espresso crem").fts_any_order().unwrap(), "\"espresso\" \"crem\"*");
    }

    /// Where a query is in a transcript: by the needle (`transcript::first_cue`'s fast look)
    /// and by reading it whole.
    fn both_ways(file: &str, format: TranscriptFormat, query: &str) -> Option<(Option<f64>, String)> {
        let q = QueryWords::of(query);
        let marked = |cue: &Cue| q.marked(&cue.text);
        let fast = first_cue(file.as_bytes(), format, q.needle(), marked);
        let whole = first_cue(file.as_bytes(), format, None, marked);
        assert_eq!(fast, whole, "{query:?} in {file:?}");
        fast
    }

    const VTT: &str = "WEBVTT - a cue under the header\n00:00:00.500 --> 00:00:01.000\nUnder the header\n\n\
        NOTE a note saying espresso --> is no cue\n00:00:00.100 --> 00:00:00.200\nespresso farewell\n\n\
        STYLE\n::cue { color: espresso }\n\nintro\n00:00:01.000 --> 00:00:02.000 align:start\n\
        <v Ann>Hello and welcome</v>\n\n00:00:03.000 --> 00:00:04.000\n\
        <v.loud Bob Smith>We talk about es<b>press</b>o, and\nabout crè<i>me</i>\n\n\
        00:00:05.000 --> 00:00:06.000\nQ&amp;A: don&apos;t split the espr\nesso over lines\n \t\n\
        00:00:07.000 --> 00:00:08.000\nCAFÉ CRÈME, naïve Ünïcode\n00:00:09.000 --> 00:00:10.000\n\
        no blank line before me: 5 \u{212A}elvin&nbsp;kelp\n\n00:00:11.000 --> 00:00:12.000\n\
        the last cue says farewell\n";

    const SRT: &str = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,000\r\nAlice: <i>Hello</i> and wel<b>come</b>\r\n\r\n\
        2\r\n00:00:03,000 --> 00:00:04,000\r\n{\\an8}Bob: espresso\r\nover two lines\r\n\
        3\r\n00:00:05,000 --> 00:00:06,000\r\na{\\i1}b joined, <font color=red>red</font>wine\r\n\r\n\
        4\r\n00:00:07,000 --> 00:00:08,000\r\nCrème brûlée at the very end";

    #[test]
    fn the_fast_look_finds_the_cue_reading_the_whole_transcript_finds() {
        let queries = [
            "espresso",
            "esso",
            "espr",
            "cafe",
            "CREME",
            "creme cafe",
            "don't",
            "hello welcome",
            "welcome",
            "farewell",
            "kelvin",
            "kelp",
            "naive",
            "unicode",
            "under",
            "bob",
            "smith",
            "ann",
            "align",
            "q a",
            "amp",
            "nbsp",
            "note",
            "color",
            "a",
            "5",
            "talk lines",
            "espresso lines",
            "ab",
            "redwine",
            "brulee",
            "end",
            "zzz",
            "over two",
        ];
        for query in queries {
            both_ways(VTT, TranscriptFormat::Vtt, query);
            both_ways(SRT, TranscriptFormat::Srt, query);
            both_ways(&SRT.replace("\r\n", "\n"), TranscriptFormat::Srt, query);
        }
        let at = |file, format, query| both_ways(file, format, query).map(|(at, _)| at.unwrap());
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "under"), Some(0.5), "the cue under the header");
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "espresso"), Some(3.0), "joined across its tags");
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "creme"), Some(3.0), "joined, with its accent");
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "espr lines"), Some(5.0), "a word across a line break");
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "naive cafe"), Some(7.0));
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "kelvin"), Some(9.0), "the Kelvin sign folds to k");
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "farewell"), Some(11.0), "the last cue; not the note");
        assert_eq!(at(VTT, TranscriptFormat::Vtt, "bob"), None, "a speaker is not the text");
        assert_eq!(at(SRT, TranscriptFormat::Srt, "welcome"), Some(1.0));
        assert_eq!(at(SRT, TranscriptFormat::Srt, "ab"), Some(5.0));
        assert_eq!(at(SRT, TranscriptFormat::Srt, "redwine"), Some(5.0));
        assert_eq!(at(SRT, TranscriptFormat::Srt, "brulee end"), Some(7.0), "the last cue, no final newline");
        let (_, snippet) = both_ways(VTT, TranscriptFormat::Vtt, "cafe crem").unwrap();
        assert_eq!(snippet, "\u{2}CAFÉ\u{3} \u{2}CRÈME\u{3}, naïve Ünïcode");
    }

    #[test]
    fn the_fast_look_agrees_on_cues_out_of_order_and_on_files_that_do_not_read() {
        let unsorted = "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nespresso late\n\n\
            00:00:01.000 --> 00:00:02.000\nespresso early\n";
        assert_eq!(both_ways(unsorted, TranscriptFormat::Vtt, "espresso").unwrap().0, Some(1.0));
        assert_eq!(both_ways(unsorted, TranscriptFormat::Vtt, "late").unwrap().0, Some(5.0));
        assert!(
            both_ways("no header\n\n00:00:01.000 --> 00:00:02.000\nword\n", TranscriptFormat::Vtt, "word").is_none()
        );
        assert!(both_ways("", TranscriptFormat::Srt, "word").is_none());
        assert!(both_ways("WEBVTT\n\n\n", TranscriptFormat::Vtt, "word").is_none());
        let html = "<p>an espresso</p>";
        assert_eq!(both_ways(html, TranscriptFormat::Html, "espresso").unwrap().0, None, "untimed: read whole");
        // Generated files: every word of a small vocabulary, markup and accents mixed in.
        let vocabulary =
            ["ba", "bé", "ca<i>fe</i>", "Crème", "<v Al>do", "on&amp;", "ki", "KIWI", "x{\\i1}y", "na\nve"];
        let mut seed = 7u32;
        for _ in 0..60 {
            let mut file = String::from("WEBVTT\n\n");
            for cue in 0..20u32 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let words: Vec<&str> = (0..3).map(|i| vocabulary[(seed >> (8 + 4 * i)) as usize % 10]).collect();
                let start = if seed.is_multiple_of(17) { 1 } else { cue * 2 };
                file.push_str(&format!("00:00:{start:02}.000 --> 00:00:{:02}.500\n{}\n\n", start + 1, words.join(" ")));
            }
            for query in ["ba", "be", "cafe", "creme", "do", "on", "kiwi", "ki", "xy", "y", "na", "ve", "ba ki"] {
                both_ways(&file, TranscriptFormat::Vtt, query);
                let srt = file.trim_start_matches("WEBVTT\n\n").replace('.', ",");
                both_ways(&srt, TranscriptFormat::Srt, query);
            }
        }
    }

    #[test]
    fn a_long_text_is_cut_around_the_match() {
        let text: String = (0..100).map(|i| format!("w{i} ")).collect::<String>() + "needle " + &"x ".repeat(100);
        let marked = QueryWords::of("needle").marked(&text).unwrap();
        assert!(marked.starts_with('…') && marked.ends_with('…'), "{marked}");
        assert!(marked.contains("w99 \u{2}needle\u{3} x"), "{marked}");
        assert!(marked.split_whitespace().count() < 40);
    }
}
