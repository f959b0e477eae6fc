//! `hark config`: the listener's preferences, git-style. A change reaches a window open on the
//! same library at once.

use std::io::Write;

use super::say;
use crate::desktop::instance::{Handoff, tell_open_window};
use crate::error::HarkError;
use crate::library::Library;
use crate::paths::AppPaths;
use crate::preferences::{self, Kind};

pub fn config(
    library: &mut Library,
    paths: &AppPaths,
    key: Option<&str>,
    value: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let refused = |e: preferences::PreferenceError| HarkError::Other(e.to_string());
    match (key, value) {
        (None, _) => {
            let all = preferences::list(library).map_err(refused)?;
            if json {
                let object: serde_json::Map<String, serde_json::Value> =
                    all.iter().map(|(p, value)| (p.name.to_string(), json_value(&p.kind, value))).collect();
                say(out, serde_json::Value::Object(object));
            } else {
                let width = all.iter().map(|(p, _)| p.name.len()).max().unwrap_or(0);
                for (preference, value) in &all {
                    say(out, format!("{:<width$}  {value}", preference.name));
                }
            }
        }
        (Some(key), None) => {
            let value = preferences::get(library, key).map_err(refused)?;
            if json {
                say(out, json_value(&preferences::find(key).map_err(refused)?.kind, &value));
            } else {
                say(out, value);
            }
        }
        (Some(key), Some(value)) if preferences::find(key).is_ok_and(|p| p.kind == Kind::Folder) => {
            let folder = preferences::folder(value).map_err(refused)?.unwrap_or_else(|| paths.default_downloads());
            move_downloads(library, paths, folder, out)?;
        }
        (Some(key), Some(value)) => {
            let value = preferences::set(library, key, value).map_err(refused)?;
            let name = preferences::find(key).map_err(refused)?.name;
            let told = tell_open_window(&paths.data_dir, &Handoff::PreferencesChanged);
            say(out, format!("{name} is {value}{}", if told { " (the open window follows)" } else { "" }));
        }
    }
    Ok(())
}

/// `hark config download-folder FOLDER`: a window open on this library is downloading, so it
/// moves them; else they move here.
fn move_downloads(
    library: &mut Library,
    paths: &AppPaths,
    folder: std::path::PathBuf,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    if tell_open_window(&paths.data_dir, &Handoff::MoveDownloads(folder.clone())) {
        say(out, format!("The open window is moving your downloads to {}", folder.display()));
        return Ok(());
    }
    let moved = crate::library::move_downloads(library, &paths.downloads(), &folder, &paths.default_downloads())?;
    say(
        out,
        format!(
            "download-folder is {} (moved {} download{}, {})",
            moved.folder.display(),
            moved.files,
            if moved.files == 1 { "" } else { "s" },
            crate::model::size_text(moved.bytes)
        ),
    );
    Ok(())
}

/// Counts and speeds as JSON numbers; the rest as the words `hark config` prints.
fn json_value(kind: &Kind, value: &str) -> serde_json::Value {
    let number = match kind {
        Kind::Seconds(_) | Kind::Count(_) => value.parse::<u64>().ok().map(serde_json::Value::from),
        Kind::Speed => value.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(serde_json::Value::Number),
        _ => None,
    };
    number.unwrap_or_else(|| serde_json::Value::String(value.to_string()))
}
