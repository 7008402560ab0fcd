//! The command line of `facteur serve` and how it becomes a configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::ServeConfig;
use crate::sim::world::World;

/// The command line of `facteur serve` (its help is translated from the
/// catalog's `cli.serve.*` entries).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// SMTP address (every MX of the world; the user's ISP server after AUTH)
    #[arg(long, default_value = "127.0.0.1:2525", value_name = "ADDR")]
    pub smtp: SocketAddr,
    /// POP3 address (every mailbox of the world)
    #[arg(long, default_value = "127.0.0.1:1110", value_name = "ADDR")]
    pub pop3: SocketAddr,
    /// Also listen with implicit TLS for SMTP (e.g. 127.0.0.1:4465; RFC 8314)
    #[arg(long, value_name = "ADDR")]
    pub smtps: Option<SocketAddr>,
    /// Also listen with implicit TLS for POP3 (e.g. 127.0.0.1:9995; RFC 8314)
    #[arg(long, value_name = "ADDR")]
    pub pop3s: Option<SocketAddr>,
    /// Write the self-signed TLS certificate (PEM) to FILE, for clients to trust
    #[arg(long, value_name = "FILE")]
    pub cert_out: Option<PathBuf>,
    /// Also give each host its own port: SMTP hosts from PORT up, POP3 hosts from PORT+100 up
    #[arg(long, value_name = "PORT")]
    pub host_ports: Option<u16>,
    /// A world described in JSON (domains, users, lists, aliases, hosts)
    #[arg(long, value_name = "FILE")]
    pub world: Option<PathBuf>,
    /// Add N student accounts eleve01… (password = account name) and a list "classe"
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub students: usize,
    /// Keep the mailboxes on disk in DIR (they survive a restart)
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Maximum concurrent connections
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_connections: usize,
    /// Maximum concurrent connections from one client address
    #[arg(long, value_name = "N", default_value_t = super::DEFAULT_MAX_PER_IP)]
    pub max_per_ip: usize,
    /// A TLS handshake must finish within SECS
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub handshake_timeout: u64,
    /// Offer and accept AUTH (SMTP) and USER/PASS (POP3) only inside TLS
    #[arg(long)]
    pub require_tls_for_auth: bool,
    /// Idle timeout in seconds
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// Maximum message size in octets (announced by SIZE)
    #[arg(long, value_name = "OCTETS", default_value_t = 10 * 1024 * 1024)]
    pub max_size: usize,
    /// Octets one mailbox may hold (past it: 552 5.2.2 Mailbox full)
    #[arg(long, value_name = "OCTETS", default_value_t = 50 * 1024 * 1024)]
    pub quota: usize,
    /// Octets all mailboxes may hold in memory (past it: 452 4.3.1)
    #[arg(long, value_name = "OCTETS", default_value_t = 1024 * 1024 * 1024)]
    pub max_memory: usize,
    /// Failed logins are answered slowly: the n-th after n × MS milliseconds
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub auth_delay: u64,
    /// Read the teacher's commands on standard input: mailq, flush, wait 10m, time
    #[arg(long, conflicts_with = "watch")]
    pub console: bool,
    /// Record one transcript per session in DIR (time, client address, account)
    #[arg(long, value_name = "DIR")]
    pub record_dir: Option<PathBuf>,
    /// Watch the room: the list of live sessions, and any of them explained, read-only
    #[arg(long)]
    pub watch: bool,
}

impl ServeArgs {
    /// Load the world (file, students) and make the configuration.
    pub fn into_config(self) -> Result<ServeConfig, crate::sim::world::WorldError> {
        let mut world = match &self.world {
            Some(path) => World::load(path)?,
            None => World::default(),
        };
        world.add_students(self.students);
        Ok(ServeConfig {
            smtp: self.smtp,
            pop3: self.pop3,
            smtps: self.smtps,
            pop3s: self.pop3s,
            host_ports: self.host_ports,
            max_connections: self.max_connections,
            max_per_ip: self.max_per_ip.max(1),
            idle_timeout: Duration::from_secs(self.timeout),
            handshake_timeout: Duration::from_secs(self.handshake_timeout.max(1)),
            require_tls_for_auth: self.require_tls_for_auth,
            max_size: self.max_size,
            limits: crate::sim::mta::Limits {
                quota: self.quota,
                total: self.max_memory,
            },
            auth_delay: Duration::from_millis(self.auth_delay),
            store: self.store,
            cert_out: self.cert_out,
            world,
            console: self.console,
            lang: crate::explain::Lang::En,
            record_dir: self.record_dir,
            room: None,
            log_room: None,
        })
    }
}
