//! The facteur command line: parses arguments with clap and dispatches to
//! the library. No logic lives here.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use facteur::cli_args::{Cli, Cmd, Mechanism};
use facteur::explain::{Lang, text};
use facteur::workbench::{self, Report};

/// Notices for stderr (a capture's list of sessions, what it lacks), made visible.
fn notices(list: &[String]) {
    for n in list {
        eprint!("{}", facteur::proto::visible::visible_text(n));
    }
}

/// The language asked for on the command line (looked for before clap
/// parses, so that clap's own help can be translated), else the locale's.
fn initial_lang() -> Lang {
    // args_os: an argument that is not UTF-8 (a Latin-1 line pasted to
    // `explain`) must not stop the program here.
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    for (i, a) in args.iter().enumerate() {
        let value = match a.strip_prefix("--lang=") {
            Some(v) => Some(v.to_string()),
            None if a == "--lang" => args.get(i + 1).cloned(),
            None => None,
        };
        if let Some(lang) = value.and_then(|v| v.parse().ok()) {
            return lang;
        }
    }
    let var = |k: &str| std::env::var(k).ok();
    Lang::from_locale(
        var("LC_ALL").as_deref(),
        var("LC_MESSAGES").as_deref(),
        var("LANG").as_deref(),
    )
}

/// The time and a seed for the simulated world (read here, at the edge).
fn clock() -> (i64, u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    (now, (now as u64) ^ u64::from(std::process::id()))
}

/// The exit status of a TUI run.
fn tui_exit(result: std::io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "facteur: {}",
                facteur::proto::visible::visible_text(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
}

/// A TUI subcommand without a terminal: say so (status 2).
fn need_terminal(lang: Lang, command: &str) -> Option<ExitCode> {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return None;
    }
    eprintln!("facteur {command}: {}", text(lang, "usage.no_terminal"));
    Some(ExitCode::from(2))
}

/// `facteur proxy` in a terminal: the proxy in the background, the list of
/// its connections in front.
fn watch_proxy(lang: Lang, cfg: facteur::net::proxy::ProxyConfig) -> Result<(), String> {
    let room = std::sync::Arc::new(facteur::session::room::Room::new());
    let listen = cfg.listen.to_string();
    let (running, title) =
        facteur::net::proxy::spawn(cfg, lang, room.clone()).map_err(|e| e.describe(lang))?;
    let (now, seed) = clock();
    let watcher = facteur::tui::watch::Watcher::new(lang, room, &title, &listen, now, seed);
    let result = facteur::tui::watch::run(watcher).map_err(|e| e.to_string());
    running.stop();
    result
}

/// `facteur serve --watch`: the room's server in the background, the list
/// of its sessions in front. Quitting the list stops the server.
fn watch_room(lang: Lang, mut cfg: facteur::net::serve::ServeConfig) -> Result<(), String> {
    let room = std::sync::Arc::new(facteur::session::room::Room::new());
    cfg.room = Some(room.clone());
    let (bound, server) =
        facteur::net::serve::spawn_background(cfg).map_err(|e| e.describe(lang))?;
    let listen = bound
        .iter()
        .map(|(name, addr)| format!("{name} {addr}"))
        .collect::<Vec<_>>()
        .join(", ");
    let title = bound
        .iter()
        .map(|(_, addr)| addr.to_string())
        .collect::<Vec<_>>()
        .join(" · ");
    let (now, seed) = clock();
    let watcher = facteur::tui::watch::Watcher::new(lang, room, &title, &listen, now, seed);
    let result = facteur::tui::watch::run(watcher).map_err(|e| e.to_string());
    // Sessions still open are told, logged and recorded.
    server.stop();
    result
}

fn main() -> ExitCode {
    let lang = initial_lang();
    let command = facteur::cli_help::localize(Cli::command(), lang);
    let cli = match command
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => match facteur::cli_help::usage_error(&e, lang) {
            // clap's exit status for a usage error (2).
            Some(said) => {
                eprint!("{said}");
                return ExitCode::from(2);
            }
            None => e.exit(),
        },
    };
    let lang = cli.lang.unwrap_or(lang);
    let report = match cli.command {
        None if std::io::IsTerminal::is_terminal(&std::io::stdout())
            && std::io::IsTerminal::is_terminal(&std::io::stdin()) =>
        {
            let (now, seed) = clock();
            return tui_exit(facteur::tui::run_builtin(
                lang,
                now,
                seed,
                cli.record.as_deref(),
            ));
        }
        None => Report {
            text: text(lang, "usage.no_terminal") + "\n",
            ok: true,
        },
        Some(Cmd::Decode { string }) => workbench::decode_report(lang, &string),
        Some(Cmd::Connect {
            target,
            proto,
            tls,
            starttls,
            insecure,
        }) => {
            let proto_given = proto.is_some();
            let opts = match workbench::connect_options(
                lang,
                &target,
                proto.as_deref(),
                tls,
                starttls,
                insecure,
            ) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!(
                        "facteur connect: {}",
                        facteur::proto::visible::visible_text(&e.to_string())
                    );
                    return ExitCode::from(2);
                }
            };
            let (now, seed) = clock();
            return tui_exit(facteur::tui::run_remote(
                lang,
                opts.0,
                opts.1,
                proto_given,
                now,
                seed,
                cli.record.as_deref(),
            ));
        }
        Some(Cmd::Export {
            file,
            format,
            output,
            capture,
        }) => {
            let mut said = Vec::new();
            let report = workbench::export_report(
                lang,
                &file,
                &format,
                output.as_deref(),
                &capture.options(),
                &mut said,
            );
            notices(&said);
            report
        }
        Some(Cmd::Lesson { args, dir }) => match args.as_slice() {
            [] => workbench::lesson_list_report(lang, dir.as_deref()),
            [check, file] if check == "check" => {
                workbench::lesson_check_report(lang, std::path::Path::new(file))
            }
            [target] => {
                let lesson = match facteur::lesson::find(target, dir.as_deref()) {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!(
                            "facteur lesson: {}",
                            facteur::proto::visible::visible_text(&e.describe(lang))
                        );
                        return ExitCode::from(2);
                    }
                };
                if let Some(code) = need_terminal(lang, "lesson") {
                    return code;
                }
                let (now, seed) = clock();
                return tui_exit(facteur::tui::run_lesson(
                    lang,
                    lesson,
                    now,
                    seed,
                    cli.record.as_deref(),
                ));
            }
            _ => {
                eprintln!("facteur lesson: {}", text(lang, "lesson.usage"));
                return ExitCode::from(2);
            }
        },
        Some(Cmd::Replay {
            file,
            list: true,
            capture,
        }) => workbench::capture_list_report(lang, &file, &capture.options()),
        Some(Cmd::Replay { file, capture, .. }) => {
            // A capture with several mail sessions and none chosen: the
            // TUI lists them, Enter replays one.
            if capture.stream.is_none()
                && facteur::session::capture::wants_capture(&file)
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
                && let Ok((streams, _)) = facteur::session::capture::list(&file, &capture.options())
                && streams.len() > 1
            {
                let (now, seed) = clock();
                let opts = capture.options();
                let path = file.clone();
                let load: facteur::tui::watch::Loader = Box::new(move |lang, n| {
                    let opts = facteur::session::capture::Options {
                        stream: Some(n as usize),
                        ..opts.clone()
                    };
                    let source = workbench::load_source(lang, &path, &opts)?;
                    // The list of sessions was the TUI's own: only the warnings.
                    let warnings = source.notices.into_iter().skip(1).collect();
                    let replay = facteur::session::replay::Replay::load(
                        lang,
                        &format!("{} #{n}", source.name),
                        source.transcript,
                    );
                    Ok((replay, warnings))
                });
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let watcher =
                    facteur::tui::watch::for_capture(lang, &name, &streams, load, now, seed);
                return tui_exit(facteur::tui::watch::run(watcher));
            }
            let source = match workbench::load_source(lang, &file, &capture.options()) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!(
                        "facteur replay: {}",
                        facteur::proto::visible::visible_text(e.trim_end())
                    );
                    return ExitCode::from(2);
                }
            };
            notices(&source.notices);
            if let Some(code) = need_terminal(lang, "replay") {
                return code;
            }
            let replay =
                facteur::session::replay::Replay::load(lang, &source.name, source.transcript);
            let (now, seed) = clock();
            return tui_exit(facteur::tui::run_replay(lang, replay, now, seed));
        }
        Some(Cmd::Explain { line }) => {
            workbench::explain_line_report(lang, &line.to_string_lossy())
        }
        Some(Cmd::Headers { file }) => workbench::headers_report(lang, &file),
        Some(Cmd::Encode { mechanism }) => match mechanism {
            Mechanism::Plain {
                user,
                password,
                authzid,
            } => workbench::encode_plain_report(
                lang,
                authzid.as_deref().unwrap_or(""),
                &user,
                &password,
            ),
            Mechanism::Login { user, password } => {
                workbench::encode_login_report(lang, &user, &password)
            }
        },
        Some(Cmd::CramMd5 {
            challenge,
            user,
            secret,
            response,
        }) => workbench::cram_md5_report(lang, &challenge, &user, &secret, response.as_deref()),
        Some(Cmd::Serve(args)) => {
            let watch = args.watch;
            if watch && let Some(code) = need_terminal(lang, "serve --watch") {
                return code;
            }
            let with_lang = |mut c: facteur::net::serve::ServeConfig| {
                c.lang = lang;
                c
            };
            let cfg = match args.into_config().map(with_lang) {
                Ok(cfg) => cfg,
                Err(e) => {
                    eprintln!("{}", facteur::proto::visible::visible_text(&e.to_string()));
                    return ExitCode::from(2);
                }
            };
            let result = if watch {
                watch_room(lang, cfg)
            } else {
                facteur::net::serve::run(cfg).map_err(|e| e.describe(lang))
            };
            return match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!(
                        "facteur serve: {}",
                        facteur::proto::visible::visible_text(&e)
                    );
                    ExitCode::FAILURE
                }
            };
        }
        Some(Cmd::Proxy(args)) => {
            // In a terminal, the watching TUI; otherwise (CI, a script) one
            // log line per session on stderr.
            let tty = std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::io::IsTerminal::is_terminal(&std::io::stdin());
            let cfg = match args.into_config() {
                Ok(cfg) => cfg,
                Err(e) => {
                    eprintln!("{}", facteur::proto::visible::visible_text(&e));
                    return ExitCode::from(2);
                }
            };
            let result = if tty {
                watch_proxy(lang, cfg)
            } else {
                facteur::net::proxy::run(cfg, lang).map_err(|e| e.describe(lang))
            };
            return match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!(
                        "facteur proxy: {}",
                        facteur::proto::visible::visible_text(&e)
                    );
                    ExitCode::FAILURE
                }
            };
        }
        Some(Cmd::Apop {
            timestamp,
            secret,
            user,
        }) => workbench::apop_report(lang, &timestamp, user.as_deref(), &secret),
    };
    // Whatever the input held (a classmate's header, a lesson file), no
    // escape sequence reaches the terminal.
    print!("{}", facteur::proto::visible::visible_text(&report.text));
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
