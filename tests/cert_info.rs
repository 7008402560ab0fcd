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
