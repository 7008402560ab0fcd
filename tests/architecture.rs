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
