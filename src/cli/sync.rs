//! `hark sync`: sync with the account's server now, and `login`, `status`, `logout`.

use std::io::Write;

use clap::Subcommand;
use serde::Serialize;

use super::{complain, runtime, say};
use crate::error::HarkError;
use crate::http;
use crate::library::Library;
use crate::model::sync::{SyncAccount, SyncKind};
use crate::paths::AppPaths;
use crate::sync::{device_id, secret};

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Set up sync with a gpodder-API server (podsync, gpodder.net) or Nextcloud. The password
    /// comes from HARK_SYNC_PASSWORD, else it is asked for on the terminal (not echoed).
    Login {
        /// The server's address, e.g. https://sync.example.com.
        url: String,
        user: String,
        /// The server is Nextcloud with the gpoddersync app (use an app password).
        #[arg(long)]
        nextcloud: bool,
        /// This computer's device name on the server (default: hark-<host name>).
        #[arg(long, value_name = "NAME")]
        device: Option<String>,
    },
    /// The account, the last sync and what waits to be sent.
    Status {
        /// Print one JSON object: server, kind, user, device, last_sync, pending_actions, last_error.
        #[arg(long)]
        json: bool,
    },
    /// Forget the account and its password here (the library stays).
    Logout,
}

pub fn run(
    command: Option<SyncCommand>,
    library: &mut Library,
    paths: &AppPaths,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    match command {
        None => sync(library, paths, out),
        Some(SyncCommand::Login { url, user, nextcloud, device }) => {
            let kind = if nextcloud { SyncKind::Nextcloud } else { SyncKind::Gpodder };
            login(library, paths, kind, &url, &user, device.as_deref(), out)
        }
        Some(SyncCommand::Status { json }) => status(library, json, out),
        Some(SyncCommand::Logout) => {
            let Some(account) = library.sync_account()? else {
                say(out, "No sync account was set up");
                return Ok(());
            };
            secret::forget(paths, &account);
            library.forget_sync_account()?;
            say(out, format!("Logged out of {} (this library stays as it is)", account.server));
            Ok(())
        }
    }
}

/// What moved, one line; what the server would not do, a line each on stderr.
fn sync(library: &mut Library, paths: &AppPaths, out: &mut impl Write) -> Result<(), HarkError> {
    let summary =
        runtime()?.block_on(crate::net::sync::sync_now(&http::client(), library, paths)).map_err(HarkError::Other)?;
    summary.notes.iter().for_each(complain);
    say(out, summary);
    Ok(())
}

fn login(
    library: &mut Library,
    paths: &AppPaths,
    kind: SyncKind,
    url: &str,
    user: &str,
    device: Option<&str>,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    crate::sync::api::server_url(url).map_err(|e| HarkError::Other(e.to_string()))?;
    let account = SyncAccount {
        kind,
        server: url.trim().trim_end_matches('/').to_string(),
        user: user.trim().to_string(),
        device: device.map_or_else(crate::sync::default_device, device_id),
        registered: false,
        last_sync: None,
        last_result: None,
        last_error: None,
    };
    let password = match std::env::var("HARK_SYNC_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => rpassword::prompt_password(format!("Password for {} at {}: ", account.user, account.server))
            .map_err(|e| HarkError::io("could not read the password from the terminal", e))?,
    };
    runtime()?
        .block_on(crate::sync::check_login(&http::client(), &account, &password))
        .map_err(|e| HarkError::Other(e.to_string()))?;
    if let Some(old) = library.sync_account()? {
        secret::forget(paths, &old);
    }
    library.set_sync_account(&account)?;
    let kept = secret::store(paths, &account, &password)?;
    say(
        out,
        format!(
            "Logged in to {} as {} (device {}); the password is kept {}. hark sync syncs now",
            account.server,
            account.user,
            account.device,
            kept.describe()
        ),
    );
    Ok(())
}

#[derive(Serialize)]
struct Status {
    server: String,
    kind: &'static str,
    user: String,
    device: String,
    last_sync: Option<String>,
    pending_actions: usize,
    last_error: Option<String>,
    last_result: Option<String>,
}

fn status(library: &Library, json: bool, out: &mut impl Write) -> Result<(), HarkError> {
    let Some(account) = library.sync_account()? else {
        if json {
            say(out, "null");
        } else {
            say(out, "No sync account: hark sync login URL USER [--nextcloud]");
        }
        return Ok(());
    };
    let status = Status {
        server: account.server,
        kind: account.kind.as_str(),
        user: account.user,
        device: account.device,
        last_sync: account.last_sync.map(|t| t.to_rfc3339()),
        pending_actions: library.sync_pending_count()?,
        last_error: account.last_error,
        last_result: account.last_result,
    };
    if json {
        say(out, serde_json::to_string_pretty(&status).expect("plain data serialises"));
        return Ok(());
    }
    say(out, format!("{} at {} as {}, device {}", account.kind.label(), status.server, status.user, status.device));
    match (&status.last_sync, &status.last_result) {
        (Some(at), Some(result)) => say(out, format!("Last sync {at}: {result}")),
        _ => say(out, "Not synced yet"),
    }
    if let Some(error) = &status.last_error {
        say(out, format!("Last attempt failed: {error}"));
    }
    say(out, format!("{} changes waiting to be sent", status.pending_actions));
    Ok(())
}
