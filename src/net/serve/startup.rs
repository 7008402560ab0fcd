//! What `serve` does before its first connection: the store opened (and
//! what it found said in the log), the lab certificate made for every host
//! name, the ports to listen on.

use std::net::SocketAddr;

use crate::explain::catalog::fill;
use crate::net::tls;
use crate::proto::Proto;
use crate::proto::visible::visible_str;
use crate::sim::store::{OpenError, Store};

use super::{FRONT_NAME, Listener, ServeConfig, ServeError, log_to};

/// The store of `--store DIR` (in memory without it). What opening found —
/// messages converted from the earlier format, a queue taken back after a
/// stop, entries that could not be read — goes to the log.
pub(super) fn open_store(cfg: &ServeConfig) -> Result<Store, ServeError> {
    let Some(dir) = &cfg.store else {
        return Ok(Store::in_memory());
    };
    let room = cfg.room.as_deref().or(cfg.log_room.as_deref());
    let lang = cfg.lang;
    let store = Store::open(dir).map_err(|e| match e {
        OpenError::Busy { pid } => ServeError::StoreBusy {
            path: dir.clone(),
            pid,
        },
        OpenError::Io(source) => ServeError::Store {
            path: dir.clone(),
            source,
        },
    })?;
    let shown = visible_str(&dir.display().to_string());
    if store.report.converted > 0 {
        log_to(
            room,
            fill(
                lang,
                "serve.store.converted",
                &[&shown, &store.report.converted],
            ),
        );
    }
    let found = &store.queue_found;
    if !found.queued.is_empty() {
        log_to(
            room,
            fill(
                lang,
                "serve.queue.restored",
                &[
                    &dir.join(crate::sim::spool::FOLDER).display(),
                    &found.queued.len(),
                ],
            ),
        );
    }
    for (path, why) in &found.bad {
        let path = visible_str(&path.display().to_string());
        let why = visible_str(why);
        log_to(room, fill(lang, "serve.queue.bad", &[&path, &why]));
    }
    if found.unfinished > 0 {
        log_to(
            room,
            fill(lang, "serve.queue.unfinished", &[&found.unfinished]),
        );
    }
    for p in &store.report.skipped {
        let p = visible_str(&p.display().to_string());
        log_to(room, fill(lang, "serve.store.skipped", &[&p]));
    }
    Ok(store)
}

/// The lab's certificate, self-signed for every host name of the world, the
/// front name and localhost; written to `--cert-out FILE` when asked (for
/// clients told to trust it).
pub(super) fn certificate(cfg: &ServeConfig) -> Result<tls::ServerTls, ServeError> {
    let mut names: Vec<String> = cfg.world.smtp_hosts();
    names.extend(cfg.world.pop_hosts());
    names.extend([FRONT_NAME.to_string(), "localhost".to_string()]);
    let tls = tls::self_signed(names)?;
    if let Some(path) = &cfg.cert_out {
        std::fs::write(path, &tls.cert_pem).map_err(|source| ServeError::CertOut {
            path: path.clone(),
            source,
        })?;
        let room = cfg.room.as_deref().or(cfg.log_room.as_deref());
        let shown = visible_str(&path.display().to_string());
        log_to(room, fill(cfg.lang, "serve.cert.written", &[&shown]));
    }
    Ok(tls)
}

/// The ports to listen on: the front SMTP and POP3 ports, the implicit-TLS
/// ones of `--smtps`/`--pop3s` (RFC 8314), and with `--host-ports` one per
/// host of the world.
pub(super) fn listeners(cfg: &ServeConfig) -> Vec<(SocketAddr, Listener)> {
    let front = |proto, implicit_tls| Listener {
        proto,
        host: None,
        implicit_tls,
    };
    let mut listeners = vec![
        (cfg.smtp, front(Proto::Smtp, false)),
        (cfg.pop3, front(Proto::Pop3, false)),
    ];
    if let Some(a) = cfg.smtps {
        listeners.push((a, front(Proto::Smtp, true)));
    }
    if let Some(a) = cfg.pop3s {
        listeners.push((a, front(Proto::Pop3, true)));
    }
    if let Some(base) = cfg.host_ports {
        for (addr, host, proto) in host_ports(cfg, base) {
            let proto = if proto == "SMTP" {
                Proto::Smtp
            } else {
                Proto::Pop3
            };
            listeners.push((
                addr,
                Listener {
                    proto,
                    host: Some(host),
                    implicit_tls: false,
                },
            ));
        }
    }
    listeners
}

/// The per-host ports of `--host-ports BASE`: (address, host, protocol) —
/// SMTP hosts from BASE, POP3 hosts from BASE + 100.
pub fn host_ports(cfg: &ServeConfig, base: u16) -> Vec<(SocketAddr, String, &'static str)> {
    let mut out = Vec::new();
    for (i, h) in cfg.world.smtp_hosts().into_iter().enumerate() {
        out.push((
            SocketAddr::new(cfg.smtp.ip(), base.saturating_add(i as u16)),
            h,
            "SMTP",
        ));
    }
    for (i, h) in cfg.world.pop_hosts().into_iter().enumerate() {
        out.push((
            SocketAddr::new(cfg.pop3.ip(), base.saturating_add(100 + i as u16)),
            h,
            "POP3",
        ));
    }
    out
}
