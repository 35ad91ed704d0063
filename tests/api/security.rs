//! What protects a visitor's browser: security headers on every answer, cookies marked Secure
//! over HTTPS, and forms refused when another site posts them, whatever their token.

use reqwest::{StatusCode, header::HeaderMap};

use crate::{
    fixtures::pictures,
    helpers::{
        FormTokens, TestApp, browser, client, event_form, header, hidden_value, photo_part,
        set_cookie, spawn_app,
    },
};

const PLACE: &str = "/places/us/97229";
const POST: &str = "/places/us/97229/events";
const CSRF_COOKIE: &str = "cityscape_csrf";
const VISITOR_COOKIE: &str = "cityscape_visitor";
const FLASH_COOKIE: &str = "cityscape_flash";

async fn app_with_portland() -> TestApp {
    let app = spawn_app().await;
    app.mount_portland().await;
    app
}

/// The value of a header that must appear exactly once: twice, browsers may combine the
/// values into something stricter, or (X-Frame-Options) ignore it.
fn single(case: &str, headers: &HeaderMap, name: &str) -> String {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(values.len(), 1, "{case}: {name} once, got {values:?}");
    values[0].to_owned()
}

fn assert_security_headers(case: &str, headers: &HeaderMap) {
    let policy = single(case, headers, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ] {
        assert!(
            policy.contains(directive),
            "{case}: no {directive:?} in {policy:?}"
        );
    }
    assert!(
        !policy.contains("'unsafe-inline'"),
        "{case}: the policy allows inline code: {policy:?}"
    );
    let frames = single(case, headers, "x-frame-options");
    assert!(frames.eq_ignore_ascii_case("DENY"), "{case}: {frames:?}");
    assert_eq!(
        single(case, headers, "referrer-policy"),
        "same-origin",
        "{case}"
    );
    assert_eq!(
        single(case, headers, "x-content-type-options"),
        "nosniff",
        "{case}"
    );
    assert!(
        !single(case, headers, "permissions-policy")
            .trim()
            .is_empty(),
        "{case}: an empty Permissions-Policy"
    );
    assert_eq!(
        single(case, headers, "cross-origin-opener-policy"),
        "same-origin",
        "{case}"
    );
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let app = app_with_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, PLACE).await;
    let form = event_form(&tokens, &[]).part(
        "photo",
        photo_part(pictures::png(640, 480), "drawing.png", "image/png"),
    );
    let redirect = app.post_multipart(&browser, POST, form).await;
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER, "posting an event");
    let events = app.listed_events("us", "97229").await;
    let photo = events
        .first()
        .and_then(|event| event["photo_url"].as_str())
        .unwrap_or_else(|| panic!("no photo listed: {events:?}"))
        .to_owned();
    let refused = app
        .post_form(
            &client(),
            "/saved",
            &[("country", "us"), ("postal_code", "97229")],
        )
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "a form without a token"
    );

    assert_security_headers("a 303 redirect after a post", redirect.headers());
    assert_security_headers("a 403 error page for a refused form", refused.headers());
    let cases = [
        ("the home page", "/", StatusCode::OK),
        ("a place page", PLACE, StatusCode::OK),
        ("the 404 error page", "/no/such/page", StatusCode::NOT_FOUND),
        ("API JSON", "/api/places/us/97229", StatusCode::OK),
        (
            "an API error",
            "/api/places/us/97229/events?limit=0",
            StatusCode::BAD_REQUEST,
        ),
        ("an API 404", "/api/no/such/thing", StatusCode::NOT_FOUND),
        ("the health check", "/healthz", StatusCode::OK),
        ("the stylesheet", "/static/style.css", StatusCode::OK),
        (
            "a missing static file",
            "/static/nope.css",
            StatusCode::NOT_FOUND,
        ),
        ("a photo", photo.as_str(), StatusCode::OK),
        ("a missing photo", "/photos/0000.jpg", StatusCode::NOT_FOUND),
    ];
    for (case, path, status) in cases {
        let response = app.get(path).await;

        assert_eq!(response.status(), status, "{case}: {path}");
        assert_security_headers(&format!("{case} ({path})"), response.headers());
    }
}

/// What the policy would block in a page: inline scripts, styles and event handlers.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    if html.contains("<style") {
        found.push("a <style> element".to_owned());
    }
    if html.contains(" style=") {
        found.push("a style attribute".to_owned());
    }
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or_default();
        if !tag.contains("src=") {
            found.push(format!("an inline <script{tag}>"));
        }
    }
    for handler in [
        " onclick=",
        " onload=",
        " onsubmit=",
        " onchange=",
        " oninput=",
    ] {
        if html.contains(handler) {
            found.push(format!("an{handler} handler"));
        }
    }
    found
}

#[tokio::test]
async fn pages_hold_no_inline_code_that_the_policy_would_block() {
    let app = app_with_portland().await;

    for path in ["/", PLACE, "/no/such/page"] {
        let (_, html) = app.get_text(path).await;

        assert!(html.contains("<footer"), "{path}: a page in the layout");
        assert_eq!(inline_code(&html), Vec::<String>::new(), "{path}");
    }
}

/// A page carries a form token bound to its visitor's cookie (and on the home page their
/// places): a shared cache in front of the site that kept one would hand it, with its
/// `Set-Cookie`, to other visitors. Pages say so; the JSON API, the same for everyone, does not.
#[tokio::test]
async fn pages_made_for_a_visitor_are_kept_from_shared_caches() {
    let app = app_with_portland().await;

    for path in ["/", PLACE, "/no/such/page"] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "cache-control"),
            "private, no-cache",
            "{path}"
        );
    }
    let api = app.get("/api/places/us/97229").await;
    assert_eq!(api.status(), StatusCode::OK);
    assert!(!header(&api, "cache-control").contains("private"));
}

fn is_secure(cookie: &str) -> bool {
    cookie
        .split(';')
        .skip(1)
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"))
}

#[tokio::test]
async fn the_csrf_cookie_is_secure_over_https_and_not_over_plain_http() {
    let app = app_with_portland().await;

    for (case, https) in [("over HTTPS", true), ("over plain HTTP", false)] {
        let mut request = client().get(format!("{}{PLACE}", app.address));
        if https {
            request = request.header("x-forwarded-proto", "https");
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));

        let cookie = set_cookie(&response, CSRF_COOKIE);
        assert!(!cookie.is_empty(), "{case}: no {CSRF_COOKIE} cookie");
        assert_eq!(is_secure(&cookie), https, "{case}: {cookie}");
    }
}

/// Every `Set-Cookie` of one step of a visit, with the step's name.
type SetCookies = Vec<(&'static str, String)>;

/// Sends `request`, through an HTTPS proxy when `https` (it says so in `X-Forwarded-Proto`),
/// and keeps the cookies the answer sets.
async fn send(
    step: &'static str,
    request: reqwest::RequestBuilder,
    https: bool,
    cookies: &mut SetCookies,
) -> reqwest::Response {
    let request = if https {
        request.header("x-forwarded-proto", "https")
    } else {
        request
    };
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{step}: {e}"));
    cookies.extend(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|cookie| (step, cookie.to_owned())),
    );
    response
}

/// A visit that sets every cookie the app has: open a place, save it, post an event, and see
/// the page after each post (which takes the flash message away).
async fn visit_setting_every_cookie(app: &TestApp, https: bool) -> SetCookies {
    let browser = browser();
    let url = |path: &str| format!("{}{path}", app.address);
    let mut cookies = SetCookies::new();

    let page = send(
        "opening a place",
        browser.get(url(PLACE)),
        https,
        &mut cookies,
    )
    .await;
    let token = hidden_value(&page.text().await.unwrap_or_default(), "authenticity_token");
    let saved = send(
        "saving the place",
        browser.post(url("/saved")).form(&[
            ("country", "us"),
            ("postal_code", "97229"),
            ("authenticity_token", token.as_str()),
        ]),
        https,
        &mut cookies,
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "saving the place");
    let page = send(
        "the page after saving",
        browser.get(url(PLACE)),
        https,
        &mut cookies,
    )
    .await;
    let html = page.text().await.unwrap_or_default();
    let tokens = FormTokens {
        authenticity_token: hidden_value(&html, "authenticity_token"),
        submission_id: hidden_value(&html, "submission_id"),
    };
    let posted = send(
        "posting an event",
        browser.post(url(POST)).multipart(event_form(&tokens, &[])),
        https,
        &mut cookies,
    )
    .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER, "posting an event");
    let _page = send(
        "the page after posting",
        browser.get(url(PLACE)),
        https,
        &mut cookies,
    )
    .await;
    cookies
}

#[tokio::test]
async fn every_cookie_set_over_https_is_secure_and_none_over_plain_http() {
    let app = app_with_portland().await;

    for (case, https) in [("over HTTPS", true), ("over plain HTTP", false)] {
        let cookies = visit_setting_every_cookie(&app, https).await;

        for name in [CSRF_COOKIE, VISITOR_COOKIE, FLASH_COOKIE] {
            assert!(
                cookies
                    .iter()
                    .any(|(_, cookie)| cookie.starts_with(&format!("{name}="))),
                "{case}: the visit never set {name}: {cookies:?}"
            );
        }
        for (step, cookie) in &cookies {
            assert_eq!(is_secure(cookie), https, "{case}, {step}: {cookie}");
        }
    }
}

/// Saves Portland from a fresh form in `browser`, with a valid token and `headers` added.
async fn save_portland(
    app: &TestApp,
    browser: &reqwest::Client,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let tokens = app.form_tokens(browser, PLACE).await;
    let mut request = browser.post(format!("{}/saved", app.address)).form(&[
        ("country", "us"),
        ("postal_code", "97229"),
        ("authenticity_token", tokens.authenticity_token.as_str()),
    ]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused_despite_a_valid_token() {
    let app = app_with_portland().await;
    let cases: [(&str, &[(&str, &str)]); 2] = [
        (
            "an Origin of another site",
            &[("origin", "http://evil.example")],
        ),
        (
            "a browser saying the post came from another site",
            &[("sec-fetch-site", "cross-site")],
        ),
    ];

    for (case, headers) in cases {
        let response = save_portland(&app, &browser(), headers).await;

        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
        assert_eq!(
            app.count_rows("saved_places").await,
            0,
            "{case}: nothing is saved"
        );
    }
}

#[tokio::test]
async fn a_form_posted_from_this_site_or_by_a_client_without_origin_is_accepted() {
    let app = app_with_portland().await;
    let own_origin = app.address.clone();
    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "this server's own Origin",
            vec![("origin", own_origin.as_str())],
        ),
        (
            "a browser posting from this site",
            vec![
                ("origin", own_origin.as_str()),
                ("sec-fetch-site", "same-origin"),
            ],
        ),
        ("no Origin, as from an old client", vec![]),
    ];

    for (case, headers) in cases {
        let browser = browser();

        let response = save_portland(&app, &browser, &headers).await;

        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{case}");
        let home = app.browse(&browser, "/").await;
        let mine = home.split("My places").nth(1).unwrap_or_default();
        assert!(mine.contains("Portland"), "{case}: the place is saved");
    }
}

#[tokio::test]
async fn an_event_posted_from_another_site_is_refused_and_from_this_site_accepted() {
    let app = app_with_portland().await;
    let own_origin = app.address.clone();
    let cases = [
        (
            "an Origin of another site",
            ("origin", "http://evil.example"),
            StatusCode::FORBIDDEN,
        ),
        (
            "a browser saying the post came from another site",
            ("sec-fetch-site", "cross-site"),
            StatusCode::FORBIDDEN,
        ),
        (
            "this server's own Origin",
            ("origin", own_origin.as_str()),
            StatusCode::SEE_OTHER,
        ),
    ];

    for (case, (name, value), status) in cases {
        let browser = browser();
        let tokens = app.form_tokens(&browser, PLACE).await;

        let response = browser
            .post(format!("{}{POST}", app.address))
            .header(name, value)
            .multipart(event_form(&tokens, &[("title", case)]))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));

        assert_eq!(response.status(), status, "{case}");
    }
    let titles: Vec<String> = app
        .listed_events("us", "97229")
        .await
        .iter()
        .filter_map(|event| event["title"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        titles,
        ["this server's own Origin"],
        "only the own-site post is stored"
    );
}

/// Args of `app` with `flag` set to `value` (replaced, or added).
fn with_flag(args: &[String], flag: &str, value: &str) -> Vec<String> {
    let mut args = args.to_vec();
    match args.iter().position(|a| a == flag) {
        Some(at) => args[at + 1] = value.to_owned(),
        None => args.extend([flag.to_owned(), value.to_owned()]),
    }
    args
}

/// Several instances of one site behind a balancer: a form fetched from one may be posted to
/// any other. They share the secret file, not their data directories.
#[tokio::test]
async fn a_form_fetched_from_one_instance_posts_to_another_that_shares_the_secret_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let secret = dir.path().join("site-secret").display().to_string();
    let app =
        crate::helpers::spawn_app_with(&["--upstream", "simulated", "--secret-file", &secret])
            .await;
    let other_data = dir.path().join("other-data").display().to_string();
    let sharing = with_flag(&app.args, "--data-dir", &other_data);
    let instance_b = app.start_server_with(&sharing).await;
    let own_secret = with_flag(
        &with_flag(&app.args, "--data-dir", &other_data),
        "--secret-file",
        &dir.path().join("own-secret").display().to_string(),
    );
    let instance_c = app.start_server_with(&own_secret).await;

    for (instance, expected) in [
        (&instance_b, StatusCode::SEE_OTHER),
        (&instance_c, StatusCode::FORBIDDEN),
    ] {
        let browser = browser();
        let tokens = app.form_tokens(&browser, PLACE).await;
        let response = browser
            .post(format!("{instance}/saved"))
            .form(&[
                ("country", "us"),
                ("postal_code", "97229"),
                ("authenticity_token", tokens.authenticity_token.as_str()),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), expected, "{instance}");
    }
}
