//! SubRip: blocks of `[index]`, `00:01:02,345 --> 00:01:04,000`, text. Lenient about what real
//! files do: dot milliseconds, missing indexes, any number of blank (or whitespace-only) lines,
//! no final newline. A `Speaker:` prefix stays in the text; `<i>`, `<b>`, `<u>`, `<s>`, `<font>`
//! and `{\an8}`-style overrides are dropped.

use super::Cue;

pub(super) fn parse(text: &str) -> Vec<Cue> {
    let mut cues = Vec::new();
    for block in super::blocks(text) {
        if cues.len() >= super::MAX_CUES {
            break;
        }
        block_cues(&block, &mut cues);
    }
    cues
}

/// The cues of one block.
pub(super) fn block_cues(block: &[&str], cues: &mut Vec<Cue>) {
    super::timed_block(block, true, cues, cue);
}

fn cue(start_secs: f64, end_secs: f64, lines: &[&str]) -> Option<Cue> {
    let text = super::collapse(&strip_tags(&lines.join(" ")));
    (!text.is_empty()).then(|| super::timed_cue(start_secs, end_secs, None, text))
}

/// The text without formatting tags; any other `<` or `{` is text.
fn strip_tags(text: &str) -> String {
    const TAGS: [&str; 5] = ["i", "b", "u", "s", "font"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['<', '{']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let close = if rest.starts_with('<') { '>' } else { '}' };
        let skip = rest.find(close).filter(|&end| {
            let inner = &rest[1..end];
            match close {
                '}' => inner.starts_with('\\'),
                _ => {
                    let name = inner.strip_prefix('/').unwrap_or(inner);
                    let name = name.split([' ', '\t', '/']).next().unwrap_or_default();
                    TAGS.iter().any(|tag| tag.eq_ignore_ascii_case(name))
                }
            }
        });
        match skip {
            Some(end) => rest = &rest[end + 1..],
            None => {
                out.push_str(&rest[..1]);
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Cue, MAX_CUES, TranscriptError, TranscriptFormat, parse};
    use super::strip_tags;

    fn srt(text: &str) -> Result<Vec<Cue>, TranscriptError> {
        let t = parse(text.as_bytes(), TranscriptFormat::Srt)?;
        assert!(t.timed);
        Ok(t.cues)
    }

    fn times_and_texts(cues: &[Cue]) -> Vec<(f64, f64, &str)> {
        cues.iter().map(|c| (c.start_secs, c.end_secs, c.text.as_str())).collect()
    }

    #[test]
    fn quirks() {
        let file = "\r\n\r\n  \r\n1\r\n00:01:02,345 --> 00:01:04,000\r\nComma <i>milliseconds</i>\r\n\r\n\
            2\r\n00:01:04.000 --> 00:01:05.5 X1:10 X2:20 Y1:5 Y2:9\r\nDot <FONT color=\"#ff0\">ones</font>\r\nover two lines\r\n\r\n\r\n\r\n\
            00:01:06,000 --> 00:01:07,000\r\n{\\an8}No index, after three blank lines\r\n \t \r\n\
            4\r\n00:01:08,000 --> 00:01:09,000\r\nAlice: a < b > c {not an override} <br>\r\n5\r\n\
            00:01:10,000 --> 00:01:11,000\r\n42\r\n6\r\n\
            00:01:12,000 --> 00:01:13,000\r\nno final newline";
        let cues = srt(file).unwrap();
        assert_eq!(
            times_and_texts(&cues),
            [
                (62.345, 64.0, "Comma milliseconds"),
                (64.0, 65.5, "Dot ones over two lines"),
                (66.0, 67.0, "No index, after three blank lines"),
                (68.0, 69.0, "Alice: a < b > c {not an override} <br>"),
                (70.0, 71.0, "42"),
                (72.0, 73.0, "no final newline"),
            ]
        );
        assert!(cues.iter().all(|c| c.speaker.is_none()));
        assert_eq!(cues[0].start_secs, 62_345.0 / 1000.0);
    }

    #[test]
    fn spec_example() {
        // The Podcasting 2.0 transcripts spec's SRT snippet (CC0).
        let file = "1
00:00:00,000 --> 00:00:02,760
Sarah: In today's episode,
you'll learn whether or not you

2
00:00:02,760 --> 00:00:06,090
should have a podcast trailer.
And if so, what should you

3
00:00:06,090 --> 00:00:11,610
include in one? Welcome to
Podcasting Q&A, where you learn

4
00:00:11,610 --> 00:00:15,750
the best tips and strategies to
launch, grow and monetize your

5
00:00:15,750 --> 00:00:18,630
podcast. This week's question
comes from Gillian.

6
00:00:19,080 --> 00:00:21,450
Gillian: Hi Buzzsprout, Gillian
here from breaking through

7
00:00:21,450 --> 00:00:25,350
careers podcast. My question is,
do we need a podcast trailer?
";
        let cues = srt(file).unwrap();
        assert_eq!(cues.len(), 7);
        assert_eq!(
            times_and_texts(&cues)[..3],
            [
                (0.0, 2.76, "Sarah: In today's episode, you'll learn whether or not you"),
                (2.76, 6.09, "should have a podcast trailer. And if so, what should you"),
                (6.09, 11.61, "include in one? Welcome to Podcasting Q&A, where you learn"),
            ]
        );
        assert_eq!(cues[5].start_secs, 19.08);
        assert_eq!(cues[6].text, "careers podcast. My question is, do we need a podcast trailer?");
        assert_eq!(cues[6].end_secs, 25.35);
    }

    #[test]
    fn hostile_input() {
        // 100k tiny cues: reading stops at MAX_CUES.
        let mut file = String::new();
        for i in 0..100_000u64 {
            let (s, e) = (i * 100, i * 100 + 50);
            file.push_str(&format!(
                "{}\n{:02}:{:02}:{:02},{:03} --> {:02}:{:02}:{:02},{:03}\nw\n\n",
                i + 1,
                s / 3_600_000,
                s / 60_000 % 60,
                s / 1000 % 60,
                s % 1000,
                e / 3_600_000,
                e / 60_000 % 60,
                e / 1000 % 60,
                e % 1000
            ));
        }
        let cues = srt(&file).unwrap();
        assert_eq!(cues.len(), MAX_CUES);
        assert_eq!(cues.last().unwrap().start_secs, ((MAX_CUES as u64 - 1) * 100) as f64 / 1000.0);

        // Out-of-range numbers skip their block.
        let file = "1\n99:99:9x,999 --> 99:99:99,999\nbad\n\n2\n00:00:59,999 --> 00:01:00,000\ngood\n\n\
            3\n18446744073709551615:00:00,000 --> 00:00:01,000\nhuge\n\n4\n00:00:01,000 --> 00:00:01,000000000000000000000009\nlong fraction";
        let cues = srt(file).unwrap();
        assert_eq!(times_and_texts(&cues), [(1.0, 1.0, "long fraction"), (59.999, 60.0, "good")]);

        assert_eq!(srt("just words\n\nand more words"), Err(TranscriptError::Empty));
        assert_eq!(srt("1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n"), Err(TranscriptError::Empty));
    }

    #[test]
    fn tags() {
        assert_eq!(strip_tags("<i>a</i> <B>b</B> <u>c</u><s>d</s>"), "a b cd");
        assert_eq!(strip_tags("<font face=\"x\" color=red>e</FONT> {\\an8}{\\i1}f{\\i0}"), "e f");
        assert_eq!(strip_tags("<em>x</em> <i unclosed {brace}"), "<em>x</em> <i unclosed {brace}");
        assert_eq!(strip_tags("<br/> <i/>é<"), "<br/> é<");
    }

    #[test]
    fn cues_written_by_hand_without_counters_and_with_seconds_past_59_are_all_kept() {
        let file = "1\n00:00:01,000 --> 00:00:02,000\nFirst\n\n\
                    00:00:03,000 --> 00:00:04,000\nNo counter\n\n\
                    3\n00:00:90,740 --> 00:01:35,000\nNinety seconds\n\
                    00:01:40,000 --> 00:01:41,000\nNo blank line before me";
        let cues = srt(file).unwrap();
        assert_eq!(
            times_and_texts(&cues),
            [
                (1.0, 2.0, "First"),
                (3.0, 4.0, "No counter"),
                (90.74, 95.0, "Ninety seconds"),
                (100.0, 101.0, "No blank line before me")
            ]
        );
    }
}
