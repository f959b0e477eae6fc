//! File dialogs: the desktop's (through its file-chooser portal) where there is one, else the
//! window's own picker (`ui::file_picker`), which answers with an `Action::FilePicked`. A
//! native dialog blocks, so it runs on a thread of its own; what was picked is read, parsed or
//! written on a thread too, and what came of it waits here for the UI thread.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};

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
    /// A folder picked (for the downloads).
    Folder(PathBuf),
}

const OPML_NAME: &str = "hark-subscriptions.opml";

fn read_opml(path: &Path) -> DialogResult {
    let result = std::fs::read(path)
        .map_err(|e| format!("Couldn't read {}: {e}", path.display()))
        .and_then(|bytes| crate::opml::parse(&bytes).map_err(|e| format!("{}: {e}", path.display())));
    DialogResult::Import(result)
}

fn write_opml(path: PathBuf, opml: &str) -> DialogResult {
    let result = std::fs::write(&path, opml)
        .map(|()| path.clone())
        .map_err(|e| format!("Couldn't write {}: {e}", path.display()));
    DialogResult::Exported(result)
}

/// A clip's file name from its title, with nothing a file name can't hold.
pub fn clip_name(job: &crate::net::extras::ClipJob) -> String {
    format!("{}.opus", crate::model::clean_line(&job.tags.title).replace(['/', '\\', ':'], "-"))
}

fn write_clip(path: PathBuf, job: &crate::net::extras::ClipJob) -> DialogResult {
    DialogResult::Clipped(job.write(&path).map(|_| path).map_err(|e| e.to_string()))
}

pub struct Dialogs {
    tx: Sender<DialogResult>,
    rx: Receiver<DialogResult>,
    waker: Arc<dyn Waker>,
    /// Whether the desktop has a file-chooser portal (asked once, off the UI thread).
    portal: Arc<OnceLock<bool>>,
}

impl Dialogs {
    pub fn new(waker: Arc<dyn Waker>) -> Self {
        let (tx, rx) = channel();
        let portal = Arc::new(OnceLock::new());
        let probe = portal.clone();
        let _ = std::thread::Builder::new()
            .name("hark-file-chooser".into())
            .spawn(move || probe.set(crate::desktop::file_chooser::available()));
        Self { tx, rx, waker, portal }
    }

    /// Whether the desktop's own dialogs can be used (not yet known: not).
    pub fn desktop_has_them(&self) -> bool {
        self.portal.get() == Some(&true)
    }

    pub fn finished(&self) -> Option<DialogResult> {
        self.rx.try_recv().ok()
    }

    /// Asks the desktop for an OPML file and parses it.
    pub fn import_opml(&self) {
        self.spawn(|| {
            let path =
                rfd::FileDialog::new().set_title("Import podcasts").add_filter("OPML", &["opml", "xml"]).pick_file()?;
            Some(read_opml(&path))
        });
    }

    /// Parses the OPML file picked in the window's own picker.
    pub fn import_opml_from(&self, path: PathBuf) {
        self.spawn(move || Some(read_opml(&path)));
    }

    /// Reads a file handed to the window (an OPML file, a saved feed) off the UI thread.
    pub fn read_handed(&self, path: PathBuf) {
        self.spawn(move || {
            let read = crate::desktop::read_handed_file(&path);
            Some(DialogResult::Handed(path, read))
        });
    }

    /// Asks the desktop where to save `opml` and writes it there.
    pub fn export_opml(&self, opml: String) {
        self.spawn(move || {
            let path = rfd::FileDialog::new().set_title("Export podcasts").set_file_name(OPML_NAME).save_file()?;
            Some(write_opml(path, &opml))
        });
    }

    /// Writes `opml` where the window's own picker said.
    pub fn export_opml_to(&self, path: PathBuf, opml: String) {
        self.spawn(move || Some(write_opml(path, &opml)));
    }

    /// Asks the desktop where to save a clip, then cuts and encodes it there (seconds of work,
    /// off the UI thread).
    pub fn save_clip(&self, job: crate::net::extras::ClipJob) {
        self.spawn(move || {
            let path = rfd::FileDialog::new()
                .set_title("Save clip")
                .add_filter("Opus audio", &["opus"])
                .set_file_name(clip_name(&job))
                .save_file()?;
            Some(write_clip(path, &job))
        });
    }

    /// Cuts and encodes a clip where the window's own picker said.
    pub fn save_clip_to(&self, path: PathBuf, job: crate::net::extras::ClipJob) {
        self.spawn(move || Some(write_clip(path, &job)));
    }

    /// Asks the desktop for a folder; what comes back is the picked folder.
    pub fn choose_folder(&self, title: &'static str, start: PathBuf) {
        self.spawn(move || {
            let folder = rfd::FileDialog::new().set_title(title).set_directory(start).pick_folder()?;
            Some(DialogResult::Folder(folder))
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
