//! The window as a screen reader meets it: the real `hark` binary on its own X server, read
//! through the real AT-SPI tree (accesskit_unix) on a private accessibility bus. Every control
//! in it has a name (with a word in it), and the controls a listener starts with are there by name.
//! Needs nothing of the developer's desktop: the session bus, the accessibility bus and the X
//! server are this test's own.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::OwnedObjectPath;

const LAUNCHER: &str = "/usr/libexec/at-spi-bus-launcher";

/// AT-SPI's roles for controls (the numbers `GetRole` answers, fixed by the AT-SPI spec) and
/// their role names: what accesskit makes of egui's buttons, selectable labels, check boxes,
/// radio buttons, text fields, combo boxes, sliders and drag values, links and menu items.
/// accesskit_unix answers `GetRole` but not `GetRoleName`, hence the table.
const CONTROLS: &[(u32, &str)] = &[
    (7, "check box"),
    (8, "check menu item"),
    (11, "combo box"),
    (35, "menu item"),
    (37, "page tab"),
    (40, "password text"),
    (43, "push button"),
    (44, "radio button"),
    (45, "radio menu item"),
    (51, "slider"),
    (52, "spin button"),
    (62, "toggle button"),
    (79, "entry"),
    (88, "link"),
];

/// What a listener meets first on a fresh library (the demo show is open): each by its role.
const AT_LAUNCH: &[(&str, &str)] = &[
    ("push button", "Play"),
    ("push button", "Rewind 10 seconds"),
    ("push button", "Skip 30 seconds"),
    ("slider", "Seek"),
    ("slider", "Volume"),
    ("entry", "Add podcast"),
    ("entry", "Search your library"),
    // A show in the list is a selectable label: a toggle button, pressed while it is open.
    ("toggle button", "Hark Demo"),
];

/// Controls pressed in turn (through AT-SPI, as a screen reader's user would), each with what it
/// brings into the window: an episode page with chapters and links in its notes, then a dialog.
const PRESSES: &[(&str, &[(&str, &str)])] = &[
    ("The spoken clock", &[("check box", "Play chapter ten"), ("push button", "Add to Up Next")]),
    ("Listening settings", &[("check box", "Its own speed for this show"), ("spin button", "Skip intro seconds")]),
];

/// A child process killed (with the process group it leads, when `group`) when the test ends,
/// passing or not.
struct Killed {
    child: Child,
    group: bool,
}

impl Drop for Killed {
    fn drop(&mut self) {
        if self.group {
            // The launcher's accessibility bus daemon and the registry it starts stay in its group.
            // SAFETY: kill(2) on a process group this test created; no memory is involved.
            unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        } else {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Starts `command`, failing in one line that names the package when its program is missing.
fn start(command: &mut Command, package: &str, group: bool) -> Killed {
    if group {
        command.process_group(0);
    }
    let program = command.get_program().to_string_lossy().into_owned();
    match command.spawn() {
        Ok(child) => Killed { child, group },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("{program} is missing: install the {package} package (.ci/run does)")
        }
        Err(e) => panic!("{program}: {e}"),
    }
}

/// An X server on a display no one else uses (Xvfb picks it and says which once it is ready).
fn x_server() -> (Killed, String) {
    let mut xvfb = Command::new("Xvfb");
    xvfb.args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]).stdout(Stdio::piped());
    let mut server = start(&mut xvfb, "xvfb", false);
    let mut display = String::new();
    BufReader::new(server.child.stdout.take().unwrap()).read_line(&mut display).unwrap();
    assert!(!display.trim().is_empty(), "Xvfb did not start");
    (server, format!(":{}", display.trim()))
}

/// The accessibility bus's address, once the launcher has claimed `org.a11y.Bus`. Asked only
/// then: asking earlier would have the session bus start another launcher (D-Bus activation),
/// one that shares the desktop's runtime directory.
fn accessibility_bus_address(session: &Connection) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let bus = zbus::blocking::fdo::DBusProxy::new(session).unwrap();
    while !bus.name_has_owner("org.a11y.Bus".try_into().unwrap()).unwrap() {
        assert!(Instant::now() < deadline, "at-spi-bus-launcher never claimed org.a11y.Bus");
        std::thread::sleep(Duration::from_millis(50));
    }
    Proxy::new(session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus").unwrap().call("GetAddress", &()).unwrap()
}

/// The `org.a11y.atspi.Accessible` at `path` of `peer`, read afresh every time (the tree changes
/// under the test as the window draws its first frames).
fn accessible<'a>(bus: &Connection, peer: &'a str, path: &'a str) -> zbus::Result<Proxy<'a>> {
    zbus::blocking::proxy::Builder::new(bus)
        .destination(peer)?
        .path(path)?
        .interface("org.a11y.atspi.Accessible")?
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
}

fn children(object: &Proxy<'_>) -> zbus::Result<Vec<(String, OwnedObjectPath)>> {
    object.call("GetChildren", &())
}

/// One control of the tree: its role name, its name, and where it is on the bus (to press it).
#[derive(Debug)]
struct Control {
    role: &'static str,
    name: String,
    peer: String,
    path: String,
}

/// Every control under `path` of `peer`, depth first.
fn controls(bus: &Connection, peer: &str, path: &str, out: &mut Vec<Control>) -> zbus::Result<()> {
    let object = accessible(bus, peer, path)?;
    let role: u32 = object.call("GetRole", &())?;
    let name: String = object.get_property("Name")?;
    if let Some(&(_, role)) = CONTROLS.iter().find(|(number, _)| *number == role) {
        out.push(Control { role, name, peer: peer.to_string(), path: path.to_string() });
    }
    for (peer, path) in children(&object)? {
        controls(bus, &peer, path.as_str(), out)?;
    }
    Ok(())
}

/// The controls of the application called `app` on the accessibility bus, or why not yet.
fn application_controls(bus: &Connection, app: &str) -> Result<Vec<Control>, String> {
    let registry =
        accessible(bus, "org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root").map_err(|e| e.to_string())?;
    for (peer, path) in children(&registry).map_err(|e| e.to_string())? {
        let name: String = accessible(bus, &peer, path.as_str())
            .and_then(|object| object.get_property("Name"))
            .map_err(|e| e.to_string())?;
        if name == app {
            let mut found = Vec::new();
            controls(bus, &peer, path.as_str(), &mut found).map_err(|e| e.to_string())?;
            return Ok(found);
        }
    }
    Err(format!("no application called {app} on the accessibility bus"))
}

/// The window's controls once all of `expected` are among them (within 20 s).
fn controls_once_there(a11y: &Connection, expected: &[(&str, &str)], log: &Path) -> Vec<Control> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // accesskit names the application after the executable.
        let found = application_controls(a11y, "hark");
        let missing: Vec<_> = expected
            .iter()
            .filter(|(role, name)| !found.as_ref().is_ok_and(|c| c.iter().any(|c| c.role == *role && c.name == *name)))
            .collect();
        if missing.is_empty() {
            return found.unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "these controls never appeared in the AT-SPI tree: {missing:?}\nthe tree: {found:#?}\nhark's stderr:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Fails naming every control without a name a screen reader can say. Such a name has a word or
/// a number in it: an icon button whose label was left out is named after its glyph ("🔖"), read
/// out as the symbol's Unicode name, or not at all.
fn assert_all_named(controls: &[Control], stage: &str) {
    let sayable = |c: &Control| c.name.chars().any(char::is_alphanumeric);
    // Each with the sayable control before it in the tree, to find it in the window by.
    let unnamed: Vec<_> = (0..controls.len())
        .filter(|&i| !sayable(&controls[i]))
        .map(|i| {
            let after = controls[..i].iter().rev().find(|c| sayable(c)).map_or("", |c| c.name.as_str());
            format!("a {} named {:?}, after {after:?}", controls[i].role, controls[i].name)
        })
        .collect();
    assert!(
        unnamed.is_empty(),
        "{stage}: controls a screen reader cannot name: {unnamed:#?}\n(of {} controls)",
        controls.len()
    );
}

/// Presses the control named `name` as a screen reader does: action 0 of an egui widget is its click.
fn press_control(a11y: &Connection, controls: &[Control], name: &str) {
    let control = controls.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name} to press"));
    let action = Proxy::new(a11y, control.peer.as_str(), control.path.as_str(), "org.a11y.atspi.Action").unwrap();
    assert!(action.call::<_, _, bool>("DoAction", &(0,)).unwrap(), "{name} refused to be pressed");
}

#[test]
fn every_control_of_the_window_has_a_name_a_screen_reader_can_say() {
    let session = common::bus::private_bus();
    let runtime = tempfile::tempdir().unwrap();
    // Its own runtime directory: the launcher puts the accessibility bus's socket there, away from
    // the desktop's (and another run's).
    let _launcher = start(
        Command::new(LAUNCHER)
            .arg("--launch-immediately")
            .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env_remove("DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
        "at-spi2-core",
        true,
    );
    let session_bus = zbus::blocking::connection::Builder::address(session.address.as_str()).unwrap().build().unwrap();
    let address = accessibility_bus_address(&session_bus);
    // What turning on a screen reader does: accesskit_unix follows org.a11y.Status's IsEnabled
    // and only puts the window's tree on the accessibility bus while it is true.
    Proxy::new(&session_bus, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Status")
        .unwrap()
        .set_property("IsEnabled", true)
        .unwrap();
    let a11y = zbus::blocking::connection::Builder::address(address.as_str()).unwrap().build().unwrap();

    let (_x, display) = x_server();
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("stderr.txt");
    let _hark = start(
        Command::new(env!("CARGO_BIN_EXE_hark"))
            .arg("--data-dir")
            .arg(data.path())
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
            .env("ALSA_CONFIG_PATH", "/dev/null")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("AT_SPI_BUS_ADDRESS")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap()),
        "hark",
        false,
    );

    let mut controls = controls_once_there(&a11y, AT_LAUNCH, &log);
    assert_all_named(&controls, "at launch");
    for (press, brings) in PRESSES {
        press_control(&a11y, &controls, press);
        controls = controls_once_there(&a11y, brings, &log);
        assert_all_named(&controls, &format!("after pressing {press}"));
    }
}
