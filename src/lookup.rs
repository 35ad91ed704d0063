//! The waits behind every page and API answer: resolving a place (SQLite, else the geocoder),
//! its weather and its sun times, with caches that expire and that make identical waits in
//! flight only once (moka's `get_with` runs one initialiser per key; the other callers await it).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use moka::{Expiry, future::Cache};

use crate::{
    config::CacheMode,
    db,
    domain::{
        Coordinates, Place, PlaceKey, Spot,
        solar::{self, SunSource, SunTimes},
        timezone,
        weather::Weather,
    },
    telemetry::{self, CacheName},
    upstream::{UpstreamError, Upstreams},
};

/// Weather answers are reused this long.
pub const WEATHER_TTL: Duration = Duration::from_secs(10 * 60);
/// Sun times for a place and date do not change; kept a day to bound memory, not for freshness.
pub const SUN_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the sun service may take before the times are computed locally instead: it answers
/// in well under a second when healthy, and the page should not wait on it much longer.
pub const SUN_BUDGET: Duration = Duration::from_millis(1500);
/// A locally computed stand-in is kept only briefly, so the real service is asked again soon.
pub const SUN_FALLBACK_TTL: Duration = Duration::from_secs(5 * 60);
/// Places live in SQLite; the memory copy only saves the query and coalesces first look-ups.
pub const PLACE_TTL: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, thiserror::Error)]
pub enum LookupError {
    #[error("the geocoder does not know this postal code")]
    UnknownPlace,
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error("database: {0}")]
    Database(Arc<sqlx::Error>),
}

impl From<sqlx::Error> for LookupError {
    fn from(e: sqlx::Error) -> Self {
        Self::Database(Arc::new(e))
    }
}

pub struct Lookups {
    store: db::Store,
    upstreams: Upstreams,
    /// `None` with `--cache off`: every call goes upstream.
    caches: Option<Caches>,
}

struct Caches {
    /// Kept as pages see them (a `Spot`), so that no view copies one.
    places: Cache<PlaceKey, Arc<Spot>>,
    weather: Cache<Point, Arc<Weather>>,
    sun: Cache<(Point, NaiveDate), Arc<SunTimes>>,
}

/// The weather and the sun depend on the point alone: a postal code's place and a city at the
/// same coordinates share their answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Point(u64, u64);

impl From<Coordinates> for Point {
    fn from(at: Coordinates) -> Self {
        Self(at.latitude.to_bits(), at.longitude.to_bits())
    }
}

impl Lookups {
    pub fn new(store: db::Store, upstreams: Upstreams, cache: CacheMode) -> Self {
        let caches = (cache == CacheMode::On).then(|| Caches {
            places: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(PLACE_TTL)
                .build(),
            // A forecast holds 48 hours: ten thousand of them are a few tens of megabytes.
            weather: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(WEATHER_TTL)
                .build(),
            sun: Cache::builder()
                .max_capacity(100_000)
                .expire_after(SunExpiry)
                .build(),
        });
        Self {
            store,
            upstreams,
            caches,
        }
    }

    /// Whether answers are kept (`--cache on`); off, every page waits on the services.
    pub fn caching(&self) -> bool {
        self.caches.is_some()
    }

    /// The place for a postal code: from memory, else SQLite, else the geocoder (then stored).
    pub async fn place(&self, key: &PlaceKey) -> Result<Arc<Spot>, LookupError> {
        let Some(caches) = &self.caches else {
            return Box::pin(self.geocode(key))
                .await
                .map(|place| Arc::new(Spot::from(&place)));
        };
        // Boxed, here and below: a future holds room for every branch it might take, and ten
        // thousand requests waiting at once each held the cache's branch inline (5 KB) even with
        // the cache off.
        let was_kept = caches.places.contains_key(key);
        let mut computed_here = false;
        let place = Box::pin(caches.places.try_get_with_by_ref(key, async {
            computed_here = true;
            if let Some(place) = self.store.place(key).await? {
                return Ok(Arc::new(Spot::from(&place)));
            }
            let place = self.geocode(key).await?;
            // Failing to remember the answer costs a later look-up, not this one.
            if let Err(error) = self.store.store_place(&place, Utc::now()).await {
                tracing::error!(%error, ?key, "geocoded place not stored");
            }
            Ok(Arc::new(Spot::from(&place)))
        }))
        .await
        .map_err(|e: Arc<LookupError>| (*e).clone());
        telemetry::cache_lookup(CacheName::Places, was_kept, computed_here);
        place
    }

    async fn geocode(&self, key: &PlaceKey) -> Result<Place, LookupError> {
        let found = self
            .upstreams
            .geocoder
            .geocode(key)
            .await?
            .ok_or(LookupError::UnknownPlace)?;
        Ok(Place {
            key: key.clone(),
            time_zone: timezone::zone_at(found.coordinates),
            name: found.name,
            region: found.region,
            region_code: found.region_code,
            coordinates: found.coordinates,
        })
    }

    /// Weather at a point (a place's or a city's).
    pub async fn weather_at(&self, at: Coordinates) -> Result<Arc<Weather>, UpstreamError> {
        let mut computed_here = false;
        let fetch = async {
            computed_here = true;
            self.upstreams.weather.forecast(at).await.map(Arc::new)
        };
        match &self.caches {
            None => Box::pin(fetch).await,
            Some(caches) => {
                let was_kept = caches.weather.contains_key(&Point::from(at));
                let weather = Box::pin(caches.weather.try_get_with(Point::from(at), fetch))
                    .await
                    .map_err(|e: Arc<UpstreamError>| (*e).clone());
                telemetry::cache_lookup(CacheName::Weather, was_kept, computed_here);
                weather
            }
        }
    }

    /// Sun times at a point (a place's or a city's) on the local `date` of `zone`. Never fails:
    /// when the service fails or is too slow, the times are computed here and say so.
    pub async fn sun_at(&self, at: Coordinates, zone: Tz, date: NaiveDate) -> Arc<SunTimes> {
        let mut computed_here = false;
        let fetch = async {
            computed_here = true;
            let answer =
                tokio::time::timeout(SUN_BUDGET, self.upstreams.sun.sun_times(at, date, zone))
                    .await;
            match answer {
                Ok(Ok(sun)) => Arc::new(sun),
                failed => {
                    let error = match failed {
                        Ok(Err(error)) => error.to_string(),
                        _ => format!("no answer within {SUN_BUDGET:?}"),
                    };
                    tracing::warn!(%error, ?at, "sun times computed locally instead");
                    Arc::new(solar::compute(at, date, SunSource::ComputedFallback))
                }
            }
        };
        match &self.caches {
            None => Box::pin(fetch).await,
            Some(caches) => {
                let key = (Point::from(at), date);
                let was_kept = caches.sun.contains_key(&key);
                let sun = Box::pin(caches.sun.get_with(key, fetch)).await;
                telemetry::cache_lookup(CacheName::Sun, was_kept, computed_here);
                sun
            }
        }
    }
}

/// Real answers are kept for a day, stand-ins for minutes.
struct SunExpiry;

impl Expiry<(Point, NaiveDate), Arc<SunTimes>> for SunExpiry {
    fn expire_after_create(
        &self,
        _key: &(Point, NaiveDate),
        value: &Arc<SunTimes>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(match value.source {
            SunSource::ComputedFallback => SUN_FALLBACK_TTL,
            SunSource::SunriseSunset | SunSource::Simulated => SUN_TTL,
        })
    }
}
