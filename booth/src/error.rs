//! What can go wrong in the booth, in words a voter can act on.

use core::fmt;

/// A booth's error. Every one is shown to the voter (the page puts its text in its alert).
#[derive(Debug)]
pub enum BoothError {
    /// What the board server sent is not a board page: malformed JSON, hex or entry, a page
    /// that does not start where the booth's copy ends, or a head that differs from the one
    /// the booth computed (the server's board is not the chain it claims).
    Server(String),
    /// An entry of the server's board does not apply: the board breaks a rule of the
    /// protocol (the library's error names the check and the entry).
    Board(tabella::Error),
    /// No round accepts ballots on the board.
    NoOpenRound,
    /// The credential is unusable: not a credential code, or not on this election's roll.
    Credential(String),
    /// The choice is not one of the round's options.
    Choice(String),
    /// The step is out of order (for instance Cast before Encrypt).
    Step(&'static str),
    /// Encrypting or opening the ballot failed.
    Ballot(tabella::Error),
    /// The server's acknowledgement does not check against the booth's copy of the board.
    NotIncluded(String),
}

impl fmt::Display for BoothError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoothError::Server(what) => write!(f, "the board server sent {what}"),
            BoothError::Board(e) => write!(f, "the board breaks the protocol: {e}"),
            BoothError::NoOpenRound => f.write_str("no round is open for voting on this board"),
            BoothError::Credential(what) => write!(f, "credential: {what}"),
            BoothError::Choice(what) => write!(f, "choice: {what}"),
            BoothError::Step(what) => f.write_str(what),
            BoothError::Ballot(e) => write!(f, "the ballot: {e}"),
            BoothError::NotIncluded(what) => {
                write!(f, "the board server's confirmation does not check: {what}")
            }
        }
    }
}

impl std::error::Error for BoothError {}

/// The booth's results.
pub type Result<T> = core::result::Result<T, BoothError>;
