//! `dim_date`: one row per period of the window.

use chrono::Datelike;

use super::batch::RowBatch;
use super::column::{ColumnData, DictColumn, Values};
use super::schema::{DateField, Fill, TableSchema};
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

fn labels(words: &[&str]) -> std::sync::Arc<[String]> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// The rows of `dim_date` (the schema's columns, in its order).
pub(crate) fn dim_date(t: &TableSchema, w: &ResolvedWindow) -> RowBatch {
    let periods: Vec<_> = w.periods().collect();
    let dates: Vec<_> = periods.iter().map(|p| p.start_date()).collect();
    let n = periods.len();
    let int =
        |f: &dyn Fn(usize) -> i64| ColumnData::Int(Values::from_values((0..n).map(f).collect()));
    let dict = |words: &[&str], f: &dyn Fn(usize) -> u32| {
        ColumnData::Dict(DictColumn {
            labels: labels(words),
            codes: Values::from_values((0..n).map(f).collect()),
        })
    };
    let columns = t
        .fills
        .iter()
        .map(|f| {
            let Fill::Date(f) = f else {
                return ColumnData::Text(Values::from_values(vec![String::new(); n]));
            };
            match f {
                DateField::DateKey => int(&|i| i64::from(periods[i].date_key())),
                DateField::Date => ColumnData::Date(Values::from_values(dates.clone())),
                DateField::Year => int(&|i| i64::from(dates[i].year())),
                DateField::Month => int(&|i| i64::from(dates[i].month())),
                DateField::Quarter => int(&|i| i64::from((dates[i].month() - 1) / 3 + 1)),
                DateField::MonthName => dict(&MONTHS, &|i| dates[i].month0()),
                DateField::Week => int(&|i| i64::from(dates[i].iso_week().week())),
                DateField::PeriodLabel => ColumnData::Text(Values::from_values(
                    periods.iter().map(ToString::to_string).collect(),
                )),
                DateField::PeriodIndex => int(&|i| i as i64),
                DateField::DayOfWeek => {
                    dict(&WEEKDAYS, &|i| dates[i].weekday().num_days_from_monday())
                }
                DateField::DayOfMonth => int(&|i| i64::from(dates[i].day())),
                DateField::IsWeekend => ColumnData::Bool(Values::from_values(
                    dates
                        .iter()
                        .map(|d| d.weekday().num_days_from_monday() >= 5)
                        .collect(),
                )),
            }
        })
        .collect();
    RowBatch {
        table: t.id,
        columns,
    }
}
