//! STARTTLS/STLS intercepted, openly: TLS with the upstream first, then
//! the go-ahead to the client and TLS with it under facteur's own
//! certificate (RFC 3207 §4, RFC 2595 §4). In real life this is a
//! man-in-the-middle attack; the explanation of the handshake says so.

use super::*;
use crate::net::failure::TlsFailure;

/// The go-ahead came: TLS with the upstream first (if it fails, the client
/// has not been told to start TLS and can still be answered in clear),
/// then the go-ahead to the client and TLS with it, with facteur's
/// certificate. Returns the client-side handshake (for the session) and a
/// summary of the upstream's; or whether the client can still be answered,
/// and why it failed.
pub(super) async fn intercept(
    client: &mut ClientSide,
    up: &mut UpSide,
    go_ahead: &[u8],
    shared: &Shared,
) -> Result<(Handshake, String), (bool, End)> {
    let tcp = up.take_plain().ok_or((true, End::TlsInsideTls))?;
    let (tls, summary) = upstream_tls(tcp, shared).await.map_err(|e| (true, e))?;
    *up = Side::Tls(Box::new(tls));
    client
        .write_all(go_ahead)
        .await
        .map_err(|_| (false, End::ClientClosed))?;
    let tcp = client.take_plain().ok_or((false, End::TlsInsideTls))?;
    let (tls, h) = client_tls(tcp, shared).await.map_err(|e| (false, e))?;
    *client = Side::Tls(Box::new(tls));
    Ok((h, summary))
}

/// TLS with the upstream, as a client: the stream and a summary for the log.
pub(super) async fn upstream_tls(
    tcp: TcpStream,
    shared: &Shared,
) -> Result<(tokio_rustls::client::TlsStream<TcpStream>, String), End> {
    let name = ServerName::try_from(shared.host.clone()).map_err(|_| {
        End::UpstreamTls(NetFailure::BadServerName {
            host: shared.host.clone(),
        })
    })?;
    let tls = match tokio::time::timeout(
        shared.cfg.handshake_timeout,
        shared.connector.connect(name, tcp),
    )
    .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return Err(End::UpstreamTls(NetFailure::Tls {
                why: TlsFailure::from_io(&e),
                insecure: shared.cfg.insecure,
            }));
        }
        Err(_) => {
            return Err(End::UpstreamTls(NetFailure::TlsTimeout {
                secs: shared.cfg.handshake_timeout.as_secs(),
            }));
        }
    };
    let (uv, uc) = crate::net::tls::tls_facts(tls.get_ref().1);
    let up_cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|d| crate::net::client::cert_info(d))
        .map(|c| c.subject)
        .unwrap_or_default();
    let verified = if shared.cfg.insecure {
        "not verified"
    } else {
        "verified"
    };
    Ok((tls, format!("{uv} {uc}, upstream {up_cert} {verified}")))
}

/// TLS with the client, as the server, with facteur's interception
/// certificate: the stream and the handshake for the session.
pub(super) async fn client_tls(
    tcp: TcpStream,
    shared: &Shared,
) -> Result<(tokio_rustls::server::TlsStream<TcpStream>, Handshake), End> {
    let tls = match tokio::time::timeout(shared.cfg.handshake_timeout, shared.acceptor.accept(tcp))
        .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(End::ClientTls(Some(TlsFailure::from_io(&e)))),
        Err(_) => return Err(End::ClientTls(None)),
    };
    let (version, cipher) = crate::net::tls::tls_facts(tls.get_ref().1);
    let h = Handshake {
        version,
        cipher,
        // The client accepted a certificate no authority vouches for.
        verified: false,
        cert: crate::net::client::cert_info(&shared.cert_der),
    };
    Ok((tls, h))
}
