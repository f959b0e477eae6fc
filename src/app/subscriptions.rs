//! The shows followed: subscribe, refresh, unsubscribe, find shows in the directories, import;
//! each asks the net service or the library, and the answers come back as events.

use super::HarkApp;
use crate::error::HarkError;
use crate::library::keys::{PODCASTINDEX_KEY, PODCASTINDEX_SECRET};
use crate::listening::Command;
use crate::model::PodcastId;
use crate::net::NetCommand;
use crate::net::directory::Directories;
use crate::opml::OpmlFeed;
use crate::ui::{ImportProgress, Notice, RefreshProgress};

impl HarkApp {
    pub(super) fn subscribe(&mut self, url: String) -> Result<(), HarkError> {
        // Another spelling of a followed feed is known here, offline too.
        if let Some(known) = crate::net::refresh::already_following(&self.library, &url)? {
            self.state.add_podcast.url.clear();
            self.state.notice = Some(Notice::info(known.summary()));
            return self.select_podcast(known.podcast);
        }
        let request = self.request_id();
        self.state.add_podcast.error = None;
        self.state.add_podcast.pending = Some((request, url.clone()));
        self.net.send(NetCommand::Subscribe { request, url });
        Ok(())
    }

    /// One show, or every show; a refresh already under way is not started twice.
    pub(super) fn refresh(&mut self, podcast: Option<PodcastId>) {
        if self.state.refresh.is_none() {
            let request = self.request_id();
            self.state.refresh = Some(RefreshProgress { request, done: 0, total: 0, added: 0, failed: 0 });
            self.net.send(NetCommand::Refresh { request, podcasts: podcast.map(|p| vec![p]) });
        }
    }

    pub(super) fn unsubscribe(&mut self, podcast: PodcastId, keep_downloads: bool) -> Result<(), HarkError> {
        self.listen(Command::StopShow(podcast));
        for episode in self.library.episodes(Some(podcast))? {
            self.net.send(NetCommand::Cancel { episode: episode.id });
        }
        let removed = crate::library::unsubscribe(&mut self.library, &self.paths.downloads(), podcast, keep_downloads)?;
        self.state.notice = Some(Notice::info(match removed.deleted {
            0 => format!("Unsubscribed from \"{}\"", removed.title),
            n => format!("Unsubscribed from \"{}\" and deleted its {n} downloads", removed.title),
        }));
        self.refresh_views()?;
        if self.state.selected_podcast.is_none()
            && let Some(first) = self.state.podcasts.first().map(|p| p.id)
        {
            self.select_podcast(first)?;
        }
        Ok(())
    }

    /// Looks for shows by name in the directories.
    pub(super) fn discover(&mut self, term: String) {
        let request = self.request_id();
        let discover = &mut self.state.discover;
        discover.open = true;
        discover.pending = Some((request, term.clone()));
        let directories = self.directories.clone().unwrap_or_else(|| Directories::of(&self.library));
        self.net.send(NetCommand::Discover { request, term, directories });
    }

    pub(super) fn set_podcast_index_key(&mut self, key: &str, secret: &str) -> Result<(), HarkError> {
        self.library.set_setting(PODCASTINDEX_KEY, key.trim())?;
        self.library.set_setting(PODCASTINDEX_SECRET, secret.trim())?;
        self.state.notice = Some(Notice::info("The Podcast Index is searched too from now on"));
        Ok(())
    }

    /// Subscribes to the feeds of an OPML file that are not followed yet.
    pub(super) fn import_feeds(&mut self, feeds: Vec<OpmlFeed>) -> Result<(), HarkError> {
        let urls = self.library.not_followed(feeds.iter().map(|f| f.url.as_str()))?;
        if urls.is_empty() {
            self.state.notice = Some(Notice::info("You already follow every feed in that file"));
            return Ok(());
        }
        let request = self.request_id();
        self.state.import = Some(ImportProgress { request, done: 0, total: urls.len(), failures: Vec::new() });
        self.net.send(NetCommand::Import { request, urls });
        Ok(())
    }
}
