//! Funnels: ordered steps, each an event name, a route template or a property value.
//! Steps arrive as JSON and are checked one by one, so a malformed step is refused with
//! its index and field instead of being ignored.
//!
//! A user enters at their first step-1 event in the range; each later step counts at its
//! first matching event at or after the previous step's, within `window_s` of entering.
//! That gives each step a time, hence the median time to convert. Written with arrays
//! rather than `windowFunnel`, which gives levels but no times; both ClickHouse 18.16
//! and current releases run it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{
    clickhouse::quote,
    event::{valid_name, MAX_PROP_KEY, MAX_PROP_VALUE},
    query::{invalid, QueryError, Scope},
    route,
};

pub const MAX_STEPS: usize = 8;
pub const DEFAULT_WINDOW_S: u32 = 7 * 86_400;
pub const MAX_WINDOW_S: u32 = 90 * 86_400;

/// One step. `property` may also name the event it must be on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Step {
    /// An event of this name, such as `customer_created`.
    Event { name: String },
    /// A page view of this route template, such as `/customers/:id`.
    Path { route: String },
    /// An event whose property `key` has `value`, of event `name` if given.
    Property {
        key: String,
        value: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

/// The fields of `obj` as strings, refusing any field `kind` does not have.
struct Fields<'a> {
    at: String,
    obj: &'a Map<String, Value>,
}

impl Fields<'_> {
    fn only(&self, kind: &str, allowed: &[&str]) -> Result<(), QueryError> {
        match self
            .obj
            .keys()
            .find(|k| *k != "kind" && !allowed.contains(&k.as_str()))
        {
            Some(k) => Err(invalid(
                format!("{}.{k}", self.at),
                format!("is not a field of a `{kind}` step"),
            )),
            None => Ok(()),
        }
    }

    fn opt(&self, field: &str) -> Result<Option<String>, QueryError> {
        match self.obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(format!("{}.{field}", self.at), "must be a string")),
        }
    }

    fn req(&self, field: &str) -> Result<String, QueryError> {
        self.opt(field)?
            .ok_or_else(|| invalid(format!("{}.{field}", self.at), "is required"))
    }

    fn name(&self, name: String) -> Result<String, QueryError> {
        if !valid_name(&name) {
            return Err(invalid(
                format!("{}.name", self.at),
                "must match [a-z][a-z0-9_]* and be at most 64 characters",
            ));
        }
        Ok(name)
    }
}

impl Step {
    /// Step `index` of a request, checked field by field.
    pub fn parse(index: usize, v: &Value) -> Result<Self, QueryError> {
        let at = format!("steps[{index}]");
        let Value::Object(obj) = v else {
            return Err(invalid(at, "must be an object with a `kind`"));
        };
        let f = Fields { at, obj };
        let kind = f.opt("kind")?.unwrap_or_default();
        match kind.as_str() {
            "event" => {
                f.only("event", &["name"])?;
                Ok(Self::Event {
                    name: f.name(f.req("name")?)?,
                })
            }
            "path" => {
                f.only("path", &["route"])?;
                let route = f.req("route")?;
                route::check(&route).map_err(|m| invalid(format!("{}.route", f.at), m))?;
                Ok(Self::Path { route })
            }
            "property" => {
                f.only("property", &["key", "value", "name"])?;
                let key = f.req("key")?;
                if key.is_empty() || key.len() > MAX_PROP_KEY {
                    return Err(invalid(format!("{}.key", f.at), "must be 1 to 64 bytes"));
                }
                let value = f.req("value")?;
                if value.len() > MAX_PROP_VALUE {
                    return Err(invalid(
                        format!("{}.value", f.at),
                        "must be at most 1024 bytes",
                    ));
                }
                let name = f.opt("name")?.map(|n| f.name(n)).transpose()?;
                Ok(Self::Property { key, value, name })
            }
            _ => Err(invalid(
                format!("{}.kind", f.at),
                "must be `event`, `path` or `property`",
            )),
        }
    }

    fn condition(&self) -> String {
        match self {
            Self::Event { name } => format!("name = {}", quote(name)),
            Self::Path { route } => {
                format!("name = 'pageview' AND {} = {}", route::sql(), quote(route))
            }
            Self::Property { key, value, name } => {
                let mut c = format!(
                    "has(prop_keys, {k}) AND prop_values[indexOf(prop_keys, {k})] = {}",
                    quote(value),
                    k = quote(key)
                );
                if let Some(n) = name {
                    c.push_str(&format!(" AND name = {}", quote(n)));
                }
                c
            }
        }
    }
}

/// Checks a request's steps and window.
pub fn parse(steps: &[Value], window_s: Option<u32>) -> Result<(Vec<Step>, u32), QueryError> {
    if steps.is_empty() || steps.len() > MAX_STEPS {
        return Err(invalid(
            "steps",
            format!("a funnel has 1 to {MAX_STEPS} steps"),
        ));
    }
    let steps = steps
        .iter()
        .enumerate()
        .map(|(i, v)| Step::parse(i, v))
        .collect::<Result<Vec<_>, _>>()?;
    let window = window_s.unwrap_or(DEFAULT_WINDOW_S);
    if !(1..=MAX_WINDOW_S).contains(&window) {
        return Err(invalid(
            "window_s",
            format!("must be between 1 and {MAX_WINDOW_S} seconds (90 days)"),
        ));
    }
    Ok((steps, window))
}

/// One row: `users` (per step) and `median_s` (per step, seconds from the previous
/// step; 0 for the first step and for a step nobody reached).
pub fn sql(scope: &Scope, steps: &[Step], window_s: u32) -> String {
    let conds: Vec<String> = steps.iter().map(Step::condition).collect();
    let arrays: Vec<String> = conds
        .iter()
        .enumerate()
        .map(|(i, c)| format!("groupArrayIf(toUInt32(ts), {c}) AS a{i}"))
        .collect();
    let any = conds
        .iter()
        .map(|c| format!("({c})"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let mut times = vec!["arraySort(a0)[1] AS t0".to_owned()];
    for i in 1..steps.len() {
        let p = i - 1;
        times.push(format!(
            "if(t{p} = 0, 0, arrayFirst(x -> x >= t{p} AND x <= t0 + {window_s}, arraySort(a{i}))) AS t{i}"
        ));
    }
    let users: Vec<String> = (0..steps.len())
        .map(|i| format!("countIf(t{i} > 0)"))
        .collect();
    let mut medians = vec!["toFloat64(0)".to_owned()];
    for i in 1..steps.len() {
        let p = i - 1;
        medians.push(format!(
            "if(countIf(t{i} > 0) = 0, toFloat64(0), toFloat64(quantileExactIf(0.5)(t{i} - t{p}, t{i} > 0)))"
        ));
    }
    format!(
        "SELECT [{}] AS users, [{}] AS median_s FROM (
             SELECT {} FROM (
                 SELECT actor, {} FROM {} GROUP BY actor
             )
         )",
        users.join(", "),
        medians.join(", "),
        times.join(", "),
        arrays.join(", "),
        scope.events(&["actor != ''".to_owned(), format!("({any})")])
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn steps_are_checked_field_by_field() {
        let bad = |v: Value| parse(&[v], None).expect_err("refused").field;
        assert_eq!(bad(json!({"kind": "path"})), "steps[0].route");
        assert_eq!(bad(json!({"kind": "event", "name": 3})), "steps[0].name");
        assert_eq!(
            bad(json!({"kind": "event", "name": "a", "route": "/"})),
            "steps[0].route"
        );
        assert_eq!(bad(json!({"name": "a"})), "steps[0].kind");
        let (steps, window) = parse(
            &[json!({"kind": "property", "key": "to", "value": "won", "name": "deal_stage_changed"})],
            None,
        )
        .expect("ok");
        assert_eq!(window, DEFAULT_WINDOW_S);
        assert!(
            matches!(&steps[0], Step::Property { name: Some(n), .. } if n == "deal_stage_changed")
        );
    }

    #[test]
    fn values_are_quoted() {
        let scope = Scope::new(
            "acme",
            chrono::Utc::now() - chrono::Duration::days(1),
            chrono::Utc::now(),
        )
        .expect("scope");
        let step = Step::Property {
            key: "k".into(),
            value: "x' OR 1=1 --".into(),
            name: None,
        };
        let sql = sql(&scope, &[step], 60);
        assert!(sql.contains("= 'x\\' OR 1=1 --'"), "{sql}");
    }
}
