//! A private PulseAudio daemon for a test: a null sink that plays in real time, reached only
//! through a unix socket in the test's folder, with ALSA's "default" device routed to it (as a
//! desktop's sound server is). Killing it is a sound device going away mid-play; starting another
//! on the same socket is the new default device.
//!
//! Needs `pulseaudio`, `pactl` (pulseaudio-utils) and ALSA's pulse plugin (libasound2-plugins).
//! Without them the tests say so in one line and return; with `HARK_REQUIRE_PULSEAUDIO=1` (CI)
//! they fail.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PulseServer {
    dir: PathBuf,
    daemon: Child,
}

/// Whether this machine can run the daemon; says once why not.
pub fn available() -> bool {
    let tools = ["pulseaudio", "pactl"].iter().all(|tool| on_path(tool));
    let plugin = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/lib64"]
        .iter()
        .any(|lib| Path::new(lib).join("alsa-lib/libasound_module_pcm_pulse.so").exists());
    if tools && plugin {
        return true;
    }
    super::skip::not_run_here(
        "HARK_REQUIRE_PULSEAUDIO",
        "sound-server tests not run: needs pulseaudio, pulseaudio-utils and libasound2-plugins (.ci/run installs them)",
    );
    false
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// The ALSA configuration that sends "default" to the daemon on `dir`'s socket (the system's
/// own configuration first, for the plugin definitions).
pub fn alsa_config_path(dir: &Path) -> String {
    let routed = dir.join("asoundrc");
    let socket = dir.join("native");
    std::fs::write(
        &routed,
        format!(
            "pcm.!default {{ type pulse server \"unix:{0}\" }}\nctl.!default {{ type pulse server \"unix:{0}\" }}\n",
            socket.display()
        ),
    )
    .unwrap();
    format!("/usr/share/alsa/alsa.conf:{}", routed.display())
}

impl PulseServer {
    /// Starts a daemon listening on `dir/native` and waits until it answers.
    pub fn start(dir: &Path) -> Self {
        std::fs::create_dir_all(dir.join("runtime")).unwrap();
        let _ = std::fs::remove_file(dir.join("native"));
        std::fs::write(
            dir.join("daemon.conf"),
            "daemonize = no\nexit-idle-time = -1\nrealtime-scheduling = no\nhigh-priority = no\nenable-shm = no\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("client.conf"),
            format!("autospawn = no\ncookie-file = {}\n", dir.join("cookie").display()),
        )
        .unwrap();
        std::fs::write(
            dir.join("setup.pa"),
            format!(
                "load-module module-null-sink sink_name=test rate=44100 channels=2\n\
                 load-module module-native-protocol-unix auth-anonymous=1 socket={}\nset-default-sink test\n",
                dir.join("native").display()
            ),
        )
        .unwrap();
        let daemon = Command::new("pulseaudio")
            .args(["-n", "-F"])
            .arg(dir.join("setup.pa"))
            .args(["--daemonize=no", "--system=false", "--use-pid-file=no", "--exit-idle-time=-1"])
            .args(["--realtime=no", "--high-priority=no", "--disable-shm=yes", "--log-target=stderr"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("XDG_RUNTIME_DIR", dir.join("runtime"))
            .env("PULSE_RUNTIME_PATH", dir.join("runtime"))
            .env("PULSE_STATE_PATH", dir.join("runtime"))
            .env("PULSE_CONFIG", dir.join("daemon.conf"))
            .env("PULSE_CLIENTCONFIG", dir.join("client.conf"))
            .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", dir.join("no-bus").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio starts");
        let server = Self { dir: dir.to_path_buf(), daemon };
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.pactl(&["info"]).is_none() {
            assert!(Instant::now() < deadline, "the PulseAudio daemon did not answer in 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn pactl(&self, args: &[&str]) -> Option<String> {
        let output = Command::new("pactl")
            .args(args)
            .env("PULSE_SERVER", format!("unix:{}", self.dir.join("native").display()))
            .env("PULSE_CLIENTCONFIG", self.dir.join("client.conf"))
            .env("PULSE_COOKIE", self.dir.join("cookie"))
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// How many streams are playing into the daemon's sink now.
    pub fn streams(&self) -> usize {
        self.pactl(&["list", "short", "sink-inputs"]).map_or(0, |list| list.lines().count())
    }

    /// The sample format of each stream playing into the sink ("float32le 1ch 22050Hz").
    pub fn stream_formats(&self) -> Vec<String> {
        let list = self.pactl(&["list", "sink-inputs"]).unwrap_or_default();
        list.lines().filter_map(|l| l.trim().strip_prefix("Sample Specification: ").map(str::to_string)).collect()
    }

    /// The daemon dies at once, as a sound server that crashed (or a headset that went out of
    /// range) does: no goodbye to its clients.
    pub fn kill(mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
