//! Access tokens: short-lived HS256 JWTs. The algorithm is pinned when
//! verifying, so `alg: none` or a token signed with another key or algorithm
//! is refused.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::viewer::Role;

/// How long an access token is valid.
pub const ACCESS_TOKEN_TTL: Duration = Duration::minutes(15);
const ISSUER: &str = "careergraph";

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
}

impl TokenKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.leeway = 5;
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
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

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(|err| {
            match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            }
        })
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
}
