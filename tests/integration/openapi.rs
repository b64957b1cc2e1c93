//! The committed OpenAPI document is exactly what the code generates, and complete.
//!
//! After changing an endpoint: `cargo run -- openapi > openapi/openapi.json`.

use crate::common;

use serde_json::Value;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_spec_matches_the_code() {
    let generated = folio::startup::spec_json().expect("spec");
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json` and commit it"
    );
}

fn spec() -> Value {
    serde_json::from_str(COMMITTED).expect("committed spec is JSON")
}

#[test]
fn spec_is_openapi_3_1() {
    assert_eq!(spec()["openapi"], "3.1.0");
}

#[test]
fn every_operation_is_documented() {
    let spec = spec();
    let mut operation_ids = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let here = format!("{} {path}", method.to_uppercase());
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{here}: no operationId"));
            operation_ids.push(id.to_owned());
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{here}: no summary"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{here}: no success response"
            );
            assert!(responses.contains_key("500"), "{here}: no 500 response");
            if path.starts_with("/v1/") {
                assert!(op["security"].is_array(), "{here}: no security requirement");
                assert!(responses.contains_key("401"), "{here}: no 401 response");
            }
            if method != "get" {
                assert!(responses.contains_key("403"), "{here}: no 403 response");
            }
            // Optional parameters may go without: Swagger UI fills "Try it out" with
            // examples, and an optional filter's example narrows the first request.
            let needs_example =
                |p: &Value| p["in"] == "path" || p["required"].as_bool() == Some(true);
            for parameter in op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| needs_example(p))
            {
                let schema = &parameter["schema"];
                assert!(
                    parameter.get("example").is_some()
                        || schema.get("example").is_some()
                        || schema.get("examples").is_some(),
                    "{here}: parameter {} has no example",
                    parameter["name"]
                );
            }
            if matches!(method.as_str(), "patch" | "delete") && path.contains("{slug}") {
                assert!(responses.contains_key("412"), "{here}: no 412 response");
            }
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("422"), "{here}: no 422 response");
                // Each object a body may be (JSON, a form) shows an example; a file is bytes.
                for content in op["requestBody"]["content"].as_object().unwrap().values() {
                    let Some(reference) = content["schema"]["$ref"].as_str() else {
                        continue;
                    };
                    let name = reference.rsplit('/').next().unwrap();
                    let schema = &spec["components"]["schemas"][name];
                    if schema["type"] != "object" {
                        continue;
                    }
                    assert!(
                        schema["example"].is_object(),
                        "{here}: request schema {name} has no example"
                    );
                }
            }
        }
    }
    let mut unique = operation_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), operation_ids.len(), "operationIds are unique");
    assert_eq!(operation_ids.len(), 62);
}

#[test]
fn errors_are_problem_documents() {
    let spec = spec();
    let responses = spec["components"]["responses"].as_object().unwrap();
    for (name, response) in responses {
        let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
        assert_eq!(schema, "#/components/schemas/Problem", "{name}");
    }
    assert!(spec["components"]["schemas"]["Problem"]["example"].is_object());
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let spec = spec();
    let mut refs = Vec::new();
    collect_refs(&spec, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference.strip_prefix('#').expect("local reference");
        assert!(
            spec.pointer(pointer).is_some(),
            "{reference} does not resolve"
        );
    }
}

#[test]
fn url_fields_document_the_pattern_the_server_checks() {
    let spec = spec();
    assert_eq!(
        spec["components"]["schemas"]["WebUrl"]["pattern"],
        folio::api::input::WEB_URL_PATTERN
    );
    for schema in ["AuthorCreate", "AuthorUpdate"] {
        let field = &spec["components"]["schemas"][schema]["properties"]["avatar_url"];
        assert_eq!(
            field["oneOf"][1]["$ref"], "#/components/schemas/WebUrl",
            "{schema}"
        );
    }
}

#[test]
fn language_fields_document_the_rule_the_server_checks() {
    let spec = spec();
    assert_eq!(
        spec["components"]["schemas"]["LanguageTag"]["pattern"],
        folio::content::language::LANGUAGE_PATTERN
    );
    // Every `language` a body, a response or a query string carries is that
    // schema; but a code block's, which names a programming language (```rust).
    let mut fields = Vec::new();
    for (name, schema) in spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| *name != "Code")
    {
        if let Some(field) = schema.pointer("/properties/language") {
            fields.push((name.clone(), field.clone()));
        }
    }
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let parameters = operation["parameters"].as_array().into_iter().flatten();
            for parameter in parameters.filter(|p| p["name"] == "language") {
                fields.push((format!("{method} {path}"), parameter["schema"].clone()));
            }
        }
    }
    assert!(fields.len() > 10, "{fields:?}");
    for (place, field) in fields {
        let mut refs = Vec::new();
        collect_refs(&field, &mut refs);
        assert!(
            refs.iter().any(|r| r == "#/components/schemas/LanguageTag"),
            "{place}: {field}"
        );
    }
}

/// What Swagger UI's "Try it out" sends on first click: every parameter that has an
/// example, filled with it. Against the demo content, every read answers 2xx.
#[test]
fn try_it_out_works_with_the_examples() {
    // The examples ask for a size of the demo's picture too.
    let app = common::TestApp::spawn_with(common::TestDb::sqlite(), |s| {
        s.assets.arbitrary_sizes = true
    });
    let mut config = folio::config::Config::from_env().expect("configuration");
    config.assets.store = app.assets.clone();
    folio::demo::load(&app.db, &config).expect("demo content");
    // Webhooks are not demo content: make the one the examples name.
    let subscription = serde_json::json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]});
    app.request(
        reqwest::Method::POST,
        "/v1/webhooks",
        Some(&app.admin_token),
        Some(&subscription),
    )
    .expect(201);
    let spec = spec();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        // An event stream never ends; tests/integration/stream.rs reads it.
        if op["responses"]["200"]["content"]
            .get("text/event-stream")
            .is_some()
        {
            continue;
        }
        let mut target = path.clone();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            let Some(example) = parameter.get("example") else {
                continue;
            };
            let value = match example {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            let name = parameter["name"].as_str().unwrap();
            match parameter["in"].as_str().unwrap() {
                "path" => target = target.replace(&format!("{{{name}}}"), &value),
                "query" => query.push(format!("{name}={}", common::urlencode(&value))),
                _ => headers.push((name.to_owned(), value)),
            }
        }
        if !query.is_empty() {
            target = format!("{target}?{}", query.join("&"));
        }
        let public = op["security"].as_array().is_none_or(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
        });
        let token = (!public).then_some(app.admin_token.as_str());
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let res = app.request_with(reqwest::Method::GET, &target, token, None, &headers);
        assert!(
            (200..300).contains(&res.status),
            "GET {target} answered {}: {}",
            res.status,
            res.text
        );
    }
}

/// The role each operation documents is the one the server enforces: without a
/// token 401, with a weaker one 403, with that one never either (a handler's
/// `Authorized` extractor and its `security` are written apart, so this keeps them
/// together). Operations without a role answer without a token.
#[test]
fn documented_roles_are_enforced() {
    let app = common::TestApp::spawn(common::TestDb::sqlite());
    let spec = spec();
    let tokens = [
        ("read", app.read_token.as_str()),
        ("write", app.write_token.as_str()),
        ("admin", app.admin_token.as_str()),
    ];
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            // Nothing these paths name exists: a request that gets past the
            // check changes nothing (the admin token must not revoke itself).
            let mut target = path.clone();
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "path" {
                    let name = parameter["name"].as_str().unwrap();
                    let absent = if parameter["schema"]["type"] == "integer" {
                        "999999"
                    } else {
                        "no-such-thing"
                    };
                    target = target.replace(&format!("{{{name}}}"), absent);
                }
            }
            let security = op["security"]
                .as_array()
                .expect("every operation states its security");
            let role = op["x-required-scope"].as_str();
            let public = security
                .iter()
                .any(|r| r.as_object().is_some_and(|r| r.is_empty()));
            if op["responses"]["200"]["content"]
                .get("text/event-stream")
                .is_some()
            {
                continue;
            }
            let status =
                |token: Option<&str>| app.request(method.clone(), &target, token, None).status;
            match role {
                Some(role) => {
                    assert!(!public, "{method} {path} needs {role} yet is marked public");
                    assert_eq!(status(None), 401, "{method} {path} without a token");
                    let rank = tokens
                        .iter()
                        .position(|(r, _)| *r == role)
                        .expect("a known role");
                    if rank > 0 {
                        assert_eq!(
                            status(Some(tokens[rank - 1].1)),
                            403,
                            "{method} {path} with a weaker token"
                        );
                    }
                    let allowed = status(Some(tokens[rank].1));
                    assert!(
                        ![401, 403].contains(&allowed),
                        "{method} {path} refused its own role: {allowed}"
                    );
                }
                None => {
                    assert!(
                        public,
                        "{method} {path} has neither a role nor public access"
                    );
                    let anonymous = status(None);
                    assert!(
                        ![401, 403].contains(&anonymous),
                        "{method} {path} is documented public: {anonymous}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} operations checked");
}
