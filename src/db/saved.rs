//! Each browser's own list of places, as both backends keep it.

/// Most places one browser may keep; the home page fetches each one's weather.
pub const MAX_SAVED: i64 = 24;

/// What saving did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Saved now, or saved before (saving again changes nothing).
    Kept,
    /// The visitor already keeps [`MAX_SAVED`] places; nothing was saved.
    ListFull,
}
