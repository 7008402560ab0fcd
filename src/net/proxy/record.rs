//! The end of a proxied session: its log line on stderr and, with
//! `--record-dir`, its transcript, named by time, client and account.

use std::net::SocketAddr;

use super::Shared;
use super::watch::Watch;
use crate::proto::Proto;

/// The log line, and the record.
pub(super) fn finish(
    peer: SocketAddr,
    shared: &Shared,
    watch: &Watch,
    tls: Option<&str>,
    end: &str,
) {
    let proto = watch
        .proto()
        .map_or("?", |p| if p == Proto::Smtp { "SMTP" } else { "POP3" });
    let account = watch.account.as_deref().unwrap_or("-");
    let tls = tls.map_or_else(
        || "no TLS".to_string(),
        |t| format!("TLS intercepted ({t})"),
    );
    let mut line = format!(
        "{peer} -> {}:{} {proto} account={} {tls}, {} line(s), {} octets up, {} down",
        shared.host,
        shared.port,
        crate::proto::visible::visible_str(account),
        watch.live.entries.len() + watch.live.dropped,
        watch.client_octets,
        watch.server_octets
    );
    if watch.too_long > 0 {
        line.push_str(&format!(
            ", {} over-long line(s) not explained",
            watch.too_long
        ));
    }
    line.push_str(&format!(": {}", crate::proto::visible::visible_str(end)));
    if let Some(dir) = &shared.cfg.record_dir {
        let path = dir.join(record_name(
            watch.live.started,
            peer,
            watch.account.as_deref(),
        ));
        match std::fs::write(&path, watch.transcript().to_json()) {
            Ok(()) => line.push_str(&format!(" [recorded {}]", path.display())),
            Err(e) => line.push_str(&format!(" [not recorded: {e}]")),
        }
    }
    eprintln!("{line}");
}

/// `20261202-031500-127.0.0.1-54012-fred.json`: the session's start (UTC),
/// the client's address and port (unique at that second), the account.
pub fn record_name(started: i64, peer: SocketAddr, account: Option<&str>) -> String {
    let days = started.div_euclid(86_400);
    let secs = started.rem_euclid(86_400);
    let (y, m, d) = crate::proto::date::civil_from_days(days);
    let ip = peer.ip().to_string().replace(':', "_");
    let mut name = format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{ip}-{}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        peer.port()
    );
    if let Some(a) = account {
        let safe: String = a
            .chars()
            .take(64)
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._@-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        name.push('-');
        name.push_str(&safe);
    }
    name.push_str(".json");
    name
}
