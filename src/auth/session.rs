//! Portal sessions: password sign-in with throttling, sessions kept in the store (revocable),
//! a new session at every sign-in (no fixation), and a CSRF token per session.

use chrono::Duration;
use sha2::Digest;

use super::Caller;
use crate::store::sessions::{self, SessionRow};
use crate::store::{self, Store, StoreResult, users, users::UserRow};

/// The session cookie's name.
pub const COOKIE: &str = "kho_session";
/// How long a session lasts without a new sign-in.
pub const LIFETIME_DAYS: i64 = 14;
/// Failed sign-ins allowed per account, and per address, within [`WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_ACCOUNT: i32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i32 = 30;
pub const WINDOW_MINUTES: i64 = 15;
/// A session's last use is written at most this often.
const TOUCH_MINUTES: i64 = 5;

fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored id of a session: the SHA-256 of the cookie's secret.
fn id_of(secret: &str) -> String {
    sha2::Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A session as a page sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub csrf_token: String,
}

/// Starts a new session for `user`; returns the cookie's secret and the session.
pub fn start(store: &Store, user: &UserRow) -> StoreResult<(String, Session)> {
    let secret = random_secret();
    let now = store::now();
    let row = SessionRow {
        id: id_of(&secret),
        user_id: user.id.clone(),
        csrf_token: random_secret(),
        created_at: now,
        last_seen: now,
        expires_at: now + Duration::days(LIFETIME_DAYS),
    };
    store.write(|tx| sessions::insert(tx, &row))?;
    Ok((secret, Session { id: row.id, csrf_token: row.csrf_token }))
}

/// Resolves a cookie's secret to its caller and session: only an unexpired session of an
/// active user counts.
pub fn resolve(store: &Store, secret: &str) -> StoreResult<Option<(Caller, Session)>> {
    let now = store::now();
    let found = store.read(|tx| sessions::find_with_user(tx, &id_of(secret), now))?;
    let Some((row, user)) = found.filter(|(_, user)| user.state == "active") else { return Ok(None) };
    if now - row.last_seen > Duration::minutes(TOUCH_MINUTES) {
        store.write(|tx| sessions::touch(tx, &row.id, now))?;
    }
    Ok(Some((Caller::as_user(user), Session { id: row.id, csrf_token: row.csrf_token })))
}

/// Ends the session a cookie names.
pub fn end(store: &Store, session_id: &str) -> StoreResult<()> {
    store.write(|tx| sessions::delete(tx, session_id))
}

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignIn {
    Accepted(Box<UserRow>),
    Refused,
    /// Too many failures for this account or address: try again later.
    Throttled,
}

/// Checks a user name (or e-mail) and password, counting failures per account and per address.
pub fn check_password(store: &Store, login: &str, password: &str, address: &str) -> StoreResult<SignIn> {
    let now = store::now();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let login = login.trim();
    let account_key = format!("account:{}", login.to_lowercase());
    let address_key = format!("address:{address}");
    let (account_failures, address_failures) = store.read(|tx| -> StoreResult<(i32, i32)> {
        Ok((sessions::failures(tx, &account_key, since)?, sessions::failures(tx, &address_key, since)?))
    })?;
    if account_failures >= MAX_FAILURES_PER_ACCOUNT || address_failures >= MAX_FAILURES_PER_ADDRESS {
        return Ok(SignIn::Throttled);
    }
    let user = store.read(|tx| -> StoreResult<Option<UserRow>> {
        if login.contains('@') {
            return users::find_active_by_email(tx, login);
        }
        Ok(users::find(tx, login)?.filter(|u| u.name == login))
    })?;
    let accepted = user.filter(|u| u.state == "active" && super::password::verify(password, &u.password_hash));
    store.write(|tx| -> StoreResult<()> {
        match &accepted {
            Some(_) => sessions::clear_failures(tx, &account_key),
            None => {
                sessions::record_failure(tx, &account_key, since, now)?;
                sessions::record_failure(tx, &address_key, since, now)
            }
        }
    })?;
    Ok(match accepted {
        Some(user) => SignIn::Accepted(Box::new(user)),
        None => SignIn::Refused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_digests_of_fresh_secrets() {
        let (a, b) = (random_secret(), random_secret());
        assert_ne!(a, b);
        assert!(a.len() >= 43);
        assert_eq!(id_of(&a).len(), 64);
        assert_ne!(id_of(&a), a);
    }
}
