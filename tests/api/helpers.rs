//! Test harness: a real Kho server on a random port, over a fresh SQLite file or a fresh
//! PostgreSQL database, driven over HTTP.

use std::sync::Arc;
use std::sync::mpsc;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use kho::actions::{self, Services};
use kho::auth::Caller;
use kho::config::Config;
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{Value, json};

/// The storage engines a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Returns the engines to test: SQLite always; PostgreSQL when `KHO_TEST_PG_URL` names a
/// server (CI must provide one: `scripts/test.sh` starts a throwaway cluster).
pub fn engines() -> Vec<Engine> {
    match std::env::var("KHO_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => vec![Engine::Sqlite, Engine::Postgres],
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must run the PostgreSQL tests: set KHO_TEST_PG_URL (scripts/test.sh does)"
            );
            eprintln!("KHO_TEST_PG_URL is not set: PostgreSQL tests skipped");
            vec![Engine::Sqlite]
        }
    }
}

/// A PostgreSQL database created for one test and dropped afterwards.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    fn create() -> (PgDatabase, String) {
        let admin_url = std::env::var("KHO_TEST_PG_URL").expect("KHO_TEST_PG_URL");
        let name = format!("kho_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(&admin_url).expect("connect to the test PostgreSQL");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let (base, _) = admin_url.rsplit_once('/').expect("database URL with a path");
        let url = format!("{base}/{name}");
        (PgDatabase { admin_url, name }, url)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// A running Kho with its own store and data directory.
pub struct TestApp {
    pub base: String,
    pub services: Arc<Services>,
    pub sysadmin_token: String,
    client: Client,
    handle: actix_web::dev::ServerHandle,
    _data_dir: tempfile::TempDir,
    _database: Option<PgDatabase>,
}

/// Starts Kho on `engine` with the default configuration.
pub fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, |_| {})
}

/// Starts Kho on `engine`, letting the test adjust the configuration first.
pub fn spawn_app_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (database, database_url) = match engine {
        Engine::Sqlite => (None, None),
        Engine::Postgres => {
            let (db, url) = PgDatabase::create();
            (Some(db), Some(url))
        }
    };
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        database_url,
        pool_size: 4,
        ..Config::default()
    };
    adjust(&mut config);
    let mut app = start(config, data_dir, database);
    let sysadmin = actions::call_by_name(
        &app.services,
        Caller::system(),
        "user_create",
        json!({"name": "accadmin", "email": "accadmin@example.org", "password": "MatKhau-2024!", "sysadmin": true}),
    )
    .expect("create sysadmin");
    let token = actions::call_by_name(
        &app.services,
        Caller::system(),
        "api_token_create",
        json!({"user": sysadmin["id"], "name": "test"}),
    )
    .expect("sysadmin token");
    app.sysadmin_token = token["token"].as_str().expect("token").to_string();
    app
}

/// Starts a server on `config` (its data directory and, on PostgreSQL, its database owned by
/// the returned app).
fn start(config: Config, data_dir: tempfile::TempDir, database: Option<PgDatabase>) -> TestApp {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let application = kho::app::build(config).expect("build app");
            sender
                .send((application.address, application.services.clone(), application.server.handle()))
                .expect("send address");
            application.server.await
        })
    });
    let (address, services, handle) = receiver.recv().expect("server started");
    TestApp {
        base: format!("http://{address}"),
        services,
        sysadmin_token: String::new(),
        client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
        handle,
        _data_dir: data_dir,
        _database: database,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(false));
    }
}

/// A decoded response: status and JSON body (a JSON string for non-JSON bodies).
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    /// Returns the body as text (a JSON body written back out).
    pub fn text(&self) -> String {
        match &self.body {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }

    /// Returns `result` of a successful envelope, panicking with the body otherwise.
    pub fn result(&self) -> &Value {
        assert_eq!(self.status, 200, "expected success, got {}", self.body);
        assert_eq!(self.body["success"], json!(true), "{}", self.body);
        &self.body["result"]
    }

    /// Returns the `error` object, checking status and `__type`.
    pub fn error(&self, status: u16, type_name: &str) -> &Value {
        assert_eq!(self.status, status, "unexpected status, body {}", self.body);
        assert_eq!(self.body["success"], json!(false), "{}", self.body);
        assert_eq!(self.body["error"]["__type"], json!(type_name), "{}", self.body);
        &self.body["error"]
    }

    /// Returns a header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

fn send(request: RequestBuilder) -> Reply {
    let response = request.send().expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply { status, body, headers }
}

impl TestApp {
    /// Starts a second Kho node on this app's PostgreSQL database, with its own data directory
    /// (its own search index); it shares the store, hence the accounts and tokens. Drop it
    /// before this app (which drops the database).
    pub fn spawn_node(&self) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let config = Config {
            data_dir: data_dir.path().to_path_buf(),
            bind: "127.0.0.1:0".into(),
            site_url: None,
            ..self.services.config.clone()
        };
        assert!(config.database_url.as_deref().is_some_and(|u| u.starts_with("postgres")), "nodes share PostgreSQL");
        let mut node = start(config, data_dir, None);
        node.sysadmin_token = self.sysadmin_token.clone();
        node
    }

    /// Returns the URL of this app's PostgreSQL database.
    pub fn database_url(&self) -> String {
        self.services.config.database_url.clone().expect("a PostgreSQL app")
    }

    /// Returns the URL of an action.
    pub fn action_url(&self, name: &str) -> String {
        format!("{}/api/3/action/{name}", self.base)
    }

    /// POSTs JSON to an action, authenticated with `token` when given.
    pub fn post(&self, name: &str, token: Option<&str>, params: Value) -> Reply {
        let mut request = self.client.post(self.action_url(name)).json(&params);
        if let Some(token) = token {
            request = request.header("Authorization", token);
        }
        send(request)
    }

    /// GETs an action with query parameters.
    pub fn get(&self, name: &str, token: Option<&str>, query: &[(&str, &str)]) -> Reply {
        let mut request = self.client.get(self.action_url(name)).query(query);
        if let Some(token) = token {
            request = request.header("Authorization", token);
        }
        send(request)
    }

    /// Sends any request built from this app's client.
    pub fn send(&self, build: impl FnOnce(&Client) -> RequestBuilder) -> Reply {
        send(build(&self.client))
    }

    /// POSTs as the sysadmin.
    pub fn sysadmin(&self, name: &str, params: Value) -> Reply {
        self.post(name, Some(&self.sysadmin_token.clone()), params)
    }

    /// Creates a user through the API and returns `(id, token)`.
    pub fn user(&self, name: &str) -> (String, String) {
        let created = self.sysadmin(
            "user_create",
            json!({"name": name, "email": format!("{name}@example.vn"), "password": "MatKhau-2024!", "with_apitoken": true}),
        );
        let result = created.result();
        (result["id"].as_str().expect("id").to_string(), result["token"].as_str().expect("token").to_string())
    }

    /// Creates an organisation as the sysadmin with `admin` as its admin; returns its id.
    pub fn organization(&self, name: &str, title: &str) -> String {
        let created = self.sysadmin("organization_create", json!({"name": name, "title": title}));
        created.result()["id"].as_str().expect("id").to_string()
    }

    /// Gives `user` a role in an organisation or group, as the sysadmin.
    pub fn add_member(&self, action: &str, group: &str, user: &str, role: &str) {
        self.sysadmin(action, json!({"id": group, "username": user, "role": role})).result();
    }
}

/// Returns the callers of the authorisation matrix for one organisation `org`: anonymous,
/// a plain user, a member, an editor, an admin and the sysadmin (names and tokens).
pub struct Callers {
    pub user: String,
    pub member: String,
    pub editor: String,
    pub admin: String,
    pub sysadmin: String,
}

/// Creates `org` with one user in each role.
pub fn callers(app: &TestApp, org: &str) -> Callers {
    app.organization(org, "Sở Tài chính");
    let (_, user) = app.user("nguoi-dung");
    let (_, member) = app.user("thanh-vien");
    let (_, editor) = app.user("bien-tap");
    let (_, admin) = app.user("quan-tri");
    app.add_member("organization_member_create", org, "thanh-vien", "member");
    app.add_member("organization_member_create", org, "bien-tap", "editor");
    app.add_member("organization_member_create", org, "quan-tri", "admin");
    Callers { user, member, editor, admin, sysadmin: app.sysadmin_token.clone() }
}
