//! The net service: one thread owning a small tokio runtime and the one HTTP client.
//! `NetCommand` in, `NetEvent` out; every event names the request or podcast it answers.

pub mod art;
pub mod http;
pub mod refresh;

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;

use tokio::sync::{Semaphore, mpsc};

use crate::Waker;
use crate::error::HarkError;
use crate::library::Library;
use crate::model::{PodcastId, SyncReport};
use crate::paths::AppPaths;

pub use art::{Art, ArtImage};
pub use refresh::{Refreshed, Subscribed};

/// How many feeds are fetched at once during a refresh.
pub const PARALLEL_FEEDS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetCommand {
    Subscribe {
        request: RequestId,
        url: String,
    },
    /// `None` refreshes every subscription.
    Refresh {
        request: RequestId,
        podcasts: Option<Vec<PodcastId>>,
    },
    FetchArt {
        url: String,
    },
    Shutdown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NetEvent {
    Subscribed {
        request: RequestId,
        result: Result<Subscribed, String>,
    },
    RefreshStarted {
        request: RequestId,
        total: usize,
    },
    PodcastRefreshed {
        request: RequestId,
        podcast: PodcastId,
        title: String,
        result: Result<SyncReport, String>,
    },
    RefreshFinished {
        request: RequestId,
    },
    ArtReady {
        url: String,
        art: Arc<Art>,
    },
    ArtFailed {
        url: String,
        reason: String,
    },
    /// The service could not do what was asked at all (library unreadable, …).
    ServiceError {
        message: String,
    },
}

enum Internal {
    Subscribed { request: RequestId, fetched: Result<refresh::FetchedFeed, HarkError> },
    Refreshed { request: RequestId, podcast: PodcastId, fetched: Result<refresh::FetchedFeed, HarkError> },
}

pub struct NetService {
    commands: mpsc::UnboundedSender<NetCommand>,
    thread: Option<JoinHandle<()>>,
}

impl NetService {
    pub fn spawn(paths: AppPaths, events: Sender<NetEvent>, waker: Arc<dyn Waker>) -> Result<Self, HarkError> {
        let library = Library::open(&paths.database())?;
        let (commands, receiver) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("hark-net".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("hark-net-worker")
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                let service =
                    Service { library, paths, events, waker, client: http::client(), refreshes: Default::default() };
                runtime.block_on(service.run(receiver));
            })
            .map_err(|e| HarkError::io("could not start the network thread", e))?;
        Ok(Self { commands, thread: Some(thread) })
    }

    pub fn send(&self, command: NetCommand) {
        // Fails only after shutdown, when nobody waits for an answer any more.
        let _ = self.commands.send(command);
    }
}

impl Drop for NetService {
    fn drop(&mut self) {
        self.send(NetCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Service {
    library: Library,
    paths: AppPaths,
    events: Sender<NetEvent>,
    waker: Arc<dyn Waker>,
    client: reqwest::Client,
    /// Podcasts still outstanding per refresh request.
    refreshes: std::collections::HashMap<RequestId, usize>,
}

impl Service {
    fn emit(&self, event: NetEvent) {
        if self.events.send(event).is_ok() {
            self.waker.wake();
        }
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<NetCommand>) {
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Internal>();
        let feeds = Arc::new(Semaphore::new(PARALLEL_FEEDS));
        let art_slots = Arc::new(Semaphore::new(PARALLEL_FEEDS));
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    None | Some(NetCommand::Shutdown) => break,
                    Some(NetCommand::Subscribe { request, url }) => {
                        let (client, done) = (self.client.clone(), done_tx.clone());
                        tokio::spawn(async move {
                            let fetched = refresh::fetch_new(&client, &url).await;
                            let _ = done.send(Internal::Subscribed { request, fetched });
                        });
                    }
                    Some(NetCommand::Refresh { request, podcasts }) => {
                        self.start_refresh(request, podcasts, &feeds, &done_tx);
                    }
                    Some(NetCommand::FetchArt { url }) => {
                        let (client, cache, events, waker, slots) =
                            (self.client.clone(), self.paths.art_cache(), self.events.clone(), self.waker.clone(), art_slots.clone());
                        tokio::spawn(async move {
                            let _permit = slots.acquire_owned().await;
                            let event = match art::load_art(&client, &cache, &url).await {
                                Ok(art) => NetEvent::ArtReady { url, art: Arc::new(art) },
                                Err(reason) => NetEvent::ArtFailed { url, reason },
                            };
                            if events.send(event).is_ok() {
                                waker.wake();
                            }
                        });
                    }
                },
                Some(done) = done_rx.recv() => self.apply(done),
            }
        }
    }

    fn start_refresh(
        &mut self,
        request: RequestId,
        podcasts: Option<Vec<PodcastId>>,
        slots: &Arc<Semaphore>,
        done: &mpsc::UnboundedSender<Internal>,
    ) {
        let targets = match self.library.refreshable_podcasts() {
            Ok(all) => match podcasts {
                Some(wanted) => all.into_iter().filter(|(id, _)| wanted.contains(id)).collect(),
                None => all,
            },
            Err(e) => {
                self.emit(NetEvent::ServiceError { message: e.to_string() });
                Vec::new()
            }
        };
        self.emit(NetEvent::RefreshStarted { request, total: targets.len() });
        if targets.is_empty() {
            self.emit(NetEvent::RefreshFinished { request });
            return;
        }
        self.refreshes.insert(request, targets.len());
        for (podcast, feed_url) in targets {
            let validators = self.library.validators(podcast).unwrap_or_default();
            let (client, done, slots) = (self.client.clone(), done.clone(), slots.clone());
            tokio::spawn(async move {
                let _permit = slots.acquire_owned().await;
                let fetched = refresh::fetch_known(&client, &feed_url, &validators).await;
                let _ = done.send(Internal::Refreshed { request, podcast, fetched });
            });
        }
    }

    fn apply(&mut self, done: Internal) {
        match done {
            Internal::Subscribed { request, fetched } => {
                let result = fetched
                    .and_then(|fetched| refresh::apply_subscription(&mut self.library, fetched))
                    .map_err(|e| e.to_string());
                self.emit(NetEvent::Subscribed { request, result });
            }
            Internal::Refreshed { request, podcast, fetched } => {
                match refresh::apply_refresh(&mut self.library, podcast, fetched) {
                    Ok(Refreshed { podcast, title, result }) => {
                        self.emit(NetEvent::PodcastRefreshed { request, podcast, title, result })
                    }
                    // Removed while its fetch was in flight, or the library failed: say so, keep going.
                    Err(e) => self.emit(NetEvent::PodcastRefreshed {
                        request,
                        podcast,
                        title: String::new(),
                        result: Err(e.to_string()),
                    }),
                }
                if let Some(left) = self.refreshes.get_mut(&request) {
                    *left -= 1;
                    if *left == 0 {
                        self.refreshes.remove(&request);
                        self.emit(NetEvent::RefreshFinished { request });
                    }
                }
            }
        }
    }
}
