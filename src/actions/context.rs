//! What every action runs with: the shared services and the caller.

use serde_json::Value;

use crate::auth::{Caller, TokenSigner};
use crate::config::Config;
use crate::store::Store;

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
    /// The threads that build DCAT catalogue pages, one per core: a page holds its dicts, graph
    /// and output while it is built, so pages queue beyond that (bounded memory).
    pub rdf_builds: crate::gate::Workers,
    /// Digest of what cached dataset dicts depend on (site URL, licences, schemas); the search
    /// index is rebuilt when it was built for another.
    pub dict_cache_key_digest: String,
    /// OpenID Connect providers' metadata and keys, read when first needed.
    pub oidc: crate::auth::oidc::Registry,
    /// The working-day calendar of the province (deadlines of the provincial workflows).
    pub calendar: crate::workflows::Calendar,
    /// The maintenance notices this node shows on its pages.
    pub notices: super::maintenance::NoticeCache,
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
