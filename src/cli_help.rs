//! French (and English) help for the command line: clap's texts are
//! replaced from the catalog, so `facteur --help` speaks the user's language.

use clap::{Arg, ArgAction, Command};

use crate::explain::catalog::{entry, text};
use crate::explain::lang::Lang;

/// Put the catalog's texts on a clap command tree: each command's `about`
/// comes from `cli.<path>`, each argument's help from `cli.<path>.<arg>`,
/// and the section headings and help/version flags from `cli.heading.*`
/// and `cli.flag.*`.
pub fn localize(cmd: Command, lang: Lang) -> Command {
    let version = text(lang, "cli.flag.version");
    localize_at(cmd, lang, "cli")
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(version),
        )
}

fn localize_at(mut cmd: Command, lang: Lang, path: &str) -> Command {
    if let Some(about) = lookup(lang, path) {
        cmd = cmd.about(about);
    }
    let args: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in args {
        let help = lookup(lang, &format!("{path}.{id}"));
        cmd = cmd.mut_arg(id, |a| {
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().to_string())
                .collect();
            let help =
                help.unwrap_or_else(|| a.get_help().map(|h| h.to_string()).unwrap_or_default());
            if defaults.is_empty() {
                a.help(help)
            } else {
                let default =
                    crate::explain::catalog::fill(lang, "cli.default", &[&defaults.join(", ")]);
                a.help(format!("{help} ({default})"))
                    .hide_default_value(true)
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = format!("{path}.{name}");
        cmd = cmd.mut_subcommand(name, |s| localize_at(s, lang, &sub_path));
    }
    let has_subs = cmd.get_subcommands().next().is_some();
    let has_positionals = cmd.get_positionals().next().is_some();
    let mut template = String::from("{about-with-newline}\n");
    template.push_str(&format!("{} {{usage}}\n", text(lang, "cli.heading.usage")));
    if has_subs {
        template.push_str(&format!(
            "\n{}\n{{subcommands}}\n",
            text(lang, "cli.heading.commands")
        ));
    }
    if has_positionals {
        template.push_str(&format!(
            "\n{}\n{{positionals}}\n",
            text(lang, "cli.heading.arguments")
        ));
    }
    template.push_str(&format!(
        "\n{}\n{{options}}\n",
        text(lang, "cli.heading.options")
    ));
    let usage = usage(&cmd, lang, path);
    cmd.help_template(template)
        .override_usage(usage)
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(false)
                .help(text(lang, "cli.flag.help")),
        )
}

/// The usage line with the placeholders in the user's language.
fn usage(cmd: &Command, lang: Lang, path: &str) -> String {
    let name = cmd.get_name().to_string();
    let mut cmd = cmd.clone();
    let rendered = cmd.render_usage().to_string();
    let rendered = rendered.strip_prefix("Usage: ").unwrap_or(&rendered);
    // A subcommand renders as "plain …": put the whole path back, "facteur encode plain …".
    let full = path.replacen("cli", "facteur", 1).replace('.', " ");
    let rest = rendered.strip_prefix(name.as_str()).unwrap_or(rendered);
    format!("{full}{rest}")
        .replace("[OPTIONS]", &text(lang, "cli.usage.options"))
        .replace("<COMMAND>", &text(lang, "cli.usage.command"))
        .replace(
            "[COMMAND]",
            &format!(
                "[{}]",
                text(lang, "cli.usage.command").trim_matches(['<', '>'])
            ),
        )
}

fn lookup(lang: Lang, key: &str) -> Option<String> {
    entry(key).map(|_| text(lang, key))
}

/// A usage error (an unknown option, a missing argument, a bad value) in
/// the user's language: clap writes its own in English only. Help and
/// version "errors" are clap's to print (their texts are already the
/// catalog's); `None` for them.
pub fn usage_error(e: &clap::Error, lang: Lang) -> Option<String> {
    use crate::explain::catalog::fill;
    use clap::error::{ContextKind as C, ErrorKind as K};
    if lang == Lang::En
        || matches!(
            e.kind(),
            K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        return None;
    }
    let ctx = |k: C| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    let arg = ctx(C::InvalidArg);
    let mut out = match e.kind() {
        K::UnknownArgument => fill(lang, "cli.error.unknown_argument", &[&arg]),
        K::InvalidSubcommand => fill(
            lang,
            "cli.error.unknown_command",
            &[&ctx(C::InvalidSubcommand)],
        ),
        K::MissingRequiredArgument => fill(lang, "cli.error.missing", &[&arg]),
        K::MissingSubcommand => text(lang, "cli.error.missing_command"),
        K::InvalidValue | K::ValueValidation => fill(
            lang,
            "cli.error.invalid_value",
            &[&ctx(C::InvalidValue), &arg],
        ),
        K::ArgumentConflict => fill(lang, "cli.error.conflict", &[&arg, &ctx(C::PriorArg)]),
        K::NoEquals | K::TooManyValues | K::TooFewValues | K::WrongNumberOfValues => {
            fill(lang, "cli.error.values", &[&arg])
        }
        K::InvalidUtf8 => text(lang, "cli.error.utf8"),
        _ => text(lang, "cli.error.other"),
    };
    let suggested = [C::SuggestedArg, C::SuggestedSubcommand, C::SuggestedValue]
        .into_iter()
        .map(ctx)
        .find(|s| !s.is_empty());
    if let Some(s) = suggested {
        out.push('\n');
        out.push_str(&fill(lang, "cli.error.suggested", &[&s]));
    }
    let valid = ctx(C::ValidValue);
    if !valid.is_empty() {
        out.push('\n');
        out.push_str(&fill(lang, "cli.error.valid_values", &[&valid]));
    }
    let usage = ctx(C::Usage);
    let usage = usage.trim();
    let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
    if !usage.is_empty() {
        out.push_str(&format!("\n\n{} {usage}", text(lang, "cli.heading.usage")));
    }
    out.push_str("\n\n");
    out.push_str(&text(lang, "cli.error.more"));
    out.push('\n');
    Some(out)
}
