//! Requests that put a NUL character (U+0000) into every text a route takes, built from
//! the service's own OpenAPI document so a route added later is probed too: each string
//! query parameter on its own, and a JSON body whose every string field holds one (other
//! fields get a plausible value, so the body gets as far as the handler would take it).

use serde_json::{json, Map, Value};

/// One request to send.
#[derive(Debug, Clone)]
pub struct Probe {
    pub method: String,
    /// The path with its parameters filled in, and a query string if the probe is one.
    pub path: String,
    pub body: Option<Value>,
}

const NUL_TEXT: &str = "x\u{0}y";

/// Every probe for `doc`; `fill` gives the value of a path parameter by its name.
pub fn probes(doc: &Value, fill: impl Fn(&str) -> String) -> Vec<Probe> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (template, item) in paths {
        let path = fill_path(template, &fill);
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["in"] == "query" && is_free_text(doc, &param["schema"]) {
                    let name = param["name"].as_str().unwrap_or_default();
                    out.push(Probe {
                        method: method.to_uppercase(),
                        path: format!("{path}?{name}=x%00y"),
                        body: None,
                    });
                }
            }
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            if !schema.is_null() {
                out.push(Probe {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    body: Some(sample(doc, schema, 0)),
                });
            }
        }
    }
    out
}

fn fill_path(template: &str, fill: &impl Fn(&str) -> String) -> String {
    template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => fill(name),
                None => seg.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// The schema's type, `null` aside (`["string", "null"]` is a string).
fn kind(schema: &Value) -> &str {
    match &schema["type"] {
        Value::String(t) => t,
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or(""),
        _ => "",
    }
}

fn is_free_text(doc: &Value, schema: &Value) -> bool {
    let s = resolve(doc, schema);
    kind(s) == "string" && s["format"].is_null() && s["enum"].is_null()
}

/// A value for `schema` with NUL in every free text; depth-bounded against recursion.
fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    let s = resolve(doc, schema);
    if depth > 6 {
        return Value::Null;
    }
    if let Some(first) = s["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for any in ["oneOf", "anyOf", "allOf"] {
        if let Some(alt) = s[any]
            .as_array()
            .and_then(|a| a.iter().find(|x| kind(resolve(doc, x)) != "null"))
        {
            return sample(doc, alt, depth + 1);
        }
    }
    match kind(s) {
        "object" | "" if s["properties"].is_object() => {
            let mut obj = Map::new();
            for (name, prop) in s["properties"].as_object().into_iter().flatten() {
                obj.insert(name.clone(), sample(doc, prop, depth + 1));
            }
            Value::Object(obj)
        }
        "string" => match s["format"].as_str() {
            Some("uuid") => json!("00000000-0000-4000-8000-000000000001"),
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            Some("date") => json!("2026-01-01"),
            _ => json!(NUL_TEXT),
        },
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        "array" => json!([sample(doc, &s["items"], depth + 1)]),
        _ => json!(NUL_TEXT),
    }
}

/// The service's OpenAPI document, which the probes are built from.
pub async fn openapi(base: &str) -> Value {
    let url = format!("{base}/v1/openapi.json");
    let res = reqwest::get(url).await.expect("openapi request");
    res.json().await.expect("openapi json")
}

/// Sends every probe with `bearer`, and panics listing each that was not refused with a
/// 4xx problem+json.
pub async fn assert_refused(http: &reqwest::Client, base: &str, probes: &[Probe], bearer: &str) {
    let wrong = not_refused(http, base, probes, bearer).await;
    assert!(
        wrong.is_empty(),
        "not refused with a 4xx problem+json:\n{}",
        wrong.join("\n")
    );
}

async fn not_refused(
    http: &reqwest::Client,
    base: &str,
    probes: &[Probe],
    bearer: &str,
) -> Vec<String> {
    let mut wrong = Vec::new();
    for p in probes {
        let method =
            reqwest::Method::from_bytes(p.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = http
            .request(method, format!("{base}{}", p.path))
            .bearer_auth(bearer);
        if let Some(body) = &p.body {
            req = req.json(body);
        }
        let res = match req.send().await {
            Ok(res) => res,
            Err(e) => {
                wrong.push(format!("{} {}: {e}", p.method, p.path));
                continue;
            }
        };
        let status = res.status();
        let problem = res
            .headers()
            .get("content-type")
            .is_some_and(|v| v == "application/problem+json");
        if !status.is_client_error() || !problem {
            let text = res.text().await.unwrap_or_default();
            wrong.push(format!(
                "{} {} {:?}: {status} {text}",
                p.method, p.path, p.body
            ));
        }
    }
    wrong
}
