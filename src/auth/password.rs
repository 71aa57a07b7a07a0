//! Password hashing with argon2id (PHC strings in the `users` table).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

/// Returns the argon2id PHC hash of `password` with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt_bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hashed =
        Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(hashed.to_string())
}

/// Returns whether `password` matches the stored PHC hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let stored = hash("MatKhau-2024!").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("MatKhau-2024!", &stored));
        assert!(!verify("matkhau-2024!", &stored));
        assert!(!verify("MatKhau-2024!", "not a hash"));
    }

    #[test]
    fn two_hashes_of_one_password_differ() {
        assert_ne!(hash("abcdefgh").unwrap(), hash("abcdefgh").unwrap());
    }
}
