//! Saved places: an anonymous cookie, a list on the home page with each place's weather and
//! next sunset fetched concurrently, one failure not spoiling the rest.

use reqwest::StatusCode;
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path, query_param},
};

use crate::{
    fixtures,
    helpers::{TestApp, browser, header, set_cookie, spawn_app},
};

async fn save(
    app: &TestApp,
    browser: &reqwest::Client,
    country: &str,
    postal_code: &str,
) -> reqwest::Response {
    let tokens = app
        .form_tokens(browser, &format!("/places/{country}/{postal_code}"))
        .await;
    app.post_form(
        browser,
        "/saved",
        &[
            ("country", country),
            ("postal_code", postal_code),
            ("authenticity_token", &tokens.authenticity_token),
        ],
    )
    .await
}

#[tokio::test]
async fn saving_a_place_sets_an_anonymous_cookie_and_lists_it_with_weather_and_sunset() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = browser();

    let response = save(&app, &browser, "us", "97229").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&response, "location"), "/places/us/97229");
    let cookie = set_cookie(&response, "cityscape_visitor");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP gets no Secure flag: {cookie}"
    );

    let home = browser
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let html = home.text().await.unwrap_or_default();
    let mine = html.split("My places").nth(1).unwrap_or_default();
    assert!(mine.contains("Portland, Oregon (US 97229)"), "{mine}");
    // A US place: in Fahrenheit (7.4 °C), the visitor having chosen nothing.
    assert!(mine.contains("45 °F") && mine.contains("sunset "), "{mine}");

    let page = browser
        .get(format!("{}/places/us/97229", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        page.text()
            .await
            .unwrap_or_default()
            .contains("Remove from my places")
    );
}

#[tokio::test]
async fn the_visitor_cookie_is_secure_behind_an_https_proxy() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, "/places/us/97229").await;

    let response = browser
        .post(format!("{}/saved", app.address))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("country", "us"),
            ("postal_code", "97229"),
            ("authenticity_token", &tokens.authenticity_token),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&response, "cityscape_visitor").contains("; Secure"));
}

#[tokio::test]
async fn removing_a_place_takes_it_off_the_list() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = browser();
    save(&app, &browser, "us", "97229").await;
    let tokens = app.form_tokens(&browser, "/places/us/97229").await;

    let response = app
        .post_form(
            &browser,
            "/saved/remove",
            &[
                ("country", "us"),
                ("postal_code", "97229"),
                ("authenticity_token", &tokens.authenticity_token),
                ("from", "home"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&response, "location"), "/");
    let html = app.browse(&browser, "/").await;
    assert!(!html.contains("My places"));
    assert!(html.contains("Removed from your places."));
}

#[tokio::test]
async fn one_failing_place_does_not_spoil_the_others() {
    let app = spawn_app().await;
    app.mount_portland().await;
    app.mount_new_york().await;
    // New York's weather is broken; Portland's is fine.
    Mock::given(method("GET"))
        .and(path("/v1/forecast"))
        .and(query_param("latitude", "40.7484"))
        .respond_with(ResponseTemplate::new(500))
        .with_priority(1)
        .mount(&app.upstream)
        .await;
    let browser = browser();
    save(&app, &browser, "us", "97229").await;
    save(&app, &browser, "us", "10001").await;

    let html = app.browse(&browser, "/").await;

    let mine = html.split("My places").nth(1).unwrap_or_default();
    assert!(
        mine.contains("Portland") && mine.contains("45 °F"),
        "{mine}"
    );
    assert!(
        mine.contains("New York City") && mine.contains("Weather unavailable"),
        "{mine}"
    );
}

#[tokio::test]
async fn saving_without_the_csrf_token_is_403_and_saves_nothing() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = browser();
    app.form_tokens(&browser, "/").await;

    let response = app
        .post_form(
            &browser,
            "/saved",
            &[("country", "us"), ("postal_code", "97229")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count_rows("saved_places").await, 0);
}

/// A town near Portland for each US code, each saved by `browser`.
async fn save_towns(app: &TestApp, browser: &reqwest::Client, codes: &[String]) {
    for code in codes {
        app.mount_geocoder(
            &format!("/us/{code}"),
            ResponseTemplate::new(200).set_body_json(fixtures::zippopotam(
                code, "Town", "State", "ST", "45.5", "-122.8",
            )),
        )
        .await;
    }
    for code in codes {
        assert_eq!(
            save(app, browser, "us", code).await.status(),
            StatusCode::SEE_OTHER,
            "{code}"
        );
    }
}

#[tokio::test]
async fn saved_places_are_fetched_all_at_once() {
    use crate::concurrency::{InFlight, start_in_flight_server};
    let in_flight = InFlight::default();
    let fake = start_in_flight_server(in_flight.clone()).await;
    // Cache off, so the home page asks for every place's weather and sun itself.
    let app = crate::helpers::spawn_app_with(&[
        "--cache",
        "off",
        "--weather-url",
        &fake,
        "--sun-url",
        &fake,
    ])
    .await;
    let codes = ["97229", "10001", "60601", "94105", "02108", "73301"].map(str::to_owned);
    let browser = browser();
    save_towns(&app, &browser, &codes).await;
    in_flight.reset();

    let home = browser
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(home.status(), StatusCode::OK);
    // Every place at once, each waiting on its weather and two days of sun together: 6 × 3.
    assert_eq!(in_flight.most(), 18, "six places, fetched all at once");
}

#[tokio::test]
async fn a_full_list_of_saved_places_is_shown_within_its_deadline_while_the_services_hang() {
    // Arrange: 24 saved places (the most a list holds), then weather and sun services that
    // answer nothing for far longer than the upstream timeout allows.
    let app = crate::helpers::spawn_app_with(&["--upstream-timeout-ms", "20000"]).await;
    let codes: Vec<String> = (0..24).map(|i| format!("{:05}", 97200 + i)).collect();
    let browser = browser();
    save_towns(&app, &browser, &codes).await;
    let hang = ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(60));
    app.mount_weather(hang.clone()).await;
    app.mount_sun(hang).await;

    // Act: the home page, with a guard well past the list's 3.5 s deadline.
    let home = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        browser.get(format!("{}/", app.address)).send(),
    )
    .await
    .unwrap_or_else(|_| panic!("the home page waited on the hanging services"))
    .unwrap_or_else(|e| panic!("{e}"));

    // Assert: every place listed, each with a note saying its weather is late.
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap_or_default();
    assert_eq!(
        html.matches("the weather service is taking too long")
            .count(),
        24,
        "{html}"
    );
}

/// Two tabs of a browser without the visitor cookie yet each save a place at once. Each answer
/// set a visitor cookie of its own and the browser kept the last, so one of two saves answered
/// 303 was lost. The id of a new visitor is now drawn from the browser's form cookie, which
/// both tabs send: both answers give the same id, and both places are listed.
#[tokio::test]
async fn two_tabs_saving_at_once_before_the_visitor_cookie_keep_both_places() {
    let app = spawn_app().await;
    app.mount_portland().await;
    app.mount_geocoder(
        "/us/10001",
        ResponseTemplate::new(200).set_body_json(fixtures::zippopotam(
            "10001", "Town", "State", "ST", "45.5", "-122.8",
        )),
    )
    .await;
    let browser = browser();
    let first = app.form_tokens(&browser, "/places/us/97229").await;
    let second = app.form_tokens(&browser, "/places/us/10001").await;
    let save_in_tab = |postal_code: &'static str, token: String| {
        let (app, browser) = (&app, &browser);
        async move {
            let form = [
                ("country", "us"),
                ("postal_code", postal_code),
                ("authenticity_token", token.as_str()),
            ];
            app.post_form(browser, "/saved", &form).await
        }
    };

    // Both leave before either answer comes back with a cookie.
    let (a, b) = tokio::join!(
        save_in_tab("97229", first.authenticity_token),
        save_in_tab("10001", second.authenticity_token),
    );

    assert_eq!(a.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.status(), StatusCode::SEE_OTHER);
    let visitor = |response: &reqwest::Response| {
        set_cookie(response, "cityscape_visitor")
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(!visitor(&a).is_empty(), "no visitor cookie");
    assert_eq!(visitor(&a), visitor(&b), "the tabs got two visitors");
    let html = app.browse(&browser, "/").await;
    let mine = html.split("My places").nth(1).unwrap_or_default();
    assert!(
        mine.contains("(US 97229)") && mine.contains("(US 10001)"),
        "{mine}"
    );
}
