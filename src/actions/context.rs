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
}

impl Services {
    /// Opens the store (applying migrations), loads the token secret, the licence register and
    /// the dataset schemas.
    pub fn open(config: Config) -> anyhow::Result<Services> {
        let store = Store::open(&config.effective_database_url(), config.pool_size)?;
        let secret =
            store.write(|tx| settings::get_or_insert(tx, "api_token_secret", crate::auth::token::new_token_id))?;
        let signer = TokenSigner::new(&secret)?;
        let licenses = licenses::load(config.licenses_file.as_deref())?;
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
        Ok(Services { store, config, signer, licenses, schemas })
    }
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
