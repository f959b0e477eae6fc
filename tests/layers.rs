//! The shape of the house, checked on the source text: the core never names egui, `model` imports
//! nothing of Hark's, no module imports one that imports it back (directly or round a longer
//! circle), and no function or file grows past what one reader can hold. A change that breaks the
//! map in docs/ARCHITECTURE.md fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest function body, in lines (signature to closing brace).
const MAX_FUNCTION_LINES: usize = 100;
/// Longest file, in lines; the window's wiring has a tighter budget.
const MAX_FILE_LINES: usize = 600;
const MAX_APP_MOD_LINES: usize = 450;

struct Source {
    /// Path below `src/`, e.g. `listening/mod.rs`.
    relative: String,
    text: String,
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    let sources: Vec<Source> = files
        .iter()
        .map(|file| Source {
            relative: file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/"),
            text: std::fs::read_to_string(file).unwrap(),
        })
        .collect();
    assert!(sources.len() > 30, "the source tree was found ({} files)", sources.len());
    sources
}

/// The top-level module a file belongs to (`listening/sleep.rs` → `listening`, `paths.rs` →
/// `paths`); `lib.rs` and `main.rs` are the crate's root.
fn module_of(relative: &str) -> &str {
    match relative.split_once('/') {
        Some((module, _)) => module,
        None => relative.trim_end_matches(".rs"),
    }
}

/// The code a module is made of: comments dropped, and its unit tests (a `#[cfg(test)]` module at
/// the end of a file) left out, since a test may build its input with any part of Hark.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    let lines: Vec<&str> = text.lines().collect();
    let tests_start = lines
        .windows(2)
        .position(|pair| pair[0].trim() == "#[cfg(test)]" && pair[1].trim_start().starts_with("mod "))
        .unwrap_or(lines.len());
    lines.into_iter().take(tests_start).map(|line| line.split("//").next().unwrap_or_default())
}

/// Which top-level modules each module names through `crate::`.
fn imports(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&str> = sources.iter().map(|s| module_of(&s.relative)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        let from = module_of(&source.relative);
        let entry = graph.entry(from.to_string()).or_default();
        for line in code_lines(&source.text) {
            for (at, _) in line.match_indices("crate::") {
                let rest = &line[at + "crate::".len()..];
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if name != from && modules.contains(name.as_str()) {
                    entry.insert(name);
                }
            }
        }
    }
    graph
}

/// Every import circle, each as the modules on it in order (Tarjan's strongly connected parts).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            for next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next.as_str()) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next.as_str()]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next.as_str()) {
                    let low = self.low[node].min(self.index[next.as_str()]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let at = self.stack.iter().rposition(|n| *n == node).unwrap();
                let part: Vec<String> = self.stack.split_off(at).into_iter().map(String::from).collect();
                if part.len() > 1 {
                    self.found.push(part);
                }
            }
        }
    }
    let mut walk = Walk { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found
}

#[test]
fn only_the_window_names_egui_or_eframe() {
    let mut offenders = Vec::new();
    for source in sources().iter().filter(|s| !["app", "ui"].contains(&module_of(&s.relative))) {
        for (number, line) in source.text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("egui") || code.contains("eframe") {
                offenders.push(format!("src/{}:{}: {}", source.relative, number + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "the core names the UI toolkit:\n{}", offenders.join("\n"));
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports(&sources());
    assert!(graph["app"].contains("listening") && graph["net"].contains("library"), "imports were read: {graph:?}");
    let found = circles(&graph);
    assert!(found.is_empty(), "import circles: {found:?}");
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_string(), BTreeSet::from([to.to_string()])))
        .collect();
    let found = circles(&graph);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].iter().cloned().collect::<BTreeSet<_>>(), BTreeSet::from(["a".into(), "b".into(), "c".into()]));
}

#[test]
fn model_imports_nothing_of_harks() {
    let graph = imports(&sources());
    assert_eq!(graph.get("model").cloned().unwrap_or_default(), BTreeSet::new(), "model is plain data");
}

/// `fn` lines and how many lines each spans, found by the closing brace at the `fn`'s own
/// indentation (the tree is rustfmt-formatted).
fn function_lengths(text: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let signature = ["pub fn ", "fn ", "pub(crate) fn ", "pub(super) fn ", "async fn ", "pub async fn "]
            .iter()
            .find_map(|prefix| trimmed.strip_prefix(prefix));
        let Some(signature) = signature else { continue };
        let name: String = signature.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let close = " ".repeat(indent) + "}";
        let end = lines[at..].iter().position(|l| *l == close || l.starts_with(&(close.clone() + " ")));
        if let Some(end) = end {
            found.push((at + 1, name, end + 1));
        }
    }
    found
}

#[test]
fn no_function_over_a_hundred_lines_and_no_file_over_six_hundred() {
    let mut offenders = Vec::new();
    for source in sources() {
        let lines = source.text.lines().count();
        let budget = if source.relative == "app/mod.rs" { MAX_APP_MOD_LINES } else { MAX_FILE_LINES };
        if lines > budget {
            offenders.push(format!("src/{}: {lines} lines (at most {budget})", source.relative));
        }
        for (line, name, length) in function_lengths(&source.text) {
            if length > MAX_FUNCTION_LINES {
                offenders.push(format!("src/{}:{line}: fn {name} is {length} lines", source.relative));
            }
        }
    }
    assert!(offenders.is_empty(), "too long:\n{}", offenders.join("\n"));
}

#[test]
fn the_length_counter_counts() {
    let text = "fn a() {\n    one();\n    two();\n}\n\n    pub fn b(\n        x: u8,\n    ) {\n    }\n";
    assert_eq!(function_lengths(text), [(1, "a".to_string(), 4), (6, "b".to_string(), 4)]);
}
