//! Moving the downloads to another folder while the window runs: the running downloads stop
//! (their part files keep what arrived), the files move off this thread by the library's rule
//! (`library::move_downloads`, never losing one), and then the stopped downloads and any asked
//! for meanwhile carry on — in the new folder when the move went through, else where they were.

use std::path::PathBuf;

use tokio::sync::mpsc;

use super::{Internal, NetEvent, Service};
use crate::library::{Library, Relocated};

impl Service {
    pub(super) fn move_downloads(&mut self, to: PathBuf, done: &mpsc::UnboundedSender<Internal>) {
        if self.moving.is_some() {
            let result = Err("The downloads are already moving; try again once that is done".to_string());
            return self.emit(NetEvent::DownloadsMoved { result });
        }
        self.moving = Some(Vec::new());
        let mut stopping = Vec::new();
        for (_, active) in self.downloads.drain() {
            active.task.abort();
            stopping.push((active.task, active.part));
        }
        let (paths, done) = (self.paths.clone(), done.clone());
        tokio::spawn(async move {
            // A stopped download writes nothing more once its task has ended.
            for (task, part) in stopping {
                let _ = task.await;
                let _ = part.checkpoint();
            }
            let moved = tokio::task::spawn_blocking(move || {
                let mut library = Library::open(&paths.database())?;
                crate::library::move_downloads(&mut library, &paths.downloads(), &to, &paths.default_downloads())
            })
            .await;
            let result = match moved {
                Ok(result) => result.map_err(|e| e.to_string()),
                Err(e) => Err(format!("The move stopped: {e}")),
            };
            let _ = done.send(Internal::DownloadsMoved { result });
        });
    }

    pub(super) fn downloads_moved(
        &mut self,
        result: Result<Relocated, String>,
        done: &mpsc::UnboundedSender<Internal>,
    ) {
        if let Ok(moved) = &result {
            self.paths = self.paths.clone().with_downloads(Some(moved.folder.clone()));
        }
        let waiting = self.moving.take().unwrap_or_default();
        self.resume_unfinished(done);
        for (episode, stream) in waiting {
            self.start_download(episode, stream, done);
        }
        self.emit(NetEvent::DownloadsMoved { result });
    }
}
