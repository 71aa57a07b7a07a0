//! Configuration: defaults < `kho.toml` < environment (`KHO_*`, `DATABASE_URL`) < flags.
//! Every layer parses into a [`ConfigLayer`] of `Option`s, merged over [`Config::default`].

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Who may do what, mirroring CKAN's `ckan.auth.*` flags (Kho's defaults are stricter where the
/// provincial rules ask for it: only sysadmins create organisations).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthConfig {
    pub create_user_via_api: bool,
    pub user_create_organizations: bool,
    pub user_create_groups: bool,
    pub user_delete_organizations: bool,
    pub user_delete_groups: bool,
    pub public_user_details: bool,
    /// Let organisation admins grant users access to single datasets (collaborators).
    pub allow_dataset_collaborators: bool,
    /// Collaborators may also be given the `admin` capacity.
    pub allow_admin_collaborators: bool,
    /// Whether the portal offers password sign-in (off when the province's single sign-on is
    /// the only way in; API tokens keep working).
    pub password_sign_in: bool,
}

/// One OpenID Connect provider (`[[oidc]]` in `kho.toml`): the province's single sign-on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProvider {
    /// The provider's name in Kho's addresses (`/user/oidc/{name}/login`).
    pub name: String,
    /// The sign-in button's text.
    pub title: String,
    /// The issuer URL (its `/.well-known/openid-configuration` is read).
    pub issuer: String,
    pub client_id: String,
    /// The client secret; `KHO_OIDC_<NAME>_CLIENT_SECRET` overrides it (name upper-cased, `-`
    /// as `_`).
    #[serde(default)]
    pub client_secret: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim that gives the Kho user name.
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    #[serde(default = "default_email_claim")]
    pub email_claim: String,
    #[serde(default = "default_fullname_claim")]
    pub fullname_claim: String,
    /// A claim (a dotted path such as `realm_access.roles`) holding values mapped to
    /// organisation roles by `roles`.
    #[serde(default)]
    pub roles_claim: Option<String>,
    /// At a first sign-in, link to the existing account with the same *verified* e-mail
    /// address. Off by default: users may change their own address, so turn it on only when
    /// the accounts' addresses were set by the operator.
    #[serde(default)]
    pub link_by_email: bool,
    #[serde(default)]
    pub roles: Vec<OidcRole>,
}

/// A value of the roles claim and the organisation role it gives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcRole {
    pub value: String,
    pub organization: String,
    /// `admin`, `editor` or `member`.
    pub role: String,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "email".into(), "profile".into()]
}

fn default_username_claim() -> String {
    "preferred_username".into()
}

fn default_email_claim() -> String {
    "email".into()
}

fn default_fullname_claim() -> String {
    "name".into()
}

/// Harvesting (`[harvest]` in `kho.toml`, `KHO_HARVEST_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct HarvestConfig {
    /// Whether `kho serve` runs the scheduler (due jobs start and finish by themselves).
    pub scheduler: bool,
    /// Seconds between the scheduler's looks for due and stalled jobs.
    pub poll_seconds: u64,
    /// Jobs one node runs at once (one slow source never blocks the others).
    pub workers: usize,
    /// A running job that makes no progress for this long ends with an error.
    pub idle_timeout_seconds: u64,
    /// Sources on loopback or private networks are refused unless this is set.
    pub allow_private_addresses: bool,
    /// The largest response read from a source, in bytes.
    pub max_response_bytes: u64,
    /// Requests per second to one source.
    pub requests_per_second: f64,
    /// Seconds before a request to a source gives up.
    pub timeout_seconds: u64,
}

impl Default for HarvestConfig {
    fn default() -> Self {
        HarvestConfig {
            scheduler: true,
            poll_seconds: 10,
            workers: 2,
            idle_timeout_seconds: 600,
            allow_private_addresses: false,
            max_response_bytes: 50 * 1024 * 1024,
            requests_per_second: 5.0,
            timeout_seconds: 30,
        }
    }
}

/// Outgoing mail (`[smtp]` in `kho.toml`, `KHO_SMTP_*`): the workflows' notifications. Without
/// a host no mail is written or sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpConfig {
    pub host: Option<String>,
    pub port: u16,
    /// `starttls` (the default), `tls` (implicit, usually port 465) or `none` (a relay on the
    /// same machine or network).
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, such as `Cổng dữ liệu mở <noreply@example.gov.vn>`.
    pub from: String,
    /// Seconds between the sender's looks at the outbox.
    pub poll_seconds: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: 587,
            security: "starttls".into(),
            username: None,
            password: None,
            from: "Kho <noreply@localhost>".into(),
            poll_seconds: 5,
        }
    }
}

/// The `[smtp]` table of `kho.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpLayer {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: Option<String>,
    pub poll_seconds: Option<u64>,
}

/// The provincial workflows' settings (`[workflows]` in `kho.toml`, `KHO_WORKFLOWS_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowsConfig {
    /// Working days the operator has to issue a connection account once the owner approved an
    /// access request (2 under Decree 194/2025; some provincial rules say 5).
    pub connection_deadline_days: u32,
    /// Days a connection account (a scoped token) lasts unless the operator gives its expiry.
    pub connection_valid_days: u32,
    /// Take datasets past their online retention out of search and lists (never deleting them).
    pub unlist_expired: bool,
    /// Working days before the quarterly update deadline when departments' editors are reminded.
    pub reminder_working_days: u32,
}

impl Default for WorkflowsConfig {
    fn default() -> Self {
        WorkflowsConfig {
            connection_deadline_days: 2,
            connection_valid_days: 365,
            unlist_expired: false,
            reminder_working_days: 5,
        }
    }
}

/// The `[workflows]` table of `kho.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowsLayer {
    pub connection_deadline_days: Option<u32>,
    pub connection_valid_days: Option<u32>,
    pub unlist_expired: Option<bool>,
    pub reminder_working_days: Option<u32>,
}

/// The `[harvest]` table of `kho.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HarvestLayer {
    pub scheduler: Option<bool>,
    pub poll_seconds: Option<u64>,
    pub workers: Option<usize>,
    pub idle_timeout_seconds: Option<u64>,
    pub allow_private_addresses: Option<bool>,
    pub max_response_bytes: Option<u64>,
    pub requests_per_second: Option<f64>,
    pub timeout_seconds: Option<u64>,
}

/// The effective configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Address `kho serve` listens on.
    pub bind: String,
    /// Folder for the SQLite file, uploads and the search index.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; unset means SQLite at `<data_dir>/kho.sqlite3`.
    pub database_url: Option<String>,
    /// Public URL of the site, used in `help` links; unset means `http://<bind>`.
    pub site_url: Option<String>,
    pub site_title: String,
    pub site_description: String,
    pub locale_default: String,
    /// Database connections in the pool.
    pub pool_size: u32,
    /// Answer every `Origin` with `Access-Control-Allow-Origin: *`.
    pub cors_origin_allow_all: bool,
    /// Origins echoed back in `Access-Control-Allow-Origin`.
    pub cors_origin_whitelist: Vec<String>,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Which API requests are logged: `all`, `failed` (server errors and requests slower than
    /// a second: the default) or `off`.
    pub access_log: String,
    /// SQLite's `synchronous`: `full` (the default: an acknowledged write survives a power
    /// cut) or `normal` (faster; a power cut may lose the last acknowledged writes).
    pub sqlite_synchronous: String,
    /// A JSON licence register replacing the built-in one (CKAN's `licenses_group_url`).
    pub licenses_file: Option<PathBuf>,
    /// The licence id given to a dataset created without `license_id` (unset: none, as CKAN).
    pub default_license: Option<String>,
    /// Datasets per page of the DCAT catalogue (`/catalog.ttl?page=N`; ckanext-dcat's
    /// `ckanext.dcat.datasets_per_page`).
    pub dcat_datasets_per_page: usize,
    pub auth: AuthConfig,
    /// Reverse proxies (IP addresses) whose `X-Forwarded-For` is believed: the client address
    /// used to throttle sign-in is the right-most address not in this list.
    pub trusted_proxies: Vec<String>,
    /// OpenID Connect providers offered on the sign-in page.
    pub oidc: Vec<OidcProvider>,
    pub harvest: HarvestConfig,
    /// A folder of the province's calendar files (`*.json`, one year each), added to or
    /// replacing the built-in years.
    pub calendar_dir: Option<PathBuf>,
    pub smtp: SmtpConfig,
    pub workflows: WorkflowsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:5000".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            site_url: None,
            site_title: "Kho dữ liệu mở".into(),
            site_description: String::new(),
            locale_default: "vi".into(),
            pool_size: 10,
            dcat_datasets_per_page: 100,
            cors_origin_allow_all: false,
            cors_origin_whitelist: Vec::new(),
            log_format: "text".into(),
            access_log: "failed".into(),
            sqlite_synchronous: "full".into(),
            licenses_file: None,
            default_license: None,
            auth: AuthConfig {
                create_user_via_api: false,
                user_create_organizations: false,
                user_create_groups: true,
                user_delete_organizations: true,
                user_delete_groups: true,
                public_user_details: true,
                allow_dataset_collaborators: false,
                allow_admin_collaborators: false,
                password_sign_in: true,
            },
            trusted_proxies: Vec::new(),
            oidc: Vec::new(),
            harvest: HarvestConfig::default(),
            calendar_dir: None,
            smtp: SmtpConfig::default(),
            workflows: WorkflowsConfig::default(),
        }
    }
}

/// The `[auth]` table of `kho.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthLayer {
    pub create_user_via_api: Option<bool>,
    pub user_create_organizations: Option<bool>,
    pub user_create_groups: Option<bool>,
    pub user_delete_organizations: Option<bool>,
    pub user_delete_groups: Option<bool>,
    pub public_user_details: Option<bool>,
    pub allow_dataset_collaborators: Option<bool>,
    pub allow_admin_collaborators: Option<bool>,
    pub password_sign_in: Option<bool>,
}

/// One layer of settings: a config file, the environment or the command line.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub site_url: Option<String>,
    pub site_title: Option<String>,
    pub site_description: Option<String>,
    pub locale_default: Option<String>,
    pub pool_size: Option<u32>,
    pub cors_origin_allow_all: Option<bool>,
    pub cors_origin_whitelist: Option<Vec<String>>,
    pub log_format: Option<String>,
    pub access_log: Option<String>,
    pub sqlite_synchronous: Option<String>,
    pub licenses_file: Option<PathBuf>,
    pub default_license: Option<String>,
    pub dcat_datasets_per_page: Option<usize>,
    #[serde(default)]
    pub auth: AuthLayer,
    pub trusted_proxies: Option<Vec<String>>,
    /// Replaces the providers when given (a file's `[[oidc]]` tables).
    pub oidc: Option<Vec<OidcProvider>>,
    #[serde(default)]
    pub harvest: HarvestLayer,
    pub calendar_dir: Option<PathBuf>,
    #[serde(default)]
    pub smtp: SmtpLayer,
    #[serde(default)]
    pub workflows: WorkflowsLayer,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid {path}: {source}")]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("invalid value for {var}: {value:?}")]
    Env { var: String, value: String },
}

impl ConfigLayer {
    /// Reads a `kho.toml` file.
    pub fn from_file(path: &Path) -> Result<ConfigLayer, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse { path: path.into(), source })
    }

    /// Reads `KHO_*` and `DATABASE_URL` through `lookup` (the process environment in `main`).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<ConfigLayer, ConfigError> {
        let text = |var: &str| lookup(var).filter(|v| !v.is_empty());
        let flag = |var: &str| -> Result<Option<bool>, ConfigError> {
            match text(var) {
                None => Ok(None),
                Some(value) => parse_bool(&value).map(Some).ok_or(ConfigError::Env { var: var.into(), value }),
            }
        };
        let pool_size = match text("KHO_POOL_SIZE") {
            None => None,
            Some(value) => Some(value.parse().map_err(|_| ConfigError::Env { var: "KHO_POOL_SIZE".into(), value })?),
        };
        fn number<T: std::str::FromStr>(
            text: impl Fn(&str) -> Option<String>,
            var: &str,
        ) -> Result<Option<T>, ConfigError> {
            match text(var) {
                None => Ok(None),
                Some(value) => value.parse().map(Some).map_err(|_| ConfigError::Env { var: var.into(), value }),
            }
        }
        let dcat_datasets_per_page = match text("KHO_DCAT_DATASETS_PER_PAGE") {
            None => None,
            Some(value) => match value.parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err(ConfigError::Env { var: "KHO_DCAT_DATASETS_PER_PAGE".into(), value }),
            },
        };
        Ok(ConfigLayer {
            bind: text("KHO_BIND"),
            data_dir: text("KHO_DATA_DIR").map(PathBuf::from),
            database_url: text("DATABASE_URL"),
            site_url: text("KHO_SITE_URL"),
            site_title: text("KHO_SITE_TITLE"),
            site_description: text("KHO_SITE_DESCRIPTION"),
            locale_default: text("KHO_LOCALE_DEFAULT"),
            pool_size,
            cors_origin_allow_all: flag("KHO_CORS_ORIGIN_ALLOW_ALL")?,
            cors_origin_whitelist: text("KHO_CORS_ORIGIN_WHITELIST")
                .map(|v| v.split_whitespace().map(str::to_string).collect()),
            log_format: text("KHO_LOG_FORMAT"),
            access_log: text("KHO_ACCESS_LOG"),
            sqlite_synchronous: text("KHO_SQLITE_SYNCHRONOUS"),
            licenses_file: text("KHO_LICENSES_FILE").map(PathBuf::from),
            default_license: text("KHO_DEFAULT_LICENSE"),
            dcat_datasets_per_page,
            auth: AuthLayer {
                create_user_via_api: flag("KHO_AUTH_CREATE_USER_VIA_API")?,
                user_create_organizations: flag("KHO_AUTH_USER_CREATE_ORGANIZATIONS")?,
                user_create_groups: flag("KHO_AUTH_USER_CREATE_GROUPS")?,
                user_delete_organizations: flag("KHO_AUTH_USER_DELETE_ORGANIZATIONS")?,
                user_delete_groups: flag("KHO_AUTH_USER_DELETE_GROUPS")?,
                public_user_details: flag("KHO_AUTH_PUBLIC_USER_DETAILS")?,
                allow_dataset_collaborators: flag("KHO_AUTH_ALLOW_DATASET_COLLABORATORS")?,
                allow_admin_collaborators: flag("KHO_AUTH_ALLOW_ADMIN_COLLABORATORS")?,
                password_sign_in: flag("KHO_AUTH_PASSWORD_SIGN_IN")?,
            },
            trusted_proxies: text("KHO_TRUSTED_PROXIES").map(|v| v.split_whitespace().map(str::to_string).collect()),
            oidc: None,
            calendar_dir: text("KHO_CALENDAR_DIR").map(PathBuf::from),
            harvest: HarvestLayer {
                scheduler: flag("KHO_HARVEST_SCHEDULER")?,
                poll_seconds: number(text, "KHO_HARVEST_POLL_SECONDS")?,
                workers: number(text, "KHO_HARVEST_WORKERS")?,
                idle_timeout_seconds: number(text, "KHO_HARVEST_IDLE_TIMEOUT_SECONDS")?,
                allow_private_addresses: flag("KHO_HARVEST_ALLOW_PRIVATE_ADDRESSES")?,
                max_response_bytes: number(text, "KHO_HARVEST_MAX_RESPONSE_BYTES")?,
                requests_per_second: number(text, "KHO_HARVEST_REQUESTS_PER_SECOND")?,
                timeout_seconds: number(text, "KHO_HARVEST_TIMEOUT_SECONDS")?,
            },
            smtp: SmtpLayer {
                host: text("KHO_SMTP_HOST"),
                port: number(text, "KHO_SMTP_PORT")?,
                security: text("KHO_SMTP_SECURITY"),
                username: text("KHO_SMTP_USERNAME"),
                password: text("KHO_SMTP_PASSWORD"),
                from: text("KHO_SMTP_FROM"),
                poll_seconds: number(text, "KHO_SMTP_POLL_SECONDS")?,
            },
            workflows: WorkflowsLayer {
                connection_deadline_days: number(text, "KHO_WORKFLOWS_CONNECTION_DEADLINE_DAYS")?,
                connection_valid_days: number(text, "KHO_WORKFLOWS_CONNECTION_VALID_DAYS")?,
                unlist_expired: flag("KHO_WORKFLOWS_UNLIST_EXPIRED")?,
                reminder_working_days: number(text, "KHO_WORKFLOWS_REMINDER_WORKING_DAYS")?,
            },
        })
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Config {
    /// Returns this configuration with every value `layer` sets replaced.
    pub fn merged(mut self, layer: ConfigLayer) -> Config {
        fn set<T>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut self.bind, layer.bind);
        set(&mut self.data_dir, layer.data_dir);
        if layer.database_url.is_some() {
            self.database_url = layer.database_url;
        }
        if layer.site_url.is_some() {
            self.site_url = layer.site_url;
        }
        set(&mut self.site_title, layer.site_title);
        set(&mut self.site_description, layer.site_description);
        set(&mut self.locale_default, layer.locale_default);
        set(&mut self.pool_size, layer.pool_size);
        set(&mut self.cors_origin_allow_all, layer.cors_origin_allow_all);
        set(&mut self.cors_origin_whitelist, layer.cors_origin_whitelist);
        set(&mut self.log_format, layer.log_format);
        set(&mut self.access_log, layer.access_log);
        set(&mut self.sqlite_synchronous, layer.sqlite_synchronous);
        if layer.licenses_file.is_some() {
            self.licenses_file = layer.licenses_file;
        }
        if layer.default_license.is_some() {
            self.default_license = layer.default_license;
        }
        set(&mut self.dcat_datasets_per_page, layer.dcat_datasets_per_page);
        let auth = layer.auth;
        set(&mut self.auth.create_user_via_api, auth.create_user_via_api);
        set(&mut self.auth.user_create_organizations, auth.user_create_organizations);
        set(&mut self.auth.user_create_groups, auth.user_create_groups);
        set(&mut self.auth.user_delete_organizations, auth.user_delete_organizations);
        set(&mut self.auth.user_delete_groups, auth.user_delete_groups);
        set(&mut self.auth.public_user_details, auth.public_user_details);
        set(&mut self.auth.allow_dataset_collaborators, auth.allow_dataset_collaborators);
        set(&mut self.auth.allow_admin_collaborators, auth.allow_admin_collaborators);
        set(&mut self.auth.password_sign_in, auth.password_sign_in);
        set(&mut self.trusted_proxies, layer.trusted_proxies);
        set(&mut self.oidc, layer.oidc);
        if layer.calendar_dir.is_some() {
            self.calendar_dir = layer.calendar_dir;
        }
        let harvest = layer.harvest;
        set(&mut self.harvest.scheduler, harvest.scheduler);
        set(&mut self.harvest.poll_seconds, harvest.poll_seconds);
        set(&mut self.harvest.workers, harvest.workers);
        set(&mut self.harvest.idle_timeout_seconds, harvest.idle_timeout_seconds);
        set(&mut self.harvest.allow_private_addresses, harvest.allow_private_addresses);
        set(&mut self.harvest.max_response_bytes, harvest.max_response_bytes);
        set(&mut self.harvest.requests_per_second, harvest.requests_per_second);
        set(&mut self.harvest.timeout_seconds, harvest.timeout_seconds);
        let smtp = layer.smtp;
        if smtp.host.is_some() {
            self.smtp.host = smtp.host;
        }
        set(&mut self.smtp.port, smtp.port);
        set(&mut self.smtp.security, smtp.security);
        if smtp.username.is_some() {
            self.smtp.username = smtp.username;
        }
        if smtp.password.is_some() {
            self.smtp.password = smtp.password;
        }
        set(&mut self.smtp.from, smtp.from);
        set(&mut self.smtp.poll_seconds, smtp.poll_seconds);
        let workflows = layer.workflows;
        set(&mut self.workflows.connection_deadline_days, workflows.connection_deadline_days);
        set(&mut self.workflows.connection_valid_days, workflows.connection_valid_days);
        set(&mut self.workflows.unlist_expired, workflows.unlist_expired);
        set(&mut self.workflows.reminder_working_days, workflows.reminder_working_days);
        self
    }

    /// Returns the database URL in force: the configured one, or the SQLite file in the data dir.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => self.data_dir.join("kho.sqlite3").to_string_lossy().into_owned(),
        }
    }

    /// Returns the SQLite `synchronous` setting, refusing an unknown one.
    pub fn sqlite_synchronous(&self) -> anyhow::Result<crate::store::SqliteSynchronous> {
        crate::store::SqliteSynchronous::parse(&self.sqlite_synchronous).ok_or_else(|| {
            anyhow::anyhow!("sqlite_synchronous must be \"full\" or \"normal\", not {:?}", self.sqlite_synchronous)
        })
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the right-most
    /// address of `X-Forwarded-For` that is not a trusted proxy.
    pub fn client_address(&self, peer: Option<std::net::IpAddr>, forwarded_for: Option<&str>) -> String {
        let trusted = |ip: &str| self.trusted_proxies.iter().any(|t| t == ip);
        let Some(peer) = peer.map(|p| p.to_string()) else { return String::new() };
        if !trusted(&peer) {
            return peer;
        }
        for hop in forwarded_for.unwrap_or_default().rsplit(',').map(str::trim) {
            if hop.parse::<std::net::IpAddr>().is_err() {
                // A hop this proxy wrote in another form (with a port, …): no further trust.
                return peer;
            }
            if !trusted(hop) {
                return hop.to_string();
            }
        }
        peer
    }

    /// Returns the site URL without a trailing slash.
    pub fn effective_site_url(&self) -> String {
        match &self.site_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_override_earlier_ones() {
        let file: ConfigLayer =
            toml::from_str("bind = \"0.0.0.0:8000\"\nsite_title = \"Tệp\"\n[auth]\nuser_create_organizations = true")
                .unwrap();
        let env = ConfigLayer::from_env(|var| match var {
            "KHO_SITE_TITLE" => Some("Môi trường".into()),
            "DATABASE_URL" => Some("postgres://x/y".into()),
            _ => None,
        })
        .unwrap();
        let flags = ConfigLayer { bind: Some("127.0.0.1:9000".into()), ..Default::default() };
        let config = Config::default().merged(file).merged(env).merged(flags);
        assert_eq!(config.bind, "127.0.0.1:9000");
        assert_eq!(config.site_title, "Môi trường");
        assert_eq!(config.database_url.as_deref(), Some("postgres://x/y"));
        assert!(config.auth.user_create_organizations);
        assert!(!config.auth.create_user_via_api);
    }

    #[test]
    fn openid_providers_come_from_the_file_with_defaults() {
        let file: ConfigLayer = toml::from_str(
            "[auth]\npassword_sign_in = false\n[[oidc]]\nname = \"sso\"\ntitle = \"SSO\"\nissuer = \"https://sso.example.vn/realms/tinh\"\nclient_id = \"kho\"\nroles_claim = \"realm_access.roles\"\n[[oidc.roles]]\nvalue = \"so-y-te-bien-tap\"\norganization = \"so-y-te\"\nrole = \"editor\"",
        )
        .unwrap();
        let config = Config::default().merged(file);
        assert!(!config.auth.password_sign_in);
        let provider = &config.oidc[0];
        assert_eq!(provider.scopes, ["openid", "email", "profile"]);
        assert_eq!(provider.username_claim, "preferred_username");
        assert_eq!(provider.roles[0].organization, "so-y-te");
    }

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let config = Config { trusted_proxies: vec!["10.0.0.2".into(), "10.0.0.3".into()], ..Config::default() };
        let ip = |text: &str| Some(text.parse().unwrap());
        // A direct client's header is ignored.
        assert_eq!(config.client_address(ip("203.0.113.9"), Some("198.51.100.1")), "203.0.113.9");
        // Through two trusted proxies: the first untrusted hop from the right, never a forged
        // address the client put at the left.
        assert_eq!(config.client_address(ip("10.0.0.2"), Some("1.2.3.4, 198.51.100.7, 10.0.0.3")), "198.51.100.7");
        assert_eq!(config.client_address(ip("10.0.0.2"), Some("garbage")), "10.0.0.2");
        assert_eq!(config.client_address(ip("10.0.0.2"), Some("1.2.3.4, 198.51.100.7:5678")), "10.0.0.2");
        assert_eq!(config.client_address(ip("10.0.0.2"), None), "10.0.0.2");
    }

    #[test]
    fn unknown_keys_in_the_file_are_rejected() {
        assert!(toml::from_str::<ConfigLayer>("bnid = \"x\"").is_err());
    }

    #[test]
    fn a_bad_boolean_in_the_environment_is_an_error() {
        let result = ConfigLayer::from_env(|var| (var == "KHO_CORS_ORIGIN_ALLOW_ALL").then(|| "maybe".into()));
        assert!(result.is_err());
    }

    #[test]
    fn without_database_url_the_store_is_sqlite_in_the_data_dir() {
        let config = Config { data_dir: "/srv/kho".into(), ..Config::default() };
        assert_eq!(config.effective_database_url(), "/srv/kho/kho.sqlite3");
    }
}
