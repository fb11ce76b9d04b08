//! The conventions every domain follows: ids, errors, userErrors, scalars,
//! pagination, validation and limits. Nothing here knows a domain, the viewer
//! or the request context; the schema roof assembles the domains.

pub mod budget;
pub mod db_enum;
pub mod documents;
pub mod errors;
pub mod ids;
pub mod input_guard;
pub mod limits;
pub mod link;
pub mod outcome;
pub mod pagination;
mod request_id;
pub mod scalars;
pub mod user_error;
pub mod validate;

pub use budget::{OutputBudget, Spending};
pub use errors::{ApiError, ErrorCode, RequestErrors};
pub use limits::QueryLimits;
pub use outcome::{Outcome, Payload, Refusal, respond};
pub(crate) use outcome::{payload, type_names};
pub use request_id::RequestId;
pub use user_error::{UserError, UserErrorCode};
