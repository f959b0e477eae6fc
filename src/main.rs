use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use hark::cli::{self, Cli};
use hark::paths::AppPaths;

fn main() -> ExitCode {
    let launched = std::time::Instant::now();
    let args = Cli::parse();
    // Logs are for whoever asks for them (HARK_LOG); a command's own output is its lines and,
    // on failure, one line on stderr. The window also logs its warnings.
    let quiet_default = if args.command.is_some() { "off" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HARK_LOG").unwrap_or_else(|_| quiet_default.into()),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let outcome = AppPaths::resolve(args.data_dir)
        .map_err(|e| hark::error::HarkError::io("could not find a folder for the library", e))
        .and_then(|paths| match args.command {
            Some(command) => cli::run(command, &paths),
            None => {
                let cwd = std::env::current_dir().unwrap_or_default();
                let opening = args.open.as_deref().map(|target| hark::desktop::Opening::parse(target, &cwd));
                let opening = opening.transpose().map_err(hark::error::HarkError::Other)?;
                hark::app::HarkApp::run(paths, launched, opening)
            }
        });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", hark::error::one_line(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}
