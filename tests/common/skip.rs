//! A test that cannot run on this machine says so once, or fails where it must run.

use std::io::Write;

/// A test that needs a tool this machine lacks: with `require_var=1` (CI insists) it fails;
/// else it says `line` once per test binary (straight to stderr: the harness swallows what a
/// passing test prints) and the caller returns.
pub fn not_run_here(require_var: &str, line: &str) {
    if std::env::var(require_var).is_ok_and(|v| v == "1") {
        panic!("{line} ({require_var}=1 requires it)");
    }
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if !said.iter().any(|s| s == line) {
        said.push(line.to_string());
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}
