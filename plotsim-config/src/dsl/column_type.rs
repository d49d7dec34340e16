//! Column types of declared tables: `id`, `ref.<table>`, `metric.<m>`,
//! `faker.<kind>[:key:value]*`, `geo.<field>`, `static.<value>`, `pool.<attr>`,
//! `segment.count`, `range`, `timestamp`, `flag`, `bucket`, `scd`, `narrative`,
//! `struct`, `array`, and the `dim_date` words `date`, `int`, `string`, `float`.

use super::DslError;
use crate::words::{UnknownWord, suggest, word_enum};

word_enum! {
    /// A field of the row-coherent location bundle of `geo.<field>` columns.
    pub enum GeoField ("geo field") {
        /// Country name.
        Country = "country",
        /// ISO country code.
        CountryCode = "country_code",
        /// Region or state.
        Region = "region",
        /// City.
        City = "city",
        /// Postal code.
        Postcode = "postcode",
        /// Latitude (float).
        Latitude = "latitude",
        /// Longitude (float).
        Longitude = "longitude",
    }
}

/// Fake-data kinds accepted by `faker.<kind>`.
pub const FAKER_KINDS: &[&str] = &[
    "name",
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "user_name",
    "job",
    "company",
    "bs",
    "catch_phrase",
    "address",
    "street_address",
    "city",
    "state",
    "country",
    "country_code",
    "zipcode",
    "postcode",
    "latitude",
    "longitude",
    "date",
    "date_between",
    "date_this_decade",
    "date_of_birth",
    "date_time",
    "iso8601",
    "unix_time",
    "sentence",
    "paragraph",
    "text",
    "word",
    "words",
    "url",
    "domain_name",
    "ipv4",
    "ipv6",
    "mac_address",
    "uuid4",
    "md5",
    "sha1",
    "sha256",
    "random_int",
    "random_element",
    "random_elements",
    "boolean",
    "pybool",
    "pyint",
    "pyfloat",
    "pydecimal",
    "currency",
    "currency_code",
    "color_name",
    "hex_color",
    "file_name",
    "file_extension",
    "mime_type",
    "license_plate",
    "vin",
    "ean",
    "ean13",
    "industry",
    "year",
];

/// Keyword arguments of fake-data kinds that set a length or count.
const LENGTH_KWARGS: &[&str] = &[
    "length",
    "nb",
    "nb_words",
    "nb_sentences",
    "max_chars",
    "nb_elements",
    "digits",
];

/// The valid column types, as listed in error messages.
pub const COLUMN_TYPES: &str = "id, ref.X, metric.X, faker.X, geo.X, static.X, segment.count, pool.X, range, timestamp, flag, date, int, string, float, bucket, scd, narrative, struct, array";

/// A parsed column type.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnType {
    /// Sequential primary key.
    Id,
    /// Foreign key to a table.
    Ref(String),
    /// Realised value of a metric.
    Metric(String),
    /// Fake data of a kind, with string keyword arguments.
    Faker {
        /// The fake-data kind.
        kind: String,
        /// `key:value` arguments.
        kwargs: Vec<(String, String)>,
    },
    /// A field of the location bundle.
    Geo(GeoField),
    /// A literal value.
    Static(String),
    /// A pick from the segment attribute of that name.
    Pool(String),
    /// The entity's segment size.
    SegmentCount,
    /// Uniform number in the column's `range`.
    Range,
    /// Timestamp within the row's period.
    Timestamp,
    /// Threshold-event flag.
    Flag,
    /// Label chosen by trajectory position from `labels`.
    Bucket,
    /// Slowly changing dimension tier.
    Scd,
    /// Generated text from `template` and `lexicons`.
    Narrative,
    /// Nested struct from `nested_schema`.
    Struct,
    /// Fixed-length array.
    Array,
    /// A `dim_date` dtype word (`date`, `int`, `string`, `float`).
    DateWord(String),
}

/// Parses a column type.
///
/// # Example
/// ```
/// use plotsim_config::dsl::column_type::{parse, ColumnType};
/// assert_eq!(parse("ref.dim_company").unwrap(), ColumnType::Ref("dim_company".into()));
/// assert_eq!(parse("static.a,b").unwrap(), ColumnType::Static("a,b".into()));
/// let e = parse("metirc.mrr").unwrap_err();
/// assert_eq!(e.suggestion.as_deref(), Some("metric.X"));
/// ```
pub fn parse(text: &str) -> Result<ColumnType, DslError> {
    let (head, rest) = match text.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (text, None),
    };
    let need_rest = |what: &str| -> Result<String, DslError> {
        match rest {
            Some(r) if !r.is_empty() => Ok(r.to_owned()),
            _ => Err(DslError::new(
                head.chars().count(),
                format!("`{head}.` needs a {what} after the dot, e.g. `{head}.<{what}>`"),
            )),
        }
    };
    let t = match (head, rest) {
        ("id", None) => ColumnType::Id,
        ("ref", _) => ColumnType::Ref(need_rest("table")?),
        ("metric", _) => ColumnType::Metric(need_rest("metric")?),
        ("pool", _) => ColumnType::Pool(need_rest("attribute")?),
        ("static", _) => ColumnType::Static(rest.unwrap_or("").to_owned()),
        ("geo", _) => {
            let field = need_rest("field")?;
            ColumnType::Geo(
                field
                    .parse()
                    .map_err(|e: UnknownWord| DslError::unknown(4, e))?,
            )
        }
        ("faker", _) => parse_faker(&need_rest("kind")?)?,
        ("segment", Some("count")) => ColumnType::SegmentCount,
        ("range", None) => ColumnType::Range,
        ("timestamp", None) => ColumnType::Timestamp,
        ("flag", None) => ColumnType::Flag,
        ("bucket", None) => ColumnType::Bucket,
        ("scd", None) => ColumnType::Scd,
        ("narrative", None) => ColumnType::Narrative,
        ("struct", None) => ColumnType::Struct,
        ("array", None) => ColumnType::Array,
        ("date" | "int" | "string" | "float", None) => ColumnType::DateWord(head.to_owned()),
        _ => {
            let words: Vec<&str> = COLUMN_TYPES.split(", ").collect();
            let probe = if rest.is_some() {
                format!("{head}.X")
            } else {
                head.to_owned()
            };
            let mut e = DslError::new(0, format!("unknown column type `{text}`"));
            e.expected = Some(format!("one of: {COLUMN_TYPES}"));
            e.suggestion = suggest(&probe, words.iter().copied()).map(str::to_owned);
            return Err(e);
        }
    };
    Ok(t)
}

fn parse_faker(spec: &str) -> Result<ColumnType, DslError> {
    let mut parts = spec.split(':');
    let kind = parts.next().unwrap_or("").to_owned();
    if !FAKER_KINDS.contains(&kind.as_str()) {
        let mut e = DslError::new(6, format!("unknown fake-data kind `{kind}`"));
        e.expected = Some(format!("one of: {}", FAKER_KINDS.join(", ")));
        e.suggestion = suggest(&kind, FAKER_KINDS.iter().copied()).map(str::to_owned);
        return Err(e);
    }
    let rest: Vec<&str> = parts.collect();
    if !rest.len().is_multiple_of(2) {
        return Err(DslError::new(
            6 + kind.len(),
            "fake-data arguments come in `:key:value` pairs",
        ));
    }
    if rest.len() / 2 > 20 {
        return Err(DslError::new(
            6 + kind.len(),
            "at most 20 fake-data arguments are allowed",
        ));
    }
    let kwargs: Vec<(String, String)> = rest
        .chunks(2)
        .map(|c| (c[0].to_owned(), c[1].to_owned()))
        .collect();
    for (k, v) in &kwargs {
        if LENGTH_KWARGS.contains(&k.as_str()) && v.parse::<u64>().is_ok_and(|n| n > 4096) {
            return Err(DslError::new(
                6 + kind.len(),
                format!("fake-data argument `{k}` is {v}; length-like arguments are at most 4096"),
            ));
        }
    }
    Ok(ColumnType::Faker { kind, kwargs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_type() {
        assert_eq!(parse("id").unwrap(), ColumnType::Id);
        assert_eq!(parse("segment.count").unwrap(), ColumnType::SegmentCount);
        assert_eq!(
            parse("geo.latitude").unwrap(),
            ColumnType::Geo(GeoField::Latitude)
        );
        assert_eq!(
            parse("faker.random_int:min:1:max:9").unwrap(),
            ColumnType::Faker {
                kind: "random_int".into(),
                kwargs: vec![("min".into(), "1".into()), ("max".into(), "9".into())]
            }
        );
        assert_eq!(parse("int").unwrap(), ColumnType::DateWord("int".into()));
    }

    #[test]
    fn rejects_with_choices() {
        assert!(
            parse("geo.planet")
                .unwrap_err()
                .to_string()
                .contains("country")
        );
        assert!(parse("faker.seed").is_err());
        assert!(parse("faker.text:max_chars:5000").is_err());
        assert!(parse("metric.").is_err());
        let e = parse("timestmp").unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("timestamp"));
    }
}
