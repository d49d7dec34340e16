//! Dimension rows: `dim_date` (one row per period) and the unit dimension
//! (one row per entity).

use chrono::Datelike;
use fake::Fake;
use fake::faker::company::raw::CompanyName;
use fake::faker::name::raw::Name;
use fake::locales;

use super::{Column, ColumnData, Table};
use crate::engine::entities::Entity;
use crate::engine::rng::{Part, stream};
use plotsim_config::Plan;
use plotsim_config::dsl::column_type::ColumnType;
use plotsim_config::plan::ResolvedWindow;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The `dim_date` table: date_key, date, year, month, quarter, month_name,
/// week (ISO), period_label, period_index, and for daily windows
/// day_of_week, day_of_month, is_weekend.
pub fn dim_date(w: &ResolvedWindow) -> Table {
    let periods: Vec<_> = w.periods().collect();
    let dates: Vec<_> = periods.iter().map(|p| p.start_date()).collect();
    let int = |f: &dyn Fn(usize) -> i64| {
        ColumnData::Int((0..periods.len()).map(|i| Some(f(i))).collect())
    };
    let text = |f: &dyn Fn(usize) -> String| {
        ColumnData::Text((0..periods.len()).map(|i| Some(f(i))).collect())
    };
    let mut cols = vec![
        ("date_key", int(&|i| i64::from(periods[i].date_key()))),
        ("date", ColumnData::Date(dates.clone())),
        ("year", int(&|i| i64::from(dates[i].year()))),
        ("month", int(&|i| i64::from(dates[i].month()))),
        (
            "quarter",
            int(&|i| i64::from((dates[i].month() - 1) / 3 + 1)),
        ),
        (
            "month_name",
            text(&|i| MONTHS[dates[i].month0() as usize].to_owned()),
        ),
        ("week", int(&|i| i64::from(dates[i].iso_week().week()))),
        ("period_label", text(&|i| periods[i].to_string())),
        ("period_index", int(&|i| i as i64)),
    ];
    if w.granularity == plotsim_config::Granularity::Daily {
        cols.push((
            "day_of_week",
            text(&|i| WEEKDAYS[dates[i].weekday().num_days_from_monday() as usize].to_owned()),
        ));
        cols.push(("day_of_month", int(&|i| i64::from(dates[i].day()))));
        cols.push((
            "is_weekend",
            ColumnData::Bool(
                dates
                    .iter()
                    .map(|d| d.weekday().num_days_from_monday() >= 5)
                    .collect(),
            ),
        ));
    }
    Table {
        name: "dim_date".to_owned(),
        columns: cols
            .into_iter()
            .map(|(n, data)| Column {
                name: n.to_owned(),
                data,
            })
            .collect(),
    }
}

/// The primary key of entity `ordinal` (0-based): `<prefix>-NNN`, numbered
/// from 1 and zero-padded to max(3, digits of the entity count).
///
/// # Example
/// ```
/// assert_eq!(plotsim::tables::entity_key("c", 0, 100), "c-001");
/// assert_eq!(plotsim::tables::entity_key("company", 41, 1500), "company-0042");
/// ```
pub fn entity_key(prefix: &str, ordinal: u64, n_entities: u64) -> String {
    let width = n_entities.to_string().len().max(3);
    format!("{prefix}-{:0width$}", ordinal + 1)
}

/// How the unit dimension's columns are filled.
#[derive(Debug, Clone)]
pub(crate) struct UnitDim {
    pub(crate) table: String,
    pub(crate) prefix: String,
    pub(crate) columns: Vec<(String, ColumnType)>,
    pub(crate) n_entities: u64,
    pub(crate) locales: Vec<String>,
}

impl UnitDim {
    /// The unit dimension of the auto schema.
    pub(crate) fn new(plan: &Plan) -> Option<Self> {
        let t = plan
            .tables
            .iter()
            .find(|t| t.grain == plotsim_config::plan::Grain::PerEntity)?;
        Some(UnitDim {
            table: t.name.clone(),
            prefix: t.key_prefix.clone().unwrap_or_default(),
            columns: t
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
            n_entities: plan.n_entities(),
            locales: plan.config.locale.0.clone(),
        })
    }
}

/// A fake value of `kind` in `locale`, drawn from `rng`.
fn fake_text(kind: &str, locale: &str, rng: &mut rand::rngs::ChaCha8Rng) -> String {
    macro_rules! by_locale {
        ($faker:ident) => {
            match locale {
                "fr_FR" => $faker(locales::FR_FR).fake_with_rng(rng),
                "de_DE" => $faker(locales::DE_DE).fake_with_rng(rng),
                "it_IT" => $faker(locales::IT_IT).fake_with_rng(rng),
                "pt_BR" => $faker(locales::PT_BR).fake_with_rng(rng),
                "pt_PT" => $faker(locales::PT_PT).fake_with_rng(rng),
                "ja_JP" => $faker(locales::JA_JP).fake_with_rng(rng),
                "zh_CN" => $faker(locales::ZH_CN).fake_with_rng(rng),
                "zh_TW" => $faker(locales::ZH_TW).fake_with_rng(rng),
                "nl_NL" => $faker(locales::NL_NL).fake_with_rng(rng),
                _ => $faker(locales::EN).fake_with_rng(rng),
            }
        };
    }
    match kind {
        "name" => by_locale!(Name),
        _ => by_locale!(CompanyName),
    }
}

/// The unit-dimension rows of a batch of entities.
pub(crate) fn unit_dim_rows(plan: &Plan, seed: u64, dim: &UnitDim, entities: &[Entity]) -> Table {
    let mut columns = Vec::new();
    for (name, ty) in &dim.columns {
        let value = |e: &Entity| -> Option<String> {
            let seg = &plan.segments[e.segment];
            let mut s = stream(
                seed,
                &[
                    Part::Str("dim"),
                    Part::Str(&dim.table),
                    Part::Str(name),
                    Part::Str(&seg.name),
                    Part::U64(e.index),
                ],
            );
            match ty {
                ColumnType::Id => Some(entity_key(&dim.prefix, e.ordinal, dim.n_entities)),
                ColumnType::Faker { kind, .. } => {
                    let locale = &dim.locales[s.below(dim.locales.len().max(1) as u64) as usize
                        % dim.locales.len().max(1)];
                    Some(fake_text(kind, locale, s.rng()))
                }
                ColumnType::Pool(attr) => {
                    let values = seg.attributes.get(attr)?;
                    Some(values[s.below(values.len() as u64) as usize].clone())
                }
                _ => None,
            }
        };
        columns.push(Column {
            name: name.clone(),
            data: ColumnData::Text(entities.iter().map(value).collect()),
        });
    }
    Table {
        name: dim.table.clone(),
        columns,
    }
}
