//! Whether the desktop says the connection is metered (a phone's hotspot, a capped plan):
//! then nothing is downloaded unasked. Asked of the network-monitor portal, else of
//! NetworkManager; no answer means not metered.

use zbus::blocking::{Connection, Proxy};

/// NetworkManager's `Metered`: 1 yes, 3 guessed yes (2 and 4 are no, 0 unknown).
fn metered_by_network_manager(connection: &Connection) -> zbus::Result<bool> {
    let manager = Proxy::new(
        connection,
        "org.freedesktop.NetworkManager",
        "/org/freedesktop/NetworkManager",
        "org.freedesktop.NetworkManager",
    )?;
    let metered: u32 = manager.get_property("Metered")?;
    Ok(matches!(metered, 1 | 3))
}

fn metered_by_portal(connection: &Connection) -> zbus::Result<bool> {
    let monitor = Proxy::new(
        connection,
        "org.freedesktop.portal.Desktop",
        "/org/freedesktop/portal/desktop",
        "org.freedesktop.portal.NetworkMonitor",
    )?;
    monitor.call("GetMetered", &())
}

/// Blocks on the session bus (call it off the async workers).
pub fn is_metered() -> bool {
    let Ok(connection) = Connection::session() else { return false };
    metered_by_portal(&connection).or_else(|_| metered_by_network_manager(&connection)).unwrap_or(false)
}

/// What is said of new episodes left for later on a metered connection (the window and the CLI).
pub fn held_line(count: usize) -> String {
    format!("{count} new episodes not downloaded: the connection is metered")
}
