//! A real full disk: the `cityscape` binary runs with its files on a small tmpfs, mounted in a
//! mount namespace of its own (`unshare --user --map-root-user --mount`, so no mount is left
//! behind and no real disk is filled). Needs root or unprivileged user namespaces, and
//! util-linux's `unshare`: a separate test binary behind the `full-disk-tests` feature,
//! run with `cargo test --features full-disk-tests --test full_disk` (`.ci/run` does).
//!
//! From outside, the namespace's files are reached through `/proc/{pid}/root`, which shows a
//! process's own view of the file system.

// The shared helpers serve the API tests too; this binary uses a few of them.
#![allow(dead_code)]

#[path = "../api/fixtures.rs"]
mod fixtures;
#[path = "../api/helpers.rs"]
mod helpers;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc::Receiver,
    time::Duration,
};

use image::{ExtendedColorType, ImageEncoder, RgbImage, codecs::png::PngEncoder};
use reqwest::StatusCode;
use serde_json::Value;

use helpers::{FormTokens, browser, event_form, form_tokens_at, photo_part, sorted_titles};

const BINARY: &str = env!("CARGO_BIN_EXE_cityscape");
const PLACE: &str = "/places/us/97229";

/// The server in its own mount namespace, with `mounted` on a tmpfs of `size`. A shell keeps
/// the namespace alive after the server is killed, so its files can still be read.
struct Namespaced {
    shell: Child,
    shell_pid: u32,
    server_pid: u32,
    address: String,
    mounted: PathBuf,
    _log: Receiver<String>,
}

/// Writes a gzipped cities file of one city, in the built-in file's form.
fn write_few_cities(path: &Path) {
    use std::io::Write;
    let line = "5746545\tPortland\tUS\tUnited States\tOR\tOregon\t45.52345\t-122.67621\t\
                652503\tAmerica/Los_Angeles\tPDX\n";
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let written = gzip.write_all(line.as_bytes()).and_then(|()| gzip.finish());
    let bytes = written.unwrap_or_else(|e| panic!("gzip: {e}"));
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cities file: {e}"));
}

impl Namespaced {
    /// `database_on_tmpfs`: whether the database lives on the small file system too, or only
    /// the data directory (photos) does.
    fn start(dir: &Path, size: &str, filler_kb: u32, database_on_tmpfs: bool) -> Self {
        let mounted = dir.join("small");
        std::fs::create_dir_all(&mounted).unwrap_or_else(|e| panic!("{e}"));
        let database = if database_on_tmpfs {
            mounted.join("cityscape.db")
        } else {
            dir.join("cityscape.db")
        };
        // A few cities: the whole file's import would not fit the small file system.
        let cities = dir.join("cities.tsv.gz");
        write_few_cities(&cities);
        // A filler file takes room that the test frees later, as an operator would.
        let script = format!(
            r#"set -e
mount -t tmpfs -o size={size} tmpfs "{mounted}"
mkdir -p "{mounted}/data"
head -c {filler_kb}K /dev/zero > "{mounted}/filler"
echo "shell=$$" >&2
"{BINARY}" --bind 127.0.0.1:0 --upstream simulated --post-limit 0 \
  --database-url "sqlite://{database}?mode=rwc" --data-dir "{mounted}/data" \
  --static-dir "{static_dir}" --cities-file "{cities}" &
echo "server=$!" >&2
wait $! || true
exec sleep 600"#,
            mounted = mounted.display(),
            database = database.display(),
            cities = cities.display(),
            static_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/static"),
        );
        let mut shell = Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("unshare: {e}"));
        let stderr = shell.stderr.take().unwrap_or_else(|| panic!("no stderr"));
        let (lines_tx, log) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if std::env::var_os("TEST_LOG").is_some() {
                    eprintln!("{line}");
                }
                let _ = lines_tx.send(line);
            }
        });
        let (mut shell_pid, mut server_pid, mut address) = (None, None, None);
        while address.is_none() {
            let line = log
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|e| panic!("the server did not start: {e}"));
            let number = |prefix: &str| line.strip_prefix(prefix).and_then(|n| n.parse().ok());
            shell_pid = shell_pid.or_else(|| number("shell="));
            server_pid = server_pid.or_else(|| number("server="));
            if let Some(rest) = line.split("address=").nth(1) {
                address = rest.split_whitespace().next().map(str::to_owned);
            }
        }
        Self {
            shell,
            shell_pid: shell_pid.unwrap_or_else(|| panic!("no shell pid")),
            server_pid: server_pid.unwrap_or_else(|| panic!("no server pid")),
            address: address.unwrap_or_default(),
            mounted,
            _log: log,
        }
    }

    /// A path on the small file system, as seen from outside the namespace.
    fn inside(&self, relative: &str) -> PathBuf {
        PathBuf::from(format!("/proc/{}/root", self.shell_pid))
            .join(self.mounted.strip_prefix("/").unwrap_or(&self.mounted))
            .join(relative)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    fn kill_server(&self) {
        let killed = Command::new("sh")
            .args(["-c", &format!("kill -KILL {}", self.server_pid)])
            .status()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(killed.success());
        std::thread::sleep(Duration::from_millis(300));
    }
}

impl Drop for Namespaced {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .args(["-c", &format!("kill -KILL {}", self.server_pid)])
            .status();
        let _ = self.shell.kill();
        let _ = self.shell.wait();
    }
}

async fn tokens(server: &Namespaced, browser: &reqwest::Client) -> FormTokens {
    form_tokens_at(browser, &server.url(PLACE)).await
}

async fn post(
    server: &Namespaced,
    browser: &reqwest::Client,
    form: reqwest::multipart::Form,
) -> (StatusCode, String) {
    let response = browser
        .post(server.url(&format!("{PLACE}/events")))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

async fn listed_titles(server: &Namespaced) -> Vec<String> {
    let body: Value = reqwest::get(server.url("/api/places/us/97229/events?limit=1000"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sorted_titles(&body)
}

async fn health(server: &Namespaced) -> (StatusCode, Value) {
    let response = reqwest::get(server.url("/readyz"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

fn submission_id(i: usize) -> String {
    format!("{i:032x}")
}

/// Titles stored in a copy of the database files, read with a connection of the test's own.
async fn titles_in_copy(files: &[PathBuf], into: &Path) -> Vec<String> {
    for file in files {
        if file.exists() {
            let name = file.file_name().unwrap_or_default();
            std::fs::copy(file, into.join(name)).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let url = format!("sqlite://{}", into.join("cityscape.db").display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut titles: Vec<String> = sqlx::query_scalar("SELECT title FROM events")
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;
    titles.sort();
    titles
}

#[tokio::test]
async fn a_full_disk_under_the_database_loses_no_post_it_acknowledged() {
    // Arrange: database and photos on a 1 MB file system.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = Namespaced::start(dir.path(), "1m", 256, true);
    let browser = browser();
    let tokens = tokens(&server, &browser).await;
    let description = "A long description. ".repeat(190);

    // Act: post until the disk is full, then keep posting.
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for i in 0..2000 {
        let title = format!("Market number {i}");
        let id = submission_id(i);
        let form = event_form(
            &tokens,
            &[
                ("title", title.as_str()),
                ("description", description.as_str()),
                ("submission_id", id.as_str()),
            ],
        );
        match post(&server, &browser, form).await {
            (StatusCode::SEE_OTHER, _) => acknowledged.push(title),
            (StatusCode::INSUFFICIENT_STORAGE, page) => {
                assert!(page.contains("nothing was saved"), "{page}");
                refused += 1;
                if refused == 40 {
                    break;
                }
            }
            (other, page) => panic!("post {i}: {other}: {page}"),
        }
    }
    acknowledged.sort();

    // Assert: refused clearly, every acknowledged post readable on every pooled connection,
    // and readiness says why it is not ready.
    assert_eq!(refused, 40, "the disk never filled up");
    assert!(acknowledged.len() > 10, "{} posts fit", acknowledged.len());
    for _ in 0..8 {
        assert_eq!(listed_titles(&server).await, acknowledged);
    }
    let (status, report) = health(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{report}");
    assert_eq!(report["status"], "out of storage");

    // Space is freed: the server recovers by itself.
    std::fs::remove_file(server.inside("filler")).unwrap_or_else(|e| panic!("{e}"));
    let (status, report) = health(&server).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let form = event_form(
        &tokens,
        &[
            ("title", "After the clean-up"),
            ("submission_id", submission_id(9999).as_str()),
        ],
    );
    assert_eq!(post(&server, &browser, form).await.0, StatusCode::SEE_OTHER);
    acknowledged.push("After the clean-up".to_owned());
    acknowledged.sort();

    // A killed process keeps every acknowledged post.
    server.kill_server();
    let files: Vec<PathBuf> = ["cityscape.db", "cityscape.db-wal", "cityscape.db-shm"]
        .iter()
        .map(|name| server.inside(name))
        .collect();
    let copy = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(titles_in_copy(&files, copy.path()).await, acknowledged);
}

/// A picture of noise, which compresses badly: each one fills the disk a good step.
fn noise_png(seed: u64, side: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let picture = RgbImage::from_fn(side, side, |_, _| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let [r, g, b, ..] = (state >> 32).to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut out = Vec::new();
    let written = PngEncoder::new(&mut out).write_image(
        picture.as_raw(),
        side,
        side,
        ExtendedColorType::Rgb8,
    );
    assert!(written.is_ok());
    out
}

#[tokio::test]
async fn a_full_disk_under_the_photos_never_stores_or_serves_a_short_photo() {
    // Arrange: photos on a 3 MB file system; the database elsewhere.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = Namespaced::start(dir.path(), "3m", 1024, false);
    let browser = browser();
    let tokens = tokens(&server, &browser).await;

    // Act: post photos of noise until the disk is full.
    let mut acknowledged = 0;
    let mut refused_photo = None;
    for i in 0..60 {
        let photo = noise_png(i, 300);
        let id = submission_id(i as usize);
        let title = format!("Photo walk {i}");
        let form = event_form(
            &tokens,
            &[("title", title.as_str()), ("submission_id", id.as_str())],
        )
        .part("photo", photo_part(photo.clone(), "walk.png", "image/png"));
        match post(&server, &browser, form).await {
            (StatusCode::SEE_OTHER, _) => acknowledged += 1,
            (StatusCode::INSUFFICIENT_STORAGE, page) => {
                assert!(page.contains("nothing was saved"), "{page}");
                refused_photo = Some((i, photo));
                break;
            }
            (other, page) => panic!("post {i}: {other}: {page}"),
        }
    }

    // Assert: the refused post stored nothing, every stored photo is whole on disk and served
    // whole, and no file of any size was left behind by the failed writes.
    let (refused_seed, refused_bytes) = refused_photo.unwrap_or_else(|| panic!("never full"));
    assert!(acknowledged > 2, "{acknowledged} photos fit");
    let events: Value = reqwest::get(server.url("/api/places/us/97229/events?limit=1000"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let events = events["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), acknowledged);
    for event in &events {
        for key in ["photo_url", "thumbnail_url"] {
            let url = event[key].as_str().unwrap_or_else(|| panic!("no {key}"));
            let response = reqwest::get(server.url(url))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(response.status(), StatusCode::OK, "{url}");
            let bytes = response.bytes().await.unwrap_or_default();
            assert!(
                image::load_from_memory(&bytes).is_ok(),
                "{url} is not whole"
            );
            let name = url.rsplit('/').next().unwrap_or_default();
            let on_disk = std::fs::metadata(server.inside(&format!("data/photos/{name}")))
                .map(|m| m.len())
                .unwrap_or(0);
            assert_eq!(on_disk, bytes.len() as u64, "{url}");
        }
    }
    let files: Vec<String> = std::fs::read_dir(server.inside("data/photos"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 2 * acknowledged, "{files:?}");
    let (status, report) = health(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{report}");
    assert_eq!(report["photos_full"], true);

    // Space is freed: the same photo now posts, and is served whole.
    std::fs::remove_file(server.inside("filler")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(health(&server).await.0, StatusCode::OK);
    let form = event_form(
        &tokens,
        &[
            ("title", "Photo walk, again"),
            (
                "submission_id",
                submission_id(1000 + refused_seed as usize).as_str(),
            ),
        ],
    )
    .part("photo", photo_part(refused_bytes, "walk.png", "image/png"));
    assert_eq!(post(&server, &browser, form).await.0, StatusCode::SEE_OTHER);
    let titles = listed_titles(&server).await;
    assert!(
        titles.contains(&"Photo walk, again".to_owned()),
        "{titles:?}"
    );
}
