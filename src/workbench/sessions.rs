//! The CLI's reports about sessions and lessons: `facteur export`,
//! `facteur lesson` (the list) and `facteur lesson check`.

use super::Report;
use crate::explain::catalog::{fill, text};
use crate::explain::diag::io_error;
use crate::explain::lang::Lang;

/// `FILE: what is wrong`, and a line ending.
fn file_error(lang: Lang, file: &std::path::Path, why: &str) -> String {
    fill(lang, "diag.file", &[&file.display(), &why]) + "\n"
}

/// `facteur export FILE --format md|html [-o OUT]`.
pub fn export_report(
    lang: Lang,
    file: &std::path::Path,
    format: &str,
    output: Option<&std::path::Path>,
) -> Report {
    use crate::session::export::{Format, export};
    let fail = |text: String| Report { text, ok: false };
    let Some(format) = Format::parse(format) else {
        return fail(fill(lang, "export.bad_format", &[&format]) + "\n");
    };
    let text = match crate::files::read_text(file, crate::files::MAX_TRANSCRIPT) {
        Ok(t) => t,
        Err(e) => return fail(file_error(lang, file, &e.describe(lang))),
    };
    let t = match crate::session::transcript::Transcript::from_json(&text) {
        Ok(t) => t,
        Err(e) => return fail(file_error(lang, file, &e.describe(lang))),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let doc = export(lang, &t, &name, format);
    match output {
        None => Report {
            text: doc,
            ok: true,
        },
        Some(out) => match std::fs::write(out, doc) {
            Ok(()) => Report {
                text: fill(lang, "export.written", &[&out.display()]) + "\n",
                ok: true,
            },
            Err(e) => fail(file_error(lang, out, &io_error(lang, &e))),
        },
    }
}

/// `facteur lesson` (no argument): the lessons, shipped and from `dir`.
pub fn lesson_list_report(lang: Lang, dir: Option<&std::path::Path>) -> Report {
    let mut out = text(lang, "lesson.list.head") + "\n";
    let mut ok = true;
    let line = |l: &crate::lesson::Lesson| {
        format!(
            "  {:<28} {} ({})\n",
            l.id,
            l.title.get(lang),
            fill(lang, "lesson.list.steps", &[&l.steps.len()])
        )
    };
    for l in crate::lesson::shipped() {
        out.push_str(&line(&l));
    }
    if let Some(d) = dir {
        out.push_str(&fill(lang, "lesson.list.dir", &[&d.display()]));
        out.push('\n');
        match crate::lesson::from_dir(d) {
            Ok(found) => {
                for (name, l) in found {
                    match l {
                        Ok(l) => out.push_str(&line(&l)),
                        Err(p) => {
                            ok = false;
                            out.push_str(&format!("  {name}: {}\n", p.describe(lang)));
                        }
                    }
                }
            }
            Err(e) => {
                ok = false;
                out.push_str(&format!("  {}", file_error(lang, d, &io_error(lang, &e))));
            }
        }
    }
    out.push_str(&text(lang, "lesson.list.run"));
    out.push('\n');
    Report { text: out, ok }
}

/// `facteur lesson check FILE`: every problem with its place, then the
/// expected commands played through the real runner.
pub fn lesson_check_report(lang: Lang, file: &std::path::Path) -> Report {
    let name = file.display().to_string();
    let fail = |p: crate::lesson::Problem| Report {
        text: format!("{name}: {}\n", p.describe(lang)),
        ok: false,
    };
    let lesson = match crate::lesson::Lesson::load(file) {
        Ok(l) => l,
        Err(p) => return fail(p),
    };
    let world = match lesson.load_world() {
        Ok(w) => w,
        Err(p) => return fail(p),
    };
    let mut problems = lesson.problems(&world);
    if problems.is_empty() {
        problems = crate::lesson::play_expected(lang, &lesson, &world);
    }
    if problems.is_empty() {
        return Report {
            text: fill(
                lang,
                "lesson.check.ok",
                &[&name, &lesson.id, &lesson.steps.len()],
            ) + "\n",
            ok: true,
        };
    }
    let mut out = String::new();
    for p in &problems {
        out.push_str(&format!("{name}: {}\n", p.describe(lang)));
    }
    out.push_str(&fill(lang, "lesson.check.problems", &[&problems.len()]));
    out.push('\n');
    Report {
        text: out,
        ok: false,
    }
}
