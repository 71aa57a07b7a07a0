//! API tokens the CKAN 2.10+ way: an HS256 JWT whose payload is `{"jti", "iat"}`; the `jti` is
//! the row id in `api_tokens`, so deleting the row revokes the token at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks API tokens with the site's secret.
#[derive(Clone)]
pub struct TokenSigner {
    keyed_mac: HmacSha256,
    /// For `seal`/`open`: a key derived from the secret, so that no sealed value is ever a
    /// well-signed token.
    sealing_mac: HmacSha256,
}

/// Returns a new random token id: 32 random bytes, 43 URL-safe characters, as CKAN's.
pub fn new_token_id() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl TokenSigner {
    /// Returns a signer for the given secret.
    pub fn new(secret: &str) -> anyhow::Result<TokenSigner> {
        let keyed_mac = HmacSha256::new_from_slice(secret.as_bytes()).map_err(|e| anyhow::anyhow!("token key: {e}"))?;
        let mut derive = keyed_mac.clone();
        derive.update(b"kho sealing key");
        let sealing_mac = HmacSha256::new_from_slice(&derive.finalize().into_bytes())
            .map_err(|e| anyhow::anyhow!("sealing key: {e}"))?;
        Ok(TokenSigner { keyed_mac, sealing_mac })
    }

    fn signature(&self, signing_input: &str) -> Vec<u8> {
        let mut mac = self.keyed_mac.clone();
        mac.update(signing_input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Returns the token string for a token id issued at `issued_at` (Unix seconds).
    pub fn issue(&self, token_id: &str, issued_at: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(json!({"jti": token_id, "iat": issued_at}).to_string());
        let signing_input = format!("{header}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(self.signature(&signing_input));
        format!("{signing_input}.{signature}")
    }

    /// A JSON value signed for `purpose` (for a short-lived cookie): readable by anyone, but
    /// only this site can make one that `open` accepts.
    pub fn seal(&self, purpose: &str, value: &Value) -> String {
        let payload = URL_SAFE_NO_PAD.encode(value.to_string());
        let mut mac = self.sealing_mac.clone();
        mac.update(format!("{purpose}.{payload}").as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{payload}.{signature}")
    }

    /// The value `seal` signed for `purpose`, or `None` when it was not or was changed.
    pub fn open(&self, purpose: &str, sealed: &str) -> Option<Value> {
        let (payload, signature) = sealed.trim().split_once('.')?;
        let given = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.sealing_mac.clone();
        mac.update(format!("{purpose}.{payload}").as_bytes());
        mac.verify_slice(&given).ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }

    /// Returns the token id of a well-signed token, or `None` for anything else.
    pub fn token_id(&self, token: &str) -> Option<String> {
        let mut parts = token.trim().split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let given = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.keyed_mac.clone();
        mac.update(format!("{header}.{payload}").as_bytes());
        mac.verify_slice(&given).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        claims.get("jti")?.as_str().map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_for_its_purpose_and_is_never_a_token() {
        let signer = TokenSigner::new("bi-mat").unwrap();
        let sealed = signer.seal("oidc_flow", &json!({"state": "s", "jti": "x"}));
        assert_eq!(signer.open("oidc_flow", &sealed), Some(json!({"state": "s", "jti": "x"})));
        assert_eq!(signer.open("other", &sealed), None);
        assert_eq!(signer.token_id(&format!("oidc_flow.{sealed}")), None);
        let (payload, _) = sealed.split_once('.').unwrap();
        assert_eq!(signer.open("oidc_flow", &format!("{payload}.AAAA")), None);
    }

    #[test]
    fn an_issued_token_yields_its_id() {
        let signer = TokenSigner::new("bi-mat").unwrap();
        let id = new_token_id();
        assert_eq!(id.len(), 43);
        let token = signer.issue(&id, 1_700_000_000);
        assert!(!token.contains(' '));
        assert_eq!(signer.token_id(&token), Some(id));
    }

    #[test]
    fn tampered_or_foreign_tokens_are_rejected() {
        let signer = TokenSigner::new("bi-mat").unwrap();
        let token = signer.issue("abc", 1);
        assert_eq!(TokenSigner::new("khac").unwrap().token_id(&token), None);
        let mut forged = token.clone();
        forged.insert(token.find('.').unwrap_or(0) + 2, 'x');
        assert_eq!(signer.token_id(&forged), None);
        assert_eq!(signer.token_id("khong-phai-token-hop-le"), None);
        assert_eq!(signer.token_id(""), None);
    }
}
