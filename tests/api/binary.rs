//! Running the real `cityscape` binary as a child process, for what only a process can show:
//! its command line, signals, and restarts on the same files.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc::Receiver,
    time::Duration,
};

pub const BINARY: &str = env!("CARGO_BIN_EXE_cityscape");

pub struct Server {
    pub child: Child,
    pub address: String,
    /// Its log, line by line, as it writes it.
    pub log: Receiver<String>,
    /// The lines it wrote before it listened (the child processes' it started included).
    pub start_log: Vec<String>,
}

/// The database of the servers started in `dir`: chosen at the first start and kept for the
/// restarts, in the file `dir/database-url`. A SQLite file in `dir`, or a fresh PostgreSQL
/// database when the run tests on PostgreSQL (see `helpers::postgres_server`).
pub fn database_url(dir: &Path) -> String {
    let remembered = dir.join("database-url");
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return url;
    }
    let url = match crate::helpers::postgres_server() {
        // Made on a thread of its own: this is called from inside the tests' runtimes.
        Some(server) => std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
                .block_on(crate::helpers::fresh_postgres_database(&server))
        })
        .join()
        .unwrap_or_else(|_| panic!("no PostgreSQL database made")),
        None => sqlite_url(dir),
    };
    std::fs::write(&remembered, &url).unwrap_or_else(|e| panic!("{e}"));
    url
}

/// Makes the servers started in `dir` keep a SQLite file there whichever backend the run
/// tests: for a test of what only SQLite does (creating its file).
pub fn keep_sqlite(dir: &Path) {
    std::fs::write(dir.join("database-url"), sqlite_url(dir)).unwrap_or_else(|e| panic!("{e}"));
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("cityscape.db").display())
}

/// Starts the binary in simulated mode on a free port, in `dir` and with its files there, and
/// waits for its "listening" line.
pub fn start(dir: &Path, extra_env: &[(&str, &str)]) -> Server {
    start_under(dir, extra_env, &[])
}

/// As `start`, run under another command (`prlimit --nofile=256`) that ends by running its
/// arguments.
pub fn start_under(dir: &Path, extra_env: &[(&str, &str)], wrapper: &[&str]) -> Server {
    let mut command = match wrapper.split_first() {
        Some((program, arguments)) => {
            let mut command = Command::new(program);
            command.args(arguments).arg(BINARY);
            command
        }
        None => Command::new(BINARY),
    };
    command
        .args([
            "--bind",
            "127.0.0.1:0",
            "--upstream",
            "simulated",
            "--post-limit",
            "0",
        ])
        .arg("--database-url")
        .arg(database_url(dir))
        .arg("--data-dir")
        .arg(dir.join("data"))
        // Started where there is no `static/`: the binary serves the files it carries.
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped());
    for (name, value) in extra_env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let (lines_tx, log) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut start_log = Vec::new();
    let address = loop {
        let line = log
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("no 'listening' line after {start_log:#?}: {e}"));
        start_log.push(line.clone());
        // As text (`address=http://…`) or as JSON (`"address":"http://…"`).
        if let Some(rest) = line.split("address=").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
        }
        if let Some(rest) = line.split(r#""address":""#).nth(1) {
            break rest.split('"').next().unwrap_or_default().to_owned();
        }
    };
    Server {
        child,
        address,
        log,
        start_log,
    }
}

/// Sends a signal with the shell's own `kill`, so the tests need no procps.
pub fn signal(child: &Child, signal: &str) {
    let sent = Command::new("sh")
        .args(["-c", &format!("kill -{signal} {}", child.id())])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(sent.success(), "kill -{signal}");
}
