//! The header section of a message (RFC 5322 §2.2, §3.6), kept with byte
//! offsets: where each field starts and ends, and where the header section
//! ends — so an MTA can add a field in the right place and the explanation
//! can point at the exact bytes.

/// One header field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name as written, e.g. `Subject`.
    pub name: String,
    /// Offset of the first byte of the field's first line.
    pub start: usize,
    /// Offset just past the field's last line ending (unfolded lines included).
    pub end: usize,
}

/// The header section of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub fields: Vec<Field>,
    /// Offset where the header section ends (where a new field may go).
    pub end: usize,
    /// Whether an empty line separates the header from the body, as RFC 5322
    /// §2.1 requires when there is a body. The handout insists on it.
    pub blank_line: bool,
}

impl Header {
    /// Read the header section: field lines (`name: value`, continued by
    /// lines starting with space or tab) up to the first empty line or the
    /// first line that is not a field.
    pub fn parse(msg: &[u8]) -> Header {
        let mut fields: Vec<Field> = Vec::new();
        let mut pos = 0;
        while pos < msg.len() {
            let line_end = msg[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(msg.len(), |i| pos + i + 1);
            let line = &msg[pos..line_end];
            let content = line.strip_suffix(b"\n").unwrap_or(line);
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if content.is_empty() {
                return Header {
                    fields,
                    end: pos,
                    blank_line: true,
                };
            }
            if matches!(content.first(), Some(b' ' | b'\t')) {
                match fields.last_mut() {
                    Some(f) => {
                        f.end = line_end;
                        pos = line_end;
                        continue;
                    }
                    None => break,
                }
            }
            match field_name(content) {
                Some(name) => fields.push(Field {
                    name,
                    start: pos,
                    end: line_end,
                }),
                None => break,
            }
            pos = line_end;
        }
        Header {
            fields,
            end: pos,
            blank_line: false,
        }
    }

    /// Whether a field with this name (case-insensitive) is present.
    pub fn has(&self, name: &str) -> bool {
        self.fields
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The fields with this name, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
    }
}

/// The unfolded value of a field in `msg` (after the colon, trimmed).
pub fn field_value(msg: &[u8], field: &Field) -> String {
    let raw = String::from_utf8_lossy(msg.get(field.start..field.end).unwrap_or(&[]));
    let value = raw.split_once(':').map(|(_, v)| v).unwrap_or("");
    value
        .replace("\r\n", "")
        .replace('\n', "")
        .trim()
        .to_string()
}

/// RFC 5322 §3.6.8: `field-name = 1*ftext`, printable ASCII except ":".
fn field_name(line: &[u8]) -> Option<String> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = &line[..colon];
    if name.is_empty() || !name.iter().all(|&b| (33..=126).contains(&b)) {
        return None;
    }
    Some(String::from_utf8_lossy(name).to_string())
}

/// Insert header lines (each ending in CRLF) at the end of the header section.
pub fn add_fields(msg: &[u8], lines: &str) -> Vec<u8> {
    let header = Header::parse(msg);
    let mut out = Vec::with_capacity(msg.len() + lines.len());
    out.extend_from_slice(&msg[..header.end]);
    out.extend_from_slice(lines.as_bytes());
    out.extend_from_slice(&msg[header.end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_section_with_folding_and_blank_line() {
        let msg = b"Received: from a\r\n\tby b; date\r\nSubject: hi\r\n\r\nbody: not a header\r\n";
        let h = Header::parse(msg);
        assert_eq!(h.fields.len(), 2);
        assert!(h.blank_line);
        assert_eq!(h.fields[0].end, 31);
        assert_eq!(field_value(msg, &h.fields[0]), "from a\tby b; date");
        assert_eq!(&msg[h.end..h.end + 2], b"\r\n");
        assert!(h.has("subject"));
    }

    #[test]
    fn the_handouts_missing_blank_line() {
        // "Subject: Test SMTP" then the text straight away (III.3).
        let msg = b"From: \"Roux Benjamin\" <benja.roux@wanadoo.fr>\r\nSubject: Test SMTP\r\nTest SMTP\r\n";
        let h = Header::parse(msg);
        assert_eq!(h.fields.len(), 2);
        assert!(!h.blank_line);
        let with = add_fields(msg, "Date: x\r\n");
        assert!(with.ends_with(b"Subject: Test SMTP\r\nDate: x\r\nTest SMTP\r\n"));
    }
}
