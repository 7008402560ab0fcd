//! Every parser, fed every chunking of a whole session (1, 2, 3 … bytes at a
//! time), in CRLF and in bare-LF form, gives the same result.

use facteur::proto::line::{Ending, LineReader, POP3_COMMAND_LINE, SMTP_COMMAND_LINE};
use facteur::proto::pop3;
use facteur::proto::smtp::command;
use facteur::proto::smtp::reply::{ReplyEvent, ReplyReader};

/// The client side of the handout's telnet session (III.3), plus AUTH.
const SMTP_CLIENT: &str = "EHLO skyrunner.home\r\nAUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\nMAIL FROM:<benja.roux@wanadoo.fr>\r\nRCPT TO:<skyrunner63@hotmail.com>\r\nDATA\r\nQUIT\r\n";

/// The server side of the same session.
const SMTP_SERVER: &str = "220 mwinf2317.orange.fr ESMTP ABO\r\n250-mwinf2317.orange.fr\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n250 8BITMIME\r\n235 2.7.0 Authentication successful\r\n250 Ok\r\n250 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 Ok: queued as 86A867000081\r\n221 2.0.0 Bye\r\n";

/// The handout's POP3 command list, as a session.
const POP3_CLIENT: &str = "USER toto@titi.fr\r\nPASS pwd\r\nSTAT\r\nLIST\r\nRETR 1\r\nTOP 1 10\r\nUIDL\r\nDELE 1\r\nRSET\r\nNOOP\r\nQUIT\r\n";

fn variants(s: &str) -> [Vec<u8>; 2] {
    [s.as_bytes().to_vec(), s.replace("\r\n", "\n").into_bytes()]
}

fn commands_in_chunks(input: &[u8], size: usize, limit: usize) -> Vec<(Vec<u8>, Ending)> {
    let mut reader = LineReader::new(limit);
    let mut out = Vec::new();
    for chunk in input.chunks(size) {
        for line in reader.feed(chunk) {
            let line = line.unwrap();
            out.push((line.content, line.ending));
        }
    }
    out
}

#[test]
fn smtp_commands_every_chunking() {
    for (variant, input) in variants(SMTP_CLIENT).iter().enumerate() {
        let whole = commands_in_chunks(input, input.len(), SMTP_COMMAND_LINE);
        assert_eq!(whole.len(), 6);
        let want: Vec<_> = whole
            .iter()
            .map(|(l, _)| command::parse(l).unwrap())
            .collect();
        let ending = if variant == 0 {
            Ending::CrLf
        } else {
            Ending::Lf
        };
        assert!(whole.iter().all(|(_, e)| *e == ending));
        for size in 1..input.len() {
            let got = commands_in_chunks(input, size, SMTP_COMMAND_LINE);
            assert_eq!(got, whole, "chunk {size}");
            let parsed: Vec<_> = got
                .iter()
                .map(|(l, _)| command::parse(l).unwrap())
                .collect();
            assert_eq!(parsed, want);
        }
    }
}

#[test]
fn smtp_replies_every_chunking() {
    for input in variants(SMTP_SERVER) {
        let want = ReplyReader::new().feed(&input);
        assert_eq!(want.len(), 8);
        assert!(want.iter().all(|e| matches!(e, ReplyEvent::Reply(_))));
        for size in 1..input.len() {
            let mut r = ReplyReader::new();
            let got: Vec<_> = input.chunks(size).flat_map(|c| r.feed(c)).collect();
            assert_eq!(got, want, "chunk {size}");
        }
    }
}

#[test]
fn pop3_commands_every_chunking() {
    for input in variants(POP3_CLIENT) {
        let whole = commands_in_chunks(&input, input.len(), POP3_COMMAND_LINE);
        let want: Vec<_> = whole
            .iter()
            .map(|(l, _)| pop3::command::parse(l).unwrap())
            .collect();
        assert_eq!(want.len(), 11);
        for size in 1..input.len() {
            let got = commands_in_chunks(&input, size, POP3_COMMAND_LINE);
            let parsed: Vec<_> = got
                .iter()
                .map(|(l, _)| pop3::command::parse(l).unwrap())
                .collect();
            assert_eq!(parsed, want, "chunk {size}");
        }
    }
}
