//! Sessions as data: the transcript format that `--record` writes (and that
//! replay and lessons will read).

pub mod explained;
pub mod export;
pub mod replay;
pub mod transcript;
