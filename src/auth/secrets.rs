//! Opaque random secrets (refresh and one-time tokens) and how they are kept:
//! only a SHA-256 digest is stored, so a database leak yields no usable token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the OS, base64url-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the OS random number generator failed");
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The digest stored in place of a token. Tokens carry 256 bits of entropy,
/// so a fast hash is enough (no offline guessing is feasible).
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
