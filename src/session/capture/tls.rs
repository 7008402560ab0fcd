//! A look at the TLS part of a captured session without decrypting it: its
//! records counted (RFC 8446 §5.1) and the two hellos, which travel in
//! clear, read for the version, the server name (SNI, RFC 6066 §3) and the
//! cipher suite chosen (RFC 8446 §4.1.2, §4.1.3; RFC 5246 §7.4.1).

use crate::session::transcript::Sealed;

/// The most of the first handshake messages kept to read a hello.
const MAX_HELLO: usize = 16 << 10;

/// One direction's TLS octets, fed as they come.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// The record header being read (5 octets) and what of it has come.
    header: [u8; 5],
    have: usize,
    /// Octets of the current record's body still to come.
    body_left: usize,
    /// The current record is a handshake record.
    in_handshake: bool,
    /// The bodies of the first handshake records, up to [`MAX_HELLO`].
    pub hello: Vec<u8>,
    hello_done: bool,
    pub records: u64,
    pub bytes: u64,
    /// The octets stopped looking like TLS records (or a gap broke them).
    lost: bool,
}

impl Records {
    pub fn feed(&mut self, mut data: &[u8]) {
        self.bytes += data.len() as u64;
        while !data.is_empty() && !self.lost {
            if self.body_left > 0 {
                let n = self.body_left.min(data.len());
                if self.in_handshake && !self.hello_done {
                    let room = MAX_HELLO.saturating_sub(self.hello.len());
                    self.hello.extend_from_slice(&data[..n.min(room)]);
                }
                self.body_left -= n;
                data = &data[n..];
                continue;
            }
            let n = (5 - self.have).min(data.len());
            self.header[self.have..self.have + n].copy_from_slice(&data[..n]);
            self.have += n;
            data = &data[n..];
            if self.have == 5 {
                self.have = 0;
                let [kind, major, _, hi, lo] = self.header;
                // Content types 20–24, version 3.x (RFC 8446 §5.1).
                if !(20..=24).contains(&kind) || major != 3 {
                    self.lost = true;
                    break;
                }
                self.records += 1;
                self.body_left = usize::from(u16::from_be_bytes([hi, lo]));
                self.in_handshake = kind == 22;
                if kind != 22 && !self.hello.is_empty() {
                    self.hello_done = true;
                }
            }
        }
    }

    /// Octets are missing here: records cannot be counted past this.
    pub fn gap(&mut self) {
        self.lost = true;
    }
}

/// A TLS version's name.
fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        _ => format!("0x{v:04x}"),
    }
}

/// The name of a common cipher suite (IANA TLS Cipher Suites registry).
fn cipher_name(c: u16) -> String {
    let name = match c {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        _ => return format!("0x{c:04x}"),
    };
    name.to_string()
}

/// A cursor over a hello, every read checked.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<usize> {
        self.take(1).map(|b| usize::from(b[0]))
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(n)
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = usize::from(self.u16()?);
        self.take(n)
    }
}

/// GREASE values (RFC 8701) say nothing about the client.
fn grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a
}

/// The hello message of `hello` if it is of `kind` (1 ClientHello, 2
/// ServerHello): its body after the legacy version, and that version.
fn message(hello: &[u8], kind: u8) -> Option<(u16, Cursor<'_>)> {
    let mut c = Cursor(hello);
    if c.u8()? != usize::from(kind) {
        return None;
    }
    let len = c.take(3)?;
    let len = (usize::from(len[0]) << 16) | (usize::from(len[1]) << 8) | usize::from(len[2]);
    let body = c.0.get(..len).unwrap_or(c.0);
    let mut c = Cursor(body);
    let legacy = c.u16()?;
    c.take(32)?; // random
    c.vec8()?; // legacy_session_id
    Some((legacy, c))
}

/// The extensions of a hello: (type, data).
fn extensions(mut c: Cursor<'_>) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    let Some(all) = c.vec16() else {
        return out;
    };
    let mut c = Cursor(all);
    while let (Some(t), Some(d)) = (c.u16(), c.vec16()) {
        out.push((t, d));
    }
    out
}

/// What the ClientHello says: the server name and the highest version offered.
pub fn client_hello(hello: &[u8], into: &mut Sealed) {
    let Some((legacy, mut c)) = message(hello, 1) else {
        return;
    };
    let mut offered = legacy;
    let rest = (|| {
        c.vec16()?; // cipher_suites
        c.vec8()?; // legacy_compression_methods
        Some(c)
    })();
    for (t, d) in rest.map(extensions).unwrap_or_default() {
        match t {
            // server_name: a list of (type 0 = host_name, name).
            0 => {
                let mut c = Cursor(d);
                let name = c.vec16().and_then(|l| {
                    let mut l = Cursor(l);
                    (l.u8()? == 0).then_some(())?;
                    l.vec16()
                });
                if let Some(n) = name {
                    into.sni = Some(String::from_utf8_lossy(n).to_string());
                }
            }
            // supported_versions (RFC 8446 §4.2.1): the versions offered.
            43 => {
                let mut c = Cursor(d);
                if let Some(list) = c.vec8() {
                    let mut l = Cursor(list);
                    while let Some(v) = l.u16() {
                        if !grease(v) {
                            offered = offered.max(v);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    into.offered = Some(version_name(offered));
}

/// What the ServerHello says: the version and the cipher suite chosen.
pub fn server_hello(hello: &[u8], into: &mut Sealed) {
    let Some((legacy, mut c)) = message(hello, 2) else {
        return;
    };
    let mut version = legacy;
    let Some(cipher) = c.u16() else {
        return;
    };
    into.cipher = Some(cipher_name(cipher));
    if c.u8().is_some() {
        for (t, d) in extensions(c) {
            // supported_versions in a ServerHello: the one chosen.
            if t == 43
                && let Some(v) = Cursor(d).u16()
            {
                version = v;
            }
        }
    }
    into.version = Some(version_name(version));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ClientHello with SNI and supported_versions (TLS 1.3, 1.2, GREASE).
    fn client_hello_record(sni: &str) -> Vec<u8> {
        let name = sni.as_bytes();
        let mut sni_ext = vec![0, 0];
        let list_len = (name.len() + 3) as u16;
        sni_ext.extend_from_slice(&(list_len + 2).to_be_bytes());
        sni_ext.extend_from_slice(&list_len.to_be_bytes());
        sni_ext.push(0);
        sni_ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
        sni_ext.extend_from_slice(name);
        let versions = [0, 43, 0, 7, 6, 0x0a, 0x0a, 3, 4, 3, 3];
        let mut exts = sni_ext;
        exts.extend_from_slice(&versions);
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.push(0);
        body.extend_from_slice(&[0, 2, 0x13, 0x01, 1, 0]);
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut msg = vec![1, 0, (body.len() >> 8) as u8, body.len() as u8];
        msg.extend_from_slice(&body);
        let mut rec = vec![22, 3, 1];
        rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        rec.extend_from_slice(&msg);
        rec
    }

    #[test]
    fn hellos_read_in_clear_and_records_counted_across_chunks() {
        let mut r = Records::default();
        let rec = client_hello_record("smtp.free.fr");
        for part in rec.chunks(7) {
            r.feed(part);
        }
        r.feed(&[23, 3, 3, 0, 2, 0xaa, 0xbb]);
        assert_eq!((r.records, r.bytes), (2, rec.len() as u64 + 7));
        let mut s = Sealed::default();
        client_hello(&r.hello, &mut s);
        assert_eq!(s.sni.as_deref(), Some("smtp.free.fr"));
        assert_eq!(s.offered.as_deref(), Some("TLS 1.3"));
        // Not TLS: counting stops, nothing is made up.
        let mut r = Records::default();
        r.feed(b"EHLO x\r\n");
        assert_eq!(r.records, 0);
    }
}
