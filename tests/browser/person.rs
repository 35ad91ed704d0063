//! The app in a real browser: headless Chromium driven over WebDriver (chromedriver), against
//! the app in simulated mode on 127.0.0.1. A person's whole path: search, read the place page,
//! post an event with a photo, get a mistake explained, save the place, find it on the home page.
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::{
    fixtures::pictures,
    helpers::{spawn_app_with, spawn_app_with_every_city},
};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Where the screenshot of the place page with an event is kept for people to look at.
const SCREENSHOT: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/place-with-event.png");
/// The event page with long words, on a screen 400 pixels wide.
const NARROW_SCREENSHOT: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/narrow-event.png");
/// The place page with an event, at a phone's width and a desktop's (`place-390.png`, ...).
const WIDTH_SCREENSHOTS: &str = env!("CARGO_TARGET_TMPDIR");

/// chromedriver on a free port, stopped when dropped.
pub struct Driver {
    process: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

pub async fn start_driver() -> Driver {
    let port = free_port();
    let process = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{CHROMEDRIVER} must be installed (apt-get install chromium-driver): {e}")
        });
    let driver = Driver {
        process,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/status", driver.url)).await.is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// Chromium with a window `width` CSS pixels wide inside. Below 800 px it is a phone's screen
/// (Chromium's windows have a minimum width larger than a phone's, so the device is emulated).
pub async fn start_browser(driver: &Driver, profile: &std::path::Path, width: u32) -> Client {
    start_browser_in(driver, profile, width, Scheme::Light).await
}

/// The colour scheme a browser asks pages for (`prefers-color-scheme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

pub async fn start_browser_in(
    driver: &Driver,
    profile: &std::path::Path,
    width: u32,
    scheme: Scheme,
) -> Client {
    start_browser_with(driver, profile, width, scheme, true).await
}

/// A browser as `start_browser_in`, with its scripts on or off.
pub async fn start_browser_with(
    driver: &Driver,
    profile: &std::path::Path,
    width: u32,
    scheme: Scheme,
    scripts: bool,
) -> Client {
    let mut options = json!({
        "binary": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            format!("--window-size={},1800", width.max(800)), format!("--user-data-dir={}", profile.display()),
            // Blink's own setting for `prefers-color-scheme`: 0 is dark, 1 light.
            format!("--blink-settings=preferredColorScheme={},scriptEnabled={scripts}", if scheme == Scheme::Dark { 0 } else { 1 }),
        ]
    });
    if width < 800 {
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": 1800, "pixelRatio": 1.0, "mobile": true, "touch": true }
        });
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("could not start Chromium through chromedriver: {e}"))
}

/// The text of the first element matching `css` once it has some: pages load after a click,
/// so an element of the page being left may answer first, or go stale while read.
async fn text_of(browser: &Client, css: &str) -> String {
    for _ in 0..100 {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && !text.trim().is_empty()
        {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no text in {css} after 10 s");
}

/// Waits until the browser shows `path`.
async fn wait_for_path(browser: &Client, path: &str) {
    for _ in 0..100 {
        if browser.current_url().await.is_ok_and(|u| u.path() == path) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser never reached {path}");
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let field = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap_or_else(|e| panic!("{css}: {e}"));
    field
        .send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

/// `datetime-local` inputs take keys in the browser's locale format; setting the value is exact.
async fn set_value(browser: &Client, css: &str, value: &str) {
    browser
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

/// What a person types into the event form on a place page.
struct EventFields<'a> {
    title: &'a str,
    /// `YYYY-MM-DDTHH:MM`, local to the place.
    start: &'a str,
    description: &'a str,
    name: &'a str,
    photo: &'a std::path::Path,
}

/// Fills in the event form of the place page open in `browser` and submits it.
async fn post_event(browser: &Client, event: &EventFields<'_>) {
    fill(browser, "#title", event.title).await;
    set_value(browser, "#starts_at", event.start).await;
    fill(browser, "#description", event.description).await;
    fill(browser, "#name", event.name).await;
    browser
        .find(Locator::Css("#photo"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .send_keys(&event.photo.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    click(browser, ".event-form button[type=submit]").await;
}

#[tokio::test]
async fn a_person_searches_posts_an_event_with_a_photo_and_saves_the_place() {
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let driver = start_driver().await;
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let photo = scratch.path().join("market.png");
    std::fs::write(&photo, pictures::png(800, 600)).unwrap_or_else(|e| panic!("{e}"));
    let browser = start_browser(&driver, &scratch.path().join("profile"), 1100).await;

    // Search from the home page.
    browser
        .goto(&format!("{}/", app.address))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(&browser, "#q", "97229 us").await;
    click(&browser, "form.find button[type=submit]").await;
    wait_for_path(&browser, "/places/us/97229").await;
    assert_eq!(text_of(&browser, "h1").await, "Portland");
    assert!(
        text_of(&browser, "#sun-heading")
            .await
            .starts_with("Sunrise and sunset, ")
    );

    // Post an event with a photo.
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(7))
        .format("%Y-%m-%dT19:00")
        .to_string();
    let lantern_walk = EventFields {
        title: "Lantern walk by the river",
        start: &start,
        description: "Bring a lantern.\nHot cider at the end.",
        name: "Mira",
        photo: &photo,
    };
    post_event(&browser, &lantern_walk).await;
    assert!(
        text_of(&browser, "#posted")
            .await
            .contains("Your event is posted.")
    );
    // The poster lands on the private link: on screen, focused, whole, and copyable (the
    // script shows its button).
    let landing = browser
        .execute(
            "const field = document.getElementById('private-link'); \
             const box = field.getBoundingClientRect(); \
             return [document.activeElement === field, box.top >= 0 && box.bottom <= innerHeight, \
                     field.value, !document.querySelector('[data-copy]').hidden];",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(landing[0], json!(true), "the private link has the focus");
    assert_eq!(landing[1], json!(true), "the private link is on screen");
    let url = landing[2].as_str().unwrap_or_default();
    assert!(
        url.starts_with(&format!("{}/events/", app.address)) && url.contains("/edit?token="),
        "{url}"
    );
    assert_eq!(
        landing[3],
        json!(true),
        "the copy button shows with the script"
    );
    assert!(
        text_of(&browser, ".events")
            .await
            .contains("Lantern walk by the river")
    );
    // The thumbnail is lazy-loaded: wait until it has pixels.
    let mut thumbnail_width = 0;
    for _ in 0..100 {
        let width = browser
            .execute(
                "const img = document.querySelector('.events img.thumb'); \
                 if (img) { img.scrollIntoView(); } \
                 return img && img.complete ? img.naturalWidth : 0;",
                vec![],
            )
            .await
            .unwrap_or_default();
        thumbnail_width = width.as_u64().unwrap_or(0);
        if thumbnail_width > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(thumbnail_width > 0, "the thumbnail never loaded");
    let screenshot = browser.screenshot().await.unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(SCREENSHOT, &screenshot).unwrap_or_else(|e| panic!("{SCREENSHOT}: {e}"));

    // A mistake is explained beside its field, and what was typed stays.
    fill(&browser, "#title", "ab").await;
    set_value(&browser, "#starts_at", &start).await;
    fill(&browser, "#name", "Mira").await;
    click(&browser, ".event-form button[type=submit]").await;
    assert_eq!(
        text_of(&browser, "#title_error").await,
        "A title has 3 to 120 characters."
    );
    let kept = browser
        .find(Locator::Css("#name"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .prop("value")
        .await
        .unwrap_or_default();
    assert_eq!(kept.as_deref(), Some("Mira"));

    // Save the place and find it on the home page.
    click(&browser, "form.save button").await;
    assert!(
        text_of(&browser, ".flash")
            .await
            .contains("Saved to your places.")
    );
    browser
        .goto(&format!("{}/", app.address))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for_path(&browser, "/").await;
    let mine = text_of(&browser, ".saved").await;
    assert!(mine.contains("Portland, Oregon (US 97229)"), "{mine}");
    // A US place, in Fahrenheit until the visitor picks otherwise.
    assert!(mine.contains("°F") && mine.contains("sunset"), "{mine}");

    browser.close().await.unwrap_or_else(|e| panic!("{e}"));
}

/// How far the page reaches past the window's right edge, in CSS pixels (0 or less: it fits;
/// a vertical scroll bar makes it negative).
async fn overflow(browser: &Client) -> i64 {
    browser
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .as_i64()
        .unwrap_or(i64::MAX)
}

#[tokio::test]
async fn on_a_narrow_screen_long_unbroken_words_wrap_and_the_strict_policy_keeps_the_styles() {
    // Arrange: a window 400 pixels wide.
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let driver = start_driver().await;
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let browser = start_browser(&driver, &scratch.path().join("profile"), 400).await;
    browser
        .goto(&format!("{}/places/us/97229", app.address))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for_path(&browser, "/places/us/97229").await;

    // Act: post an event whose title, description and name are each one long word.
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(7))
        .format("%Y-%m-%dT19:00")
        .to_string();
    let long_word = "Lanternwalkbytheriver".repeat(5);
    fill(&browser, "#title", &long_word).await;
    set_value(&browser, "#starts_at", &start).await;
    fill(&browser, "#description", &"Hotciderattheend".repeat(20)).await;
    fill(&browser, "#name", &"Mira".repeat(15)).await;
    click(&browser, ".event-form button[type=submit]").await;
    assert!(
        text_of(&browser, "#posted")
            .await
            .contains("Your event is posted.")
    );

    // Assert: neither the board nor the event's own page is wider than the screen, and the
    // stylesheet applied under the content security policy (events lay out as flex rows).
    let place_overflow = overflow(&browser).await;
    assert!(
        place_overflow <= 0,
        "the place page overflows by {place_overflow} px"
    );
    let display = browser
        .execute(
            "return getComputedStyle(document.querySelector('.event')).display;",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(display, json!("flex"));
    click(&browser, ".events h3 a").await;
    assert_eq!(text_of(&browser, "h1").await, long_word);
    let event_overflow = overflow(&browser).await;
    let screenshot = browser.screenshot().await.unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(NARROW_SCREENSHOT, &screenshot)
        .unwrap_or_else(|e| panic!("{NARROW_SCREENSHOT}: {e}"));
    assert!(
        event_overflow <= 0,
        "the event page overflows by {event_overflow} px"
    );

    browser.close().await.unwrap_or_else(|e| panic!("{e}"));
}

/// Every kind of page a person meets, with an event (and its photo) posted as a poster leaves
/// it: home, place, sun calendar, event, edit, delete and an error page.
pub async fn every_kind_of_page(
    app: &crate::helpers::TestApp,
    driver: &Driver,
    scratch: &std::path::Path,
) -> Vec<String> {
    let photo = scratch.join("market.png");
    std::fs::write(&photo, pictures::png(1600, 1200)).unwrap_or_else(|e| panic!("{e}"));
    let poster = start_browser(driver, &scratch.join("poster"), 1280).await;
    poster
        .goto(&format!("{}/places/us/97229", app.address))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(3))
        .format("%Y-%m-%dT18:30")
        .to_string();
    let rehearsal = EventFields {
        title: "Choir rehearsal in the old library",
        start: &start,
        description: "Open to all voices.",
        name: "Jun",
        photo: &photo,
    };
    post_event(&poster, &rehearsal).await;
    // The page after the post loads in its own time (the photo is decoded first).
    let mut link = String::new();
    for _ in 0..100 {
        let found = poster
            .execute(
                "const f = document.getElementById('private-link'); return f ? f.value : '';",
                vec![],
            )
            .await
            .unwrap_or_default();
        link = found.as_str().unwrap_or_default().to_owned();
        if link.contains("/edit?token=") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(link.contains("/edit?token="), "no private link: {link:?}");
    let event = link
        .split_once("/edit?")
        .map(|(event, _)| event.to_owned())
        .unwrap_or_default();
    let delete = link.replace("/edit?", "/delete?");
    poster.close().await.unwrap_or_else(|e| panic!("{e}"));
    vec![
        format!("{}/", app.address),
        format!("{}/places/us/97229", app.address),
        format!("{}/places/us/97229/sun?month=2026-03", app.address),
        format!("{}/search?q=portland", app.address),
        format!("{}/search?q=nowhere+at+all", app.address),
        format!("{}/cities/2657896/zurich", app.address),
        event,
        link,
        delete,
        format!("{}/no/such/page", app.address),
    ]
}

#[tokio::test]
async fn every_page_fits_a_phone_of_320_or_390_px_and_a_desktop() {
    // Arrange
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let driver = start_driver().await;
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pages = every_kind_of_page(&app, &driver, scratch.path()).await;

    for width in [320, 390, 1280] {
        let browser =
            start_browser(&driver, &scratch.path().join(format!("at-{width}")), width).await;
        for page in &pages {
            // Act
            browser.goto(page).await.unwrap_or_else(|e| panic!("{e}"));
            // Assert: nothing reaches past the screen's right edge. (A phone's browser widens
            // its layout to fit what overflows, so the page's width is compared with the
            // screen's, not with the window's.)
            let page_width = browser
                .execute("return document.documentElement.scrollWidth;", vec![])
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .as_i64()
                .unwrap_or(i64::MAX);
            let overflow = page_width - i64::from(width);
            assert!(
                overflow <= 0,
                "{page} at {width} px overflows by {overflow} px"
            );
            if page.ends_with("/places/us/97229") && width != 320 {
                let screenshot = browser.screenshot().await.unwrap_or_else(|e| panic!("{e}"));
                let file = format!("{WIDTH_SCREENSHOTS}/place-{width}.png");
                std::fs::write(&file, &screenshot).unwrap_or_else(|e| panic!("{file}: {e}"));
            }
        }
        browser.close().await.unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn a_person_finds_a_city_by_typing_part_of_its_name() {
    let app = spawn_app_with_every_city(&["--upstream", "simulated"]).await;
    let driver = start_driver().await;
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));

    // With scripts: suggestions while typing, chosen with the keyboard.
    let browser = start_browser(&driver, &scratch.path().join("with"), 1100).await;
    browser
        .goto(&format!("{}/", app.address))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let input = browser
        .find(Locator::Css("#q"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    input
        .send_keys("zuri")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let first = text_of(&browser, "#q-suggestions li").await;
    assert!(first.starts_with("Zürich"), "first suggestion: {first:?}");
    let expanded = input.attr("aria-expanded").await.unwrap_or_default();
    assert_eq!(expanded.as_deref(), Some("true"));
    // Down to the first suggestion: the box names it as the active one.
    input
        .send_keys("\u{E015}")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let active = input
        .attr("aria-activedescendant")
        .await
        .unwrap_or_default();
    assert_eq!(active.as_deref(), Some("q-suggestions-0"));
    // Escape closes the list; down opens it again; Enter opens the chosen city's page.
    input
        .send_keys("\u{E00C}")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expanded = input.attr("aria-expanded").await.unwrap_or_default();
    assert_eq!(expanded.as_deref(), Some("false"));
    input
        .send_keys("\u{E015}\u{E007}")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for_path(&browser, "/cities/2657896/zurich").await;
    assert_eq!(text_of(&browser, "h1").await, "Zürich");
    browser.close().await.unwrap_or_else(|e| panic!("{e}"));

    // Without scripts: the same words submitted; the results page lists Zürich first.
    let plain = start_browser_with(
        &driver,
        &scratch.path().join("without"),
        1100,
        Scheme::Light,
        false,
    )
    .await;
    plain
        .goto(&format!("{}/", app.address))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let input = plain
        .find(Locator::Css("#q"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        input.attr("role").await.unwrap_or_default(),
        None,
        "no script, no combobox"
    );
    input
        .send_keys("zuri")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    click(&plain, "form.find button[type=submit]").await;
    wait_for_path(&plain, "/search").await;
    let first = text_of(&plain, "ol.results li a").await;
    assert_eq!(first, "Zürich");
    click(&plain, "ol.results li a").await;
    wait_for_path(&plain, "/cities/2657896/zurich").await;
    plain.close().await.unwrap_or_else(|e| panic!("{e}"));
}
