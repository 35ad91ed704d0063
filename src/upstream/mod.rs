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

#[cfg(test)]
pub(crate) mod answer_strategies {
    //! What the providers' property tests share. JSON as a provider might send it: anything at
    //! all, or a well-typed answer with a few of its fields or array items replaced by JSON of
    //! another shape, or left out.

    use proptest::{prelude::*, sample::Index};
    use serde_json::Value;

    /// Any text: control characters, every plane.
    pub(crate) fn any_text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..=max)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    /// Any JSON value, a few levels deep. Numbers include the huge, the tiny and integers
    /// beyond `f64`'s precision; NaN and infinity become `null`, as JSON has neither.
    pub(crate) fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            prop::num::f64::ANY.prop_map(Value::from),
            any_text(12).prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((any_text(8), inner), 0..4)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    /// `value` with up to three of its fields or array items (at any depth) replaced by any
    /// JSON, or removed.
    pub(crate) fn spoiled(value: Value) -> impl Strategy<Value = Value> {
        prop::collection::vec((any::<Index>(), prop::option::of(any_json())), 0..=3).prop_map(
            move |changes| {
                let mut value = value.clone();
                for (which, replacement) in changes {
                    let mut found = Vec::new();
                    places(&value, &mut Vec::new(), &mut found);
                    let Some(path) = found.get(which.index(found.len().max(1))) else {
                        break;
                    };
                    change(&mut value, path, replacement);
                }
                value
            },
        )
    }

    /// One step into a JSON value.
    #[derive(Debug, Clone)]
    enum Step {
        Key(String),
        Item(usize),
    }

    /// Collects the path of every field and array item in `value`, outermost first.
    fn places(value: &Value, at: &mut Vec<Step>, found: &mut Vec<Vec<Step>>) {
        let children: Vec<(Step, &Value)> = match value {
            Value::Object(fields) => fields
                .iter()
                .map(|(key, child)| (Step::Key(key.clone()), child))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, child)| (Step::Item(i), child))
                .collect(),
            _ => Vec::new(),
        };
        for (step, child) in children {
            at.push(step);
            found.push(at.clone());
            places(child, at, found);
            at.pop();
        }
    }

    /// Replaces what sits at `path`, or removes it when there is no replacement.
    fn change(value: &mut Value, path: &[Step], replacement: Option<Value>) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut node = value;
        for step in parents {
            let next = match (step, node) {
                (Step::Key(key), Value::Object(fields)) => fields.get_mut(key),
                (Step::Item(i), Value::Array(items)) => items.get_mut(*i),
                _ => None,
            };
            let Some(next) = next else {
                return;
            };
            node = next;
        }
        match (last, node, replacement) {
            (Step::Key(key), Value::Object(fields), Some(new)) => {
                fields.insert(key.clone(), new);
            }
            (Step::Key(key), Value::Object(fields), None) => {
                fields.remove(key);
            }
            (Step::Item(i), Value::Array(items), Some(new)) => {
                if let Some(item) = items.get_mut(*i) {
                    *item = new;
                }
            }
            (Step::Item(i), Value::Array(items), None) if *i < items.len() => {
                items.remove(*i);
            }
            _ => {}
        }
    }
}
