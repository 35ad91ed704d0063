//! The web services a page waits on, each one module behind a small trait, so that the live
//! providers, the simulated ones and the tests' fakes are interchangeable.

pub mod http;
pub mod open_meteo;
pub mod simulated;
pub mod sunrise_sunset;
pub mod zippopotam;

use std::{fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::{
    config::{Config, UpstreamMode},
    domain::{Coordinates, PlaceKey, solar::SunTimes, weather::Weather},
};

/// What a geocoder knows about a postal code.
#[derive(Debug, Clone, PartialEq)]
pub struct GeocodedPlace {
    pub name: String,
    pub region: String,
    pub region_code: String,
    pub coordinates: Coordinates,
}

/// Turns a postal code into a named point.
#[async_trait]
pub trait Geocoder: Send + Sync {
    /// `Ok(None)` when the geocoder does not know the postal code.
    async fn geocode(&self, key: &PlaceKey) -> Result<Option<GeocodedPlace>, UpstreamError>;
}

/// Weather now and the next hours at a point.
#[async_trait]
pub trait WeatherProvider: Send + Sync {
    async fn forecast(&self, at: Coordinates) -> Result<Weather, UpstreamError>;
}

/// Sunrise, sunset and twilights at a point on a local date.
#[async_trait]
pub trait SunProvider: Send + Sync {
    async fn sun_times(
        &self,
        at: Coordinates,
        date: NaiveDate,
        zone: Tz,
    ) -> Result<SunTimes, UpstreamError>;
}

/// The three providers the app uses, live or simulated as configured.
#[derive(Clone)]
pub struct Upstreams {
    pub geocoder: Arc<dyn Geocoder>,
    pub weather: Arc<dyn WeatherProvider>,
    pub sun: Arc<dyn SunProvider>,
}

impl Upstreams {
    pub fn from_config(config: &Config) -> Result<Self, UpstreamError> {
        Ok(match config.upstream {
            UpstreamMode::Simulated => Self {
                geocoder: Arc::new(simulated::Geocoder),
                weather: Arc::new(simulated::Weather),
                sun: Arc::new(simulated::Sun),
            },
            UpstreamMode::Live => {
                let client = http::Client::new(Duration::from_millis(config.upstream_timeout_ms))?;
                Self {
                    geocoder: Arc::new(zippopotam::Zippopotam::new(
                        client.clone(),
                        &config.geocoder_url,
                    )),
                    weather: Arc::new(open_meteo::OpenMeteo::new(
                        client.clone(),
                        &config.weather_url,
                    )),
                    sun: Arc::new(sunrise_sunset::SunriseSunset::new(client, &config.sun_url)),
                }
            }
        })
    }
}

/// A provider that failed to give a usable answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{provider}: {kind}")]
pub struct UpstreamError {
    pub provider: &'static str,
    pub kind: UpstreamErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UpstreamErrorKind {
    /// No complete answer within the time allowed.
    Timeout,
    /// Could not connect, or the connection broke.
    Unreachable(String),
    /// Answered with an HTTP error status.
    Status(u16),
    /// Answered with more bytes than any real answer has.
    TooLarge,
    /// Answered with something that is not the documented format.
    Malformed(String),
    /// Could not even be set up (bad base URL, TLS initialisation).
    Setup(String),
}

impl fmt::Display for UpstreamErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("timed out"),
            Self::Unreachable(why) => write!(f, "unreachable ({why})"),
            Self::Status(code) => write!(f, "answered HTTP {code}"),
            Self::TooLarge => f.write_str("answer too large"),
            Self::Malformed(why) => write!(f, "malformed answer ({why})"),
            Self::Setup(why) => write!(f, "client setup failed ({why})"),
        }
    }
}

impl UpstreamError {
    pub fn new(provider: &'static str, kind: UpstreamErrorKind) -> Self {
        Self { provider, kind }
    }

    pub fn malformed(provider: &'static str, why: impl fmt::Display) -> Self {
        Self::new(provider, UpstreamErrorKind::Malformed(why.to_string()))
    }

    pub fn is_timeout(&self) -> bool {
        self.kind == UpstreamErrorKind::Timeout
    }

    /// What a person is told: which service, and whether it was slow or broken.
    pub fn public_message(&self) -> String {
        match self.kind {
            UpstreamErrorKind::Timeout => format!("{} did not answer in time", self.provider),
            _ => format!("{} is not answering properly right now", self.provider),
        }
    }
}
