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
