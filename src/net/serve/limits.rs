//! What one client address may cost the room, counted across all its
//! sessions: how many connections it holds (`--max-per-ip`), and how many
//! logins failed from it lately — each failure makes the next one's answer
//! slower, whatever session it comes from, so 150 parallel connections
//! guess no faster than one. The count decays (it halves every minute
//! without a failure) and the delay is capped: a classmate can slow down
//! his own address's failed logins, never lock anybody out for good, and
//! logins that succeed are never delayed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest a failed login is made to wait.
pub const MAX_DELAY: Duration = Duration::from_secs(15);

/// How fast the failure count forgets: it halves every this much.
const HALF_LIFE: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
struct Entry {
    connections: usize,
    failures: f64,
    last_failure: Option<Instant>,
}

/// Per-address state.
#[derive(Debug, Default)]
pub struct PerIp {
    map: Mutex<HashMap<IpAddr, Entry>>,
}

impl PerIp {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<IpAddr, Entry>) -> T) -> T {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut map)
    }

    /// Take a connection slot for `ip`; false when it already holds `max`.
    pub fn connect(&self, ip: IpAddr, max: usize) -> bool {
        self.with(|m| {
            let e = m.entry(ip).or_default();
            if e.connections >= max {
                return false;
            }
            e.connections += 1;
            true
        })
    }

    /// Give the slot back.
    pub fn disconnect(&self, ip: IpAddr) {
        self.with(|m| {
            if let Some(e) = m.get_mut(&ip) {
                e.connections = e.connections.saturating_sub(1);
                if e.connections == 0 && e.failures < 0.01 {
                    m.remove(&ip);
                }
            }
        });
    }

    /// A login failed from `ip` at `now`: how long its answer waits, given
    /// the session's own delay (`session`, already growing with the
    /// session's failures) and the address's recent failures × `step`.
    pub fn login_failed(
        &self,
        ip: IpAddr,
        now: Instant,
        step: Duration,
        session: Duration,
    ) -> Duration {
        self.with(|m| {
            let e = m.entry(ip).or_default();
            if let Some(last) = e.last_failure {
                let halvings =
                    now.saturating_duration_since(last).as_secs_f64() / HALF_LIFE.as_secs_f64();
                e.failures *= 0.5f64.powf(halvings);
            }
            e.failures += 1.0;
            e.last_failure = Some(now);
            let address = step.mul_f64(e.failures.floor());
            session.max(address).min(MAX_DELAY)
        })
    }

    /// Connections held by `ip` (for tests and the log).
    #[cfg(test)]
    pub fn connections(&self, ip: IpAddr) -> usize {
        self.with(|m| m.get(&ip).map_or(0, |e| e.connections))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

    #[test]
    fn connections_are_capped_per_address() {
        let p = PerIp::default();
        assert!(p.connect(IP, 2));
        assert!(p.connect(IP, 2));
        assert!(!p.connect(IP, 2));
        p.disconnect(IP);
        assert!(p.connect(IP, 2));
        assert_eq!(p.connections(IP), 2);
    }

    #[test]
    fn failures_across_sessions_slow_down_then_are_forgotten() {
        let p = PerIp::default();
        let t0 = Instant::now();
        let step = Duration::from_secs(1);
        let first = p.login_failed(IP, t0, step, Duration::ZERO);
        assert_eq!(first, Duration::from_secs(1));
        // Ten more from other sessions, at once: each one waits longer.
        let mut last = first;
        for _ in 0..10 {
            let d = p.login_failed(IP, t0, step, Duration::ZERO);
            assert!(d >= last);
            last = d;
        }
        assert_eq!(last, Duration::from_secs(11));
        // Capped, never a lockout.
        for _ in 0..100 {
            last = p.login_failed(IP, t0, step, Duration::ZERO);
        }
        assert_eq!(last, MAX_DELAY);
        // Ten minutes later the address is nearly forgiven.
        let later = t0 + Duration::from_secs(600);
        assert!(p.login_failed(IP, later, step, Duration::ZERO) <= Duration::from_secs(1));
    }
}
