//! The end of a proxied session: its log line on stderr and, with
//! `--record-dir`, its transcript, named by time, client and account.

use std::net::SocketAddr;

use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::net::failure::{NetFailure, TlsFailure};

use super::Shared;
use crate::proto::Proto;
use crate::session::watch::Watch;

/// Why a proxied session ended: said in the log and to a watcher in the
/// user's language, and to the client (in English, as servers speak) when
/// the proxy answers in the upstream's place.
#[derive(Debug)]
pub(super) enum End {
    Idle,
    ClientClosed,
    AfterQuit,
    /// The upstream (named) closed the connection, not after QUIT.
    UpstreamClosed(String),
    /// The upstream could not be reached.
    Unreachable(NetFailure),
    /// Reading from or writing to the upstream failed.
    Upstream(NetFailure),
    /// TLS with the upstream failed (it has not been passed on to the client).
    UpstreamTls(NetFailure),
    /// The client refused TLS with facteur's certificate (None: it timed out).
    ClientTls(Option<TlsFailure>),
    /// STARTTLS again inside TLS.
    TlsInsideTls,
    /// The proxy was stopped (Ctrl-C, or its TUI quit).
    Stopped,
}

impl End {
    pub(super) fn describe(&self, lang: Lang) -> String {
        match self {
            End::Idle => text(lang, "proxy.end.idle"),
            End::ClientClosed => text(lang, "proxy.end.client_closed"),
            End::AfterQuit => text(lang, "proxy.end.quit"),
            End::UpstreamClosed(target) => fill(lang, "proxy.end.upstream_closed", &[target]),
            End::Unreachable(f) => fill(lang, "proxy.end.unreachable", &[&f.describe(lang)]),
            End::Upstream(f) => f.describe(lang),
            End::UpstreamTls(NetFailure::Tls { why, insecure }) => fill(
                lang,
                "proxy.end.upstream_tls",
                &[&why.describe(lang, *insecure)],
            ),
            End::UpstreamTls(f) => fill(lang, "proxy.end.upstream_tls", &[&f.describe(lang)]),
            End::ClientTls(Some(why)) => {
                fill(lang, "proxy.end.client_tls", &[&why.describe(lang, false)])
            }
            End::ClientTls(None) => text(lang, "proxy.end.client_tls_timeout"),
            End::TlsInsideTls => text(lang, "proxy.end.tls_inside_tls"),
            End::Stopped => text(lang, "proxy.end.stopped"),
        }
    }
}

/// The log line, and the record.
pub(super) fn finish(
    peer: SocketAddr,
    shared: &Shared,
    watch: &mut Watch,
    tls: Option<&str>,
    end: &End,
) {
    let lang = shared.lang;
    let end = end.describe(lang);
    let end = end.as_str();
    let proto = watch
        .proto()
        .map_or("?", |p| if p == Proto::Smtp { "SMTP" } else { "POP3" });
    let account = watch.account.as_deref().unwrap_or("-");
    let tls = tls.map_or_else(
        || text(lang, "proxy.log.no_tls"),
        |t| fill(lang, "proxy.log.tls", &[&t]),
    );
    let target = format!("{}:{}", shared.host, shared.port);
    let mut line = fill(
        lang,
        "proxy.log.session",
        &[
            &peer,
            &target,
            &proto,
            &crate::proto::visible::visible_str(account),
            &tls,
            &(watch.live.entries.len() + watch.live.dropped),
            &watch.client_octets,
            &watch.server_octets,
        ],
    );
    if watch.too_long > 0 {
        line.push_str(&fill(lang, "proxy.log.too_long", &[&watch.too_long]));
    }
    line.push_str(&format!(": {}", crate::proto::visible::visible_str(end)));
    if let Some(dir) = &shared.cfg.record_dir {
        let path = dir.join(record_name(
            watch.live.started,
            peer,
            watch.account.as_deref(),
        ));
        match std::fs::write(&path, watch.transcript().to_json()) {
            Ok(()) => line.push_str(&fill(lang, "proxy.log.recorded", &[&path.display()])),
            Err(e) => line.push_str(&fill(
                lang,
                "proxy.log.not_recorded",
                &[&crate::explain::diag::io_error(lang, &e)],
            )),
        }
    }
    watch.ended(end);
    shared.log(line);
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
