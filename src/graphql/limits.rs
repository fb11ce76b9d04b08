//! Query limits: depth, complexity, aliases and root fields, checked on the
//! parsed document before anything runs, so an oversized query never
//! reaches the database. Past a bound the request fails with
//! QUERY_TOO_COMPLEX and a message naming the bound and the overshoot.
//! Introspection can be switched off here too.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Value, Variables};

use super::ErrorCode;
use super::budget::OutputBudget;
use super::pagination::DEFAULT_PAGE_SIZE;

/// The bounds one server enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Deepest field nesting (root fields are depth 1).
    pub max_depth: usize,
    /// Most estimated work: every field costs 1, and the items of a
    /// connection (`edges`, `nodes`) or of `nodes(ids:)` cost as many times
    /// as the page (`first`/`last`, default 20) or the ids ask for.
    pub max_complexity: usize,
    /// Most aliased fields.
    pub max_aliases: usize,
    /// Most root fields in one operation.
    pub max_root_fields: usize,
    /// Whether `__schema` and `__type` may be queried.
    pub introspection: bool,
    /// How much a response may hold, counted while it runs.
    pub output: OutputBudget,
}

impl Default for QueryLimits {
    fn default() -> Self {
        // Depth 15 is what graphql-js's introspection query (GraphiQL's,
        // codegen's) needs: `__schema.types.fields.args.type` and nine
        // `ofType` levels.
        Self {
            max_depth: 15,
            max_complexity: 20_000,
            max_aliases: 30,
            max_root_fields: 20,
            introspection: true,
            output: OutputBudget::default(),
        }
    }
}

/// What a document asks for, measured.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Measure {
    depth: usize,
    complexity: usize,
    aliases: usize,
    root_fields: usize,
    directives: usize,
    introspection: bool,
}

/// How a selection set's fields repeat: once per item of a page.
#[derive(Debug, Clone, Copy)]
struct Repeat {
    items: usize,
    /// Every field repeats (the objects of `nodes(ids:)`), rather than only a
    /// connection's `edges` and `nodes`.
    every_field: bool,
}

const ONCE: Repeat = Repeat { items: 1, every_field: false };

/// Walks selection sets, expanding fragments.
struct Walker<'a> {
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Fragments being expanded, to stop on a cycle (validation reports it).
    expanding: Vec<&'a str>,
    aliases: usize,
    directives: usize,
    introspection: bool,
    /// Past this depth the walk stops: the query is refused anyway.
    give_up_at: usize,
    /// Selections visited so far; fragments can multiply them.
    steps: usize,
}

/// Most selections one measurement visits; past it the cost counts as
/// unbounded (fragments spread twice at every level would otherwise take
/// exponential time to measure).
const MAX_STEPS: usize = 100_000;

/// Most fragments spread inside one another; deeper chains are refused
/// (and would otherwise nest the walks as deep as the chain).
const MAX_FRAGMENT_NESTING: usize = 64;

/// Most directives on the selections of an operation, fragments expanded.
const MAX_DIRECTIVES: usize = 100;

impl<'a> Walker<'a> {
    /// The deepest depth and the cost of a selection set whose fields are at
    /// `depth`.
    fn selection_set(&mut self, set: &'a SelectionSet, depth: usize, repeat: Repeat) -> (usize, usize) {
        let mut deepest = 0;
        let mut cost: usize = 0;
        for selection in &set.items {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return (deepest.max(depth), usize::MAX);
            }
            self.directives += selection.node.directives().len();
            let (selection_depth, selection_cost) = match &selection.node {
                Selection::Field(field) => {
                    let (field_depth, field_cost) = self.field(&field.node, depth);
                    let per_item = repeat.every_field || matches!(field.node.name.node.as_str(), "edges" | "nodes");
                    (field_depth, if per_item { field_cost.saturating_mul(repeat.items) } else { field_cost })
                }
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node, depth, repeat)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match self.document.fragments.get(name) {
                        Some(fragment) if !self.expanding.contains(&name) => {
                            self.expanding.push(name);
                            let measured = self.selection_set(&fragment.node.selection_set.node, depth, repeat);
                            self.expanding.pop();
                            measured
                        }
                        _ => (0, 0),
                    }
                }
            };
            deepest = deepest.max(selection_depth);
            cost = cost.saturating_add(selection_cost);
        }
        (deepest, cost)
    }

    fn field(&mut self, field: &'a Field, depth: usize) -> (usize, usize) {
        let name = field.name.node.as_str();
        if field.alias.is_some() {
            self.aliases += 1;
        }
        if name == "__schema" || name == "__type" {
            // Measured like any other field: nested introspection can ask for
            // as much output as nested data (the output budget bounds it too).
            self.introspection = true;
        }
        if depth > self.give_up_at || field.selection_set.node.items.is_empty() {
            return (depth, 1);
        }
        let by_ids =
            self.argument(field, "ids").and_then(|ids| if let Value::List(ids) = ids { Some(ids.len()) } else { None });
        let repeat = match by_ids {
            Some(ids) => Repeat { items: ids, every_field: true },
            None => Repeat { items: self.page_size(field), every_field: false },
        };
        let (deepest, cost) = self.selection_set(&field.selection_set.node, depth + 1, repeat);
        (deepest.max(depth), cost.saturating_add(1))
    }

    /// An argument's value, with variables filled in.
    fn argument(&self, field: &Field, name: &str) -> Option<Value> {
        let value = field.get_argument(name)?.node.clone();
        value
            .into_const_with(|variable| Ok::<_, ()>(self.variables.get(&variable).cloned().unwrap_or(Value::Null)))
            .ok()
    }

    /// How many items a connection asks for: `first` or `last`, else the
    /// default page size.
    fn page_size(&self, field: &Field) -> usize {
        for name in ["first", "last"] {
            if let Some(Value::Number(number)) = self.argument(field, name) {
                return number.as_u64().and_then(|n| usize::try_from(n).ok()).unwrap_or(usize::MAX);
            }
        }
        usize::try_from(DEFAULT_PAGE_SIZE).unwrap_or(20)
    }
}

/// The fragments a selection set spreads directly (inside its fields and
/// inline fragments too).
fn spreads<'a>(set: &'a SelectionSet, found: &mut Vec<&'a str>) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => spreads(&field.node.selection_set.node, found),
            Selection::InlineFragment(fragment) => spreads(&fragment.node.selection_set.node, found),
            Selection::FragmentSpread(spread) => found.push(spread.node.fragment_name.node.as_str()),
        }
    }
}

/// A fragment that spreads itself (directly or through others), or a chain
/// of fragments spread more than [`MAX_FRAGMENT_NESTING`] deep. Validation
/// reports cycles too, but some of its rules would recurse forever on one
/// first; and once this passes, walks that expand spreads nest no deeper.
fn fragment_problem(document: &ExecutableDocument) -> Option<(ErrorCode, String)> {
    /// How far below each fragment spreads go: None while it is being visited.
    type Heights<'a> = std::collections::HashMap<&'a str, Option<usize>>;
    /// The height of `name`'s spreads, or the problem; `depth` is how many
    /// fragments enclose it, so the recursion never passes the bound.
    fn height<'a>(
        document: &'a ExecutableDocument,
        name: &'a str,
        heights: &mut Heights<'a>,
        depth: usize,
    ) -> Result<usize, (ErrorCode, String)> {
        match heights.get(name) {
            Some(Some(known)) => return Ok(*known),
            Some(None) => return Err((ErrorCode::BadUserInput, format!("The fragment \"{name}\" spreads itself"))),
            None => {}
        }
        let Some(fragment) = document.fragments.get(name) else { return Ok(0) };
        heights.insert(name, None);
        let mut direct = Vec::new();
        spreads(&fragment.node.selection_set.node, &mut direct);
        let mut own = 0;
        for next in direct {
            own = own.max(1 + height(document, next, heights, depth + 1)?);
            if depth + own > MAX_FRAGMENT_NESTING {
                let message = format!("Fragments are spread more than {MAX_FRAGMENT_NESTING} deep");
                return Err((ErrorCode::QueryTooComplex, message));
            }
        }
        heights.insert(name, Some(own));
        Ok(own)
    }
    let mut heights = Heights::new();
    document.fragments.keys().find_map(|name| height(document, name.as_str(), &mut heights, 0).err())
}

/// Measures every operation of `document` (the largest of each figure).
fn measure(document: &ExecutableDocument, variables: &Variables, give_up_at: usize) -> Measure {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![&operation.node],
        DocumentOperations::Multiple(operations) => operations.values().map(|operation| &operation.node).collect(),
    };
    let mut measure = Measure::default();
    for operation in operations {
        let mut walker = Walker {
            document,
            variables,
            expanding: Vec::new(),
            aliases: 0,
            directives: 0,
            introspection: false,
            give_up_at,
            steps: 0,
        };
        let (depth, complexity) = walker.selection_set(&operation.selection_set.node, 1, ONCE);
        let mut roots = Walker {
            document,
            variables,
            expanding: Vec::new(),
            aliases: 0,
            directives: 0,
            introspection: false,
            give_up_at: 1,
            steps: 0,
        };
        let root_fields = count_fields(&mut roots, &operation.selection_set.node);
        measure.depth = measure.depth.max(depth);
        measure.complexity = measure.complexity.max(complexity);
        measure.aliases = measure.aliases.max(walker.aliases);
        measure.root_fields = measure.root_fields.max(root_fields);
        measure.directives = measure.directives.max(walker.directives);
        measure.introspection |= walker.introspection;
    }
    measure
}

/// The fields a selection set selects, fragments expanded, `__typename` aside.
fn count_fields<'a>(walker: &mut Walker<'a>, set: &'a SelectionSet) -> usize {
    set.items
        .iter()
        .map(|selection| {
            walker.steps += 1;
            if walker.steps > MAX_STEPS {
                return 0;
            }
            match &selection.node {
                Selection::Field(field) => usize::from(field.node.name.node.as_str() != "__typename"),
                Selection::InlineFragment(fragment) => count_fields(walker, &fragment.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match walker.document.fragments.get(name) {
                        Some(fragment) if !walker.expanding.contains(&name) => {
                            walker.expanding.push(name);
                            let count = count_fields(walker, &fragment.node.selection_set.node);
                            walker.expanding.pop();
                            count
                        }
                        _ => 0,
                    }
                }
            }
        })
        .sum()
}

impl QueryLimits {
    /// How deep a measurement walks: far enough to report the depth of a
    /// query somewhat over the bound, never unboundedly far.
    fn give_up_at(&self) -> usize {
        self.max_depth.saturating_mul(2).max(32)
    }

    /// The first bound `measure` breaks, as the error to answer with.
    fn check(&self, measure: &Measure) -> Option<ServerError> {
        let over = |found: usize, limit: usize, sentence: &str| {
            let message = if found == usize::MAX {
                format!("{sentence}; the limit is {limit}")
            } else {
                format!("{sentence}; the limit is {limit} ({} over)", found - limit)
            };
            let mut error = ServerError::new(message, None);
            error.extensions.get_or_insert_with(Default::default).set("code", ErrorCode::QueryTooComplex.as_str());
            error
        };
        if measure.depth > self.give_up_at() {
            let sentence = format!("The query is more than {} levels deep", self.give_up_at());
            return Some(over(usize::MAX, self.max_depth, &sentence));
        }
        if measure.depth > self.max_depth {
            return Some(over(measure.depth, self.max_depth, &format!("The query is {} levels deep", measure.depth)));
        }
        if measure.complexity > self.max_complexity {
            let sentence = if measure.complexity == usize::MAX {
                "The query's complexity is beyond measure".to_owned()
            } else {
                format!("The query's complexity is {}", measure.complexity)
            };
            return Some(over(measure.complexity, self.max_complexity, &sentence));
        }
        if measure.aliases > self.max_aliases {
            return Some(over(
                measure.aliases,
                self.max_aliases,
                &format!("The query uses {} aliases", measure.aliases),
            ));
        }
        if measure.root_fields > self.max_root_fields {
            let sentence = format!("The query selects {} root fields", measure.root_fields);
            return Some(over(measure.root_fields, self.max_root_fields, &sentence));
        }
        if measure.directives > MAX_DIRECTIVES {
            let sentence = format!("The query uses {} directives", measure.directives);
            return Some(over(measure.directives, MAX_DIRECTIVES, &sentence));
        }
        if measure.introspection && !self.introspection {
            let mut error = ServerError::new("Introspection is switched off on this server", None);
            error.extensions.get_or_insert_with(Default::default).set("code", ErrorCode::Forbidden.as_str());
            return Some(error);
        }
        None
    }
}

impl QueryLimits {
    /// Refuses a parsed document (see [`parse_document`]) that passes a
    /// limit; the schema's request pipeline checks every document here.
    /// Page sizes may come from `variables`, so this runs on every request,
    /// also for a document parsed before.
    pub fn check_document(&self, document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
        match self.check(&measure(document, variables, self.give_up_at())) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Parses a document and refuses fragments that spread themselves or nest
/// too deep: what can be known of its text alone, whatever the variables.
///
/// The document is parsed here rather than by async-graphql's own parse
/// step, which checks recursion depth by expanding every fragment spread
/// anew: exponential time on fragments that spread the next one twice.
/// The parser bounds its own nesting.
pub fn parse_document(query: &str) -> ServerResult<ExecutableDocument> {
    let document = async_graphql::parser::parse_query(query).map_err(ServerError::from)?;
    if let Some((code, message)) = fragment_problem(&document) {
        let mut error = ServerError::new(message, None);
        error.extensions.get_or_insert_with(Default::default).set("code", code.as_str());
        return Err(error);
    }
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(query: &str, variables: serde_json::Value) -> Measure {
        let document = async_graphql::parser::parse_query(query).unwrap();
        measure(&document, &Variables::from_json(variables), 100)
    }

    #[test]
    fn depth_counts_fields_through_fragments() {
        let query = "query { viewer { ...V } } fragment V on User { applications { nodes { job { title } } } }";
        assert_eq!(measured(query, serde_json::json!({})).depth, 5);
        // A cycle stops rather than loops (validation refuses it later).
        let cyclic = "query { viewer { ...A } } fragment A on User { ...B } fragment B on User { ...A }";
        assert_eq!(measured(cyclic, serde_json::json!({})).depth, 1);
        // Fragments that double at every level are measured in bounded time.
        let mut bomb = String::from("query { viewer { ...F0 } }");
        for level in 0..40 {
            bomb.push_str(&format!(
                " fragment F{level} on User {{ a: id ...F{next} b: id ...F{next} }}",
                next = level + 1
            ));
        }
        bomb.push_str(" fragment F40 on User { id }");
        assert_eq!(measured(&bomb, serde_json::json!({})).complexity, usize::MAX);
        let root_bomb = bomb.replace("query { viewer { ...F0 } }", "query { ...F0 }").replace("on User", "on Query");
        assert_eq!(measured(&root_bomb, serde_json::json!({})).complexity, usize::MAX);
    }

    #[test]
    fn complexity_multiplies_connection_items_by_the_page() {
        // viewer 1 + applications (1 + totalCount 1 + 50 × nodes (1 + status 1 + job (1 + title 1)))
        let query =
            "query($n: Int) { viewer { applications(first: $n) { totalCount nodes { status job { title } } } } }";
        assert_eq!(measured(query, serde_json::json!({ "n": 50 })).complexity, 1 + 1 + 1 + 50 * 4);
        // Without first/last, the default page of 20.
        let default = "{ jobs { edges { node { id } } } }";
        assert_eq!(measured(default, serde_json::json!({})).complexity, 1 + 20 * 3);
        // nodes(ids:) repeats each selected field per id.
        let by_ids = r#"{ nodes(ids: ["a", "b", "c"]) { id ... on Job { title } } }"#;
        assert_eq!(measured(by_ids, serde_json::json!({})).complexity, 1 + 3 * 2);
        // Introspection is measured like data, its lists counted once.
        let introspection = measured("{ __schema { types { fields { name } } } }", serde_json::json!({}));
        assert_eq!((introspection.depth, introspection.complexity, introspection.introspection), (4, 4, true));
    }

    #[test]
    fn fragment_cycles_and_deep_chains_are_found_before_anything_recurses_on_them() {
        let problem = |query: &str| fragment_problem(&async_graphql::parser::parse_query(query).unwrap());
        let cyclic = problem("{ ...A } fragment A on Query { ...B } fragment B on Query { viewer { ...A } }");
        assert!(cyclic.is_some_and(|(code, message)| code == ErrorCode::BadUserInput && message.contains("itself")));
        // Unused fragments are walked too.
        assert!(problem("{ __typename } fragment A on Query { ... on Query { ...A } }").is_some());
        assert_eq!(problem("{ ...A ...B } fragment A on Query { ...B } fragment B on Query { __typename }"), None);
        // A chain is measured whole, whichever fragment the walk starts from.
        let chain = |length: usize| {
            let mut chain = String::from("{ ...F0 }");
            for level in 0..length {
                chain.push_str(&format!(" fragment F{level} on Query {{ ...F{} }}", level + 1));
            }
            chain + &format!(" fragment F{length} on Query {{ __typename }}")
        };
        assert_eq!(problem(&chain(MAX_FRAGMENT_NESTING)), None);
        for _ in 0..5 {
            let found = problem(&chain(MAX_FRAGMENT_NESTING + 1));
            assert!(
                found.is_some_and(|(code, message)| code == ErrorCode::QueryTooComplex && message.contains("deep"))
            );
        }
    }

    #[test]
    fn aliases_and_root_fields_are_counted() {
        let measure = measured(
            "{ a: viewer { id } b: viewer { id } __typename ...F } fragment F on Query { viewer { id } }",
            serde_json::json!({}),
        );
        assert_eq!((measure.aliases, measure.root_fields), (2, 3));
    }

    #[test]
    fn the_first_broken_bound_is_named_with_its_overshoot() {
        let limits = QueryLimits { max_depth: 3, ..QueryLimits::default() };
        let error = limits.check(&Measure { depth: 5, ..Measure::default() }).unwrap();
        assert_eq!(error.message, "The query is 5 levels deep; the limit is 3 (2 over)");
        let closed = QueryLimits { introspection: false, ..QueryLimits::default() };
        assert!(closed.check(&Measure { introspection: true, ..Measure::default() }).is_some());
        assert!(QueryLimits::default().check(&Measure::default()).is_none());
    }
}
