//! The event loop: reads keys and resizes from the terminal, turns them into
//! actions through the keymap, updates the model, draws. The only file of
//! the TUI that touches the terminal.

use std::io;

use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind, MouseEventKind,
};
use ratatui::crossterm::execute;

use crate::tui::action::Action;

use crate::tui::action::action_for;
use crate::tui::model::{Focus, Model};
use crate::tui::update::update;
use crate::tui::view::draw;

/// F6: write the session as `facteur-YYYYMMDD-HHMMSS.json` (transcript),
/// `.html` (the annotated report) and `.pcapng` (a capture Wireshark
/// dissects, addresses of the simulated world) in the current folder.
pub(crate) fn save(model: &mut Model) {
    use crate::explain::catalog::fill;
    let t = model.live.transcript();
    let now = model.live.started + (model.live.elapsed_ms / 1000) as i64;
    let (y, mo, d) = crate::proto::date::civil_from_days(now.div_euclid(86_400));
    let secs = now.rem_euclid(86_400);
    let stem = format!(
        "facteur-{y:04}{mo:02}{d:02}-{:02}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    let html =
        crate::session::export::export(model.lang, &t, &stem, crate::session::export::Format::Html);
    let world = crate::sim::world::World::default();
    let resolve = |host: &str| world.address(host).map(std::net::IpAddr::V4);
    let (pcapng, _) = crate::session::capture::pcapng::write(
        model.lang,
        &t,
        &resolve,
        crate::session::capture::pcapng::Addresses::default(),
    );
    // Said with the whole path: the student must find the files again.
    let path = std::env::current_dir()
        .map(|d| d.join(&stem))
        .unwrap_or_else(|_| std::path::PathBuf::from(&stem));
    let result = std::fs::write(path.with_extension("json"), t.to_json())
        .and_then(|()| std::fs::write(path.with_extension("html"), html))
        .and_then(|()| std::fs::write(path.with_extension("pcapng"), pcapng));
    model.notice = match result {
        Ok(()) => fill(
            model.lang,
            "tui.saved",
            &[&crate::proto::visible::visible_str(
                &path.display().to_string(),
            )],
        ),
        Err(e) => fill(
            model.lang,
            "tui.save_failed",
            &[&crate::explain::diag::io_error(model.lang, &e)],
        ),
    };
}

/// Run until the student quits. `ratatui::init` restores the terminal on
/// panic before the message is printed.
pub fn run(mut model: Model, record: Option<&std::path::Path>) -> io::Result<()> {
    let start = std::time::Instant::now();
    model.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    model.recorded = record.is_some();
    let mut terminal = ratatui::init();
    // The wheel scrolls the pane under the pointer (hold Shift to select text).
    // Bracketed paste: a pasted block arrives whole, its line breaks send lines.
    let _ = execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    let result = (|| -> io::Result<()> {
        while !model.quit {
            model.live.elapsed_ms = start.elapsed().as_millis() as u64;
            let size = terminal.size()?;
            crate::tui::view::measure(
                &mut model,
                ratatui::layout::Rect::new(0, 0, size.width, size.height),
            );
            terminal.draw(|f| draw(&model, f))?;
            // A real server speaks on its own, a replay plays on its own:
            // look at them between keys.
            let playing = model.replay.as_ref().is_some_and(|r| r.playing);
            if (model.live.link.info.remote || playing)
                && !event::poll(std::time::Duration::from_millis(30))?
            {
                crate::tui::update::network(&mut model);
                let now = start.elapsed().as_millis() as u64;
                update(&mut model, Action::Tick(now));
                continue;
            }
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    // The world's clock: the edge reads it, the core is told.
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs() as i64)
                        .unwrap_or(0);
                    model.live.link.mta.set_now(now);
                    if crate::tui::commands::time_passed(&mut model) {
                        crate::tui::update::lesson_check(&mut model);
                    }
                    if let Some(a) =
                        action_for(key, model.mode(), model.show_help, model.input.is_empty())
                    {
                        update(&mut model, a);
                    }
                    if std::mem::take(&mut model.save_requested) {
                        save(&mut model);
                    }
                }
                Event::Mouse(mouse) => {
                    let size = terminal.size()?;
                    let areas = crate::tui::view::areas(
                        &model,
                        ratatui::layout::Rect::new(0, 0, size.width, size.height),
                    );
                    let over_explanation = areas
                        .right
                        .contains(ratatui::layout::Position::new(mouse.column, mouse.row));
                    let action = match (mouse.kind, over_explanation) {
                        (MouseEventKind::ScrollUp, false) => Some(Action::WheelUp),
                        (MouseEventKind::ScrollDown, false) => Some(Action::WheelDown),
                        (MouseEventKind::ScrollUp, true) => Some(Action::ScrollExplainUp),
                        (MouseEventKind::ScrollDown, true) => Some(Action::ScrollExplainDown),
                        _ => None,
                    };
                    if let Some(a) = action {
                        update(&mut model, a);
                    }
                }
                Event::Paste(text) if model.focus == Focus::Input => {
                    for a in crate::tui::action::paste_actions(&text) {
                        update(&mut model, a);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    })();
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    if let Some(path) = record {
        std::fs::write(path, model.live.transcript().to_json())?;
        eprintln!("facteur: session recorded in {}", path.display());
    }
    result
}
