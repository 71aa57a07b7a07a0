//! Builds the running application: binds the listener, opens the services, starts actix.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{Server, Service};
use actix_web::{App, HttpServer, web};

use crate::actions::Services;
use crate::config::Config;
use crate::http::{self, Cors};

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
    let services = Arc::new(Services::open(config)?);
    crate::feed::run(services.clone())?;
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
