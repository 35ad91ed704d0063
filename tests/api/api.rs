//! The JSON API, compatible with the course's cityscape_api.

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{header_regex, method, path, query_param},
};

use crate::{
    fixtures::{self, POLAR_NIGHT, PORTLAND_DECEMBER, PORTLAND_JULY},
    helpers::{TestApp, header, spawn_app},
};

async fn mount_sun_for_date(app: &TestApp, date: &str, answer: &fixtures::SunAnswer<'_>) {
    Mock::given(method("GET"))
        .and(path("/json"))
        .and(query_param("date", date))
        .and(query_param("formatted", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixtures::sunrise_sunset(answer)))
        .mount(&app.upstream)
        .await;
}

async fn mount_portland_geocoder(app: &TestApp) {
    app.mount_geocoder(
        "/us/97229",
        ResponseTemplate::new(200).set_body_json(fixtures::portland()),
    )
    .await;
}

#[tokio::test]
async fn sun_api_answers_the_course_keys_in_the_place_local_time_with_daylight_saving() {
    // The server runs in UTC; Portland is UTC−7 in July (PDT) and UTC−8 in December (PST).
    let app = spawn_app().await;
    mount_portland_geocoder(&app).await;
    mount_sun_for_date(&app, "2026-07-01", &PORTLAND_JULY).await;
    mount_sun_for_date(&app, "2026-12-01", &PORTLAND_DECEMBER).await;

    let (status, july) = app.get_json("/api/sun/97229/us?date=2026-07-01").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(july["sunrise"], "05:25:10 AM");
    assert_eq!(july["sunset"], "09:03:41 PM");
    assert_eq!(july["solar_noon"], "01:14:25 PM");
    assert_eq!(july["day_length"], "15:38:31");
    assert_eq!(july["civil_twilight_begin"], "04:49:02 AM");
    assert_eq!(july["civil_twilight_end"], "09:39:49 PM");
    assert_eq!(july["nautical_twilight_begin"], "04:01:37 AM");
    assert_eq!(july["nautical_twilight_end"], "10:27:14 PM");
    assert_eq!(july["astronomical_twilight_begin"], "03:02:10 AM");
    assert_eq!(july["astronomical_twilight_end"], "11:26:41 PM");
    assert_eq!(july["timezone"], "America/Los_Angeles");
    assert_eq!(july["utc_offset"], "UTC−07:00");
    assert_eq!(july["iso"]["sunrise"], "2026-07-01T05:25:10-07:00");
    assert_eq!(july["source"], "sunrise_sunset");
    assert_eq!(july["simulated"], false);

    let (_, december) = app.get_json("/api/sun/97229/us?date=2026-12-01").await;
    assert_eq!(december["sunrise"], "07:30:00 AM");
    assert_eq!(december["sunset"], "04:28:05 PM");
    assert_eq!(december["day_length"], "8:58:05");
    assert_eq!(december["utc_offset"], "UTC−08:00");
}

#[tokio::test]
async fn sun_api_asks_the_service_for_the_place_local_day() {
    let app = spawn_app().await;
    mount_portland_geocoder(&app).await;
    Mock::given(method("GET"))
        .and(path("/json"))
        .and(query_param("lat", "45.5483"))
        .and(query_param("lng", "-122.8284"))
        .and(query_param("date", "2026-07-01"))
        .and(query_param("tzid", "America/Los_Angeles"))
        .and(header_regex("user-agent", "^Cityscape/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixtures::sunrise_sunset(&PORTLAND_JULY)),
        )
        .expect(1)
        .mount(&app.upstream)
        .await;

    let (status, body) = app.get_json("/api/sun/97229/us?date=2026-07-01").await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source"], "sunrise_sunset");
}

#[tokio::test]
async fn sun_api_reports_polar_night_without_inventing_a_sunrise() {
    let app = spawn_app().await;
    app.mount_utqiagvik().await;
    mount_sun_for_date(&app, "2026-12-21", &POLAR_NIGHT).await;

    let (status, body) = app.get_json("/api/sun/99723/us?date=2026-12-21").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["sunrise"], Value::Null);
    assert_eq!(body["sunset"], Value::Null);
    assert_eq!(body["day_kind"], "polar_night");
    assert_eq!(body["day_length"], "0:00:00");
    assert_eq!(body["timezone"], "America/Anchorage");
    assert!(body["civil_twilight_begin"].is_string());
    // The moon, computed here for the date: 21 December 2026 is three days before full.
    assert_eq!(body["moon_phase"], "waxing_gibbous");
    let lit = body["moon_illumination"].as_f64().unwrap_or(-1.0);
    assert!((0.85..0.99).contains(&lit), "{lit}");
}

#[tokio::test]
async fn polar_day_is_reported_by_the_api_and_said_on_the_page() {
    let app = spawn_app().await;
    app.mount_utqiagvik().await;
    app.mount_weather(crate::helpers::good_weather()).await;
    // The API asks for midsummer; the page asks for today, whatever today is, and the service's
    // polar-day answer is moved to it.
    mount_sun_for_date(&app, "2026-06-21", &fixtures::POLAR_DAY).await;
    let midsummer = chrono::NaiveDate::from_ymd_opt(2026, 6, 21).unwrap_or_default();
    app.mount_sun(
        ResponseTemplate::new(200).set_body_json(fixtures::sun_answer_moved_to_today(
            &fixtures::POLAR_DAY,
            midsummer,
        )),
    )
    .await;

    let (status, body) = app.get_json("/api/sun/99723/us?date=2026-06-21").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["day_kind"], "polar_day");
    assert_eq!(body["day_length"], "24:00:00");
    assert_eq!(body["sunrise"], Value::Null);
    assert_eq!(body["civil_twilight_end"], Value::Null);

    let (status, html) = app.get_text("/places/us/99723").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("does not happen today"));
    assert!(
        html.contains("Source: sunrise-sunset.org"),
        "the service's answer, taken"
    );
}

#[tokio::test]
async fn sun_api_refuses_a_bad_date_with_a_json_400() {
    let app = spawn_app().await;
    for date in ["2026-13-01", "yesterday", "1850-01-01"] {
        let (status, body) = app
            .get_json(&format!("/api/sun/97229/us?date={date}"))
            .await;

        assert_eq!(status, StatusCode::BAD_REQUEST, "{date}");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("YYYY-MM-DD"),
            "{date}: {body}"
        );
    }
    assert_eq!(app.calls_to("/").await, 0);
}

/// The week ahead: seven days in metric by default, in imperial on request, each day by its
/// local date.
#[tokio::test]
async fn weather_api_has_the_days_ahead_in_either_units() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let (_, metric) = app.get_json("/api/weather/97229/us").await;
    let (_, imperial) = app.get_json("/api/weather/97229/us?units=imperial").await;

    let days = metric["daily"].as_array().cloned().unwrap_or_default();
    assert_eq!(days.len(), 7, "{metric}");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Tz::America__Los_Angeles)
        .date_naive();
    assert_eq!(days[0]["date"], today.to_string());
    assert_eq!(days[0]["weather_code"], 61);
    assert_eq!(days[0]["description"], "Slight rain");
    assert_eq!(days[0]["temperature_max_c"], 12.5);
    assert_eq!(days[0]["temperature_min_c"], 4.0);
    assert_eq!(days[0]["precipitation_sum_mm"], 5.2);
    assert_eq!(days[0]["precipitation_probability_max"], 80.0);
    assert_eq!(days[0]["wind_speed_max_kmh"], 20.0);
    assert_eq!(days[0]["wind_direction_dominant_deg"], 315.0);
    assert_eq!(days[0]["uv_index_max"], 1.5);
    assert_eq!(days[3]["temperature_min_c"], Value::Null);
    let day = &imperial["daily"][0];
    assert_eq!(day["temperature_max_f"], 54.5);
    assert_eq!(day["temperature_min_f"], 39.2);
    assert_eq!(day["precipitation_sum_in"], 0.2);
    assert_eq!(day["wind_speed_max_mph"], 12.4);
    assert_eq!(
        day["temperature_max_c"],
        Value::Null,
        "one system at a time"
    );
}

#[tokio::test]
async fn weather_api_answers_a_normalised_object() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let (status, body) = app.get_json("/api/weather/97229/us").await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["temperature_c"], 7.4);
    assert_eq!(body["feels_like_c"], 5.4);
    assert_eq!(body["humidity_percent"], 81.0);
    assert_eq!(body["wind_speed_kmh"], 12.3);
    assert_eq!(body["weather_code"], 61);
    assert_eq!(body["description"], "Slight rain");
    assert_eq!(body["source"], "open-meteo.com");
    assert_eq!(body["timezone"], "America/Los_Angeles");
    assert_eq!(body["hourly"].as_array().map(Vec::len), Some(48));
    assert_eq!(body["hourly"][5]["precipitation_probability"], Value::Null);
    assert!(
        body["observed_at"]
            .as_str()
            .unwrap_or_default()
            .ends_with(":00-08:00")
            || body["observed_at"]
                .as_str()
                .unwrap_or_default()
                .ends_with(":00-07:00")
    );
    assert_eq!(body["simulated"], false);
}

#[tokio::test]
async fn places_api_answers_everything_the_page_shows() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let (status, body) = app.get_json("/api/places/us/97229").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["place"],
        json!({
            "country_code": "US", "country": "United States", "postal_code": "97229",
            "name": "Portland", "region": "Oregon", "region_code": "OR",
            "latitude": 45.5483, "longitude": -122.8284, "timezone": "America/Los_Angeles"
        })
    );
    assert_eq!(body["weather"]["description"], "Slight rain");
    assert_eq!(body["weather_error"], Value::Null);
    assert!(body["sun"]["sunrise"].is_string());
    assert!(body["local_time"].is_string());
}

#[tokio::test]
async fn api_errors_are_json_with_the_right_status() {
    let app = spawn_app().await;
    app.mount_geocoder(
        "/us/00000",
        ResponseTemplate::new(404).set_body_string("{}"),
    )
    .await;
    let cases = [
        (
            "/api/sun/00000/us",
            StatusCode::NOT_FOUND,
            "could not find that postal code",
        ),
        (
            "/api/weather/00000/us",
            StatusCode::NOT_FOUND,
            "could not find that postal code",
        ),
        (
            "/api/places/us/00000",
            StatusCode::NOT_FOUND,
            "could not find that postal code",
        ),
        (
            "/api/sun/97229/xx",
            StatusCode::BAD_REQUEST,
            "does not know postal codes for that country",
        ),
        (
            "/api/weather/%3Cb%3E/us",
            StatusCode::BAD_REQUEST,
            "only letters, digits",
        ),
        (
            "/api/nothing-here",
            StatusCode::NOT_FOUND,
            "no page at this address",
        ),
    ];
    for (path, status, message) in cases {
        let (got, body) = app.get_json(path).await;

        assert_eq!(got, status, "{path}");
        assert!(
            body["error"].as_str().unwrap_or_default().contains(message),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn api_answers_carry_server_timing() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let response = app.get("/api/sun/97229/us").await;

    let timing = header(&response, "server-timing");
    assert!(
        timing.contains("geocode;dur=") && timing.contains("sun;dur="),
        "{timing}"
    );
}

#[tokio::test]
async fn the_liveness_and_readiness_checks_answer_when_the_database_does() {
    let app = spawn_app().await;

    for path in ["/healthz", "/readyz"] {
        let (status, body) = app.get_json(path).await;

        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body, json!({"status": "ok"}), "{path}");
    }
}
