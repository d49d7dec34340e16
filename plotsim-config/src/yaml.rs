//! Reading configs from YAML and writing them back in canonical form.

use serde::Deserialize;

use crate::engine_dialect::{ENGINE_KEYS, EngineConfig, refusal_message};
use crate::error::{ConfigError, FieldPath, Location};
use crate::model::Config;
use crate::source::index_yaml;

/// A loose view of the top level, used only to recognise the engine dialect.
#[derive(Deserialize)]
struct Sniff {
    #[serde(flatten)]
    keys: std::collections::BTreeMap<String, serde::de::IgnoredAny>,
}

impl Config {
    /// Reads a config from YAML text.
    ///
    /// YAML syntax errors and values of the wrong type or shape are reported
    /// at the first problem, with line, column and field path. The result
    /// remembers field positions, so [`Config::validate`] can report them too.
    ///
    /// # Example
    /// ```
    /// use plotsim_config::Config;
    /// let err = Config::from_yaml_str("about: x\nseed: -5\n").unwrap_err();
    /// assert!(err.to_string().contains("seed: expected a non-negative integer, found -5"));
    /// ```
    pub fn from_yaml_str(text: &str) -> Result<Config, ConfigError> {
        let source_map = index_yaml(text);
        if let Ok(sniff) = serde_saphyr::from_str::<Sniff>(text) {
            let has_builder_keys = ["about", "unit", "segments"]
                .iter()
                .all(|k| sniff.keys.contains_key(*k));
            if ENGINE_KEYS.iter().any(|k| sniff.keys.contains_key(*k))
                && (!has_builder_keys || sniff.keys.contains_key("domain"))
            {
                return from_engine_dialect(text, source_map);
            }
        }
        let mut config: Config = deserialize(text)?;
        config.source_map = source_map;
        Ok(config)
    }

    /// Reads a config from a YAML file.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Config::from_yaml_str(&text)
    }

    /// Writes the config as canonical YAML: shorthands expanded (window, noise,
    /// output, locale, stages, list-form connections), defaults explicit.
    /// Reading the result gives an equal config.
    ///
    /// # Example
    /// ```
    /// use plotsim_config::Config;
    /// let yaml = "about: x\nunit: company\nwindow: [2023-01, 2023-06]\nnoise: slightly_messy\n\
    ///             metrics: [{name: m, type: score, polarity: positive}]\n\
    ///             segments: [{name: s, count: 3, archetype: growth}]\n";
    /// let config = Config::from_yaml_str(yaml).unwrap();
    /// let canonical = config.to_yaml();
    /// assert!(canonical.contains("every: monthly"));
    /// assert_eq!(Config::from_yaml_str(&canonical).unwrap(), config);
    /// ```
    pub fn to_yaml(&self) -> String {
        // Serializing plain data structs with string keys cannot fail.
        serde_saphyr::to_string(self).unwrap_or_else(|e| format!("# serialization failed: {e}\n"))
    }
}

/// Deserializes `T` from YAML, with the field path of the first problem.
fn deserialize<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ConfigError> {
    let mut path: Option<String> = None;
    let result = serde_saphyr::with_deserializer_from_str(text, |de| {
        serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
            path = Some(e.path().to_string());
            e.into_inner()
        })
    });
    result.map_err(|e| parse_error(text, path.as_deref(), &e))
}

/// Reads the engine-direct dialect and maps it onto the builder model
/// ([`crate::engine_dialect`]); fields that cannot be mapped are listed in
/// one error.
fn from_engine_dialect(
    text: &str,
    source_map: crate::source::SourceMap,
) -> Result<Config, ConfigError> {
    let engine: EngineConfig = deserialize(text)?;
    match engine.into_config() {
        Ok((mut config, paths)) => {
            config.source_map = source_map.with_translation(paths);
            Ok(config)
        }
        Err(refusals) => {
            let first = &refusals[0];
            Err(ConfigError::Parse {
                path: Some(first.path.clone()),
                location: source_map.locate(&first.path),
                message: refusal_message(&refusals),
            })
        }
    }
}

/// Turns a deserializer error into a [`ConfigError::Parse`] with a plain message:
/// what was expected and what was found.
fn parse_error(text: &str, path: Option<&str>, e: &serde_saphyr::Error) -> ConfigError {
    let location = e.location().map(|l| {
        let line = l.line() as usize;
        let column = l.column() as usize;
        Location {
            line,
            column,
            offset: offset_of(text, line, column),
        }
    });
    let raw = e.without_snippet().to_string();
    let raw = strip_position(&raw);
    let found = location
        .map(|l| token_at(text, l))
        .filter(|t| !t.is_empty());
    let message = if text.trim().is_empty() {
        "the file is empty; a config needs at least `about`, `unit`, `window`, `metrics` and `segments`".to_owned()
    } else {
        rewrite_message(raw, found.as_deref())
    };
    // serde_path_to_error marks segments it could not name with `?`; keep the named prefix.
    let path =
        path.map(|p| FieldPath::parse(p.split(".?").next().unwrap_or("").trim_start_matches('?')));
    ConfigError::Parse {
        path,
        location,
        message,
    }
}

/// Drops serde-saphyr's trailing ` at line L, column C`.
fn strip_position(s: &str) -> &str {
    match s.rfind(" at line ") {
        Some(i) => &s[..i],
        None => s,
    }
}

/// Translates the deserializer's terse type errors into "expected X, found Y".
fn rewrite_message(raw: &str, found: Option<&str>) -> String {
    let expected = match raw {
        "invalid u64" | "invalid u32" | "invalid u16" | "invalid u8" | "invalid usize" => {
            Some("a non-negative integer")
        }
        "invalid i64" | "invalid i32" => Some("an integer"),
        "invalid floating point" | "invalid f64" => Some("a number"),
        "invalid boolean" | "invalid bool" => Some("true or false"),
        "expected string scalar" => Some("a string"),
        "expected mapping start" => Some("a mapping (key: value pairs)"),
        "expected sequence start" => Some("a list"),
        _ => None,
    };
    match (expected, found) {
        (Some(exp), Some(f)) => format!("expected {exp}, found {f}"),
        (Some(exp), None) => format!("expected {exp}"),
        (None, _) => rewrite_library_wording(raw),
    }
}

/// Replaces the YAML library's wording (which names its own API) with ours,
/// and adds a "did you mean" to unknown keys.
fn rewrite_library_wording(raw: &str) -> String {
    if let Some(rest) = raw.strip_prefix("unknown field `")
        && let Some((field, list)) = rest.split_once("`, expected one of ")
    {
        let words: Vec<&str> = list.split(", ").map(|w| w.trim_matches('`')).collect();
        let hint = crate::words::suggest(field, words.iter().copied())
            .map(|w| format!(" (did you mean `{w}`?)"))
            .unwrap_or_default();
        return format!(
            "unknown key `{field}`; expected one of: {}{hint}",
            words.join(", ")
        );
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        return format!("missing required key `{}", rest);
    }
    if let Some(rest) = raw.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("the key `{key}` appears twice in the same mapping");
    }
    if raw.starts_with("multiple YAML documents") {
        return "the file holds several YAML documents (`---`); a config is a single document"
            .to_owned();
    }
    if raw.contains("non-finite float") {
        return "expected a finite number (.nan and .inf are not allowed)".to_owned();
    }
    if raw.contains("mapping values are not allowed in this context") {
        return "YAML syntax error: a `key: value` where none is allowed; check the indentation, or quote a value that contains `: `".to_owned();
    }
    raw.to_owned()
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(start..).unwrap_or("");
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// The scalar token starting at `loc`, for "found ..." in messages.
fn token_at(text: &str, loc: Location) -> String {
    let rest = text.get(loc.offset..).unwrap_or("");
    let first = rest.chars().next();
    let end = if matches!(first, Some('[' | '{')) {
        rest.find('\n').unwrap_or(rest.len())
    } else {
        rest.find(['\n', ',', ']', '}', '#']).unwrap_or(rest.len())
    };
    let token = rest[..end].trim();
    if token.chars().count() > 60 {
        format!("{}...", token.chars().take(60).collect::<String>())
    } else {
        token.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Config::from_yaml_str(text).unwrap_err().to_string()
    }

    #[test]
    fn type_errors_name_path_position_and_found_value() {
        assert_eq!(
            err("about: x\nseed: -5\n"),
            "2:7: seed: expected a non-negative integer, found -5"
        );
        let e = err(
            "about: x\nunit: c\nwindow: [2023-01, 2023-02]\nmetrics:\n  - {name: a, type: amout, polarity: positive}\nsegments: []\n",
        );
        assert!(
            e.starts_with("5:21: metrics[0].type: unknown metric type `amout`"),
            "{e}"
        );
        assert!(e.contains("did you mean `amount`?"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected_at_every_level() {
        let e = err("about: x\nunit: c\nwindow: {start: 2023-01, end: 2023-06, evry: monthly}\n");
        assert!(e.contains("window"), "{e}");
        assert!(e.contains("unknown key `evry`"), "{e}");
        assert!(e.contains("did you mean `every`?"), "{e}");
        let e = err("about: x\nbogus: 1\n");
        assert!(e.contains("unknown key `bogus`"), "{e}");
    }

    #[test]
    fn library_wording_is_replaced() {
        assert!(err("").contains("the file is empty"), "{}", err(""));
        assert!(err("about: a\nabout: b\n").contains("the key `about` appears twice"));
        let one = "about: a\nunit: u\nwindow: [2023-01, 2023-02]\nmetrics: []\nsegments: []\n";
        assert!(err(&format!("{one}---\n{one}")).contains("several YAML documents"));
        assert!(err("about: a\n").contains("missing required key `unit`"));
        let long = format!("about: x\nseed: [{}]\n", "1, ".repeat(100));
        assert!(err(&long).len() < 200, "{}", err(&long));
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        assert!(err("- 1\n- 2\n").contains("expected a mapping"));
    }

    #[test]
    fn engine_dialect_is_read_with_its_own_field_names() {
        let e = err("domain: {name: x}\ntime_window: {start: 2023-01, end: 2023-06}\n");
        assert!(
            e.starts_with("1:10: domain: missing required key `entity_type`"),
            "{e}"
        );
        let e = err(
            "domain: {name: x, entity_type: a}\ntime_window: {start: 2023-01, end: 2023-06, every: monthly}\n",
        );
        assert!(
            e.contains(
                "time_window.every: unknown key `every`; expected one of: start, end, granularity"
            ),
            "{e}"
        );
    }
}
