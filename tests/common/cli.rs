//! The real `hark` binary, run on a data folder of the test's own.

use std::path::Path;
use std::process::{Command, Output};

pub fn hark(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("HARK_DATA_DIR")
        .output()
        .expect("run hark")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
