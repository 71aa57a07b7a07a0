//! OpenID Connect sign-in with the `openidconnect` crate: discovery, the authorization code
//! flow with PKCE and a nonce, and the ID token verified (signature, issuer, audience, expiry,
//! nonce) before any claim is read. Provider metadata and keys are cached per provider; when a
//! signature does not verify the keys are read again once (the provider rotated them). The HTTP
//! client follows no redirects (the crate's advice against SSRF).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::OidcProvider;

/// How long a sign-in may take at the provider.
pub const FLOW_LIFETIME_SECONDS: i64 = 600;

/// Why a sign-in with a provider failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the provider could not be reached or described itself wrongly: {0}")]
    Discovery(String),
    #[error("the provider refused the code: {0}")]
    Exchange(String),
    #[error("the ID token was refused: {0}")]
    Verification(String),
    #[error("the ID token lacks the claim {0}")]
    MissingClaim(String),
}

/// What Kho keeps (signed, in a cookie) between sending the browser to the provider and its
/// return: the state to compare, the nonce the ID token must carry, the PKCE verifier.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Flow {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub came_from: String,
    pub expires: i64,
}

/// Who the provider says signed in, from a verified ID token.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub fullname: Option<String>,
    /// The values of the provider's roles claim.
    pub roles: Vec<String>,
}

/// The providers' metadata (with their keys), read once and again when keys rotate.
#[derive(Default)]
pub struct Registry {
    /// Made at first use, on a blocking thread (a blocking client may not be made inside the
    /// server's async runtime).
    http: std::sync::OnceLock<reqwest::blocking::Client>,
    discovered: Mutex<HashMap<String, CoreProviderMetadata>>,
}

/// A claim by dotted path (`realm_access.roles`).
fn claim<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(claims, |value, key| value.get(key))
}

fn claim_text(claims: &Value, path: &str) -> Option<String> {
    claim(claims, path).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

/// The claims of a compact JWT (read only after the token was verified).
fn payload(jwt: &str) -> Option<Value> {
    let encoded = jwt.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok()?).ok()
}

impl Registry {
    /// The HTTP client: no redirects followed, 10 s per request.
    fn http(&self) -> Result<&reqwest::blocking::Client, OidcError> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let client = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        Ok(self.http.get_or_init(|| client))
    }

    /// The provider's metadata: cached, or read now (always read when `refresh`).
    fn metadata(&self, provider: &OidcProvider, refresh: bool) -> Result<CoreProviderMetadata, OidcError> {
        if !refresh
            && let Some(known) = self.discovered.lock().ok().and_then(|cache| cache.get(&provider.name).cloned())
        {
            return Ok(known);
        }
        let issuer = IssuerUrl::new(provider.issuer.clone()).map_err(|e| OidcError::Discovery(e.to_string()))?;
        let metadata =
            CoreProviderMetadata::discover(&issuer, self.http()?).map_err(|e| OidcError::Discovery(error_chain(&e)))?;
        if let Ok(mut cache) = self.discovered.lock() {
            cache.insert(provider.name.clone(), metadata.clone());
        }
        Ok(metadata)
    }

    /// The address the browser is sent to, and the flow to keep until it returns.
    pub fn start(&self, provider: &OidcProvider, redirect: &str, came_from: &str) -> Result<(String, Flow), OidcError> {
        let client = client_of(provider, self.metadata(provider, false)?, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in provider.scopes.iter().filter(|s| s.as_str() != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let flow = Flow {
            provider: provider.name.clone(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            came_from: came_from.to_string(),
            expires: chrono::Utc::now().timestamp() + FLOW_LIFETIME_SECONDS,
        };
        Ok((url.to_string(), flow))
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token against the
    /// flow's nonce; a signature that does not verify makes Kho read the keys again, once.
    pub fn finish(
        &self,
        provider: &OidcProvider,
        redirect: &str,
        flow: &Flow,
        code: &str,
    ) -> Result<Identity, OidcError> {
        let client = client_of(provider, self.metadata(provider, false)?, redirect)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
            .request(self.http()?)
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let id_token = response.id_token().ok_or_else(|| OidcError::MissingClaim("id_token".into()))?;
        let nonce = Nonce::new(flow.nonce.clone());
        let verified = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => Ok(claims.clone()),
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                tracing::info!(provider = %provider.name, "ID token signature did not verify: reading the provider's keys again");
                let fresh = client_of(provider, self.metadata(provider, true)?, redirect)?;
                id_token.claims(&fresh.id_token_verifier(), &nonce).cloned()
            }
            Err(other) => Err(other),
        }
        .map_err(|e| OidcError::Verification(e.to_string()))?;
        let claims =
            payload(&id_token.to_string()).ok_or_else(|| OidcError::Verification("unreadable claims".into()))?;
        let roles = provider
            .roles_claim
            .as_deref()
            .and_then(|path| claim(&claims, path))
            .map(|value| match value {
                Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                Value::String(text) => text.split_whitespace().map(str::to_string).collect(),
                _ => Vec::new(),
            })
            .unwrap_or_default();
        Ok(Identity {
            issuer: verified.issuer().to_string(),
            subject: verified.subject().to_string(),
            username: claim_text(&claims, &provider.username_claim),
            email: claim_text(&claims, &provider.email_claim),
            // `email_verified` speaks for the standard `email` claim only.
            email_verified: provider.email_claim == "email"
                && claim(&claims, "email_verified").and_then(Value::as_bool).unwrap_or(false),
            fullname: claim_text(&claims, &provider.fullname_claim),
            roles,
        })
    }
}

/// The client secret: `KHO_OIDC_<NAME>_CLIENT_SECRET` when set, else the configured one.
fn client_secret(provider: &OidcProvider) -> Option<ClientSecret> {
    let variable = format!("KHO_OIDC_{}_CLIENT_SECRET", provider.name.to_uppercase().replace('-', "_"));
    let secret =
        std::env::var(variable).ok().filter(|s| !s.is_empty()).unwrap_or_else(|| provider.client_secret.clone());
    (!secret.is_empty()).then(|| ClientSecret::new(secret))
}

/// A client of a discovered provider (authorization and token endpoints known).
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn client_of(provider: &OidcProvider, metadata: CoreProviderMetadata, redirect: &str) -> Result<Client, OidcError> {
    let redirect = RedirectUrl::new(redirect.to_string()).map_err(|e| OidcError::Discovery(e.to_string()))?;
    Ok(CoreClient::from_provider_metadata(metadata, ClientId::new(provider.client_id.clone()), client_secret(provider))
        .set_redirect_uri(redirect))
}

/// An error with its causes, for the log.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
