//! How the listener listens: each show's own settings, each episode's loudness, and the time
//! spent listening and saved.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Library, Result};
use crate::model::SilenceLevel;
use crate::model::{EpisodeId, PodcastId};

/// A show's own way of listening. `None` follows the listener's settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShowSettings {
    pub speed: Option<f32>,
    pub skip_silence: Option<SilenceLevel>,
    pub voice_boost: Option<bool>,
    pub loudness: Option<bool>,
    /// Every episode starts this far in (a fixed intro), and ends this long before its end.
    pub skip_intro_secs: f64,
    pub skip_outro_secs: f64,
}

/// Time spent listening, and time saved by speed and by shortened silences (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ListeningTime {
    pub listened_secs: f64,
    pub saved_by_speed_secs: f64,
    pub saved_by_silence_secs: f64,
}

impl ListeningTime {
    pub fn is_empty(&self) -> bool {
        self.listened_secs == 0.0 && self.saved_by_speed_secs == 0.0 && self.saved_by_silence_secs == 0.0
    }

    pub fn saved_secs(&self) -> f64 {
        self.saved_by_speed_secs + self.saved_by_silence_secs
    }
}

/// One followed show's share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShowListening {
    pub podcast: i64,
    pub title: String,
    #[serde(flatten)]
    pub time: ListeningTime,
}

/// Everything the Statistics view and `hark stats` show.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ListeningStats {
    #[serde(flatten)]
    pub total: ListeningTime,
    /// Most listened first.
    pub shows: Vec<ShowListening>,
}

fn time_from(row: &rusqlite::Row, first: usize) -> rusqlite::Result<ListeningTime> {
    Ok(ListeningTime {
        listened_secs: row.get(first)?,
        saved_by_speed_secs: row.get(first + 1)?,
        saved_by_silence_secs: row.get(first + 2)?,
    })
}

/// A stored setting read as what it should be, whatever a hand edit of the database left there:
/// a value of another type is no value, and the default applies.
fn real(value: Value) -> Option<f64> {
    match value {
        Value::Real(number) => Some(number),
        Value::Integer(number) => Some(number as f64),
        Value::Text(text) => text.trim().parse().ok(),
        Value::Null | Value::Blob(_) => None,
    }
}

fn flag(value: Value) -> Option<bool> {
    match value {
        Value::Integer(number) => Some(number != 0),
        Value::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "on" | "yes" => Some(true),
            "0" | "false" | "off" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn text(value: Value) -> Option<String> {
    match value {
        Value::Text(text) => Some(text),
        _ => None,
    }
}

impl Library {
    pub fn show_settings(&self, podcast: PodcastId) -> Result<ShowSettings> {
        let settings = self
            .conn
            .query_row(
                "SELECT speed, skip_silence, voice_boost, loudness, skip_intro_secs, skip_outro_secs \
                 FROM show_settings WHERE podcast_id = ?1",
                [podcast.0],
                |r| {
                    Ok(ShowSettings {
                        speed: real(r.get(0)?).map(|s| s as f32).filter(|s| s.is_finite()),
                        skip_silence: text(r.get(1)?).as_deref().and_then(SilenceLevel::parse),
                        voice_boost: flag(r.get(2)?),
                        loudness: flag(r.get(3)?),
                        skip_intro_secs: real(r.get(4)?).filter(|s| s.is_finite()).unwrap_or(0.0).max(0.0),
                        skip_outro_secs: real(r.get(5)?).filter(|s| s.is_finite()).unwrap_or(0.0).max(0.0),
                    })
                },
            )
            .optional()?;
        Ok(settings.unwrap_or_default())
    }

    pub fn set_show_settings(&mut self, podcast: PodcastId, settings: &ShowSettings) -> Result<()> {
        let finite = |secs: f64| if secs.is_finite() { secs.max(0.0) } else { 0.0 };
        self.conn.execute(
            "INSERT INTO show_settings (podcast_id, speed, skip_silence, voice_boost, loudness, skip_intro_secs, skip_outro_secs) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT(podcast_id) DO UPDATE SET speed = excluded.speed, skip_silence = excluded.skip_silence, \
             voice_boost = excluded.voice_boost, loudness = excluded.loudness, \
             skip_intro_secs = excluded.skip_intro_secs, skip_outro_secs = excluded.skip_outro_secs",
            params![
                podcast.0,
                settings.speed.filter(|s| s.is_finite()).map(f64::from),
                settings.skip_silence.map(SilenceLevel::name),
                settings.voice_boost,
                settings.loudness,
                finite(settings.skip_intro_secs),
                finite(settings.skip_outro_secs),
            ],
        )?;
        Ok(())
    }

    /// The episode's measured loudness, and its show's last known one (LUFS).
    pub fn loudness(&self, episode: EpisodeId) -> Result<(Option<f64>, Option<f64>)> {
        Ok(self.conn.query_row(
            "SELECT e.loudness_lufs, p.loudness_lufs FROM episodes e JOIN podcasts p ON p.id = e.podcast_id WHERE e.id = ?1",
            [episode.0],
            |r| Ok((real(r.get(0)?).filter(|l| l.is_finite()), real(r.get(1)?).filter(|l| l.is_finite()))),
        )?)
    }

    /// Stores a downloaded episode's loudness; it becomes its show's starting point too.
    pub fn set_loudness(&mut self, episode: EpisodeId, lufs: f64) -> Result<()> {
        if !lufs.is_finite() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE episodes SET loudness_lufs = ?2 WHERE id = ?1", params![episode.0, lufs])?;
        tx.execute(
            "UPDATE podcasts SET loudness_lufs = ?2 WHERE id = (SELECT podcast_id FROM episodes WHERE id = ?1)",
            params![episode.0, lufs],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds listening time to an episode's (and so its show's and the total).
    pub fn add_listening(&mut self, episode: EpisodeId, podcast: PodcastId, time: ListeningTime) -> Result<()> {
        if time.is_empty() {
            return Ok(());
        }
        self.conn.execute(
            "INSERT INTO listening_time (episode_id, podcast_id, listened_secs, saved_by_speed_secs, saved_by_silence_secs) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(episode_id) DO UPDATE SET \
             listened_secs = listened_secs + excluded.listened_secs, \
             saved_by_speed_secs = saved_by_speed_secs + excluded.saved_by_speed_secs, \
             saved_by_silence_secs = saved_by_silence_secs + excluded.saved_by_silence_secs",
            params![episode.0, podcast.0, time.listened_secs, time.saved_by_speed_secs, time.saved_by_silence_secs],
        )?;
        Ok(())
    }

    pub fn episode_listening(&self, episode: EpisodeId) -> Result<ListeningTime> {
        let time = self
            .conn
            .query_row(
                "SELECT listened_secs, saved_by_speed_secs, saved_by_silence_secs FROM listening_time WHERE episode_id = ?1",
                [episode.0],
                |r| time_from(r, 0),
            )
            .optional()?;
        Ok(time.unwrap_or_default())
    }

    /// The totals, and each followed show's share.
    pub fn listening_stats(&self) -> Result<ListeningStats> {
        let total = self.conn.query_row(
            "SELECT COALESCE(SUM(listened_secs), 0), COALESCE(SUM(saved_by_speed_secs), 0), \
             COALESCE(SUM(saved_by_silence_secs), 0) FROM listening_time",
            [],
            |r| time_from(r, 0),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.title, SUM(t.listened_secs), SUM(t.saved_by_speed_secs), SUM(t.saved_by_silence_secs) \
             FROM listening_time t JOIN podcasts p ON p.id = t.podcast_id \
             GROUP BY p.id ORDER BY SUM(t.listened_secs) DESC, p.title",
        )?;
        let shows = stmt
            .query_map([], |r| Ok(ShowListening { podcast: r.get(0)?, title: r.get(1)?, time: time_from(r, 2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ListeningStats { total, shows })
    }
}

#[cfg(test)]
mod hand_edited {
    use super::*;

    #[test]
    fn settings_edited_by_hand_into_the_wrong_type_fall_back_to_the_defaults() {
        let mut library = Library::in_memory().unwrap();
        let xml = "<rss version=\"2.0\"><channel><title>Edited</title><item><guid>a</guid><title>A</title>\
                   <enclosure url=\"https://example.com/a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>";
        let feed = crate::feed::parse_feed(xml.as_bytes(), &url::Url::parse("https://example.com/f.xml").unwrap());
        let (podcast, _) = library.subscribe("https://example.com/f.xml", &feed.unwrap()).unwrap();
        let episode = library.episodes(Some(podcast)).unwrap()[0].id;
        library.set_show_settings(podcast, &ShowSettings::default()).unwrap();
        library
            .conn
            .execute_batch(
                "UPDATE show_settings SET loudness = 'loud', speed = 'fast', voice_boost = 'on', skip_intro_secs = 'x';
                 UPDATE episodes SET loudness_lufs = 'quiet';",
            )
            .unwrap();
        let settings = library.show_settings(podcast).expect("read, not a database error");
        assert_eq!(settings.loudness, None, "the listener's default applies");
        assert_eq!(settings.speed, None);
        assert_eq!(settings.voice_boost, Some(true), "a word that means on");
        assert_eq!(settings.skip_intro_secs, 0.0);
        assert_eq!(library.loudness(episode).unwrap(), (None, None));
    }
}
