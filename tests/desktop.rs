//! Hark as a desktop application: the launcher entry and metainfo validate and agree with the
//! app id, the .deb puts every file where they say, `hark URL` hands over to the open window,
//! and `hark install-desktop` installs and removes the entry for a build from source.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::Duration;

use hark::desktop::instance::{self, Claim, Handoff};
use hark::desktop::{APP_ID, Opening};

const HARK: &str = env!("CARGO_BIN_EXE_hark");

fn asset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/desktop").join(name)
}

/// Runs a validator the README lists for a fresh machine; its absence is a failure, not a skip.
fn validate(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed (README: on a fresh machine): {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{program} {args:?} failed:\n{text}");
    text
}

/// `key=value` of a desktop entry's main group.
fn entry_value(entry: &str, key: &str) -> String {
    entry
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in the entry"))
        .to_string()
}

#[test]
fn the_launcher_entry_and_metainfo_validate_and_name_the_app_id() {
    let entry_path = asset(&format!("{APP_ID}.desktop"));
    let metainfo_path = asset(&format!("{APP_ID}.metainfo.xml"));
    let complaints = validate("desktop-file-validate", &[entry_path.to_str().unwrap()]);
    assert!(complaints.trim().is_empty(), "desktop-file-validate: {complaints}");
    validate("appstreamcli", &["validate", "--no-net", metainfo_path.to_str().unwrap()]);

    let entry = std::fs::read_to_string(&entry_path).unwrap();
    assert_eq!(entry_value(&entry, "StartupWMClass"), APP_ID, "the window's class");
    assert_eq!(entry_value(&entry, "Icon"), APP_ID);
    assert_eq!(entry_value(&entry, "Exec"), "hark %U");
    assert_eq!(entry_value(&entry, "Categories"), "AudioVideo;Audio;Player;");
    let mime = entry_value(&entry, "MimeType");
    for wanted in ["application/rss+xml", "text/x-opml", "x-scheme-handler/podcast", "x-scheme-handler/pcast"] {
        assert!(mime.split(';').any(|m| m == wanted), "{wanted} in {mime}");
    }
    let metainfo = std::fs::read_to_string(&metainfo_path).unwrap();
    assert!(metainfo.contains(&format!("<id>{APP_ID}</id>")));
    assert!(metainfo.contains(&format!("<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>")));
    assert!(metainfo.contains("<binary>hark</binary>"));
    assert!(
        metainfo.contains(&format!("<release version=\"{}\"", env!("CARGO_PKG_VERSION"))),
        "this version's release"
    );
}

#[test]
fn the_deb_puts_every_file_where_the_entry_and_metainfo_say() {
    let work = tempfile::tempdir().unwrap();
    let deb = work.path().join("hark.deb");
    let target_dir = Path::new(HARK).parent().unwrap().parent().unwrap();
    // The binary this test run built (the dev profile), packaged as a release would be.
    let built = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["deb", "--no-build", "--profile", "dev", "--fast", "--output"])
        .arg(&deb)
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .expect("cargo runs");
    assert!(
        built.status.success(),
        "cargo deb (cargo install cargo-deb) failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let field = |name: &str| {
        let out = Command::new("dpkg-deb").arg("--field").arg(&deb).arg(name).output().expect("dpkg-deb runs");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(field("Package"), "hark");
    assert_eq!(field("Version"), env!("CARGO_PKG_VERSION").to_string() + "-1");
    assert!(field("Depends").contains("libasound2"), "the ALSA runtime is declared: {}", field("Depends"));

    let root = work.path().join("root");
    let unpacked = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root).status().unwrap();
    assert!(unpacked.success());
    let entry_path = root.join(format!("usr/share/applications/{APP_ID}.desktop"));
    let entry = std::fs::read_to_string(&entry_path).expect("the launcher entry is installed");
    let program = entry_value(&entry, "TryExec");
    assert!(root.join("usr/bin").join(&program).is_file(), "Exec names the installed binary");
    let icon = entry_value(&entry, "Icon");
    for size in [16, 24, 32, 48, 64, 128, 256, 512] {
        let png = root.join(format!("usr/share/icons/hicolor/{size}x{size}/apps/{icon}.png"));
        let (width, height) = image_size(&png);
        assert_eq!((width, height), (size, size), "{}", png.display());
    }
    assert!(root.join(format!("usr/share/icons/hicolor/scalable/apps/{icon}.svg")).is_file());
    let metainfo = std::fs::read_to_string(root.join(format!("usr/share/metainfo/{APP_ID}.metainfo.xml"))).unwrap();
    assert!(metainfo.contains(&format!("{APP_ID}.desktop</launchable>")), "the metainfo launches the entry");
    assert!(root.join("usr/share/doc/hark/copyright").is_file());

    let version = Command::new(root.join("usr/bin/hark")).arg("--version").output().unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    assert!(version.starts_with(&format!("hark {} (", env!("CARGO_PKG_VERSION"))), "{version}");
    assert_eq!(
        version.trim(),
        Command::new(HARK).arg("--version").output().map(|o| String::from_utf8(o.stdout).unwrap()).unwrap().trim()
    );
}

fn image_size(png: &Path) -> (u32, u32) {
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(&bytes[1..4], b"PNG");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[test]
fn the_version_names_the_commit() {
    let out = Command::new(HARK).arg("--version").output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let head =
        Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).current_dir(env!("CARGO_MANIFEST_DIR")).output();
    match head {
        Ok(head) if head.status.success() => {
            let commit = String::from_utf8(head.stdout).unwrap();
            assert_eq!(line.trim(), format!("hark {} ({})", env!("CARGO_PKG_VERSION"), commit.trim()));
        }
        _ => assert!(line.starts_with("hark "), "{line}"),
    }
}

/// Stands in for the open window: claims the library's socket and collects what later
/// launches hand over.
fn open_window(data: &Path) -> std::sync::mpsc::Receiver<Handoff> {
    let Claim::First(Some(listener)) = instance::claim(data, &Handoff::Raise) else {
        panic!("the first launch owns the library's window");
    };
    let (handoffs, received) = channel();
    listener.serve(handoffs, Arc::new(hark::NoWaker));
    // The listener lives on its thread for the rest of the test process.
    received
}

fn launch(data: &Path, args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(HARK).arg("--data-dir").arg(data).args(args).current_dir(cwd).output().unwrap()
}

#[test]
fn a_second_hark_hands_what_it_was_asked_to_the_open_window_and_exits() {
    let data = tempfile::tempdir().unwrap();
    let received = open_window(data.path());
    let wait = || received.recv_timeout(Duration::from_secs(10)).expect("the window got it");

    let out = launch(data.path(), &["https://example.com/feed.xml"], data.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already open"));
    assert_eq!(wait(), Handoff::Open(Opening::Feed("https://example.com/feed.xml".into())));

    launch(data.path(), &["pcast://example.com/show/rss"], data.path());
    assert_eq!(wait(), Handoff::Open(Opening::Feed("http://example.com/show/rss".into())));
    launch(data.path(), &["podcast:https://example.com/a.xml"], data.path());
    assert_eq!(wait(), Handoff::Open(Opening::Feed("https://example.com/a.xml".into())));

    // A relative path is the launching shell's, not the window's.
    std::fs::write(data.path().join("list.opml"), "<opml/>").unwrap();
    launch(data.path(), &["list.opml"], data.path());
    assert_eq!(wait(), Handoff::Open(Opening::Opml(data.path().join("list.opml"))));

    // A plain launch (a launcher click) brings the window forward instead of a second one.
    let out = launch(data.path(), &[], data.path());
    assert!(out.status.success());
    assert_eq!(wait(), Handoff::Raise);

    // What is no feed is refused by the launch itself, with its reason.
    let out = launch(data.path(), &["ftp://example.com/feed"], data.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not ftp: links"));
    assert!(received.recv_timeout(Duration::from_millis(300)).is_err());
}

#[test]
fn a_socket_left_by_a_killed_window_does_not_stop_the_next_one() {
    let data = tempfile::tempdir().unwrap();
    let stale = instance::socket_path(data.path());
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    assert!(stale.exists(), "a dead window's socket is on disk");
    let received = open_window(data.path());
    launch(data.path(), &["https://example.com/after.xml"], data.path());
    let handed = received.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(handed, Handoff::Open(Opening::Feed("https://example.com/after.xml".into())));
}

#[test]
fn install_desktop_puts_the_entry_in_the_users_launcher_and_remove_takes_it_away() {
    let home = tempfile::tempdir().unwrap();
    let data_home = home.path().join("share");
    let run = |args: &[&str]| {
        Command::new(HARK)
            .args(args)
            .arg("--data-dir")
            .arg(home.path().join("library"))
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", &data_home)
            .output()
            .unwrap()
    };
    let out = run(&["install-desktop"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let entry = std::fs::read_to_string(data_home.join(format!("applications/{APP_ID}.desktop"))).unwrap();
    let binary = std::fs::canonicalize(HARK).unwrap();
    assert_eq!(entry_value(&entry, "TryExec"), binary.display().to_string());
    assert!(entry_value(&entry, "Exec").ends_with(" %U"));
    for size in [16, 48, 256] {
        assert!(data_home.join(format!("icons/hicolor/{size}x{size}/apps/{APP_ID}.png")).is_file());
    }
    assert!(data_home.join(format!("metainfo/{APP_ID}.metainfo.xml")).is_file());
    let installed = data_home.join(format!("applications/{APP_ID}.desktop"));
    validate("desktop-file-validate", &[installed.to_str().unwrap()]);

    let out = run(&["install-desktop", "--remove"]);
    assert!(out.status.success());
    let left: Vec<_> = walk(&data_home).into_iter().filter(|p| p.is_file()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}

#[test]
fn install_desktop_writes_only_the_launcher_files_and_remove_keeps_what_it_did_not_write() {
    let home = tempfile::tempdir().unwrap();
    let data_home = home.path().join("share");
    let run = |args: &[&str]| {
        let out = Command::new(HARK)
            .args(args)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", &data_home)
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["install-desktop"]);
    let mut written: Vec<String> = walk(&data_home)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(&data_home).unwrap().display().to_string())
        .collect();
    written.sort();
    assert_eq!(written.len(), 11, "the entry, the metainfo and nine icons: {written:?}");
    assert!(
        written.iter().all(|p| p.starts_with("applications/") || p.starts_with("icons/") || p.starts_with("metainfo/"))
    );
    assert!(!home.path().join("cache").exists(), "no art cache");

    // The user replaces the entry with one of their own: --remove takes Hark's files, not theirs.
    let entry = data_home.join(format!("applications/{APP_ID}.desktop"));
    let theirs = "[Desktop Entry]\nType=Application\nName=My own Hark\nExec=/opt/my-hark %U\n";
    std::fs::write(&entry, theirs).unwrap();
    let said = run(&["install-desktop", "--remove"]);
    assert_eq!(std::fs::read_to_string(&entry).unwrap(), theirs, "the user's own entry stays");
    assert!(said.contains("Kept") && said.contains(&format!("{APP_ID}.desktop")), "{said}");
    let left: Vec<_> = walk(&data_home).into_iter().filter(|p| p.is_file()).collect();
    assert_eq!(left, [entry], "everything Hark wrote is gone");
}

/// What the open window answers to one raw request line on its socket (empty when it hung up).
fn ask_socket(data: &Path, line: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::os::unix::net::UnixStream::connect(instance::socket_path(data)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = stream.write_all(line);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn the_socket_offers_only_what_the_command_line_would_and_a_stalled_client_blocks_nobody() {
    let data = tempfile::tempdir().unwrap();
    let received = open_window(data.path());
    // Refused before any offer: what `hark TARGET` refuses, and a line far longer than an address.
    assert_eq!(ask_socket(data.path(), b"feed file:///etc/passwd\n"), "");
    assert_eq!(ask_socket(data.path(), b"feed ftp://example.com/feed.xml\n"), "");
    let huge = format!("feed https://example.com/{}\n", "a".repeat(64 * 1024));
    assert_eq!(ask_socket(data.path(), huge.as_bytes()), "");
    assert!(received.recv_timeout(Duration::from_millis(300)).is_err(), "nothing was offered");

    // A client that connects and says nothing: the next launch is answered all the same.
    let _stalled = std::os::unix::net::UnixStream::connect(instance::socket_path(data.path())).unwrap();
    let out = launch(data.path(), &["https://example.com/next.xml"], data.path());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already open"), "{}", String::from_utf8_lossy(&out.stderr));
    let handed = received.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(handed, Handoff::Open(Opening::Feed("https://example.com/next.xml".into())));
}
