//! Access tokens: short-lived HS256 JWTs. The algorithm is pinned when
//! verifying, so `alg: none` or a token signed with another key or algorithm
//! is refused.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::viewer::Role;

/// How long an access token is valid.
pub const ACCESS_TOKEN_TTL: Duration = Duration::minutes(15);
const ISSUER: &str = "careergraph";
/// Seconds of clock skew an expiry is allowed.
const LEEWAY_SECONDS: i64 = 5;
/// The most verified tokens remembered (a few hundred bytes each).
const VERIFIED_CAPACITY: usize = 4096;

/// What an access token asserts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    pub role: Role,
    /// The session: the refresh-token family this token was issued from.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// Unique per token.
    pub jti: Uuid,
    pub iss: String,
}

/// Why a presented access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

impl TokenError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Expired => "The access token has expired: refresh the session (refreshSession) or sign in again",
            Self::Invalid => "The access token is invalid: sign in again",
        }
    }
}

/// Signs and verifies access tokens with one secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Tokens whose signature has been checked, with their claims. Checking
    /// an HS256 signature and parsing the claims was 18 % of the CPU of a
    /// one-row lookup, and a client sends the same token for 15 minutes.
    /// Only tokens that verified get in, so forged ones cannot fill it.
    verified: Mutex<HashMap<Box<str>, Claims>>,
}

impl TokenKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.leeway = LEEWAY_SECONDS as u64;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            verified: Mutex::default(),
        }
    }

    /// A fresh access token for `user` in session `session`, and when it expires.
    pub fn issue(&self, user: Uuid, role: Role, session: Uuid) -> (String, DateTime<Utc>) {
        let now = Utc::now();
        let expires_at = now + ACCESS_TOKEN_TTL;
        let claims = Claims {
            sub: user,
            role,
            sid: session,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: Uuid::now_v7(),
            iss: ISSUER.to_owned(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail");
        (token, expires_at)
    }

    /// Signs arbitrary claims; tests use it to forge expired tokens.
    pub fn sign(&self, claims: &Claims) -> String {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    /// The claims of a token this key signed that has not expired.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        self.verify_at(token, Utc::now().timestamp())
    }

    /// [`TokenKeys::verify`] at `now` (seconds since the epoch) for a token
    /// verified before; a new token is checked against the real clock.
    fn verify_at(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let remembered = self.verified.lock().unwrap_or_else(PoisonError::into_inner).get(token).cloned();
        if let Some(claims) = remembered {
            // The same rule as jsonwebtoken's: expired once past the leeway.
            return if claims.exp < now - LEEWAY_SECONDS { Err(TokenError::Expired) } else { Ok(claims) };
        }
        let claims = decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(
            |err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            },
        )?;
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if verified.len() >= VERIFIED_CAPACITY {
            verified.retain(|_, claims| claims.exp >= now - LEEWAY_SECONDS);
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
        }
        verified.insert(token.into(), claims.clone());
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_their_own_key_and_algorithm() {
        let keys = TokenKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let user = Uuid::now_v7();
        let (token, expires_at) = keys.issue(user, Role::Candidate, Uuid::now_v7());
        assert!(expires_at > Utc::now());
        assert_eq!(keys.verify(&token).unwrap().sub, user);

        let other = TokenKeys::from_secret(b"another-secret-of-at-least-32-bytes!");
        assert_eq!(other.verify(&token).unwrap_err(), TokenError::Invalid);

        let mut claims = keys.verify(&token).unwrap();
        claims.exp = Utc::now().timestamp() - 60;
        claims.iat = claims.exp - 900;
        assert_eq!(keys.verify(&keys.sign(&claims)).unwrap_err(), TokenError::Expired);
    }

    #[test]
    fn a_remembered_token_still_expires_and_its_forgeries_are_refused() {
        let keys = TokenKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let (token, expires_at) = keys.issue(Uuid::now_v7(), Role::Candidate, Uuid::now_v7());
        let first = keys.verify(&token).unwrap();
        assert_eq!(keys.verify(&token).unwrap().jti, first.jti, "the remembered claims are the token's");

        let exp = expires_at.timestamp();
        assert!(keys.verify_at(&token, exp + LEEWAY_SECONDS).is_ok(), "within the leeway");
        assert_eq!(keys.verify_at(&token, exp + LEEWAY_SECONDS + 1).unwrap_err(), TokenError::Expired);

        // One character inside the signature changed: not the remembered token.
        let at = token.len() - 10;
        let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
        let forged = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
        assert_eq!(keys.verify(&forged).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn the_remembered_tokens_are_bounded() {
        let keys = TokenKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        for _ in 0..VERIFIED_CAPACITY + 10 {
            let (token, _) = keys.issue(Uuid::now_v7(), Role::Candidate, Uuid::now_v7());
            keys.verify(&token).unwrap();
        }
        let remembered = keys.verified.lock().unwrap().len();
        assert!((1..=VERIFIED_CAPACITY).contains(&remembered), "{remembered} remembered");
    }
}
