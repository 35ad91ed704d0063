//! How this page waited: its geocoding wait, then the weather, sun and database waits that ran
//! side by side, against the page's own time. The course's lesson, drawn on every place page.

use std::{fmt::Write as _, time::Duration};

/// Where the bars start in the `viewBox` (0 0 1000 {rows × 40 + 10}): room for the names.
const LEFT: f64 = 130.0;
const RIGHT: f64 = 990.0;
const ROW: u32 = 40;

/// The name of the database's wait.
pub const DATABASE: &str = "db";

pub struct WaitsChart {
    pub description: String,
    pub rows: Vec<WaitRow>,
    pub height: u32,
    /// The summary under the chart.
    pub summary: String,
}

/// Whole units of the `viewBox` (a thousandth of the width): drawn on every view, and integers
/// are written several times faster than floats (float formatting was a visible share of a
/// cached page's time).
pub struct WaitRow {
    pub name: &'static str,
    pub y: u32,
    pub text_y: u32,
    pub x: u32,
    pub width: u32,
    pub took: String,
}

impl WaitsChart {
    /// `first` ran alone, then `together` side by side; `page` is the page's whole time.
    pub fn new(
        first: (&'static str, Duration),
        together: &[(&'static str, Duration)],
        page: Duration,
    ) -> Self {
        let longest = together.iter().map(|(_, d)| *d).max().unwrap_or_default();
        let sum: Duration = first.1 + together.iter().map(|(_, d)| *d).sum::<Duration>();
        let scale_end = (first.1 + longest).max(page).max(Duration::from_micros(1));
        let x = |at: Duration| {
            (LEFT + (RIGHT - LEFT) * at.as_secs_f64() / scale_end.as_secs_f64()).round() as u32
        };
        let rows: Vec<WaitRow> = std::iter::once((first.0, Duration::ZERO, first.1))
            .chain(together.iter().map(|&(name, took)| (name, first.1, took)))
            .zip(0u32..)
            .map(|((name, start, took), i)| WaitRow {
                name,
                y: 10 + ROW * i,
                text_y: 10 + ROW * i + ROW / 2,
                x: x(start),
                // A wait of nothing still shows, as a sliver.
                width: x(start + took).saturating_sub(x(start)).max(2),
                took: milliseconds(took),
            })
            .collect();
        let mut description = String::from("How long each wait of this page took: ");
        for (i, row) in rows.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            let _ = write!(description, "{separator}{} {}", row.name, row.took);
        }
        description.push('.');
        // Kept from an earlier visit: no service was waited on. The database's own read (in
        // memory, but a busy machine can stretch it past a millisecond) does not count.
        let on_services: Duration = std::iter::once(&first)
            .chain(together)
            .filter(|(name, _)| *name != DATABASE)
            .map(|(_, took)| *took)
            .sum();
        let summary = if on_services < Duration::from_millis(1) {
            format!(
                "Everything this page needed was at hand (kept from an earlier visit): it took {}.",
                milliseconds(page)
            )
        } else {
            format!(
                "The waits add up to {}; the page took {}, because the weather, the sun and the \
                 database were waited on side by side, not one after another.",
                milliseconds(sum),
                milliseconds(page)
            )
        };
        Self {
            description,
            height: ROW * rows.len() as u32 + 10,
            rows,
            summary,
        }
    }
}

/// `812 ms`, `0.3 ms`.
fn milliseconds(took: Duration) -> String {
    let tenths = (took.as_micros() + 50) / 100;
    if tenths >= 100 {
        format!("{} ms", (tenths + 5) / 10)
    } else {
        format!("{}.{} ms", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn the_side_by_side_waits_start_where_the_first_ends_and_the_longest_reaches_the_end() {
        let chart = WaitsChart::new(
            ("geocode", MS(400)),
            &[("weather", MS(300)), ("sun", MS(500)), ("db", MS(2))],
            MS(900),
        );
        assert_eq!(chart.rows.len(), 4);
        let geocode_end = chart.rows[0].x + chart.rows[0].width;
        for row in &chart.rows[1..] {
            assert_eq!(row.x, geocode_end, "{}", row.name);
        }
        let sun_end = chart.rows[2].x + chart.rows[2].width;
        assert!((f64::from(sun_end) - RIGHT).abs() <= 1.0, "{sun_end}");
        assert!(
            chart
                .summary
                .starts_with("The waits add up to 1202 ms; the page took 900 ms")
        );
        assert!(chart.description.contains("sun 500 ms"));
    }

    #[test]
    fn a_page_made_from_memory_says_so() {
        let chart = WaitsChart::new(
            ("geocode", Duration::from_micros(20)),
            &[("weather", Duration::from_micros(30))],
            Duration::from_micros(250),
        );
        assert!(chart.summary.contains("at hand"), "{}", chart.summary);
        assert!(chart.summary.ends_with("it took 0.3 ms."));
    }

    #[test]
    fn a_slow_database_read_alone_is_still_a_page_made_from_memory() {
        let chart = WaitsChart::new(
            ("geocode", Duration::from_micros(20)),
            &[(DATABASE, MS(3))],
            MS(4),
        );
        assert!(chart.summary.contains("at hand"), "{}", chart.summary);
    }
}
