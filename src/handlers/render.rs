//! The one path from a page's template to a response.

use askama::Template;
use axum::response::Html;

use crate::error::AppError;
/// Renders a page; a template error becomes a logged 500 in the site's layout.
pub fn render(page: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(page.render()?))
}

/// Renders a page that includes `included` bytes made ahead of time, into a buffer that has
/// room for them (the template's own size hint knows only its literal text, and growing the
/// buffer copies the page again).
pub fn render_including<T: Template>(page: &T, included: usize) -> Result<Html<String>, AppError> {
    let mut html = String::with_capacity(included + 2 * T::SIZE_HINT);
    page.render_into(&mut html)?;
    Ok(Html(html))
}
