//! Slow and greedy clients, driven on raw sockets: a request head or body that trickles in, a
//! connection that says nothing, oversized headers, more connections than the server keeps.
//! None of them may hold a connection for long, nor keep others from being served.

use std::time::Duration;

use futures::future::join_all;
use reqwest::StatusCode;
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWriteExt},
    net::{TcpStream, tcp::OwnedWriteHalf},
    task::JoinHandle,
};
use wiremock::ResponseTemplate;

use crate::{
    fixtures,
    helpers::{TestApp, client, spawn_app, spawn_app_with},
};

/// Short deadlines, so a test waits a second rather than a minute.
const SHORT_TIMEOUTS: &[&str] = &[
    "--header-read-timeout-ms",
    "500",
    "--body-timeout-ms",
    "1000",
];

/// Generous next to the deadlines above: a connection still open after this has no deadline.
/// Only a regression waits this long; it then fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(5);

/// `127.0.0.1:PORT`
fn host(app: &TestApp) -> &str {
    app.address.trim_start_matches("http://")
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(host(app))
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

/// A whole request that leaves the connection open (HTTP/1.1 keeps it alive by default).
fn healthz_request(app: &TestApp) -> String {
    format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", host(app))
}

/// A form post announcing 1000 bytes of body and sending the first 10 of them.
fn slow_post_start(app: &TestApp) -> String {
    format!(
        "POST /saved HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n\
         country=us",
        host(app)
    )
}

/// Sends `start` at once, then one byte `then` every `every`, until the server stops taking
/// them or the test aborts the task.
fn trickle(mut writer: OwnedWriteHalf, start: String, then: u8, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        if writer.write_all(start.as_bytes()).await.is_err() {
            return;
        }
        loop {
            tokio::time::sleep(every).await;
            if writer.write_all(&[then]).await.is_err() {
                return;
            }
        }
    })
}

/// Reads what the server sends until `done` says it is enough or the server closes the
/// connection (end of stream, or a reset); fails the test when neither happens within
/// `PATIENCE`.
async fn read_until(
    reader: &mut (impl AsyncRead + Unpin),
    case: &str,
    done: impl Fn(&[u8]) -> bool,
) -> String {
    let read = async {
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while !done(answer.as_slice()) {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
        answer
    };
    match tokio::time::timeout(PATIENCE, read).await {
        Ok(answer) => String::from_utf8_lossy(&answer).into_owned(),
        Err(_) => panic!("{case}: the connection is still open after {PATIENCE:?}"),
    }
}

/// Everything the server sends before it closes the connection.
async fn read_until_closed(reader: &mut (impl AsyncRead + Unpin), case: &str) -> String {
    read_until(reader, case, |_| false).await
}

/// The first line of the answer, or "" when the server closed without one.
async fn status_line_or_close(reader: &mut (impl AsyncRead + Unpin), case: &str) -> String {
    read_until(reader, case, |answer| {
        answer.windows(2).any(|w| w == b"\r\n")
    })
    .await
}

/// One whole response, by its Content-Length or up to its last chunk.
fn response_is_complete(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let head = head.to_ascii_lowercase();
    match head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
    {
        Some(length) => length
            .trim()
            .parse::<usize>()
            .is_ok_and(|length| body.len() >= length),
        None => body.ends_with("0\r\n\r\n"),
    }
}

/// Whether the server closes `stream` within `window`.
async fn closed_within(stream: &mut TcpStream, window: Duration) -> bool {
    let closed = async {
        let mut buffer = [0u8; 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(window, closed).await.is_ok()
}

/// A slow client may be told 408 before it is closed; either way it gets nothing else.
fn closed_or_timed_out(answer: &str) -> bool {
    answer.is_empty() || answer.starts_with("HTTP/1.1 408")
}

#[tokio::test]
async fn a_connection_that_stops_before_its_request_head_ends_is_closed() {
    let app = spawn_app_with(SHORT_TIMEOUTS).await;
    let cases = [
        ("a silent connection", String::new()),
        ("half a request line", "GET /heal".to_owned()),
        (
            "a request line and one header",
            format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n", host(&app)),
        ),
    ];
    // All open at once: the test waits out one deadline, not three.
    let mut streams = Vec::new();
    for (case, sent) in cases {
        let mut stream = connect(&app).await;
        stream
            .write_all(sent.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        streams.push((case, stream));
    }

    for (case, mut stream) in streams {
        let answer = read_until_closed(&mut stream, case).await;

        assert!(closed_or_timed_out(&answer), "{case}: {answer}");
    }
}

#[tokio::test]
async fn a_request_head_sent_a_byte_at_a_time_is_closed_at_the_deadline_for_the_whole_head() {
    let app = spawn_app_with(SHORT_TIMEOUTS).await;
    let (mut reader, writer) = connect(&app).await.into_split();
    let start = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\nX-Slow: ", host(&app));

    // Each byte comes well inside the 500 ms deadline; the head never ends.
    let trickling = trickle(writer, start, b'a', Duration::from_millis(200));
    let answer = read_until_closed(&mut reader, "a header byte every 200 ms").await;
    trickling.abort();

    assert!(closed_or_timed_out(&answer), "{answer}");
}

#[tokio::test]
async fn a_kept_alive_connection_that_goes_quiet_is_closed() {
    let app = spawn_app_with(SHORT_TIMEOUTS).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(healthz_request(&app).as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let answer = read_until_closed(&mut stream, "a quiet kept-alive connection").await;

    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "the answer kept the connection alive, so idling is what closed it: {answer}"
    );
}

#[tokio::test]
async fn a_request_body_that_trickles_in_gets_408_or_is_closed() {
    let app = spawn_app_with(SHORT_TIMEOUTS).await;
    let (mut reader, writer) = connect(&app).await.into_split();

    // 10 bytes of the 1000 announced, then one every 300 ms: the body would take five minutes.
    let trickling = trickle(
        writer,
        slow_post_start(&app),
        b'x',
        Duration::from_millis(300),
    );
    let answer = status_line_or_close(&mut reader, "a body byte every 300 ms").await;
    trickling.abort();

    assert!(closed_or_timed_out(&answer), "{answer}");
}

#[tokio::test]
async fn slow_clients_do_not_keep_others_from_being_served() {
    // Deadlines long enough that every slow connection is still open while the others ask.
    let app = spawn_app_with(&[
        "--header-read-timeout-ms",
        "5000",
        "--body-timeout-ms",
        "5000",
    ])
    .await;
    let mut trickling = Vec::new();
    let mut open = Vec::new();
    for _ in 0..3 {
        let (reader, writer) = connect(&app).await.into_split();
        let start = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\nX-Slow: ", host(&app));
        trickling.push(trickle(writer, start, b'a', Duration::from_millis(200)));
        open.push(reader);

        let (reader, writer) = connect(&app).await.into_split();
        let start = slow_post_start(&app);
        trickling.push(trickle(writer, start, b'x', Duration::from_millis(300)));
        open.push(reader);
    }
    let silent: Vec<TcpStream> = join_all((0..3).map(|_| connect(&app))).await;

    for round in 1..=3 {
        // A new client each time: a new connection for the server to accept.
        let request = client().get(format!("{}/healthz", app.address)).send();
        let response = tokio::time::timeout(PATIENCE, request)
            .await
            .unwrap_or_else(|_| panic!("request {round}: no answer within {PATIENCE:?}"))
            .unwrap_or_else(|e| panic!("request {round}: {e}"));

        assert_eq!(response.status(), StatusCode::OK, "request {round}");
    }
    for task in trickling {
        task.abort();
    }
    drop((open, silent));
}

#[tokio::test]
async fn an_oversized_request_head_gets_431_and_a_large_one_within_the_cap_is_served() {
    let app = spawn_app().await;
    let cases = [
        ("a 100 KB header", 100 * 1024, "HTTP/1.1 431"),
        ("a 10 KB header", 10 * 1024, "HTTP/1.1 200"),
    ];
    for (case, size, expected) in cases {
        let request = format!(
            "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nX-Padding: {}\r\n\r\n",
            host(&app),
            "a".repeat(size)
        );
        let mut stream = connect(&app).await;

        // The server may answer and close before it has read the whole head.
        let _ = stream.write_all(request.as_bytes()).await;
        let answer = read_until_closed(&mut stream, case).await;

        assert!(
            answer.starts_with(expected),
            "{case}: expected {expected:?}, got {:?}",
            answer.lines().next().unwrap_or_default()
        );
    }
}

#[tokio::test]
async fn at_the_connection_cap_an_idle_connection_makes_room_for_a_new_one() {
    // Long deadlines: a connection closed here was closed for the cap, not for idling.
    let app = spawn_app_with(&[
        "--max-connections",
        "20",
        "--header-read-timeout-ms",
        "60000",
    ])
    .await;
    let mut idle = Vec::new();
    for n in 1..=20 {
        let mut stream = connect(&app).await;
        stream
            .write_all(healthz_request(&app).as_bytes())
            .await
            .unwrap_or_else(|e| panic!("connection {n}: {e}"));
        let answer = read_until(&mut stream, "a kept-alive connection", response_is_complete).await;
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "connection {n}: {answer}"
        );
        idle.push(stream);
    }

    let response = tokio::time::timeout(PATIENCE, app.get("/healthz"))
        .await
        .unwrap_or_else(|_| panic!("the 21st connection got no answer within {PATIENCE:?}"));

    assert_eq!(response.status(), StatusCode::OK);
    let closed = join_all(
        idle.iter_mut()
            .map(|stream| closed_within(stream, Duration::from_secs(2))),
    )
    .await;
    assert!(
        closed.contains(&true),
        "none of the 20 idle connections was closed to make room"
    );
}

#[tokio::test]
async fn at_the_connection_cap_with_every_connection_busy_a_new_one_gets_503_and_is_closed() {
    let app = spawn_app_with(&["--max-connections", "3", "--upstream-timeout-ms", "30000"]).await;
    let codes = ["97229", "10001", "60601"];
    for code in codes {
        let place = fixtures::zippopotam(code, "Town", "State", "ST", "45.5", "-122.8");
        app.mount_geocoder(
            &format!("/us/{code}"),
            ResponseTemplate::new(200)
                .set_body_json(place)
                .set_delay(Duration::from_secs(30)),
        )
        .await;
    }
    // Three requests, each held in its handler by a geocoder that takes its time.
    let busy: Vec<_> = codes
        .iter()
        .map(|code| {
            let url = format!("{}/api/places/us/{code}", app.address);
            tokio::spawn(app.client.get(url).send())
        })
        .collect();
    let all_waiting = async {
        while app.calls_to("/us/").await < codes.len() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(PATIENCE, all_waiting)
        .await
        .unwrap_or_else(|_| panic!("the three requests never reached the geocoder"));

    let mut stream = connect(&app).await;
    // The server may refuse before reading a request; if it waits for one, it gets one.
    let refused_at_once = tokio::time::timeout(Duration::from_secs(1), stream.peek(&mut [0u8; 1]))
        .await
        .is_ok();
    if !refused_at_once {
        let _ = stream.write_all(healthz_request(&app).as_bytes()).await;
    }
    let answer = read_until_closed(&mut stream, "a connection over the cap").await;
    for task in busy {
        task.abort();
    }

    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
}

#[tokio::test]
async fn more_idle_connections_than_the_file_limit_allows_do_not_stop_the_health_check() {
    // Arrange: the binary with 256 file descriptors in all (its connection cap follows), and
    // 400 connections opened and left silent: more than it could ever hold open.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = crate::binary::start_under(dir.path(), &[], &["prlimit", "--nofile=256:256"]);
    let mut child = server.child;
    let host = server.address.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..400 {
        match TcpStream::connect(&host).await {
            Ok(stream) => idle.push(stream),
            Err(e) => panic!("connect: {e}"),
        }
    }

    // Act: a person's request arrives after them.
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        reqwest::get(format!("{}/healthz", server.address)),
    )
    .await;

    // Assert: it is served; the idle ones made room.
    let _ = child.kill();
    let _ = child.wait();
    let response = answer
        .unwrap_or_else(|_| panic!("the health check waited for a free file descriptor"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    drop(idle);
}

/// A form post answered before its body is read (here, refused as from another site) is told
/// `Connection: close`, and the body the client goes on sending is read and dropped, not reset:
/// the client gets the whole answer, then the connection's end. Without the header a client
/// kept the connection for its next request, which the server had closed.
#[tokio::test]
async fn an_answer_before_the_body_is_read_closes_the_connection_and_says_so() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&address)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = vec![b'a'; 1_000_000];
    let head = format!(
        "POST /saved HTTP/1.1\r\nHost: {address}\r\nOrigin: https://elsewhere.example\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (mut reader, mut writer) = stream.into_split();
    let sending = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        writer.write_all(&body).await
    });

    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut answer)).await;

    assert!(
        matches!(read, Ok(Ok(_))),
        "the answer and the connection's end, not a reset: {read:?}"
    );
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 403"), "{answer}");
    assert!(answer.contains("\r\nconnection: close\r\n"), "{answer}");
    let sent = sending.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(sent.is_ok(), "the whole body was taken: {sent:?}");
}
