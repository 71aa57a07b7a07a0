//! A real SMTP server on loopback for the notification tests: Python's aiosmtpd
//! (`smtp_catcher.py`), started by the test and stopped when dropped. Its interpreter is
//! `KHO_TEST_PYTHON` (set by `scripts/test.sh`), else the project's usual virtual environment.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The mail server and the messages it received.
pub struct Mailbox {
    child: Child,
    file: std::path::PathBuf,
    _dir: tempfile::TempDir,
    pub port: u16,
}

fn python() -> String {
    std::env::var("KHO_TEST_PYTHON").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/kho-venv/bin/python")
    })
}

impl Mailbox {
    pub fn start() -> Mailbox {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("mail.jsonl");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/smtp_catcher.py");
        let mut child = Command::new(python())
            .args([script, &port.to_string(), &file.to_string_lossy()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start aiosmtpd (pip install aiosmtpd; KHO_TEST_PYTHON names the interpreter)");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout).read_line(&mut line).expect("read");
        assert_eq!(line.trim(), "ready", "aiosmtpd did not start");
        Mailbox { child, file, _dir: dir, port }
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.file).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// Waits (up to 20 s) until a message to `recipient` whose body contains `needle` arrives.
    pub fn wait_for(&self, recipient: &str, needle: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.messages().into_iter().find(|m| {
                m["rcpt"].as_array().is_some_and(|r| r.iter().any(|a| a == recipient))
                    && m["body"].as_str().is_some_and(|b| b.contains(needle))
            });
            if let Some(message) = found {
                return message;
            }
            assert!(Instant::now() < deadline, "no mail to {recipient} with {needle:?}; got {:#?}", self.messages());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The messages to `recipient`.
    pub fn to(&self, recipient: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["rcpt"].as_array().is_some_and(|r| r.iter().any(|a| a == recipient)))
            .collect()
    }
}

impl Drop for Mailbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sets a Kho's configuration to send mail to this server.
pub fn send_to(config: &mut kho::config::Config, mailbox: &Mailbox) {
    config.smtp.host = Some("127.0.0.1".into());
    config.smtp.port = mailbox.port;
    config.smtp.security = "none".into();
    config.smtp.poll_seconds = 1;
    config.smtp.from = "Cổng dữ liệu mở <noreply@kho.test>".into();
}
