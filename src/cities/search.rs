//! Ranking: names that fold to exactly what was typed, then names that start with it, then
//! names one edit away (for words of five letters or more), then names that hold it, each most
//! populous first. A
//! qualifier after the name ("portland oregon", "paris tx", "paris, fr") narrows to cities of
//! that region or country. Answers are kept by query: the data does not change while the
//! server runs, and people type the same few thousand names.

use std::{collections::HashSet, sync::Arc};

use moka::future::Cache;
use sqlx::SqlitePool;

use super::{
    City,
    fold::fold,
    query::{Query, QueryError},
};
use crate::{db, domain::Coordinates};

/// The most candidates a search returns.
pub const MAX_RESULTS: usize = 50;
/// Answers are kept with this many candidates: what the page, the suggestions and the API
/// (by default) show. Asked for more, the search is made again.
pub const KEPT_RESULTS: usize = 10;
/// Names typed this long or longer are also matched one edit away...
const TYPO_MIN_CHARS: usize = 5;
/// Typos, then names holding what was typed, are looked for only when no city has that name
/// and fewer than this many start with it: a name found as typed is not taken for another.
const FEW: usize = 5;
/// What was typed is looked for inside names when it is this long or longer...
const CONTAINS_MIN_CHARS: usize = 4;
/// ...among this many names at most.
const CONTAINS_NAMES: u32 = 200;
/// A first candidate this many times as populous as the second is the clear winner.
const CLEAR_WINNER_RATIO: i64 = 20;
/// A point typed within this distance of its nearest city opens that city's page.
const NEAR_ENOUGH_KM: f64 = 100.0;
/// The band of latitudes, either side of a point, in which its nearest city is looked for.
const NEAR_BAND_DEGREES: f64 = 3.0;
/// The fewest kilometres in a degree of latitude (a meridian degree is 110.6 – 111.7 km).
const KM_PER_DEGREE: f64 = 110.5;
/// Kept answers: each a few kilobytes.
const KEPT_ANSWERS: u64 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Exact,
    Prefix,
    Typo,
    /// A name that holds what was typed ("angeles").
    Contains,
    /// The nearest city to coordinates that were typed.
    Nearest,
}

#[derive(Debug, Clone)]
pub struct Match {
    pub city: Arc<City>,
    pub kind: MatchKind,
    /// For coordinates typed: how far the city is from them.
    pub distance_km: Option<f64>,
}

/// What a search found.
#[derive(Debug, Clone)]
pub enum Found {
    /// Cities, best first (possibly none).
    Cities(Arc<Vec<Match>>),
    /// A postal code: its page is at `/places/{country}/{code}`; without a country, the caller
    /// decides.
    PostalCode {
        code: String,
        country: Option<crate::domain::CountryCode>,
    },
}

impl Found {
    /// The one candidate to go straight to: the only one of the best kind, or one far more
    /// populous than the next of its kind.
    pub fn clear_winner(matches: &[Match]) -> Option<&Match> {
        let first = matches.first()?;
        // The nearest city to a point far from every city is listed, with its distance, rather
        // than opened as if it were the place meant.
        if first.distance_km.is_some_and(|km| km > NEAR_ENOUGH_KM) {
            return None;
        }
        match matches.get(1) {
            None => Some(first),
            Some(second) if second.kind > first.kind => Some(first),
            Some(second)
                if first.city.population
                    >= second
                        .city
                        .population
                        .max(1)
                        .saturating_mul(CLEAR_WINNER_RATIO) =>
            {
                Some(first)
            }
            Some(_) => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("database: {0}")]
    Database(#[from] Arc<sqlx::Error>),
}

/// A point's coordinates as bits: a key for what is kept by point.
type PointBits = (u64, u64);

pub struct CitySearch {
    pool: SqlitePool,
    /// `None` with `--cache off`: every search asks SQLite.
    kept: Option<Cache<String, Arc<Vec<Match>>>>,
    /// The nearest city to each postal code's point that was shown, for its page.
    nearest_kept: Option<Cache<PointBits, Option<Arc<City>>>>,
}

impl CitySearch {
    pub fn new(pool: SqlitePool, keep_answers: bool) -> Self {
        Self {
            pool,
            kept: keep_answers.then(|| Cache::builder().max_capacity(KEPT_ANSWERS).build()),
            nearest_kept: keep_answers.then(|| Cache::builder().max_capacity(KEPT_ANSWERS).build()),
        }
    }

    pub async fn city(&self, geonameid: i64) -> Result<Option<City>, sqlx::Error> {
        db::cities::by_id(&self.pool, geonameid).await
    }

    /// The nearest city to `at`.
    pub async fn nearest(&self, at: Coordinates) -> Result<Option<City>, sqlx::Error> {
        // A band of latitudes holds the nearest city of most points; only a city closer than
        // the band's edge is sure to be the nearest of all.
        let near = db::cities::near_latitude(&self.pool, at, NEAR_BAND_DEGREES).await?;
        let nearest = |cities: Vec<City>| {
            cities.into_iter().min_by(|a, b| {
                at.distance_km(a.coordinates)
                    .total_cmp(&at.distance_km(b.coordinates))
            })
        };
        if let Some(city) = nearest(near)
            && at.distance_km(city.coordinates) <= NEAR_BAND_DEGREES * KM_PER_DEGREE
        {
            return Ok(Some(city));
        }
        // Far from every city (an ocean, a pole): SQLite ranks all by a flat approximation,
        // and the few it gives are ranked again by distance on the sphere.
        Ok(nearest(
            db::cities::roughly_nearest(&self.pool, at, 20).await?,
        ))
    }

    /// As [`Self::nearest`], kept: a postal code's page shows its nearest city at every view.
    pub async fn nearest_kept(
        &self,
        at: Coordinates,
    ) -> Result<Option<Arc<City>>, Arc<sqlx::Error>> {
        let find = async { Ok(self.nearest(at).await?.map(Arc::new)) };
        match &self.nearest_kept {
            Some(kept) => {
                let key = (at.latitude.to_bits(), at.longitude.to_bits());
                kept.try_get_with(key, find).await
            }
            None => find.await.map_err(Arc::new),
        }
    }

    /// Searches for what was typed; a name finds at most `limit` cities.
    pub async fn search(&self, raw: &str, limit: usize) -> Result<Found, SearchError> {
        let query = super::query::parse(raw)?;
        let key = match &query {
            Query::Empty => return Ok(Found::Cities(Arc::default())),
            Query::PostalCode { code, country } => {
                return Ok(Found::PostalCode {
                    code: code.clone(),
                    country: *country,
                });
            }
            Query::Coordinates(at) => {
                let nearest = self.nearest(*at).await.map_err(Arc::new)?;
                let matches = nearest.map(|city| Match {
                    distance_km: Some(at.distance_km(city.coordinates)),
                    city: Arc::new(city),
                    kind: MatchKind::Nearest,
                });
                return Ok(Found::Cities(Arc::new(matches.into_iter().collect())));
            }
            Query::Name { folded, comma } => match comma {
                Some((name, qualifier)) => format!("{name},{qualifier}"),
                None => folded.clone(),
            },
        };
        let limit = limit.clamp(1, MAX_RESULTS);
        let ranked = async {
            self.rank(&query, limit.max(KEPT_RESULTS))
                .await
                .map(Arc::new)
        };
        let matches = match &self.kept {
            Some(kept) if limit <= KEPT_RESULTS => kept
                .try_get_with_by_ref(&key, ranked)
                .await
                .map_err(|e: Arc<Arc<sqlx::Error>>| (*e).clone()),
            _ => ranked.await,
        };
        Ok(Found::Cities(matches.map_err(SearchError::Database)?))
    }

    async fn rank(&self, query: &Query, limit: usize) -> Result<Vec<Match>, Arc<sqlx::Error>> {
        let Query::Name { folded, comma } = query else {
            return Ok(Vec::new());
        };
        if let Some((name, qualifier)) = comma {
            let qualified = self.qualified(name, qualifier, limit).await?;
            // "Misato, Saitama" is a city's whole name; in "paris, europe" the qualifier is
            // none Cityscape knows, and the name alone is searched.
            if qualified
                .first()
                .is_some_and(|m| m.kind == MatchKind::Exact)
            {
                return Ok(qualified);
            }
            let whole = self.matches(folded, limit).await?;
            if !whole.is_empty() || !qualified.is_empty() {
                return Ok(if whole.is_empty() { qualified } else { whole });
            }
            return self.matches(name, limit).await;
        }
        let whole = self.matches(folded, limit).await?;
        if whole.first().is_some_and(|m| m.kind == MatchKind::Exact) {
            return Ok(whole);
        }
        // "portland oregon": the last word or two may say where.
        let words: Vec<&str> = folded.split(' ').collect();
        let mut fallback = Vec::new();
        for qualifier_words in 1..=2.min(words.len().saturating_sub(1)) {
            let Some((name, qualifier)) = words.split_at_checked(words.len() - qualifier_words)
            else {
                continue;
            };
            let (name, qualifier) = (name.join(" "), qualifier.join(" "));
            let qualified = self.qualified(&name, &qualifier, limit).await?;
            if qualified
                .first()
                .is_some_and(|m| m.kind == MatchKind::Exact)
            {
                return Ok(qualified);
            }
            if fallback.is_empty() {
                fallback = qualified;
            }
        }
        Ok(if whole.is_empty() { fallback } else { whole })
    }

    async fn qualified(
        &self,
        name: &str,
        qualifier: &str,
        limit: usize,
    ) -> Result<Vec<Match>, Arc<sqlx::Error>> {
        // Enough to find the few of the right region among every city of that name.
        let mut matches = self.matches(name, 1000).await?;
        matches.retain(|m| m.city.answers_to(qualifier));
        matches.truncate(limit);
        Ok(matches)
    }

    /// Exact, then prefix, then one-edit matches of `name`, each most populous first.
    async fn matches(&self, name: &str, limit: usize) -> Result<Vec<Match>, Arc<sqlx::Error>> {
        let pool = &self.pool;
        let cap = u32::try_from(limit).unwrap_or(u32::MAX);
        let mut matches = Vec::new();
        let mut seen = HashSet::new();
        let mut add = |cities: Vec<City>, kind: MatchKind, matches: &mut Vec<Match>| {
            for city in cities {
                if matches.len() < limit && seen.insert(city.geonameid) {
                    matches.push(Match {
                        city: Arc::new(city),
                        kind,
                        distance_km: None,
                    });
                }
            }
        };
        let exact = db::cities::named(pool, name, cap).await.map_err(Arc::new)?;
        add(exact, MatchKind::Exact, &mut matches);
        if matches.len() < limit && name.len() >= 2 {
            let mut prefixed = db::cities::named_from(pool, name, cap)
                .await
                .map_err(Arc::new)?;
            // Cities whose own name starts so before those found by another of their names
            // ("san fran": San Francisco before "San Francisco de Quito"), stably.
            prefixed.sort_by_cached_key(|city| !fold(&city.name).starts_with(name));
            add(prefixed, MatchKind::Prefix, &mut matches);
        }
        let chars = name.len();
        let few = |matches: &Vec<Match>| {
            matches.len() < limit.min(FEW) && !matches.iter().any(|m| m.kind == MatchKind::Exact)
        };
        let length = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        if few(&matches) && chars >= TYPO_MIN_CHARS {
            // One edit (a transposition too) leaves whole the name's start up to a letter
            // before its middle, or its end from a letter after it.
            let half = chars / 2;
            let start = name.get(..half.saturating_sub(1).max(2)).unwrap_or(name);
            let end = name.get(half + 1..).unwrap_or("");
            let candidates = db::cities::names_starting_or_ending(
                pool,
                start,
                end,
                length(chars - 1),
                length(chars + 1),
            )
            .await
            .map_err(Arc::new)?;
            let near = one_edit_from(name, candidates);
            let typos = db::cities::named_any(pool, &near, cap)
                .await
                .map_err(Arc::new)?;
            add(typos, MatchKind::Typo, &mut matches);
        }
        if few(&matches) && chars >= CONTAINS_MIN_CHARS {
            let holding = db::cities::names_containing(pool, name, CONTAINS_NAMES)
                .await
                .map_err(Arc::new)?;
            let cities = db::cities::named_any(pool, &holding, cap)
                .await
                .map_err(Arc::new)?;
            add(cities, MatchKind::Contains, &mut matches);
        }
        Ok(matches)
    }
}

/// The distinct `candidates` one edit (an insertion, a deletion, a substitution or two
/// neighbours swapped) from `name`.
fn one_edit_from(name: &str, candidates: Vec<String>) -> Vec<String> {
    let mut near: Vec<String> = candidates
        .into_iter()
        .filter(|candidate| strsim::osa_distance(candidate, name) == 1)
        .collect();
    near.sort_unstable();
    near.dedup();
    near
}
