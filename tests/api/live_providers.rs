//! Live mode against fakes that answer as the real services do (see `fixtures.rs` for the
//! source of each shape): hourly times right across daylight-saving changes, postal codes sent
//! in the form each country's data holds, a null in the current weather leaving the rest, and
//! sun times written in the place's own offset.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use reqwest::StatusCode;
use serde_json::Value;
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path_regex},
};

use cityscape::domain::{
    Coordinates,
    solar::{self, SunSource},
};

use crate::{
    fixtures::{self, SunAnswer},
    helpers::{TestApp, sorted_titles, spawn_app, spawn_app_on_sqlite, spawn_app_with},
};

/// Portland's postal code alone (the weather and sun answers are each test's own).
async fn mount_portland_geocoder(app: &TestApp) {
    app.mount_geocoder(
        "/us/97229",
        ResponseTemplate::new(200).set_body_json(fixtures::portland()),
    )
    .await;
}

/// Berlin Mitte, as Zippopotam.us lists `/de/10115`.
async fn mount_berlin(app: &TestApp) {
    app.mount_geocoder(
        "/de/10115",
        ResponseTemplate::new(200).set_body_json(fixtures::zippopotam_in(
            ("DE", "Germany"),
            "10115",
            ("Berlin", "Berlin", "BE"),
            ("52.5323", "13.3846"),
        )),
    )
    .await;
}

/// Noon, local time, on `date` in `zone`.
fn local_noon(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    zone.from_local_datetime(&date.and_hms_opt(12, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("noon exists"))
}

#[tokio::test]
async fn hourly_times_stay_one_hour_apart_across_each_daylight_saving_change() {
    // The day before each change in 2026: the 48 hours from that local midnight cross it.
    let days = [
        (
            Tz::America__Los_Angeles,
            "/api/weather/97229/us",
            "2026-03-07",
        ),
        (
            Tz::America__Los_Angeles,
            "/api/weather/97229/us",
            "2026-10-31",
        ),
        (Tz::Europe__Berlin, "/api/weather/10115/de", "2026-03-28"),
        (Tz::Europe__Berlin, "/api/weather/10115/de", "2026-10-24"),
    ];
    for (zone, address, day) in days {
        // Arrange: the answer the service gives at noon that day.
        let app = spawn_app_with(&["--cache", "off"]).await;
        mount_portland_geocoder(&app).await;
        mount_berlin(&app).await;
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_default();
        let asked_at = local_noon(zone, date);
        app.mount_weather(
            ResponseTemplate::new(200).set_body_json(fixtures::open_meteo(zone, asked_at, 7.0)),
        )
        .await;

        // Act
        let (status, body) = app.get_json(address).await;

        // Assert: 48 instants one hour apart from local midnight, each written at its own local
        // time in the place's zone (the offset changes once, at the change).
        assert_eq!(status, StatusCode::OK, "{day}: {body}");
        let midnight = zone
            .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .unwrap_or_else(|| panic!("midnight exists"))
            .with_timezone(&Utc);
        let times: Vec<String> = body["hourly"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h["time"].as_str().map(str::to_owned))
            .collect();
        let expected: Vec<String> = (0..48)
            .map(|h| {
                (midnight + TimeDelta::hours(h))
                    .with_timezone(&zone)
                    .to_rfc3339()
            })
            .collect();
        assert_eq!(times, expected, "{zone} {day}");
        let offsets: std::collections::BTreeSet<&str> =
            times.iter().filter_map(|t| t.get(t.len() - 6..)).collect();
        assert_eq!(
            offsets.len(),
            2,
            "{day}: the offset changes once: {offsets:?}"
        );
    }
}

#[tokio::test]
async fn a_null_in_the_current_weather_leaves_the_other_values_shown() {
    for field in [
        "temperature_2m",
        "apparent_temperature",
        "relative_humidity_2m",
        "weather_code",
        "wind_speed_10m",
        "wind_direction_10m",
    ] {
        // Arrange: the service could not compute one value and wrote null.
        let app = spawn_app().await;
        mount_portland_geocoder(&app).await;
        app.mount_sun(ResponseTemplate::new(200).set_body_json(fixtures::any_sun_answer()))
            .await;
        // 23.6 °C now: no forecast hour of the fixture is that warm, so "74 °F" is the current.
        let mut answer = fixtures::open_meteo(Tz::America__Los_Angeles, Utc::now(), 23.6);
        answer["current"][field] = Value::Null;
        app.mount_weather(ResponseTemplate::new(200).set_body_json(answer))
            .await;

        // Act
        let (api_status, weather) = app.get_json("/api/weather/97229/us").await;
        let (page_status, page) = app.get_text("/places/us/97229").await;

        // Assert: that value is null (a dash on the page); the others are there.
        assert_eq!(api_status, StatusCode::OK, "{field}: {weather}");
        let values = [
            ("temperature_2m", "temperature_c"),
            ("apparent_temperature", "feels_like_c"),
            ("relative_humidity_2m", "humidity_percent"),
            ("weather_code", "weather_code"),
            ("wind_speed_10m", "wind_speed_kmh"),
            ("wind_direction_10m", "wind_direction_deg"),
        ];
        for (provider_key, our_key) in values {
            assert_eq!(
                weather[our_key].is_null(),
                provider_key == field,
                "{field} null: {our_key} in {weather}"
            );
        }
        assert_eq!(page_status, StatusCode::OK);
        assert!(!page.contains("Weather unavailable"), "{field}");
        if field != "wind_direction_10m" {
            assert!(page.contains('–'), "{field}: no dash for the missing value");
        }
        let shown = |text: &str| page.contains(text);
        // A US place: 23.6 °C and 12.3 km/h read as 74 °F and 8 mph.
        assert_eq!(shown("74 °F"), field != "temperature_2m", "{field}");
        assert_eq!(shown("81 %"), field != "relative_humidity_2m", "{field}");
        assert_eq!(shown("8 mph"), field != "wind_speed_10m", "{field}");
        // Where the wind comes from (315°), said when both its speed and direction are known.
        assert_eq!(
            shown("8 mph from the NW"),
            !matches!(field, "wind_speed_10m" | "wind_direction_10m"),
            "{field}"
        );
    }
}

/// (country, as typed, the geocoder path asked for, or `None` for a 400 with the format)
const POSTAL_INPUTS: &[(&str, &str, Option<&str>)] = &[
    ("us", "97229", Some("/us/97229")),
    ("us", "97229-1234", Some("/us/97229")),
    ("us", "97229 1234", Some("/us/97229")),
    ("us", "972291234", Some("/us/97229")),
    ("us", "9722", None),
    ("us", "ABCDE", None),
    ("pr", "00901-2345", Some("/pr/00901")),
    ("nl", "1012 AB", Some("/nl/1012")),
    ("nl", "1012ab", Some("/nl/1012")),
    ("nl", "10123", None),
    ("cz", "10000", Some("/cz/100%2000")),
    ("cz", "100 00", Some("/cz/100%2000")),
    ("sk", "81101", Some("/sk/811%2001")),
    ("pl", "00001", Some("/pl/00-001")),
    ("pl", "00-001", Some("/pl/00-001")),
    ("jp", "1000001", Some("/jp/100-0001")),
    ("jp", "100-0001", Some("/jp/100-0001")),
    ("pt", "1000001", Some("/pt/1000-001")),
    ("lu", "1009", Some("/lu/L-1009")),
    ("lu", "L-1009", Some("/lu/L-1009")),
    ("md", "2000", Some("/md/MD-2000")),
    ("md", "MD-2000", Some("/md/MD-2000")),
    ("ad", "AD100", Some("/ad/AD100")),
    ("br", "01310-100", Some("/br/01310-000")),
    ("br", "01310100", Some("/br/01310-000")),
    ("ar", "C1425DKA", Some("/ar/1425")),
    ("ar", "1425", Some("/ar/1425")),
    ("gb", "SW1A 1AA", Some("/gb/SW1A")),
    ("gb", "sw1a1aa", Some("/gb/SW1A")),
    ("gg", "GY1 1AA", Some("/gg/GY1")),
    ("je", "JE2 3AB", Some("/je/JE2")),
    ("im", "IM1 1AA", Some("/im/IM1")),
    ("gg", "JE2 3AB", None),
    ("ca", "H0H 0H0", Some("/ca/H0H")),
    ("ca", "K1A", Some("/ca/K1A")),
    ("se", "111 22", Some("/se/11122")),
    ("de", "10115", Some("/de/10115")),
    ("de", "1011", None),
    ("in", "110 001", Some("/in/110001")),
];

#[tokio::test]
async fn postal_codes_are_sent_in_the_form_each_countrys_data_holds() {
    // Arrange: a geocoder that knows nothing, so every look-up goes to it and is recorded.
    let app = spawn_app_with(&["--cache", "off"]).await;
    Mock::given(method("GET"))
        .and(path_regex("^/[a-z]{2}/.+"))
        .respond_with(ResponseTemplate::new(404).set_body_string("{}"))
        .mount(&app.upstream)
        .await;
    assert!(POSTAL_INPUTS.len() >= 30);

    for (country, typed, looked_up) in POSTAL_INPUTS {
        // Act
        let before = app
            .upstream
            .received_requests()
            .await
            .unwrap_or_default()
            .len();
        let typed_segment = typed.replace(' ', "%20");
        let (status, page) = app
            .get_text(&format!("/places/{country}/{typed_segment}"))
            .await;
        let asked: Vec<String> = app
            .upstream
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .skip(before)
            .map(|r| r.url.path().to_owned())
            .collect();

        // Assert
        match looked_up {
            Some(path) => {
                assert_eq!(asked, vec![path.to_string()], "{country} {typed}");
                assert_eq!(status, StatusCode::NOT_FOUND, "{country} {typed}");
            }
            None => {
                assert!(asked.is_empty(), "{country} {typed}: asked {asked:?}");
                assert_eq!(status, StatusCode::BAD_REQUEST, "{country} {typed}");
                assert!(
                    page.contains("are looked up as"),
                    "{country} {typed}: {page}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_page_says_what_was_looked_up_when_the_code_was_shortened() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let (status, page) = app.get_text("/places/us/97229-1234").await;
    let (plain_status, plain) = app.get_text("/places/us/97229").await;

    assert_eq!((status, plain_status), (StatusCode::OK, StatusCode::OK));
    assert!(
        page.contains("Showing 97229: Zippopotam.us knows 5-digit ZIP codes."),
        "{page}"
    );
    assert!(!plain.contains("Showing 97229"));
    let search = app.get("/search?postal_code=00-00&country=pl").await;
    assert_eq!(search.status(), StatusCode::BAD_REQUEST);
    let form = search.text().await.unwrap_or_default();
    assert!(
        form.contains(
            "Postal codes for Poland are looked up as codes written 00-001, like 00-001."
        ),
        "{form}"
    );
}

/// The sun's times from the local NOAA computation, written as the service writes them for a
/// request with `tzid`: each in the zone's offset, an event that does not happen as the epoch.
fn service_answer_from(times: &solar::SunTimes, zone: Tz) -> Value {
    const EPOCH: &str = "1970-01-01T00:00:01+00:00";
    let utc = |at: Option<DateTime<Utc>>| at.map(|t| t.to_rfc3339()).unwrap_or(EPOCH.to_owned());
    let answer = SunAnswer {
        zone,
        sunrise: &utc(times.sunrise),
        sunset: &utc(times.sunset),
        solar_noon: &utc(Some(times.solar_noon)),
        day_length: times.day_length.num_seconds(),
        civil: (&utc(times.civil.begin), &utc(times.civil.end)),
        nautical: (&utc(times.nautical.begin), &utc(times.nautical.end)),
        astronomical: (&utc(times.astronomical.begin), &utc(times.astronomical.end)),
    };
    fixtures::sunrise_sunset(&answer)
}

#[tokio::test]
async fn sun_times_written_in_a_far_zones_offset_read_as_the_same_instants() {
    // Wellington in summer (UTC+13), Honolulu (UTC−10), and Utqiagvik in polar night (the
    // placeholder in Alaska's offset).
    let places = [
        (
            "nz",
            "6011",
            ("New Zealand", "NZ"),
            ("-41.2865", "174.7762"),
            "2026-12-21",
            Tz::Pacific__Auckland,
        ),
        (
            "us",
            "96813",
            ("United States", "US"),
            ("21.3069", "-157.8583"),
            "2026-06-21",
            Tz::Pacific__Honolulu,
        ),
        (
            "us",
            "99723",
            ("United States", "US"),
            ("71.2906", "-156.7886"),
            "2026-12-21",
            Tz::America__Anchorage,
        ),
    ];
    for (country, code, (country_name, upper), (lat, lon), day, zone) in places {
        // Arrange
        let app = spawn_app().await;
        app.mount_geocoder(
            &format!("/{country}/{code}"),
            ResponseTemplate::new(200).set_body_json(fixtures::zippopotam_in(
                (upper, country_name),
                code,
                ("Town", "Region", "RG"),
                (lat, lon),
            )),
        )
        .await;
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_default();
        let at = Coordinates::new(
            lat.parse().unwrap_or_default(),
            lon.parse().unwrap_or_default(),
        )
        .unwrap_or_else(|| panic!("coordinates"));
        let computed = solar::compute(at, date, SunSource::ComputedFallback);
        app.mount_sun(
            ResponseTemplate::new(200).set_body_json(service_answer_from(&computed, zone)),
        )
        .await;

        // Act
        let (status, sun) = app
            .get_json(&format!("/api/sun/{code}/{country}?date={day}"))
            .await;

        // Assert: the service's answer was used, and every event is the computed instant.
        assert_eq!(status, StatusCode::OK, "{code}: {sun}");
        assert_eq!(sun["source"], "sunrise_sunset", "{code}");
        let events = [
            ("sunrise", computed.sunrise),
            ("sunset", computed.sunset),
            ("solar_noon", Some(computed.solar_noon)),
            ("civil_twilight_begin", computed.civil.begin),
            ("civil_twilight_end", computed.civil.end),
            ("astronomical_twilight_end", computed.astronomical.end),
        ];
        for (name, expected) in events {
            let read = sun["iso"][name]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            match (read, expected) {
                (Some(read), Some(expected)) => assert!(
                    (read - expected).num_seconds().abs() <= 60,
                    "{code} {name}: {read} against {expected}"
                ),
                (None, None) => {}
                other => panic!("{code} {name}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn places_stored_under_a_code_typed_the_old_way_move_to_the_data_form_at_start() {
    // Arrange: rows stored before codes were kept in the data's form: a full British postcode
    // alone, and one whose outward code is stored too (the two become one). Only SQLite has
    // rows from before: a PostgreSQL database began with codes in the data's form.
    let app = spawn_app_on_sqlite(&[]).await;
    let pool = sqlx::SqlitePool::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let starts =
        (Utc::now() + TimeDelta::days(5)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for (code, views, title) in [
        ("SW1A 1AA", 2, "Old board event"),
        ("M1 1AE", 3, "Merged event A"),
        ("M1", 4, "Merged event B"),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO places (source, country_code, postal_code, name, latitude, longitude,
                                 time_zone, created_at, view_count, last_viewed_at)
             VALUES ('live', 'GB', ?, 'Town', 51.5, -0.14, 'Europe/London', ?, ?, ?)
             RETURNING id",
        )
        .bind(code)
        .bind(&starts)
        .bind(views)
        .bind(&starts)
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query(
            "INSERT INTO events (place_id, title, starts_at, poster_name, edit_token_hash,
                                 submission_id, created_at)
             VALUES (?, ?, ?, 'Ana', 'x', ?, ?)",
        )
        .bind(id)
        .bind(title)
        .bind(&starts)
        .bind(code)
        .bind(&starts)
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }

    // Act: the server starts again on the same database.
    let restarted = app.start_another_server().await;

    // Assert: each board shows its events under the code people reach now.
    for (path, expected) in [
        ("/api/places/gb/SW1A/events", vec!["Old board event"]),
        (
            "/api/places/gb/M1/events",
            vec!["Merged event A", "Merged event B"],
        ),
    ] {
        let body: Value = app
            .get_from(&restarted, path)
            .await
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sorted_titles(&body), expected, "{path}");
    }
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT postal_code, view_count FROM places ORDER BY postal_code")
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows, vec![("M1".to_owned(), 7), ("SW1A".to_owned(), 2)]);
    pool.close().await;
}
