//! The CLI's reports about sessions and lessons: `facteur export` (of a
//! transcript or a capture), `facteur replay --list`, `facteur lesson`
//! (the list) and `facteur lesson check`.

use super::Report;
use crate::explain::catalog::{fill, text};
use crate::explain::diag::io_error;
use crate::explain::lang::Lang;

/// `FILE: what is wrong`, and a line ending.
fn file_error(lang: Lang, file: &std::path::Path, why: &str) -> String {
    fill(lang, "diag.file", &[&file.display(), &why]) + "\n"
}

/// A session to replay or export, from a transcript or a capture.
pub struct Source {
    pub transcript: crate::session::transcript::Transcript,
    /// The file's name, for the title.
    pub name: String,
    /// For stderr: the capture's sessions when it has several, and what
    /// the session opened lacks.
    pub notices: Vec<String>,
    /// The session lacks octets (holes, packets cut, past the bound).
    pub incomplete: bool,
}

/// Read a transcript (.json) or a capture (pcap or pcapng, known by its
/// first octets) into a session.
pub fn load_source(
    lang: Lang,
    file: &std::path::Path,
    opts: &crate::session::capture::Options,
) -> Result<Source, String> {
    use crate::session::capture;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if !capture::wants_capture(file) {
        let text = crate::files::read_text(file, crate::files::MAX_TRANSCRIPT)
            .map_err(|e| file_error(lang, file, &e.describe(lang)))?;
        let transcript = crate::session::transcript::Transcript::from_json(&text)
            .map_err(|e| file_error(lang, file, &e.describe(lang)))?;
        return Ok(Source {
            transcript,
            name,
            notices: Vec::new(),
            incomplete: false,
        });
    }
    let opened = capture::open(file, opts)
        .map_err(|e| file_error(lang, file, &e.describe(lang, &opts.all_ports())))?;
    let mut notices = Vec::new();
    if opened.streams.len() > 1 {
        notices.push(capture::listing(lang, &opened.streams, Some(opened.chosen)));
    }
    let warnings = capture::warnings(lang, &opened);
    let incomplete = !warnings.is_empty();
    notices.extend(warnings.iter().map(|w| file_error(lang, file, w)));
    Ok(Source {
        transcript: opened.converted.transcript,
        name,
        notices,
        incomplete,
    })
}

/// `facteur replay FILE --list`: the mail sessions of a capture.
pub fn capture_list_report(
    lang: Lang,
    file: &std::path::Path,
    opts: &crate::session::capture::Options,
) -> Report {
    use crate::session::capture;
    if !capture::wants_capture(file) {
        let why = capture::CaptureError::NotCapture.describe(lang, &[]);
        return Report {
            text: file_error(lang, file, &why),
            ok: false,
        };
    }
    match capture::list(file, opts) {
        Ok((streams, _)) => Report {
            text: capture::listing(lang, &streams, None),
            ok: true,
        },
        Err(e) => Report {
            text: file_error(lang, file, &e.describe(lang, &opts.all_ports())),
            ok: false,
        },
    }
}

/// The address of a host of the simulated world (a transcript's host name).
pub fn world_address(host: &str) -> Option<std::net::IpAddr> {
    crate::sim::world::World::default()
        .address(host)
        .map(std::net::IpAddr::V4)
}

/// `facteur export FILE --format md|html|pcapng [-o OUT]`: FILE is a
/// transcript or a capture. What stderr should say comes back in `notices`.
pub fn export_report(
    lang: Lang,
    file: &std::path::Path,
    format: &str,
    output: Option<&std::path::Path>,
    opts: &crate::session::capture::Options,
    notices: &mut Vec<String>,
) -> Report {
    use crate::session::export::{Format, export};
    let fail = |text: String| Report { text, ok: false };
    let pcapng = format.eq_ignore_ascii_case("pcapng");
    let format = match Format::parse(format) {
        Some(f) => f,
        None if pcapng => Format::Markdown,
        None => return fail(fill(lang, "export.bad_format", &[&format]) + "\n"),
    };
    if pcapng && output.is_none() {
        return fail(text(lang, "capture.err.pcapng_needs_output") + "\n");
    }
    let source = match load_source(lang, file, opts) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    notices.extend(source.notices);
    let t = &source.transcript;
    let (doc, written) = if pcapng {
        let (bytes, packets) = crate::session::capture::pcapng::write(
            lang,
            t,
            &world_address,
            crate::session::capture::pcapng::Addresses::default(),
        );
        (bytes, Some(packets))
    } else {
        (export(lang, t, &source.name, format).into_bytes(), None)
    };
    let report = match (output, written) {
        (None, _) => Report {
            text: String::from_utf8_lossy(&doc).to_string(),
            ok: true,
        },
        (Some(out), packets) => match std::fs::write(out, doc) {
            Ok(()) => Report {
                text: match packets {
                    Some(n) => fill(lang, "export.written_pcapng", &[&out.display(), &n]),
                    None => fill(lang, "export.written", &[&out.display()]),
                } + "\n",
                ok: true,
            },
            Err(e) => fail(file_error(lang, out, &io_error(lang, &e))),
        },
    };
    Report {
        ok: report.ok && !source.incomplete,
        ..report
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
