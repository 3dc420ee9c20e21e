//! The one error type: a field path and a message.

use std::fmt;

/// A scenario or command error naming the offending field ("nodes[2].kind.server.workers").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Where the problem is; empty for the document as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// Builds an error.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Error {}
