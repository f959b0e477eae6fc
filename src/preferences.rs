//! The listener's preferences: which there are, their names, what each accepts, its default,
//! and how it is stored. The Preferences window and `hark config` both read and write them
//! here, so a value one of them takes the other takes too, and a value edited by hand in the
//! library that makes no sense reads as the default.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use crate::library::{Library, keys};
use crate::player::{SPEED_RANGE, SilenceLevel, round_speed};

/// What a preference accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Whole seconds in a range.
    Seconds(RangeInclusive<u32>),
    /// A count in a range.
    Count(RangeInclusive<u32>),
    /// `off`, or a length from a minute to a day: `15m`, `1h`, `90m`, `24h`.
    Interval,
    /// `on` or `off`.
    Switch,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A playback speed, on the speed step.
    Speed,
    /// An absolute folder, or `default`. Setting one moves files (`library::move_downloads`),
    /// so it is set through `folder`, never stored by `set`.
    Folder,
}

/// One preference.
#[derive(Debug, Clone, PartialEq)]
pub struct Preference {
    /// Its name for `hark config` and in the Preferences window's tooltips.
    pub name: &'static str,
    /// Its key in the library's settings table.
    storage: &'static str,
    pub kind: Kind,
    /// Its value until it is set, as `hark config` prints it.
    pub default: &'static str,
    pub about: &'static str,
}

pub const SKIP_BACK: &str = "skip-back";
pub const SKIP_FORWARD: &str = "skip-forward";
pub const REFRESH_INTERVAL: &str = "refresh-interval";
pub const NOTIFICATIONS: &str = "notifications";
pub const AUTO_DOWNLOAD: &str = "auto-download";
pub const KEEP_DOWNLOADS: &str = "keep-downloads";
pub const DELETE_WHEN_PLAYED: &str = "delete-when-played";
pub const PARALLEL_DOWNLOADS: &str = "parallel-downloads";
pub const THEME: &str = "theme";
pub const SPEED: &str = "speed";
pub const SKIP_SILENCE: &str = "skip-silence";
pub const LOUDNESS: &str = "loudness";
pub const VOICE_BOOST: &str = "voice-boost";
pub const TRANSCRIPTS_PER_SHOW: &str = "transcripts-per-show";
pub const DOWNLOAD_FOLDER: &str = "download-folder";

const SKIP_STEPS: RangeInclusive<u32> = 1..=600;
/// The shortest and longest refresh intervals; a minute is there for trying it out.
const INTERVALS: RangeInclusive<u64> = 60..=86_400;

/// Every preference, in the order `hark config` lists them.
pub const ALL: &[Preference] = &[
    pref(SKIP_BACK, "skip_back", Kind::Seconds(SKIP_STEPS), "10", "Seconds the rewind button and Left go back"),
    pref(SKIP_FORWARD, "skip_forward", Kind::Seconds(SKIP_STEPS), "30", "Seconds the skip button and Right go ahead"),
    pref(REFRESH_INTERVAL, "refresh_interval", Kind::Interval, "1h", "How often the open window refreshes every show"),
    pref(NOTIFICATIONS, "notifications", Kind::Switch, "on", "A desktop notification for new episodes"),
    pref(
        AUTO_DOWNLOAD,
        keys::AUTO_DOWNLOAD_NEWEST,
        Kind::Count(0..=50),
        "0",
        "Download the newest N new episodes of a show after a refresh",
    ),
    pref(
        KEEP_DOWNLOADS,
        "keep_downloads",
        Kind::Count(0..=1000),
        "0",
        "Keep at most N downloads per show (played ones go first; 0: all)",
    ),
    pref(DELETE_WHEN_PLAYED, keys::DELETE_WHEN_PLAYED, Kind::Switch, "off", "Delete a download once it is played"),
    pref(PARALLEL_DOWNLOADS, keys::PARALLEL_DOWNLOADS, Kind::Count(1..=10), "3", "Downloads at once"),
    pref(
        DOWNLOAD_FOLDER,
        keys::DOWNLOAD_FOLDER,
        Kind::Folder,
        "default",
        "Where downloads are kept (changing it moves them there)",
    ),
    pref(THEME, "theme", Kind::Choice(&["system", "light", "dark"]), "system", "Light or dark, or as the desktop says"),
    pref(SPEED, keys::SPEED, Kind::Speed, "1.0", "Playback speed (pitch is kept)"),
    pref(
        SKIP_SILENCE,
        keys::SKIP_SILENCE,
        Kind::Choice(&["off", "mild", "medium", "strong"]),
        "off",
        "Shorten pauses in speech",
    ),
    pref(LOUDNESS, keys::LOUDNESS, Kind::Switch, "on", "Level every episode to -16 LUFS"),
    pref(VOICE_BOOST, keys::VOICE_BOOST, Kind::Switch, "off", "Voice boost: clearer speech in noise"),
    pref(
        TRANSCRIPTS_PER_SHOW,
        "transcripts_per_show",
        Kind::Count(0..=200),
        "20",
        "Fetch the transcripts of each show's newest N episodes, to search them (0: off)",
    ),
];

const fn pref(
    name: &'static str,
    storage: &'static str,
    kind: Kind,
    default: &'static str,
    about: &'static str,
) -> Preference {
    Preference { name, storage, kind, default, about }
}

/// A name or value `hark config` (or the window) cannot take, said in one line naming what is
/// accepted.
#[derive(Debug, thiserror::Error)]
pub enum PreferenceError {
    #[error("there is no setting \"{0}\"; the settings are {names}", names = names())]
    Unknown(String),
    #[error("{name} cannot be \"{value}\": it takes {accepted}")]
    Refused { name: &'static str, value: String, accepted: String },
    #[error("{0} moves files: it is set by moving them")]
    MovesFiles(&'static str),
    #[error(transparent)]
    Library(#[from] crate::error::LibraryError),
}

fn names() -> String {
    ALL.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

/// The preference called `name`.
pub fn find(name: &str) -> Result<&'static Preference, PreferenceError> {
    ALL.iter().find(|p| p.name == name.trim()).ok_or_else(|| PreferenceError::Unknown(name.trim().to_string()))
}

impl Preference {
    /// What it accepts, in words.
    pub fn accepted(&self) -> String {
        match &self.kind {
            Kind::Seconds(range) => format!("seconds from {} to {}", range.start(), range.end()),
            Kind::Count(range) => format!("a number from {} to {}", range.start(), range.end()),
            Kind::Interval => "off, or a time from 1m to 24h (such as 15m, 1h, 6h)".to_string(),
            Kind::Switch => "on or off".to_string(),
            Kind::Choice(words) => words.join(", "),
            Kind::Speed => format!("a speed from {} to {}", SPEED_RANGE.start(), SPEED_RANGE.end()),
            Kind::Folder => "a folder's full path (such as /media/disk/podcasts), or default".to_string(),
        }
    }

    /// The value as stored, from a value as typed; None when it is not accepted.
    fn to_stored(&self, as_typed: &str) -> Option<String> {
        let typed = as_typed.trim().to_ascii_lowercase();
        match &self.kind {
            // A path keeps its case.
            Kind::Folder => {
                folder_typed(as_typed).map(|f| f.map(|f| f.to_string_lossy().into_owned()).unwrap_or_default())
            }
            Kind::Seconds(range) | Kind::Count(range) => {
                let number: u32 = typed.trim_end_matches('s').trim().parse().ok()?;
                range.contains(&number).then(|| number.to_string())
            }
            Kind::Interval => interval_secs(&typed).map(|secs| secs.to_string()),
            Kind::Switch => match typed.as_str() {
                "on" | "true" | "yes" | "1" => Some("1".into()),
                "off" | "false" | "no" | "0" => Some("0".into()),
                _ => None,
            },
            Kind::Choice(words) => words.contains(&typed.as_str()).then_some(typed),
            Kind::Speed => {
                let speed: f32 = typed.trim_end_matches(['x', '×']).parse().ok()?;
                (speed.is_finite() && SPEED_RANGE.contains(&speed)).then(|| round_speed(speed).to_string())
            }
        }
    }

    /// The value as `hark config` prints it, from what is stored; the default for nothing or
    /// for anything it would not have accepted.
    fn shown(&self, stored: Option<&str>) -> String {
        let shown = stored.and_then(|stored| match &self.kind {
            Kind::Interval => stored.parse::<u64>().ok().and_then(interval_text),
            Kind::Switch => match stored {
                "1" => Some("on".to_string()),
                "0" => Some("off".to_string()),
                _ => None,
            },
            Kind::Speed => {
                stored.parse::<f32>().ok().filter(|s| s.is_finite()).map(|s| format!("{:.1}", round_speed(s)))
            }
            Kind::Folder => folder_typed(stored).flatten().map(|f| f.to_string_lossy().into_owned()),
            _ => self.to_stored(stored),
        });
        shown.unwrap_or_else(|| self.default.to_string())
    }
}

/// A folder as typed: `default` → Some(None); a full path → Some(Some(path)); else None.
fn folder_typed(typed: &str) -> Option<Option<PathBuf>> {
    let typed = typed.trim();
    if typed.is_empty() || typed.eq_ignore_ascii_case("default") {
        return Some(None);
    }
    let folder = PathBuf::from(typed);
    (folder.is_absolute() && !typed.chars().any(char::is_control)).then_some(Some(folder))
}

/// The folder `download-folder VALUE` asks for (None: the default one), or why not.
pub fn folder(value: &str) -> Result<Option<PathBuf>, PreferenceError> {
    let preference = find(DOWNLOAD_FOLDER)?;
    folder_typed(value).ok_or_else(|| PreferenceError::Refused {
        name: preference.name,
        value: crate::error::one_line(value),
        accepted: preference.accepted(),
    })
}

/// `off` → 0; `90s`, `15m`, `1h`, `1h30m`-less plain forms within `INTERVALS`.
fn interval_secs(typed: &str) -> Option<u64> {
    if typed == "off" || typed == "0" {
        return Some(0);
    }
    let (number, unit) = match typed.char_indices().last()? {
        (at, 's') => (&typed[..at], 1),
        (at, 'm') => (&typed[..at], 60),
        (at, 'h') => (&typed[..at], 3600),
        _ => return None,
    };
    let secs = number.trim().parse::<u64>().ok()?.checked_mul(unit)?;
    INTERVALS.contains(&secs).then_some(secs)
}

/// How an interval in seconds is said: `off`, `15m`, `1h`, `90m`.
fn interval_text(secs: u64) -> Option<String> {
    match secs {
        0 => Some("off".to_string()),
        s if !INTERVALS.contains(&s) => None,
        s if s % 3600 == 0 => Some(format!("{}h", s / 3600)),
        s if s % 60 == 0 => Some(format!("{}m", s / 60)),
        s => Some(format!("{s}s")),
    }
}

/// A preference's value as `hark config NAME` prints it.
pub fn get(library: &Library, name: &str) -> Result<String, PreferenceError> {
    let preference = find(name)?;
    let stored = library.setting(preference.storage)?;
    Ok(preference.shown(stored.as_deref()))
}

/// Sets a preference from a value as typed; returns it as `hark config` prints it.
pub fn set(library: &mut Library, name: &str, value: &str) -> Result<String, PreferenceError> {
    let preference = find(name)?;
    if preference.kind == Kind::Folder {
        return Err(PreferenceError::MovesFiles(preference.name));
    }
    let stored = preference.to_stored(value).ok_or_else(|| PreferenceError::Refused {
        name: preference.name,
        value: crate::error::one_line(value),
        accepted: preference.accepted(),
    })?;
    library.set_setting(preference.storage, &stored)?;
    Ok(preference.shown(Some(&stored)))
}

/// Every preference with its value, in `ALL`'s order.
pub fn list(library: &Library) -> Result<Vec<(&'static Preference, String)>, PreferenceError> {
    ALL.iter().map(|p| Ok((p, get(library, p.name)?))).collect()
}

/// The preferences the window and the net service act on, read once.
#[derive(Debug, Clone, PartialEq)]
pub struct Preferences {
    pub skip_back_secs: u32,
    pub skip_forward_secs: u32,
    /// None: refresh only when asked.
    pub refresh_interval: Option<Duration>,
    pub notifications: bool,
    pub keep_downloads: Option<u32>,
    pub theme: Theme,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// As the desktop's light/dark preference says.
    #[default]
    System,
    Light,
    Dark,
}

impl Preferences {
    pub fn load(library: &Library) -> Result<Self, PreferenceError> {
        let number = |name| -> Result<u64, PreferenceError> {
            let value = get(library, name)?;
            Ok(interval_secs(&value).or_else(|| value.parse().ok()).unwrap_or(0))
        };
        Ok(Self {
            skip_back_secs: number(SKIP_BACK)? as u32,
            skip_forward_secs: number(SKIP_FORWARD)? as u32,
            refresh_interval: Some(number(REFRESH_INTERVAL)?).filter(|s| *s > 0).map(Duration::from_secs),
            notifications: get(library, NOTIFICATIONS)? == "on",
            keep_downloads: Some(number(KEEP_DOWNLOADS)? as u32).filter(|n| *n > 0),
            theme: match get(library, THEME)?.as_str() {
                "light" => Theme::Light,
                "dark" => Theme::Dark,
                _ => Theme::System,
            },
        })
    }
}

impl Default for Preferences {
    /// The defaults `ALL` names.
    fn default() -> Self {
        Self {
            skip_back_secs: 10,
            skip_forward_secs: 30,
            refresh_interval: Some(Duration::from_secs(3600)),
            notifications: true,
            keep_downloads: None,
            theme: Theme::System,
        }
    }
}

/// How many of each show's newest episodes have their transcripts fetched in the background.
pub fn transcripts_per_show(library: &Library) -> Result<usize, PreferenceError> {
    Ok(get(library, TRANSCRIPTS_PER_SHOW)?.parse().unwrap_or(0))
}

/// The listener's skip-silence level (kept here beside its name and default).
pub fn silence_level(library: &Library) -> Result<SilenceLevel, PreferenceError> {
    Ok(SilenceLevel::parse(&get(library, SKIP_SILENCE)?).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(&dir.path().join("library.sqlite3")).unwrap();
        (dir, library)
    }

    #[test]
    fn values_are_taken_in_their_typed_forms_and_printed_in_one() {
        let (_dir, mut library) = library();
        assert_eq!(get(&library, SKIP_BACK).unwrap(), "10");
        assert_eq!(set(&mut library, SKIP_BACK, "15").unwrap(), "15");
        assert_eq!(set(&mut library, REFRESH_INTERVAL, "90m").unwrap(), "90m");
        assert_eq!(set(&mut library, REFRESH_INTERVAL, "1m").unwrap(), "1m");
        assert_eq!(set(&mut library, REFRESH_INTERVAL, "OFF").unwrap(), "off");
        assert_eq!(set(&mut library, NOTIFICATIONS, "off").unwrap(), "off");
        assert_eq!(set(&mut library, SPEED, "1.25").unwrap(), "1.3");
        let prefs = Preferences::load(&library).unwrap();
        assert_eq!((prefs.skip_back_secs, prefs.skip_forward_secs), (15, 30));
        assert_eq!((prefs.refresh_interval, prefs.notifications), (None, false));
    }

    #[test]
    fn a_bad_name_or_value_is_one_line_naming_what_is_accepted() {
        let (_dir, mut library) = library();
        let unknown = set(&mut library, "skip-backwards", "5").unwrap_err().to_string();
        assert!(
            unknown.contains("no setting \"skip-backwards\"") && unknown.contains("skip-back, skip-forward"),
            "{unknown}"
        );
        let refused = set(&mut library, REFRESH_INTERVAL, "30s").unwrap_err().to_string();
        assert_eq!(
            refused,
            "refresh-interval cannot be \"30s\": it takes off, or a time from 1m to 24h (such as 15m, 1h, 6h)"
        );
        let refused = set(&mut library, SKIP_FORWARD, "0").unwrap_err().to_string();
        assert!(refused.contains("seconds from 1 to 600"), "{refused}");
        assert_eq!(get(&library, SKIP_FORWARD).unwrap(), "30", "nothing was stored");
    }

    #[test]
    fn a_value_edited_by_hand_that_makes_no_sense_reads_as_the_default() {
        let (_dir, mut library) = library();
        library.set_setting("skip_back", "-4").unwrap();
        library.set_setting("refresh_interval", "7").unwrap();
        library.set_setting(keys::SPEED, "NaN").unwrap();
        assert_eq!(get(&library, SKIP_BACK).unwrap(), "10");
        assert_eq!(get(&library, REFRESH_INTERVAL).unwrap(), "1h");
        assert_eq!(get(&library, SPEED).unwrap(), "1.0");
    }
}
