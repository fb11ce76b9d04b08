//! Password hashing with argon2id at OWASP's recommended cost
//! (19 MiB, 2 passes, 1 lane). Hashing runs on the blocking pool.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a new password is refused, if it is.
pub fn check_new(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("Password must be at least {MIN_LENGTH} characters"));
    }
    if length > MAX_LENGTH {
        return Err(format!("Password must be at most {MAX_LENGTH} characters"));
    }
    Ok(())
}

/// The PHC string of `password` with a fresh salt.
pub async fn hash(password: &str) -> String {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.expect("hashing task")
}

pub fn hash_blocking(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random number generator failed");
    let salt = SaltString::encode_b64(&salt).expect("a 16-byte salt encodes");
    hasher().hash_password(password.as_bytes(), &salt).expect("argon2 hashing").to_string()
}

/// Whether `password` matches `stored`. With no stored hash (unknown
/// account) a dummy hash is checked instead, so both cases take as long.
pub async fn verify(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = PasswordHash::new(&stored)
            .is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok());
        known && matches
    })
    .await
    .expect("verification task")
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("no account has this password"));

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let first = hash("correct horse battery").await;
        let second = hash("correct horse battery").await;
        assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{first}");
        assert_ne!(first, second, "salts must differ");
        assert!(verify("correct horse battery", Some(&first)).await);
        assert!(!verify("wrong horse battery", Some(&first)).await);
        assert!(!verify("no account has this password", None).await);
    }

    #[test]
    fn new_passwords_need_10_to_256_characters() {
        assert!(check_new("short").is_err());
        assert!(check_new("just-right").is_ok());
        assert!(check_new(&"x".repeat(257)).is_err());
        assert!(check_new("ünïcödé-ok").is_ok());
    }
}
