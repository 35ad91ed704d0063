//! Nothing lost: concurrent posts are all stored once, and every post answered 303 survives
//! the server being killed outright.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use futures::future::join_all;
use reqwest::StatusCode;
use wiremock::ResponseTemplate;

use crate::{
    binary, fixtures,
    helpers::{FormTokens, browser, event_form, form_tokens_at, spawn_app_with},
};

const PLACES: [(&str, &str, &str, &str); 5] = [
    ("97229", "Portland", "45.5483", "-122.8284"),
    ("10001", "New York City", "40.7484", "-73.9967"),
    ("60601", "Chicago", "41.8858", "-87.6181"),
    ("94105", "San Francisco", "37.7864", "-122.3892"),
    ("02108", "Boston", "42.3576", "-71.0684"),
];

#[tokio::test]
async fn five_hundred_concurrent_posts_across_places_are_each_stored_exactly_once() {
    // What is tested is that each post is stored once, not the geocoder's deadline: on two busy
    // cores, the test's own 500 uploads (on PostgreSQL) once kept a place's one geocoding
    // answer waiting past the tests' 1 s, and all its 100 posts were answered 504.
    let app = spawn_app_with(&["--upstream-timeout-ms", "30000"]).await;
    for (code, name, lat, lon) in PLACES {
        app.mount_geocoder(
            &format!("/us/{code}"),
            ResponseTemplate::new(200)
                .set_body_json(fixtures::zippopotam(code, name, "State", "ST", lat, lon)),
        )
        .await;
    }
    let browser = browser();
    let tokens = app.form_tokens(&browser, "/places/us/97229").await;

    let posts = (0..500).map(|n| {
        let (code, ..) = PLACES[n % PLACES.len()];
        let tokens = FormTokens {
            submission_id: format!("{n:032x}"),
            ..tokens.clone()
        };
        let form = event_form(&tokens, &[("title", &format!("Concurrent post {n}"))]);
        let path = format!("/places/us/{code}/events");
        let (app, browser) = (&app, &browser);
        async move { app.post_multipart(browser, &path, form).await.status() }
    });
    let statuses = join_all(posts).await;

    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    let mut titles = Vec::new();
    for (code, ..) in PLACES {
        let listed = app.listed_events("us", code).await;
        assert_eq!(listed.len(), 100, "{code}");
        titles.extend(
            listed
                .iter()
                .filter_map(|e| e["title"].as_str().map(str::to_owned)),
        );
    }
    let unique: HashSet<_> = titles.iter().collect();
    assert_eq!((titles.len(), unique.len()), (500, 500));
}

#[tokio::test]
async fn every_post_answered_303_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = binary::start(dir.path(), &[]);
    let browser = browser();
    let page_tokens =
        form_tokens_at(&browser, &format!("{}/places/us/97229", server.address)).await;
    let tokens = FormTokens {
        authenticity_token: page_tokens.authenticity_token,
        submission_id: String::new(),
    };
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));

    // Four streams of posts; the server is killed once forty have been answered.
    let streams = (0..4).map(|stream| {
        let (browser, address, tokens, answered) = (
            browser.clone(),
            server.address.clone(),
            tokens.clone(),
            answered.clone(),
        );
        tokio::spawn(async move {
            for n in 0.. {
                let title = format!("Stream {stream} post {n}");
                let tokens = FormTokens {
                    submission_id: format!("{:016x}{:016x}", stream, n),
                    ..tokens.clone()
                };
                let sent = browser
                    .post(format!("{address}/places/us/97229/events"))
                    .multipart(event_form(&tokens, &[("title", &title)]))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == StatusCode::SEE_OTHER => answered
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(title),
                    Ok(response) => panic!("{title}: {}", response.status()),
                    // The server is gone: this post was never answered.
                    Err(_) => break,
                }
            }
        })
    });
    let streams: Vec<_> = streams.collect();
    while answered.lock().unwrap_or_else(|e| e.into_inner()).len() < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut child = server.child;
    binary::signal(&child, "KILL");
    let _ = child.wait();
    for stream in streams {
        assert!(
            stream.await.is_ok(),
            "a stream saw an answer other than 303"
        );
    }
    let answered = answered.lock().unwrap_or_else(|e| e.into_inner()).clone();

    let restarted = binary::start(dir.path(), &[]);
    let listing: serde_json::Value = reqwest::get(format!(
        "{}/api/places/us/97229/events?limit=1000",
        restarted.address
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .json()
    .await
    .unwrap_or_default();
    let stored: HashSet<String> = listing["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["title"].as_str().map(str::to_owned))
        .collect();
    let lost: Vec<_> = answered.iter().filter(|t| !stored.contains(*t)).collect();
    assert!(answered.len() >= 40);
    assert!(
        lost.is_empty(),
        "answered 303 but lost after SIGKILL: {lost:?}"
    );
    let mut child = restarted.child;
    binary::signal(&child, "KILL");
    let _ = child.wait();
}
