//! Photos on events: judged by their bytes, re-encoded without metadata, served safely; anything
//! else is refused with a clear message and leaves nothing behind.

use reqwest::StatusCode;

use crate::{
    fixtures::pictures,
    helpers::{TestApp, browser, event_form, header, photo_part, spawn_app},
};

const PLACE: &str = "/places/us/97229";
const POST: &str = "/places/us/97229/events";

async fn post_with_photo(
    app: &TestApp,
    bytes: Vec<u8>,
    file_name: &str,
    content_type: &str,
) -> reqwest::Response {
    let browser = browser();
    let tokens = app.form_tokens(&browser, PLACE).await;
    let form = event_form(&tokens, &[]).part("photo", photo_part(bytes, file_name, content_type));
    app.post_multipart(&browser, POST, form).await
}

#[tokio::test]
async fn jpeg_png_and_webp_photos_are_stored_re_encoded_without_their_metadata() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let uploads = [
        (
            pictures::jpeg_with_gps(1200, 900),
            "phone.jpg",
            "image/jpeg",
        ),
        (pictures::png(640, 480), "drawing.png", "image/png"),
        (pictures::webp(300, 200), "web.webp", "image/webp"),
    ];
    for (bytes, name, content_type) in uploads {
        assert!(bytes.windows(11).any(|w| w == b"GPSLatitude") || !name.ends_with(".jpg"));

        let response = post_with_photo(&app, bytes, name, content_type).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
    }

    let events = app.listed_events("us", "97229").await;
    assert_eq!(events.len(), 3);
    for event in &events {
        for key in ["photo_url", "thumbnail_url"] {
            let url = event[key]
                .as_str()
                .unwrap_or_else(|| panic!("no {key}: {event}"));
            let response = app.get(url).await;
            assert_eq!(response.status(), StatusCode::OK, "{url}");
            assert_eq!(header(&response, "content-type"), "image/jpeg");
            assert_eq!(header(&response, "x-content-type-options"), "nosniff");
            assert!(
                header(&response, "cache-control").contains("immutable"),
                "{url}"
            );
            let stored = response.bytes().await.unwrap_or_default();
            assert!(
                image::load_from_memory(&stored).is_ok(),
                "{url} is a picture"
            );
            assert!(!stored.windows(4).any(|w| w == b"Exif"), "{url} kept EXIF");
            assert!(
                !stored.windows(11).any(|w| w == b"GPSLatitude"),
                "{url} kept the position"
            );
        }
    }
    let thumbnail = app
        .get(events[0]["thumbnail_url"].as_str().unwrap_or_default())
        .await;
    let thumbnail = image::load_from_memory(&thumbnail.bytes().await.unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(thumbnail.width() <= 400 && thumbnail.height() <= 400);
    let html = app.get_text(PLACE).await.1;
    assert!(
        html.contains(r#"class="thumb" src="/photos/"#),
        "the board shows thumbnails"
    );
}

#[tokio::test]
async fn photos_answer_range_requests() {
    let app = spawn_app().await;
    app.mount_portland().await;
    post_with_photo(&app, pictures::png(64, 64), "a.png", "image/png").await;
    let url = app.listed_events("us", "97229").await[0]["photo_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let response = app
        .client
        .get(format!("{}{url}", app.address))
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.bytes().await.map(|b| b.len()).unwrap_or(0), 100);
}

#[tokio::test]
async fn anything_but_a_whole_picture_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let whole = pictures::jpeg_with_gps(400, 300);
    let cases = [
        ("a text file named .jpg", b"Dear diary, today I went to the market.".to_vec(), "notes.jpg", "image/jpeg", "must be a JPEG, PNG or WebP image"),
        ("a truncated JPEG", whole[..whole.len() / 2].to_vec(), "half.jpg", "image/jpeg", "damaged or incomplete"),
        ("a decompression bomb", pictures::png_bomb(), "bomb.png", "image/png", "too many pixels"),
        ("a memory bomb", pictures::png_memory_bomb(), "wide.png", "image/png", "too many pixels"),
        ("a GIF", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec(), "anim.gif", "image/gif", "must be a JPEG, PNG or WebP image"),
        ("over 5 MB", vec![0x89; 5 * 1024 * 1024 + 10], "huge.png", "image/png", "larger than 5 MB"),
    ];
    for (case, bytes, name, content_type, message) in cases {
        let response = post_with_photo(&app, bytes, name, content_type).await;

        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}"
        );
        let html = response.text().await.unwrap_or_default();
        assert!(html.contains(message), "{case}: no {message:?}");
        assert!(
            html.contains(r#"value="Winter market""#),
            "{case}: the other fields are kept"
        );
    }
    assert!(app.listed_events("us", "97229").await.is_empty());
    assert_eq!(
        app.photo_files(),
        Vec::<String>::new(),
        "no file, not even a partial one"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_page_and_stores_nothing() {
    let app = spawn_app().await;
    app.mount_portland().await;

    let response = post_with_photo(&app, vec![0u8; 7 * 1024 * 1024], "big.jpg", "image/jpeg").await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = response.text().await.unwrap_or_default();
    assert!(
        html.contains("too large") && html.contains("<footer"),
        "a page in the layout"
    );
    assert!(app.listed_events("us", "97229").await.is_empty());
    assert!(app.photo_files().is_empty());
}

#[tokio::test]
async fn a_repeated_post_keeps_one_copy_and_deleting_the_event_removes_the_files() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, PLACE).await;
    let with_photo = || {
        event_form(&tokens, &[]).part(
            "photo",
            photo_part(pictures::png(320, 240), "a.png", "image/png"),
        )
    };

    let first = app.post_multipart(&browser, POST, with_photo()).await;
    let link = app.private_link(&browser, PLACE).await;
    let again = app.post_multipart(&browser, POST, with_photo()).await;
    let link_again = app.private_link(&browser, PLACE).await;

    assert_eq!(
        (first.status(), again.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(link, link_again, "a repeat shows the same private link");
    assert_eq!(app.count_rows("events").await, 1);
    assert_eq!(
        app.photo_files().len(),
        2,
        "one photo: display size and thumbnail"
    );

    let edit_page = browser
        .get(format!("{}{link}", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = crate::helpers::hidden_value(
        &edit_page.text().await.unwrap_or_default(),
        "authenticity_token",
    );
    let (path, token) = link.split_once("?token=").unwrap_or_default();
    let delete = path.replace("/edit", "/delete");
    let deleted = app
        .post_form(
            &browser,
            &delete,
            &[("token", token), ("authenticity_token", &csrf)],
        )
        .await;

    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count_rows("events").await, 0);
    assert!(
        app.photo_files().is_empty(),
        "no event shows the photo any more: {:?}",
        app.photo_files()
    );
}

#[tokio::test]
async fn a_photo_file_left_short_by_an_earlier_fault_is_replaced_not_reused() {
    // Arrange: a stored photo whose files an earlier fault (a full disk, a crash on a file
    // system without ordered writes) left empty and cut short.
    let app = spawn_app().await;
    app.mount_portland().await;
    let photo = pictures::png(640, 480);
    let first = post_with_photo(&app, photo.clone(), "a.png", "image/png").await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let event = app.listed_events("us", "97229").await.remove(0);
    let display_url = event["photo_url"].as_str().unwrap_or_default().to_owned();
    let thumbnail_url = event["thumbnail_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let whole = app
        .get(&display_url)
        .await
        .bytes()
        .await
        .unwrap_or_default();
    let file = |url: &str| app.photo_path(url.rsplit('/').next().unwrap_or_default());
    std::fs::write(file(&display_url), b"").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(file(&thumbnail_url), &whole[..100]).unwrap_or_else(|e| panic!("{e}"));

    // Act: the same photo is posted again, with another event.
    let second = post_with_photo(&app, photo, "b.png", "image/png").await;

    // Assert: both files are whole again, on disk and as served.
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    let served = app
        .get(&display_url)
        .await
        .bytes()
        .await
        .unwrap_or_default();
    assert_eq!(served, whole);
    let thumbnail = app
        .get(&thumbnail_url)
        .await
        .bytes()
        .await
        .unwrap_or_default();
    assert!(image::load_from_memory(&thumbnail).is_ok());
    assert_eq!(
        std::fs::metadata(file(&thumbnail_url))
            .map(|m| m.len())
            .unwrap_or(0),
        thumbnail.len() as u64
    );
}

/// A photo whose second file cannot be written leaves neither: the first, written already, is
/// removed with the refusal (no event shows it).
#[tokio::test]
async fn a_photo_half_written_when_saving_fails_leaves_no_file() {
    // Arrange: the photo's file names, from a post to another server (names follow content).
    let photo = pictures::png(640, 480);
    let names = {
        let app = spawn_app().await;
        app.mount_portland().await;
        let posted = post_with_photo(&app, photo.clone(), "a.png", "image/png").await;
        assert_eq!(posted.status(), StatusCode::SEE_OTHER);
        let event = app.listed_events("us", "97229").await.remove(0);
        ["photo_url", "thumbnail_url"].map(|field| {
            let url = event[field].as_str().unwrap_or_default();
            url.rsplit('/').next().unwrap_or_default().to_owned()
        })
    };
    let [display, thumbnail] = &names;
    // A directory where the thumbnail would go: its rename fails, after the display file's.
    let app = spawn_app().await;
    app.mount_portland().await;
    std::fs::create_dir_all(app.photo_path(thumbnail)).unwrap_or_else(|e| panic!("{e}"));

    // Act
    let refused = post_with_photo(&app, photo, "a.png", "image/png").await;

    // Assert
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(app.listed_events("us", "97229").await.is_empty());
    assert!(!app.photo_path(display).exists(), "{display} left behind");
    assert_eq!(app.photo_files(), vec![thumbnail.clone()]);
}

/// The `<img>` of the event page's photo: its attributes by name.
fn photo_tag(html: &str) -> String {
    html.split_once(r#"<img class="photo""#)
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(tag, _)| tag.to_owned())
        .unwrap_or_default()
}

fn attribute(tag: &str, name: &str) -> String {
    tag.split_once(&format!(r#" {name}=""#))
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value.to_owned())
        .unwrap_or_default()
}

/// The event page gives the photo's size (no jump as it loads) and both files with their widths,
/// so a phone fetches the 400-pixel one; the sizes are the files' own.
#[tokio::test]
async fn the_event_page_gives_the_photos_size_and_a_srcset_of_its_two_files() {
    for (bytes, expected) in [
        (pictures::png(2000, 1000), (1600, 800)),
        (pictures::png(600, 900), (600, 900)),
    ] {
        let app = spawn_app().await;
        app.mount_portland().await;
        let response = post_with_photo(&app, bytes, "photo.png", "image/png").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let event = app.listed_events("us", "97229").await.remove(0);
        let (photo, thumbnail) = (
            event["photo_url"].as_str().unwrap_or_default(),
            event["thumbnail_url"].as_str().unwrap_or_default(),
        );

        let (_, html) = app
            .get_text(event["url"].as_str().unwrap_or_default())
            .await;

        let tag = photo_tag(&html);
        assert_eq!(attribute(&tag, "width"), expected.0.to_string(), "{tag}");
        assert_eq!(attribute(&tag, "height"), expected.1.to_string(), "{tag}");
        let thumb_file = app.photo_path(thumbnail.rsplit('/').next().unwrap_or_default());
        let (thumb_width, _) = image::image_dimensions(&thumb_file)
            .unwrap_or_else(|e| panic!("{}: {e}", thumb_file.display()));
        assert_eq!(
            attribute(&tag, "srcset"),
            format!("{thumbnail} {thumb_width}w, {photo} {}w", expected.0)
        );
        assert!(attribute(&tag, "sizes").contains("100vw"), "{tag}");
    }
}

/// Photos stored before their sizes were kept get them at the next start, from their files.
#[tokio::test]
async fn a_photo_stored_without_its_sizes_gets_them_at_the_next_start() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let response = post_with_photo(&app, pictures::png(2000, 1000), "old.png", "image/png").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let events = app.listed_events("us", "97229").await;
    let page = events[0]["url"].as_str().unwrap_or_default().to_owned();
    crate::helpers::execute_sql(
        &app.database_url,
        "UPDATE events SET photo_width = NULL, photo_height = NULL, thumbnail_width = NULL,
                           thumbnail_height = NULL",
    )
    .await;
    let before = photo_tag(&app.browse(&browser(), &page).await);
    assert!(
        !before.contains("width="),
        "the first server read them before: {before}"
    );

    let restarted = app.start_another_server().await;

    let html = app
        .get_from(&restarted, &page)
        .await
        .text()
        .await
        .unwrap_or_default();
    let tag = photo_tag(&html);
    assert_eq!(attribute(&tag, "width"), "1600", "{tag}");
    assert_eq!(attribute(&tag, "height"), "800", "{tag}");
    assert!(attribute(&tag, "srcset").ends_with(" 1600w"), "{tag}");
}

/// Instances of one site share the photo directory (a mounted volume): the same photo posted
/// to two of them at once is stored once, whole, and served by both. Files are named by their
/// content and written aside, then renamed into place, so two writers of one photo write the
/// same bytes and neither can leave half a file.
#[tokio::test]
async fn two_instances_posting_the_same_photo_at_once_store_it_once_and_whole() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let instances = [app.address.clone(), app.start_another_server().await];
    let photo = pictures::png(1200, 900);

    let posts = (0..8).map(|i| {
        let photo = photo.clone();
        let instance = instances[i % 2].clone();
        let app = &app;
        async move {
            let browser = browser();
            let tokens = app.form_tokens(&browser, PLACE).await;
            let form = event_form(&tokens, &[("title", &format!("Market {i}"))])
                .part("photo", photo_part(photo, "same.png", "image/png"));
            browser
                .post(format!("{instance}{POST}"))
                .multipart(form)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .status()
        }
    });
    let statuses = futures::future::join_all(posts).await;

    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(app.count_rows("events").await, 8);
    let mut files = app.photo_files();
    files.sort();
    assert_eq!(
        files.len(),
        2,
        "one photo, its two sizes, nothing aside: {files:?}"
    );
    let events = app.listed_events("us", "97229").await;
    let url = events[0]["photo_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        events.iter().all(|e| e["photo_url"] == url.as_str()),
        "{events:?}"
    );
    let mut served = Vec::new();
    for instance in &instances {
        let response = app.get_from(instance, &url).await;
        assert_eq!(response.status(), StatusCode::OK);
        served.push(response.bytes().await.unwrap_or_default());
    }
    assert_eq!(served[0], served[1]);
    assert!(
        served[0].starts_with(&[0xFF, 0xD8]) && served[0].ends_with(&[0xFF, 0xD9]),
        "a whole JPEG"
    );
}

/// A post on one instance saves a photo's files before its event is stored; a delete on another
/// that saw no event show them then removed the files, and the posted event pointed at nothing.
/// Each instance now holds the photo against the others, through the store both share: the
/// second instance waits until the first lets go. Through two stores on one database, as two
/// instances have, since the window between saving and storing cannot be hit over HTTP.
#[tokio::test]
async fn a_photo_locked_by_one_instance_waits_for_it_on_another() {
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let sqlite_url = format!("sqlite://{}?mode=rwc", dir.path().join("a.db").display());
    let url = match crate::helpers::postgres_server() {
        Some(server) => crate::helpers::fresh_postgres_database(&server).await,
        None => sqlite_url.clone(),
    };
    let open = async || {
        cityscape::db::open(&url, 0, false, &sqlite_url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"))
            .store
    };
    let (first, second) = (open().await, open().await);
    let photo = "5c1b0d0e8a3f2b7c9d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

    let held = first
        .lock_photo(photo)
        .await
        .unwrap_or_else(|e| panic!("first lock: {e}"));
    let mut waiting = Box::pin(second.lock_photo(photo));
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut waiting)
            .await
            .is_err(),
        "the second instance took the photo while the first held it"
    );
    drop(held);
    let taken = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .unwrap_or_else(|_| panic!("the photo was not let go"));
    assert!(taken.is_ok(), "second lock: {:?}", taken.err());
}
