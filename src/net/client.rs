//! A real connection for `facteur connect`: plain TCP, implicit TLS, or
//! STARTTLS/STLS performed by facteur itself when the student types the
//! command and the server says yes. TLS is rustls with the ring provider
//! and the system's trusted roots; `--insecure` accepts any certificate (a
//! lab's self-signed one) and says so. The connection runs on its own thread
//! with a small tokio runtime; the TUI talks to it through two channels.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc as tmpsc;
use tokio_rustls::TlsConnector;

use crate::net::failure::{NetFailure, Stage, TlsFailure};
use crate::session::transcript::{CertInfo, Handshake};
use tokio_rustls::client::TlsStream;

/// How to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Clear; STARTTLS/STLS when the student types it.
    Plain,
    /// TLS from the first byte (ports 465, 995; RFC 8314).
    Implicit,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub insecure: bool,
    pub timeout: Duration,
}

/// What happened on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// The TCP connection is up: the server's address, ours, and how long
    /// the three-way handshake took (connect() called → returned).
    Connected {
        peer: String,
        local: String,
        handshake_us: u64,
    },
    Data(Vec<u8>),
    /// TLS is up: version, cipher, whether and what certificate.
    Tls(Handshake),
    Closed,
    /// The connection or the handshake failed, and why.
    Failed(NetFailure),
    /// Octets the server sent after its go-ahead to STARTTLS/STLS, in the
    /// same packet: discarded, never read as part of the TLS session (a
    /// man in the middle injecting commands, CVE-2011-0411).
    Injected(usize),
    /// Lines typed after STARTTLS/STLS were held until its reply; the
    /// server refused, so they were not sent (they were meant for TLS).
    NotSent(usize),
}

/// Events that may wait for the screen: past this the reader stops reading
/// the socket (a flooding server fills the kernel's buffers, not ours).
pub const EVENT_QUEUE: usize = 64;

/// Read an X.509 certificate (DER) for the TLS event: subject and issuer
/// in RFC 4514's string form (most specific first, `CN=…,O=…`), validity
/// (RFC 5280 §4.1.2.5), the DNS names of subjectAltName (§4.2.1.6). None
/// if it does not parse.
pub fn cert_info(der: &[u8]) -> Option<CertInfo> {
    use x509_cert::Certificate;
    use x509_cert::der::Decode;
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::ext::pkix::name::GeneralName;
    let cert = Certificate::from_der(der).ok()?;
    let tbs = cert.tbs_certificate();
    let when = |t: x509_cert::time::Time| {
        let secs = t.to_unix_duration().as_secs() as i64;
        let (y, m, d) = crate::proto::date::civil_from_days(secs.div_euclid(86_400));
        let s = secs.rem_euclid(86_400);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    };
    let names = match tbs.get_extension::<SubjectAltName>() {
        Ok(Some((_, san))) => san
            .0
            .iter()
            .filter_map(|n| match n {
                GeneralName::DnsName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(CertInfo {
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        not_before: when(tbs.validity().not_before),
        not_after: when(tbs.validity().not_after),
        names,
    })
}

/// What the TUI asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetCmd {
    Send(Vec<u8>),
    Close,
}

/// Start the connection thread.
pub fn spawn(opts: ConnectOptions) -> (tmpsc::UnboundedSender<NetCmd>, tmpsc::Receiver<NetEvent>) {
    let (cmd_tx, cmd_rx) = tmpsc::unbounded_channel();
    let (ev_tx, ev_rx) = tmpsc::channel(EVENT_QUEUE);
    std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(_) => {
                let _ = ev_tx.try_send(NetEvent::Failed(NetFailure::Runtime));
                return;
            }
        };
        rt.block_on(run(opts, cmd_rx, ev_tx));
    });
    (cmd_tx, ev_rx)
}

/// Waiting for the reply to STARTTLS (SMTP) or STLS (POP3), read whole
/// with the protocol core's readers whatever the segmentation.
enum Awaiting {
    Smtp(crate::proto::smtp::reply::ReplyReader),
    Pop3(Vec<u8>),
}

/// What a complete reply to STARTTLS/STLS said, and where it ended.
enum GoAhead {
    /// Not complete yet: all of `data` belongs to it.
    Partial,
    /// Complete at `end`: start TLS (true) or not (false).
    Done { end: usize, go: bool },
}

impl Awaiting {
    fn feed(&mut self, data: &[u8]) -> GoAhead {
        match self {
            Awaiting::Smtp(reader) => {
                let mut rest = data;
                while let Some(ev) = reader.next_event(&mut rest) {
                    if let crate::proto::smtp::reply::ReplyEvent::Reply(r) = ev {
                        // RFC 3207 §4: 220 means "ready to start TLS".
                        return GoAhead::Done {
                            end: data.len() - rest.len(),
                            go: r.code.value() == 220,
                        };
                    }
                }
                GoAhead::Partial
            }
            Awaiting::Pop3(line) => match data.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    line.extend_from_slice(&data[..i]);
                    // RFC 2595 §4: +OK to STLS means "begin the negotiation".
                    GoAhead::Done {
                        end: i + 1,
                        go: line.starts_with(b"+OK"),
                    }
                }
                None => {
                    if line.len() < 4096 {
                        line.extend_from_slice(data);
                    }
                    GoAhead::Partial
                }
            },
        }
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf).await,
            Stream::Tls(s) => s.read(buf).await,
        }
    }
    async fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(b).await,
            Stream::Tls(s) => {
                s.write_all(b).await?;
                s.flush().await
            }
        }
    }
}

async fn run(
    opts: ConnectOptions,
    mut cmds: tmpsc::UnboundedReceiver<NetCmd>,
    ev: tmpsc::Sender<NetEvent>,
) {
    let addr = format!("{}:{}", opts.host, opts.port);
    let syn = std::time::Instant::now();
    let tcp = match tokio::time::timeout(opts.timeout, TcpStream::connect(&addr)).await {
        Err(_) => {
            return fail(
                &ev,
                NetFailure::ConnectTimeout {
                    addr,
                    secs: opts.timeout.as_secs(),
                },
            )
            .await;
        }
        Ok(Err(e)) => return fail(&ev, connect_error(addr, &e)).await,
        Ok(Ok(s)) => s,
    };
    let handshake_us = syn.elapsed().as_micros() as u64;
    let peer = tcp.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    let local = tcp.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let _ = ev
        .send(NetEvent::Connected {
            peer,
            local,
            handshake_us,
        })
        .await;
    let connector = match tls_connector(opts.insecure) {
        Ok(c) => c,
        Err(e) => return fail(&ev, e).await,
    };
    let mut stream = Stream::Plain(tcp);
    if opts.tls == TlsMode::Implicit {
        stream = match handshake(stream, &connector, &opts, &ev).await {
            Some(s) => s,
            None => return,
        };
    }
    let mut awaiting: Option<Awaiting> = None;
    // Lines typed while the reply to STARTTLS/STLS is awaited: they are
    // meant for the TLS session, so they wait for it.
    let mut held: Vec<Vec<u8>> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            cmd = cmds.recv() => match cmd {
                Some(NetCmd::Send(bytes)) if awaiting.is_some() => held.push(bytes),
                Some(NetCmd::Send(bytes)) => {
                    let word = String::from_utf8_lossy(&bytes).trim().to_ascii_uppercase();
                    if matches!(stream, Stream::Plain(_)) {
                        awaiting = match word.as_str() {
                            "STARTTLS" => Some(Awaiting::Smtp(Default::default())),
                            "STLS" => Some(Awaiting::Pop3(Vec::new())),
                            _ => None,
                        };
                    }
                    if let Err(e) = stream.write_all(&bytes).await {
                        return fail(&ev, io_failure(&addr, Stage::Write, &e)).await;
                    }
                }
                Some(NetCmd::Close) | None => return,
            },
            read = stream.read(&mut buf) => match read {
                Ok(0) => {
                    let _ = ev.send(NetEvent::Closed).await;
                    return;
                }
                Ok(n) => {
                    let data = &buf[..n];
                    let Some(wait) = awaiting.as_mut() else {
                        // Bounded: when the screen is behind, this waits,
                        // and the socket is not read meanwhile.
                        if ev.send(NetEvent::Data(data.to_vec())).await.is_err() {
                            return;
                        }
                        continue;
                    };
                    // Lines typed before this answer is handled were typed
                    // while it was awaited: they are held for TLS too, even
                    // when they and the answer were ready at once.
                    loop {
                        match cmds.try_recv() {
                            Ok(NetCmd::Send(bytes)) => held.push(bytes),
                            Ok(NetCmd::Close) => return,
                            Err(_) => break,
                        }
                    }
                    match wait.feed(data) {
                        GoAhead::Partial => {
                            let _ = ev.send(NetEvent::Data(data.to_vec())).await;
                        }
                        GoAhead::Done { end, go } => {
                            awaiting = None;
                            let _ = ev.send(NetEvent::Data(data[..end].to_vec())).await;
                            if !go {
                                // Refused: what was typed for TLS is not sent in clear.
                                if !held.is_empty() {
                                    let _ = ev.send(NetEvent::NotSent(held.len())).await;
                                    held.clear();
                                }
                                if end < n && ev.send(NetEvent::Data(data[end..].to_vec())).await.is_err() {
                                    return;
                                }
                                continue;
                            }
                            if end < n {
                                let _ = ev.send(NetEvent::Injected(n - end)).await;
                            }
                            stream = match handshake(stream, &connector, &opts, &ev).await {
                                Some(s) => s,
                                None => return,
                            };
                            for line in held.drain(..) {
                                if let Err(e) = stream.write_all(&line).await {
                                    return fail(&ev, io_failure(&addr, Stage::Write, &e)).await;
                                }
                            }
                        }
                    }
                }
                Err(e) => return fail(&ev, io_failure(&addr, Stage::Read, &e)).await,
            },
        }
    }
}

async fn fail(ev: &tmpsc::Sender<NetEvent>, why: NetFailure) {
    let _ = ev.send(NetEvent::Failed(why)).await;
}

pub(crate) fn connect_error(addr: String, e: &std::io::Error) -> NetFailure {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => NetFailure::Refused { addr },
        _ => io_failure(&addr, Stage::Connect, e),
    }
}

pub(crate) fn io_failure(addr: &str, stage: Stage, e: &std::io::Error) -> NetFailure {
    NetFailure::Io {
        addr: addr.to_string(),
        stage,
        kind: e.kind(),
        os: e.raw_os_error(),
    }
}

async fn handshake(
    stream: Stream,
    connector: &TlsConnector,
    opts: &ConnectOptions,
    ev: &tmpsc::Sender<NetEvent>,
) -> Option<Stream> {
    let Stream::Plain(tcp) = stream else {
        return Some(stream);
    };
    let name = match ServerName::try_from(opts.host.clone()) {
        Ok(n) => n,
        Err(_) => {
            fail(
                ev,
                NetFailure::BadServerName {
                    host: opts.host.clone(),
                },
            )
            .await;
            return None;
        }
    };
    match tokio::time::timeout(opts.timeout, connector.connect(name, tcp)).await {
        Err(_) => {
            fail(
                ev,
                NetFailure::TlsTimeout {
                    secs: opts.timeout.as_secs(),
                },
            )
            .await;
            None
        }
        Ok(Err(e)) => {
            fail(
                ev,
                NetFailure::Tls {
                    why: TlsFailure::from_io(&e),
                    insecure: opts.insecure,
                },
            )
            .await;
            None
        }
        Ok(Ok(s)) => {
            let (_, c) = s.get_ref();
            let (version, cipher) = crate::net::tls::tls_facts(c);
            let cert = c
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|der| cert_info(der));
            let _ = ev
                .send(NetEvent::Tls(Handshake {
                    version,
                    cipher,
                    verified: !opts.insecure,
                    cert,
                }))
                .await;
            Some(Stream::Tls(Box::new(s)))
        }
    }
}

pub(crate) fn tls_connector(insecure: bool) -> Result<TlsConnector, NetFailure> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|_| NetFailure::TlsConfig)?;
    let config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(TlsConnector::from(Arc::new(config)))
}

/// `--insecure`: any certificate is accepted (signatures are still checked).
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
