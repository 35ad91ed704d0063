//! Finding a place by name: the one box (`/search?q=`), `/api/search`, city pages, and the
//! cities' import at start.

use reqwest::StatusCode;
use serde_json::Value;

use crate::binary;
use crate::helpers::{
    SMALL_CITIES, TestApp, header, spawn_app_with, spawn_app_with_every_city, write_cities_file,
};

/// What a query should find first.
enum Expect {
    /// The city with this GeoNames id, first.
    City(i64),
    /// A postal code's page.
    PostalPage(&'static str),
    /// Nothing: no city, no page.
    Nothing,
}

use Expect::{City, Nothing, PostalPage};

const ZURICH: i64 = 2_657_896;
const PORTLAND_OR: i64 = 5_746_545;
const PORTLAND_ME: i64 = 4_975_802;
const PARIS: i64 = 2_988_507;
const PARIS_TX: i64 = 4_717_560;
const TOKYO: i64 = 1_850_147;
const SAO_PAULO: i64 = 3_448_439;
const SPRINGFIELD_MO: i64 = 4_409_896;
const SPRINGFIELD_IL: i64 = 4_250_542;
const MUNICH: i64 = 2_867_714;
const MOSCOW: i64 = 524_901;
const COLOGNE: i64 = 2_886_242;
const NEW_YORK: i64 = 5_128_581;
const LOS_ANGELES: i64 = 5_368_361;
const KRAKOW: i64 = 3_094_802;
const BEIJING: i64 = 1_816_670;
const MUMBAI: i64 = 1_275_339;
const SYDNEY: i64 = 2_147_714;
const REYKJAVIK: i64 = 3_413_829;
const SAINT_PETERSBURG: i64 = 498_817;
const LONDON: i64 = 2_643_743;

/// Each query, what it should find first, and why.
const QUERIES: &[(&str, Expect, &str)] = &[
    ("Zürich", City(ZURICH), "the name as written there"),
    ("zurich", City(ZURICH), "diacritics folded away"),
    ("ZURICH", City(ZURICH), "case folded"),
    (
        "zuerich",
        City(ZURICH),
        "the German transliteration is an alternate name",
    ),
    ("Zurigo", City(ZURICH), "the Italian name"),
    (
        "チューリッヒ",
        City(ZURICH),
        "the Japanese name, folded like the others",
    ),
    (
        "zuri",
        City(ZURICH),
        "a prefix: the most populous city that starts so",
    ),
    ("zurch", City(ZURICH), "a letter missing: one edit"),
    ("zuirch", City(ZURICH), "two letters swapped: one edit"),
    (
        "portland",
        City(PORTLAND_OR),
        "ambiguous: the most populous first",
    ),
    ("portland oregon", City(PORTLAND_OR), "a region qualifier"),
    (
        "portland maine",
        City(PORTLAND_ME),
        "the qualifier beats population",
    ),
    (
        "portland, me",
        City(PORTLAND_ME),
        "a state code after a comma",
    ),
    (
        "paris",
        City(PARIS),
        "France's before Texas's by population",
    ),
    ("paris tx", City(PARIS_TX), "a state code narrows to Texas"),
    ("paris, fr", City(PARIS), "a country code after a comma"),
    ("Paris France", City(PARIS), "a country name as qualifier"),
    ("東京", City(TOKYO), "the name in kanji"),
    ("Tokyo", City(TOKYO), "the English name"),
    ("tokio", City(TOKYO), "the Spanish and German name"),
    ("sao paulo", City(SAO_PAULO), "without the tilde"),
    ("São Paulo", City(SAO_PAULO), "with it"),
    (
        "Springfield",
        City(SPRINGFIELD_MO),
        "many Springfields: the largest first",
    ),
    (
        "springfield il",
        City(SPRINGFIELD_IL),
        "the one in Illinois",
    ),
    (
        "springfeld",
        City(SPRINGFIELD_MO),
        "a typo in an ambiguous name",
    ),
    (
        "munchen",
        City(MUNICH),
        "the German name without its umlaut",
    ),
    ("Munich", City(MUNICH), "the English name"),
    ("Москва", City(MOSCOW), "Cyrillic"),
    ("Moskva", City(MOSCOW), "its transliteration"),
    ("Köln", City(COLOGNE), "the German name"),
    (
        "cologne",
        City(COLOGNE),
        "the English name, before Bologna one edit away",
    ),
    (
        "new york",
        City(NEW_YORK),
        "an alternate name of New York City",
    ),
    (
        "new yrok",
        City(NEW_YORK),
        "two letters swapped in a two-word name",
    ),
    (
        "los angeles",
        City(LOS_ANGELES),
        "the Californian one is the largest",
    ),
    ("Kraków", City(KRAKOW), "a Polish letter"),
    ("krakow", City(KRAKOW), "folded"),
    ("北京", City(BEIJING), "Chinese"),
    ("bombay", City(MUMBAI), "a former name"),
    ("pdx", City(PORTLAND_OR), "an airport code GeoNames lists"),
    ("reykjavik", City(REYKJAVIK), "an Icelandic letter folded"),
    (
        "st petersburg",
        City(SAINT_PETERSBURG),
        "an abbreviation GeoNames lists",
    ),
    (
        "london",
        City(LONDON),
        "England's, far larger than Ontario's",
    ),
    (
        "97229",
        PostalPage("/places/us/97229"),
        "five digits alone: a US ZIP code",
    ),
    (
        "97229 us",
        PostalPage("/places/us/97229"),
        "a postal code and its country",
    ),
    (
        "75001 fr",
        PostalPage("/places/fr/75001"),
        "a French postal code",
    ),
    (
        "-33.87 151.21",
        City(SYDNEY),
        "coordinates: the nearest city",
    ),
    (
        "45.52, -122.68",
        City(PORTLAND_OR),
        "coordinates with a comma",
    ),
    (
        "6th of october",
        City(353_219),
        "a name that starts with a number is not a postal code",
    ),
    (
        "vaugirard",
        City(2_970_479),
        "a part of a name: Paris 15 Vaugirard",
    ),
    (
        "yrok",
        City(783_148),
        "inside a name (Gjirokastër) when nothing starts so",
    ),
    (
        "paris, europe",
        City(PARIS),
        "an unknown qualifier after a comma: the whole text",
    ),
    (
        "0, -150",
        City(4_033_936),
        "mid-Pacific: the nearest city (Papeete), however far",
    ),
    ("xqzzyx", Nothing, "nothing is called that"),
    ("", Nothing, "nothing typed"),
];

async fn search(app: &TestApp, query: &str) -> Value {
    let response = app
        .client
        .get(format!("{}/api/search", app.address))
        .query(&[("q", query), ("limit", "5")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK, "{query:?}");
    response.json().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn each_query_finds_what_a_person_means() {
    assert!(QUERIES.len() >= 40);
    let app = spawn_app_with_every_city(&["--upstream", "simulated"]).await;
    let mut wrong = Vec::new();
    for (query, expected, why) in QUERIES {
        let answer = search(&app, query).await;
        let first = answer["results"][0]["id"].as_i64();
        let page = answer["postal_code_url"].as_str();
        let ok = match expected {
            City(id) => first == Some(*id),
            PostalPage(path) => page == Some(*path),
            Nothing => first.is_none() && page.is_none(),
        };
        if !ok {
            wrong.push(format!("{query:?} ({why}): got {answer}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn the_search_box_goes_to_a_clear_winner_and_lists_the_rest() {
    let app = spawn_app_with_every_city(&["--upstream", "simulated"]).await;
    let go = |query: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/search", app.address))
                .query(&[("q", query)])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    // One city of that name far larger than any other: straight to its page.
    let zurich = go("zurich").await;
    assert_eq!(zurich.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&zurich, "location"), "/cities/2657896/zurich");
    assert_eq!(
        header(&go("97229").await, "location"),
        "/places/us/97229",
        "a postal code goes to its page"
    );
    // Two Portlands of like size: a list, with region, country, population and local time.
    let portland = go("portland").await;
    assert_eq!(portland.status(), StatusCode::OK);
    let html = portland.text().await.unwrap_or_else(|e| panic!("{e}"));
    let oregon = html.find("/cities/5746545/portland").unwrap_or(usize::MAX);
    let maine = html.find("/cities/4975802/portland").unwrap_or(usize::MAX);
    assert!(oregon < maine && maine < usize::MAX, "{html}");
    assert!(html.contains("Oregon, United States"));
    assert!(html.contains("652,503 people"));
    assert!(
        html.contains(r#"value="portland""#),
        "the box keeps what was typed"
    );
    // Nothing found: a 200 that says so and what to try, with the query kept.
    let nothing = go("xqzzyx").await;
    assert_eq!(nothing.status(), StatusCode::OK);
    let html = nothing.text().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains("No city matches"), "{html}");
    assert!(html.contains("97229 us"));
    // Coordinates near a city open its page; far from every city, the nearest is listed with
    // its distance.
    assert_eq!(
        header(&go("45.52, -122.68").await, "location"),
        "/cities/5746545/portland"
    );
    let far = go("0, -150").await;
    assert_eq!(far.status(), StatusCode::OK);
    let html = far.text().await.unwrap_or_default();
    assert!(html.contains("Papeete"), "{html}");
    assert!(html.contains("km from the point given"), "{html}");
    // A postal code whose country cannot be guessed: asked for.
    let html = go("1234 5678").await.text().await.unwrap_or_default();
    assert!(html.contains("Which country"), "{html}");
}

#[tokio::test]
async fn bad_queries_get_a_clear_answer_never_a_500() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let long = "a".repeat(10 * 1024);
    let queries = [
        "",
        "   ",
        long.as_str(),
        "\"",
        "\"zur",
        "zur*",
        "NEAR(zur ich)",
        "zurich AND portland",
        "zurich OR",
        "col:zurich",
        "^zurich",
        "'; DROP TABLE cities; --",
        "1' OR '1'='1",
        "\u{0000}\u{0007}\u{001b}[31m",
        "zur\u{0000}ich",
        "%00",
        "{}[]()",
        "\u{202e}hciruz",
    ];
    for query in queries {
        for path in ["/api/search", "/search"] {
            let response = app
                .client
                .get(format!("{}{path}", app.address))
                .query(&[("q", query)])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            assert!(
                matches!(
                    status,
                    StatusCode::OK | StatusCode::BAD_REQUEST | StatusCode::SEE_OTHER
                ),
                "{path} {query:?}: {status} {body}"
            );
            if status == StatusCode::BAD_REQUEST {
                assert!(body.contains("at most 200 characters"), "{path}: {body}");
            }
        }
    }
    // The cities are all still there.
    assert_eq!(app.count_cities().await, 3);
    // A limit outside 1 – 50 is refused with a message.
    for limit in ["0", "51", "x", "-1"] {
        let response = app
            .client
            .get(format!("{}/api/search?q=zurich&limit={limit}", app.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "limit {limit}");
        let body: Value = response.json().await.unwrap_or_default();
        assert!(body.to_string().contains("limit"), "{body}");
    }
}

#[tokio::test]
async fn a_city_page_shows_the_place_now_at_its_one_address() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let (status, html) = app.get_text("/cities/5746545/portland").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Portland</h1>"));
    assert!(html.contains("Oregon, United States"));
    assert!(html.contains("America/Los_Angeles"));
    assert!(html.contains("Sunrise"), "the sun section");
    assert!(html.contains("Feels like"), "the weather section");
    assert!(html.contains("GeoNames"));
    // Another slug, or none: a permanent redirect to the one address.
    for path in [
        "/cities/5746545/portland-or",
        "/cities/5746545",
        "/cities/05746545/portland",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY, "{path}");
        assert_eq!(header(&response, "location"), "/cities/5746545/portland");
    }
    // No such city, or not a number: a 404 that says what to do.
    for path in [
        "/cities/1/nowhere",
        "/cities/zurich/zurich",
        "/cities/99999999999999999999/x",
    ] {
        let (status, html) = app.get_text(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("Search for it by name"), "{path}: {html}");
    }
}

#[tokio::test]
async fn the_cities_are_imported_once_and_again_when_the_file_changes() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let imported_at = |app: &TestApp| {
        let url = app.cities_database_url.clone();
        async move {
            let pool = sqlx::SqlitePool::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let at: String = sqlx::query_scalar("SELECT imported_at FROM city_data")
                .fetch_one(&pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            pool.close().await;
            at
        }
    };
    assert_eq!(app.count_cities().await, 3);
    let first = imported_at(&app).await;
    // A restart with the same file imports nothing.
    let again = app.start_another_server().await;
    assert_eq!(imported_at(&app).await, first);
    let answer: Value = app
        .client
        .get(format!("{again}/api/search?q=zurich"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer["results"][0]["id"], ZURICH);
    // A changed file replaces the cities: Zürich gone, Bern there.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let changed = dir.path().join("changed.tsv.gz");
    let bern =
        "2661552\tBern\tCH\tSwitzerland\tBE\t\t46.94809\t7.44744\t121631\tEurope/Zurich\tBerne";
    let lines = SMALL_CITIES.replace(SMALL_CITIES.lines().next().unwrap_or_default(), bern);
    write_cities_file(&changed, &lines);
    let mut args = app.args.clone();
    let at = args
        .iter()
        .position(|a| a == "--cities-file")
        .unwrap_or_else(|| panic!("the app was given a cities file"));
    if let Some(value) = args.get_mut(at + 1) {
        *value = changed.display().to_string();
    }
    let changed_app = app.start_server_with(&args).await;
    assert_ne!(imported_at(&app).await, first);
    assert_eq!(app.count_cities().await, 3);
    let find = |q: &'static str| {
        let client = app.client.clone();
        let base = changed_app.clone();
        async move {
            let answer: Value = client
                .get(format!("{base}/api/search?q={q}"))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            answer["results"][0]["id"].as_i64()
        }
    };
    assert_eq!(find("berne").await, Some(2_661_552));
    assert_eq!(find("zurich").await, None);
}

#[tokio::test]
async fn a_damaged_cities_file_stops_the_start_and_keeps_the_cities() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let damaged = dir.path().join("damaged.tsv.gz");
    write_cities_file(&damaged, "2661552\tBern\tCH\n");
    let mut args = app.args.clone();
    let at = args.iter().position(|a| a == "--cities-file").unwrap_or(0);
    if let Some(value) = args.get_mut(at + 1) {
        *value = damaged.display().to_string();
    }
    let config = <cityscape::config::Config as clap::Parser>::try_parse_from(&args)
        .unwrap_or_else(|e| panic!("{e}"));
    let error = cityscape::state::AppState::build(&config).await.err();
    let message = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("line 1 of the cities file"), "{message}");
    assert_eq!(app.count_cities().await, 3, "the cities before stay");
}

/// The binary imports the cities in a process of its own and waits for it: what the import
/// allocates goes back to the system when that process exits, instead of staying with the
/// server's allocator.
#[tokio::test]
async fn the_binary_imports_the_cities_in_a_process_of_its_own() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("cities.tsv.gz");
    write_cities_file(&file, SMALL_CITIES);
    let file = file.display().to_string();
    let mut server = binary::start(dir.path(), &[("CITYSCAPE_CITIES_FILE", &file)]);
    let log = server.start_log.join("\n");
    assert!(log.contains("cities imported"), "{log}");
    let checked = server
        .start_log
        .iter()
        .find(|line| line.contains("cities checked by a process of their own"))
        .unwrap_or_else(|| panic!("no line from the server about the import:\n{log}"));
    let importer: u32 = checked
        .split("pid=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {checked}"));
    assert_ne!(importer, server.child.id(), "{checked}");
    assert!(
        !std::path::Path::new(&format!("/proc/{importer}")).exists(),
        "the importing process has exited"
    );
    let answer: Value = reqwest::get(format!("{}/api/search?q=zurich", server.address))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer["results"][0]["id"], ZURICH, "{answer}");
    let _ = server.child.kill();
    let _ = server.child.wait();
}

#[test]
fn a_damaged_cities_file_stops_the_binary_with_the_cause() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let damaged = dir.path().join("damaged.tsv.gz");
    write_cities_file(&damaged, "2661552\tBern\tCH\n");
    let output = std::process::Command::new(binary::BINARY)
        .args(["--bind", "127.0.0.1:0", "--upstream", "simulated"])
        .arg("--database-url")
        .arg(binary::database_url(dir.path()))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("CITYSCAPE_CITIES_FILE", &damaged)
        .env("RUST_LOG", "info")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{log}");
    assert!(log.contains("line 1 of the cities file"), "{log}");
    assert!(log.contains("the importing process ended with"), "{log}");
    assert!(!log.contains("listening"), "{log}");
}

#[tokio::test]
async fn a_postal_code_page_links_its_nearest_city() {
    let app = crate::helpers::spawn_app().await;
    app.mount_portland().await;
    let (status, html) = app.get_text("/places/us/97229").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let link = r#"<a href="/cities/5746545/portland" id="nearest-city">Portland</a>"#;
    assert!(html.contains(link), "{html}");
    assert!(
        html.contains("km away"),
        "97229 is some kilometres from downtown"
    );
}

#[tokio::test]
async fn a_city_has_the_same_json_report_as_a_postal_code() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let (status, report) = app.get_json("/api/cities/5746545?units=imperial").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["place"]["name"], "Portland");
    assert_eq!(report["place"]["region"], "Oregon");
    assert_eq!(report["place"]["timezone"], "America/Los_Angeles");
    assert_eq!(report["place"]["url"], "/cities/5746545/portland");
    assert!(
        report["place"].get("match").is_none(),
        "no search, no match kind"
    );
    assert!(report["weather"]["hourly"].is_array(), "{report}");
    assert!(report["sun"]["sunrise"].is_string(), "{report}");
    assert!(
        report["local_time"]
            .as_str()
            .is_some_and(|t| t.contains('T'))
    );
    for path in ["/api/cities/1", "/api/cities/portland"] {
        let (status, answer) = app.get_json(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            answer.to_string().contains("Search for it by name"),
            "{answer}"
        );
    }
}
