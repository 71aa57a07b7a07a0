//! What every action runs with: the shared services and the caller.

use serde_json::Value;

use crate::auth::{Caller, TokenSigner};
use crate::config::Config;
use crate::licenses;
use crate::store::{Store, settings};

/// The long-lived parts every action uses; built once at start-up.
pub struct Services {
    pub store: Store,
    pub config: Config,
    pub signer: TokenSigner,
    pub licenses: Vec<Value>,
    pub schemas: crate::schemas::Schemas,
    pub search: crate::search::Search,
    /// DCAT-AP vocabulary mappings (`dcat/vocabularies.json`).
    pub vocabularies: crate::dcat::Vocabularies,
    /// Digest of what cached dataset dicts depend on (site URL, licences, schemas); the search
    /// index is rebuilt when it was built for another.
    pub dict_cache_key_digest: String,
}

impl Services {
    /// Opens the store (applying migrations), loads the token secret, the licence register and
    /// the dataset schemas.
    pub fn open(config: Config) -> anyhow::Result<Services> {
        if !["all", "failed", "off"].contains(&config.access_log.as_str()) {
            anyhow::bail!("access_log must be \"all\", \"failed\" or \"off\", not {:?}", config.access_log);
        }
        let store = Store::open(&config.effective_database_url(), config.pool_size, config.sqlite_synchronous()?)?;
        let secret =
            store.write(|tx| settings::get_or_insert(tx, "api_token_secret", crate::auth::token::new_token_id))?;
        let signer = TokenSigner::new(&secret)?;
        let licenses = licenses::load(config.licenses_file.as_deref())?;
        if let Some(id) = &config.default_license
            && !licenses.iter().any(|l| l.get("id").and_then(Value::as_str) == Some(id.as_str()))
        {
            anyhow::bail!("default_license {id:?} is not in the licence register");
        }
        let schemas = crate::schemas::Schemas::built_in()?;
        // Cached dataset dicts show licence titles, the site URL and schema fields: forget them
        // when any of those changed since they were built.
        let schema_documents: Vec<Value> = schemas.0.iter().map(|s| s.document.clone()).collect();
        let cache_key = format!(
            "{}|{}|{}",
            config.effective_site_url(),
            Value::Array(licenses.clone()),
            Value::Array(schema_documents)
        );
        store.write(|tx| -> Result<(), crate::store::StoreError> {
            let stored = settings::get_or_insert(tx, "dataset_dict_cache_key", || cache_key.clone())?;
            if stored != cache_key {
                crate::store::packages::clear_all_caches(tx)?;
                settings::set(tx, "dataset_dict_cache_key", &cache_key)?;
            }
            Ok(())
        })?;
        let search = crate::search::Search::open(&config.data_dir.join("search"))?;
        let dict_cache_key_digest = hex_digest(&cache_key);
        let vocabularies = crate::dcat::Vocabularies::built_in()?;
        Ok(Services { store, config, signer, licenses, schemas, search, vocabularies, dict_cache_key_digest })
    }
}

fn hex_digest(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// One action call: the services plus who is calling.
pub struct ActionContext<'a> {
    pub services: &'a Services,
    pub caller: Caller,
}

impl ActionContext<'_> {
    /// Returns the store.
    pub fn store(&self) -> &Store {
        &self.services.store
    }

    /// Returns the configuration.
    pub fn config(&self) -> &Config {
        &self.services.config
    }
}
