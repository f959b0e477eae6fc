//! What a show's episode list shows: its order, which episodes, and the words searched for —
//! pure view state, worked out again only when one of them or the episodes change.

use crate::model::{EpisodeSummary, EpisodeType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// As the library lists them (newest first; a serial show from part one).
    #[default]
    Feed,
    Newest,
    Oldest,
    UnplayedFirst,
    Longest,
    Shortest,
}

impl Sort {
    pub const ALL: [Sort; 6] =
        [Sort::Feed, Sort::Newest, Sort::Oldest, Sort::UnplayedFirst, Sort::Longest, Sort::Shortest];

    /// How the choice is kept in the library (per show).
    pub fn key(self) -> &'static str {
        match self {
            Sort::Feed => "feed",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::UnplayedFirst => "unplayed",
            Sort::Longest => "longest",
            Sort::Shortest => "shortest",
        }
    }

    /// A kept choice; anything else is the show's own order.
    pub fn from_key(key: &str) -> Sort {
        Sort::ALL.into_iter().find(|sort| sort.key() == key).unwrap_or_default()
    }

    pub fn name(self) -> &'static str {
        match self {
            Sort::Feed => "Show's order",
            Sort::Newest => "Newest first",
            Sort::Oldest => "Oldest first",
            Sort::UnplayedFirst => "Unplayed first",
            Sort::Longest => "Longest first",
            Sort::Shortest => "Shortest first",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    #[default]
    All,
    Unplayed,
    InProgress,
    Downloaded,
    /// No trailers or bonus episodes (`itunes:episodeType`).
    FullEpisodes,
}

impl Filter {
    pub const ALL: [Filter; 5] =
        [Filter::All, Filter::Unplayed, Filter::InProgress, Filter::Downloaded, Filter::FullEpisodes];

    pub fn name(self) -> &'static str {
        match self {
            Filter::All => "All",
            Filter::Unplayed => "Unplayed",
            Filter::InProgress => "In progress",
            Filter::Downloaded => "Downloaded",
            Filter::FullEpisodes => "No trailers or bonus",
        }
    }

    fn keeps(self, episode: &EpisodeSummary) -> bool {
        match self {
            Filter::All => true,
            Filter::Unplayed => !episode.played,
            Filter::InProgress => !episode.played && episode.position_secs > 0.0,
            Filter::Downloaded => episode.downloaded,
            Filter::FullEpisodes => episode.episode_type == EpisodeType::Full,
        }
    }
}

/// The list's settings and the rows they come to.
#[derive(Debug, Default)]
pub struct EpisodeListView {
    pub sort: Sort,
    pub filter: Filter,
    pub query: String,
    /// Indexes into the show's episodes, in the order shown; None until worked out.
    rows: Option<std::rc::Rc<[usize]>>,
    /// What `rows` was worked out for.
    made_for: Option<(Sort, Filter, String, usize, u64)>,
}

impl EpisodeListView {
    /// The rows for `episodes`, worked out again only when the settings or the episodes changed
    /// (`version` changes whenever the episodes are read again); a frame only shares them.
    pub fn rows(&mut self, episodes: &[EpisodeSummary], version: u64) -> std::rc::Rc<[usize]> {
        let current = self.made_for.as_ref().is_some_and(|(sort, filter, query, len, made)| {
            (*sort, *filter, *len, *made) == (self.sort, self.filter, episodes.len(), version) && *query == self.query
        });
        match &self.rows {
            Some(rows) if current => rows.clone(),
            _ => {
                let rows: std::rc::Rc<[usize]> = arrange(episodes, self.sort, self.filter, &self.query).into();
                self.made_for = Some((self.sort, self.filter, self.query.clone(), episodes.len(), version));
                self.rows = Some(rows.clone());
                rows
            }
        }
    }
}

/// The indexes of the episodes `filter` and `query` keep, in `sort`'s order.
pub fn arrange(episodes: &[EpisodeSummary], sort: Sort, filter: Filter, query: &str) -> Vec<usize> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut rows: Vec<usize> = (0..episodes.len())
        .filter(|&i| filter.keeps(&episodes[i]))
        .filter(|&i| {
            let title = episodes[i].title.to_lowercase();
            words.iter().all(|word| title.contains(word.as_str()))
        })
        .collect();
    let published = |i: &usize| episodes[*i].published;
    let length = |i: &usize| episodes[*i].duration_secs.unwrap_or(0);
    match sort {
        Sort::Feed => {}
        Sort::Newest => rows.sort_by_key(|i| std::cmp::Reverse(published(i))),
        Sort::Oldest => rows.sort_by_key(published),
        Sort::UnplayedFirst => rows.sort_by_key(|i| episodes[*i].played),
        Sort::Longest => rows.sort_by_key(|i| std::cmp::Reverse(length(i))),
        Sort::Shortest => rows.sort_by_key(length),
    }
    rows
}
