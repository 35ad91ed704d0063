//! `GET /places/{country}/{postal_code}`: one page about a place, now.

use askama::Template;
use axum::{
    extract::State,
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::{
    events::{EventForm, EventView, authenticity_token},
    render, saved,
    spot::{self, Found, SpotAddress},
};
use std::sync::Arc;

use crate::{
    boards,
    charts::{
        forecast::ForecastChart,
        sun_band::SunBand,
        waits::{self, WaitsChart},
    },
    cities::City,
    cookies::{self, Flash},
    domain::{
        Coordinates, Spot, SpotKey,
        clock::{page_date_time, page_duration},
        moon::moon_at,
        solar::{self, DayKind, SunSource, SunTimes},
        units::{Clock, Preferences, Units},
        weather::{Weather, compass_point},
        zone_name,
    },
    layout::Layout,
    paths::{self, FeedKind},
    state::AppState,
    timing::{ServerTiming, timed},
    upstream::UpstreamError,
};

/// How many forecast hours the page draws and lists.
const FORECAST_HOURS: usize = 48;

/// `GET /places/{country}/{postal_code}` and `GET /cities/{geonameid}/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    address: SpotAddress,
    headers: HeaderMap,
    csrf: CsrfToken,
    jar: CookieJar,
) -> Response {
    let found = match spot::find(&state, &address).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if let Some(moved) = address.moved_to(&found) {
        return moved;
    }
    let authenticity_token = match authenticity_token(&csrf) {
        Ok(token) => token,
        Err(e) => return e.into_response(),
    };
    let (taken, flash) = cookies::take_flash(jar.clone());
    // Only a page that shows a private link needs this site's own address.
    let origin = match &flash {
        Some(Flash::Posted { .. } | Flash::AlreadyPosted { .. }) => cookies::origin(&headers),
        _ => None,
    };
    let extras = Extras {
        form: EventForm::blank(authenticity_token),
        flash,
        origin,
        prefs: cookies::preferences(&jar),
        visitor: cookies::visitor_id(&jar),
        count_view: true,
        lookup_note: match address {
            SpotAddress::PostalCode { note, .. } => note,
            SpotAddress::City { .. } => None,
        },
    };
    let page = render(&state, found, extras).await;
    // The flash (it may hold the one copy of a private link) is used up only once it showed.
    let jar = if page.status().is_success() {
        taken
    } else {
        jar
    };
    (csrf, jar, page).into_response()
}

/// What a place page shows besides the place itself.
pub struct Extras {
    pub form: EventForm,
    pub flash: Option<Flash>,
    /// This site's address as the visitor reached it (`https://example.org`), to show a private
    /// link whole.
    pub origin: Option<String>,
    /// The units and clock this browser chose; the place's country's when it chose none.
    pub prefs: Option<Preferences>,
    pub visitor: Option<String>,
    /// Counted for a plain visit, not for the form shown again after a mistake.
    pub count_view: bool,
    /// Said when the code looked up is not the one in the address ("Showing 97229: …").
    pub lookup_note: Option<String>,
}

impl Extras {
    /// The page again after an invalid event form, with what was typed and the messages.
    pub fn invalid_form(form: EventForm, jar: &CookieJar) -> Self {
        Self {
            form,
            flash: None,
            origin: None,
            prefs: cookies::preferences(jar),
            visitor: cookies::visitor_id(jar),
            count_view: false,
            lookup_note: None,
        }
    }
}

/// The place page of a place found: waits on weather, sun times and SQLite together.
pub async fn render(state: &AppState, found: Found, extras: Extras) -> Response {
    let Found {
        spot,
        population,
        started,
        wait: first_wait,
    } = found;
    let mut timing = ServerTiming::new();
    timing.record(first_wait.0, first_wait.1);
    let now = Utc::now();
    let prefs = extras
        .prefs
        .unwrap_or_else(|| Preferences::default_for(&spot.country_code));
    let key = &spot.key;
    let database = async {
        let views = match extras.count_view {
            true => Some(state.views.record(&spot, now).await),
            false => None,
        };
        let saved = async {
            match &extras.visitor {
                Some(visitor) => Box::pin(state.store.is_saved(visitor, key)).await,
                None => Ok(false),
            }
        };
        let (board, saved) = tokio::join!(state.boards.board(key, now), saved);
        (views, board, saved)
    };
    // Within a minute of another view in the same units the weather and sun sections are made
    // already: only the database is waited on (the weather and sun caches are not even asked).
    // With the caches off every view waits on the services, as that mode is meant to show.
    let (conditions, ((views, board, saved), db_took), made) =
        conditions_with(state, &spot, now, prefs, database).await;
    let mut waits = Vec::with_capacity(3);
    if let Some(made) = made {
        timing.record("weather", made.weather);
        timing.record("sun", made.sun);
        waits.extend([("weather", made.weather), ("sun", made.sun)]);
    }
    timing.record(waits::DATABASE, db_took);
    waits.push((waits::DATABASE, db_took));

    // A failed read or count costs the page its section, not the page.
    let views = views.and_then(|v| {
        v.inspect_err(|error| tracing::warn!(%error, "page view not recorded"))
            .ok()
    });
    let events = board.map_err(|error| {
        tracing::error!(%error, "events not read");
        "The events could not be loaded just now.".to_owned()
    });
    let saved = saved
        .inspect_err(|error| tracing::warn!(%error, "saved state not read"))
        .unwrap_or(false);
    let mut page = PlacePage::new(
        state.layout(spot.display_name()),
        &spot,
        population,
        conditions,
        views,
    );
    page.board = Board::new(
        &spot,
        events,
        extras.form,
        extras.flash,
        extras.origin,
        saved,
    );
    page.waits = Some(WaitsChart::new(first_wait, &waits, started.elapsed()));
    page.lookup_note = extras.lookup_note;
    page.prefs = PrefsForm::new(prefs, paths::spot(&spot.key, &spot.name));
    match render::render_including(&page, page.conditions.sections.len()) {
        Ok(html) => (timing, html).into_response(),
        Err(e) => (timing, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "place.html")]
pub struct PlacePage {
    pub layout: Layout,
    pub name: String,
    pub region: String,
    pub country_name: String,
    /// Above the name: "97229 · United States", "City · Switzerland".
    pub eyebrow: String,
    /// A city's people, "652,503".
    pub population: Option<String>,
    /// A city's entry at GeoNames, credited on its page.
    pub geonames_href: Option<String>,
    pub time_zone: &'static str,
    pub conditions: Arc<Conditions>,
    pub views: Option<i64>,
    pub api_path: String,
    pub board: Board,
    pub lookup_note: Option<String>,
    /// This response's own waits, drawn.
    pub waits: Option<WaitsChart>,
    pub prefs: PrefsForm,
}

/// The city nearest a postal code's point, with its page.
pub struct NearestCity {
    pub name: String,
    pub href: String,
    /// "3 km away"; empty when the point is within the city's first kilometre.
    pub distance: String,
}

impl NearestCity {
    fn new(city: &City, from: Coordinates) -> Self {
        let km = from.distance_km(city.coordinates);
        Self {
            name: city.name.clone(),
            href: city.page_path(),
            distance: if km < 1.0 {
                String::new()
            } else {
                format!("{km:.0} km away")
            },
        }
    }
}

/// The small form that picks units and clock, showing the current choice.
#[derive(Default)]
pub struct PrefsForm {
    pub imperial: bool,
    pub twelve_hour: bool,
    /// Where the form comes back to.
    pub back: String,
}

impl PrefsForm {
    pub fn new(prefs: Preferences, back: String) -> Self {
        Self {
            imperial: prefs.units == Units::Imperial,
            twelve_hour: prefs.clock == Clock::TwelveHour,
            back,
        }
    }
}

/// What the page shows of the place now, the same for every visitor within a minute: made once
/// a minute per place rather than at every view (formatting its times and numbers was a sixth of
/// a view's time in the profile, and rendering its sections a tenth).
pub struct Conditions {
    pub local_time: String,
    /// "Pacific Standard Time, UTC−08:00".
    pub time_zone: String,
    pub latitude: String,
    pub longitude: String,
    /// For a postal code's place.
    pub nearest_city: Option<NearestCity>,
    /// The weather and sun sections, as HTML.
    pub sections: String,
}

/// The weather and sun sections of a place page.
#[derive(Template)]
#[template(path = "partials/conditions.html")]
struct ConditionsSections<'a> {
    weather: &'a Result<WeatherView, String>,
    sun: &'a SunView,
}

/// Conditions by page (a place's or a city's), minute (minutes since the epoch) and the units
/// and clock they are in.
pub type ConditionsCache = moka::future::Cache<ConditionsKey, Arc<Conditions>>;
pub type ConditionsKey = (SpotKey, i64, Preferences);

/// How long the weather and the sun were waited on, when a view made its sections.
pub struct SectionWaits {
    pub weather: std::time::Duration,
    pub sun: std::time::Duration,
}

/// This minute's weather and sun sections of `spot` in `prefs`: kept ones (within a minute of
/// another view, the weather and sun caches are not even asked), or made while `alongside` (the
/// page's own database reads) is waited on too. With the caches off every view waits on the
/// services, as that mode is meant to show.
pub async fn conditions_with<T>(
    state: &AppState,
    spot: &Spot,
    now: DateTime<Utc>,
    prefs: Preferences,
    alongside: impl Future<Output = T>,
) -> (
    Arc<Conditions>,
    (T, std::time::Duration),
    Option<SectionWaits>,
) {
    let key = conditions_key(spot, now, prefs);
    let kept = match state.lookups.caching() {
        true => state.conditions.get(&key).await,
        false => None,
    };
    if let Some(kept) = kept {
        return (kept, timed(alongside).await, None);
    }
    let today = now.with_timezone(&spot.time_zone).date_naive();
    let ((weather, weather_took), (sun, sun_took), alongside) = tokio::join!(
        timed(state.lookups.weather_at(spot.coordinates)),
        timed(
            state
                .lookups
                .sun_at(spot.coordinates, spot.time_zone, today)
        ),
        timed(alongside),
    );
    let made = conditions(state, key, spot, now, weather.as_deref(), &sun).await;
    let waits = SectionWaits {
        weather: weather_took,
        sun: sun_took,
    };
    (made, alongside, Some(waits))
}

fn conditions_key(spot: &Spot, now: DateTime<Utc>, prefs: Preferences) -> ConditionsKey {
    (spot.key.clone(), now.timestamp().div_euclid(60), prefs)
}

pub fn conditions_cache() -> ConditionsCache {
    moka::future::Cache::builder()
        .max_capacity(10_000)
        .time_to_live(std::time::Duration::from_secs(120))
        .build()
}

/// Makes this minute's conditions and keeps them; those of a page whose weather failed are not
/// kept, so the next view asks again.
async fn conditions(
    state: &AppState,
    key: ConditionsKey,
    spot: &Spot,
    now: DateTime<Utc>,
    weather: Result<&Weather, &UpstreamError>,
    sun: &SunTimes,
) -> Arc<Conditions> {
    let prefs = key.2;
    let zone = spot.time_zone;
    let weather = weather
        .map(|w| WeatherView::new(w, now, zone, spot.coordinates, prefs))
        .map_err(|e| format!("{}.", e.public_message()));
    let calendar_href = match &spot.key {
        SpotKey::PostalCode(key) => Some(paths::sun_calendar(key)),
        SpotKey::City(_) => None,
    };
    let sun = SunView::new(sun, zone, spot.coordinates, now, prefs, calendar_href);
    // Made with the sections, once a minute, not at every view.
    let nearest_city = match spot.key {
        SpotKey::PostalCode(_) => state
            .cities
            .nearest_kept(spot.coordinates)
            .await
            .inspect_err(|error| tracing::warn!(%error, "nearest city not found"))
            .ok()
            .flatten()
            .map(|city| NearestCity::new(&city, spot.coordinates)),
        SpotKey::City(_) => None,
    };
    let sections = ConditionsSections {
        weather: &weather,
        sun: &sun,
    }
    .render()
    .unwrap_or_else(|error| {
        tracing::error!(%error, "weather and sun sections not rendered");
        SECTIONS_UNAVAILABLE.to_owned()
    });
    let made = Arc::new(Conditions {
        local_time: page_date_time(now.with_timezone(&zone)),
        time_zone: zone_name::long_name(zone, now),
        latitude: format!("{:.4}", spot.coordinates.latitude),
        longitude: format!("{:.4}", spot.coordinates.longitude),
        nearest_city,
        sections,
    });
    if weather.is_ok() && state.lookups.caching() {
        state.conditions.insert(key, made.clone()).await;
    }
    made
}

const SECTIONS_UNAVAILABLE: &str =
    r#"<p class="notice" role="status">The weather and sun could not be shown just now.</p>"#;

/// The events board and the save button.
#[derive(Default)]
pub struct Board {
    pub upcoming: Vec<EventView>,
    pub past: Vec<EventView>,
    pub unavailable: Option<String>,
    pub form: EventForm,
    pub post_path: String,
    pub calendar_feed: String,
    pub atom_feed: String,
    /// A message for the top of the page (saved, removed, updated, deleted).
    pub flash: Option<&'static str>,
    /// Right after posting: the message and the private edit link, shown once, in the board
    /// where the poster lands; the whole URL when the site's address is known.
    pub posted: Option<&'static str>,
    pub private_link: Option<String>,
    pub saved: bool,
    /// The hidden fields that name the place in the save form.
    pub key_fields: Vec<(&'static str, String)>,
}

impl Board {
    fn new(
        spot: &Spot,
        events: Result<Arc<boards::Board>, String>,
        form: EventForm,
        flash: Option<Flash>,
        origin: Option<String>,
        saved: bool,
    ) -> Self {
        let (upcoming, past, unavailable) = match &events {
            Ok(board) => (board.upcoming.as_slice(), board.past.as_slice(), None),
            Err(message) => (&[][..], &[][..], Some(message.clone())),
        };
        Self {
            upcoming: upcoming.iter().map(EventView::new).collect(),
            past: past.iter().map(EventView::new).collect(),
            unavailable,
            form,
            post_path: paths::spot_events(&spot.key, &spot.name),
            calendar_feed: paths::spot_events_feed(&spot.key, &spot.name, FeedKind::Calendar),
            atom_feed: paths::spot_events_feed(&spot.key, &spot.name, FeedKind::Atom),
            private_link: match &flash {
                Some(
                    Flash::Posted { event_id, token } | Flash::AlreadyPosted { event_id, token },
                ) => Some(format!(
                    "{}{}",
                    origin.as_deref().unwrap_or(""),
                    paths::event_edit_link(*event_id, token)
                )),
                _ => None,
            },
            posted: flash
                .as_ref()
                .filter(|f| matches!(f, Flash::Posted { .. } | Flash::AlreadyPosted { .. }))
                .map(Flash::message),
            flash: flash
                .as_ref()
                .filter(|f| !matches!(f, Flash::Posted { .. } | Flash::AlreadyPosted { .. }))
                .map(Flash::message),
            saved,
            key_fields: saved::key_fields(&spot.key),
        }
    }
}

pub struct WeatherView {
    pub description: &'static str,
    pub temperature: String,
    pub feels_like: String,
    pub humidity: String,
    pub wind: String,
    pub observed_at: String,
    pub source: &'static str,
    pub icon: &'static str,
    pub hours: Vec<HourView>,
    pub chart: Option<ForecastChart>,
    /// Today and the days after it.
    pub days: Vec<DayView>,
}

pub struct HourView {
    pub time: String,
    pub temperature: String,
    pub precipitation: String,
    pub description: &'static str,
    pub icon: &'static str,
}

pub struct DayView {
    /// "Today", "Tomorrow", "Mon 30".
    pub name: String,
    pub date_iso: String,
    pub description: &'static str,
    pub icon: &'static str,
    pub high: String,
    pub low: String,
    /// "40 %, 2.5 mm".
    pub rain: String,
    /// "25 km/h from the NW".
    pub wind: String,
    pub uv: String,
}

pub struct SunView {
    pub date: String,
    /// Said instead of sunrise and sunset on polar days and nights.
    pub polar_note: Option<&'static str>,
    /// What the sun does next: "Sets in 2 h 10 min, at 16:30", "Rises tomorrow at 07:28".
    pub next: Option<String>,
    /// Sunrise, solar noon and sunset, said plainly above the chart.
    pub main: Vec<SunEvent>,
    /// After sunset, tomorrow's sunrise and sunset too.
    pub tomorrow: Option<String>,
    pub day_length: String,
    /// "2 min 41 s shorter than yesterday".
    pub day_length_change: Option<String>,
    pub band: Option<SunBand>,
    /// The month by month page, with the daylight through the year, where there is one.
    pub calendar_href: Option<String>,
    /// "Waxing gibbous, 78 % lit".
    pub moon: String,
    pub events: Vec<SunEvent>,
    pub source: &'static str,
    pub computed_locally: bool,
}

pub struct SunEvent {
    pub label: &'static str,
    /// `None` when the event does not happen that day.
    pub time: Option<String>,
    /// Sunrise, solar noon and sunset stand out from the twilights.
    pub main: bool,
}

impl PlacePage {
    pub fn new(
        layout: Layout,
        spot: &Spot,
        population: Option<i64>,
        conditions: Arc<Conditions>,
        views: Option<i64>,
    ) -> Self {
        let api_path = paths::api_spot(&spot.key);
        let (eyebrow, geonames_href) = match &spot.key {
            SpotKey::PostalCode(key) => {
                (format!("{} · {}", key.postal_code, spot.country_name), None)
            }
            SpotKey::City(geonameid) => (
                format!("City · {}", spot.country_name),
                Some(format!("https://www.geonames.org/{geonameid}")),
            ),
        };
        Self {
            layout,
            name: spot.name.clone(),
            region: spot.region.clone(),
            country_name: spot.country_name.clone(),
            eyebrow,
            population: population.map(super::cities::thousands),
            geonames_href,
            time_zone: spot.time_zone.name(),
            conditions,
            views,
            api_path,
            board: Board::default(),
            lookup_note: None,
            waits: None,
            prefs: PrefsForm::default(),
        }
    }
}

/// "8 km/h from the NW"; the speed alone when the direction is missing; a dash without speed.
fn wind(prefs: Preferences, speed_kmh: Option<f64>, from_degrees: Option<f64>) -> String {
    match (speed_kmh, from_degrees) {
        (Some(speed), Some(from)) => {
            format!("{} from the {}", prefs.speed(speed), compass_point(from))
        }
        (speed, _) => or_dash(speed, |w| prefs.speed(w)),
    }
}

/// A value the provider did not give is shown as a dash.
fn or_dash(value: Option<f64>, show: impl Fn(f64) -> String) -> String {
    value.map(show).unwrap_or_else(|| "–".to_owned())
}

impl WeatherView {
    fn new(
        weather: &Weather,
        now: DateTime<Utc>,
        zone: Tz,
        at: Coordinates,
        prefs: Preferences,
    ) -> Self {
        let next: Vec<_> = weather.next_hours(now, FORECAST_HOURS).collect();
        let degrees = |c: f64| prefs.temperature(c);
        let time = |t: DateTime<Utc>| prefs.time(&t.with_timezone(&zone));
        Self {
            chart: ForecastChart::new(&next, at, zone, prefs),
            description: weather.code.map(|c| c.describe()).unwrap_or("–"),
            icon: weather.code.map_or("unknown", |c| c.icon()),
            temperature: or_dash(weather.temperature_c, degrees),
            feels_like: or_dash(weather.feels_like_c, degrees),
            humidity: or_dash(weather.humidity_percent, |h| format!("{h:.0} %")),
            wind: wind(prefs, weather.wind_speed_kmh, weather.wind_from_degrees),
            observed_at: time(weather.observed_at),
            source: weather.source,
            hours: next
                .iter()
                .map(|hour| HourView {
                    time: time(hour.at),
                    temperature: or_dash(hour.temperature_c, degrees),
                    precipitation: or_dash(hour.precipitation_probability, |p| format!("{p:.0} %")),
                    description: hour.code.map(|c| c.describe()).unwrap_or(""),
                    icon: hour.code.map_or("unknown", |c| c.icon()),
                })
                .collect(),
            days: week_ahead(weather, now.with_timezone(&zone).date_naive(), prefs),
        }
    }
}

/// The days from today on, as the week-ahead list shows them.
fn week_ahead(weather: &Weather, today: NaiveDate, prefs: Preferences) -> Vec<DayView> {
    weather
        .days_from(today)
        .map(|day| DayView {
            name: match (day.date - today).num_days() {
                0 => "Today".to_owned(),
                1 => "Tomorrow".to_owned(),
                _ => day.date.format("%a %-d").to_string(),
            },
            date_iso: day.date.to_string(),
            description: day.code.map_or("–", |c| c.describe()),
            icon: day.code.map_or("unknown", |c| c.icon()),
            high: or_dash(day.max_c, |c| prefs.temperature(c)),
            low: or_dash(day.min_c, |c| prefs.temperature(c)),
            rain: match (day.precipitation_probability, day.precipitation_mm) {
                (Some(chance), Some(mm)) => format!("{chance:.0} %, {}", prefs.precipitation(mm)),
                (chance, mm) => chance
                    .map(|c| format!("{c:.0} %"))
                    .or(mm.map(|mm| prefs.precipitation(mm)))
                    .unwrap_or_else(|| "–".to_owned()),
            },
            wind: wind(prefs, day.wind_max_kmh, day.wind_from_degrees),
            uv: or_dash(day.uv_index_max, |uv| format!("{uv:.0}")),
        })
        .collect()
}

impl SunView {
    fn new(
        sun: &SunTimes,
        zone: Tz,
        at: Coordinates,
        now: DateTime<Utc>,
        prefs: Preferences,
        calendar_href: Option<String>,
    ) -> Self {
        let page_time = |t: DateTime<Utc>, zone: Tz| prefs.time(&t.with_timezone(&zone));
        let time = |at: Option<DateTime<Utc>>| at.map(|t| page_time(t, zone));
        let event = |label, at, main| SunEvent {
            label,
            time: time(at),
            main,
        };
        // The neighbouring days are computed here (NOAA), whatever gave today's times.
        let yesterday = sun
            .date
            .pred_opt()
            .map(|d| solar::compute(at, d, SunSource::Simulated));
        let tomorrow = sun
            .date
            .succ_opt()
            .map(|d| solar::compute(at, d, SunSource::Simulated));
        let after_sunset = sun.sunset.is_some_and(|set| now >= set);
        let next = match (sun.sunrise, sun.sunset) {
            (Some(rise), _) if now < rise => Some(format!(
                "Rises in {}, at {}",
                page_duration(rise - now),
                page_time(rise, zone)
            )),
            (_, Some(set)) if now < set => Some(format!(
                "Sets in {}, at {}",
                page_duration(set - now),
                page_time(set, zone)
            )),
            _ => tomorrow
                .as_ref()
                .and_then(|t| t.sunrise)
                .filter(|_| after_sunset)
                .map(|rise| format!("Rises tomorrow at {}", page_time(rise, zone))),
        };
        Self {
            date: sun.date.format("%A %-d %B %Y").to_string(),
            polar_note: match sun.day_kind() {
                DayKind::Normal => None,
                DayKind::PolarDay => Some("Polar day: the sun does not set today."),
                DayKind::PolarNight => Some("Polar night: the sun does not rise today."),
            },
            next,
            main: vec![
                event("Sunrise", sun.sunrise, true),
                event("Solar noon", Some(sun.solar_noon), true),
                event("Sunset", sun.sunset, true),
            ],
            tomorrow: tomorrow.filter(|_| after_sunset).map(|t| {
                format!(
                    "Tomorrow: sunrise {}, sunset {}, day length {}.",
                    time(t.sunrise).unwrap_or_else(|| "none".to_owned()),
                    time(t.sunset).unwrap_or_else(|| "none".to_owned()),
                    page_duration(t.day_length)
                )
            }),
            day_length: page_duration(sun.day_length),
            day_length_change: yesterday.map(|y| day_length_change(sun.day_length - y.day_length)),
            band: SunBand::new(at, zone, sun.date, now, prefs),
            calendar_href,
            moon: {
                let moon = moon_at(sun.solar_noon);
                format!(
                    "{}, {:.0} % lit",
                    moon.phase.words(),
                    moon.illumination * 100.0
                )
            },
            events: vec![
                event(
                    "Astronomical twilight begins",
                    sun.astronomical.begin,
                    false,
                ),
                event("Nautical twilight begins", sun.nautical.begin, false),
                event("Civil twilight begins", sun.civil.begin, false),
                event("Sunrise", sun.sunrise, true),
                event("Solar noon", Some(sun.solar_noon), true),
                event("Sunset", sun.sunset, true),
                event("Civil twilight ends", sun.civil.end, false),
                event("Nautical twilight ends", sun.nautical.end, false),
                event("Astronomical twilight ends", sun.astronomical.end, false),
            ],
            source: sun.source.describe(),
            computed_locally: sun.source != SunSource::SunriseSunset,
        }
    }
}

/// "2 min 41 s shorter than yesterday", "the same as yesterday".
fn day_length_change(change: TimeDelta) -> String {
    let seconds = change.num_seconds();
    let size = seconds.unsigned_abs();
    let amount = match (size / 60, size % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    };
    match seconds.signum() {
        0 => "the same as yesterday".to_owned(),
        1 => format!("{amount} longer than yesterday"),
        _ => format!("{amount} shorter than yesterday"),
    }
}
