//! The catalog (src/explain/catalog/*.json, 0.64 MB of French and English
//! text) is embedded in the binary deflated: about a fifth of its size. The
//! sources stay plain JSON, edited by hand; this writes `OUT_DIR/<name>.json.z`
//! for each, which `explain::catalog` inflates once, at its first use.

use std::path::Path;

fn main() {
    let dir = Path::new("src/explain/catalog");
    println!("cargo:rerun-if-changed={}", dir.display());
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("src/explain/catalog is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    for path in names {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read(&path).expect("a catalog file is readable");
        let packed = miniz_oxide::deflate::compress_to_vec(&text, 10);
        let name = path.file_name().expect("a file name").to_string_lossy();
        std::fs::write(Path::new(&out).join(format!("{name}.z")), packed)
            .expect("OUT_DIR is writable");
    }
}
