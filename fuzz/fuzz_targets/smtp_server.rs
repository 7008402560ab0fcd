#![no_main]
// cargo fuzz run smtp_server  (scripts/fuzz.sh runs them all for a bounded time)
libfuzzer_sys::fuzz_target!(|data: &[u8]| facteur::fuzzing::run("smtp_server", data));
