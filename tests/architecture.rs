//! The design's one rule, checked: the protocol core and the explanation
//! engine never name tokio, ratatui or crossterm (DESIGN.md, "a pure core").

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn proto_explain_and_sim_are_sans_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    // The simulator's sessions are sans-IO too (only its store touches files).
    let rules: [(&str, &[&str]); 3] = [
        (
            "proto",
            &[
                "tokio",
                "ratatui",
                "crossterm",
                "std::net::TcpStream",
                "std::time::SystemTime",
                "std::fs",
            ],
        ),
        (
            "explain",
            &[
                "tokio",
                "ratatui",
                "crossterm",
                "std::net::TcpStream",
                "std::time::SystemTime",
                "std::fs",
            ],
        ),
        (
            "sim",
            &[
                "tokio",
                "ratatui",
                "crossterm",
                "std::net::TcpStream",
                "std::time::SystemTime",
            ],
        ),
    ];
    for (dir, forbidden_names) in rules {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        assert!(!files.is_empty(), "src/{dir} has no files");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                // Comments may name what the code must not use.
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for forbidden in forbidden_names.iter().copied() {
                    assert!(
                        !line.contains(forbidden),
                        "{}:{}: the sans-IO core names {forbidden}: {line}",
                        file.display(),
                        n + 1
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} files checked");
}

#[test]
fn every_module_says_why_it_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} does not start with a //! line saying why it exists",
            file.display()
        );
    }
}

/// The layers of DESIGN.md, lowest first, and which of the crate's own
/// modules each may name. A module names only what is below it (or beside
/// it where the table says so): so the protocol core can be read, tested
/// and fuzzed alone, the explanation never depends on where a line came
/// from, and a new edge (a proxy, a capture file) plugs into the session
/// engine without touching the TUI.
const LAYERS: &[(&str, &[&str], &str)] = &[
    (
        "proto",
        &[],
        "the sans-IO protocol core is the bottom: bytes in, typed items out",
    ),
    (
        "explain",
        &["proto"],
        "the explanation is pure: (what was typed or received, the state) → annotations, whatever the source",
    ),
    (
        "files",
        &["proto", "explain"],
        "size-capped reading of a user's file, with its error in the reader's language",
    ),
    (
        "json",
        &["proto", "explain"],
        "JSON error places, in the reader's language",
    ),
    (
        "sim",
        &["proto", "explain", "files", "json"],
        "the simulated world is server-side logic: it knows no session engine, socket or screen",
    ),
    (
        "session",
        &["proto", "explain", "files", "json"],
        "the session engine talks to its link through a trait: it names neither the simulator nor the network",
    ),
    (
        "net",
        &["proto", "explain", "files", "json", "sim", "session"],
        "the network edge drives the sans-IO parts; it never draws",
    ),
    (
        "lesson",
        &["proto", "explain", "files", "json", "sim", "session", "net"],
        "a lesson is a client of the session engine, not of the TUI",
    ),
    (
        "tui",
        &[
            "proto", "explain", "files", "json", "sim", "session", "net", "lesson",
        ],
        "the TUI draws and maps keys; it is the top of the library",
    ),
    (
        "workbench",
        &[
            "proto", "explain", "files", "json", "sim", "session", "net", "lesson",
        ],
        "the workbench is a UI beside the TUI",
    ),
];

/// The crate modules a line names: `crate::x::…` and `crate::{x, y}`.
fn named_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        // Not `facteur_crate::` or a longer identifier ending in "crate".
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

fn layering_breaks(root: &Path) -> Vec<String> {
    let mut breaks = Vec::new();
    for (module, allowed, why) in LAYERS {
        let mut files = Vec::new();
        let dir = root.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
        let file = root.join(format!("{module}.rs"));
        if file.is_file() {
            files.push(file);
        }
        assert!(!files.is_empty(), "src/{module} has no files");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                for name in named_modules(line) {
                    if name != *module && !allowed.contains(&name.as_str()) {
                        breaks.push(format!(
                            "{}:{}: `{module}` names `crate::{name}`, which is not below it ({module} may name: {}). Why the rule exists: {why}.\n    {code}",
                            file.display(),
                            n + 1,
                            if allowed.is_empty() { "nothing of the crate".to_string() } else { allowed.join(", ") },
                        ));
                    }
                }
            }
        }
    }
    breaks
}

#[test]
fn each_layer_names_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let breaks = layering_breaks(&root);
    assert!(breaks.is_empty(), "{}", breaks.join("\n"));
}

#[test]
fn a_wrong_import_is_caught_with_the_rule_it_breaks() {
    // A copy of src/session with one file that names the TUI.
    let tmp = std::env::temp_dir().join(format!("facteur-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for (module, _, _) in LAYERS {
        let dir = tmp.join(module);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("mod.rs"), "//! fine\n").unwrap();
    }
    std::fs::write(
        tmp.join("session/bad.rs"),
        "//! wrong\nuse crate::{explain, tui::model::Model};\n",
    )
    .unwrap();
    let breaks = layering_breaks(&tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    // `explain` is below session; `tui` is not.
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert!(
        breaks.iter().any(|b| b.contains("bad.rs:2")
            && b.contains("`crate::tui`")
            && b.contains("names neither the simulator")),
        "{breaks:?}"
    );
}

#[test]
fn the_import_reader_sees_grouped_and_nested_paths() {
    assert_eq!(
        named_modules("use crate::{net::link, sim};"),
        ["net", "sim"]
    );
    assert_eq!(
        named_modules("let x = crate::tui::a(crate::explain::b);"),
        ["tui", "explain"]
    );
    assert!(named_modules("use facteur_crate::x;").is_empty());
}
