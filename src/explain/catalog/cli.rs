//! Catalog entries of the command-line help (`facteur --help`).

use super::Entry;

const fn e(key: &'static str, fr: &'static str, en: &'static str) -> Entry {
    Entry {
        key,
        fr,
        en,
        rfc: "",
    }
}

pub const ENTRIES: &[Entry] = &[
    e(
        "cli",
        "Telnet annoté : apprendre SMTP et POP3 à la main",
        "Telnet with annotations: learn SMTP and POP3 by hand",
    ),
    e(
        "cli.lang",
        "Langue de la sortie : fr ou en (par défaut : selon LC_ALL / LC_MESSAGES / LANG)",
        "Language of the output: fr or en (default: from LC_ALL / LC_MESSAGES / LANG)",
    ),
    e("cli.heading.usage", "Utilisation :", "Usage:"),
    e("cli.heading.commands", "Commandes :", "Commands:"),
    e("cli.heading.arguments", "Arguments :", "Arguments:"),
    e("cli.heading.options", "Options :", "Options:"),
    e("cli.usage.options", "[OPTIONS]", "[OPTIONS]"),
    e("cli.usage.command", "<COMMANDE>", "<COMMAND>"),
    e("cli.flag.help", "Afficher l'aide", "Print help"),
    e("cli.flag.version", "Afficher la version", "Print version"),
    e(
        "cli.decode",
        "Décoder une chaîne base64 et dire ce que c'est (AUTH PLAIN, LOGIN, CRAM-MD5…)",
        "Decode a base64 string and say what it is (AUTH PLAIN, LOGIN, CRAM-MD5…)",
    ),
    e(
        "cli.decode.string",
        "La chaîne base64, par exemple dGVzdAB0ZXN0ADEyMzQ=",
        "The base64 string, e.g. dGVzdAB0ZXN0ADEyMzQ=",
    ),
    e(
        "cli.encode",
        "Construire la chaîne base64 d'un AUTH PLAIN ou AUTH LOGIN",
        "Build the base64 string for AUTH PLAIN or AUTH LOGIN",
    ),
    e(
        "cli.encode.plain",
        "AUTH PLAIN : authzid NUL authcid NUL mot de passe, en base64 (RFC 4616)",
        "AUTH PLAIN: authzid NUL authcid NUL password, in base64 (RFC 4616)",
    ),
    e(
        "cli.encode.plain.user",
        "L'identifiant (authcid)",
        "The login (authcid)",
    ),
    e(
        "cli.encode.plain.password",
        "Le mot de passe",
        "The password",
    ),
    e(
        "cli.encode.plain.authzid",
        "Identité au nom de laquelle agir (authzid) ; vide par défaut",
        "Identity to act as (authzid); empty by default",
    ),
    e(
        "cli.encode.login",
        "AUTH LOGIN : identifiant et mot de passe, chacun en base64",
        "AUTH LOGIN: user name and password, each in base64",
    ),
    e("cli.encode.login.user", "L'identifiant", "The user name"),
    e(
        "cli.encode.login.password",
        "Le mot de passe",
        "The password",
    ),
    e(
        "cli.cram-md5",
        "Calculer (ou vérifier) une réponse CRAM-MD5, étape par étape",
        "Compute (or check) a CRAM-MD5 response, step by step",
    ),
    e(
        "cli.cram-md5.challenge",
        "Le défi du serveur, en base64 comme après « 334 » (ou décodé, forme <…@…>)",
        "The server's challenge, base64 as after \"334 \" (or the decoded <…@…> form)",
    ),
    e("cli.cram-md5.user", "L'identifiant", "The user name"),
    e(
        "cli.cram-md5.secret",
        "Le secret partagé (mot de passe)",
        "The shared secret (password)",
    ),
    e(
        "cli.cram-md5.response",
        "Une réponse du client (base64) à vérifier avec le défi et le secret",
        "A client response (base64) to check against the challenge and secret",
    ),
    e(
        "cli.serve",
        "Faire tourner le monde simulé en TCP pour une salle de TP (SMTP et POP3)",
        "Run the simulated world on TCP for a lab room (SMTP and POP3)",
    ),
    e(
        "cli.serve.smtp",
        "Adresse SMTP (le MX de chaque domaine du monde ; le serveur du FAI de l'utilisateur après AUTH)",
        "SMTP address (every MX of the world; the user's ISP server after AUTH)",
    ),
    e(
        "cli.serve.pop3",
        "Adresse POP3 (toutes les boîtes aux lettres du monde)",
        "POP3 address (every mailbox of the world)",
    ),
    e(
        "cli.serve.host_ports",
        "Donner aussi à chaque hôte son propre port : hôtes SMTP à partir de PORT, hôtes POP3 à partir de PORT+100",
        "Also give each host its own port: SMTP hosts from PORT up, POP3 hosts from PORT+100 up",
    ),
    e(
        "cli.serve.world",
        "Un monde décrit en JSON (domaines, utilisateurs, listes, alias, hôtes)",
        "A world described in JSON (domains, users, lists, aliases, hosts)",
    ),
    e(
        "cli.serve.students",
        "Ajouter N comptes élèves eleve01… (mot de passe = nom du compte) et une liste « classe »",
        "Add N student accounts eleve01… (password = account name) and a list \"classe\"",
    ),
    e(
        "cli.serve.store",
        "Garder les boîtes aux lettres sur disque dans DIR (elles survivent à un redémarrage)",
        "Keep the mailboxes on disk in DIR (they survive a restart)",
    ),
    e(
        "cli.serve.max_connections",
        "Nombre maximal de connexions simultanées",
        "Maximum concurrent connections",
    ),
    e(
        "cli.serve.timeout",
        "Délai d'inactivité en secondes",
        "Idle timeout in seconds",
    ),
    e(
        "cli.serve.max_size",
        "Taille maximale d'un message en octets (annoncée par SIZE)",
        "Maximum message size in octets (announced by SIZE)",
    ),
    e("cli.default", "par défaut : {0}", "default: {0}"),
    e(
        "cli.apop",
        "Calculer un condensé APOP (POP3, RFC 1939 §7)",
        "Compute an APOP digest (POP3, RFC 1939 §7)",
    ),
    e(
        "cli.apop.timestamp",
        "L'horodatage <…@…> de la bannière du serveur (ou la bannière entière)",
        "The timestamp <…@…> from the server's greeting (or the whole greeting)",
    ),
    e(
        "cli.apop.secret",
        "Le secret partagé (mot de passe)",
        "The shared secret (password)",
    ),
    e(
        "cli.apop.user",
        "L'identifiant, pour afficher la commande APOP complète",
        "The user name, to print the whole APOP command",
    ),
];
