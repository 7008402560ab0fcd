//! Bytes made safe to show: a server may send terminal escape sequences, NUL
//! or invalid UTF-8, and facteur shows them, never executes them.
//!
//! C0 controls become their Unicode "control pictures" (NUL → ␀, ESC → ␛),
//! DEL becomes ␡, C1 controls and the bidirectional overrides that could
//! reorder a line on screen become `⟨U+202E⟩`, and bytes that are not UTF-8
//! become `⟨FF⟩`. Everything else passes as is.

/// Render bytes as a single safe line of text.
pub fn visible(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_char(&mut out, c);
        }
        for b in chunk.invalid() {
            out.push_str(&format!("⟨{b:02X}⟩"));
        }
    }
    out
}

/// Render a string that is already UTF-8.
pub fn visible_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_char(&mut out, c);
    }
    out
}

/// Render text of several lines for a terminal: line breaks and tabs stay,
/// every other control (ESC of an escape sequence, OSC 52's BEL, a bare CR
/// that would overwrite the line, C1 controls, bidi overrides) is made
/// visible. The CLI passes everything it prints through this, whatever
/// the input file held.
pub fn visible_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            _ => push_char(&mut out, c),
        }
    }
    out
}

/// Whether the bytes would show exactly as they are (printable UTF-8 only).
pub fn is_plain_text(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().all(|c| !needs_escape(c)),
        Err(_) => false,
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn push_char(out: &mut String, c: char) {
    let code = c as u32;
    match c {
        '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + code).unwrap_or('?')),
        '\u{7f}' => out.push('␡'),
        _ if needs_escape(c) => out.push_str(&format!("⟨U+{code:04X}⟩")),
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_its_lines_but_no_escape() {
        assert_eq!(
            visible_text("a\n\u{1b}]52;c;SGVsbG8=\u{7}b\tc\r"),
            "a\n␛]52;c;SGVsbG8=␇b\tc␍"
        );
    }

    #[test]
    fn controls_and_escapes_are_shown_not_executed() {
        assert_eq!(visible(b"test\0test\x001234"), "test␀test␀1234");
        assert_eq!(visible(b"\x1b[2J\x07"), "␛[2J␇");
        assert_eq!(visible(b"a\r\n\t\x7f"), "a␍␊␉␡");
        assert_eq!(visible("\u{9b}x\u{202e}y".as_bytes()), "⟨U+009B⟩x⟨U+202E⟩y");
        assert_eq!(visible(b"\xff\xfeok"), "⟨FF⟩⟨FE⟩ok");
        assert_eq!(visible("élève".as_bytes()), "élève");
        assert!(!visible(b"\x1b").contains('\x1b'));
    }

    #[test]
    fn plain_text() {
        assert!(is_plain_text("Username: é".as_bytes()));
        assert!(!is_plain_text(b"a\0b"));
        assert!(!is_plain_text(b"\xd9"));
    }
}
