//! The index's word rules in Rust, for finding where in a transcript or a chapter list a hit
//! is (the moments index keeps no positions): words are runs of letters and digits, compared
//! case-folded with diacritics removed, each query word as the start of a word — as FTS5's
//! `unicode61 remove_diacritics 2` tokenizer and a `"word"*` query do.

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
/// such as `don't` is two, found one after the other, the last as a prefix).
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
    /// token as the start of a word. It may find a little more than the words themselves;
    /// `marked` says which of those really hold them.
    pub fn fts_any_order(&self) -> Option<String> {
        let tokens: Vec<String> = self.words.iter().flatten().map(|t| format!("\"{t}\"*")).collect();
        (!tokens.is_empty()).then(|| tokens.join(" "))
    }

    /// `text` with every query word marked (`MATCH_START`/`MATCH_END`), or None when one of
    /// them is not in it. A long text is cut to the words around the first match.
    pub fn marked(&self, text: &str) -> Option<String> {
        let spans = folded_spans(text);
        let mut hit = vec![false; spans.len()];
        for word in &self.words {
            if !mark(word, &spans, &mut hit) {
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
        for word in &self.words {
            mark(word, &spans, &mut hit);
        }
        hit.contains(&true).then(|| cut_and_mark(text, &spans, &hit))
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
/// prefix) is; true when there was one.
fn mark(word: &[String], spans: &[(usize, usize, String)], hit: &mut [bool]) -> bool {
    let last = word.len() - 1;
    let mut found = false;
    for at in 0..spans.len().saturating_sub(last) {
        let fits = word.iter().enumerate().all(|(i, token)| {
            let have = &spans[at + i].2;
            if i == last { have.starts_with(token.as_str()) } else { have == token }
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
        assert_eq!(QueryWords::of("ünï c++").fts_any_order().unwrap(), "\"uni\"* \"c\"*");
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
