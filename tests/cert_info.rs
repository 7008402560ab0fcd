//! The certificate facts a TLS event shows, read from a certificate made
//! here with known fields (expected values written by hand).

use facteur::net::client::cert_info;

#[test]
fn subject_issuer_validity_and_names_are_read() {
    let mut params =
        rcgen::CertificateParams::new(vec!["smtp.free.fr".into(), "mail.free.fr".into()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2026, 3, 29);
    params.not_after = rcgen::date_time_ymd(2027, 12, 31);
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "smtp.free.fr");
    dn.push(rcgen::DnType::OrganizationName, "Free");
    params.distinguished_name = dn;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let info = cert_info(cert.der()).expect("the certificate parses");
    // RFC 4514: the most specific RDN first.
    assert!(info.subject.contains("CN=smtp.free.fr"), "{info:?}");
    assert!(info.subject.contains("O=Free"), "{info:?}");
    assert_eq!(info.issuer, info.subject, "self-signed");
    assert_eq!(info.not_before, "2026-03-29 00:00:00 UTC");
    assert_eq!(info.not_after, "2027-12-31 00:00:00 UTC");
    assert_eq!(info.names, ["smtp.free.fr", "mail.free.fr"]);
}

#[test]
fn what_is_not_a_certificate_gives_none() {
    assert!(cert_info(b"").is_none());
    assert!(cert_info(b"\x30\x03\x02\x01\x01").is_none());
    assert!(cert_info(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
}

/// The lab servers' own certificate (built from x509-cert's parts and
/// signed by ring): what cert_info reads of it, written by hand, and a
/// real TLS handshake in memory in which rustls's verifier (webpki) checks
/// its signature, its validity and its names against itself as the root —
/// what a student's client does with `--cacert`.
#[test]
fn the_lab_certificate_says_what_it_is_and_a_verifier_accepts_it() {
    // 2026-03-29 00:00:00 and 2027-03-29 12:30:05 UTC (Python's
    // calendar.timegm).
    let (der, _key) = facteur::net::tls::certificate(
        &["smtp.lab.test".into(), "192.0.2.7".into()],
        "lab, \"A\" + B",
        1_774_742_400,
        1_806_323_405,
    )
    .unwrap();
    let info = cert_info(&der).expect("the certificate parses");
    assert!(
        info.subject.contains(r#"CN=lab\, \"A\" \+ B"#),
        "RFC 4514 escapes: {info:?}"
    );
    assert!(info.subject.contains("O=facteur"), "{info:?}");
    assert_eq!(info.issuer, info.subject, "self-signed");
    assert_eq!(info.not_before, "2026-03-29 00:00:00 UTC");
    assert_eq!(info.not_after, "2027-03-29 12:30:05 UTC");
    assert_eq!(info.names, ["smtp.lab.test"], "the DNS names");

    // Verified as a client verifies it (against the real clock): one made
    // valid around now is accepted for its DNS name and its address, not
    // for another name; one whose validity ended yesterday is refused.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let names = ["smtp.lab.test".to_string(), "192.0.2.7".to_string()];
    let current = facteur::net::tls::certificate(&names, "lab", now - 3600, now + 3600).unwrap();
    handshake(&current, "smtp.lab.test").expect("the DNS name verifies");
    handshake(&current, "192.0.2.7").expect("the IP address verifies (iPAddress)");
    let wrong = handshake(&current, "other.lab.test").unwrap_err();
    assert!(
        format!("{wrong:?}").contains("NotValidForName"),
        "{wrong:?}"
    );
    let old =
        facteur::net::tls::certificate(&names, "lab", now - 2 * 86_400, now - 86_400).unwrap();
    let expired = handshake(&old, "smtp.lab.test").unwrap_err();
    assert!(format!("{expired:?}").contains("Expired"), "{expired:?}");
}

/// A TLS handshake in memory between rustls's client, trusting only
/// `cert`, and a server presenting it.
fn handshake((der, key): &(Vec<u8>, Vec<u8>), name: &'static str) -> Result<(), rustls::Error> {
    use std::sync::Arc;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(der.clone()))
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![der.clone().into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.clone().into()),
        )
        .unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut c = rustls::ClientConnection::new(
        Arc::new(client),
        rustls::pki_types::ServerName::try_from(name).unwrap(),
    )?;
    let mut s = rustls::ServerConnection::new(Arc::new(server))?;
    for _ in 0..10 {
        let mut buf = Vec::new();
        c.write_tls(&mut buf).unwrap();
        s.read_tls(&mut &buf[..]).unwrap();
        s.process_new_packets()?;
        let mut buf = Vec::new();
        s.write_tls(&mut buf).unwrap();
        c.read_tls(&mut &buf[..]).unwrap();
        c.process_new_packets()?;
        if !c.is_handshaking() && !s.is_handshaking() {
            return Ok(());
        }
    }
    panic!("the handshake did not end");
}
