//! Where Hark keeps its files. Everything Hark writes lives under these two folders.

use std::path::{Path, PathBuf};

/// Environment variable that moves every file Hark writes (tests and portable use).
pub const DATA_DIR_ENV: &str = "HARK_DATA_DIR";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
    /// The folder the listener chose for downloads (the preference `download-folder`); None:
    /// `downloads` inside the data folder.
    chosen_downloads: Option<PathBuf>,
}

impl AppPaths {
    /// `--data-dir` wins, then `HARK_DATA_DIR`, then the platform's data and cache folders.
    pub fn resolve(data_dir_flag: Option<PathBuf>) -> std::io::Result<Self> {
        if let Some(dir) = data_dir_flag.or_else(|| std::env::var_os(DATA_DIR_ENV).map(PathBuf::from)) {
            return Ok(Self::inside(&dir));
        }
        let dirs = directories::ProjectDirs::from("org", "Hark", "hark").ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "no home directory to keep the library in")
        })?;
        Ok(Self {
            data_dir: dirs.data_dir().to_path_buf(),
            cache_dir: dirs.cache_dir().to_path_buf(),
            chosen_downloads: None,
        })
    }

    /// Both data and cache inside one folder.
    pub fn inside(dir: &Path) -> Self {
        Self { data_dir: dir.to_path_buf(), cache_dir: dir.join("cache"), chosen_downloads: None }
    }

    /// The same folders with downloads where the listener chose (None: the default).
    pub fn with_downloads(self, chosen: Option<PathBuf>) -> Self {
        Self { chosen_downloads: chosen, ..self }
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("library.sqlite3")
    }

    /// Where downloads go: the listener's folder, else `downloads` in the data folder.
    pub fn downloads(&self) -> PathBuf {
        self.chosen_downloads.clone().unwrap_or_else(|| self.default_downloads())
    }

    pub fn default_downloads(&self) -> PathBuf {
        self.data_dir.join("downloads")
    }

    pub fn art_cache(&self) -> PathBuf {
        self.cache_dir.join("art")
    }

    /// Transcripts as fetched, by the hash of their address.
    pub fn transcript_cache(&self) -> PathBuf {
        self.cache_dir.join("transcripts")
    }

    /// Creates the folders on first use.
    pub fn create_all(&self) -> std::io::Result<()> {
        for dir in [self.data_dir.clone(), self.downloads(), self.art_cache()] {
            std::fs::create_dir_all(dir)?;
        }
        Ok(())
    }
}
