//! Authentication plumbing: passwords, access tokens, opaque secrets, rate
//! limits, and the viewer every request carries. The account mutations that
//! use them live in the `users` domain.

pub mod downloads;
pub mod gate;
pub mod password;
pub mod rate_limit;
pub mod secrets;
pub mod tokens;
mod viewer;

pub use rate_limit::RateLimits;
pub use tokens::TokenKeys;
pub use viewer::{Role, SignedIn, Viewer};

use std::path::Path;

/// Shared, long-lived authentication state of one server process.
pub struct Auth {
    pub tokens: TokenKeys,
    pub downloads: downloads::DownloadKeys,
    pub limits: RateLimits,
}

impl Auth {
    pub fn new(jwt_secret: &[u8]) -> Self {
        Self {
            tokens: TokenKeys::from_secret(jwt_secret),
            downloads: downloads::DownloadKeys::from_secret(jwt_secret),
            limits: RateLimits::default(),
        }
    }
}

/// The fewest bytes a JWT signing secret may have.
pub const MIN_SECRET_BYTES: usize = 32;

/// The signing secret: the configured one, else the one kept in
/// `<data_dir>/jwt-secret` (generated on first start, so tokens survive
/// restarts).
pub fn load_jwt_secret(configured: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, String> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!("CAREERGRAPH_JWT_SECRET / --jwt-secret must be at least {MIN_SECRET_BYTES} bytes"));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= MIN_SECRET_BYTES => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => return Err(format!("{} holds a secret shorter than {MIN_SECRET_BYTES} bytes", path.display())),
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("cannot read {}: {err}", path.display()));
        }
        Err(_) => {}
    }
    let secret = secrets::random_token(48);
    write_private(&path, &secret).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a JWT signing secret");
    Ok(secret.into_bytes())
}

/// Writes `contents` to a new file only its owner can read.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}
