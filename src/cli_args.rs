//! The command line's grammar: every subcommand of `facteur` and its
//! options, as clap derives them (`cli_help` puts the catalog's French and
//! English on their help; `main` dispatches).

use clap::{Parser, Subcommand};

use crate::explain::Lang;

#[derive(Parser)]
#[command(
    name = "facteur",
    version,
    about = "Telnet with annotations: learn SMTP and POP3 by hand"
)]
pub struct Cli {
    /// Language of the output: fr or en (default: from LC_ALL / LC_MESSAGES / LANG)
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<Lang>,
    /// Save the TUI session as a JSON transcript when it ends
    #[arg(long, global = true, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Decode a base64 string and say what it is (AUTH PLAIN, LOGIN, CRAM-MD5…)
    Decode {
        /// The base64 string, e.g. dGVzdAB0ZXN0ADEyMzQ=
        string: String,
    },
    /// Connect to a real server: facteur connect HOST[:PORT] [--tls | --starttls] [--insecure]
    Connect {
        /// The server, e.g. smtp.example.org:587 or 127.0.0.1:2525 (port 25 if none)
        target: String,
        /// smtp or pop3 (guessed from the port when not given)
        #[arg(long)]
        proto: Option<String>,
        /// TLS from the first byte (implicit TLS, ports 465 and 995)
        #[arg(long, conflicts_with = "starttls")]
        tls: bool,
        /// Start in clear and upgrade with STARTTLS / STLS when you type it
        #[arg(long)]
        starttls: bool,
        /// Accept any certificate (a lab's self-signed one); shown on screen
        #[arg(long)]
        insecure: bool,
    },
    /// Explain one line: a server reply (e.g. "535 5.7.8 …"), an EHLO line or a command
    Explain {
        /// The line, in quotes
        // OsString: a server's 8-bit text (Latin-1) pasted here is read
        // with U+FFFD for what is not UTF-8, not refused.
        #[arg(allow_hyphen_values = true)]
        line: std::ffi::OsString,
    },
    /// Explain a message's header fields, its Received route and its MIME structure
    Headers {
        /// The message file (.eml), or - for standard input
        file: String,
    },
    /// Build the base64 string for AUTH PLAIN or AUTH LOGIN
    Encode {
        #[command(subcommand)]
        mechanism: Mechanism,
    },
    /// Compute (or check) a CRAM-MD5 response, step by step
    #[command(name = "cram-md5")]
    CramMd5 {
        /// The server's challenge, base64 as after "334 " (or the decoded <…@…> form)
        #[arg(long)]
        challenge: String,
        /// The user name
        #[arg(long)]
        user: String,
        /// The shared secret (password)
        #[arg(long)]
        secret: String,
        /// A client response (base64) to check against the challenge and secret
        #[arg(long)]
        response: Option<String>,
    },
    /// Run the simulated world on TCP for a lab room (SMTP and POP3)
    Serve(crate::net::serve::ServeArgs),
    /// Relay a real mail client to an SMTP/POP3 server, reading and explaining its whole dialogue (STARTTLS intercepted)
    Proxy(crate::net::proxy::ProxyArgs),
    /// Write a transcript or a capture as an annotated report (Markdown or HTML) or as pcapng
    Export {
        /// The transcript (.json) or the capture (.pcap, .pcapng)
        file: std::path::PathBuf,
        /// md, html or pcapng
        #[arg(long, default_value = "html")]
        format: String,
        /// Where to write (standard output if not given)
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
        #[command(flatten)]
        capture: CaptureArgs,
    },
    /// Lessons: list them, run one (facteur lesson 01), check a file (facteur lesson check FILE)
    Lesson {
        /// nothing (the list), an id or a .json file, or check FILE
        args: Vec<String>,
        /// A teacher's folder of lessons (*.json)
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Replay a recorded or captured session with the full explanation, line by line
    Replay {
        /// The transcript (.json) or the capture (.pcap, .pcapng)
        file: std::path::PathBuf,
        /// List the mail sessions of the capture
        #[arg(long)]
        list: bool,
        #[command(flatten)]
        capture: CaptureArgs,
    },
    /// Compute an APOP digest (POP3, RFC 1939 §7)
    Apop {
        /// The timestamp <…@…> from the server's greeting (or the whole greeting)
        #[arg(long)]
        timestamp: String,
        /// The shared secret (password)
        #[arg(long)]
        secret: String,
        /// The user name, to print the whole APOP command
        #[arg(long)]
        user: Option<String>,
    },
}

/// Which session of a capture (pcap, pcapng) to open.
#[derive(clap::Args)]
pub struct CaptureArgs {
    /// The number of the session in the capture (see replay --list)
    #[arg(long, value_name = "N")]
    pub stream: Option<usize>,
    /// One more port to look for SMTP or POP3 on (repeatable)
    #[arg(long, value_name = "PORT")]
    pub port: Vec<u16>,
}

impl CaptureArgs {
    pub fn options(&self) -> crate::session::capture::Options {
        crate::session::capture::Options {
            ports: self.port.clone(),
            stream: self.stream,
        }
    }
}

#[derive(Subcommand)]
pub enum Mechanism {
    /// AUTH PLAIN: authzid NUL authcid NUL password, in base64 (RFC 4616)
    Plain {
        /// The login (authcid)
        #[arg(long)]
        user: String,
        /// The password
        #[arg(long)]
        password: String,
        /// Identity to act as (authzid); empty by default
        #[arg(long)]
        authzid: Option<String>,
    },
    /// AUTH LOGIN: user name and password, each in base64
    Login {
        /// The user name
        #[arg(long)]
        user: String,
        /// The password
        #[arg(long)]
        password: String,
    },
}
