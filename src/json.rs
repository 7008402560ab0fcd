//! Reading the project's JSON files (worlds, transcripts) with errors that
//! name the place: line, column, and what serde expected there.

/// Where a JSON error is and what it says, without serde's own "at line …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl From<&serde_json::Error> for Place {
    fn from(e: &serde_json::Error) -> Place {
        Place {
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        }
    }
}

impl Place {
    /// The place and the problem, in `lang`.
    pub fn describe(&self, lang: crate::explain::Lang) -> String {
        crate::explain::fill(
            lang,
            "diag.json.at",
            &[
                &self.line,
                &self.column,
                &crate::explain::diag::json_problem(lang, &self.message),
            ],
        )
    }
}
