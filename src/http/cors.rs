//! CORS the CKAN way: headers only when the request has an `Origin` that the configuration
//! allows (`cors_origin_allow_all`, or listed in `cors_origin_whitelist`). Off by default.

use actix_web::http::header::{HeaderName, HeaderValue};

/// The configured CORS policy.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    pub allow_all: bool,
    pub whitelist: Vec<String>,
}

impl Cors {
    /// Returns the CORS headers to add for a request from `origin`.
    pub fn headers_for(&self, origin: Option<&str>) -> Vec<(HeaderName, HeaderValue)> {
        let Some(origin) = origin else {
            return Vec::new();
        };
        let allow_origin = if self.allow_all {
            "*".to_string()
        } else if self.whitelist.iter().any(|o| o == origin) {
            origin.to_string()
        } else {
            return Vec::new();
        };
        let pairs = [
            ("access-control-allow-origin", allow_origin.as_str()),
            ("access-control-allow-methods", "POST, PUT, GET, DELETE, OPTIONS"),
            ("access-control-allow-headers", "Authorization, X-CKAN-API-Key, Content-Type"),
        ];
        pairs
            .iter()
            .filter_map(|(name, value)| Some((HeaderName::from_static(name), HeaderValue::from_str(value).ok()?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_headers_without_an_allowed_origin() {
        let off = Cors::default();
        assert!(off.headers_for(Some("https://a.vn")).is_empty());
        let listed = Cors { allow_all: false, whitelist: vec!["https://a.vn".into()] };
        assert!(listed.headers_for(None).is_empty());
        assert!(listed.headers_for(Some("https://b.vn")).is_empty());
        assert_eq!(listed.headers_for(Some("https://a.vn"))[0].1, "https://a.vn");
        let all = Cors { allow_all: true, whitelist: vec![] };
        assert_eq!(all.headers_for(Some("https://b.vn"))[0].1, "*");
    }
}
