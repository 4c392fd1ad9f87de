//! Ballots.
/// A ballot id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BallotId(pub [u8; 32]);
impl core::fmt::Display for BallotId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", crate::group::Hex(&self.0))
    }
}
