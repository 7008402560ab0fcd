//! Benchmark: one typed key → a new frame (update + explanation + drawing)
//! at 120×40 with a 10,000-line scrollback (goal: median ≤ 0.2 ms, p99 ≤ 1 ms),
//! and the bytes written to the terminal per typed character (goal: median
//! ≤ 200, for students over SSH). Run: `cargo bench --bench tui_keystroke`.

use std::io::Write;
use std::time::Instant;

use facteur::explain::Lang;
use facteur::sim::mta::Mta;
use facteur::sim::store::Store;
use facteur::sim::world::World;
use facteur::tui::action::Action;
use facteur::tui::update::{connect, update};
use facteur::tui::view::draw;
use ratatui::Terminal;
use ratatui::backend::{CrosstermBackend, TestBackend};

/// A writer that counts what would reach the terminal.
#[derive(Default, Clone)]
struct Counter(std::rc::Rc<std::cell::Cell<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    let mut mta = Mta::new(World::default(), Store::in_memory(), 3);
    mta.set_now(1_796_000_000);
    let Some(mut m) = connect(Lang::Fr, mta, "smtp.free.fr") else {
        return;
    };
    m.color = true;
    let send = |m: &mut facteur::tui::model::Model, s: &str| {
        for c in s.chars() {
            update(m, Action::InsertChar(c));
        }
        update(m, Action::SendLine);
    };
    send(&mut m, "EHLO lab");
    while m.entries.len() < 10_000 {
        send(&mut m, "NOOP");
    }
    let typed = "RCPT TO:<marc@wanadoo.fr>";
    // Frames into a test buffer: the time of update + explain + draw.
    let mut term = match Terminal::new(TestBackend::new(120, 40)) {
        Ok(t) => t,
        Err(_) => return,
    };
    let mut times = Vec::new();
    for _ in 0..40 {
        for c in typed.chars() {
            let t = Instant::now();
            update(&mut m, Action::InsertChar(c));
            let _ = term.draw(|f| draw(&m, f));
            times.push(t.elapsed().as_nanos() as u64);
        }
        update(&mut m, Action::ClearLine);
    }
    times.sort_unstable();
    let at = |v: &[u64], p: f64| v[((v.len() - 1) as f64 * p) as usize];
    // Bytes: a real crossterm backend writing into a counter (ratatui sends only changed cells).
    let counter = Counter::default();
    let mut term = match Terminal::new(CrosstermBackend::new(counter.clone())) {
        Ok(t) => t,
        Err(_) => return,
    };
    let _ = term.resize(ratatui::layout::Rect::new(0, 0, 120, 40));
    let _ = term.draw(|f| draw(&m, f));
    let mut bytes = Vec::new();
    for c in typed.chars() {
        let before = counter.0.get();
        update(&mut m, Action::InsertChar(c));
        let _ = term.draw(|f| draw(&m, f));
        bytes.push((counter.0.get() - before) as u64);
    }
    bytes.sort_unstable();
    println!(
        "keystroke → frame at 120x40, scrollback {} lines: median {:.3} ms, p99 {:.3} ms (goal ≤ 0.2 / ≤ 1 ms); bytes to the terminal per typed character: median {}, max {} (goal ≤ 200)",
        m.entries.len(),
        at(&times, 0.5) as f64 / 1e6,
        at(&times, 0.99) as f64 / 1e6,
        at(&bytes, 0.5),
        at(&bytes, 1.0)
    );
}
