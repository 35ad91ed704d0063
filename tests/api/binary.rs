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
        .arg(format!(
            "sqlite://{}?mode=rwc",
            dir.join("cityscape.db").display()
        ))
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
    let address = loop {
        let line = log
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("no 'listening' line: {e}"));
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
