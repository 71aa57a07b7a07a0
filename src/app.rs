//! Builds the running application: binds the listener, opens the services, starts actix.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{Server, Service};
use actix_web::{App, HttpServer, web};

use crate::actions::Services;
use crate::config::Config;
use crate::http::{self, Cors};
use serde_json::Value;

/// A bound, not yet awaited server.
pub struct Application {
    pub server: Server,
    pub address: SocketAddr,
    pub services: Arc<Services>,
}

/// Binds `config.bind` (port 0 picks a free port), opens the store and builds the server.
/// When no `site_url` is configured it becomes `http://<bound address>`.
pub fn build(mut config: Config) -> anyhow::Result<Application> {
    let listener =
        TcpListener::bind(&config.bind).map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let address = listener.local_addr()?;
    if config.site_url.is_none() {
        config.site_url = Some(format!("http://{address}"));
    }
    let services = Arc::new(services(config)?);
    crate::feed::run(services.clone())?;
    crate::harvest::scheduler::start(&services)?;
    crate::mail::sender::start(&services)?;
    let server = serve(listener, services.clone())?;
    Ok(Application { server, address, services })
}

/// Starts actix on an already bound listener.
pub fn serve(listener: TcpListener, services: Arc<Services>) -> anyhow::Result<Server> {
    let cors = Cors {
        allow_all: services.config.cors_origin_allow_all,
        whitelist: services.config.cors_origin_whitelist.clone(),
    };
    let data = web::Data::from(services);
    let server = HttpServer::new(move || {
        let cors = cors.clone();
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
            .wrap_fn(move |request, service| {
                let origin = request.headers().get("origin").and_then(|v| v.to_str().ok()).map(str::to_string);
                let extra = cors.headers_for(origin.as_deref());
                let response = service.call(request);
                async move {
                    let mut response = response.await?;
                    for (name, value) in extra {
                        response.headers_mut().insert(name, value);
                    }
                    Ok(response)
                }
            })
            .wrap(http::normalize_path())
            .configure(http::routes)
            .default_service(web::to(http::not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Builds the services every action runs with: opens the store (applying migrations), loads
/// the token secret, the licence register, the dataset schemas and the search index.
pub fn services(config: Config) -> anyhow::Result<Services> {
    if !["all", "failed", "off"].contains(&config.access_log.as_str()) {
        anyhow::bail!("access_log must be \"all\", \"failed\" or \"off\", not {:?}", config.access_log);
    }
    let store =
        crate::store::Store::open(&config.effective_database_url(), config.pool_size, config.sqlite_synchronous()?)?;
    let secret = store
        .write(|tx| crate::store::settings::get_or_insert(tx, "api_token_secret", crate::auth::token::new_token_id))?;
    let signer = crate::auth::TokenSigner::new(&secret)?;
    let licenses = crate::licenses::load(config.licenses_file.as_deref())?;
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
        let stored = crate::store::settings::get_or_insert(tx, "dataset_dict_cache_key", || cache_key.clone())?;
        if stored != cache_key {
            crate::store::packages::clear_all_caches(tx)?;
            crate::store::settings::set(tx, "dataset_dict_cache_key", &cache_key)?;
        }
        Ok(())
    })?;
    let mut search = crate::search::Search::open(&config.data_dir.join("search"))?;
    search.unlist_expired = config.workflows.unlist_expired;
    let dict_cache_key_digest = hex_digest(&cache_key);
    let vocabularies = crate::dcat::Vocabularies::built_in()?;
    let rdf_builds = crate::gate::Workers::per_core("kho-rdf")?;
    let oidc = crate::auth::oidc::Registry::default();
    let calendar = crate::workflows::Calendar::load(config.calendar_dir.as_deref())?;
    Ok(Services {
        store,
        config,
        signer,
        licenses,
        schemas,
        search,
        vocabularies,
        rdf_builds,
        dict_cache_key_digest,
        oidc,
        calendar,
        notices: Default::default(),
    })
}

/// The SHA-256 of a text, in hex.
pub fn hex_digest(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
