//! The JSON Schema of [`Config`], as `plotsim schema` prints it.

use crate::Config;

impl Config {
    /// The JSON Schema (draft 2020-12) of the YAML config, including the key
    /// aliases the loader accepts (`stages` for `lifecycle`, `for_periods`
    /// for an event's `for`), so editors validate what plotsim reads.
    ///
    /// # Example
    /// ```
    /// let schema = plotsim_config::Config::json_schema();
    /// assert_eq!(schema["properties"]["stages"], schema["properties"]["lifecycle"]);
    /// ```
    pub fn json_schema() -> serde_json::Value {
        let mut v = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
        alias(&mut v, &["properties"], "lifecycle", "stages");
        alias(
            &mut v,
            &["$defs", "Event", "properties"],
            "for",
            "for_periods",
        );
        v
    }
}

/// Copies the schema of `field` under the name `alias` in the object at `at`.
fn alias(v: &mut serde_json::Value, at: &[&str], field: &str, alias: &str) {
    let mut node = v;
    for key in at {
        match node.get_mut(*key) {
            Some(next) => node = next,
            None => return,
        }
    }
    if let Some(obj) = node.as_object_mut()
        && let Some(schema) = obj.get(field).cloned()
    {
        obj.insert(alias.to_owned(), schema);
    }
}
