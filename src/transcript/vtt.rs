//! WebVTT: a `WEBVTT` header, then cue blocks (`[identifier]`, `start --> end [settings]`, text).
//! NOTE, STYLE and REGION blocks are skipped; the speaker comes from the first voice span
//! (`<v Name>`, `<v.loud Name>`); every other tag goes and the common entities are decoded.

use super::{Cue, TranscriptError};

pub(super) fn parse(text: &str) -> Result<Vec<Cue>, TranscriptError> {
    let mut blocks = super::blocks(text);
    let header = blocks.next().unwrap_or_default();
    if !header_ok(&header) {
        return Err(TranscriptError::Malformed("no WEBVTT header".into()));
    }
    let mut cues = Vec::new();
    header_cues(&header, &mut cues);
    for block in blocks {
        if cues.len() >= super::MAX_CUES {
            break;
        }
        block_cues(&block, &mut cues);
    }
    Ok(cues)
}

/// Is the first block a WebVTT header (`WEBVTT`, alone or followed by a space or tab)?
pub(super) fn header_ok(header: &[&str]) -> bool {
    let signature = header.first().and_then(|line| line.trim_start().strip_prefix("WEBVTT"));
    signature.is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// The cues of the header block: one right under the header, without the blank line the format
/// asks for.
pub(super) fn header_cues(header: &[&str], cues: &mut Vec<Cue>) {
    if let Some(first_cue) = header.iter().position(|line| line.contains("-->")) {
        super::timed_block(&header[first_cue..], false, cues, cue);
    }
}

/// The cues of a block after the header (none from a NOTE, STYLE or REGION block).
pub(super) fn block_cues(block: &[&str], cues: &mut Vec<Cue>) {
    let first = block[0];
    let keyword = ["NOTE", "STYLE", "REGION"]
        .iter()
        .any(|k| first.strip_prefix(*k).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t'])));
    if !keyword {
        super::timed_block(block, false, cues, cue);
    }
}

fn cue(start_secs: f64, end_secs: f64, lines: &[&str]) -> Option<Cue> {
    let mut speaker = None;
    let text = super::collapse(&strip_markup(&lines.join(" "), &mut speaker));
    (!text.is_empty()).then(|| super::timed_cue(start_secs, end_secs, speaker, text))
}

/// Cue text without its tags, entities decoded; `speaker` is set from the first voice span
/// that names one. A `<` with no `>` after it is kept as text.
fn strip_markup(text: &str, speaker: &mut Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                out.push('<');
                rest = &rest[1..];
                continue;
            };
            if speaker.is_none() {
                *speaker = voice(&rest[1..end]);
            }
            rest = &rest[end + 1..];
        } else {
            let (decoded, used) = entity(rest);
            out.push_str(decoded);
            rest = &rest[used..];
        }
    }
    out.push_str(rest);
    out
}

/// The name in a voice span's start tag (`v Name`, `v.class.other Name`).
fn voice(tag: &str) -> Option<String> {
    let rest = tag.strip_prefix('v')?;
    if !rest.is_empty() && !rest.starts_with(['.', ' ', '\t']) {
        return None;
    }
    let (_, name) = rest.split_once([' ', '\t'])?;
    let name = super::collapse(name);
    (!name.is_empty()).then_some(name)
}

/// The entity at the start of `text` (which starts with `&`) and how many bytes it took; an
/// unknown one is a lone `&`.
fn entity(text: &str) -> (&'static str, usize) {
    const NAMED: [(&str, &str); 8] = [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&nbsp;", "\u{a0}"),
        ("&quot;", "\""),
        ("&apos;", "'"),
        ("&lrm;", "\u{200e}"),
        ("&rlm;", "\u{200f}"),
    ];
    NAMED.iter().find(|(name, _)| text.starts_with(name)).map_or(("&", 1), |(name, value)| (*value, name.len()))
}

#[cfg(test)]
mod tests {
    use super::super::{MAX_CUES, TranscriptError, TranscriptFormat, parse};

    /// start, end, speaker, text
    type Read = (f64, f64, Option<String>, String);

    fn vtt(text: &str) -> Result<Vec<Read>, TranscriptError> {
        let t = parse(text.as_bytes(), TranscriptFormat::Vtt)?;
        assert!(t.timed);
        Ok(t.cues.into_iter().map(|c| (c.start_secs, c.end_secs, c.speaker, c.text)).collect())
    }

    /// `h:mm:ss.ttt` or `mm:ss.ttt` for whole milliseconds.
    fn stamp(ms: u64, short: bool) -> String {
        let (h, m, s, t) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        match short && h == 0 {
            true => format!("{m:02}:{s:02}.{t:03}"),
            false => format!("{h:02}:{m:02}:{s:02}.{t:03}"),
        }
    }

    #[test]
    fn three_hundred_sixty_generated_cues() {
        let mut file = String::from("WEBVTT - generated\nKind: captions\nLanguage: en\n\n");
        file.push_str("STYLE\n::cue { color: white }\n::cue(v[voice=\"Host\"]) { color: yellow }\n\n");
        file.push_str("NOTE\nThis note spans lines\n00:00:01.000 --> 00:00:02.000 is not a cue\n\n");
        file.push_str("REGION\nid:fred\nwidth:40%\n\n");
        for i in 0..360u64 {
            let (start, end) = (i * 10_000, i * 10_000 + 9_500);
            if i % 3 == 0 {
                file.push_str(&format!("cue-{i}\n"));
            }
            file.push_str(&format!("{} --> {}", stamp(start, i % 2 == 0), stamp(end, i % 4 == 0)));
            if i % 5 == 0 {
                file.push_str(" align:start position:10% line:0");
            }
            file.push('\n');
            let speaker = if i % 2 == 0 { "Host" } else { "Guest Person" };
            let class = if i % 7 == 0 { ".loud" } else { "" };
            file.push_str(&format!("<v{class} {speaker}>Line <b>{i}</b> &amp; more"));
            if i % 4 == 1 {
                file.push_str("\nsecond <i>line</i></v>");
            }
            file.push_str(if i % 10 == 9 { "\n\n\n" } else { "\n\n" });
            if i == 100 {
                file.push_str("NOTE a comment between cues\n\n");
            }
        }
        let cues = vtt(&file).unwrap();
        assert_eq!(cues.len(), 360);
        for (i, (start, end, speaker, text)) in cues.into_iter().enumerate() {
            let i = i as u64;
            assert_eq!(start, (i * 10_000) as f64 / 1000.0);
            assert_eq!(end, (i * 10_000 + 9_500) as f64 / 1000.0);
            let expected = if i.is_multiple_of(2) { "Host" } else { "Guest Person" };
            assert_eq!(speaker.as_deref(), Some(expected));
            let mut expected = format!("Line {i} & more");
            if i % 4 == 1 {
                expected.push_str(" second line");
            }
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn spec_example() {
        // The Podcasting 2.0 transcripts spec's WebVTT snippet (CC0).
        let file = "WEBVTT

00:00:00.000 --> 00:00:05.000
<v John>Podcasting 2.0 is really changing the game.

00:00:05.000 --> 00:00:10.000
<v Tom>Yeah, absolutely. The new features are incredible.

00:00:10.000 --> 00:00:15.000
<v Tom>It's amazing how it's empowering creators like never before.

00:00:15.000 --> 00:00:20.000
<v Tom>And the enhanced monetization options are a game-changer.

00:00:20.000 --> 00:00:25.000
<v John>Exactly, Tom. It's revolutionizing the industry.

00:00:25.000 --> 00:00:30.000
<v Tom>No doubt about it. Podcasting 2.0 is the future.

00:00:30.000 --> 00:00:35.000
<v John>Couldn't agree more, Tom. The future looks bright.
";
        let cues = vtt(file).unwrap();
        assert_eq!(cues.len(), 7);
        assert_eq!(cues[0], (0.0, 5.0, Some("John".into()), "Podcasting 2.0 is really changing the game.".into()));
        assert_eq!(cues[1].2.as_deref(), Some("Tom"));
        assert_eq!(
            cues[6],
            (30.0, 35.0, Some("John".into()), "Couldn't agree more, Tom. The future looks bright.".into())
        );
        let speakers: Vec<_> = cues.iter().map(|c| c.2.clone().unwrap()).collect();
        assert_eq!(speakers, ["John", "Tom", "Tom", "Tom", "John", "Tom", "John"]);
    }

    #[test]
    fn markup_is_stripped_and_entities_decoded() {
        let file = "\u{feff}WEBVTT\r\n\r\n\
            00:01.000 --> 00:02.000\r\n\
            <c.yellow><i>Hi</i></c> <00:01.500><b>there</b>&nbsp;&lt;3 &quot;x&quot; &gt; &copy; R&D\r\n\r\n\
            00:02.000 --> 00:03.000\r\n\
            <lang en-GB>colour</lang> <v.loud.x\tAnn  Lee>loud</v> <v Bob>second voice</v>\r\n\r\n\
            00:03.000 --> 00:04.000\r\n\
            <v>nameless</v> 1 < 2\r\n\r\n\
            00:04.000 --> 00:05.000\r\n\
            <b></b> <i> </i>\r\n\r\n\
            00:05.000 --> 00:06.000\r\n\
            <video>not a voice</video>";
        let cues = vtt(file).unwrap();
        assert_eq!(cues.len(), 4, "{cues:?}");
        assert_eq!(cues[0], (1.0, 2.0, None, "Hi there\u{a0}<3 \"x\" > &copy; R&D".into()));
        assert_eq!(cues[1], (2.0, 3.0, Some("Ann Lee".into()), "colour loud second voice".into()));
        assert_eq!(cues[2], (3.0, 4.0, None, "nameless 1 < 2".into()));
        assert_eq!(cues[3], (5.0, 6.0, None, "not a voice".into()));
    }

    #[test]
    fn bad_blocks_are_skipped_not_the_file() {
        let file = "WEBVTT
00:00.000 --> 00:01.000
right under the header

1
99:99:99.999 --> 100:00:00.000
out of range

2
00:02.000 -> 00:03.000
no arrow

3
00:61.000 --> 00:62.000
sixty-one seconds

just some text

00:05.000 --> 00:04.000
ends before it starts
00:07.000 --> 00:08.000
no blank line before me

id
00:03.000 --> 00:03.500 vertical:rl
earlier than the one before
";
        let cues = vtt(file).unwrap();
        let got: Vec<_> = cues.iter().map(|c| (c.0, c.1, c.3.as_str())).collect();
        assert_eq!(
            got,
            [
                (0.0, 1.0, "right under the header"),
                (3.0, 3.5, "earlier than the one before"),
                (5.0, 5.0, "ends before it starts"),
                (7.0, 8.0, "no blank line before me"),
            ]
        );
    }

    #[test]
    fn header_required() {
        let missing = Err(TranscriptError::Malformed("no WEBVTT header".into()));
        assert_eq!(vtt("00:00.000 --> 00:01.000\nhello\n"), missing);
        assert_eq!(vtt("WEBVTTX\n\n00:00.000 --> 00:01.000\nhello\n"), missing);
        assert_eq!(vtt(""), missing);
        assert_eq!(vtt("WEBVTT\n"), Err(TranscriptError::Empty));
        assert_eq!(vtt("WEBVTT\tx\n\n00:00.000 --> 00:01.000\nhello").unwrap().len(), 1);
        // Equal starts keep the file's order.
        let cues =
            vtt("WEBVTT\n\n00:02.000 --> 00:03.000\nb\n\n00:01.000 --> 00:02.000\na\n\n00:02.000 --> 00:04.000\nc")
                .unwrap();
        let texts: Vec<_> = cues.iter().map(|c| c.3.as_str()).collect();
        assert_eq!(texts, ["a", "b", "c"]);
    }

    #[test]
    fn many_cues_are_capped() {
        let mut file = String::from("WEBVTT\n\n");
        for i in 0..(MAX_CUES as u64 + 10) {
            file.push_str(&format!("{} --> {}\nx\n\n", stamp(i * 10, false), stamp(i * 10 + 5, false)));
        }
        let cues = vtt(&file).unwrap();
        assert_eq!(cues.len(), MAX_CUES);
        assert_eq!(cues.last().unwrap().0, ((MAX_CUES as u64 - 1) * 10) as f64 / 1000.0);
    }
}
