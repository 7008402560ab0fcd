//! The command line, run as a user would: the real binary, in both languages.

use std::process::{Command, Output};

fn facteur(args: &[&str], lang_env: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_facteur"));
    cmd.args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    if let Some(l) = lang_env {
        cmd.env("LANG", l);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The line whose label (first words) is `label`, with the label removed.
fn row<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find_map(|l| {
            l.trim_start()
                .strip_prefix(label)
                .filter(|rest| rest.starts_with("  "))
        })
        .unwrap_or_else(|| panic!("no row {label:?} in:\n{out}"))
        .trim()
}

#[test]
fn decode_the_done_means_example_in_english_and_french() {
    let o = facteur(&["decode", "dGVzdAB0ZXN0ADEyMzQ="], None);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(row(&out, "authzid").starts_with("test "), "{out}");
    assert!(row(&out, "authcid").starts_with("test "));
    assert_eq!(row(&out, "password"), "1234");
    assert!(out.contains("AUTH PLAIN"));
    assert!(out.contains("not encryption"));

    let o = facteur(&["decode", "dGVzdAB0ZXN0ADEyMzQ="], Some("fr_FR.UTF-8"));
    let out = stdout(&o);
    assert_eq!(row(&out, "mot de passe"), "1234");
    assert!(out.contains("pas un chiffrement"), "{out}");
    assert!(!out.contains('⟦'), "missing catalog key in:\n{out}");

    // --lang overrides the locale.
    let out = stdout(&facteur(
        &["--lang", "en", "decode", "dGVzdAB0ZXN0ADEyMzQ="],
        Some("fr_FR.UTF-8"),
    ));
    assert_eq!(row(&out, "password"), "1234");
    let out = stdout(&facteur(
        &["decode", "dGVzdAB0ZXN0ADEyMzQ=", "--lang=fr"],
        None,
    ));
    assert_eq!(row(&out, "mot de passe"), "1234");
}

#[test]
fn decode_failures_exit_1_and_say_why() {
    let o = facteur(&["decode", "lkujsefxlj"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("groups of 4"));
    let o = facteur(&["decode", "lkujsefxlj"], Some("fr_FR.UTF-8"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("groupes de 4"));
    // Escape sequences inside decoded text are shown, never sent to the terminal.
    let o = facteur(&["decode", "G1syShtdMDtwd25lZAc="], None);
    let out = stdout(&o);
    assert!(!out.contains('\x1b') && !out.contains('\x07'));
    assert!(out.contains("␛[2J␛]0;pwned␇"), "{out}");
}

#[test]
fn encode_plain_and_login() {
    let out = stdout(&facteur(
        &[
            "encode",
            "plain",
            "--user",
            "test",
            "--password",
            "1234",
            "--authzid",
            "test",
        ],
        None,
    ));
    assert_eq!(row(&out, "Base64"), "dGVzdAB0ZXN0ADEyMzQ=");
    assert!(out.contains("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ="));
    let out = stdout(&facteur(
        &[
            "encode",
            "plain",
            "--user",
            "tim",
            "--password",
            "tanstaaftanstaaf",
        ],
        None,
    ));
    assert_eq!(row(&out, "Base64"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");

    let o = facteur(
        &["encode", "login", "--user", "fred", "--password", "secret"],
        Some("fr_FR.UTF-8"),
    );
    assert!(o.status.success());
    let out = stdout(&o);
    for line in [
        "C: AUTH LOGIN",
        "S: 334 VXNlcm5hbWU6",
        "C: ZnJlZA==",
        "S: 334 UGFzc3dvcmQ6",
        "C: c2VjcmV0",
    ] {
        assert!(out.contains(line), "{line} missing in:\n{out}");
    }
    assert!(out.contains("sinon 535"));

    let o = facteur(&["encode", "plain", "--user", "", "--password", "x"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("authcid"));
}

#[test]
fn cram_md5_steps_and_check() {
    let args = [
        "cram-md5",
        "--challenge",
        "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
        "--user",
        "tim",
        "--secret",
        "tanstaaftanstaaf",
    ];
    let o = facteur(&args, None);
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(
        row(&out, "2. Challenge decoded"),
        "<1896.697170952@postoffice.reston.mci.net>"
    );
    assert_eq!(
        row(&out, "3. HMAC-MD5(secret, challenge)"),
        "b913a602c7eda7a495b4e6e7334d3890"
    );
    assert_eq!(
        row(&out, "4. Response text"),
        "tim b913a602c7eda7a495b4e6e7334d3890"
    );
    assert_eq!(
        row(&out, "5. Response (base64)"),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
    );

    let out = stdout(&facteur(&args, Some("fr_FR.UTF-8")));
    assert_eq!(
        row(&out, "3. HMAC-MD5(secret, défi)"),
        "b913a602c7eda7a495b4e6e7334d3890"
    );

    let mut check: Vec<&str> = args.to_vec();
    check.extend([
        "--response",
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
    ]);
    let o = facteur(&check, None);
    assert!(o.status.success());
    assert!(stdout(&o).contains("the digest matches"));
    check[6] = "wrong";
    let o = facteur(&check, None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("does not match"));
}

#[test]
fn apop_digest() {
    let o = facteur(
        &[
            "apop",
            "--timestamp",
            "<1896.697170952@dbc.mtview.ca.us>",
            "--secret",
            "tanstaaf",
            "--user",
            "mrose",
        ],
        None,
    );
    assert!(o.status.success());
    assert!(stdout(&o).contains("APOP mrose c4c9334bac560ecc979e58001b3e22fb"));
    let o = facteur(
        &["apop", "--timestamp", "nothing", "--secret", "x"],
        Some("fr_FR.UTF-8"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("horodatage"));
}

#[test]
fn no_arguments_without_a_terminal_prints_usage() {
    let o = facteur(&[], None);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("facteur decode"));
    assert!(out.contains("needs a terminal"));
    let out = stdout(&facteur(&[], Some("fr_FR.UTF-8")));
    assert!(out.contains("il lui faut un terminal"));
}

#[test]
fn help_in_both_languages_and_usage_errors() {
    let out = stdout(&facteur(&["--help"], None));
    assert!(out.contains("Usage: facteur") && out.contains("Commands:"));
    let out = stdout(&facteur(&["--help"], Some("fr_FR.UTF-8")));
    assert!(
        out.contains("Utilisation") && out.contains("Commandes") && out.contains("Afficher l'aide"),
        "{out}"
    );
    let out = stdout(&facteur(&["--lang", "fr", "cram-md5", "--help"], None));
    assert!(
        out.contains("facteur cram-md5") && out.contains("Le secret partagé"),
        "{out}"
    );
    let o = facteur(&["decode"], None);
    assert_eq!(o.status.code(), Some(2));
    let o = facteur(&["--lang", "de", "decode", "x"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explain_a_line_and_headers_of_a_file() {
    let o = facteur(
        &["explain", "535 5.7.8 Authentication credentials invalid"],
        None,
    );
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("5 = permanent failure") && out.contains("Enhanced code 5.7.8"),
        "{out}"
    );
    let out = stdout(&facteur(
        &["explain", "535 5.7.8 Authentication credentials invalid"],
        Some("fr_FR.UTF-8"),
    ));
    assert!(
        out.contains("échec définitif") && out.contains("Identifiants refusés"),
        "{out}"
    );
    let out = stdout(&facteur(&["explain", "250-SIZE 10485760"], None));
    assert!(out.contains("10 MiB"), "{out}");
    let out = stdout(&facteur(
        &["explain", "MAIL FROM <fred@free.fr>"],
        Some("fr_FR.UTF-8"),
    ));
    assert!(
        out.contains("501") && out.contains("MAIL FROM:<chemin-de-retour>"),
        "{out}"
    );

    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed-message.eml"
    );
    let o = facteur(&["headers", fixture], None);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("Hop 2: from phuly.ac-creteil.fr to saigon.ac-creteil.fr"),
        "{out}"
    );
    assert!(out.contains("Total time on the way: 7 s"));
    assert!(out.contains("text/x-vcard; charset=utf-8, 7bit, attachment \"bmaheux.vcf\""));
    let out = stdout(&facteur(&["headers", fixture], Some("fr_FR.UTF-8")));
    assert!(
        out.contains("Durée totale du trajet") && out.contains("Structure MIME"),
        "{out}"
    );
    // Standard input, and a missing file.
    let mut child = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["headers", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        b"Subject: hi\r\n\r\nbody\r\n",
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Subject: hi"));
    let o = facteur(&["headers", "/nonexistent/x.eml"], None);
    assert_eq!(o.status.code(), Some(1));
}

/// `facteur serve` on ports the system picks, with `args` after.
fn serve_on_any_port(args: &[&str]) -> Output {
    let base = ["serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0"];
    facteur(&[&base[..], args].concat(), None)
}

#[test]
fn serve_refuses_a_bad_world_file_naming_the_place() {
    let path = std::env::temp_dir().join(format!("facteur-bad-world-{}.json", std::process::id()));
    std::fs::write(&path, "{\n  \"domains\": [\n    {\"name\": \"x.fr\", \"smtp\": \"smtp.x.fr\"}\n  ],\n  \"hosts\": {}\n}\n").unwrap();
    let o = serve_on_any_port(&["--world", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("domains[0] (x.fr).smtp") && err.contains("has no address"),
        "{err}"
    );
    std::fs::write(&path, "{\"domains\": [}").unwrap();
    let o = facteur(&["serve", "--world", path.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 1 column"));
    let _ = std::fs::remove_file(path);
}

/// What stops `serve` before it listens is said in the user's language,
/// the system's part included (a French screen shows no English sentence).
#[test]
fn serve_start_up_errors_are_said_in_french_and_english() {
    let cert = "/nonexistent-facteur-dir/c.pem";
    for (lang, want) in [
        (
            "fr",
            "impossible d'écrire le certificat dans /nonexistent-facteur-dir/c.pem\u{a0}: introuvable",
        ),
        (
            "en",
            "cannot write the certificate to /nonexistent-facteur-dir/c.pem: not found",
        ),
    ] {
        let o = serve_on_any_port(&["--cert-out", cert, "--lang", lang]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{lang}: {err}");
    }

    // A host name a certificate cannot carry (dNSName is ASCII).
    let path = std::env::temp_dir().join(format!("facteur-idn-world-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"domains": [{"name": "lycée.lan", "smtp": "smtp.lycée.lan", "pop": "pop.lycee.lan",
            "users": [{"name": "prof", "password": "secret"}]}],
           "hosts": {"smtp.lycée.lan": "192.0.2.10", "pop.lycee.lan": "192.0.2.11"}}"#,
    )
    .unwrap();
    let world = path.to_str().unwrap();
    for (lang, want) in [
        (
            "fr",
            "le nom d'hôte «\u{a0}smtp.lycée.lan\u{a0}» n'est pas en ASCII",
        ),
        ("en", "the host name “smtp.lycée.lan” is not ASCII"),
    ] {
        let o = serve_on_any_port(&["--world", world, "--lang", lang]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{lang}: {err}");
        assert!(err.contains("xn--"), "{lang}: how to write it: {err}");
    }
    let _ = std::fs::remove_file(path);
}

/// Every start-up error of `serve` and `proxy`, in French, as written by
/// hand: no English left in it.
#[test]
fn every_serve_and_proxy_error_has_its_french() {
    use facteur::explain::Lang;
    use facteur::net::proxy::ProxyError;
    use facteur::net::serve::ServeError;
    use facteur::net::tls::{CertError, TlsSetupError};
    use std::io::{Error, ErrorKind};
    let denied = || Error::from(ErrorKind::PermissionDenied);
    let cases: Vec<(String, &str)> = vec![
        (
            ServeError::Store {
                path: "/srv/mail".into(),
                source: denied(),
            }
            .describe(Lang::Fr),
            "impossible d'ouvrir le stockage /srv/mail\u{a0}: permission refusée",
        ),
        (
            ServeError::StoreBusy {
                path: "/srv/mail".into(),
                pid: Some(4242),
            }
            .describe(Lang::Fr),
            "le stockage /srv/mail est déjà utilisé par un autre facteur serve (PID 4242)\u{a0}: arrêtez-le d'abord, ou donnez un autre --store (deux serveurs sur un même Maildir écraseraient le courrier l'un de l'autre)",
        ),
        (
            ServeError::Runtime(denied()).describe(Lang::Fr),
            "impossible de démarrer le moteur réseau (tokio)\u{a0}: permission refusée",
        ),
        (
            ServeError::Ended.describe(Lang::Fr),
            "le serveur simulé s'est arrêté avant d'écouter",
        ),
        (
            ServeError::RecordDir {
                path: "/r".into(),
                source: denied(),
            }
            .describe(Lang::Fr),
            "impossible de créer le répertoire d'enregistrement /r\u{a0}: permission refusée",
        ),
        (
            ServeError::Tls(TlsSetupError::Certificate(CertError::Random)).describe(Lang::Fr),
            "impossible de fabriquer le certificat TLS\u{a0}: le système ne fournit pas de nombres aléatoires (pour la clé et le numéro de série)",
        ),
        (
            ProxyError::Tls(TlsSetupError::Certificate(CertError::Dates)).describe(Lang::Fr),
            "impossible de fabriquer le certificat TLS\u{a0}: l'horloge de cette machine est hors de 1950–2049, les années qu'une date UTCTime sait écrire (RFC 5280 §4.1.2.5)\u{a0}; remettez-la à l'heure",
        ),
        (
            ProxyError::CertOut {
                path: "/c.pem".into(),
                source: denied(),
            }
            .describe(Lang::Fr),
            "impossible d'écrire le certificat dans /c.pem\u{a0}: permission refusée",
        ),
        (
            ProxyError::World(ServeError::Ended).describe(Lang::Fr),
            "le serveur simulé s'est arrêté avant d'écouter",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

/// Usage errors in French are French (clap writes English only), with the
/// usage line and exit status 2; in English they stay clap's.
#[test]
fn usage_errors_are_said_in_french() {
    let fr = |args: &[&str]| {
        let o = facteur(&[&["--lang", "fr"][..], args].concat(), None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!err.contains("error:") && !err.contains("Usage:"), "{err}");
        err
    };
    let err = fr(&["serve", "--listen", "x"]);
    assert!(
        err.starts_with("erreur\u{a0}: argument inattendu\u{a0}: --listen\n"),
        "{err}"
    );
    assert!(err.contains("Utilisation\u{a0}: facteur serve "), "{err}");
    assert!(
        err.ends_with("Pour en savoir plus, essayez --help.\n"),
        "{err}"
    );
    let err = fr(&["connect"]);
    assert!(
        err.starts_with("erreur\u{a0}: il manque\u{a0}: <TARGET>\n"),
        "{err}"
    );
    let err = fr(&["conect"]);
    assert!(
        err.starts_with("erreur\u{a0}: commande inconnue\u{a0}: conect\n"),
        "{err}"
    );
    let err = fr(&["serve", "--smtp", "nope"]);
    assert!(
        err.starts_with("erreur\u{a0}: valeur «\u{a0}nope\u{a0}» invalide pour --smtp <ADDR>\n"),
        "{err}"
    );
    let err = fr(&["connect", "h", "--tls", "--starttls"]);
    assert!(
        err.starts_with("erreur\u{a0}: --tls ne peut pas être donné avec --starttls\n"),
        "{err}"
    );
    // A line that is not UTF-8 (a Latin-1 server text) is explained, not a
    // crash; elsewhere it is a usage error in French.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let latin1 = std::ffi::OsStr::from_bytes(b"550 5.1.1 Bo\xeete inconnue");
        let o = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["--lang".as_ref(), "fr".as_ref(), "explain".as_ref(), latin1])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        assert!(stdout(&o).contains("5.1.1"), "{}", stdout(&o));
        let o = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["--lang".as_ref(), "fr".as_ref(), "decode".as_ref(), latin1])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&o.stderr)
                .starts_with("erreur\u{a0}: un argument n'est pas du texte UTF-8 valide\n"),
            "{o:?}"
        );
    }
    let o = facteur(&["--lang", "en", "serve", "--listen", "x"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).starts_with("error: unexpected argument '--listen'")
    );
}
