//! The window follows the desktop's light/dark preference (the freedesktop `color-scheme`
//! setting, read through a stand-in settings portal on a private session bus) while the theme
//! preference says "system", and keeps to the listener's own choice otherwise.
//! Its own test binary: it points the process at the private bus through the environment.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use hark::app::{AppOptions, HarkApp};
use hark::paths::AppPaths;
use hark::player::OutputChoice;

/// The settings portal as xdg-desktop-portal serves it (version 2: `ReadOne`).
struct Portal {
    color_scheme: Arc<Mutex<u32>>,
}

#[zbus::interface(name = "org.freedesktop.portal.Settings")]
impl Portal {
    fn read_one(&self, namespace: String, key: String) -> zbus::fdo::Result<zbus::zvariant::OwnedValue> {
        if (namespace.as_str(), key.as_str()) != ("org.freedesktop.appearance", "color-scheme") {
            return Err(zbus::fdo::Error::Failed(format!("no {namespace} {key}")));
        }
        Ok(zbus::zvariant::OwnedValue::from(*self.color_scheme.lock().unwrap()))
    }

    #[zbus(property)]
    fn version(&self) -> u32 {
        2
    }
}

fn theme(harness: &Harness<'_, HarkApp>) -> egui::ThemePreference {
    harness.ctx.options(|o| o.theme_preference)
}

#[test]
fn the_window_follows_the_desktops_color_scheme_unless_the_listener_chose() {
    common::init();
    let bus = common::bus::private_bus();
    // SAFETY: this test binary has this one test; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };
    let color_scheme = Arc::new(Mutex::new(1u32));
    let portal = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.portal.Desktop")
        .unwrap()
        .serve_at("/org/freedesktop/portal/desktop", Portal { color_scheme: color_scheme.clone() })
        .unwrap()
        .build()
        .expect("the stand-in portal");

    let data = tempfile::tempdir().unwrap();
    let paths = AppPaths::inside(data.path());
    let options = AppOptions { audio: OutputChoice::Null, timed_refresh: false, media_keys: false, directories: None };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 760.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"));
    let step_until = |harness: &mut Harness<'_, HarkApp>, what: &str, wanted: egui::ThemePreference| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while theme(harness) != wanted {
            assert!(Instant::now() < deadline, "timed out waiting for {what}: {:?}", theme(harness));
            harness.step();
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    step_until(&mut harness, "dark, as the desktop prefers at launch", egui::ThemePreference::Dark);

    // The desktop changes its preference: the window follows.
    *color_scheme.lock().unwrap() = 2;
    let changed = |value: u32| {
        portal
            .emit_signal(
                None::<&str>,
                "/org/freedesktop/portal/desktop",
                "org.freedesktop.portal.Settings",
                "SettingChanged",
                &("org.freedesktop.appearance", "color-scheme", zbus::zvariant::Value::from(value)),
            )
            .unwrap()
    };
    changed(2);
    step_until(&mut harness, "light, as the desktop now prefers", egui::ThemePreference::Light);
    assert!(harness.ctx.theme() == egui::Theme::Light, "light panels");

    // The listener's own choice wins over the desktop's.
    let mut library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
    hark::preferences::set(&mut library, "theme", "dark").unwrap();
    let handoffs = harness.state().handoffs();
    handoffs.send(hark::desktop::instance::Handoff::PreferencesChanged).unwrap();
    step_until(&mut harness, "dark, as the listener chose", egui::ThemePreference::Dark);
    changed(2);
    for _ in 0..10 {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(theme(&harness), egui::ThemePreference::Dark, "the desktop does not override the listener");
}
