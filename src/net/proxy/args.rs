//! The command line of `facteur proxy` (its help is translated from the
//! catalog's `cli.proxy.*` entries).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{ProxyConfig, Upstream};

#[derive(Debug, Clone, clap::Args)]
pub struct ProxyArgs {
    /// Address the clients connect to
    #[arg(long, default_value = "127.0.0.1:2526", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The one server to relay to: HOST:PORT, or world (the simulated world, SMTP) or world:pop3
    #[arg(long, value_name = "HOST:PORT")]
    pub to: String,
    /// The clients speak TLS from the first byte (like ports 465 and 995; RFC 8314)
    #[arg(long)]
    pub listen_tls: bool,
    /// The upstream speaks TLS from the first byte (like ports 465 and 995; RFC 8314)
    #[arg(long)]
    pub to_tls: bool,
    /// Accept any certificate from the upstream server (a lab server's self-signed one)
    #[arg(long)]
    pub insecure: bool,
    /// Write the interception certificate (PEM) to FILE, for clients to trust it
    #[arg(long, value_name = "FILE")]
    pub cert_out: Option<PathBuf>,
    /// Record one transcript per connection in DIR (time, client address, account)
    #[arg(long, value_name = "DIR")]
    pub record_dir: Option<PathBuf>,
    /// With --to world: also listen on ADDR for the world's other protocol (POP3 beside SMTP), so what is sent can be fetched through the proxy
    #[arg(long, value_name = "ADDR")]
    pub also_listen: Option<SocketAddr>,
    /// Maximum concurrent connections
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_connections: usize,
    /// Maximum concurrent connections from one client address
    #[arg(long, value_name = "N", default_value_t = crate::net::serve::DEFAULT_MAX_PER_IP)]
    pub max_per_ip: usize,
    /// Idle timeout in seconds
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// A TLS handshake must finish within SECS
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub handshake_timeout: u64,
}

impl ProxyArgs {
    pub fn into_config(self) -> Result<ProxyConfig, String> {
        let to = Upstream::parse(&self.to)?;
        if self.also_listen.is_some() && !matches!(to, Upstream::World(_)) {
            return Err(
                "--also-listen needs --to world (a real server's other port is another proxy)"
                    .to_string(),
            );
        }
        Ok(ProxyConfig {
            listen: self.listen,
            to,
            insecure: self.insecure,
            listen_tls: self.listen_tls,
            to_tls: self.to_tls,
            cert_out: self.cert_out,
            record_dir: self.record_dir,
            also_listen: self.also_listen,
            max_connections: self.max_connections.max(1),
            max_per_ip: self.max_per_ip.max(1),
            idle_timeout: Duration::from_secs(self.timeout.max(1)),
            handshake_timeout: Duration::from_secs(self.handshake_timeout.max(1)),
        })
    }
}
