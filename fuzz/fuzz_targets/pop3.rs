#![no_main]
// cargo fuzz run pop3  (scripts/fuzz.sh runs them all for a bounded time)
libfuzzer_sys::fuzz_target!(|data: &[u8]| facteur::fuzzing::run("pop3", data));
