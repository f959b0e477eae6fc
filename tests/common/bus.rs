//! A private D-Bus session bus for one test binary (MPRIS, notifications, the settings portal).

use std::process::{Child, Command, Stdio};

pub struct Bus {
    daemon: Child,
    pub address: String,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

pub fn private_bus() -> Bus {
    let mut daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-daemon is needed (README: on a fresh machine)");
    let mut address = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(daemon.stdout.take().unwrap()), &mut address).unwrap();
    Bus { daemon, address: address.trim().to_string() }
}

/// NetworkManager as the desktop runs it, saying only whether the connection is metered.
pub struct NetworkManager {
    pub metered: u32,
}

#[zbus::interface(name = "org.freedesktop.NetworkManager")]
impl NetworkManager {
    #[zbus(property)]
    fn metered(&self) -> u32 {
        self.metered
    }
}

/// NetworkManager on `bus` saying `metered` (1: yes, 2: no) while the connection is kept.
pub fn network_manager(bus: &Bus, metered: u32) -> zbus::blocking::Connection {
    zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.NetworkManager")
        .unwrap()
        .serve_at("/org/freedesktop/NetworkManager", NetworkManager { metered })
        .unwrap()
        .build()
        .unwrap()
}
