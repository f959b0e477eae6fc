//! Where the sync password is kept: the desktop's secret store (the Secret Service, through the
//! `keyring` crate) when there is one, else a file in the data folder that only the user can
//! read (mode 0600). Never the library, a log, an error line or the process list.
//!
//! `HARK_SECRET_STORE=file` skips the secret store (tests, and machines where asking it would
//! pop up an unlock prompt nobody answers).

use std::io::Write;
use std::path::PathBuf;

use crate::error::HarkError;
use crate::model::sync::SyncAccount;
use crate::paths::AppPaths;

const SERVICE: &str = "io.github.hark.Hark.sync";
const FILE_NAME: &str = "sync-password";

/// Where a password was put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    SecretStore,
    File,
}

impl Kept {
    pub fn describe(self) -> &'static str {
        match self {
            Self::SecretStore => "in the desktop's secret store",
            Self::File => "in a file only you can read",
        }
    }
}

fn file(paths: &AppPaths) -> PathBuf {
    paths.data_dir.join(FILE_NAME)
}

/// The secret store's name for this account: the user and server, and the library it belongs
/// to (two data folders are two devices).
fn entry_name(paths: &AppPaths, account: &SyncAccount) -> String {
    format!("{}@{} ({})", account.user, account.server, paths.data_dir.display())
}

fn store_allowed() -> bool {
    std::env::var("HARK_SECRET_STORE").map_or(true, |v| v != "file")
}

fn entry(paths: &AppPaths, account: &SyncAccount) -> Option<keyring::Entry> {
    store_allowed().then(|| keyring::Entry::new(SERVICE, &entry_name(paths, account)).ok()).flatten()
}

/// Keeps the password for `account`: in the secret store if it takes it, else in the file.
pub fn store(paths: &AppPaths, account: &SyncAccount, password: &str) -> Result<Kept, HarkError> {
    if let Some(entry) = entry(paths, account) {
        match entry.set_password(password) {
            Ok(()) => {
                let _ = std::fs::remove_file(file(paths));
                return Ok(Kept::SecretStore);
            }
            Err(e) => tracing::info!("no secret store for the sync password ({e}); a file only you can read keeps it"),
        }
    }
    write_private(&file(paths), password)?;
    Ok(Kept::File)
}

/// The password kept for `account`.
pub fn load(paths: &AppPaths, account: &SyncAccount) -> Result<String, HarkError> {
    if let Ok(password) = std::fs::read_to_string(file(paths)) {
        return Ok(password.trim_end_matches(['\n', '\r']).to_string());
    }
    if let Some(password) = entry(paths, account).and_then(|e| e.get_password().ok()) {
        return Ok(password);
    }
    Err(HarkError::Other("no sync password is kept: log in again (hark sync login, or Sync in the window)".into()))
}

/// Forgets the password (logout).
pub fn forget(paths: &AppPaths, account: &SyncAccount) {
    let _ = std::fs::remove_file(file(paths));
    if let Some(entry) = entry(paths, account) {
        let _ = entry.delete_credential();
    }
}

fn write_private(path: &std::path::Path, password: &str) -> Result<(), HarkError> {
    let fail = |e| HarkError::io(format!("could not keep the sync password in {}", path.display()), e);
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(path).map_err(fail)?;
    out.write_all(password.as_bytes()).map_err(fail)?;
    out.sync_all().map_err(fail)
}
