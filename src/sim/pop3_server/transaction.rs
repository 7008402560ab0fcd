//! The TRANSACTION state (RFC 1939 §5): STAT, LIST, RETR, DELE, NOOP,
//! RSET, TOP, UIDL and QUIT — DELE only marks, QUIT commits (§6).

use super::*;

impl Pop3Session {
    pub(super) fn transaction(
        &mut self,
        cmd: Command,
        mut drop: Maildrop,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        // Look up a message number that is valid and not marked (RFC 1939 §5).
        let get = |drop: &Maildrop, n: u32| -> Result<usize, Output> {
            let i = (n as usize)
                .checked_sub(1)
                .filter(|&i| i < drop.messages.len());
            match i {
                None => Err(err(
                    None,
                    &format!(
                        "no such message, only {} messages in maildrop",
                        drop.messages.len()
                    ),
                )),
                Some(i) if drop.deleted[i] => {
                    Err(err(None, &format!("message {n} already deleted")))
                }
                Some(i) => Ok(i),
            }
        };
        match cmd {
            Command::Stat => {
                let (n, size) =
                    live(&drop).fold((0, 0), |(n, s), (_, m)| (n + 1, s + m.data.len()));
                out.push(ok(&format!("{n} {size}")));
            }
            Command::List { msg: None } => {
                let (n, size) =
                    live(&drop).fold((0, 0), |(n, s), (_, m)| (n + 1, s + m.data.len()));
                let body = live(&drop)
                    .map(|(i, m)| format!("{} {}", i + 1, m.data.len()).into_bytes())
                    .collect();
                out.push(multiline(&format!("{n} messages ({size} octets)"), body));
            }
            Command::List { msg: Some(n) } => out.push(match get(&drop, n) {
                Ok(i) => ok(&format!("{n} {}", drop.messages[i].data.len())),
                Err(e) => e,
            }),
            Command::Uidl { msg: None } => {
                let body = live(&drop)
                    .map(|(i, m)| format!("{} {}", i + 1, m.uid).into_bytes())
                    .collect();
                out.push(multiline("unique-id listing follows", body));
            }
            Command::Uidl { msg: Some(n) } => out.push(match get(&drop, n) {
                Ok(i) => ok(&format!("{n} {}", drop.messages[i].uid)),
                Err(e) => e,
            }),
            // With --store the octets are read from the Maildir file now;
            // a file that cannot be read is a temporary failure (RFC 2449 §8.1.2).
            Command::Retr { msg } => out.push(match get(&drop, msg) {
                Ok(i) => match drop.messages[i].data.read() {
                    Ok(data) => {
                        backend.retrieved(&drop.mailbox, msg, data.len());
                        let body = crate::proto::data::split_lines(&data)
                            .into_iter()
                            .map(<[u8]>::to_vec)
                            .collect();
                        multiline(&format!("{} octets", data.len()), body)
                    }
                    Err(_) => err(Some("SYS/TEMP"), "cannot read the message now, try again"),
                },
                Err(e) => e,
            }),
            Command::Top { msg, lines } => out.push(match get(&drop, msg) {
                Ok(i) => match drop.messages[i].data.read() {
                    Ok(data) => multiline("top of message follows", top(&data, lines as usize)),
                    Err(_) => err(Some("SYS/TEMP"), "cannot read the message now, try again"),
                },
                Err(e) => e,
            }),
            Command::Dele { msg } => out.push(match get(&drop, msg) {
                Ok(i) => {
                    drop.deleted[i] = true;
                    ok(&format!("message {msg} deleted"))
                }
                Err(e) => e,
            }),
            Command::Rset => {
                drop.deleted.iter_mut().for_each(|d| *d = false);
                let (n, size) =
                    live(&drop).fold((0, 0), |(n, s), (_, m)| (n + 1, s + m.data.len()));
                out.push(ok(&format!("maildrop has {n} messages ({size} octets)")));
            }
            Command::Noop => out.push(ok("")),
            Command::Capa => out.push(self.capa()),
            Command::Quit => {
                // RFC 1939 §6: the UPDATE state removes the marked messages.
                let uids: Vec<String> = drop
                    .messages
                    .iter()
                    .zip(&drop.deleted)
                    .filter(|(_, d)| **d)
                    .map(|(m, _)| m.uid.clone())
                    .collect();
                let left = drop.messages.len() - uids.len();
                match backend.commit(&drop.mailbox, &uids) {
                    Ok(()) => out.push(ok(&format!(
                        "{} POP3 server signing off ({left} messages left)",
                        self.cfg.hostname
                    ))),
                    Err(_) => {
                        backend.unlock(&drop.mailbox);
                        out.push(err(Some("SYS/TEMP"), "some deleted messages not removed"));
                    }
                }
                out.push(Output::Close);
                self.state = State::Closed;
                return;
            }
            Command::Unknown { verb, .. } => {
                out.push(unknown(&verb));
                self.state = State::Transaction(drop);
                self.error(backend, out);
                return;
            }
            other => {
                let verb = other.verb().map(|v| v.name()).unwrap_or("?");
                out.push(err(
                    None,
                    &format!("{verb} is not allowed after login (TRANSACTION state)"),
                ));
            }
        }
        self.state = State::Transaction(drop);
    }
}

/// Messages not marked as deleted, with their index.
fn live(drop: &Maildrop) -> impl Iterator<Item = (usize, &StoredMessage)> {
    drop.messages
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.deleted[*i])
}

/// RFC 1939 §7 TOP: the headers, the blank line, then `n` lines of the body.
fn top(data: &[u8], n: usize) -> Vec<Vec<u8>> {
    let lines = crate::proto::data::split_lines(data);
    let mut out = Vec::new();
    let mut in_body = false;
    let mut body_lines = 0;
    for l in lines {
        if in_body {
            if body_lines >= n {
                break;
            }
            body_lines += 1;
        } else if l.is_empty() {
            in_body = true;
        }
        out.push(l.to_vec());
    }
    out
}
