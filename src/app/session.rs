//! The listening session's commands and changes: what it changed goes into the views and out to
//! the desktop (MPRIS, media keys).

use super::HarkApp;
use crate::error::HarkError;
use crate::listening::{Changed, Command};
use crate::ui::Notice;

impl HarkApp {
    pub(super) fn listen(&mut self, command: Command) {
        match self.listening.handle(command) {
            Ok(changed) => self.on_listening(changed),
            Err(e) => self.state.notice = Some(Notice::error(e.to_string())),
        }
    }

    /// What the session changed, into the views and out to the desktop.
    pub(super) fn on_listening(&mut self, changed: Changed) {
        if !changed.any() {
            return;
        }
        let volume_changed = self.copy_transport(&changed);
        if changed.listened {
            self.follow_listening_time();
        }
        self.announce_chapter(changed.track);
        if changed.track || changed.chapters {
            self.want_transport_art();
        }
        if changed.chapters
            && let Some(page) = &self.state.episode_page
        {
            let (id, duration) = (page.episode.summary.id, page.episode.summary.duration_secs.map(f64::from));
            if let Err(e) = self.reload_page_chapters(id, duration) {
                self.state.notice = Some(Notice::error(e.to_string()));
            }
        }
        let transport = &self.state.transport;
        if let Some(keys) = &mut self.media_keys {
            keys.publish_state(&transport.playback, transport.speed);
            if volume_changed {
                keys.volume(transport.volume);
            }
        }
        // A Play that failed is said where it was pressed (`ui::failure`); anything else the
        // session reports (an episode not reopened after a crash) is a notice.
        if let Some(failure) = changed.failure
            && !matches!(self.state.transport.playback, crate::listening::Playback::Failed { .. })
        {
            self.state.notice = Some(Notice::error(failure));
        }
        let reloaded = if changed.library { self.refresh_views() } else { Ok(()) };
        let requeued = if changed.queue { self.library.queue().map(|q| self.state.queue = q) } else { Ok(()) };
        if let Err(e) = reloaded.and_then(|()| requeued.map_err(HarkError::from)) {
            self.state.notice = Some(Notice::error(e.to_string()));
        }
    }

    /// The session's playback into the transport bar; whether the volume changed.
    fn copy_transport(&mut self, changed: &Changed) -> bool {
        let transport = &mut self.state.transport;
        transport.playback = self.listening.playback().clone();
        transport.speed = self.listening.speed();
        let volume_changed = transport.volume != self.listening.volume();
        transport.volume = self.listening.volume();
        if changed.track || changed.chapters {
            transport.chapters = self.listening.chapters().clone();
        }
        transport.sleep = self.listening.sleep_timer();
        transport.listener_sound = self.listening.listener_sound();
        transport.sound_now = transport.playback.track().map(|_| self.listening.sound().audio);
        volume_changed
    }

    /// An open Statistics window and the playing episode's page follow the listening, read again
    /// only when the session wrote some.
    fn follow_listening_time(&mut self) {
        if self.state.statistics.is_some()
            && let Ok(stats) = self.library.listening_stats()
        {
            self.state.statistics = Some(stats);
        }
        if let Some(page) = &mut self.state.episode_page
            && self.state.transport.playback.episode() == Some(page.episode.summary.id)
            && let Ok(time) = self.library.episode_listening(page.episode.summary.id)
        {
            page.listening = time;
        }
    }

    /// The desktop shows the chapter with the title: announced when the track or the chapter
    /// changes.
    fn announce_chapter(&mut self, track_changed: bool) {
        let transport = &self.state.transport;
        let position = transport.playback.track().map_or(0.0, |t| t.position_secs);
        let chapter = crate::chapters::current(&transport.chapters.list, position);
        if track_changed || chapter != self.published_chapter {
            self.published_chapter = chapter;
            let title = chapter.map(|i| transport.chapters.list[i].title.as_str()).filter(|t| !t.is_empty());
            if let Some(keys) = &mut self.media_keys {
                keys.publish_track(&transport.playback, title, &self.paths.art_cache());
            }
        }
    }

    /// The playing episode's art and its chapters' pictures, for the transport bar.
    fn want_transport_art(&mut self) {
        let transport = &self.state.transport;
        let images = transport.chapters.list.iter().filter_map(|c| c.image.clone());
        let art = transport.playback.track().and_then(|t| t.art_url.clone());
        for url in art.into_iter().chain(images).collect::<Vec<_>>() {
            self.want_art(url);
        }
    }
}
