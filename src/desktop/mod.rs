//! Hark as a desktop application: its id (the desktop entry, the window's class, MPRIS'
//! `DesktopEntry`), what `hark TARGET` opens, one window per library, and the launcher entry
//! for people who build from source.

pub mod appearance;
pub mod file_chooser;
pub mod install;
pub mod instance;
pub mod notify;

use std::path::{Path, PathBuf};

/// The application id: the desktop entry's and metainfo's file names, the icon's name, the
/// window's class and app id, MPRIS' `DesktopEntry`.
pub const APP_ID: &str = "io.github.hark.Hark";

/// What `hark TARGET` (a launcher, a browser's link, a file manager) asks the window to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    /// A feed address: the window asks "Subscribe to …?".
    Feed(String),
    /// An OPML file: the window offers to import its shows.
    Opml(PathBuf),
}

impl Opening {
    /// Reads a launcher argument: an http(s) feed address; a `podcast:`, `pcast:`, `itpc:` or
    /// `feed:` link (the old schemes for "subscribe in your podcast app"); an OPML file as a
    /// path or a `file://` URL. Relative paths are taken from `cwd`.
    pub fn parse(target: &str, cwd: &Path) -> Result<Self, String> {
        let target = target.trim();
        if target.chars().any(char::is_control) {
            return Err("the address has control characters in it".into());
        }
        if target.len() > LONGEST_TARGET {
            return Err(format!("an address or path of {} characters is not one Hark opens", target.chars().count()));
        }
        let lower = target.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Ok(Self::Feed(target.to_string()));
        }
        for scheme in ["podcast:", "pcast:", "itpc:", "feed:"] {
            if lower.starts_with(scheme) {
                let rest = &target[scheme.len()..];
                let rest_lower = rest.to_ascii_lowercase();
                // `podcast:https://…` names the feed whole; `podcast://host/feed` stands for
                // http, as in every app that took these links (servers redirect to https).
                let feed = if rest_lower.starts_with("http://") || rest_lower.starts_with("https://") {
                    rest.to_string()
                } else if let Some(address) = rest.strip_prefix("//") {
                    format!("http://{address}")
                } else {
                    return Err(format!("\"{target}\" is not a podcast link"));
                };
                return Ok(Self::Feed(feed));
            }
        }
        let path = match url::Url::parse(target) {
            Ok(url) if url.scheme() == "file" => {
                url.to_file_path().map_err(|()| format!("\"{target}\" is not a file on this machine"))?
            }
            Ok(url) if url.scheme().len() > 1 => {
                return Err(format!("Hark opens http(s) feeds and OPML files, not {}: links", url.scheme()));
            }
            _ => cwd.join(target),
        };
        if path.is_file() {
            Ok(Self::Opml(path))
        } else {
            Err(format!("\"{target}\" is neither a feed address nor an OPML file"))
        }
    }
}

/// The longest address or path `hark TARGET` takes (real feed addresses are a few hundred bytes).
pub const LONGEST_TARGET: usize = 4096;

/// What a file handed to the window holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandedFile {
    Opml(Vec<crate::opml::OpmlFeed>),
    /// A feed saved to disk, by the address it says it lives at (a subscription needs one).
    Feed(String),
}

/// The largest file read when one is handed over: OPML of thousands of shows is a few MB.
const LARGEST_HANDED_FILE: u64 = 32 * 1024 * 1024;

/// Reads a file another program handed over: an OPML list of shows, or a saved feed that
/// names its own address.
pub fn read_handed_file(path: &Path) -> Result<HandedFile, String> {
    use std::io::Read;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("could not read {shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(LARGEST_HANDED_FILE + 1).read_to_end(&mut bytes).map_err(|e| format!("could not read {shown}: {e}"))?;
    if bytes.len() as u64 > LARGEST_HANDED_FILE {
        return Err(format!("{shown} is too large for a list of podcasts"));
    }
    match crate::opml::parse(&bytes) {
        Ok(feeds) => Ok(HandedFile::Opml(feeds)),
        Err(opml_error) => match crate::feed::own_address(&bytes) {
            Some(url) => Ok(HandedFile::Feed(url)),
            None => Err(format!("{shown} is neither an OPML file ({opml_error}) nor a feed that names its address")),
        },
    }
}
