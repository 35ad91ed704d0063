//! The pages people browse: home, search, place, errors.

use reqwest::StatusCode;
use wiremock::ResponseTemplate;

use crate::{
    fixtures,
    helpers::{assert_is_an_accessible_chart, header, raw_client, spawn_app, svgs_in},
};

#[tokio::test]
async fn home_page_explains_cityscape_and_offers_the_search_form() {
    let app = spawn_app().await;

    let (status, html) = app.get_text("/").await;

    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("One page about any place"));
    assert!(html.contains(r#"<form class="search" method="get" action="/search""#));
    assert!(html.contains(r#"name="postal_code""#));
    assert!(html.contains(r#"<option value="us" selected>United States</option>"#));
    assert!(html.contains("No places viewed yet"));
}

#[tokio::test]
async fn home_page_lists_recently_and_most_viewed_places() {
    let app = spawn_app().await;
    app.mount_portland().await;
    app.mount_new_york().await;
    for path in ["/places/us/97229", "/places/us/97229", "/places/us/10001"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }

    let (_, html) = app.get_text("/").await;

    let recent = html.split("Most viewed").next().unwrap_or_default();
    let newest = recent.find("New York City");
    let older = recent.find("Portland, Oregon");
    assert!(
        newest.is_some() && older.is_some(),
        "both listed:\n{recent}"
    );
    assert!(newest < older, "most recent first:\n{recent}");
    let popular = html.split("Most viewed").nth(1).unwrap_or_default();
    assert!(popular.contains("2 views"), "{popular}");
    let (portland, new_york) = (popular.find("Portland"), popular.find("New York"));
    assert!(
        portland.is_some() && new_york.is_some() && portland < new_york,
        "most viewed first"
    );
    assert!(html.contains(r#"href="/places/us/97229""#));
}

/// Each browser gets the page in the best coding it takes: zstd where it is offered (Chrome,
/// Firefox), else brotli (Safari), else gzip; each decompresses to the whole page.
#[tokio::test]
async fn pages_are_compressed_in_the_best_coding_each_browser_takes() {
    use std::io::Read as _;
    let app = spawn_app().await;
    app.mount_portland().await;
    for (accepted, coding) in [
        ("gzip, deflate, br, zstd", "zstd"),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate", "gzip"),
        ("identity", ""),
    ] {
        let response = raw_client()
            .get(format!("{}/places/us/97229", app.address))
            .header(reqwest::header::ACCEPT_ENCODING, accepted)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{accepted}: {e}"));
        assert_eq!(response.status(), StatusCode::OK, "{accepted}");
        assert_eq!(header(&response, "content-encoding"), coding, "{accepted}");
        let body = response.bytes().await.unwrap_or_default();
        let mut page = String::new();
        let read = match coding {
            "zstd" => {
                zstd::Decoder::new(body.as_ref()).and_then(|mut d| d.read_to_string(&mut page))
            }
            "br" => brotli::Decompressor::new(body.as_ref(), 4096).read_to_string(&mut page),
            "gzip" => flate2::read::GzDecoder::new(body.as_ref()).read_to_string(&mut page),
            _ => body.as_ref().read_to_string(&mut page),
        };
        assert!(read.is_ok(), "{accepted}: {read:?}");
        assert!(page.contains("Portland, Oregon"), "{accepted}: {page}");
        assert!(
            page.trim_end().ends_with("</html>"),
            "{accepted}: the whole page"
        );
    }
}

#[tokio::test]
async fn a_valid_search_redirects_to_the_place_page() {
    let app = spawn_app().await;

    let response = app.get("/search?postal_code=+sw1a+1aa+&country=GB").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&response, "location"), "/places/gb/SW1A%201AA");
}

#[tokio::test]
async fn a_bad_search_shows_the_form_again_with_a_message_and_the_input_kept() {
    let app = spawn_app().await;
    let cases = [
        (
            "postal_code=&country=us",
            "Please enter a postal code.",
            r#"value="""#,
        ),
        (
            "postal_code=97%3C229&country=us",
            "only letters, digits, spaces and hyphens",
            r#"value="97&#60;229""#,
        ),
        (
            "postal_code=12345678901&country=us",
            "at most 10 characters",
            r#"value="12345678901""#,
        ),
        (
            "postal_code=97229&country=xx",
            "does not know postal codes for that country",
            r#"value="97229""#,
        ),
        (
            "postal_code=97229",
            "Please choose a country.",
            r#"value="97229""#,
        ),
        ("", "Please enter a postal code.", r#"value="""#),
    ];
    for (query, message, kept) in cases {
        let (status, html) = app.get_text(&format!("/search?{query}")).await;

        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(html.contains(message), "{query}: no message {message:?}");
        assert!(html.contains(kept), "{query}: input not kept as {kept}");
        assert!(html.contains(r#"aria-invalid="true""#), "{query}");
    }
    assert_eq!(app.calls_to("/").await, 0, "a bad search asks no provider");
}

#[tokio::test]
async fn a_bad_search_keeps_the_chosen_country() {
    let app = spawn_app().await;

    let (_, html) = app.get_text("/search?postal_code=&country=de").await;

    assert!(html.contains(r#"<option value="de" selected>Germany</option>"#));
    assert!(!html.contains(r#"<option value="us" selected>"#));
}

#[tokio::test]
async fn place_page_shows_the_place_its_weather_and_its_sun() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let response = app.get("/places/us/97229").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap_or_default();

    for expected in [
        "<h1>Portland</h1>",
        "Oregon, United States",
        "America/Los_Angeles",
        // Named for the season it is there now.
        if chrono::Utc::now()
            .with_timezone(&chrono_tz::Tz::America__Los_Angeles)
            .format("%Z")
            .to_string()
            == "PDT"
        {
            "Pacific Daylight Time, UTC−07:00"
        } else {
            "Pacific Standard Time, UTC−08:00"
        },
        "45.5483, -122.8284",
        // A US place reads in Fahrenheit and on a 12-hour clock until the visitor picks.
        "45 °F",
        "Slight rain",
        "Feels like 42 °F",
        r#"<option value="imperial" selected>"#,
        r#"<option value="12" selected>"#,
        "The next 48 hours",
        "Temperature and chance of rain, the next 48 hours",
        "Sunrise",
        "Civil twilight begins",
        "Nautical twilight ends",
        "Astronomical twilight begins",
        "Solar noon",
        "Day length",
        "Source: sunrise-sunset.org",
        "/api/places/us/97229",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
    assert!(
        !html.contains("Simulated mode"),
        "live mode has no simulation banner"
    );
}

#[tokio::test]
async fn place_page_times_every_wait_in_server_timing() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let response = app.get("/places/us/97229").await;

    let timing = header(&response, "server-timing");
    for entry in ["geocode;dur=", "weather;dur=", "sun;dur=", "db;dur="] {
        assert!(timing.contains(entry), "{timing}");
    }
}

#[tokio::test]
async fn an_unknown_postal_code_gets_a_404_page() {
    let app = spawn_app().await;
    app.mount_geocoder(
        "/us/00000",
        ResponseTemplate::new(404).set_body_string("{}"),
    )
    .await;

    let (status, html) = app.get_text("/places/us/00000").await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("We could not find that postal code"));
    assert!(html.contains("<footer"), "in the site layout");
}

#[tokio::test]
async fn a_malformed_place_address_gets_a_400_page() {
    let app = spawn_app().await;
    for path in [
        "/places/us/%3Cscript%3E",
        "/places/zz/97229",
        "/places/us/12345678901",
    ] {
        let (status, html) = app.get_text(path).await;

        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(html.contains("<footer"), "{path}: in the site layout");
    }
    assert_eq!(app.calls_to("/").await, 0);
}

#[tokio::test]
async fn an_unknown_page_gets_a_404_in_the_site_layout() {
    let app = spawn_app().await;

    let (status, html) = app.get_text("/no/such/page").await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("There is no page at this address."));
    assert!(html.contains(r#"<link rel="stylesheet" href="/static/style.css?v="#));
}

#[tokio::test]
async fn a_wrong_method_gets_a_405_page_that_says_what_is_allowed() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(header(&response, "allow").contains("GET"));
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("does not accept that kind of request")
    );
}

#[tokio::test]
async fn what_the_geocoder_says_is_escaped_on_the_page() {
    let app = spawn_app().await;
    app.mount_portland().await;
    app.mount_geocoder(
        "/us/66666",
        ResponseTemplate::new(200).set_body_json(fixtures::zippopotam(
            "66666",
            "<script>alert(1)</script>",
            "O'Brien & \"Sons\"",
            "OB",
            "45.5",
            "-122.8",
        )),
    )
    .await;

    let (status, html) = app.get_text("/places/us/66666").await;

    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
}

/// Each chart on a place page is well-formed XML, an image with a title and a description, and
/// has its data as a table in a `<details>` beside it.
#[tokio::test]
async fn the_place_page_charts_are_svg_images_with_words_and_a_table() {
    let app = crate::helpers::spawn_app_with(&["--upstream", "simulated"]).await;
    let (status, html) = app.get_text("/places/us/97229").await;
    assert_eq!(status, StatusCode::OK);

    let charts = svgs_in(&html);
    assert_eq!(
        charts.len(),
        3,
        "the forecast, the sun band and this page's waits (the year's daylight is on the sun \
         calendar)"
    );
    for chart in &charts {
        assert_is_an_accessible_chart(chart);
    }
    // The forecast's line has a point per hour; its table lists the same 48 hours.
    let forecast_xml = &charts[0];
    let forecast = roxmltree::Document::parse(forecast_xml).unwrap_or_else(|e| panic!("{e}"));
    let points: usize = forecast
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| n.attribute("points").unwrap_or_default().split(' ').count())
        .sum();
    assert_eq!(points, 48);
    let table = html
        .split_once(r#"<details class="hours-table">"#)
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let table = table
        .split_once("</details>")
        .map(|(t, _)| t)
        .unwrap_or_default();
    assert_eq!(table.matches(r#"<th scope="row">"#).count(), 48);
    // The sun band's table of times is in a <details> too.
    assert!(html.contains(r#"<details class="sun-table">"#));
    assert!(
        html.contains(r#"href="/places/us/97229/sun""#),
        "a link to the sun calendar"
    );
    // The waits: the first visit waited on the (simulated) services, side by side.
    assert!(html.contains("How this page waited"));
    assert!(html.contains("The waits add up to"), "the first view waits");
    let (_, again) = app.get_text("/places/us/97229").await;
    assert!(
        again.contains("was at hand"),
        "the next view is made from memory"
    );
}

/// The units and clock a person picks stay with them across the redirect and every page after;
/// the API answers in either on request.
#[tokio::test]
async fn a_choice_of_units_and_clock_is_kept_and_the_api_converts_on_request() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = crate::helpers::browser();
    let tokens = app.form_tokens(&browser, "/places/us/97229").await;
    let post = |fields: Vec<(&'static str, String)>| {
        let browser = browser.clone();
        let url = format!("{}/preferences", app.address);
        async move {
            browser
                .post(url)
                .form(&fields)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };

    // Act: metric and a 24-hour clock, for a US place.
    let chosen = post(vec![
        ("authenticity_token", tokens.authenticity_token.clone()),
        ("units", "metric".to_owned()),
        ("clock", "24".to_owned()),
        ("back", "/places/us/97229".to_owned()),
    ])
    .await;

    // Assert: back to the page (Post/Redirect/Get), now in °C and on a 24-hour clock.
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        crate::helpers::header(&chosen, "location"),
        "/places/us/97229"
    );
    let html = app.browse(&browser, "/places/us/97229").await;
    assert!(html.contains("7 °C") && html.contains("Feels like 5 °C"));
    assert!(
        !html.contains(" AM<") && !html.contains(" PM<"),
        "a 24-hour clock"
    );
    assert!(html.contains(r#"<option value="metric" selected>"#));

    // A bad choice changes nothing and says why; a form from elsewhere goes home, not away.
    let bad = post(vec![
        ("authenticity_token", tokens.authenticity_token.clone()),
        ("units", "kelvin".to_owned()),
        ("clock", "24".to_owned()),
        ("back", "/places/us/97229".to_owned()),
    ])
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let away = post(vec![
        ("authenticity_token", tokens.authenticity_token.clone()),
        ("units", "imperial".to_owned()),
        ("clock", "12".to_owned()),
        ("back", "//evil.example/".to_owned()),
    ])
    .await;
    assert_eq!(crate::helpers::header(&away, "location"), "/");
    let html = app.browse(&browser, "/places/us/97229").await;
    assert!(html.contains("45 °F"), "the last good choice holds");

    // The API: metric unless asked; imperial to the tenth (7.4 °C = 45.3 °F, 12.3 km/h =
    // 7.6 mph).
    let (_, metric) = app.get_json("/api/weather/97229/us").await;
    assert_eq!(metric["units"], "metric");
    assert_eq!(metric["temperature_c"], 7.4);
    let (status, imperial) = app.get_json("/api/weather/97229/us?units=imperial").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(imperial["units"], "imperial");
    assert_eq!(imperial["temperature_f"], 45.3);
    assert_eq!(imperial["feels_like_f"], 41.7);
    assert_eq!(imperial["wind_speed_mph"], 7.6);
    assert!(imperial.get("temperature_c").is_none());
    assert!(imperial["hourly"][0]["temperature_f"].is_number());
    let (status, _) = app.get_json("/api/weather/97229/us?units=kelvin").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The week ahead on the place page: a row a day from today, in the place's units, each with an
/// icon beside the words for its weather.
#[tokio::test]
async fn the_place_page_shows_the_week_ahead_with_an_icon_and_words_per_day() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let (status, html) = app.get_text("/places/us/97229").await;

    assert_eq!(status, StatusCode::OK);
    let week = html
        .split_once(r#"<ol class="week""#)
        .and_then(|(_, rest)| rest.split_once("</ol>"))
        .map(|(week, _)| week)
        .unwrap_or_default();
    let days: Vec<&str> = week.split("<li>").skip(1).collect();
    assert_eq!(days.len(), 7, "{week}");
    assert!(days[0].contains(">Today</time>"), "{}", days[0]);
    assert!(days[1].contains(">Tomorrow</time>"), "{}", days[1]);
    for (day, code) in days.iter().zip(fixtures::DAILY_CODES) {
        let (icon, words) = match code {
            61 => ("rain", "Slight rain"),
            3 => ("cloudy", "Overcast"),
            0 => ("clear", "Clear sky"),
            95 => ("thunder", "Thunderstorm"),
            71 => ("snow", "Slight snowfall"),
            45 => ("fog", "Fog"),
            _ => ("partly", "Partly cloudy"),
        };
        assert!(
            day.contains(&format!(r#"<span class="wx wx-{icon}"></span>{words}"#)),
            "{code}: {day}"
        );
    }
    // 13.5 °C and 4.5 °C, in °F for a US place; a low the service did not give is a dash.
    assert!(days[1].contains("<strong>56 °F</strong>"), "{}", days[1]);
    assert!(days[1].contains("40 °F"), "{}", days[1]);
    assert!(
        days[3].contains(r#"<span class="low">–</span>"#),
        "{}",
        days[3]
    );
    assert!(days[0].contains("80 %, 0.20 in"), "{}", days[0]);
    assert!(days[0].contains("from the NW"), "{}", days[0]);
}
