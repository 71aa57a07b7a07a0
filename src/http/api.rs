//! The CKAN Action API transport (spec §1): `/api/3/action/{name}` and `/api/action/{name}`,
//! request decoding, the `{help, success, result}` envelope, JSONP and the bare-string 400s.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use serde_json::{Map, Value, json};

use super::Credentials;
use crate::actions::{self, Answer, Params, Services};
use crate::auth::Caller;
use crate::error::ActionError;

/// Returns the `/api` scope.
pub fn scope() -> Scope {
    web::scope("/api")
        .route("", web::get().to(api_version))
        .route("/", web::get().to(api_version))
        .route("/{version:[0-9]+}", web::get().to(api_version))
        .route("/{version:[0-9]+}/", web::get().to(api_version))
        .route("/action/{name}", web::route().to(action))
        .route("/3/action/{name}", web::route().to(action))
}

/// `GET /api`, `/api/N`: `{"version": N}` without an envelope.
async fn api_version(request: HttpRequest) -> HttpResponse {
    let version = request.match_info().get("version").unwrap_or("1");
    match version {
        "1" | "2" | "3" => HttpResponse::Ok()
            .content_type("application/json;charset=utf-8")
            .body(json!({"version": version.parse::<u8>().unwrap_or(1)}).to_string()),
        _ => super::html_error(StatusCode::NOT_FOUND),
    }
}

/// A 400 whose body is a bare JSON string, as CKAN answers unknown actions and bad requests.
fn bare_bad_request(message: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("application/json;charset=utf-8")
        .body(Value::String(format!("Bad request: {message}")).to_string())
}

/// Why the request data could not be decoded: CKAN's bare-string 400, or a field error in
/// the envelope (text that is valid JSON but not valid Unicode).
enum DecodeError {
    Bare(String),
    Field(ActionError),
}

/// The stand-in for a lone UTF-16 surrogate escape while finding which parameter held one
/// (a noncharacter: no real text carries it).
const LONE_SURROGATE: char = '\u{FFFF}';

/// Replaces every `\uXXXX` escape of a lone UTF-16 surrogate (valid JSON, not valid Unicode:
/// Python's `json` accepts it, serde refuses it) with an escape of [`LONE_SURROGATE`].
fn mark_lone_surrogates(text: &[u8]) -> Vec<u8> {
    let escape_at = |at: usize| -> Option<u32> {
        let digits = text.get(at..at + 6).filter(|e| e.starts_with(b"\\u"))?.get(2..)?;
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        if byte != b'\\' {
            out.push(byte);
            at += 1;
            continue;
        }
        match escape_at(at) {
            Some(0xD800..=0xDBFF) if matches!(escape_at(at + 6), Some(0xDC00..=0xDFFF)) => {
                out.extend_from_slice(text.get(at..at + 12).unwrap_or_default());
                at += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\uFFFF");
                at += 6;
            }
            _ => {
                // Any other escape: copy the backslash and the escaped character.
                out.extend_from_slice(text.get(at..at + 2).or_else(|| text.get(at..)).unwrap_or_default());
                at += 2;
            }
        }
    }
    out
}

/// Inserts one form or query value with CKAN's one-string-or-list rule.
pub(super) fn insert_repeated(map: &mut Map<String, Value>, key: String, value: String) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, Value::String(value));
        }
        Some(Value::Array(items)) => items.push(Value::String(value)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(value)]);
        }
    }
}

fn pairs_to_map(pairs: url::form_urlencoded::Parse<'_>) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in pairs {
        insert_repeated(&mut map, key.into_owned(), value.into_owned());
    }
    map
}

fn parse_json_object(text: &[u8]) -> Result<Map<String, Value>, DecodeError> {
    let value: Value = match serde_json::from_slice(text) {
        Ok(value) => value,
        Err(error) if error.is_syntax() && text.windows(3).any(|w| w == b"\\ud" || w == b"\\uD") => {
            let marked = mark_lone_surrogates(text);
            let key = match serde_json::from_slice::<Value>(&marked) {
                Ok(Value::Object(map)) => crate::actions::key_holding(&map, LONE_SURROGATE),
                _ => None,
            };
            return Err(match key {
                Some(key) => DecodeError::Field(ActionError::field(
                    &key,
                    "Must be valid Unicode text (a lone UTF-16 surrogate escape is not)",
                )),
                None => DecodeError::Bare(format!("JSON Error: Error decoding JSON data. Error: {error}")),
            });
        }
        Err(error) => return Err(DecodeError::Bare(format!("JSON Error: Error decoding JSON data. Error: {error}"))),
    };
    match value {
        Value::Object(map) => Ok(map),
        other => Err(DecodeError::Bare(format!(
            "JSON Error: Request data JSON decoded to {} but it needs to be a dictionary.",
            other
        ))),
    }
}

/// Builds the action's data dict from the request, in CKAN's order of precedence (spec §1.3).
fn request_data(request: &HttpRequest, body: &[u8], side_effect_free: bool) -> Result<Params, DecodeError> {
    let raw_content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let content_type = raw_content_type.to_ascii_lowercase();
    if request.method() == Method::POST && content_type.starts_with("multipart/form-data") {
        let boundary = super::multipart::boundary(raw_content_type)
            .ok_or_else(|| DecodeError::Bare("multipart/form-data without a boundary".into()))?;
        let (fields, uploads) = super::multipart::parse(body, &boundary)
            .ok_or_else(|| DecodeError::Bare("malformed multipart/form-data body".into()))?;
        return Ok(Params(fields, uploads));
    }
    request_fields(request, body, side_effect_free, &content_type).map(|map| Params(map, Vec::new()))
}

fn request_fields(
    request: &HttpRequest,
    body: &[u8],
    side_effect_free: bool,
    content_type: &str,
) -> Result<Map<String, Value>, DecodeError> {
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let trimmed = body.trim_ascii_start();
    if request.method() == Method::POST && is_form && !body.is_empty() {
        // Kho: a form body that is one JSON object is taken whole, even with `&` or `=` inside.
        if trimmed.starts_with(b"{")
            && let Ok(map) = parse_json_object(body)
        {
            return Ok(map);
        }
        let fields = pairs_to_map(url::form_urlencoded::parse(body));
        if fields.len() == 1
            && let Some((key, value)) = fields.iter().next()
            && (value == "" || value == "1")
        {
            return parse_json_object(key.as_bytes());
        }
        return Ok(fields);
    }
    let query = request.query_string();
    if side_effect_free && !query.is_empty() {
        return Ok(pairs_to_map(url::form_urlencoded::parse(query.as_bytes())));
    }
    if request.method() == Method::POST && !trimmed.is_empty() {
        let declared_json = content_type.starts_with("application/json") || content_type.contains("+json");
        if declared_json || trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
            return parse_json_object(body);
        }
        return Err(DecodeError::Bare(
            "JSON Error: Error decoding JSON data. Send a JSON object with Content-Type: application/json".into(),
        ));
    }
    Ok(Map::new())
}

/// Escapes a JSONP callback name as CKAN does (HTML escaping).
fn escape_callback(name: &str) -> String {
    name.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;")
}

/// `GET|POST /api/3/action/{name}`.
async fn action(request: HttpRequest, body: web::Bytes, services: web::Data<Services>) -> HttpResponse {
    let name = request.match_info().get("name").unwrap_or("").to_string();
    if request.method() == Method::OPTIONS {
        return HttpResponse::Ok()
            .insert_header((header::ALLOW, "GET, HEAD, OPTIONS, POST"))
            .content_type("text/html; charset=utf-8")
            .finish();
    }
    if ![Method::GET, Method::POST, Method::HEAD].contains(request.method()) {
        return super::html_error(StatusCode::METHOD_NOT_ALLOWED);
    }
    let Some(action) = actions::find(&name) else {
        return bare_bad_request(&format!("Action name not known: {name}"));
    };
    let is_get = request.method() != Method::POST;
    if is_get && !action.side_effect_free {
        return bare_bad_request("JSON Error: Invalid request. Please use POST method for your request");
    }
    let mut params = match request_data(&request, &body, action.side_effect_free) {
        Ok(data) => data,
        Err(DecodeError::Bare(message)) => return bare_bad_request(&message),
        Err(DecodeError::Field(error)) => {
            let help = format!("{}/api/3/action/help_show?name={}", services.config.effective_site_url(), name);
            let body = json!({"help": help, "error": error.to_error_object(), "success": false});
            return HttpResponse::build(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::CONFLICT))
                .content_type("application/json;charset=utf-8")
                .body(body.to_string());
        }
    };
    // JSONP calls always run as anonymous (CKAN: a callback must never carry credentials).
    let callback = params.0.remove("callback").and_then(|v| v.as_str().map(str::to_string));
    let credentials = if callback.is_some() { Credentials::anonymous() } else { Credentials::of(&request) };
    let started = Instant::now();
    let services: Arc<Services> = services.into_inner();
    let help = format!("{}/api/3/action/help_show?name={}", services.config.effective_site_url(), name);
    let prefix = format!("{{\"help\":{},\"success\":true,\"result\":", Value::String(help.clone()));
    let blocking_services = services.clone();
    let outcome = web::block(move || {
        let caller = match credentials.resolve(&blocking_services) {
            Ok(caller) => caller,
            Err(error) => return (false, Err(ActionError::from(error)), Params::default()),
        };
        let authenticated = caller.user.is_some();
        let result = run_action(&blocking_services, caller, action, &params, &prefix);
        (authenticated, result, params)
    })
    .await;
    let (authenticated, result, params) = match outcome {
        Ok(triple) => triple,
        Err(error) => (false, Err(ActionError::Internal(anyhow::anyhow!("blocking pool: {error}"))), Params::default()),
    };
    let (status, body) = match result {
        Ok(Answer::Json(body)) => (StatusCode::OK, body),
        // CKAN 2.12 reports the dataset a direct package_update touched.
        Ok(Answer::Value(result)) if name == "package_update" => {
            let changed = json!({"packages": [result.get("id").cloned().unwrap_or(Value::Null)]});
            let body = json!({"help": help, "success": true, "result": result, "changed_entities": changed});
            (StatusCode::OK, body.to_string())
        }
        Ok(Answer::Value(result)) => {
            (StatusCode::OK, json!({"help": help, "success": true, "result": result}).to_string())
        }
        Err(error) => {
            if let ActionError::Internal(cause) = &error {
                tracing::error!(action = %name, error = %cause, "action failed");
            }
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut error_object = error.to_error_object();
            if matches!(error, ActionError::Integrity(_)) {
                // CKAN echoes the data dict (with the dataset type defaulted) on Integrity Errors.
                let mut data = params.0;
                if name.starts_with("package_") && !data.contains_key("type") {
                    data.insert("type".into(), json!("dataset"));
                }
                if let Some(object) = error_object.as_object_mut() {
                    object.insert("data".into(), Value::Object(data));
                }
            }
            (status, json!({"help": help, "error": error_object, "success": false}).to_string())
        }
    };
    crate::telemetry::access(&services.config.access_log, &name, status.as_u16(), started.elapsed());
    let mut response = HttpResponse::build(status);
    response.insert_header((header::VARY, "Authorization, X-CKAN-API-Key"));
    if authenticated {
        response.insert_header((header::CACHE_CONTROL, "private, no-store"));
    } else {
        response.insert_header((header::CACHE_CONTROL, "public, max-age=0, must-revalidate"));
    }
    match callback {
        Some(callback) if is_get && status == StatusCode::OK => response
            .content_type("application/javascript;charset=utf-8")
            .body(format!("{}({});", escape_callback(&callback), body)),
        _ => response.content_type("application/json;charset=utf-8").body(body),
    }
}

fn run_action(
    services: &Services,
    caller: Caller,
    action: &'static actions::Action,
    params: &Params,
    prefix: &str,
) -> Result<Answer, ActionError> {
    let span = tracing::info_span!("action", name = action.name, user = caller.name());
    let _entered = span.enter();
    actions::call_for_json(services, caller, action, params, (prefix, "}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_become_lists() {
        let map = pairs_to_map(url::form_urlencoded::parse(b"a=1&b=2&a=3"));
        assert_eq!(map["a"], json!(["1", "3"]));
        assert_eq!(map["b"], json!("2"));
    }

    #[test]
    fn callbacks_are_html_escaped() {
        assert_eq!(escape_callback("<b>&\"x"), "&lt;b&gt;&amp;&quot;x");
    }

    #[test]
    fn non_object_json_is_refused() {
        let Some(DecodeError::Bare(message)) = parse_json_object(b"[1]").err() else { panic!("bare error expected") };
        assert!(message.contains("it needs to be a dictionary"));
    }

    #[test]
    fn a_lone_surrogate_is_a_field_error_naming_its_parameter() {
        for body in [&br#"{"q": "\ud800"}"#[..], br#"{"q": ["a\udc00b"]}"#, br#"{"q": {"x": "\ud800\u0041"}}"#] {
            let Some(DecodeError::Field(error)) = parse_json_object(body).err() else { panic!("field error expected") };
            assert!(error.to_error_object()["q"].is_array(), "{}", error.to_error_object());
        }
        let pair = parse_json_object(br#"{"q": "\ud83d\ude00 \u00e0"}"#).ok().unwrap();
        assert_eq!(pair["q"], json!("\u{1F600} à"));
    }
}
