//! The harvester's HTTP client: only `http`/`https`, never an address on a private or loopback
//! network (unless `[harvest] allow_private_addresses`), addresses checked again at every
//! redirect and pinned for the request (no second DNS answer), a per-source request rate,
//! timeouts, retries with backoff, a `User-Agent`, and a size limit on every answer.

use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::config::HarvestConfig;

/// An answer read whole (within the size limit).
pub struct Fetched {
    /// The URL that answered (after redirects).
    pub url: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;
/// Attempts per request (the first and three retries).
const ATTEMPTS: u32 = 4;

pub struct Fetcher {
    allow_private: bool,
    max_bytes: u64,
    min_interval: Duration,
    timeout: Duration,
    user_agent: String,
    headers: Vec<(String, String)>,
    last_request: Option<Instant>,
    clients: HashMap<(String, Vec<SocketAddr>), reqwest::blocking::Client>,
    /// First wait between attempts (doubled each time).
    pub backoff: Duration,
}

/// Whether an address is one a harvester must not reach by default.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments().first().copied().unwrap_or_default();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

impl Fetcher {
    pub fn new(config: &HarvestConfig, site_url: &str) -> Fetcher {
        let per_second = if config.requests_per_second > 0.0 { config.requests_per_second } else { 5.0 };
        Fetcher {
            allow_private: config.allow_private_addresses,
            max_bytes: config.max_response_bytes,
            min_interval: Duration::from_secs_f64(1.0 / per_second),
            timeout: Duration::from_secs(config.timeout_seconds.max(1)),
            user_agent: format!("Kho/{} (harvester; +{site_url})", env!("CARGO_PKG_VERSION")),
            headers: Vec::new(),
            last_request: None,
            clients: HashMap::new(),
            backoff: Duration::from_millis(500),
        }
    }

    /// Sends this header with every request (an API key).
    pub fn add_header(&mut self, name: &str, value: &str) {
        self.headers.push((name.to_string(), value.to_string()));
    }

    /// Replaces the `User-Agent` (clients already built keep theirs: call before any request).
    pub fn set_user_agent(&mut self, agent: &str) {
        self.user_agent = agent.to_string();
        self.clients.clear();
    }

    /// Checks a URL and resolves its host to the addresses the request may use.
    fn check(&self, url: &url::Url) -> Result<Vec<SocketAddr>, String> {
        if !["http", "https"].contains(&url.scheme()) {
            return Err(format!("Only http and https URLs can be harvested, not {url}"));
        }
        let host = url.host_str().ok_or_else(|| format!("The URL {url} has no host"))?;
        let port = url.port_or_known_default().unwrap_or(80);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<SocketAddr> =
            (bare, port).to_socket_addrs().map_err(|e| format!("Cannot resolve {host}: {e}"))?.collect();
        if addresses.is_empty() {
            return Err(format!("Cannot resolve {host}"));
        }
        if !self.allow_private && addresses.iter().any(|a| is_private(a.ip())) {
            return Err(format!(
                "{host} is on a private or loopback network: refused (set [harvest] allow_private_addresses to allow it)"
            ));
        }
        Ok(addresses)
    }

    fn client(&mut self, host: &str, addresses: Vec<SocketAddr>) -> Result<reqwest::blocking::Client, String> {
        let key = (host.to_string(), addresses);
        if let Some(client) = self.clients.get(&key) {
            return Ok(client.clone());
        }
        let mut builder = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent(self.user_agent.clone());
        if host.parse::<IpAddr>().is_err() {
            builder = builder.resolve_to_addrs(host, &key.1);
        }
        let client = builder.build().map_err(|e| format!("Cannot build an HTTP client: {e}"))?;
        self.clients.insert(key, client.clone());
        Ok(client)
    }

    fn wait_turn(&mut self) {
        if let Some(last) = self.last_request {
            let since = last.elapsed();
            if since < self.min_interval {
                std::thread::sleep(self.min_interval.saturating_sub(since));
            }
        }
        self.last_request = Some(Instant::now());
    }

    /// GETs a URL (following redirects, each checked), retrying server errors, rate limits and
    /// failed connections with backoff. A client error (4xx) is not retried.
    pub fn get(&mut self, url: &str) -> Result<Fetched, String> {
        let mut last_error = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(self.backoff * 2u32.pow(attempt - 1));
            }
            match self.get_once(url) {
                Ok(fetched) => return Ok(fetched),
                Err((message, retry)) => {
                    last_error = message;
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last_error)
    }

    fn get_once(&mut self, start: &str) -> Result<Fetched, (String, bool)> {
        let mut url = url::Url::parse(start).map_err(|e| (format!("Invalid URL {start}: {e}"), false))?;
        for _ in 0..=MAX_REDIRECTS {
            let addresses = self.check(&url).map_err(|m| (m, false))?;
            let client = self.client(url.host_str().unwrap_or_default(), addresses).map_err(|m| (m, false))?;
            self.wait_turn();
            let mut request = client.get(url.clone());
            for (name, value) in &self.headers {
                request = request.header(name, value);
            }
            let response = request.send().map_err(|e| (format!("Request to {url} failed: {e}"), true))?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| (format!("{url} redirected without a Location"), false))?;
                url = url.join(location).map_err(|e| (format!("Bad redirect from {url}: {e}"), false))?;
                continue;
            }
            if !status.is_success() {
                let retry = status.is_server_error() || status.as_u16() == 429;
                return Err((format!("{url} answered {status}"), retry));
            }
            if response.content_length().is_some_and(|n| n > self.max_bytes) {
                return Err((format!("{url} is larger than the limit of {} bytes", self.max_bytes), false));
            }
            let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
            let mut body = Vec::new();
            response
                .take(self.max_bytes + 1)
                .read_to_end(&mut body)
                .map_err(|e| (format!("Reading {url} failed: {e}"), true))?;
            if body.len() as u64 > self.max_bytes {
                return Err((format!("{url} is larger than the limit of {} bytes", self.max_bytes), false));
            }
            return Ok(Fetched { url: url.to_string(), content_type, body });
        }
        Err((format!("Too many redirects from {start}"), false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_recognised() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "203.162.4.1", "2001:4860:4860::8888"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn only_public_http_addresses_are_fetched_by_default() {
        let mut fetcher = Fetcher::new(&HarvestConfig::default(), "http://kho.test");
        let refused = fetcher.get("http://127.0.0.1:9/").err().unwrap();
        assert!(refused.contains("private or loopback"), "{refused}");
        assert!(fetcher.get("file:///etc/passwd").err().unwrap().contains("Only http and https"));
        assert!(fetcher.get("ftp://example.org/x").err().unwrap().contains("Only http and https"));
    }
}
