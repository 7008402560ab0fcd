//! TLS for the simulated servers: a self-signed certificate made at start
//! for every host name of the world, served by rustls with the ring
//! provider only.
//!
//! The certificate is built here from x509-cert's typed parts (names,
//! validity, subject public key, extensions) and signed by ring's ECDSA
//! P-256 — the same key type and signature as rcgen's default, which did
//! this before: rcgen and its `time`/`yasna` tree were ~8 s of a student's
//! first build for one certificate.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use x509_cert::der::asn1::{BitString, Ia5String, ObjectIdentifier, OctetString, UtcTime};
use x509_cert::der::{Any, Encode};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

use crate::explain::Lang;
use crate::explain::catalog::{fill, text};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot make the certificate: {0:?}")]
    Certificate(CertError),
    #[error("cannot configure TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Why the self-signed certificate could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertError {
    /// The system gave no random numbers (for the key or the serial).
    Random,
    /// The clock is outside 1950–2049, the years a UTCTime can say (RFC
    /// 5280 §4.1.2.5: dates before 2050 are UTCTime).
    Dates,
    /// A host name a certificate cannot carry: dNSName is IA5String, ASCII
    /// only (RFC 5280 §4.2.1.6; an accented name is written xn--…, RFC 5890).
    Name(String),
    /// The DER encoder refused a part (never seen; its words, technical).
    Encoding(String),
}

impl TlsSetupError {
    /// In the user's language.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            TlsSetupError::Certificate(CertError::Random) => text(lang, "net.cert.random"),
            TlsSetupError::Certificate(CertError::Dates) => text(lang, "net.cert.dates"),
            TlsSetupError::Certificate(CertError::Name(n)) => fill(lang, "net.cert.name", &[n]),
            TlsSetupError::Certificate(CertError::Encoding(e)) => {
                fill(lang, "net.cert.encoding", &[e])
            }
            TlsSetupError::Rustls(e) => fill(lang, "net.cert.rustls", &[e]),
        }
    }
}

/// A server configuration and the certificate in PEM (to give to clients).
pub struct ServerTls {
    pub config: Arc<ServerConfig>,
    pub cert_pem: String,
    /// The certificate (DER), to describe it in a handshake event.
    pub cert_der: Vec<u8>,
}

/// Make a self-signed certificate for `names` and a rustls server config.
/// It says what it is (CN "facteur lab … self-signed", organisation
/// "facteur") and is valid from yesterday for one year, so that what a
/// student reads in the TLS event looks like a real certificate's.
pub fn self_signed(names: Vec<String>) -> Result<ServerTls, TlsSetupError> {
    self_signed_as(names, "facteur lab server (self-signed)")
}

/// The same with another common name: `facteur proxy` says in its
/// certificate that it intercepts ([`crate::proto::tls::PROXY_CN`]).
pub fn self_signed_as(names: Vec<String>, common_name: &str) -> Result<ServerTls, TlsSetupError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // From yesterday (a client whose clock is a little behind still
    // accepts it) for 365 days.
    let from = now.saturating_sub(86_400);
    let (cert_der, key) = certificate(&names, common_name, from, from + 365 * 86_400)
        .map_err(TlsSetupError::Certificate)?;
    let cert_pem = pem("CERTIFICATE", &cert_der);
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
            )?;
    Ok(ServerTls {
        config: Arc::new(config),
        cert_pem,
        cert_der,
    })
}

/// id-ecPublicKey, prime256v1 and ecdsa-with-SHA256 (RFC 5480 §2.1.1,
/// RFC 5758 §3.2).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// id-ce-subjectAltName (RFC 5280 §4.2.1.6).
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");

/// RFC 5280 §4.1: TBSCertificate, in the order the RFC gives its fields.
#[derive(der::Sequence)]
struct TbsCertificate {
    /// v3 (the value 2), because of the extensions (§4.1.2.1).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

/// RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate,
/// signatureAlgorithm, signatureValue }.
#[derive(der::Sequence)]
struct Certificate {
    tbs_certificate: TbsCertificate,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// A self-signed certificate (DER) for `names`, subject and issuer
/// "CN=`common_name`, O=facteur", valid from `from` to `until` (Unix
/// seconds), and its private key (PKCS #8 DER). A name that is an IP
/// address goes in the subjectAltName as one (§4.2.1.6: clients check an
/// address against iPAddress entries, not dNSName ones).
pub fn certificate(
    names: &[String],
    common_name: &str,
    from: u64,
    until: u64,
) -> Result<(Vec<u8>, Vec<u8>), CertError> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| CertError::Random)?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|e| CertError::Encoding(e.to_string()))?;
    let e = |e: x509_cert::der::Error| CertError::Encoding(e.to_string());
    let time = |secs: u64| {
        UtcTime::from_unix_duration(Duration::from_secs(secs))
            .map(Time::from)
            .map_err(|_| CertError::Dates)
    };
    // §4.1.2.2: a positive integer of at most 20 octets, unique per
    // issuer: 16 random octets, the first one's high bit clear.
    let mut serial = [0u8; 16];
    rng.fill(&mut serial).map_err(|_| CertError::Random)?;
    serial[0] = (serial[0] & 0x7f) | 0x01;
    let name: Name = format!("CN={},O=facteur", rfc4514_escape(common_name))
        .parse()
        .map_err(e)?;
    let alt_names = names
        .iter()
        .map(|n| match n.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(a)) => OctetString::new(a.octets())
                .map(GeneralName::IpAddress)
                .map_err(e),
            Ok(std::net::IpAddr::V6(a)) => OctetString::new(a.octets())
                .map(GeneralName::IpAddress)
                .map_err(e),
            Err(_) => Ia5String::new(n)
                .map(GeneralName::DnsName)
                .map_err(|_| CertError::Name(n.clone())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let signature_algorithm = AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        parameters: None,
    };
    let tbs = TbsCertificate {
        version: 2,
        serial_number: SerialNumber::new(&serial).map_err(e)?,
        signature: signature_algorithm.clone(),
        issuer: name.clone(),
        validity: Validity::new(time(from)?, time(until)?),
        subject: name,
        subject_public_key_info: SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: EC_PUBLIC_KEY,
                parameters: Some(Any::from(&PRIME256V1)),
            },
            subject_public_key: BitString::from_bytes(key.public_key().as_ref()).map_err(e)?,
        },
        extensions: vec![Extension {
            extn_id: SUBJECT_ALT_NAME,
            critical: false,
            extn_value: OctetString::new(SubjectAltName(alt_names).to_der().map_err(e)?)
                .map_err(e)?,
        }],
    };
    let signed = key
        .sign(&rng, &tbs.to_der().map_err(e)?)
        .map_err(|_| CertError::Random)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm,
        signature: BitString::from_bytes(signed.as_ref()).map_err(e)?,
    };
    Ok((cert.to_der().map_err(e)?, pkcs8.as_ref().to_vec()))
}

/// RFC 4514 §2.4: the characters a distinguished name's value escapes.
fn rfc4514_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let edge = (i == 0 && (c == ' ' || c == '#')) || (i == last && c == ' ');
        if edge || matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// RFC 7468: the textual encoding (base64 in lines of 64 characters).
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The TLS facts of a connection (either side): version and cipher, as
/// rustls names them.
pub(crate) fn tls_facts(c: &rustls::CommonState) -> (String, String) {
    let version = c
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    let cipher = c
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    (version, cipher)
}
