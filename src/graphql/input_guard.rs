//! Refuses, for every operation and in one place, input text PostgreSQL
//! cannot store: a NUL character (U+0000) anywhere in the variables or in
//! the document's literals. Lone surrogates never get this far: JSON
//! parsing (HTTP bodies, WebSocket messages) and the GraphQL parser refuse
//! them. Lengths are checked per field by the mutations (`validate.rs`),
//! dates by the scalars, and what still slips through is classified by
//! `ApiError::from(diesel::result::Error)`, never as internal.

use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, Value as ConstValue, Variables};
// The document's own values, which may hold variables.
use async_graphql_value::Value;

use super::ErrorCode;

/// Refuses a parsed document whose variables or literals hold a NUL; the
/// schema's request pipeline calls it once the document is parsed.
pub fn check(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    if let Some(at) = variables.iter().find_map(|(name, value)| nul_in_const(value, format!("${name}"))) {
        return Err(refusal(&format!("variable `{at}`")));
    }
    if let Some(at) = nul_in_document(document) {
        return Err(refusal(&format!("the argument `{at}`")));
    }
    Ok(())
}

fn refusal(place: &str) -> ServerError {
    let mut error = ServerError::new(
        format!("The text of {place} contains a NUL character (U+0000), which cannot be stored; remove it"),
        None,
    );
    error.extensions.get_or_insert_with(Default::default).set("code", ErrorCode::BadUserInput.as_str());
    error
}

/// The path below `at` of the first text holding a NUL, in a variable.
fn nul_in_const(value: &ConstValue, at: String) -> Option<String> {
    match value {
        ConstValue::String(text) => text.contains('\0').then_some(at),
        ConstValue::List(items) => {
            items.iter().enumerate().find_map(|(index, item)| nul_in_const(item, format!("{at}.{index}")))
        }
        ConstValue::Object(fields) => {
            fields.iter().find_map(|(name, field)| nul_in_const(field, format!("{at}.{name}")))
        }
        _ => None,
    }
}

/// The same, in a literal of the document (its variables, checked on
/// their own, stand for nothing here).
fn nul_in_literal(value: &Value, at: String) -> Option<String> {
    let literal = value.clone().into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null)).ok()?;
    nul_in_const(&literal, at)
}

/// The first argument (`field.argument.path`) whose literal holds a NUL,
/// in any operation or fragment, directives and variable defaults included.
fn nul_in_document(document: &ExecutableDocument) -> Option<String> {
    let operations = document.operations.iter().map(|(_, operation)| &operation.node);
    for operation in operations {
        for definition in &operation.variable_definitions {
            let name = &definition.node.name.node;
            if let Some(at) =
                definition.node.default_value.as_ref().and_then(|value| nul_in_const(&value.node, format!("${name}")))
            {
                return Some(at);
            }
        }
        if let Some(at) = nul_in_directives(&operation.directives, "operation")
            .or_else(|| nul_in_selection_set(&operation.selection_set.node))
        {
            return Some(at);
        }
    }
    document.fragments.values().find_map(|fragment| {
        nul_in_directives(&fragment.node.directives, "fragment")
            .or_else(|| nul_in_selection_set(&fragment.node.selection_set.node))
    })
}

fn nul_in_selection_set(set: &SelectionSet) -> Option<String> {
    set.items.iter().find_map(|selection| match &selection.node {
        Selection::Field(field) => {
            let field = &field.node;
            let name = field.name.node.as_str();
            field
                .arguments
                .iter()
                .find_map(|(argument, value)| nul_in_literal(&value.node, format!("{name}.{}", argument.node)))
                .or_else(|| nul_in_directives(&field.directives, name))
                .or_else(|| nul_in_selection_set(&field.selection_set.node))
        }
        Selection::InlineFragment(fragment) => nul_in_directives(&fragment.node.directives, "fragment")
            .or_else(|| nul_in_selection_set(&fragment.node.selection_set.node)),
        Selection::FragmentSpread(spread) => nul_in_directives(&spread.node.directives, "fragment"),
    })
}

fn nul_in_directives(directives: &[Positioned<Directive>], owner: &str) -> Option<String> {
    directives.iter().find_map(|directive| {
        let directive = &directive.node;
        directive.arguments.iter().find_map(|(argument, value)| {
            nul_in_literal(&value.node, format!("{owner}.@{}.{}", directive.name.node, argument.node))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_wherever_text_goes() {
        let variables =
            Variables::from_json(serde_json::json!({ "input": { "tags": ["ok", "a\u{0}b"] }, "fine": "text" }));
        let found = variables.iter().find_map(|(name, value)| nul_in_const(value, format!("${name}")));
        assert_eq!(found.as_deref(), Some("$input.tags.1"));

        let document = async_graphql::parser::parse_query(
            r#"query($q: String = "x") { jobs(filter: { query: "x\u0000y" }) { totalCount } }"#,
        )
        .unwrap();
        assert_eq!(nul_in_document(&document).as_deref(), Some("jobs.filter.query"));
        let in_fragment = async_graphql::parser::parse_query(
            r#"{ ...F } fragment F on Query { viewer @include(if: true) { id } node(id: "\u0000") { id } }"#,
        )
        .unwrap();
        assert_eq!(nul_in_document(&in_fragment).as_deref(), Some("node.id"));
        let clean =
            async_graphql::parser::parse_query(r#"{ jobs(filter: { query: "rust" }) { totalCount } }"#).unwrap();
        assert_eq!(nul_in_document(&clean), None);
    }
}
