//! Reading the project's JSON files (lessons, worlds, transcripts) with
//! errors that name the place: line, column, the path of the value
//! (`steps[2].check.reply.code`, from serde_path_to_error: a teacher finds
//! the field without counting lines) and what serde expected there.

/// Where a JSON error is and what it says, without serde's own "at line …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    /// Where in the document's structure, e.g. `steps[2].check.reply.code`
    /// (empty at the top level).
    pub path: String,
    pub message: String,
}

/// Parse `text`; an error says where, by line and column and by path.
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Place> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let mut place = Place::from(e.inner());
        place.path = if path == "." { String::new() } else { path };
        place
    })
}

impl From<&serde_json::Error> for Place {
    fn from(e: &serde_json::Error) -> Place {
        Place {
            line: e.line(),
            column: e.column(),
            path: String::new(),
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
        let problem = crate::explain::diag::json_problem(lang, &self.message);
        if self.path.is_empty() {
            crate::explain::fill(lang, "diag.json.at", &[&self.line, &self.column, &problem])
        } else {
            crate::explain::fill(
                lang,
                "diag.json.at_path",
                &[&self.line, &self.column, &self.path, &problem],
            )
        }
    }
}
