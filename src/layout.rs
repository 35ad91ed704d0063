//! The fields `base.html` needs on every page: made by the state, read by every page's template
//! and by the error pages, so they sit below both.

#[derive(Debug, Clone)]
pub struct Layout {
    /// The page's own title; the site name is added by the layout.
    pub title: String,
    /// Shows the banner that says the data are simulated.
    pub simulated: bool,
    /// Changes when the stylesheet does, so browsers fetch a new one at once (`?v=`).
    pub asset_version: String,
    /// The same for the script.
    pub script_version: String,
}
