//! Benchmark: one typed key → a new frame (update + explanation + drawing)
//! at 120×40 and at 80×24 with a 10,000-line scrollback (goal: median ≤
//! 0.2 ms, p99 ≤ 1 ms), beside its anchor measured in the same run: a bare
//! ratatui redraw of the same screen (its text as one Paragraph); and the
//! bytes written to the terminal per typed character (goal: median ≤ 200,
//! for students over SSH). Run: `cargo bench --bench tui_keystroke`.

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
    while m.live.entries.len() < 10_000 {
        send(&mut m, "NOOP");
    }
    let typed = "RCPT TO:<marc@wanadoo.fr>";
    let at = |v: &[u64], p: f64| v[((v.len() - 1) as f64 * p) as usize];
    let mut figures = Vec::new();
    for (w, h) in [(120u16, 40u16), (80, 24)] {
        // Frames into a test buffer: the time of update + explain + draw.
        let mut term = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(_) => return,
        };
        let mut anchor_term = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(_) => return,
        };
        let mut times = Vec::new();
        let mut anchor = Vec::new();
        for _ in 0..40 {
            for c in typed.chars() {
                let t = Instant::now();
                facteur::tui::view::measure(&mut m, ratatui::layout::Rect::new(0, 0, w, h));
                update(&mut m, Action::InsertChar(c));
                let _ = term.draw(|f| draw(&m, f));
                times.push(t.elapsed().as_nanos() as u64);
                // The anchor: the same screen's text, drawn by bare ratatui.
                let buf = term.backend().buffer().clone();
                let lines: Vec<ratatui::text::Line> = (0..h)
                    .map(|y| {
                        ratatui::text::Line::raw(
                            (0..w)
                                .map(|x| buf[(x, y)].symbol().to_string())
                                .collect::<String>(),
                        )
                    })
                    .collect();
                let t = Instant::now();
                let _ = anchor_term.draw(|f| {
                    f.render_widget(ratatui::widgets::Paragraph::new(lines.clone()), f.area())
                });
                anchor.push(t.elapsed().as_nanos() as u64);
            }
            update(&mut m, Action::ClearLine);
        }
        times.sort_unstable();
        anchor.sort_unstable();
        figures.push((w, h, at(&times, 0.5), at(&times, 0.99), at(&anchor, 0.5)));
    }
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
    for (w, h, median, p99, anchor) in figures {
        println!(
            "keystroke → frame at {w}x{h}, scrollback {} lines: median {:.3} ms, p99 {:.3} ms (goal ≤ 0.2 / ≤ 1 ms); bare ratatui redraw of the same screen: median {:.3} ms (×{:.1})",
            m.live.entries.len(),
            median as f64 / 1e6,
            p99 as f64 / 1e6,
            anchor as f64 / 1e6,
            median as f64 / (anchor.max(1)) as f64
        );
    }
    println!(
        "bytes to the terminal per typed character: median {}, max {} (goal ≤ 200)",
        at(&bytes, 0.5),
        at(&bytes, 1.0)
    );
}
