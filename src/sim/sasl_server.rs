//! The server side of a SASL exchange (PLAIN, LOGIN, CRAM-MD5), shared by
//! SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034): each protocol only wraps
//! the steps in its own reply lines (334/235/535 or "+ "/+OK/-ERR).

use crate::proto::sasl::cram_md5::{self, CramResponse};
use crate::proto::sasl::login::Prompt;
use crate::proto::sasl::plain::PlainCredentials;
use crate::proto::sasl::{SaslError, decode_client_response, encode_base64};

/// Looks up an account by login: (canonical account name, secret).
pub type Accounts<'a> = &'a dyn Fn(&str) -> Option<(String, String)>;

/// The mechanisms the simulator offers, in the order it announces them.
pub const MECHANISMS: [&str; 3] = ["PLAIN", "LOGIN", "CRAM-MD5"];

/// What happens after one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslStep {
    /// Send this challenge (already base64; may be empty) and wait.
    Challenge(String),
    /// Authenticated as this account.
    Success(String),
    /// Wrong credentials.
    Failure,
    /// The client sent `*` (RFC 4954 §4 / RFC 5034 §4).
    Cancelled,
    /// The client's line could not be decoded; says why.
    Malformed(&'static str),
}

/// Why an exchange could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// Not one of [`MECHANISMS`].
    Unsupported,
    /// CRAM-MD5 is server-first: no initial response.
    InitialResponseNotAllowed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Plain,
    LoginUser,
    LoginPassword { user: String },
    Cram { challenge: String },
}

/// One exchange in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaslServer {
    state: State,
}

impl SaslServer {
    /// Start `mechanism` (upper case). `nonce` and `host` make a CRAM-MD5 challenge.
    pub fn start(
        mechanism: &str,
        initial: Option<&str>,
        nonce: (u64, u64),
        host: &str,
        accounts: Accounts<'_>,
    ) -> Result<(SaslServer, SaslStep), StartError> {
        let state = match mechanism {
            "PLAIN" => State::Plain,
            "LOGIN" => State::LoginUser,
            "CRAM-MD5" if initial.is_some() => return Err(StartError::InitialResponseNotAllowed),
            "CRAM-MD5" => {
                let challenge = cram_md5::make_challenge(nonce.0, nonce.1, host);
                let encoded = encode_base64(challenge.as_bytes());
                return Ok((
                    SaslServer {
                        state: State::Cram { challenge },
                    },
                    SaslStep::Challenge(encoded),
                ));
            }
            _ => return Err(StartError::Unsupported),
        };
        let mut server = SaslServer { state };
        let step = match initial {
            Some(ir) => server.step(ir.as_bytes(), accounts),
            None => match server.state {
                State::LoginUser => SaslStep::Challenge(Prompt::Username.encoded()),
                _ => SaslStep::Challenge(String::new()),
            },
        };
        Ok((server, step))
    }

    /// Take the client's next line.
    pub fn step(&mut self, line: &[u8], accounts: Accounts<'_>) -> SaslStep {
        let text = String::from_utf8_lossy(line);
        let decoded = match decode_client_response(&text) {
            Ok(d) => d,
            Err(SaslError::Cancelled) => return SaslStep::Cancelled,
            Err(_) => return SaslStep::Malformed("invalid base64"),
        };
        let account = match &self.state {
            State::Plain => match PlainCredentials::from_message(&decoded) {
                Ok(c) => match accounts(&c.authcid) {
                    Some((account, secret))
                        if secret == c.password
                            && (c.authzid.is_empty()
                                || c.authzid.eq_ignore_ascii_case(&c.authcid)
                                || c.authzid.eq_ignore_ascii_case(&account)) =>
                    {
                        Some(account)
                    }
                    _ => None,
                },
                Err(_) => {
                    return SaslStep::Malformed(
                        "a PLAIN message is authzid NUL authcid NUL password",
                    );
                }
            },
            State::LoginUser => {
                let user = String::from_utf8_lossy(&decoded).to_string();
                self.state = State::LoginPassword { user };
                return SaslStep::Challenge(Prompt::Password.encoded());
            }
            State::LoginPassword { user } => match accounts(user) {
                Some((account, secret)) if secret.as_bytes() == decoded.as_slice() => Some(account),
                _ => None,
            },
            State::Cram { challenge } => match CramResponse::from_text(&decoded) {
                Ok(r) => match accounts(&r.user) {
                    Some((account, secret))
                        if r.verify(challenge.as_bytes(), secret.as_bytes()) =>
                    {
                        Some(account)
                    }
                    _ => None,
                },
                Err(_) => return SaslStep::Malformed("CRAM-MD5 expects \"user SP digest\""),
            },
        };
        match account {
            Some(a) => SaslStep::Success(a),
            None => SaslStep::Failure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(login: &str) -> Option<(String, String)> {
        (login == "fred" || login == "fred@free.fr")
            .then(|| ("fred@free.fr".to_string(), "fredpass".to_string()))
    }

    #[test]
    fn plain_login_and_cram() {
        let ir = PlainCredentials::new("", "fred", "fredpass")
            .encode()
            .unwrap();
        let (_, step) = SaslServer::start("PLAIN", Some(&ir), (1, 2), "h", &accounts).unwrap();
        assert_eq!(step, SaslStep::Success("fred@free.fr".into()));
        let (mut s, step) = SaslServer::start("LOGIN", None, (1, 2), "h", &accounts).unwrap();
        assert_eq!(step, SaslStep::Challenge("VXNlcm5hbWU6".into()));
        assert_eq!(
            s.step(b"ZnJlZA==", &accounts),
            SaslStep::Challenge("UGFzc3dvcmQ6".into())
        );
        assert_eq!(
            s.step(encode_base64(b"wrong").as_bytes(), &accounts),
            SaslStep::Failure
        );
        let (mut s, SaslStep::Challenge(c)) =
            SaslServer::start("CRAM-MD5", None, (7, 9), "smtp.free.fr", &accounts).unwrap()
        else {
            panic!()
        };
        let challenge = crate::proto::sasl::decode_base64(&c).unwrap();
        assert_eq!(challenge, b"<7.9@smtp.free.fr>");
        let resp = cram_md5::encode_response("fred", &challenge, b"fredpass");
        assert_eq!(
            s.step(resp.as_bytes(), &accounts),
            SaslStep::Success("fred@free.fr".into())
        );
        assert_eq!(
            SaslServer::start("CRAM-MD5", Some("x"), (1, 1), "h", &accounts).unwrap_err(),
            StartError::InitialResponseNotAllowed
        );
        assert_eq!(
            SaslServer::start("GSSAPI", None, (1, 1), "h", &accounts).unwrap_err(),
            StartError::Unsupported
        );
        let (mut s, _) = SaslServer::start("PLAIN", None, (1, 1), "h", &accounts).unwrap();
        assert_eq!(s.step(b"*", &accounts), SaslStep::Cancelled);
        assert!(matches!(s.step(b"%%%", &accounts), SaslStep::Malformed(_)));
        // An authzid naming someone else is refused.
        let ir = PlainCredentials::new("marc", "fred", "fredpass")
            .encode()
            .unwrap();
        assert_eq!(s.step(ir.as_bytes(), &accounts), SaslStep::Failure);
    }
}
