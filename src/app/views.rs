//! What the views show of the library: the show list, the selected show and episode, their
//! art, the transcript window and the find results, read again after a change.

use super::HarkApp;
use crate::error::HarkError;
use crate::library::keys::{PANEL_EPISODE, PANEL_PODCASTS, SELECTED_PODCAST};
use crate::listening::EpisodeChapters;
use crate::model::{EpisodeId, PodcastId};
use crate::net::{ArtSize, NetCommand};
use crate::notes::Document;
use crate::ui::episode_list::Sort;
use crate::ui::{self, EpisodePage};

impl HarkApp {
    /// Art drawn as a thumbnail (lists, the transport, chapters).
    pub(super) fn want_art(&mut self, url: String) {
        self.want_art_at(url, ArtSize::Thumbnail);
    }

    pub(super) fn want_art_at(&mut self, url: String, size: ArtSize) {
        if self.state.art.want(&url, size) {
            self.net.send(NetCommand::FetchArt { url, size });
        }
    }

    pub(super) fn reload_podcasts(&mut self) -> Result<(), HarkError> {
        self.state.podcasts = self.library.podcasts()?;
        self.state.queue = self.library.queue()?;
        // Bookmarks attach to (and leave) episodes as shows come and go.
        self.reload_bookmarks()
    }

    pub(super) fn select_podcast(&mut self, id: PodcastId) -> Result<(), HarkError> {
        let podcast = self.library.podcast(id)?;
        if let Some(url) = podcast.art_url.clone() {
            self.want_art_at(url, ArtSize::Header);
        }
        self.state.episodes = self.library.episodes(Some(id))?;
        self.state.episodes_version += 1;
        // Each show's list in the order chosen for it, else the show's own (a serial's part one
        // first).
        let sort = self.library.episode_sort(id)?.map(|key| Sort::from_key(&key)).unwrap_or_default();
        self.state.episode_list.sort = sort;
        self.state.show = Some(podcast);
        self.state.inbox.open = false;
        if self.state.selected_podcast != Some(id) {
            self.state.episode_page = None;
        }
        self.state.selected_podcast = Some(id);
        self.library.set_setting(SELECTED_PODCAST, &id.0.to_string())?;
        Ok(())
    }

    pub(super) fn select_episode(&mut self, id: EpisodeId) -> Result<(), HarkError> {
        // A download deleted behind Hark's back is not downloaded: offer Download again.
        self.library.downloaded_file(id)?;
        let episode = self.library.episode(id)?;
        let notes = Document::from_notes(episode.notes_html.as_deref().unwrap_or_default());
        let duration = episode.summary.duration_secs.map(f64::from);
        let chapters = EpisodeChapters::load(&self.library, id, duration)?;
        // Its chapters file may have changed (or never been fetched), its file never read.
        self.net.send(NetCommand::FetchChapters { episode: id });
        // Pictures in the notes load on demand, through the same fetch, cache and downscale as art.
        for block in &notes.blocks {
            if let crate::notes::Block::Image { url, .. } = block {
                self.want_art_at(url.clone(), ArtSize::Header);
            }
        }
        let listening = self.library.episode_listening(id)?;
        self.state.episode_page = Some(EpisodePage { episode, notes, chapters, listening });
        self.want_chapter_art();
        Ok(())
    }

    /// The selected episode's chapters again (new ones arrived, a skip was toggled).
    pub(super) fn reload_page_chapters(&mut self, id: EpisodeId, duration: Option<f64>) -> Result<(), HarkError> {
        // The playing episode's length is known to the sample; the feed's is a guess.
        let playing = self.listening.playback().track().filter(|t| t.episode == id).and_then(|t| t.duration_secs);
        let chapters = EpisodeChapters::load(&self.library, id, playing.or(duration))?;
        if let Some(page) = self.state.episode_page.as_mut().filter(|p| p.episode.summary.id == id) {
            page.chapters = chapters;
        }
        self.want_chapter_art();
        Ok(())
    }

    pub(super) fn want_chapter_art(&mut self) {
        let Some(page) = &self.state.episode_page else { return };
        let images: Vec<String> = page.chapters.list.iter().filter_map(|c| c.image.clone()).collect();
        for url in images {
            self.want_art(url);
        }
    }

    /// Re-reads what the views show of the library after a change.
    pub(super) fn refresh_views(&mut self) -> Result<(), HarkError> {
        self.reload_podcasts()?;
        if let Some(id) = self.state.selected_podcast {
            match self.library.podcast(id) {
                Ok(podcast) => {
                    self.state.show = Some(podcast);
                    self.state.episodes = self.library.episodes(Some(id))?;
                    self.state.episodes_version += 1;
                }
                Err(_) => {
                    self.state.selected_podcast = None;
                    self.state.show = None;
                    self.state.episodes.clear();
                    self.state.episode_page = None;
                }
            }
        }
        if let Some(page) = &mut self.state.episode_page {
            let id = page.episode.summary.id;
            match self.library.episode(id) {
                Ok(episode) => {
                    page.episode = episode;
                    page.listening = self.library.episode_listening(id)?;
                }
                Err(_) => self.state.episode_page = None,
            }
        }
        Ok(())
    }

    /// Opens the transcript window on an episode's transcript (in the show's language, the best
    /// format), loaded by the net service.
    pub(super) fn open_transcript(&mut self, id: EpisodeId) -> Result<(), HarkError> {
        let episode = self.library.episode(id)?;
        let content = match self.library.chosen_transcript(id)? {
            Some(link) => {
                self.net.send(NetCommand::FetchTranscript { episode: id, link });
                ui::transcript::TranscriptContent::Loading
            }
            None => ui::transcript::TranscriptContent::Failed("No transcript in a format Hark reads".into()),
        };
        self.state.transcript = Some(ui::transcript::TranscriptView {
            episode: id,
            title: episode.summary.title.clone(),
            link: episode.share_link().to_string(),
            content,
            follow: true,
            find: String::new(),
            found_at: 0,
            spoken: None,
        });
        Ok(())
    }

    /// Asks the net service's thread to search: the frame never waits on the index.
    pub(super) fn search_library(&mut self, query: &str) -> Result<(), HarkError> {
        if query.trim().is_empty() {
            self.state.find.results = None;
            self.state.find.pending = None;
            return Ok(());
        }
        let request = self.request_id();
        self.state.find.pending = Some(request);
        self.net.send(NetCommand::SearchLibrary { request, query: query.to_string() });
        Ok(())
    }

    pub(super) fn open_search_hit(&mut self, podcast: PodcastId, episode: Option<EpisodeId>) -> Result<(), HarkError> {
        self.select_podcast(podcast)?;
        if let Some(episode) = episode {
            self.select_episode(episode)?;
        }
        Ok(())
    }

    pub(super) fn open_show_settings(&mut self, podcast: PodcastId) -> Result<(), HarkError> {
        let title = self.library.podcast(podcast)?.title;
        let settings = self.library.show_settings(podcast)?;
        self.state.show_settings = Some(ui::sound::ShowSettingsView::new(podcast, title, settings));
        Ok(())
    }

    /// The side panels as the listener left them last time.
    pub(super) fn restore_panels(&mut self) -> Result<(), HarkError> {
        let width =
            |key| -> Result<Option<f32>, HarkError> { Ok(self.library.setting(key)?.and_then(|v| v.parse().ok())) };
        self.state.panels = ui::PanelWidths::restored(width(PANEL_PODCASTS)?, width(PANEL_EPISODE)?);
        Ok(())
    }

    pub(super) fn remember_panels(&mut self, widths: ui::PanelWidths) -> Result<(), HarkError> {
        self.library.set_setting(PANEL_PODCASTS, &widths.podcasts.to_string())?;
        self.library.set_setting(PANEL_EPISODE, &widths.episode.to_string())?;
        Ok(())
    }

    /// The show selected last time, if it is still followed; else the first show.
    pub(super) fn restore_selection(&mut self) -> Result<(), HarkError> {
        let selected = self
            .library
            .setting(SELECTED_PODCAST)?
            .and_then(|s| s.parse().ok())
            .map(PodcastId)
            .filter(|id| self.state.podcasts.iter().any(|p| p.id == *id))
            .or_else(|| self.state.podcasts.first().map(|p| p.id));
        match selected {
            Some(id) => self.select_podcast(id),
            None => Ok(()),
        }
    }
}
