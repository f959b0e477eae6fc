//! Chapters as data: what every source yields and the library stores.

/// Where a chapter came from. The declaration order is the merge priority: the first source that
/// has chapters is the list (a JSON file is written for the purpose; notes are a guess).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ChapterSource {
    Json,
    Id3,
    Mp4,
    Psc,
    Notes,
}

impl ChapterSource {
    pub const ALL: [ChapterSource; 5] =
        [ChapterSource::Json, ChapterSource::Id3, ChapterSource::Mp4, ChapterSource::Psc, ChapterSource::Notes];

    /// The name stored in the library and printed by the CLI (the same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            ChapterSource::Json => "json",
            ChapterSource::Id3 => "id3",
            ChapterSource::Mp4 => "mp4",
            ChapterSource::Psc => "psc",
            ChapterSource::Notes => "notes",
        }
    }

    /// The inverse of `as_str`, forgiving of case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|source| source.as_str().eq_ignore_ascii_case(s))
    }
}

/// Serialize and Deserialize: the library stores the lists it fetched or read as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Chapter {
    pub start_secs: f64,
    /// As given by the source; see `with_ends`.
    pub end_secs: Option<f64>,
    /// May be empty (a silent marker, or a bare timestamp in the notes); `merge` fills it when
    /// another source has one.
    pub title: String,
    /// http(s) only.
    pub url: Option<String>,
    /// http(s) only.
    pub image: Option<String>,
    /// false for Podcasting 2.0 `toc: false`: not listed, but still "now playing".
    pub listed: bool,
    pub source: ChapterSource,
}

/// What a file says of its chapters.
#[derive(Debug, Clone, PartialEq)]
pub struct FileChapters {
    pub source: ChapterSource,
    /// Empty when the file has none.
    pub chapters: Vec<Chapter>,
    /// The audio's length, where the last chapter ends.
    pub duration_secs: Option<f64>,
}
