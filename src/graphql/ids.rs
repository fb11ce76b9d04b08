//! Opaque global ids: every `Node` is addressed by one string that names its
//! type and row, so `node(id:)` can fetch any object. Clients must treat them
//! as opaque; the encoding (base64url of `Type:uuid`) may change.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::errors::ApiError;

/// The global id of row `id` of GraphQL type `type_name`.
pub fn encode(type_name: &str, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{}", id.simple())))
}

/// The type name and row id inside a global id, if it is one.
pub fn decode(id: &str) -> Option<(String, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (type_name, uuid) = text.split_once(':')?;
    Some((type_name.to_owned(), Uuid::try_parse(uuid).ok()?))
}

/// The row id inside a global id that must name a `type_name`. Anything else
/// is NOT_FOUND, exactly as an id that names no row.
pub fn decode_as(id: &ID, type_name: &str) -> Result<Uuid, ApiError> {
    match decode(id) {
        Some((found, uuid)) if found == type_name => Ok(uuid),
        _ => Err(not_found(id)),
    }
}

/// The error for an id that resolves to nothing the viewer may see.
pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Could not resolve to a node with the global id of '{id}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let uuid = Uuid::now_v7();
        let id = encode("Company", uuid);
        assert_eq!(decode(&id), Some(("Company".to_owned(), uuid)));
        assert_eq!(decode_as(&id, "Company").ok(), Some(uuid));
        assert!(decode_as(&id, "Job").is_err());
        assert_eq!(decode("not an id"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Company:123")), None);
    }
}
