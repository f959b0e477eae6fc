//! Desktop notifications of new episodes (org.freedesktop.Notifications on the session bus),
//! from a thread of their own so the window never waits on the bus. A desktop without a
//! notification service gets nothing, and no error.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::Value;

use super::APP_ID;
use crate::Waker;

/// The most episodes named one per line in one notification.
const LINES: usize = 4;
/// The notification's default action: a click on it.
const OPEN: &str = "default";

/// New episodes to announce: (show, episode title) in the order to list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrivals(pub Vec<(String, String)>);

impl Arrivals {
    /// "3 new episodes from 2 shows", or the one episode's show.
    pub fn summary(&self) -> String {
        let shows: std::collections::BTreeSet<&str> = self.0.iter().map(|(show, _)| show.as_str()).collect();
        match (self.0.len(), shows.len()) {
            (1, _) => format!("New from {}", self.0[0].0),
            (n, 1) => format!("{n} new episodes from {}", self.0[0].0),
            (n, s) => format!("{n} new episodes from {s} shows"),
        }
    }

    /// One line per episode, up to `LINES`, then how many more.
    pub fn body(&self) -> String {
        let single_show = self.0.iter().all(|(show, _)| *show == self.0[0].0);
        let mut lines: Vec<String> = self
            .0
            .iter()
            .take(LINES)
            .map(|(show, title)| if single_show { title.clone() } else { format!("{show}: {title}") })
            .map(|line| crate::model::clean_line(&line))
            .collect();
        if self.0.len() > LINES {
            lines.push(format!("and {} more", self.0.len() - LINES));
        }
        lines.join("\n")
    }
}

/// Sends notifications; a click on one comes back on `clicked`.
pub struct Notifier {
    outgoing: Sender<Arrivals>,
}

impl Notifier {
    /// Starts the notification thread; `clicked` hears of clicks (the window opens the Inbox).
    pub fn start(clicked: Sender<()>, waker: Arc<dyn Waker>) -> Self {
        let (outgoing, incoming) = channel();
        let started =
            std::thread::Builder::new().name("hark-notify".into()).spawn(move || serve(incoming, clicked, waker));
        if let Err(e) = started {
            tracing::warn!("notifications are off: {e}");
        }
        Self { outgoing }
    }

    pub fn announce(&self, arrivals: Arrivals) {
        let _ = self.outgoing.send(arrivals);
    }
}

fn serve(incoming: Receiver<Arrivals>, clicked: Sender<()>, waker: Arc<dyn Waker>) {
    let mut proxy: Option<Proxy<'static>> = None;
    for arrivals in incoming {
        if proxy.is_none() {
            proxy = connect(clicked.clone(), waker.clone());
        }
        let Some(bus) = &proxy else { continue };
        let hints: HashMap<&str, Value<'_>> =
            HashMap::from([("desktop-entry", Value::from(APP_ID)), ("category", Value::from("transfer.complete"))]);
        let sent: zbus::Result<u32> = bus.call(
            "Notify",
            &("Hark", 0u32, APP_ID, arrivals.summary(), arrivals.body(), vec![OPEN, "Open Inbox"], hints, -1i32),
        );
        if let Err(e) = sent {
            tracing::info!("no notification: {e}");
            proxy = None;
        }
    }
}

/// The notification service on the session bus, and a thread that hears clicks on Hark's
/// notifications; None when there is no bus or no service.
fn connect(clicked: Sender<()>, waker: Arc<dyn Waker>) -> Option<Proxy<'static>> {
    let connection = Connection::session().map_err(|e| tracing::info!("no session bus for notifications: {e}")).ok()?;
    let proxy = Proxy::new(
        &connection,
        "org.freedesktop.Notifications",
        "/org/freedesktop/Notifications",
        "org.freedesktop.Notifications",
    )
    .ok()?;
    let signals = proxy.receive_signal("ActionInvoked").ok()?;
    let _ = std::thread::Builder::new().name("hark-notify-clicks".into()).spawn(move || {
        for signal in signals {
            let action: zbus::Result<(u32, String)> = signal.body().deserialize();
            if action.is_ok_and(|(_, key)| key == OPEN) && clicked.send(()).is_ok() {
                waker.wake();
            }
        }
    });
    Some(proxy)
}

#[cfg(test)]
mod tests {
    use super::Arrivals;

    #[test]
    fn arrivals_are_grouped_in_one_line_and_listed_up_to_a_few() {
        let one = Arrivals(vec![("Show A".into(), "Ep 1".into())]);
        assert_eq!((one.summary(), one.body()), ("New from Show A".into(), "Ep 1".into()));
        let many =
            Arrivals((1..=6).map(|i| (if i % 2 == 0 { "A" } else { "B" }.to_string(), format!("Ep {i}"))).collect());
        assert_eq!(many.summary(), "6 new episodes from 2 shows");
        assert_eq!(many.body(), "B: Ep 1\nA: Ep 2\nB: Ep 3\nA: Ep 4\nand 2 more");
    }
}
