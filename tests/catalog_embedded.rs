//! The catalog is embedded deflated (build.rs): what the binary inflates is
//! the source files, byte for byte. (Here, not in `explain`: that layer may
//! not touch files — tests/architecture.rs.)

use facteur::explain::catalog::{FILES, unpack};

#[test]
fn the_embedded_catalog_is_its_source_files_byte_for_byte() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/explain/catalog");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.starts_with("rules_"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = FILES.iter().map(|(n, _, _)| format!("{n}.json")).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk, "a catalog file is not in FILES");
    let (mut packed_len, mut source_len) = (0, 0);
    for (name, _, packed) in FILES {
        let source = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        assert_eq!(unpack(packed), source, "{name}.json");
        (packed_len, source_len) = (packed_len + packed.len(), source_len + source.len());
    }
    assert!(
        packed_len * 3 < source_len,
        "deflated: {packed_len} of {source_len}"
    );
    for (packed, name) in [
        (facteur::explain::realworld::SMTP_RULES, "rules_smtp"),
        (facteur::explain::realworld::POP3_RULES, "rules_pop3"),
    ] {
        let source = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        assert_eq!(unpack(packed), source, "{name}.json");
    }
    assert_eq!(
        unpack(b"not deflate"),
        "",
        "a broken input gives no text, no panic"
    );
}
