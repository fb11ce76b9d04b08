//! How a mutation ends. Its body returns an [`Outcome`]: the row it wrote, or
//! a [`Refusal`] — user errors for the payload's `userErrors`, or an
//! [`ApiError`] for a top-level error. The database's and the pool's errors
//! convert with `?`, so a transaction body reads straight through, and a
//! refusal inside a transaction rolls it back. [`respond`] is the one place
//! an outcome becomes a payload or a top-level error.

use super::{ApiError, UserError};

/// Why a mutation did not happen.
#[derive(Debug)]
pub enum Refusal {
    /// What the user can fix: the payload's `userErrors`, the request
    /// succeeds.
    User(Vec<UserError>),
    /// A top-level error (NOT_FOUND, FORBIDDEN, an outage, a bug).
    Api(ApiError),
}

/// What a mutation's body returns.
pub type Outcome<T> = Result<T, Refusal>;

impl Refusal {
    /// The refusal of a lookup through a related object (an interview's
    /// application, a question's kit), with a NOT_FOUND naming `id`, the id
    /// the client asked about, rather than the related one.
    pub fn naming(self, id: &str) -> Self {
        match self {
            Self::Api(ApiError::Public { code: super::ErrorCode::NotFound, .. }) => {
                Self::Api(super::ids::not_found(id))
            }
            other => other,
        }
    }
}

impl From<UserError> for Refusal {
    fn from(error: UserError) -> Self {
        Self::User(vec![error])
    }
}

impl From<Vec<UserError>> for Refusal {
    fn from(errors: Vec<UserError>) -> Self {
        Self::User(errors)
    }
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<diesel::result::Error> for Refusal {
    fn from(error: diesel::result::Error) -> Self {
        Self::Api(error.into())
    }
}

impl From<crate::db::CheckoutError> for Refusal {
    fn from(error: crate::db::CheckoutError) -> Self {
        Self::Api(error.into())
    }
}

/// A mutation's payload: the object it changed, or the user errors that
/// refused the change. Declared with [`payload!`](crate::graphql::payload).
pub trait Payload: Sized {
    /// What a successful mutation returns the payload from (usually a row).
    type Saved;
    fn saved(saved: Self::Saved) -> Self;
    fn refused(user_errors: Vec<UserError>) -> Self;
}

/// The payload of `outcome`, or its top-level error.
pub fn respond<P: Payload>(outcome: Outcome<P::Saved>) -> Result<P, ApiError> {
    match outcome {
        Ok(saved) => Ok(P::saved(saved)),
        Err(Refusal::User(errors)) => Ok(P::refused(errors)),
        Err(Refusal::Api(error)) => Err(error),
    }
}

/// Declares a mutation payload: the changed object (null when refused) and
/// `userErrors`, with its [`Payload`] impl.
///
/// `payload!(Name, "doc", field: Node(Row), "field doc", "userErrors doc")`
/// makes `field: Option<Node>` built as `Node(row)` (`field: Node::from(Row)`
/// builds it with `Node::from`); `Name named "GraphQLName"`
/// gives the type another GraphQL name than its Rust one.
macro_rules! payload {
    ($name:ident, $doc:literal, $field:ident: $node:ident $(:: $make:ident)? ($saved:ty), $field_doc:literal, $errors_doc:literal) => {
        $crate::graphql::payload!($name named stringify!($name), $doc, $field: $node $(:: $make)? ($saved), $field_doc, $errors_doc);
    };
    ($name:ident named $type_name:expr, $doc:literal, $field:ident: $node:ident $(:: $make:ident)? ($saved:ty), $field_doc:literal, $errors_doc:literal) => {
        #[doc = $doc]
        #[derive(async_graphql::SimpleObject)]
        #[graphql(name_type)]
        pub struct $name {
            #[doc = $field_doc]
            pub $field: Option<$node>,
            #[doc = $errors_doc]
            pub user_errors: Vec<$crate::graphql::UserError>,
        }

        $crate::graphql::type_names! { $name => $type_name; }

        impl $crate::graphql::outcome::Payload for $name {
            type Saved = $saved;

            fn saved(saved: $saved) -> Self {
                Self { $field: Some($node $(:: $make)? (saved)), user_errors: Vec::new() }
            }

            fn refused(user_errors: Vec<$crate::graphql::UserError>) -> Self {
                Self { $field: None, user_errors }
            }
        }
    };
}

pub(crate) use payload;

/// GraphQL names for types declared with `#[graphql(name_type)]`, for
/// types a macro declares under one Rust name in many modules:
/// `type_names! { AddInput => concat!("Add", "Skill", "Input"); }`.
macro_rules! type_names {
    ($($type:ident => $name:expr;)*) => {
        $(impl async_graphql::TypeName for $type {
            fn type_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($name)
            }
        })*
    };
}

pub(crate) use type_names;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::{ErrorCode, UserErrorCode};

    pub struct Wrapper(u32);

    #[async_graphql::Object]
    impl Wrapper {
        async fn value(&self) -> u32 {
            self.0
        }
    }

    payload!(Example, "An example.", item: Wrapper(u32), "The item.", "Why.");

    fn refused() -> UserError {
        UserError::new(&["input"], UserErrorCode::Invalid, "no")
    }

    #[test]
    fn user_errors_fill_the_payload_and_api_errors_stay_top_level() {
        let saved: Example = respond(Ok(7)).unwrap();
        assert_eq!(saved.item.map(|item| item.0), Some(7));
        assert!(saved.user_errors.is_empty());

        let refused: Example = respond(Err(refused().into())).unwrap();
        assert!(refused.item.is_none());
        assert_eq!(refused.user_errors, vec![self::refused()]);

        let failed = respond::<Example>(Err(ApiError::not_found("gone").into()));
        assert!(matches!(failed, Err(ApiError::Public { code: ErrorCode::NotFound, .. })));
    }

    #[test]
    fn database_errors_are_top_level() {
        let refusal = Refusal::from(diesel::result::Error::NotFound);
        assert!(matches!(refusal, Refusal::Api(_)));
    }
}
