#![no_main]
// cargo fuzz run line_framing  (scripts/fuzz.sh runs them all for a bounded time)
libfuzzer_sys::fuzz_target!(|data: &[u8]| facteur::fuzzing::run("line_framing", data));
