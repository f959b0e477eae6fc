//! Whether the desktop has a file-chooser portal. rfd asks it for every Open and Save dialog,
//! and where there is none (a bare X session, a minimal window manager) it comes back with
//! nothing, as if the listener had cancelled: the window asks this first and uses its own
//! picker instead.

use zbus::blocking::{Connection, Proxy};

/// True when `org.freedesktop.portal.FileChooser` answers on the session bus.
pub fn available() -> bool {
    let answered = || -> zbus::Result<u32> {
        let connection = Connection::session()?;
        let chooser = Proxy::new(
            &connection,
            "org.freedesktop.portal.Desktop",
            "/org/freedesktop/portal/desktop",
            "org.freedesktop.portal.FileChooser",
        )?;
        chooser.get_property("version")
    };
    match answered() {
        Ok(version) => version > 0,
        Err(e) => {
            tracing::info!("no file-chooser portal, the window's own file picker is used: {e}");
            false
        }
    }
}
