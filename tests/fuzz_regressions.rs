//! Every input a fuzzer once crashed on (fuzz/regressions/<target>/) goes
//! through the same harness again; and each harness runs on the shipped
//! transcripts, lessons and the handout's message, so none rots unseen.

use facteur::fuzzing::{TARGETS, run};

#[test]
fn saved_crash_inputs_stay_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for target in TARGETS {
        let dir = root.join(target);
        assert!(dir.is_dir(), "fuzz/regressions/{target}/ is missing");
        for f in std::fs::read_dir(&dir).unwrap() {
            let path = f.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".keep") {
                continue;
            }
            run(target, &std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    eprintln!("{replayed} saved inputs replayed");
    // Every target keeps at least one input that once broke something
    // (the bugs fixed with it): a harness that replays nothing tests nothing.
    for target in TARGETS {
        let n = std::fs::read_dir(root.join(target))
            .unwrap()
            .filter(|f| f.as_ref().is_ok_and(|f| f.file_name() != ".keep"))
            .count();
        assert!(n >= 1, "fuzz/regressions/{target}/ replays nothing");
    }
    assert!(replayed >= TARGETS.len(), "{replayed}");
    // Every target has its fuzz_targets file.
    for target in TARGETS {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("fuzz/fuzz_targets/{target}.rs"));
        assert!(file.exists(), "{}", file.display());
    }
}

#[test]
fn every_harness_runs_on_real_inputs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    let mut dirs: Vec<std::path::PathBuf> = ["transcripts", "lessons", "tests/fixtures"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        for f in std::fs::read_dir(&dir).unwrap() {
            let path = f.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                inputs.push(std::fs::read(&path).unwrap());
            }
        }
    }
    inputs.push(b"\x07EHLO lab\r\nMAIL FROM:<fred@free.fr>\r\nRCPT TO:<marc@wanadoo.fr>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n".to_vec());
    inputs.push(b"\x03USER marc\r\nPASS marcpass\r\nLIST\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n".to_vec());
    for target in TARGETS {
        for input in &inputs {
            run(target, input);
        }
    }
}
