//! Log output: human-readable text or JSON lines, filtered by `RUST_LOG` (default `info`).

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; `format` is `text` or `json`. Logs go to stderr so that
/// commands like `kho token create` keep stdout for their answer.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = if format == "json" { builder.json().try_init() } else { builder.try_init() };
    if installed.is_err() {
        eprintln!("a tracing subscriber was already installed");
    }
}

/// Logs one API request as the `access_log` setting asks (`all`, `failed` or `off`); the
/// target `kho::access` lets `RUST_LOG` filter it too.
pub fn access(setting: &str, action: &str, status: u16, duration: std::time::Duration) {
    let duration_ms = duration.as_millis() as u64;
    match setting {
        "all" => tracing::info!(target: "kho::access", action, status, duration_ms, "request"),
        "off" => {}
        _ if status >= 500 || duration >= SLOW_REQUEST => {
            tracing::warn!(target: "kho::access", action, status, duration_ms, "request failed or slow")
        }
        _ => {}
    }
}

/// A request slower than this is logged by the default `access_log = "failed"`.
const SLOW_REQUEST: std::time::Duration = std::time::Duration::from_secs(1);
