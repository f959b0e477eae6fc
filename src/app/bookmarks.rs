//! Bookmarks and clips in the window: the actions of `ui::bookmarks`, carried out.

use super::HarkApp;
use crate::error::HarkError;
use crate::net::extras::ClipJob;
use crate::ui::Notice;
use crate::ui::bookmarks::{BookmarkAction, BookmarkRow, ClipForm, DEFAULT_CLIP_SECS, NoteEdit};

impl HarkApp {
    pub(super) fn on_bookmark(&mut self, action: BookmarkAction) -> Result<(), HarkError> {
        match action {
            BookmarkAction::Add => self.bookmark_now()?,
            BookmarkAction::Open => {
                self.state.bookmarks.open = true;
                self.reload_bookmarks()?;
            }
            BookmarkAction::Search(query) => {
                self.state.bookmarks.query = query;
                self.list_bookmarks()?;
            }
            BookmarkAction::SaveNote(id, note) => {
                self.library.set_bookmark_note(id, &note)?;
                self.reload_bookmarks()?;
            }
            BookmarkAction::Delete(id) => {
                self.library.delete_bookmark(id)?;
                self.reload_bookmarks()?;
            }
            BookmarkAction::ClipFrom(id) => {
                let mark = self.library.bookmark(id)?;
                self.state.bookmarks.clip = Some(ClipForm {
                    episode: mark.episode_id,
                    heading: format!("{} — {}", mark.podcast_title, mark.episode_title),
                    link: mark.link,
                    start: mark.at_secs,
                    length: format!("{DEFAULT_CLIP_SECS}"),
                });
            }
            BookmarkAction::ClipAt { episode, start, secs } => {
                let found = self.library.episode(episode)?;
                let show = self.library.podcast_of(episode)?;
                self.state.bookmarks.clip = Some(ClipForm {
                    episode: Some(episode),
                    heading: format!("{} — {}", show.title, found.summary.title),
                    link: Some(found.share_link().to_string()),
                    start,
                    length: format!("{}", secs.ceil().max(1.0)),
                });
            }
            BookmarkAction::SaveClip { episode, start, end } => {
                match ClipJob::of(&mut self.library, &self.paths.art_cache(), episode, start, end)? {
                    Some(job) => self.save_clip(job),
                    None => {
                        self.state.notice =
                            Some(Notice::error("Download the episode first: a clip is cut from its file"))
                    }
                }
            }
        }
        Ok(())
    }

    /// Bookmarks the moment in the transport, and asks for a note.
    fn bookmark_now(&mut self) -> Result<(), HarkError> {
        let Some(episode) = self.listening.playback().episode() else {
            self.state.notice = Some(Notice::info("Nothing in the transport to bookmark"));
            return Ok(());
        };
        let at = self.listening.position_secs();
        let id = self.library.add_bookmark(episode, at, "")?;
        let at_secs = self.library.bookmark(id)?.at_secs;
        self.state.bookmarks.note = Some(NoteEdit { id, at_secs, text: String::new() });
        self.reload_bookmarks()
    }

    /// Every bookmark again (with the cached transcript's line at each), and the window's list.
    pub(super) fn reload_bookmarks(&mut self) -> Result<(), HarkError> {
        let marks = self.library.bookmarks()?;
        let spoken = crate::net::extras::spoken_at_bookmarks(&self.library, &self.paths.transcript_cache(), &marks);
        self.state.bookmarks.all =
            marks.into_iter().zip(spoken).map(|(bookmark, spoken)| BookmarkRow { bookmark, spoken }).collect();
        self.list_bookmarks()
    }

    /// What the Bookmarks window lists: all, newest first, or what the search finds.
    fn list_bookmarks(&mut self) -> Result<(), HarkError> {
        let view = &mut self.state.bookmarks;
        view.listed = if view.query.trim().is_empty() {
            view.all.iter().map(|row| row.bookmark.id).collect()
        } else {
            self.library.search_bookmarks(&view.query)?.into_iter().map(|hit| hit.bookmark.id).collect()
        };
        Ok(())
    }
}
