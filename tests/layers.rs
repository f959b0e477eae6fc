//! The core never names egui: only the window (`src/app`, `src/ui`) may. A change that makes a
//! core module reach for the UI toolkit fails here.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn only_the_window_names_egui_or_eframe() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let window = [src.join("app"), src.join("ui")];
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| !window.iter().any(|w| f.starts_with(w))) {
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("egui") || code.contains("eframe") {
                offenders.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
            }
        }
    }
    assert!(files.len() > 30, "the source tree was found ({} files)", files.len());
    assert!(offenders.is_empty(), "the core names the UI toolkit:\n{}", offenders.join("\n"));
}
