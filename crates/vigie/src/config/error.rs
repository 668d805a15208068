//! Configuration errors, each naming the file, the line and the field.

use std::io;
use std::ops::Range;
use std::path::PathBuf;

/// Why a configuration was refused. Never holds a secret: messages quote addresses, names
/// and keywords, not communities or passwords.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Not TOML, an unknown field, or a value of the wrong type.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file, as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// The TOML parser's message.
        message: String,
    },
    /// A value that parses but is not valid for its field.
    #[error("{file}:{line}: {field}: {message}")]
    Invalid {
        /// The file, as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// `[section] field`, e.g. `[receiver] listen`.
        field: String,
        /// What is wrong, e.g. `invalid address "x"`.
        message: String,
    },
}

impl ConfigError {
    /// A TOML parser error at `span` of `text`.
    pub(crate) fn syntax(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: &str,
    ) -> Self {
        Self::Syntax {
            file: file.to_owned(),
            line: span.map_or(1, |span| line_of(text, span.start)),
            message: message.trim_end().to_owned(),
        }
    }
}

/// The 1-based line holding byte `offset` of `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        let text = "a = 1\nb = 2\n";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 6), 2);
        assert_eq!(line_of(text, 999), 3);
    }
}
