//! The split-pane TUI: telnet with annotations. Model (state as data),
//! Action (intents) and the keymap (a table), update (the only mutation),
//! view (drawing, no I/O), runtime (the terminal loop), link (the
//! in-memory connection to the simulated world).

pub mod action;
pub mod commands;
pub mod model;
pub mod modes;
pub mod panels;
pub mod runtime;
pub mod update;
pub mod view;
pub mod watch;

use crate::explain::lang::Lang;
use crate::sim::mta::Mta;
use crate::sim::store::Store;
use crate::sim::world::World;

/// The course's world, in memory (a real-server session carries one too, unused).
pub(crate) fn builtin_world(now: i64, seed: u64) -> Mta {
    let mut mta = Mta::new(World::default(), Store::in_memory(), seed);
    mta.set_now(now);
    mta
}

/// Open the TUI on the built-in world, connected to smtp.free.fr as the
/// course's Fred would be. `now` and `seed` come from the caller.
pub fn run_builtin(
    lang: Lang,
    now: i64,
    seed: u64,
    record: Option<&std::path::Path>,
) -> std::io::Result<()> {
    match update::connect(lang, builtin_world(now, seed), "smtp.free.fr") {
        Some(model) => runtime::run(model, record),
        None => Err(std::io::Error::other(
            "the built-in world has no smtp.free.fr",
        )),
    }
}

/// Open the TUI on a real server (`facteur connect`).
pub fn run_remote(
    lang: Lang,
    opts: crate::net::client::ConnectOptions,
    proto: crate::proto::Proto,
    proto_given: bool,
    now: i64,
    seed: u64,
    record: Option<&std::path::Path>,
) -> std::io::Result<()> {
    runtime::run(
        update::connect_remote(lang, builtin_world(now, seed), opts, proto, proto_given),
        record,
    )
}

/// Replay a transcript in the TUI (`facteur replay FILE`).
pub fn run_replay(
    lang: Lang,
    replay: crate::session::replay::Replay,
    now: i64,
    seed: u64,
) -> std::io::Result<()> {
    runtime::run(
        update::open_replay(lang, builtin_world(now, seed), replay),
        None,
    )
}

/// Run a lesson in the TUI (`facteur lesson ID`), on the built-in world.
pub fn run_lesson(
    lang: Lang,
    lesson: crate::lesson::Lesson,
    now: i64,
    seed: u64,
    record: Option<&std::path::Path>,
) -> std::io::Result<()> {
    let world = lesson
        .load_world()
        .map_err(|p| std::io::Error::other(p.to_string()))?;
    let mut mta = Mta::new(world, Store::in_memory(), seed);
    mta.set_now(now);
    match update::open_lesson(lang, mta, lesson) {
        Some(model) => runtime::run(model, record),
        None => Err(std::io::Error::other(
            "the lesson's start host is not in the built-in world (facteur lesson check FILE says more)",
        )),
    }
}
