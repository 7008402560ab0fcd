//! Sessions as data: the transcript format that `--record` writes (and that
//! replay and lessons will read), and capture files read and written.

pub mod capture;
pub mod explained;
pub mod export;
pub mod live;
pub mod replay;
pub mod room;
pub mod transcript;
pub mod watch;
