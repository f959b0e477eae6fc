//! `hark install-desktop`: for people who build from source, the launcher entry, the icons and
//! the metainfo under the user's own data folder (`~/.local/share`), pointing at this binary;
//! `--remove` takes them away again. The .deb installs the same files system-wide.

use std::path::{Path, PathBuf};

use super::APP_ID;
use crate::error::HarkError;

const DESKTOP_ENTRY: &str = include_str!("../../assets/desktop/io.github.hark.Hark.desktop");
const METAINFO: &str = include_str!("../../assets/desktop/io.github.hark.Hark.metainfo.xml");
const SCALABLE_ICON: &[u8] = include_bytes!("../../assets/desktop/icons/hicolor/scalable/apps/io.github.hark.Hark.svg");

/// The icon at every size a desktop asks for, as PNGs drawn from the SVG.
const ICONS: [(u32, &[u8]); 8] = [
    (16, include_bytes!("../../assets/desktop/icons/hicolor/16x16/apps/io.github.hark.Hark.png")),
    (24, include_bytes!("../../assets/desktop/icons/hicolor/24x24/apps/io.github.hark.Hark.png")),
    (32, include_bytes!("../../assets/desktop/icons/hicolor/32x32/apps/io.github.hark.Hark.png")),
    (48, include_bytes!("../../assets/desktop/icons/hicolor/48x48/apps/io.github.hark.Hark.png")),
    (64, include_bytes!("../../assets/desktop/icons/hicolor/64x64/apps/io.github.hark.Hark.png")),
    (128, include_bytes!("../../assets/desktop/icons/hicolor/128x128/apps/io.github.hark.Hark.png")),
    (256, include_bytes!("../../assets/desktop/icons/hicolor/256x256/apps/io.github.hark.Hark.png")),
    (512, include_bytes!("../../assets/desktop/icons/hicolor/512x512/apps/io.github.hark.Hark.png")),
];

/// The window's icon (the desktop's own icon theme wins where the entry is installed).
pub fn window_icon_png() -> &'static [u8] {
    ICONS[6].1
}

/// Every file `install` writes, relative to the data folder (`~/.local/share`), with its bytes.
fn files(exec: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = vec![
        (PathBuf::from(format!("applications/{APP_ID}.desktop")), entry_for(exec).into_bytes()),
        (PathBuf::from(format!("metainfo/{APP_ID}.metainfo.xml")), METAINFO.as_bytes().to_vec()),
        (PathBuf::from(format!("icons/hicolor/scalable/apps/{APP_ID}.svg")), SCALABLE_ICON.to_vec()),
    ];
    for (size, png) in ICONS {
        files.push((PathBuf::from(format!("icons/hicolor/{size}x{size}/apps/{APP_ID}.png")), png.to_vec()));
    }
    files
}

/// The desktop entry with `Exec` and `TryExec` naming `exec`: a build from source is rarely on
/// the launcher's PATH.
fn entry_for(exec: &Path) -> String {
    let quoted = quote_exec(&exec.display().to_string());
    DESKTOP_ENTRY
        .lines()
        .map(|line| {
            if line.starts_with("Exec=") {
                format!("Exec={quoted} %U")
            } else if line.starts_with("TryExec=") {
                format!("TryExec={}", exec.display())
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Quotes a program path for an `Exec` key as the Desktop Entry spec asks: inside double
/// quotes, `"`, `` ` ``, `$` and `\` are escaped with a backslash.
fn quote_exec(path: &str) -> String {
    if path.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c)) {
        return path.to_string();
    }
    let mut quoted = String::from("\"");
    for c in path.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Writes the entry, icons and metainfo under `data_home`; returns the paths written.
pub fn install(data_home: &Path, exec: &Path) -> Result<Vec<PathBuf>, HarkError> {
    let mut written = Vec::new();
    for (relative, bytes) in files(exec) {
        let path = data_home.join(relative);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| HarkError::io(format!("could not create {}", folder.display()), e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| HarkError::io(format!("could not write {}", path.display()), e))?;
        written.push(path);
    }
    Ok(written)
}

/// What `remove` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub removed: Vec<PathBuf>,
    /// Files at Hark's paths that `install` did not write (or that were changed since): kept.
    pub kept: Vec<PathBuf>,
}

/// Removes what `install` wrote, and only that: a file at one of its paths is removed only when
/// its bytes are exactly what `install` writes there (the launcher entry for the program its own
/// `TryExec` names). Anything else there is the user's, and stays.
pub fn remove(data_home: &Path) -> Result<Removed, HarkError> {
    let entry_path = data_home.join(format!("applications/{APP_ID}.desktop"));
    let installed_exec = std::fs::read_to_string(&entry_path)
        .ok()
        .and_then(|entry| entry.lines().find_map(|l| l.strip_prefix("TryExec=").map(PathBuf::from)));
    let mut done = Removed::default();
    for (relative, bytes) in files(installed_exec.as_deref().unwrap_or(Path::new("hark"))) {
        let path = data_home.join(relative);
        match std::fs::read(&path) {
            Ok(found) if found == bytes => match std::fs::remove_file(&path) {
                Ok(()) => done.removed.push(path),
                Err(e) => return Err(HarkError::io(format!("could not remove {}", path.display()), e)),
            },
            Ok(_) => done.kept.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(HarkError::io(format!("could not read {}", path.display()), e)),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_paths_with_spaces_and_quotes_are_quoted_for_the_launcher() {
        assert_eq!(quote_exec("/usr/bin/hark"), "/usr/bin/hark");
        assert_eq!(quote_exec("/home/a b/$x\"y"), "\"/home/a b/\\$x\\\"y\"");
    }

    #[test]
    fn the_installed_entry_runs_this_binary() {
        let entry = entry_for(Path::new("/opt/my builds/hark"));
        assert!(entry.contains("\nExec=\"/opt/my builds/hark\" %U\n"), "{entry}");
        assert!(entry.contains("\nTryExec=/opt/my builds/hark\n"), "{entry}");
        assert!(entry.contains(&format!("Icon={APP_ID}\n")));
    }
}
