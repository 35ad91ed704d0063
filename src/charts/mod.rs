//! Charts drawn on the server as inline SVG: the geometry here, the markup in `templates/charts/`.
//!
//! Templates rather than a plotting crate: each chart is a handful of rectangles, a line and
//! some text, a few hundred bytes that compress well and inherit the page's colours (dark mode
//! included) through CSS classes; a plotting crate's SVG backend writes every style inline, with
//! its own fonts and no `<title>`, `<desc>` or roles. Every chart has a `<title>`, a `<desc>` that
//! says what it shows in words, and a table of the same data in a `<details>` beside it.
//!
//! Coordinates are in a fixed `viewBox` ([`WIDTH`] wide) that the page scales to its width.

pub mod daylight_year;
pub mod forecast;
pub mod sun_band;
pub mod waits;

/// The width of every chart's `viewBox`.
pub const WIDTH: f64 = 1000.0;

/// A coordinate as the SVG is written: one decimal is a tenth of a thousandth of the width.
pub fn coordinate(value: f64) -> String {
    let value = (value * 10.0).round() / 10.0;
    // -0.0 == 0.0: a zero is written without its sign.
    let value = if value == 0.0 { 0.0 } else { value };
    format!("{value}")
}

/// A coordinate to the whole unit (a thousandth of the width), for long series where the
/// tenth is invisible and would only add bytes to every page.
pub fn whole(value: f64) -> String {
    let value = value.round();
    let value = if value == 0.0 { 0.0 } else { value };
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short() {
        assert_eq!(coordinate(12.345), "12.3");
        assert_eq!(coordinate(-0.01), "0");
        assert_eq!(coordinate(1000.0), "1000");
    }
}
