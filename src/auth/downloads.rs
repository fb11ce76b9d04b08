//! Signed download links. A document URL that the API hands out
//! (`ResumeVersion.pdfUrl`) carries `?token=`: a short-lived signature
//! naming the viewer and the one document, so the link works where no
//! `Authorization` header can be sent (opened from GraphiQL, an `<a href>`,
//! a mail client). It is signed with a key derived from the JWT secret but
//! not equal to it, so it is never an access token, and an access token is
//! never a download token; it names one document, so a leaked link
//! exposes that document alone, for at most [`DOWNLOAD_LINK_TTL`].

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::tokens::TokenError;
use super::viewer::{Role, SignedIn};

/// How long a download link works.
pub const DOWNLOAD_LINK_TTL: Duration = Duration::minutes(15);
const AUDIENCE: &str = "careergraph-download";

#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    sub: Uuid,
    role: Role,
    sid: Uuid,
    exp: i64,
    aud: String,
    /// The document: its type name and row id, as in a global id.
    doc: String,
}

/// Signs and checks download links.
pub struct DownloadKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl DownloadKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let key = Sha256::new().chain_update(b"careergraph download links\0").chain_update(secret).finalize();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        validation.leeway = 5;
        Self { encoding: EncodingKey::from_secret(&key), decoding: DecodingKey::from_secret(&key), validation }
    }

    /// A token letting `viewer` fetch `document` (e.g. `ResumeVersion:<uuid>`).
    pub fn sign(&self, viewer: &SignedIn, document: &str) -> String {
        let claims = LinkClaims {
            sub: viewer.user_id,
            role: viewer.role,
            sid: viewer.session_id,
            exp: (Utc::now() + DOWNLOAD_LINK_TTL).timestamp(),
            aud: AUDIENCE.to_owned(),
            doc: document.to_owned(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    /// The viewer `token` lets fetch `document`; a token for another
    /// document is as invalid as a forged one.
    pub fn verify(&self, token: &str, document: &str) -> Result<SignedIn, TokenError> {
        let claims =
            decode::<LinkClaims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(|err| {
                match err.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                }
            })?;
        if claims.doc != document {
            return Err(TokenError::Invalid);
        }
        Ok(SignedIn { user_id: claims.sub, role: claims.role, session_id: claims.sid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::tokens::TokenKeys;

    #[test]
    fn a_link_opens_its_document_only_and_is_no_access_token() {
        let secret = b"a test secret that is long enough to sign with";
        let keys = DownloadKeys::from_secret(secret);
        let ada = SignedIn { user_id: Uuid::now_v7(), role: Role::Candidate, session_id: Uuid::now_v7() };
        let token = keys.sign(&ada, "ResumeVersion:1");
        let opened = keys.verify(&token, "ResumeVersion:1").expect("its own document");
        assert_eq!((opened.user_id, opened.session_id), (ada.user_id, ada.session_id));
        assert_eq!(keys.verify(&token, "ResumeVersion:2").err(), Some(TokenError::Invalid));
        let access = TokenKeys::from_secret(secret);
        assert!(access.verify(&token).is_err(), "a download link is not an access token");
        let (access_token, _) = access.issue(ada.user_id, ada.role, ada.session_id);
        assert_eq!(keys.verify(&access_token, "ResumeVersion:1").err(), Some(TokenError::Invalid));
    }
}
