//! The desktop's light/dark preference: the freedesktop `color-scheme` setting, read through the
//! settings portal and followed as it changes. Without a portal (or a bus), nothing is said and
//! the window keeps to what the windowing system tells it.

use std::sync::Arc;
use std::sync::mpsc::Sender;

use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::OwnedValue;

use crate::Waker;

const NAMESPACE: &str = "org.freedesktop.appearance";
const KEY: &str = "color-scheme";

/// What the desktop prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    NoPreference,
    Dark,
    Light,
}

impl Scheme {
    /// The portal's number: 1 prefers dark, 2 prefers light, anything else says nothing.
    fn from_portal(value: u32) -> Self {
        match value {
            1 => Self::Dark,
            2 => Self::Light,
            _ => Self::NoPreference,
        }
    }
}

/// Reads the preference and follows its changes from a thread of its own; each one goes to
/// `schemes` and wakes the window.
pub fn follow(schemes: Sender<Scheme>, waker: Arc<dyn Waker>) {
    let started = std::thread::Builder::new().name("hark-appearance".into()).spawn(move || {
        if let Err(e) = watch(&schemes, &waker) {
            tracing::info!("the desktop's light/dark preference is not known: {e}");
        }
    });
    if let Err(e) = started {
        tracing::info!("the desktop's light/dark preference is not followed: {e}");
    }
}

fn watch(schemes: &Sender<Scheme>, waker: &Arc<dyn Waker>) -> zbus::Result<()> {
    let connection = Connection::session()?;
    let portal = Proxy::new(
        &connection,
        "org.freedesktop.portal.Desktop",
        "/org/freedesktop/portal/desktop",
        "org.freedesktop.portal.Settings",
    )?;
    // Subscribed before the first read, so a change in between is not missed.
    let changes = portal.receive_signal("SettingChanged")?;
    let tell = |scheme: Scheme| {
        if schemes.send(scheme).is_ok() {
            waker.wake();
        }
    };
    tell(read(&portal)?);
    for signal in changes {
        let Ok((namespace, key, value)) = signal.body().deserialize::<(String, String, OwnedValue)>() else { continue };
        if namespace == NAMESPACE && key == KEY {
            tell(Scheme::from_portal(number(&value).unwrap_or(0)));
        }
    }
    Ok(())
}

/// The setting now: `ReadOne` (portal version 2), else the older `Read`, whose answer comes
/// wrapped in one more variant.
fn read(portal: &Proxy<'_>) -> zbus::Result<Scheme> {
    let value: OwnedValue = match portal.call("ReadOne", &(NAMESPACE, KEY)) {
        Ok(value) => value,
        Err(_) => portal.call("Read", &(NAMESPACE, KEY))?,
    };
    Ok(Scheme::from_portal(number(&value).unwrap_or(0)))
}

/// A u32 inside any number of variants.
fn number(value: &OwnedValue) -> Option<u32> {
    match &**value {
        zbus::zvariant::Value::U32(n) => Some(*n),
        zbus::zvariant::Value::Value(inner) => match &**inner {
            zbus::zvariant::Value::U32(n) => Some(*n),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Scheme;

    #[test]
    fn the_portals_numbers_mean_dark_light_or_nothing() {
        assert_eq!(Scheme::from_portal(1), Scheme::Dark);
        assert_eq!(Scheme::from_portal(2), Scheme::Light);
        assert_eq!(Scheme::from_portal(0), Scheme::NoPreference);
        assert_eq!(Scheme::from_portal(7), Scheme::NoPreference);
    }
}
