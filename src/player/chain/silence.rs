//! Skip silence that shortens, never cuts. Pauses in speech are found on 10 ms windows whose
//! level falls well under the episode's own speech level (which the stage follows), with
//! hysteresis; each pause longer than the level keeps is shortened to what it keeps: its first
//! half and its last half, joined by a short crossfade, so the breath before a word and the
//! room tone stay. Anything not quiet enough (a music bed, a tone) is never touched, nor is
//! the end of the episode.
//!
//! Output is numbered in its own continuous frames (what the time-stretcher reads); every join
//! leaves an `Anchor` saying which content frame the output continues from, so positions stay
//! in content time.

use std::collections::VecDeque;

use crate::model::SilenceLevel;

/// Milliseconds of each pause kept (Pocket Casts' levels keep roughly 290–420 ms down to
/// 0–80 ms; Hark keeps a little more at each end, since a pause is speech's punctuation).
fn kept_ms(level: SilenceLevel) -> Option<u32> {
    match level {
        SilenceLevel::Off => None,
        SilenceLevel::Mild => Some(400),
        SilenceLevel::Medium => Some(200),
        SilenceLevel::Strong => Some(80),
    }
}

/// Analysis window.
const WINDOW_SECS: f64 = 0.010;
/// Crossfade at each join.
const JOIN_SECS: f64 = 0.005;
/// A window this far under the speech level starts a pause; one closer than `LEAVE_DB` ends it.
const ENTER_DB: f32 = 28.0;
const LEAVE_DB: f32 = 22.0;
/// Under this, a window is silence whatever the level.
const FLOOR_DB: f32 = -70.0;
/// The speech level follows loud windows over about this many windows (2 s).
const LEVEL_WINDOWS: f32 = 200.0;
/// The last seconds of an episode play as they are.
const UNTOUCHED_END_SECS: f64 = 5.0;

/// Where the output continues from after a join: output frame `at` is content frame
/// `content`; `removed` content frames were left out just before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub at: u64,
    pub content: u64,
    pub removed: u64,
}

struct Window {
    content: u64,
    samples: Vec<f32>,
}

pub struct SilenceShortener {
    channels: usize,
    window: usize,
    join: usize,
    /// Pause windows kept at each end; 0 when off.
    keep_each: usize,
    /// Content frame after which nothing is shortened (the episode's last seconds).
    untouched_from: u64,
    untouched_frames: u64,
    /// Speech level in dBFS, once heard.
    level_db: Option<f32>,
    in_pause: bool,
    /// Pause windows still to pass as the pause's head.
    head_left: usize,
    /// The head's last window, held back for the crossfade.
    join_window: Option<Window>,
    /// The newest pause windows (the tail to keep); older ones were dropped.
    tail: VecDeque<Window>,
    dropped: u64,
    /// Input not yet a whole window.
    partial: Vec<f32>,
    partial_start: u64,
    /// Next output frame number.
    out_frame: u64,
    /// The content frame the next input should start at (None after `clear`).
    next_input: Option<u64>,
    spare: Vec<Vec<f32>>,
}

impl SilenceShortener {
    pub fn new(channels: usize, sample_rate: u32, level: SilenceLevel) -> Self {
        let window = ((sample_rate as f64 * WINDOW_SECS) as usize).max(8);
        let keep_each = kept_ms(level).map_or(0, |ms| ((ms as f64 / 2000.0) / WINDOW_SECS).round().max(1.0) as usize);
        Self {
            channels: channels.max(1),
            window,
            join: ((sample_rate as f64 * JOIN_SECS) as usize).clamp(1, window),
            keep_each,
            untouched_from: u64::MAX,
            untouched_frames: (sample_rate as f64 * UNTOUCHED_END_SECS) as u64,
            level_db: None,
            in_pause: false,
            head_left: 0,
            join_window: None,
            tail: VecDeque::new(),
            dropped: 0,
            partial: Vec::new(),
            partial_start: 0,
            out_frame: 0,
            next_input: None,
            spare: Vec::new(),
        }
    }

    pub fn is_on(&self) -> bool {
        self.keep_each > 0
    }

    /// The episode's length in frames, once known: its last seconds are never shortened.
    pub fn set_length(&mut self, frames: Option<u64>) {
        self.untouched_from = frames.map_or(u64::MAX, |f| f.saturating_sub(self.untouched_frames));
    }

    /// Forgets the audio in flight (a seek); output continues from content frame `content`.
    /// The speech level is the episode's and is kept.
    pub fn reset(&mut self, content: u64) {
        self.clear();
        self.partial_start = content;
        self.out_frame = content;
        self.next_input = Some(content);
    }

    /// Forgets the audio in flight; the next input starts wherever it says.
    pub fn clear(&mut self) {
        self.next_input = None;
        self.in_pause = false;
        self.join_window = None;
        self.tail.clear();
        self.dropped = 0;
        self.partial.clear();
    }

    /// The content frame that continues what was pushed, if anything was.
    pub fn expected_next(&self) -> Option<u64> {
        self.next_input
    }

    /// Takes decoded audio starting at content frame `first_frame`; appends what may be
    /// heard to `out` and any joins to `anchors`. Returns the output frame `out` starts at.
    pub fn push(&mut self, samples: &[f32], first_frame: u64, out: &mut Vec<f32>, anchors: &mut Vec<Anchor>) -> u64 {
        let start = self.out_frame;
        if self.partial.is_empty() {
            self.partial_start = first_frame;
        }
        self.next_input = Some(first_frame + (samples.len() / self.channels) as u64);
        if !self.is_on() {
            out.extend_from_slice(samples);
            self.out_frame += (samples.len() / self.channels) as u64;
            return start;
        }
        let window_len = self.window * self.channels;
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (window_len - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.partial.len() == window_len {
                let mut samples = self.spare.pop().unwrap_or_default();
                samples.clear();
                samples.extend_from_slice(&self.partial);
                let window = Window { content: self.partial_start, samples };
                self.partial.clear();
                self.partial_start += self.window as u64;
                self.take_window(window, out, anchors);
            }
        }
        start
    }

    /// The end of the episode: everything held comes out.
    pub fn finish(&mut self, out: &mut Vec<f32>, anchors: &mut Vec<Anchor>) -> u64 {
        let start = self.out_frame;
        self.end_pause(out, anchors);
        let partial = std::mem::take(&mut self.partial);
        self.emit(&partial, out);
        start
    }

    fn take_window(&mut self, window: Window, out: &mut Vec<f32>, anchors: &mut Vec<Anchor>) {
        let db = self.window_db(&window.samples);
        let near_end = window.content >= self.untouched_from;
        let quiet = match self.level_db {
            _ if db < FLOOR_DB => true,
            None => false,
            Some(level) if self.in_pause => db < level - LEAVE_DB,
            Some(level) => db < level - ENTER_DB,
        };
        if !quiet || near_end {
            self.end_pause(out, anchors);
            self.follow_level(db);
            self.emit_window(window, out);
            return;
        }
        if !self.in_pause {
            self.in_pause = true;
            self.head_left = self.keep_each;
        }
        if self.head_left > 1 {
            self.head_left -= 1;
            self.emit_window(window, out);
        } else if self.head_left == 1 {
            self.head_left = 0;
            self.join_window = Some(window);
        } else {
            self.tail.push_back(window);
            if self.tail.len() > self.keep_each {
                let dropped = self.tail.pop_front().expect("not empty");
                self.dropped += self.window as u64;
                self.spare.push(dropped.samples);
            }
        }
    }

    /// Speech again (or the end): the kept head and tail come out, crossfaded where a
    /// stretch between them was left out.
    fn end_pause(&mut self, out: &mut Vec<f32>, anchors: &mut Vec<Anchor>) {
        if !self.in_pause {
            return;
        }
        self.in_pause = false;
        let join_window = self.join_window.take();
        let dropped = std::mem::take(&mut self.dropped);
        match (join_window, dropped) {
            (Some(head), removed) if removed > 0 && !self.tail.is_empty() => {
                let ch = self.channels;
                let cut = (self.window - self.join) * ch;
                self.emit(&head.samples[..cut], out);
                let mut first = self.tail.pop_front().expect("checked");
                // The output from here on continues the tail's content.
                anchors.push(Anchor {
                    at: self.out_frame,
                    content: first.content,
                    removed: removed + self.join as u64,
                });
                for i in 0..self.join * ch {
                    let fade_in = ((i / ch) as f32 + 0.5) / self.join as f32;
                    first.samples[i] = head.samples[cut + i] * (1.0 - fade_in) + first.samples[i] * fade_in;
                }
                self.emit_window(first, out);
                self.spare.push(head.samples);
            }
            (head, _) => {
                if let Some(head) = head {
                    self.emit_window(head, out);
                }
            }
        }
        while let Some(window) = self.tail.pop_front() {
            self.emit_window(window, out);
        }
    }

    fn emit_window(&mut self, window: Window, out: &mut Vec<f32>) {
        self.emit(&window.samples, out);
        self.spare.push(window.samples);
    }

    fn emit(&mut self, samples: &[f32], out: &mut Vec<f32>) {
        out.extend_from_slice(samples);
        self.out_frame += (samples.len() / self.channels) as u64;
    }

    fn window_db(&self, samples: &[f32]) -> f32 {
        let power = samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32;
        10.0 * (power + 1e-12).log10()
    }

    /// Follows the level of speech: loud windows pull it, quiet ones (consonants, breaths)
    /// do not, so pauses are judged against the voice and not against the noise.
    fn follow_level(&mut self, db: f32) {
        if db < FLOOR_DB {
            return;
        }
        match &mut self.level_db {
            None => self.level_db = Some(db),
            Some(level) if db > *level - 10.0 => *level += (db - *level) / LEVEL_WINDOWS,
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 22_050;

    /// `secs` of a voiced 220 Hz buzz at `amp`, or of silence with faint noise.
    fn sound(secs: f64, amp: f32) -> Vec<f32> {
        (0..(RATE as f64 * secs) as usize)
            .map(|i| {
                let t = i as f32 / RATE as f32;
                amp * ((2.0 * std::f32::consts::PI * 220.0 * t).sin()
                    + 0.3 * (2.0 * std::f32::consts::PI * 660.0 * t).sin())
            })
            .collect()
    }

    fn run(input: &[f32], level: SilenceLevel) -> (Vec<f32>, Vec<Anchor>) {
        let mut stage = SilenceShortener::new(1, RATE, level);
        let (mut out, mut anchors) = (Vec::new(), Vec::new());
        for (i, chunk) in input.chunks(1152).enumerate() {
            stage.push(chunk, (i * 1152) as u64, &mut out, &mut anchors);
        }
        stage.finish(&mut out, &mut anchors);
        (out, anchors)
    }

    #[test]
    fn pauses_are_shortened_to_what_the_level_keeps_and_speech_is_all_there() {
        let mut input = Vec::new();
        for _ in 0..4 {
            input.extend(sound(2.0, 0.1));
            input.extend(sound(2.0, 0.0));
        }
        input.extend(sound(2.0, 0.1));
        let (out, anchors) = run(&input, SilenceLevel::Medium);
        let secs = out.len() as f64 / RATE as f64;
        // 4 pauses of 2 s keep 0.2 s each (minus the crossfades): 18 s become ~10.8 s.
        assert!((secs - 10.8).abs() < 0.1, "lasted {secs} s");
        assert_eq!(anchors.len(), 4);
        let loud = out.chunks(220).filter(|w| w.iter().any(|s| s.abs() > 0.01)).count() as f64 * 220.0 / RATE as f64;
        assert!((loud - 10.0).abs() < 0.1, "speech lasted {loud} s");
        // Each join lands where the pause's tail is in the content.
        let removed: u64 = anchors.iter().map(|a| a.removed).sum();
        assert_eq!(out.len() as u64 + removed, input.len() as u64);
        let window = (RATE as f64 * WINDOW_SECS) as i64;
        for pair in anchors.windows(2) {
            let apart = (pair[1].content - pair[0].content) as i64;
            assert!((apart - 4 * RATE as i64).abs() <= window, "joins {apart} frames apart");
        }
    }

    #[test]
    fn off_music_and_the_end_are_untouched() {
        let mut input = sound(3.0, 0.1);
        input.extend(sound(2.0, 0.0));
        input.extend(sound(3.0, 0.1));
        assert_eq!(run(&input, SilenceLevel::Off).0.len(), input.len());
        // A quiet bed under the voice is not a pause.
        let mut bed = sound(3.0, 0.1);
        bed.extend(sound(2.0, 0.01));
        bed.extend(sound(3.0, 0.1));
        assert_eq!(run(&bed, SilenceLevel::Strong).0.len(), bed.len());
        // The last seconds are left as they are.
        let mut stage = SilenceShortener::new(1, RATE, SilenceLevel::Strong);
        stage.set_length(Some(input.len() as u64));
        let (mut out, mut anchors) = (Vec::new(), Vec::new());
        stage.push(&input, 0, &mut out, &mut anchors);
        stage.finish(&mut out, &mut anchors);
        assert_eq!(out.len(), input.len());
    }

    #[test]
    fn joins_do_not_click() {
        // Room tone (faint noise-like buzz) in the pause: the join must stay as quiet as it.
        let mut input = sound(2.0, 0.2);
        input.extend(sound(3.0, 0.0005));
        input.extend(sound(2.0, 0.2));
        let (out, anchors) = run(&input, SilenceLevel::Strong);
        assert_eq!(anchors.len(), 1);
        let at = anchors[0].at as usize;
        let jump = out[at - 200..at + 200].windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0f32, f32::max);
        assert!(jump < 0.002, "a step of {jump} at the join");
    }
}
