//! Podcasting 2.0 JSON transcripts: `{"version": "1.0.0", "segments": [{"speaker", "startTime",
//! "endTime", "body"}]}`. Segments are often single words; consecutive ones by the same speaker
//! are merged into spans that read as sentences and last a few seconds.

use serde::Deserialize;

use super::{Cue, TranscriptError};
use crate::model::time::{TimeSource, parse_time};

/// A span of at least this long ends with the sentence that reaches it…
const SENTENCE_SPAN_SECS: f64 = 5.0;
/// …and no span (unless one segment alone is longer) lasts more than this.
const MAX_SPAN_SECS: f64 = 8.0;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Segment {
    speaker: Option<String>,
    #[serde(rename = "startTime")]
    start_time: Option<Time>,
    #[serde(rename = "endTime")]
    end_time: Option<Time>,
    body: Option<String>,
}

/// Seconds as the spec has them, or (seen in the wild) as a string: `"1.5"`, `"00:01.500"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Time {
    Seconds(f64),
    Text(String),
}

impl Time {
    fn seconds(&self) -> Option<f64> {
        let secs = match self {
            Time::Seconds(secs) => *secs,
            Time::Text(text) => {
                let text = text.trim();
                match text.contains(':') {
                    true => parse_time(text, TimeSource::Cue)?,
                    false => text.parse().ok()?,
                }
            }
        };
        (secs.is_finite() && secs >= 0.0).then_some(secs)
    }
}

pub(super) fn parse(text: &str) -> Result<Vec<Cue>, TranscriptError> {
    let malformed = |e: serde_json::Error| TranscriptError::Malformed(e.to_string());
    let document = crate::json::read_lenient(text.as_bytes()).map_err(malformed)?;
    // The spec's object, or (seen in the wild) its segments alone; a segment the publisher got
    // wrong is left out, never the file.
    let segments = match document {
        serde_json::Value::Array(segments) => segments,
        serde_json::Value::Object(mut file) => match file.remove("segments") {
            Some(serde_json::Value::Array(segments)) => segments,
            Some(_) => return Err(TranscriptError::Malformed("\"segments\" is not a list".into())),
            None => Vec::new(),
        },
        _ => return Err(TranscriptError::Malformed("not a JSON transcript".into())),
    };
    let segments = segments.into_iter().filter_map(|segment| serde_json::from_value::<Segment>(segment).ok());
    let mut timed: Vec<(f64, f64, Option<String>, String)> = segments
        .filter_map(|segment| {
            let start = segment.start_time?.seconds()?;
            let end = match segment.end_time {
                Some(end) => end.seconds()?.max(start),
                None => start,
            };
            let body = super::collapse(segment.body.as_deref().unwrap_or_default());
            let speaker = segment.speaker.map(|s| super::collapse(&s)).filter(|s| !s.is_empty());
            (!body.is_empty()).then_some((start, end, speaker, body))
        })
        .collect();
    if !timed.is_sorted_by(|a, b| a.0 <= b.0) {
        timed.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(merge(timed))
}

/// Consecutive segments of one speaker as spans: a new span starts when the speaker changes or
/// when the segment would take the span past `MAX_SPAN_SECS`; a span ends after a sentence
/// once it lasts `SENTENCE_SPAN_SECS`.
fn merge(segments: Vec<(f64, f64, Option<String>, String)>) -> Vec<Cue> {
    let mut cues = Vec::new();
    let mut span: Option<Cue> = None;
    for (start, end, speaker, body) in segments {
        if span.as_ref().is_some_and(|s| s.speaker != speaker || end - s.start_secs > MAX_SPAN_SECS) {
            cues.extend(span.take());
        }
        let current = span.get_or_insert_with(|| Cue {
            start_secs: start,
            end_secs: end,
            speaker,
            text: String::with_capacity(body.len() * 16),
        });
        if !current.text.is_empty() && !is_closing_punctuation(&body) {
            current.text.push(' ');
        }
        current.text.push_str(&body);
        current.end_secs = current.end_secs.max(end);
        if current.end_secs - current.start_secs >= SENTENCE_SPAN_SECS && ends_sentence(&body) {
            cues.extend(span.take());
        }
        if cues.len() >= super::MAX_CUES {
            return cues;
        }
    }
    cues.extend(span);
    cues
}

/// `,` `.` `?` and the like, which follow the word before without a space.
fn is_closing_punctuation(body: &str) -> bool {
    body.chars().all(|c| matches!(c, '.' | ',' | '?' | '!' | ';' | ':' | '…' | ')' | ']' | '}' | '%'))
}

fn ends_sentence(body: &str) -> bool {
    body.trim_end_matches(['"', '\'', '”', '’', ')', ']']).ends_with(['.', '?', '!', '…'])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Cue, MAX_CUES, TranscriptError, TranscriptFormat, parse};

    fn cues(value: serde_json::Value) -> Result<Vec<Cue>, TranscriptError> {
        let t = parse(value.to_string().as_bytes(), TranscriptFormat::Json)?;
        assert!(t.timed);
        Ok(t.cues)
    }

    fn spans(cues: &[Cue]) -> Vec<(f64, f64)> {
        cues.iter().map(|c| (c.start_secs, c.end_secs)).collect()
    }

    /// 40 words of 0.5 s by one speaker, 20 s in all; every `sentence`th word ends a sentence.
    fn words(sentence: Option<usize>) -> serde_json::Value {
        let segments: Vec<_> = (0..40)
            .map(|i| {
                let dot = if sentence.is_some_and(|n| i % n == n - 1) { "." } else { "" };
                json!({"speaker": "Host", "startTime": i as f64 * 0.5, "endTime": i as f64 * 0.5 + 0.5, "body": format!("w{i}{dot}")})
            })
            .collect();
        json!({"version": "1.0.0", "segments": segments})
    }

    #[test]
    fn words_merge_into_sentences_of_five_to_eight_seconds() {
        // Sentences of 3.5 s: a span closes on the first sentence end at or past 5 s.
        let merged = cues(words(Some(7))).unwrap();
        assert_eq!(spans(&merged), [(0.0, 7.0), (7.0, 14.0), (14.0, 20.0)]);
        assert!(merged.iter().all(|c| (5.0..=8.0).contains(&(c.end_secs - c.start_secs))));
        assert_eq!(merged[0].text, "w0 w1 w2 w3 w4 w5 w6. w7 w8 w9 w10 w11 w12 w13.");
        assert!(merged.iter().all(|c| c.speaker.as_deref() == Some("Host")));
        // No sentence ends at all: spans are cut at 8 s.
        let merged = cues(words(None)).unwrap();
        assert_eq!(spans(&merged), [(0.0, 8.0), (8.0, 16.0), (16.0, 20.0)]);
        assert_eq!(merged[2].text, "w32 w33 w34 w35 w36 w37 w38 w39");
        // A sentence end before 5 s does not close the span.
        let merged = cues(words(Some(2))).unwrap();
        assert_eq!(spans(&merged), [(0.0, 5.0), (5.0, 10.0), (10.0, 15.0), (15.0, 20.0)]);
    }

    #[test]
    fn speaker_changes_and_punctuation() {
        let segment = |speaker: Option<&str>, start: f64, body: &str| json!({"speaker": speaker, "startTime": start, "endTime": start + 0.25, "body": body});
        let file = json!({"segments": [
            segment(Some("Ann"), 0.0, "Hello"),
            segment(Some("Ann"), 0.25, ","),
            segment(Some("Ann"), 0.5, "world"),
            segment(Some("Ann"), 0.75, "!"),
            segment(Some("Bob"), 1.0, "Hi"),
            segment(Some("Bob"), 1.25, "..."),
            segment(Some("Bob"), 1.5, "you"),
            segment(Some("Bob"), 1.75, "?"),
            segment(Some("Ann"), 2.0, "Yes"),
            segment(None, 2.5, "(laughs)"),
            segment(Some(" "), 3.0, "  Music  \n plays "),
        ]});
        let merged = cues(file).unwrap();
        let got: Vec<_> =
            merged.iter().map(|c| (c.start_secs, c.end_secs, c.speaker.as_deref(), c.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (0.0, 1.0, Some("Ann"), "Hello, world!"),
                (1.0, 2.0, Some("Bob"), "Hi... you?"),
                (2.0, 2.25, Some("Ann"), "Yes"),
                (2.5, 3.25, None, "(laughs) Music plays"),
            ]
        );
    }

    #[test]
    fn spec_example() {
        // The Podcasting 2.0 transcripts spec's JSON snippet (CC0).
        let file = r#"{
  "version": "1.0.0",
  "segments": [
    { "speaker": "Darth Vader", "startTime": 0.5, "endTime": 0.75, "body": "I" },
    { "speaker": "Darth Vader", "startTime": 1, "endTime": 1.25, "body": "am" },
    { "speaker": "Darth Vader", "startTime": 1.5, "endTime": 2.0, "body": "your" },
    { "speaker": "Darth Vader", "startTime": 2.25, "endTime": 2.50, "body": "father.\n" },
    { "speaker": "Luke", "startTime": 2.75, "endTime": 3.0, "body": "Nooooo" }
  ]
}"#;
        let t = parse(file.as_bytes(), TranscriptFormat::Json).unwrap();
        assert_eq!(
            t.cues,
            [
                Cue {
                    start_secs: 0.5,
                    end_secs: 2.5,
                    speaker: Some("Darth Vader".into()),
                    text: "I am your father.".into()
                },
                Cue { start_secs: 2.75, end_secs: 3.0, speaker: Some("Luke".into()), text: "Nooooo".into() },
            ]
        );
    }

    #[test]
    fn lenient_about_the_wild() {
        // Unsorted, unknown fields, bad and missing times, string times, a bare array.
        let file = json!([
            {"startTime": 4.0, "endTime": 4.5, "body": "later", "confidence": 0.9},
            {"startTime": -1.0, "endTime": 0.5, "body": "negative"},
            {"endTime": 0.5, "body": "no start"},
            {"startTime": 1.0, "endTime": -2.0, "body": "bad end"},
            {"startTime": "x", "body": "not a time"},
            {"startTime": "00:02.500", "endTime": "3", "body": "string times"},
            {"startTime": 1.5, "body": "no end"},
            {"startTime": 2.0, "endTime": 1.0, "body": "end before start"},
            {"startTime": 0.0, "endTime": 0.5, "body": "   "},
            {"startTime": 1e300, "endTime": 1e300, "body": "far"},
        ]);
        let merged = cues(file).unwrap();
        let got: Vec<_> =
            merged.iter().map(|c| (c.start_secs, c.end_secs, c.speaker.as_deref(), c.text.as_str())).collect();
        assert_eq!(got, [(1.5, 4.5, None, "no end end before start string times later"), (1e300, 1e300, None, "far")]);
    }

    #[test]
    fn errors() {
        let malformed =
            |text: &str| matches!(parse(text.as_bytes(), TranscriptFormat::Json), Err(TranscriptError::Malformed(_)));
        assert!(malformed("{\"segments\": [ {\"body\": \"x\", "));
        assert!(malformed("not json"));
        assert!(malformed("{\"segments\": 5}"));
        // One number out of range, or one segment of the wrong shape, costs that segment only.
        let file = "{\"segments\": [{\"startTime\": 1e400, \"body\": \"lost\"}, {\"startTime\": [], \"body\": \"odd\"},
                     {\"startTime\": 2, \"endTime\": 3, \"body\": \"kept.\"}]}";
        let kept = parse(file.as_bytes(), TranscriptFormat::Json).unwrap();
        assert_eq!(kept.cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["kept."]);
        assert_eq!(parse(b"{\"version\": \"1.0.0\"}", TranscriptFormat::Json), Err(TranscriptError::Empty));
        assert_eq!(parse(b"{\"segments\": []}", TranscriptFormat::Json), Err(TranscriptError::Empty));
        // Far too many words: reading stops at MAX_CUES spans (one speaker each, so no merging).
        let segments: Vec<_> = (0..MAX_CUES + 5)
            .map(|i| json!({"speaker": format!("s{}", i % 2), "startTime": i, "endTime": i, "body": "w"}))
            .collect();
        assert_eq!(cues(json!({"segments": segments})).unwrap().len(), MAX_CUES);
    }
}
