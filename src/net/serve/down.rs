//! A host of the world that is down (`faults` in the world file), met on
//! its own port (`--host-ports`): nothing answers — the connection is
//! closed at once ("refused") or left silent until the idle timeout
//! ("timeout"), as a real host that is off or firewalled would behave.

use std::net::SocketAddr;

use super::{Listener, Shared, lock, unix_now};
use crate::explain::catalog::fill;
use crate::proto::Proto;
use crate::sim::scenario::FaultKind;

/// True when the connection must end without a word (the caller drops it).
pub(super) async fn answers_nothing(
    kind: &Listener,
    peer: SocketAddr,
    name: &str,
    shared: &Shared,
) -> bool {
    let Some(host) = kind.host.as_ref().filter(|_| kind.proto == Proto::Smtp) else {
        return false;
    };
    let fault = {
        let mut mta = lock(shared);
        mta.set_now(unix_now());
        mta.fault(host).map(|f| f.kind)
    };
    match fault {
        Some(FaultKind::Refused) => {
            shared.log(fill(
                shared.cfg.lang,
                "serve.log.down_refused",
                &[&peer, &name],
            ));
            true
        }
        Some(FaultKind::Timeout) => {
            let mut shutdown = shared.shutdown.subscribe();
            tokio::select! {
                _ = tokio::time::sleep(shared.cfg.idle_timeout) => {}
                _ = shutdown.changed() => {}
            }
            shared.log(fill(
                shared.cfg.lang,
                "serve.log.down_silent",
                &[&peer, &name],
            ));
            true
        }
        _ => false,
    }
}
