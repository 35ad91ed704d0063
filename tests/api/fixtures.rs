//! Answers in the three providers' real formats, as the fake upstream serves them. The shape of
//! each is cited where it is built: a fake that answers as we imagine a provider does would let
//! a wrong reading of it pass every test.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

/// Zippopotam.us: keys with spaces, coordinates as strings (its API page's example answer for
/// `/us/90210`).
pub fn zippopotam(
    postal_code: &str,
    name: &str,
    state: &str,
    abbreviation: &str,
    lat: &str,
    lon: &str,
) -> Value {
    zippopotam_in(
        ("US", "United States"),
        postal_code,
        (name, state, abbreviation),
        (lat, lon),
    )
}

/// As `zippopotam`, for a place in any country: (code, the country's name as the service
/// writes it), (place name, state, state abbreviation), (latitude, longitude).
pub fn zippopotam_in(
    (country_code, country): (&str, &str),
    postal_code: &str,
    (name, state, abbreviation): (&str, &str, &str),
    (lat, lon): (&str, &str),
) -> Value {
    json!({
        "post code": postal_code,
        "country": country,
        "country abbreviation": country_code,
        "places": [{
            "place name": name,
            "longitude": lon,
            "state": state,
            "state abbreviation": abbreviation,
            "latitude": lat
        }]
    })
}

pub fn portland() -> Value {
    zippopotam("97229", "Portland", "Oregon", "OR", "45.5483", "-122.8284")
}

/// Open-Meteo with `timezone=auto`, as its source writes it (`ForecastApiResult.swift`,
/// `JsonWriter.swift`, `openapi/forecast.yml` in its repository): 48 hourly times from local
/// midnight, each written with the one offset valid when it answered (`utc_offset_seconds`) and
/// no daylight-saving adjustment inside the series (its maintainers in issues #261 and #1255);
/// the zone's abbreviation in the `GMT-7` style; `null` for a value it could not compute.
pub fn open_meteo(zone: Tz, now: DateTime<Utc>, temperature: f64) -> Value {
    let offset_seconds = now.with_timezone(&zone).offset().fix_seconds();
    let offset = chrono::FixedOffset::east_opt(offset_seconds)
        .unwrap_or_else(|| panic!("offset {offset_seconds}"));
    let local_now = now.with_timezone(&offset).naive_local();
    let midnight = local_now.date().and_hms_opt(0, 0, 0).unwrap_or(local_now);
    let hours: Vec<String> = (0..48)
        .map(|h| {
            (midnight + TimeDelta::hours(h))
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .collect();
    let current = local_now
        .duration_trunc(TimeDelta::minutes(15))
        .unwrap_or(local_now);
    json!({
        "latitude": 45.55,
        "longitude": -122.83,
        "generationtime_ms": 0.1,
        "utc_offset_seconds": offset_seconds,
        "timezone": zone.name(),
        "timezone_abbreviation": gmt_abbreviation(offset_seconds),
        "elevation": 60.0,
        "current_units": {"time": "iso8601", "interval": "seconds", "temperature_2m": "°C"},
        "current": {
            "time": current.format("%Y-%m-%dT%H:%M").to_string(),
            "interval": 900,
            "temperature_2m": temperature,
            "apparent_temperature": temperature - 2.0,
            "relative_humidity_2m": 81,
            "weather_code": 61,
            "wind_speed_10m": 12.3,
            "wind_direction_10m": 315
        },
        "hourly_units": {"time": "iso8601", "temperature_2m": "°C", "precipitation_probability": "%"},
        "hourly": {
            "time": hours,
            "temperature_2m": (0..48).map(|h| 5.0 + f64::from(h % 24) / 2.0).collect::<Vec<_>>(),
            "precipitation_probability": (0..48).map(|h| if h == 5 { Value::Null } else { json!(h * 2) }).collect::<Vec<_>>(),
            "weather_code": (0..48).map(|h| if h % 2 == 0 { 3 } else { 61 }).collect::<Vec<_>>()
        },
        "daily_units": {"time": "iso8601", "temperature_2m_max": "°C", "precipitation_sum": "mm"},
        "daily": {
            "time": (0..7).map(|d| (midnight.date() + TimeDelta::days(d)).to_string()).collect::<Vec<_>>(),
            "weather_code": DAILY_CODES,
            "temperature_2m_max": (0..7).map(|d| 12.5 + f64::from(d)).collect::<Vec<_>>(),
            "temperature_2m_min": (0..7).map(|d| if d == 3 { Value::Null } else { json!(4.0 + f64::from(d) / 2.0) }).collect::<Vec<_>>(),
            "precipitation_probability_max": [80, 20, 0, 90, 60, 10, 5],
            "precipitation_sum": [5.2, 0.0, 0.0, 12.7, 3.0, 0.1, 0.0],
            "wind_speed_10m_max": [20.0, 15.5, 8.0, 41.3, 12.0, 9.9, 5.0],
            "wind_direction_10m_dominant": [315, 90, 180, 270, 0, 45, 359.9],
            "uv_index_max": [1.5, 3.0, 4.2, 0.5, 1.0, 2.0, 3.0]
        }
    })
}

/// The weather of each of the seven days in [`open_meteo`]'s answer.
pub const DAILY_CODES: [u8; 7] = [61, 3, 0, 95, 71, 45, 2];

/// "GMT-7", "GMT+1", "GMT+5:30", "GMT" as Open-Meteo abbreviates an offset.
fn gmt_abbreviation(offset_seconds: i32) -> String {
    let (sign, seconds) = if offset_seconds < 0 {
        ('-', -offset_seconds)
    } else {
        ('+', offset_seconds)
    };
    match (seconds / 3600, seconds % 3600 / 60) {
        (0, 0) => "GMT".to_owned(),
        (hours, 0) => format!("GMT{sign}{hours}"),
        (hours, minutes) => format!("GMT{sign}{hours}:{minutes:02}"),
    }
}

trait FixSeconds {
    fn fix_seconds(&self) -> i32;
}

impl<O: chrono::Offset> FixSeconds for O {
    fn fix_seconds(&self) -> i32 {
        self.fix().local_minus_utc()
    }
}

/// sunrise-sunset.org with `formatted=0`: ISO 8601 instants, day length in seconds. Times are
/// given here in UTC and `zone` is the `tzid` the request sent.
pub struct SunAnswer<'a> {
    pub zone: Tz,
    pub sunrise: &'a str,
    pub sunset: &'a str,
    pub solar_noon: &'a str,
    pub day_length: i64,
    pub civil: (&'a str, &'a str),
    pub nautical: (&'a str, &'a str),
    pub astronomical: (&'a str, &'a str),
}

/// The answer as the service sends it for a request with `tzid` (its API page: "the times in
/// the response will be in the given timezone"): every time in that zone's offset, the zone
/// echoed, and an event that does not happen written as the epoch's first second, in that
/// offset too.
pub fn sunrise_sunset(answer: &SunAnswer<'_>) -> Value {
    let local = |utc: &str| {
        DateTime::parse_from_rfc3339(utc)
            .map(|t| t.with_timezone(&answer.zone).to_rfc3339())
            .unwrap_or_else(|e| panic!("{utc}: {e}"))
    };
    json!({
        "results": {
            "sunrise": local(answer.sunrise),
            "sunset": local(answer.sunset),
            "solar_noon": local(answer.solar_noon),
            "day_length": answer.day_length,
            "civil_twilight_begin": local(answer.civil.0),
            "civil_twilight_end": local(answer.civil.1),
            "nautical_twilight_begin": local(answer.nautical.0),
            "nautical_twilight_end": local(answer.nautical.1),
            "astronomical_twilight_begin": local(answer.astronomical.0),
            "astronomical_twilight_end": local(answer.astronomical.1)
        },
        "status": "OK",
        "tzid": answer.zone.name()
    })
}

/// Portland on 1 July 2026 (PDT, UTC−7), as the service answers it.
pub const PORTLAND_JULY: SunAnswer<'static> = SunAnswer {
    zone: Tz::America__Los_Angeles,
    sunrise: "2026-07-01T12:25:10+00:00",
    sunset: "2026-07-02T04:03:41+00:00",
    solar_noon: "2026-07-01T20:14:25+00:00",
    day_length: 56_311,
    civil: ("2026-07-01T11:49:02+00:00", "2026-07-02T04:39:49+00:00"),
    nautical: ("2026-07-01T11:01:37+00:00", "2026-07-02T05:27:14+00:00"),
    astronomical: ("2026-07-01T10:02:10+00:00", "2026-07-02T06:26:41+00:00"),
};

/// Portland on 1 December 2026 (PST, UTC−8).
pub const PORTLAND_DECEMBER: SunAnswer<'static> = SunAnswer {
    zone: Tz::America__Los_Angeles,
    sunrise: "2026-12-01T15:30:00+00:00",
    sunset: "2026-12-02T00:28:05+00:00",
    solar_noon: "2026-12-01T19:59:02+00:00",
    day_length: 32_285,
    civil: ("2026-12-01T14:56:40+00:00", "2026-12-02T01:01:25+00:00"),
    nautical: ("2026-12-01T14:19:51+00:00", "2026-12-02T01:38:14+00:00"),
    astronomical: ("2026-12-01T13:44:14+00:00", "2026-12-02T02:13:51+00:00"),
};

/// The service's answer on a day without sunrise: events that do not happen are the epoch.
pub const POLAR_NIGHT: SunAnswer<'static> = SunAnswer {
    zone: Tz::America__Anchorage,
    sunrise: "1970-01-01T00:00:01+00:00",
    sunset: "1970-01-01T00:00:01+00:00",
    solar_noon: "2026-12-21T10:44:00+00:00",
    day_length: 0,
    civil: ("2026-12-21T08:43:00+00:00", "2026-12-21T12:45:00+00:00"),
    nautical: ("2026-12-21T07:15:00+00:00", "2026-12-21T14:13:00+00:00"),
    astronomical: ("2026-12-21T06:05:00+00:00", "2026-12-21T15:23:00+00:00"),
};

/// Midsummer at Utqiagvik: the sun does not set, and the twilights do not happen either.
pub const POLAR_DAY: SunAnswer<'static> = SunAnswer {
    zone: Tz::America__Anchorage,
    sunrise: "1970-01-01T00:00:01+00:00",
    sunset: "1970-01-01T00:00:01+00:00",
    solar_noon: "2026-06-21T22:28:00+00:00",
    day_length: 0,
    civil: ("1970-01-01T00:00:01+00:00", "1970-01-01T00:00:01+00:00"),
    nautical: ("1970-01-01T00:00:01+00:00", "1970-01-01T00:00:01+00:00"),
    astronomical: ("1970-01-01T00:00:01+00:00", "1970-01-01T00:00:01+00:00"),
};

/// Portland's answer for today (its 1 December answer, moved by whole days), for tests that are
/// not about the times themselves: the app refuses times far from the date it asked for.
pub fn any_sun_answer() -> Value {
    let december = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    sun_answer_moved_to_today(&PORTLAND_DECEMBER, december)
}

/// The service's answer for `its_date`, moved by whole days to today where the answer's place
/// is (the date the app asks for): times that do not happen (the epoch) stay as they are.
pub fn sun_answer_moved_to_today(answer: &SunAnswer<'_>, its_date: chrono::NaiveDate) -> Value {
    let today = Utc::now().with_timezone(&answer.zone).date_naive();
    let days = TimeDelta::days((today - its_date).num_days());
    let moved = |utc: &str| {
        let at = DateTime::parse_from_rfc3339(utc).unwrap_or_else(|e| panic!("{utc}: {e}"));
        if at.timestamp() <= 1 {
            utc.to_owned()
        } else {
            (at + days).to_rfc3339()
        }
    };
    let times = [
        moved(answer.sunrise),
        moved(answer.sunset),
        moved(answer.solar_noon),
        moved(answer.civil.0),
        moved(answer.civil.1),
        moved(answer.nautical.0),
        moved(answer.nautical.1),
        moved(answer.astronomical.0),
        moved(answer.astronomical.1),
    ];
    sunrise_sunset(&SunAnswer {
        zone: answer.zone,
        sunrise: &times[0],
        sunset: &times[1],
        solar_noon: &times[2],
        day_length: answer.day_length,
        civil: (&times[3], &times[4]),
        nautical: (&times[5], &times[6]),
        astronomical: (&times[7], &times[8]),
    })
}

/// Pictures in each accepted format, made here.
pub mod pictures {
    use image::{
        ExtendedColorType, ImageEncoder, RgbImage,
        codecs::{jpeg::JpegEncoder, png::PngEncoder, webp::WebPEncoder},
    };

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        })
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = gradient(width, height);
        let mut out = Vec::new();
        let written = PngEncoder::new(&mut out).write_image(
            picture.as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
        );
        assert!(written.is_ok());
        out
    }

    pub fn webp(width: u32, height: u32) -> Vec<u8> {
        let picture = gradient(width, height);
        let mut out = Vec::new();
        let written = WebPEncoder::new_lossless(&mut out).write_image(
            picture.as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
        );
        assert!(written.is_ok());
        out
    }

    /// A JPEG carrying an EXIF block with a GPS position, as phones write them.
    pub fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
        let picture = gradient(width, height);
        let mut plain = Vec::new();
        let written = JpegEncoder::new_with_quality(&mut plain, 90).write_image(
            picture.as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
        );
        assert!(written.is_ok());
        // APP1: "Exif\0\0", a big-endian TIFF header, an empty IFD, then the GPS text that a
        // careless server would keep.
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
        exif.extend_from_slice(b"GPSLatitude=45.50655;GPSLongitude=-122.733888");
        let length = (exif.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&exif);
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// A valid PNG header that claims 50,000 × 50,000 pixels (10 GB decoded) in a few bytes.
    pub fn png_bomb() -> Vec<u8> {
        png_claiming(50_000, 8, 2)
    }

    /// A valid PNG header that claims 9,000 × 9,000 pixels of 16-bit RGBA: within the limit on
    /// sides, but 648 MB decoded, past the limit on memory.
    pub fn png_memory_bomb() -> Vec<u8> {
        png_claiming(9_000, 16, 6)
    }

    /// A 1×1 PNG whose header (with a correct CRC) claims `side` × `side` pixels.
    fn png_claiming(side: u32, bit_depth: u8, colour_type: u8) -> Vec<u8> {
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&side.to_be_bytes());
        bomb[20..24].copy_from_slice(&side.to_be_bytes());
        bomb[24] = bit_depth;
        bomb[25] = colour_type;
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        bomb
    }

    /// CRC-32 as PNG chunks use it, so the doctored header is a valid one.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
