//! What the load examples (examples/bench.rs, benches/peer/driver.rs) share.

use serde_json::{Value, json};

/// Signs in over GraphQL and returns the access token.
pub async fn login(client: &reqwest::Client, url: &str, email: &str, password: &str) -> Result<String, String> {
    let body: Value = client
        .post(format!("{url}/graphql"))
        .json(&json!({ "query": "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
                       "variables": { "input": { "email": email, "password": password } } }))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    body["data"]["login"]["accessToken"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("cannot sign in as {email}: {body}"))
}
