//! Native file dialogs block, so each runs on its own thread; what it came back with (read
//! and parsed there too) waits here for the UI thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::Waker;
use crate::desktop::HandedFile;
use crate::opml::OpmlFeed;

pub enum DialogResult {
    Import(Result<Vec<OpmlFeed>, String>),
    Exported(Result<PathBuf, String>),
    /// A clip saved (where), or why not.
    Clipped(Result<PathBuf, String>),
    /// A file another program handed to the window, read.
    Handed(PathBuf, Result<HandedFile, String>),
}

pub struct Dialogs {
    tx: Sender<DialogResult>,
    rx: Receiver<DialogResult>,
    waker: Arc<dyn Waker>,
}

impl Dialogs {
    pub fn new(waker: Arc<dyn Waker>) -> Self {
        let (tx, rx) = channel();
        Self { tx, rx, waker }
    }

    pub fn finished(&self) -> Option<DialogResult> {
        self.rx.try_recv().ok()
    }

    /// Asks for an OPML file and parses it.
    pub fn import_opml(&self) {
        self.spawn(|| {
            let path =
                rfd::FileDialog::new().set_title("Import podcasts").add_filter("OPML", &["opml", "xml"]).pick_file()?;
            let result = std::fs::read(&path)
                .map_err(|e| format!("could not read {}: {e}", path.display()))
                .and_then(|bytes| crate::opml::parse(&bytes).map_err(|e| format!("{}: {e}", path.display())));
            Some(DialogResult::Import(result))
        });
    }

    /// Reads a file handed to the window (an OPML file, a saved feed) off the UI thread.
    pub fn read_handed(&self, path: PathBuf) {
        self.spawn(move || {
            let read = crate::desktop::read_handed_file(&path);
            Some(DialogResult::Handed(path, read))
        });
    }

    /// Asks where to save `opml` and writes it there.
    pub fn export_opml(&self, opml: String) {
        self.spawn(move || {
            let path = rfd::FileDialog::new()
                .set_title("Export podcasts")
                .set_file_name("hark-subscriptions.opml")
                .save_file()?;
            let result = std::fs::write(&path, opml)
                .map(|()| path.clone())
                .map_err(|e| format!("could not write {}: {e}", path.display()));
            Some(DialogResult::Exported(result))
        });
    }

    /// Asks where to save a clip, then cuts and encodes it there (seconds of work, off the UI
    /// thread).
    pub fn save_clip(&self, job: crate::net::extras::ClipJob) {
        self.spawn(move || {
            let name = format!("{}.opus", crate::model::clean_line(&job.tags.title).replace(['/', '\\', ':'], "-"));
            let path = rfd::FileDialog::new()
                .set_title("Save clip")
                .add_filter("Opus audio", &["opus"])
                .set_file_name(name)
                .save_file()?;
            Some(DialogResult::Clipped(job.write(&path).map(|_| path).map_err(|e| e.to_string())))
        });
    }

    fn spawn(&self, work: impl FnOnce() -> Option<DialogResult> + Send + 'static) {
        let (tx, waker) = (self.tx.clone(), self.waker.clone());
        let spawned = std::thread::Builder::new().name("hark-file-dialog".into()).spawn(move || {
            if let Some(result) = work()
                && tx.send(result).is_ok()
            {
                waker.wake();
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("no file dialog: {e}");
        }
    }
}
