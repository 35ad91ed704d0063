//! The sun calendar (page, CSV, iCalendar feed) and the events' calendars and Atom feed, each
//! read back with a real parser: `csv`, `ical` (not the crate that wrote them) and
//! `atom_syndication`.

use std::io::BufReader;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use reqwest::StatusCode;

use crate::helpers::{
    TestApp, assert_is_an_accessible_chart, browser, event_form, header, spawn_app, svgs_in,
};

const LOS_ANGELES: Tz = Tz::America__Los_Angeles;

async fn portland() -> TestApp {
    let app = spawn_app().await;
    app.mount_portland().await;
    app
}

/// The CSV's records, header first.
fn csv_records(body: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("not CSV ({e}): {body}")))
        .collect()
}

/// The events of the one calendar in an iCalendar text, as `ical` reads them.
fn calendar_events(body: &str) -> Vec<ical::parser::ical::component::IcalEvent> {
    let calendars: Vec<_> = ical::IcalParser::new(BufReader::new(body.as_bytes()))
        .map(|c| c.unwrap_or_else(|e| panic!("not iCalendar ({e}): {body}")))
        .collect();
    assert_eq!(calendars.len(), 1, "{body}");
    calendars.into_iter().flat_map(|c| c.events).collect()
}

/// A property's value and its `TZID` parameter.
fn property(
    event: &ical::parser::ical::component::IcalEvent,
    name: &str,
) -> (String, Option<String>) {
    let found = event
        .properties
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name} in {event:?}"));
    let zone = found.params.as_ref().and_then(|params| {
        params
            .iter()
            .find(|(key, _)| key == "TZID")
            .and_then(|(_, values)| values.first().cloned())
    });
    (found.value.clone().unwrap_or_default(), zone)
}

fn local_time(value: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
        .unwrap_or_else(|e| panic!("{value:?}: {e}"))
}

#[tokio::test]
async fn the_sun_calendar_shows_every_day_of_the_month_and_the_year_with_its_clock_changes() {
    let app = portland().await;

    let (status, html) = app.get_text("/places/us/97229/sun?month=2026-03").await;

    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Sun calendar, March 2026</h1>"), "{html}");
    let table = html
        .split_once(r#"<table class="sun-month">"#)
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(table, _)| table)
        .unwrap_or_default();
    assert_eq!(table.matches(r#"<th scope="row">"#).count(), 31);
    assert!(html.contains(r#"href="/places/us/97229/sun?month=2026-02""#));
    assert!(html.contains(r#"href="/places/us/97229/sun?month=2026-04""#));
    assert!(html.contains(r#"href="/places/us/97229/sun.csv?month=2026-03""#));
    assert!(html.contains(r#"href="/places/us/97229/sun.ics""#));
    // The daylight through 2026: a point a day, and the two days the clocks change.
    let charts = svgs_in(&html);
    assert_eq!(charts.len(), 1);
    assert_is_an_accessible_chart(&charts[0]);
    let year = roxmltree::Document::parse(&charts[0]).unwrap_or_else(|e| panic!("{e}"));
    let area = year
        .descendants()
        .find(|n| n.has_tag_name("polygon"))
        .and_then(|n| n.attribute("points"))
        .unwrap_or_default();
    assert_eq!(area.split(' ').count(), 365 + 2);
    let clock_changes = year
        .descendants()
        .filter(|n| n.attribute("class") == Some("clock-change"))
        .count();
    assert_eq!(clock_changes, 2, "8 March and 1 November 2026");
}

#[tokio::test]
async fn the_month_as_csv_has_a_row_a_day_in_the_places_own_zone() {
    let app = portland().await;

    let response = app.get("/places/us/97229/sun.csv?month=2026-03").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, "content-type").starts_with("text/csv"));
    assert!(header(&response, "content-disposition").contains("sun-us-97229-2026-03.csv"));
    let records = csv_records(&response.text().await.unwrap_or_default());
    assert_eq!(records.len(), 1 + 31);
    assert_eq!(&records[0][0], "date");
    assert_eq!(&records[0][1], "sunrise");
    let mut previous_length: Option<i64> = None;
    for record in &records[1..] {
        let date = NaiveDate::parse_from_str(&record[0], "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("{record:?}: {e}"));
        let instant = |field: &str| {
            DateTime::parse_from_rfc3339(field).unwrap_or_else(|e| panic!("{field:?}: {e}"))
        };
        let (sunrise, sunset) = (instant(&record[1]), instant(&record[3]));
        assert_eq!(sunrise.date_naive(), date);
        // Pacific Standard Time until the clocks change on 8 March, then Daylight Time.
        let offset = if date < NaiveDate::from_ymd_opt(2026, 3, 8).unwrap_or_default() {
            "-08:00"
        } else {
            "-07:00"
        };
        assert!(record[1].ends_with(offset), "{record:?}");
        assert_eq!(
            sunrise.with_timezone(&LOS_ANGELES),
            sunrise.with_timezone(&Utc).with_timezone(&LOS_ANGELES)
        );
        let length: i64 = record[4].parse().unwrap_or(-1);
        assert!(
            (length - (sunset - sunrise).num_seconds()).abs() <= 1,
            "{record:?}"
        );
        if let Some(before) = previous_length {
            assert_eq!(record[5].parse::<i64>().ok(), Some(length - before));
        }
        previous_length = Some(length);
    }
}

#[tokio::test]
async fn a_polar_month_has_no_sunrise_or_sunset_and_a_day_of_none_or_all() {
    let app = spawn_app().await;
    app.mount_utqiagvik().await;
    for (month, day_length) in [("2026-12", "0"), ("2026-06", "86400")] {
        let (status, body) = app
            .get_text(&format!("/places/us/99723/sun.csv?month={month}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let records = csv_records(&body);
        assert_eq!(records.len(), 1 + 31 - usize::from(month == "2026-06"));
        for record in &records[1..] {
            assert_eq!((&record[1], &record[3]), ("", ""), "{month}: {record:?}");
            assert_eq!(&record[4], day_length, "{month}: {record:?}");
        }
    }
}

#[tokio::test]
async fn the_sun_feed_has_a_sunrise_and_a_sunset_for_each_of_the_next_30_days_in_local_time() {
    let app = portland().await;

    let response = app.get("/places/us/97229/sun.ics").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, "content-type").starts_with("text/calendar"));
    let events = calendar_events(&response.text().await.unwrap_or_default());
    assert_eq!(events.len(), 60);
    let today = Utc::now().with_timezone(&LOS_ANGELES).date_naive();
    for (i, event) in events.iter().enumerate() {
        let (start, zone) = property(event, "DTSTART");
        assert_eq!(zone.as_deref(), Some("America/Los_Angeles"));
        let start = local_time(&start);
        assert_eq!(start.date(), today + TimeDelta::days(i as i64 / 2));
        let (summary, _) = property(event, "SUMMARY");
        let (what, hours) = if i % 2 == 0 {
            ("Sunrise", 4..=9)
        } else {
            ("Sunset", 15..=22)
        };
        assert_eq!(summary, format!("{what} in Portland"));
        assert!(
            hours.contains(&chrono::Timelike::hour(&start)),
            "{what} at {start}"
        );
    }
}

#[tokio::test]
async fn an_event_goes_to_a_calendar_and_a_places_events_to_its_calendar_and_atom_feeds() {
    let app = portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, "/places/us/97229").await;
    let posted = app
        .post_multipart(
            &browser,
            "/places/us/97229/events",
            event_form(&tokens, &[]),
        )
        .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let listed = app.listed_events("us", "97229").await;
    let id = listed[0]["id"].as_i64().unwrap_or_default();
    let page = app.browse(&browser, &format!("/events/{id}")).await;
    assert!(
        page.contains(&format!(r#"href="/events/{id}.ics""#)),
        "{page}"
    );

    let response = app.get(&format!("/events/{id}.ics")).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, "content-type").starts_with("text/calendar"));
    let events = calendar_events(&response.text().await.unwrap_or_default());
    assert_eq!(events.len(), 1);
    assert_eq!(property(&events[0], "SUMMARY").0, "Winter market");
    let (start, zone) = property(&events[0], "DTSTART");
    assert_eq!(zone.as_deref(), Some("America/Los_Angeles"));
    let expected = (Utc::now() + TimeDelta::days(10))
        .with_timezone(&LOS_ANGELES)
        .format("%Y%m%dT183000")
        .to_string();
    assert_eq!(start, expected, "the time as posted, in the place's zone");
    assert!(
        property(&events[0], "URL")
            .0
            .ends_with(&format!("/events/{id}"))
    );
    assert!(property(&events[0], "LOCATION").0.contains("Portland"));

    let (status, body) = app.get_text("/places/us/97229/events.ics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(calendar_events(&body).len(), 1);

    let response = app.get("/places/us/97229/events.atom").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, "content-type").starts_with("application/atom+xml"));
    let body = response.text().await.unwrap_or_default();
    let feed = atom_syndication::Feed::read_from(body.as_bytes())
        .unwrap_or_else(|e| panic!("not Atom ({e}): {body}"));
    assert_eq!(feed.entries().len(), 1);
    let entry = &feed.entries()[0];
    assert_eq!(entry.title().as_str(), "Winter market");
    assert_eq!(entry.authors()[0].name(), "Ana");
    assert!(entry.links()[0].href().ends_with(&format!("/events/{id}")));
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
}

#[tokio::test]
async fn a_bad_month_or_event_in_a_calendar_address_is_refused_plainly() {
    let app = portland().await;
    for path in [
        "/places/us/97229/sun?month=2026-13",
        "/places/us/97229/sun?month=march",
        "/places/us/97229/sun.csv?month=1900-01",
    ] {
        let (status, html) = app.get_text(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            html.contains("write it as year and month, like 2026-11"),
            "{path}"
        );
    }
    for path in ["/events/0.ics", "/events/abc.ics", "/events/999999.ics"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (status, _) = app.get_text("/places/zz/97229/sun.ics").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
