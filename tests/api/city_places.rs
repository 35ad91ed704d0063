//! A city is a place like a postal code's: its page has the events board and the save button,
//! its views count, it shows in the home page's lists and in saved places, and its events have
//! the same API and feeds. And the migration that made cities places kept every event and save.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, browser, event_form, header, private_link_in, spawn_app_with};

const PORTLAND: &str = "/cities/5746545/portland";

async fn post_city_event(
    app: &TestApp,
    browser: &reqwest::Client,
    title: &str,
) -> reqwest::Response {
    let tokens = app.form_tokens(browser, PORTLAND).await;
    app.post_multipart(
        browser,
        &format!("{PORTLAND}/events"),
        event_form(&tokens, &[("title", title)]),
    )
    .await
}

#[tokio::test]
async fn a_city_page_has_an_events_board_with_its_api_and_feeds() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let browser = browser();

    let response = post_city_event(&app, &browser, "Rose festival").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        header(&response, "location"),
        format!("{PORTLAND}#private-link")
    );
    let page = app.browse(&browser, PORTLAND).await;
    assert!(page.contains("Rose festival"), "{page}");
    let private = private_link_in(&page).unwrap_or_else(|| panic!("no private link: {page}"));

    // The city's events in JSON, and not the postal code's nor the other Portland's.
    let (status, listed) = app.get_json("/api/cities/5746545/events").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["city_id"], 5_746_545);
    assert!(listed.get("postal_code").is_none(), "{listed}");
    let events = listed["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), 1, "{listed}");
    assert_eq!(events[0]["title"], "Rose festival");
    assert_eq!(events[0]["timezone"], "America/Los_Angeles");
    for other in ["/api/cities/4975802/events", "/api/places/us/97229/events"] {
        let (status, answer) = app.get_json(other).await;
        assert_eq!(status, StatusCode::OK, "{other}");
        assert_eq!(answer["events"], Value::Array(Vec::new()), "{other}");
    }
    let (status, answer) = app.get_json("/api/cities/1/events").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");

    // The event's own page leads back to the city's.
    let id = events[0]["id"].as_i64().unwrap_or_default();
    let (status, event_page) = app.get_text(&format!("/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        event_page.contains(&format!(r#"href="{PORTLAND}#events""#)),
        "{event_page}"
    );

    // Its feeds.
    let (status, ics) = app.get_text(&format!("{PORTLAND}/events.ics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ics.contains("SUMMARY:Rose festival"), "{ics}");
    let (status, atom) = app.get_text(&format!("{PORTLAND}/events.atom")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(atom.contains("Rose festival") && atom.contains("Events in Portland, Oregon"));

    // Deleting it through the private link takes it off the board.
    let tokens = app.form_tokens(&browser, &private).await;
    let token = private
        .split_once("token=")
        .map(|(_, t)| t)
        .unwrap_or_default();
    let deleted = app
        .post_form(
            &browser,
            &format!("/events/{id}/delete"),
            &[
                ("authenticity_token", tokens.authenticity_token.as_str()),
                ("token", token),
            ],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&deleted, "location"), format!("{PORTLAND}#events"));
    assert!(
        !app.browse(&browser, PORTLAND)
            .await
            .contains("Rose festival")
    );
}

#[tokio::test]
async fn a_wrong_event_form_on_a_city_page_comes_back_with_what_was_typed() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, PORTLAND).await;

    let response = app
        .post_multipart(
            &browser,
            &format!("{PORTLAND}/events"),
            event_form(&tokens, &[("title", "x"), ("description", "Kept as typed")]),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("<h1>Portland</h1>"), "the city's own page");
    assert!(html.contains("Kept as typed"), "{html}");
    assert_eq!(app.count_rows("events").await, 0);
    // No such city: nothing to post to.
    let response = app
        .post_multipart(&browser, "/cities/1/x/events", event_form(&tokens, &[]))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count_rows("events").await, 0);
}

#[tokio::test]
async fn a_city_is_saved_listed_with_its_weather_and_removed() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, PORTLAND).await;
    let page = app.browse(&browser, PORTLAND).await;
    assert!(page.contains("Save to my places"), "{page}");
    assert!(page.contains(r#"name="city" value="5746545""#), "{page}");

    let saved = app
        .post_form(
            &browser,
            "/saved",
            &[
                ("city", "5746545"),
                ("authenticity_token", &tokens.authenticity_token),
            ],
        )
        .await;

    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&saved, "location"), PORTLAND);
    assert!(
        app.browse(&browser, PORTLAND)
            .await
            .contains("Remove from my places")
    );
    let home = app.browse(&browser, "/").await;
    let my_places = saved_section(&home);
    let listed = format!(r#"<a href="{PORTLAND}">Portland, Oregon, United States</a>"#);
    assert!(my_places.contains(&listed), "{home}");
    assert!(
        my_places.contains("sunset"),
        "the saved city's next sunset: {home}"
    );
    assert!(
        my_places.contains(r#"name="city" value="5746545""#),
        "its Remove form"
    );

    let removed = app
        .post_form(
            &browser,
            "/saved/remove",
            &[
                ("city", "5746545"),
                ("authenticity_token", &tokens.authenticity_token),
                ("from", "home"),
            ],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&removed, "location"), "/");
    assert_eq!(saved_section(&app.browse(&browser, "/").await), "");
    assert_eq!(app.count_rows("saved_places").await, 0);

    // A city Cityscape does not know cannot be saved.
    let unknown = app
        .post_form(
            &browser,
            "/saved",
            &[
                ("city", "1"),
                ("authenticity_token", &tokens.authenticity_token),
            ],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// The home page's "My places", or "" when it shows none.
fn saved_section(home: &str) -> String {
    home.split_once(r#"id="saved-heading""#)
        .and_then(|(_, rest)| rest.split_once("</section>"))
        .map(|(section, _)| section.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn views_of_a_city_count_and_list_it_beside_postal_codes() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    for _ in 0..3 {
        assert_eq!(app.get(PORTLAND).await.status(), StatusCode::OK);
    }
    assert_eq!(app.get("/places/us/97229").await.status(), StatusCode::OK);

    let (_, city_page) = app.get_text(PORTLAND).await;
    assert!(city_page.contains("Viewed 4 times"), "{city_page}");
    let (_, home) = app.get_text("/").await;
    let (recent, popular) = home
        .split_once(r#"id="popular-heading""#)
        .unwrap_or_else(|| panic!("{home}"));
    for list in [recent, popular] {
        assert!(list.contains(&format!(r#"href="{PORTLAND}""#)), "{list}");
        assert!(list.contains(r#"href="/places/us/97229""#), "{list}");
    }
    // Most viewed first: the city (4 views) before the postal code (1).
    let city_at = popular.find(PORTLAND);
    let postal_at = popular.find("/places/us/97229");
    assert!(city_at < postal_at, "{popular}");
}

/// A database as the app left it before cities were places (migrations 0001 – 0006), with a
/// place, its event, a save and views.
async fn database_before_city_places(dir: &std::path::Path) -> String {
    let old = dir.join("migrations");
    std::fs::create_dir(&old).unwrap_or_else(|e| panic!("{e}"));
    let mut entries: Vec<_> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
    entries.sort();
    for path in entries.iter().take(6) {
        let name = path.file_name().unwrap_or_default();
        std::fs::copy(path, old.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let url = format!("sqlite://{}?mode=rwc", dir.join("old.db").display());
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap_or_else(|e| panic!("{e}"));
    let pool = sqlx::SqlitePool::connect_with(options.foreign_keys(true))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .run(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let starts = (chrono::Utc::now() + chrono::TimeDelta::days(3))
        .format("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string();
    for sql in [
        "INSERT INTO places (id, source, country_code, postal_code, name, region, region_code,
                             latitude, longitude, time_zone, created_at, view_count, last_viewed_at)
         VALUES (7, 'simulated', 'US', '97229', 'Portland', 'Oregon', 'OR', 45.5, -122.8,
                 'America/Los_Angeles', '2026-01-01T00:00:00.000Z', 12, '2026-01-02T00:00:00.000Z')",
        "INSERT INTO saved_places (visitor_id, place_id, saved_at)
         VALUES ('0123456789abcdef0123456789abcdef', 7, '2026-01-01T00:00:00.000Z')",
    ] {
        sqlx::query(sql)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    sqlx::query(
        "INSERT INTO events (place_id, title, starts_at, poster_name, edit_token_hash,
                             submission_id, created_at)
         VALUES (7, 'Made before cities', ?, 'Ana', 'x', 'old-submission', '2026-01-01T00:00:00.000Z')",
    )
    .bind(starts)
    .execute(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;
    url
}

#[tokio::test]
async fn the_migration_that_made_cities_places_keeps_every_event_save_and_view() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = database_before_city_places(dir.path()).await;

    let app = spawn_app_with(&["--upstream", "simulated", "--database-url", &url]).await;

    let listed = app.listed_events("us", "97229").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["title"], "Made before cities");
    // Its id too, through 0008's copy of the events table.
    assert_eq!(listed[0]["url"], "/events/1");
    let (_, page) = app.get_text("/places/us/97229").await;
    assert!(
        page.contains("Viewed 13 times"),
        "12 before, and this one: {page}"
    );
    let saved_home = app
        .client
        .get(format!("{}/", app.address))
        .header(
            "cookie",
            "cityscape_visitor=0123456789abcdef0123456789abcdef",
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        saved_home.contains(r#"<a href="/places/us/97229">Portland, Oregon (US 97229)</a>"#),
        "{saved_home}"
    );
}
