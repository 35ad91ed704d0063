//! Each live provider on its own, built as `Upstreams::from_config` builds it but pointed at a fake
//! on 127.0.0.1: a good answer is read into the right values, and every fault (an error status,
//! garbage, wrong types, too many bytes, too slow) ends as one typed `UpstreamError`, never as a
//! panic or a hang.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, query_param},
};

use cityscape::{
    domain::{
        Coordinates, PlaceKey,
        solar::{SunSource, SunTimes, Twilight},
        weather::{DayForecast, HourForecast, WmoCode},
    },
    upstream::{
        GeocodedPlace, Geocoder, SunProvider, UpstreamError, UpstreamErrorKind, WeatherProvider,
        http::Client, open_meteo::OpenMeteo, sunrise_sunset::SunriseSunset, zippopotam::Zippopotam,
    },
};

use crate::fixtures;

/// The client timeout in the cases about slowness, so that they take a moment, not seconds.
const SHORT: Duration = Duration::from_millis(300);
/// The client timeout everywhere else, so that a busy machine does not turn a fault into a timeout.
const PATIENT: Duration = Duration::from_secs(5);
/// How long a test waits for a provider at all: a client that never gives up fails its case.
const GUARD: Duration = Duration::from_secs(10);

// ----- Good answers -------------------------------------------------------------------------

#[tokio::test]
async fn the_geocoder_reads_a_good_answer_into_a_named_point() {
    let fake = Fake::Mock(ResponseTemplate::new(200).set_body_json(fixtures::portland()))
        .start("/us/97229")
        .await;

    let place = Zippopotam::new(client(PATIENT), &fake.base_url)
        .geocode(&portland_key())
        .await;

    assert_eq!(
        place,
        Ok(Some(GeocodedPlace {
            name: "Portland".to_owned(),
            region: "Oregon".to_owned(),
            region_code: "OR".to_owned(),
            coordinates: portland_point(),
        }))
    );
}

#[tokio::test]
async fn the_weather_service_reads_a_good_answer_into_conditions_now_the_hours_and_the_days() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/forecast"))
        .and(query_param("latitude", "45.5483"))
        .and(query_param("longitude", "-122.8284"))
        .and(query_param("timezone", "auto"))
        .and(query_param("forecast_days", "7"))
        .and(query_param(
            "daily",
            "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max,\
             precipitation_sum,wind_speed_10m_max,wind_direction_10m_dominant,uv_index_max",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(Provider::Weather.good_answer()))
        .expect(1)
        .mount(&server)
        .await;

    let weather = OpenMeteo::new(client(PATIENT), &server.uri())
        .forecast(portland_point())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(
        (
            weather.temperature_c,
            weather.feels_like_c,
            weather.humidity_percent,
            weather.wind_speed_kmh,
            weather.code,
            weather.source,
        ),
        (
            Some(7.4),
            Some(7.4 - 2.0),
            Some(81.0),
            Some(12.3),
            Some(WmoCode(61)),
            "open-meteo.com"
        )
    );
    // Local wall-clock times without an offset, read in Los Angeles (PDT, UTC−7).
    assert_eq!(
        weather.observed_at,
        instant("2026-07-01T19:00:00+00:00"),
        "12:00 local, the quarter hour before 12:07"
    );
    assert_eq!(weather.hours.len(), 48);
    assert_eq!(
        weather.hours.first(),
        Some(&HourForecast {
            at: instant("2026-07-01T07:00:00+00:00"),
            temperature_c: Some(5.0),
            precipitation_probability: Some(0.0),
            code: Some(WmoCode(3)),
        }),
        "local midnight"
    );
    assert_eq!(
        weather.hours.get(5),
        Some(&HourForecast {
            at: instant("2026-07-01T12:00:00+00:00"),
            temperature_c: Some(7.5),
            precipitation_probability: None,
            code: Some(WmoCode(61)),
        }),
        "the hour the answer has no precipitation number for"
    );
    assert_eq!(
        weather.hours.last().map(|h| h.at),
        Some(instant("2026-07-03T06:00:00+00:00")),
        "23:00 local on the second day"
    );
    // Seven days, by the place's local dates, with what the answer lacks left out.
    assert_eq!(weather.days.len(), 7);
    assert_eq!(
        weather.days.first(),
        Some(&DayForecast {
            date: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default(),
            code: Some(WmoCode(61)),
            max_c: Some(12.5),
            min_c: Some(4.0),
            precipitation_probability: Some(80.0),
            precipitation_mm: Some(5.2),
            wind_max_kmh: Some(20.0),
            wind_from_degrees: Some(315.0),
            uv_index_max: Some(1.5),
        })
    );
    assert_eq!(weather.days[3].min_c, None);
    assert_eq!(weather.days[3].code, Some(WmoCode(95)));
    assert_eq!(
        weather.days[6].date,
        chrono::NaiveDate::from_ymd_opt(2026, 7, 7).unwrap_or_default()
    );
}

#[tokio::test]
async fn the_sun_service_reads_a_good_answer_into_the_days_sun_times() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/json"))
        .and(query_param("lat", "45.5483"))
        .and(query_param("lng", "-122.8284"))
        .and(query_param("date", "2026-07-01"))
        .and(query_param("formatted", "0"))
        .and(query_param("tzid", "America/Los_Angeles"))
        .respond_with(ResponseTemplate::new(200).set_body_json(Provider::Sun.good_answer()))
        .expect(1)
        .mount(&server)
        .await;

    let sun = SunriseSunset::new(client(PATIENT), &server.uri())
        .sun_times(portland_point(), july_first(), Tz::America__Los_Angeles)
        .await;

    let answer = fixtures::PORTLAND_JULY;
    assert_eq!(
        sun,
        Ok(SunTimes {
            date: july_first(),
            sunrise: Some(instant(answer.sunrise)),
            sunset: Some(instant(answer.sunset)),
            solar_noon: instant(answer.solar_noon),
            day_length: TimeDelta::seconds(answer.day_length),
            civil: twilight(answer.civil),
            nautical: twilight(answer.nautical),
            astronomical: twilight(answer.astronomical),
            source: SunSource::SunriseSunset,
        })
    );
}

// ----- Not found ----------------------------------------------------------------------------

#[tokio::test]
async fn the_geocoder_takes_a_404_or_an_empty_list_as_an_unknown_postal_code() {
    let cases = [
        // What Zippopotam.us answers for a postal code it does not know.
        (
            "HTTP 404 with {}",
            ResponseTemplate::new(404).set_body_json(json!({})),
        ),
        (
            "HTTP 200 listing no places",
            ResponseTemplate::new(200).set_body_json(json!({"places": []})),
        ),
    ];
    for (case, answer) in cases {
        let fake = Fake::Mock(answer).start("/us/97229").await;

        let place = Zippopotam::new(client(PATIENT), &fake.base_url)
            .geocode(&portland_key())
            .await;

        assert_eq!(place, Ok(None), "{case}");
    }
}

/// A reading no weather on Earth has is shown as unknown, the rest of the answer kept: a
/// temperature of 1e308 beside one of -1e308 once overflowed the chart's scale into NaN.
#[tokio::test]
async fn readings_beyond_any_weather_on_earth_are_shown_as_unknown() {
    let mut answer = Provider::Weather.good_answer();
    for (pointer, reading) in [
        ("/current/temperature_2m", json!(1e308)),
        ("/current/wind_speed_10m", json!(-4.0)),
        ("/current/relative_humidity_2m", json!(140.0)),
        ("/hourly/temperature_2m/0", json!(1e308)),
        ("/hourly/temperature_2m/1", json!(-1e308)),
        ("/hourly/precipitation_probability/0", json!(300.0)),
        ("/daily/temperature_2m_max/0", json!(95.0)),
        ("/daily/uv_index_max/0", json!(1e6)),
    ] {
        answer = changed(&answer, pointer, reading);
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/forecast"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&server)
        .await;

    let weather = OpenMeteo::new(client(PATIENT), &server.uri())
        .forecast(portland_point())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(
        (
            weather.temperature_c,
            weather.wind_speed_kmh,
            weather.humidity_percent,
            weather.feels_like_c,
        ),
        (None, None, None, Some(7.4 - 2.0))
    );
    let first_hours: Vec<_> = weather
        .hours
        .iter()
        .take(3)
        .map(|h| (h.temperature_c, h.precipitation_probability))
        .collect();
    assert_eq!(first_hours.len(), 3);
    assert_eq!(first_hours[0], (None, None));
    assert_eq!(first_hours[1].0, None);
    assert!(first_hours[2].0.is_some(), "{first_hours:?}");
    let today = weather
        .days
        .first()
        .map(|d| (d.max_c, d.uv_index_max, d.min_c.is_some()));
    assert_eq!(today, Some((None, None, true)));
}

#[tokio::test]
async fn the_weather_and_sun_services_take_a_404_as_a_failure() {
    for provider in [Provider::Weather, Provider::Sun] {
        let fake = Fake::Mock(ResponseTemplate::new(404).set_body_json(json!({})))
            .start(provider.path())
            .await;

        let answer = provider
            .ask_in_time("HTTP 404", fake.base_url, PATIENT)
            .await;

        match answer {
            Err(error) => assert_eq!(
                error.kind,
                UpstreamErrorKind::Status(404),
                "{provider:?}: {error}"
            ),
            Ok(answer) => panic!("{provider:?}: a 404 was read as {answer}"),
        }
    }
}

// ----- Faults -------------------------------------------------------------------------------

#[tokio::test]
async fn the_geocoder_turns_every_fault_into_a_typed_error() {
    assert_every_fault_is_a_typed_error(Provider::Geocoder).await;
}

#[tokio::test]
async fn the_weather_service_turns_every_fault_into_a_typed_error() {
    assert_every_fault_is_a_typed_error(Provider::Weather).await;
}

#[tokio::test]
async fn the_sun_service_turns_every_fault_into_a_typed_error() {
    assert_every_fault_is_a_typed_error(Provider::Sun).await;
}

async fn assert_every_fault_is_a_typed_error(provider: Provider) {
    for Fault {
        case,
        fake,
        expected,
    } in faults(provider)
    {
        let timeout = if expected == Expected::Timeout {
            SHORT
        } else {
            PATIENT
        };
        let fake = fake.start(provider.path()).await;

        let answer = provider.ask_in_time(case, fake.base_url, timeout).await;

        let error = match answer {
            Err(error) => error,
            Ok(answer) => panic!("{provider:?}, {case}: read as {answer}"),
        };
        assert!(
            expected.is(&error.kind),
            "{provider:?}, {case}: {:?}, expected {expected:?}",
            error.kind
        );
        assert_eq!(
            error.is_timeout(),
            expected == Expected::Timeout,
            "{provider:?}, {case}: {error}"
        );
        assert!(
            error.provider.contains(provider.named()),
            "{provider:?}, {case}: blamed {:?}",
            error.provider
        );
    }
}

/// The faults every provider meets, then the wrong answers particular to it.
fn faults(provider: Provider) -> Vec<Fault> {
    let good = provider.good_answer();
    let good_bytes = serde_json::to_vec(&good).unwrap_or_else(|e| panic!("{e}"));
    let half = good_bytes[..good_bytes.len() / 2].to_vec();
    // Valid JSON, so that only its size is at fault.
    let oversized = format!("{{\"padding\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)).into_bytes();
    let mut faults = vec![
        Fault::answer(
            "HTTP 500",
            ResponseTemplate::new(500),
            Expected::Status(500),
        ),
        Fault::answer(
            "HTTP 503 with a JSON body",
            ResponseTemplate::new(503).set_body_json(good.clone()),
            Expected::Status(503),
        ),
        Fault::answer(
            "garbage bytes labelled JSON",
            ResponseTemplate::new(200).set_body_raw(
                b"\x00\xff\xfe<html>oops</html>".to_vec(),
                "application/json",
            ),
            Expected::Malformed,
        ),
        Fault::answer(
            "an HTML page",
            ResponseTemplate::new(200).set_body_raw("<!doctype html><p>Hello</p>", "text/html"),
            Expected::Malformed,
        ),
        Fault::answer(
            "an empty body",
            ResponseTemplate::new(200),
            Expected::Malformed,
        ),
        Fault::answer(
            "a good answer cut off halfway",
            ResponseTemplate::new(200).set_body_raw(half, "application/json"),
            Expected::Malformed,
        ),
        Fault::answer(
            "2 MB with a Content-Length",
            ResponseTemplate::new(200).set_body_raw(oversized.clone(), "application/json"),
            Expected::TooLarge,
        ),
        Fault {
            case: "2 MB without a length, until the connection closes",
            fake: Fake::Unsized(oversized),
            expected: Expected::TooLarge,
        },
        Fault::answer(
            "a good answer 2 s late",
            ResponseTemplate::new(200)
                .set_body_json(good)
                .set_delay(Duration::from_secs(2)),
            Expected::Timeout,
        ),
        Fault {
            case: "a good answer, one byte a second",
            fake: Fake::Trickle(good_bytes),
            expected: Expected::Timeout,
        },
        Fault {
            case: "nobody listening",
            fake: Fake::Nobody,
            expected: Expected::Unreachable,
        },
    ];
    faults.extend(provider.wrong_answers().into_iter().map(|(case, body)| {
        Fault::answer(
            case,
            ResponseTemplate::new(200).set_body_json(body),
            Expected::Malformed,
        )
    }));
    faults
}

struct Fault {
    case: &'static str,
    fake: Fake,
    expected: Expected,
}

impl Fault {
    fn answer(case: &'static str, response: ResponseTemplate, expected: Expected) -> Self {
        Self {
            case,
            fake: Fake::Mock(response),
            expected,
        }
    }
}

/// The kind of `UpstreamError` a fault should end as; the texts inside are not compared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expected {
    Status(u16),
    Malformed,
    TooLarge,
    Timeout,
    Unreachable,
}

impl Expected {
    fn is(self, kind: &UpstreamErrorKind) -> bool {
        match (self, kind) {
            (Self::Status(want), UpstreamErrorKind::Status(got)) => want == *got,
            (Self::Malformed, UpstreamErrorKind::Malformed(_))
            | (Self::TooLarge, UpstreamErrorKind::TooLarge)
            | (Self::Timeout, UpstreamErrorKind::Timeout)
            | (Self::Unreachable, UpstreamErrorKind::Unreachable(_)) => true,
            _ => false,
        }
    }
}

// ----- The three providers, asked alike -----------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Provider {
    Geocoder,
    Weather,
    Sun,
}

impl Provider {
    /// The path the provider asks for Portland, 97229.
    fn path(self) -> &'static str {
        match self {
            Self::Geocoder => "/us/97229",
            Self::Weather => "/v1/forecast",
            Self::Sun => "/json",
        }
    }

    /// A word of the name its errors carry, so that a page can say which service failed.
    fn named(self) -> &'static str {
        match self {
            Self::Geocoder => "geocoder",
            Self::Weather => "weather",
            Self::Sun => "sun",
        }
    }

    /// Portland in the provider's own format; for weather and sun, at noon on 1 July 2026.
    fn good_answer(self) -> Value {
        match self {
            Self::Geocoder => fixtures::portland(),
            Self::Weather => fixtures::open_meteo(
                Tz::America__Los_Angeles,
                instant("2026-07-01T19:07:00+00:00"),
                7.4,
            ),
            Self::Sun => fixtures::sunrise_sunset(&fixtures::PORTLAND_JULY),
        }
    }

    /// Well-formed JSON that is not the documented format: the good answer with one thing wrong.
    fn wrong_answers(self) -> Vec<(&'static str, Value)> {
        let good = self.good_answer();
        let with = |pointer: &str, value: Value| changed(&good, pointer, value);
        match self {
            Self::Geocoder => vec![
                (
                    "coordinates as numbers, not strings",
                    with("/places/0/latitude", json!(45.5483)),
                ),
                (
                    "a latitude that is a word",
                    with("/places/0/latitude", json!("north")),
                ),
                (
                    "a latitude past the pole",
                    with("/places/0/latitude", json!("95.0")),
                ),
                ("places as a string", with("/places", json!("Portland"))),
                ("no places at all", json!({})),
            ],
            Self::Weather => vec![
                (
                    "a temperature as a string",
                    with("/current/temperature_2m", json!("warm")),
                ),
                (
                    "a weather code as a string",
                    with("/current/weather_code", json!("61")),
                ),
                (
                    "the UTC offset as a string",
                    with("/utc_offset_seconds", json!("-25200")),
                ),
                (
                    "a time that is not a time",
                    with("/current/time", json!("noon")),
                ),
                (
                    "hourly series of different lengths",
                    with("/hourly/temperature_2m", json!([5.0])),
                ),
                ("no current conditions", with("/current", json!(null))),
                (
                    "an hour in the year 9999, which the page's chart would draw to",
                    with("/hourly/time/47", json!("9999-12-31T23:00")),
                ),
                (
                    "an hour in a year chrono cannot add an hour to",
                    with("/hourly/time/47", json!("+262142-12-31T23:30")),
                ),
                (
                    "the same hour twice",
                    with("/hourly/time/1", good["hourly"]["time"][0].clone()),
                ),
                (
                    "a day years after the current conditions",
                    with("/daily/time/6", json!("2030-01-01")),
                ),
            ],
            Self::Sun => vec![
                (
                    "the day length as clock text, as without formatted=0",
                    with("/results/day_length", json!("15:38:31")),
                ),
                (
                    "sunrise as clock text",
                    with("/results/sunrise", json!("5:25:10 AM")),
                ),
                (
                    "a day longer than 24 hours",
                    with("/results/day_length", json!(90_000)),
                ),
                (
                    "the service's own error status",
                    json!({"results": "", "status": "INVALID_REQUEST"}),
                ),
                ("status OK without results", with("/results", json!(""))),
                (
                    "a sunrise years from the date asked",
                    with("/results/sunrise", json!("9999-06-01T05:00:00+00:00")),
                ),
                (
                    "twilight ending the week after",
                    with(
                        "/results/civil_twilight_end",
                        json!("2026-07-08T04:00:00+00:00"),
                    ),
                ),
            ],
        }
    }

    /// Asks the provider at `base_url` as the app does, with the shared client; a success is
    /// returned as its debug text, for messages.
    async fn ask(self, base_url: &str, timeout: Duration) -> Result<String, UpstreamError> {
        let client = client(timeout);
        match self {
            Self::Geocoder => {
                let place = Zippopotam::new(client, base_url)
                    .geocode(&portland_key())
                    .await?;
                Ok(format!("{place:?}"))
            }
            Self::Weather => {
                let weather = OpenMeteo::new(client, base_url)
                    .forecast(portland_point())
                    .await?;
                Ok(format!("{weather:?}"))
            }
            Self::Sun => {
                let sun = SunriseSunset::new(client, base_url)
                    .sun_times(portland_point(), july_first(), Tz::America__Los_Angeles)
                    .await?;
                Ok(format!("{sun:?}"))
            }
        }
    }

    /// As `ask`, on a task of its own: a panic or a hang fails with the case's name.
    async fn ask_in_time(
        self,
        case: &str,
        base_url: String,
        timeout: Duration,
    ) -> Result<String, UpstreamError> {
        let asked = tokio::spawn(async move { self.ask(&base_url, timeout).await });
        match tokio::time::timeout(GUARD, asked).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(failed)) => panic!("{self:?}, {case}: panicked: {failed}"),
            Err(_) => panic!("{self:?}, {case}: still waiting after {GUARD:?}"),
        }
    }
}

// ----- Fake servers on 127.0.0.1 ------------------------------------------------------------

enum Fake {
    /// A wiremock server giving this answer at the provider's path.
    Mock(ResponseTemplate),
    /// A 200 head with a Content-Length, then the body one byte a second.
    Trickle(Vec<u8>),
    /// A 200 head without a length, the whole body, then the connection closes.
    Unsized(Vec<u8>),
    /// A port that nobody listens on.
    Nobody,
}

/// A started fake: its base URL, and the wiremock server kept alive as long as this is.
struct Started {
    base_url: String,
    _server: Option<MockServer>,
}

impl Fake {
    async fn start(self, at: &str) -> Started {
        let raw = |base_url: String| Started {
            base_url,
            _server: None,
        };
        match self {
            Self::Mock(response) => {
                let server = MockServer::start().await;
                Mock::given(method("GET"))
                    .and(path(at))
                    .respond_with(response)
                    .mount(&server)
                    .await;
                Started {
                    base_url: server.uri(),
                    _server: Some(server),
                }
            }
            Self::Trickle(body) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                raw(serve_raw(head, body, Some(Duration::from_secs(1))).await)
            }
            Self::Unsized(body) => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
                raw(serve_raw(head.to_owned(), body, None).await)
            }
            Self::Nobody => {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
                drop(listener);
                raw(format!("http://{address}"))
            }
        }
    }
}

/// Answers every connection, whatever it asks, with `head` as written and then `body`: one byte
/// per `pace` when given, else at once. Returns the base URL.
async fn serve_raw(head: String, body: Vec<u8>, pace: Option<Duration>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(answer_raw(socket, head.clone(), body.clone(), pace));
        }
    });
    address
}

/// Ends with an error as soon as the client hangs up, which is what a client that gives up does.
async fn answer_raw(
    mut socket: TcpStream,
    head: String,
    body: Vec<u8>,
    pace: Option<Duration>,
) -> std::io::Result<()> {
    read_request_head(&mut socket).await?;
    socket.write_all(head.as_bytes()).await?;
    match pace {
        None => socket.write_all(&body).await?,
        Some(pace) => {
            for byte in body {
                socket.write_all(&[byte]).await?;
                socket.flush().await?;
                tokio::time::sleep(pace).await;
            }
        }
    }
    socket.shutdown().await
}

/// Reads up to the blank line that ends a GET's head.
async fn read_request_head(socket: &mut TcpStream) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = socket.read(&mut buffer).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buffer[..read]);
    }
    Ok(())
}

// ----- Small helpers ------------------------------------------------------------------------

/// The shared client the app builds at start-up, with this timeout.
fn client(timeout: Duration) -> Client {
    Client::new(timeout).unwrap_or_else(|e| panic!("{e}"))
}

fn portland_key() -> PlaceKey {
    PlaceKey::parse("us", "97229").unwrap_or_else(|e| panic!("{e}"))
}

fn portland_point() -> Coordinates {
    Coordinates {
        latitude: 45.5483,
        longitude: -122.8284,
    }
}

fn july_first() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_else(|| panic!("no such date"))
}

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
}

fn twilight((begin, end): (&str, &str)) -> Twilight {
    Twilight {
        begin: Some(instant(begin)),
        end: Some(instant(end)),
    }
}

/// `value` with the part at a JSON pointer (`/places/0/latitude`) replaced.
fn changed(value: &Value, pointer: &str, new: Value) -> Value {
    let mut value = value.clone();
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the answer")) = new;
    value
}
