//! Catalog entries of the AUTH workbench (`facteur decode`, `encode`, `cram-md5`, `apop`).

use super::Entry;

const fn e(key: &'static str, fr: &'static str, en: &'static str, rfc: &'static str) -> Entry {
    Entry { key, fr, en, rfc }
}

pub const ENTRIES: &[Entry] = &[
    // Labels.
    e("wb.input", "Entrée", "Input", ""),
    e("wb.decoded", "Décodé", "Decoded", ""),
    e("wb.hex", "Hexa", "Hex", ""),
    e("wb.verdict", "Verdict", "Verdict", ""),
    e("wb.warning", "Attention", "Warning", ""),
    e("wb.note", "Note", "Note", ""),
    e("wb.message", "Message", "Message", ""),
    e("wb.base64", "Base64", "Base64", ""),
    e("wb.send", "À envoyer", "To send", ""),
    e("wb.char", "{0} caractère", "{0} character", ""),
    e("wb.chars", "{0} caractères", "{0} characters", ""),
    e("wb.octet", "{0} octet", "{0} octet", ""),
    e("wb.octets", "{0} octets", "{0} octets", ""),
    e("wb.bytes_shown", "{0} : {1}", "{0}: {1}", ""),
    e("wb.empty", "(vide)", "(empty)", ""),
    // Base64 errors.
    e(
        "wb.not_base64",
        "Ce n'est pas du base64 valide : {0}",
        "This is not valid base64: {0}",
        "RFC 4648 §4",
    ),
    e(
        "b64.empty",
        "la chaîne est vide",
        "the string is empty",
        "RFC 4648 §4",
    ),
    e(
        "b64.invalid_char",
        "le caractère {0} en position {1} n'appartient pas à l'alphabet base64 (A-Z a-z 0-9 + /)",
        "character {0} at position {1} is not in the base64 alphabet (A-Z a-z 0-9 + /)",
        "RFC 4648 §4",
    ),
    e(
        "b64.padding_inside",
        "le « = » en position {0} est du remplissage : il n'a sa place qu'à la fin",
        "the \"=\" at position {0} is padding and may only stand at the end",
        "RFC 4648 §4",
    ),
    e(
        "b64.too_much_padding",
        "{0} « = » à la fin : le base64 en met au plus 2",
        "{0} \"=\" at the end: base64 pads with at most 2",
        "RFC 4648 §4",
    ),
    e(
        "b64.length",
        "{0} caractères : le base64 va par groupes de 4 (4 caractères pour 3 octets) et il en reste {1}",
        "{0} characters: base64 comes in groups of 4 (4 characters for 3 octets), and {1} are left over",
        "RFC 4648 §4",
    ),
    e(
        "b64.length.unpadded",
        "le remplissage « = » manque, ou des caractères ont été perdus",
        "the \"=\" padding is missing, or characters were lost",
        "RFC 4648 §3.2",
    ),
    e(
        "b64.trailing_bits",
        "le dernier caractère {0} porte des bits qu'aucun encodeur ne met : ce texte n'a pas été produit par un encodage base64",
        "the last character {0} carries bits no encoder would set: this text was not produced by base64 encoding",
        "RFC 4648 §3.5",
    ),
    e(
        "wb.lenient",
        "Lu avec indulgence (remplissage ignoré), cela donnerait {0} : {1}",
        "Read leniently (padding ignored), it would give {0}: {1}",
        "",
    ),
    e(
        "wb.lenient.binary",
        "ce ne serait pas du texte non plus.",
        "that would not be text either.",
        "",
    ),
    // Verdicts.
    e(
        "wb.plain",
        "un message AUTH PLAIN : authzid NUL authcid NUL mot de passe",
        "an AUTH PLAIN message: authzid NUL authcid NUL password",
        "RFC 4616 §2",
    ),
    e("wb.plain.authzid", "authzid", "authzid", "RFC 4616 §2"),
    e("wb.plain.authcid", "authcid", "authcid", "RFC 4616 §2"),
    e(
        "wb.plain.password",
        "mot de passe",
        "password",
        "RFC 4616 §2",
    ),
    e(
        "wb.plain.authzid.help",
        "identité au nom de laquelle agir (vide : la même que l'authcid)",
        "identity to act as (empty: the same as the authcid)",
        "RFC 4616 §2",
    ),
    e(
        "wb.plain.authcid.help",
        "l'identifiant de connexion (login)",
        "the login (authentication identity)",
        "RFC 4616 §2",
    ),
    e(
        "wb.plain.fields",
        "{0} octet(s) NUL, donc {1} champ(s) : un message PLAIN en a exactement 3 (2 NUL). Ce n'est pas un AUTH PLAIN valide.",
        "{0} NUL octet(s), so {1} field(s): a PLAIN message has exactly 3 (2 NULs). This is not a valid AUTH PLAIN.",
        "RFC 4616 §2",
    ),
    e(
        "wb.plain.empty_field",
        "le champ {0} est vide : RFC 4616 l'exige non vide, le serveur refusera (535 ou 501)",
        "the {0} field is empty: RFC 4616 requires it, the server will refuse (535 or 501)",
        "RFC 4616 §2",
    ),
    e(
        "wb.field_not_text",
        "ce champ n'est pas du texte UTF-8 : quelqu'un l'a-t-il vraiment tapé ?",
        "this field is not UTF-8 text: did anybody really type it?",
        "RFC 4616 §2",
    ),
    e(
        "wb.cleartext",
        "le base64 est un encodage, pas un chiffrement : quiconque voit passer cette ligne lit le mot de passe. N'envoyez AUTH PLAIN (ou LOGIN) que dans une session TLS.",
        "base64 is an encoding, not encryption: anyone who sees this line can read the password. Send AUTH PLAIN (or LOGIN) only inside TLS.",
        "RFC 4954 §4",
    ),
    e(
        "wb.login.prompt",
        "une invite AUTH LOGIN du serveur, « {0} » (après 334) : le client répond par {1} encodé en base64",
        "an AUTH LOGIN prompt from the server, \"{0}\" (after 334): the client answers with the {1} in base64",
        "draft-murchison-sasl-login",
    ),
    e("wb.login.the_user", "l'identifiant", "user name", ""),
    e("wb.login.the_password", "le mot de passe", "password", ""),
    e(
        "wb.cram.challenge",
        "un défi CRAM-MD5 : une chaîne unique de la forme <nombre.horodatage@hôte>. Le client répond base64(« utilisateur » SP HMAC-MD5(secret, défi) en hexadécimal). La même forme sert d'horodatage APOP dans la bannière POP3.",
        "a CRAM-MD5 challenge: a unique string shaped <number.timestamp@host>. The client answers base64(\"user\" SP hex HMAC-MD5(secret, challenge)). The same shape is the APOP timestamp in a POP3 greeting.",
        "RFC 2195 §2",
    ),
    e(
        "wb.cram.response",
        "une réponse CRAM-MD5 : utilisateur {0}, condensé {1} = HMAC-MD5(secret, défi). Le mot de passe ne circule pas ; pour vérifier ce condensé il faut le défi et le secret : facteur cram-md5 --challenge DÉFI --user {0} --secret SECRET --response {2}",
        "a CRAM-MD5 response: user {0}, digest {1} = HMAC-MD5(secret, challenge). The password does not cross the wire; checking this digest needs the challenge and the secret: facteur cram-md5 --challenge CHALLENGE --user {0} --secret SECRET --response {2}",
        "RFC 2195 §2",
    ),
    e(
        "wb.text",
        "du texte : « {0} ». Dans un échange AUTH LOGIN, c'est ce que le client répond à Username: ou à Password: — en clair pour qui sait décoder.",
        "text: \"{0}\". In an AUTH LOGIN exchange this is what the client answers to Username: or Password: — in clear for anyone who can decode.",
        "draft-murchison-sasl-login",
    ),
    e(
        "wb.binary",
        "ce n'est pas du texte : l'octet {0} (0x{1}) ne peut pas se trouver là en UTF-8. Personne n'a tapé cela : ce n'est pas le base64 d'un nom ni d'un mot de passe. Si l'exemple vient d'un support de cours, il a été inventé (des lettres au hasard, pas du texte encodé).",
        "this is not text: octet {0} (0x{1}) cannot stand there in UTF-8. Nobody typed this: it is not the base64 of a name or a password. If the example comes from course material, it was made up (random letters, not encoded text).",
        "RFC 3629 §4",
    ),
    e(
        "wb.cancel",
        "« * » : le client abandonne l'échange AUTH ; le serveur répond 501",
        "\"*\": the client cancels the AUTH exchange; the server answers 501",
        "RFC 4954 §4",
    ),
    e(
        "wb.empty_response",
        "« = » : une réponse initiale vide (pour distinguer « vide » de « absente »)",
        "\"=\": an empty initial response (to tell \"empty\" from \"absent\")",
        "RFC 4954 §4",
    ),
    e(
        "wb.whitespace",
        "les espaces autour de la chaîne ont été ignorés ; sur le fil il ne doit pas y en avoir",
        "spaces around the string were ignored; on the wire there must be none",
        "RFC 4954 §4",
    ),
    // Encoding.
    e(
        "wb.enc.plain.send",
        "AUTH PLAIN {0}    (ou : AUTH PLAIN, attendre « 334 », puis {0})",
        "AUTH PLAIN {0}    (or: AUTH PLAIN, wait for \"334\", then {0})",
        "RFC 4954 §4",
    ),
    e(
        "wb.enc.login.dialogue",
        "Dialogue",
        "Dialogue",
        "draft-murchison-sasl-login",
    ),
    e("wb.enc.comment", "({0})", "({0})", ""),
    e(
        "wb.enc.ok",
        "identifiants bons ; sinon 535 5.7.8",
        "credentials right; else 535 5.7.8",
        "RFC 4954 §6",
    ),
    e("wb.error", "Erreur : {0}", "Error: {0}", ""),
    e(
        "wb.err.nul",
        "le champ {0} ne peut pas contenir d'octet NUL",
        "the {0} field may not contain a NUL octet",
        "RFC 4616 §2",
    ),
    e(
        "wb.err.empty",
        "le champ {0} ne peut pas être vide",
        "the {0} field may not be empty",
        "RFC 4616 §2",
    ),
    // CRAM-MD5 steps.
    e(
        "wb.cram.step.challenge64",
        "1. Défi (base64)",
        "1. Challenge (base64)",
        "RFC 2195 §2",
    ),
    e(
        "wb.cram.step.challenge",
        "2. Défi décodé",
        "2. Challenge decoded",
        "RFC 2195 §2",
    ),
    e(
        "wb.cram.step.hmac",
        "3. HMAC-MD5(secret, défi)",
        "3. HMAC-MD5(secret, challenge)",
        "RFC 2104 §2",
    ),
    e(
        "wb.cram.step.text",
        "4. Réponse en clair",
        "4. Response text",
        "RFC 2195 §2",
    ),
    e(
        "wb.cram.step.base64",
        "5. Réponse (base64)",
        "5. Response (base64)",
        "RFC 2195 §2",
    ),
    e(
        "wb.cram.raw_challenge",
        "le défi n'est pas du base64 mais a la forme <…@…> : il est pris tel quel",
        "the challenge is not base64 but is shaped <…@…>: it is taken as it is",
        "RFC 2195 §2",
    ),
    e("wb.cram.given", "Réponse donnée", "Given response", ""),
    e(
        "wb.cram.verify.ok",
        "le condensé correspond : le client connaît le secret",
        "the digest matches: the client knows the secret",
        "RFC 2195 §2",
    ),
    e(
        "wb.cram.verify.bad",
        "le condensé ne correspond pas : mauvais secret, ou réponse faite pour un autre défi (le serveur répondrait 535 5.7.8)",
        "the digest does not match: wrong secret, or a response to another challenge (the server would answer 535 5.7.8)",
        "RFC 4954 §6",
    ),
    e(
        "wb.cram.verify.user",
        "attention : la réponse est pour l'utilisateur {0}, pas {1}",
        "note: the response is for user {0}, not {1}",
        "",
    ),
    e(
        "wb.cram.bad_response",
        "Réponse illisible : {0}",
        "Unreadable response: {0}",
        "RFC 2195 §2",
    ),
    // APOP.
    e(
        "wb.apop.timestamp",
        "Horodatage",
        "Timestamp",
        "RFC 1939 §7",
    ),
    e(
        "wb.apop.digest",
        "MD5(horodatage + secret)",
        "MD5(timestamp + secret)",
        "RFC 1939 §7",
    ),
    e(
        "wb.apop.bad_timestamp",
        "un horodatage APOP a la forme <…@…>, tel que la bannière +OK du serveur l'annonce",
        "an APOP timestamp is shaped <…@…>, as the server's +OK greeting announces it",
        "RFC 1939 §7",
    ),
    // Start without the TUI.
    e(
        "usage.tui_coming",
        "facteur — telnet annoté pour apprendre SMTP et POP3.\n\nL'interface en deux volets (session à gauche, explication à droite) arrive dans une prochaine version ; elle s'ouvrira ici même, sur le monde simulé, sans réseau.\n\nDéjà disponible, l'atelier AUTH :\n  facteur decode dGVzdAB0ZXN0ADEyMzQ=                 décoder une chaîne base64 (PLAIN, LOGIN, CRAM-MD5)\n  facteur encode plain --user fred --password secret   construire un AUTH PLAIN\n  facteur encode login --user fred --password secret   construire un AUTH LOGIN\n  facteur cram-md5 --challenge DÉFI --user U --secret S calculer une réponse CRAM-MD5\n  facteur apop --timestamp '<1.2@hôte>' --secret S     calculer un condensé APOP\n\nfacteur --help pour tout le reste ; --lang en pour l'anglais.",
        "facteur — telnet with annotations, to learn SMTP and POP3.\n\nThe split-pane interface (session on the left, explanation on the right) comes in a next version; it will open right here, on the simulated world, with no network.\n\nAvailable now, the AUTH workbench:\n  facteur decode dGVzdAB0ZXN0ADEyMzQ=                 decode a base64 string (PLAIN, LOGIN, CRAM-MD5)\n  facteur encode plain --user fred --password secret   build an AUTH PLAIN\n  facteur encode login --user fred --password secret   build an AUTH LOGIN\n  facteur cram-md5 --challenge CHAL --user U --secret S compute a CRAM-MD5 response\n  facteur apop --timestamp '<1.2@host>' --secret S     compute an APOP digest\n\nfacteur --help for everything else; --lang fr for French.",
        "",
    ),
];
