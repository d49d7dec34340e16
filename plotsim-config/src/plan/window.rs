//! The window resolved to dates and a period count, and its typed errors.

use chrono::{Datelike, Duration, NaiveDate};

use crate::model::Granularity;
use crate::period::{Period, add_months, iso_monday};

/// The window resolved to concrete dates and a period count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedWindow {
    /// Granularity of the periods.
    pub granularity: Granularity,
    /// First day covered.
    pub first_day: NaiveDate,
    /// Last day covered (inclusive).
    pub last_day: NaiveDate,
    /// Anchor date of period 0.
    pub anchor: NaiveDate,
    /// Number of periods.
    pub n_periods: u32,
}

/// Why a window does not resolve.
///
/// Display gives the message validation reports; [`WindowError::field`] names
/// the `window` key it belongs to (validation reports the bound errors at
/// `window.start` / `window.end` with [`BoundError`]'s message alone).
///
/// # Example
/// ```
/// use plotsim_config::Granularity;
/// use plotsim_config::plan::{BoundError, ResolvedWindow, WindowError};
/// let e = ResolvedWindow::resolve("2023-13", "2024-01", Granularity::Monthly).unwrap_err();
/// assert_eq!(e, WindowError::Start(BoundError::Month(13)));
/// assert_eq!(e.field(), Some("start"));
/// assert_eq!(e.to_string(), "start: month 13 is outside 1-12");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// `start` is not a valid bound.
    #[error("start: {0}")]
    Start(BoundError),
    /// `end` is not a valid bound.
    #[error("end: {0}")]
    End(BoundError),
    /// The last day comes before the first.
    #[error("the window ends ({end}) before it starts ({start})")]
    EndsBeforeStart {
        /// `start` as written.
        start: String,
        /// `end` as written.
        end: String,
    },
    /// More periods than the granularity allows.
    #[error("the window spans {n} {granularity} periods; at most {cap} are allowed")]
    TooLong {
        /// Periods the window would span.
        n: i64,
        /// The granularity.
        granularity: Granularity,
        /// The granularity's cap in periods.
        cap: u32,
    },
}

impl WindowError {
    /// The `window` key the error belongs to: `start`, `end`, or `None` for
    /// the window as a whole.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            WindowError::Start(_) => Some("start"),
            WindowError::End(_) => Some("end"),
            WindowError::EndsBeforeStart { .. } | WindowError::TooLong { .. } => None,
        }
    }
}

/// Why one bound (`start` or `end`) of a window is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BoundError {
    /// Not of the form `YYYY-MM` or `YYYY-MM-DD` (the text as written).
    #[error("`{0}` is not a date; expected YYYY-MM or YYYY-MM-DD")]
    NotADate(String),
    /// The year is outside 1900-2999.
    #[error("year {0} is outside 1900-2999")]
    Year(u32),
    /// The month is outside 1-12.
    #[error("month {0} is outside 1-12")]
    Month(u32),
    /// Well formed, but no such day (the text as written).
    #[error("`{0}` is not a calendar date")]
    NotACalendarDate(String),
}

/// Longest window per granularity, in periods.
pub(crate) fn max_periods(g: Granularity) -> u32 {
    match g {
        Granularity::Monthly => 360,
        Granularity::Weekly => 1560,
        Granularity::Daily => 3650,
    }
}

impl ResolvedWindow {
    /// Resolves `start`/`end` (`YYYY-MM` or `YYYY-MM-DD`) at a granularity.
    ///
    /// A `YYYY-MM` start means the 1st of that month and a `YYYY-MM` end the
    /// last day of that month; a full date is used as given. Monthly windows
    /// count every month touched; weekly windows every ISO week touched.
    ///
    /// # Example
    /// ```
    /// use plotsim_config::Granularity;
    /// use plotsim_config::plan::ResolvedWindow;
    /// let w = ResolvedWindow::resolve("2023-01", "2024-12", Granularity::Monthly).unwrap();
    /// assert_eq!(w.n_periods, 24);
    /// ```
    pub fn resolve(start: &str, end: &str, granularity: Granularity) -> Result<Self, WindowError> {
        let first_day = parse_bound(start, false).map_err(WindowError::Start)?;
        let last_day = parse_bound(end, true).map_err(WindowError::End)?;
        if last_day < first_day {
            return Err(WindowError::EndsBeforeStart {
                start: start.to_owned(),
                end: end.to_owned(),
            });
        }
        let (anchor, n) = match granularity {
            Granularity::Monthly => {
                let months = (last_day.year() - first_day.year()) * 12 + last_day.month() as i32
                    - first_day.month() as i32
                    + 1;
                (first_day.with_day(1).unwrap_or(first_day), months as i64)
            }
            Granularity::Weekly => {
                let a = iso_monday(first_day);
                let b = iso_monday(last_day);
                (a, (b - a).num_days() / 7 + 1)
            }
            Granularity::Daily => (first_day, (last_day - first_day).num_days() + 1),
        };
        let cap = max_periods(granularity);
        if n > i64::from(cap) {
            return Err(WindowError::TooLong {
                n,
                granularity,
                cap,
            });
        }
        Ok(ResolvedWindow {
            granularity,
            first_day,
            last_day,
            anchor,
            n_periods: n as u32,
        })
    }

    /// The period at `index` (not checked against `n_periods`).
    pub fn period(&self, index: u32) -> Period {
        let start = match self.granularity {
            Granularity::Monthly => add_months(self.anchor, index),
            Granularity::Weekly => self.anchor + Duration::weeks(i64::from(index)),
            Granularity::Daily => self.anchor + Duration::days(i64::from(index)),
        };
        Period::new(self.granularity, index, start)
    }

    /// Every period of the window, in order.
    pub fn periods(&self) -> impl Iterator<Item = Period> + '_ {
        (0..self.n_periods).map(|i| self.period(i))
    }
}

fn parse_bound(s: &str, is_end: bool) -> Result<NaiveDate, BoundError> {
    let bad = || BoundError::NotADate(s.to_owned());
    let parts: Vec<&str> = s.trim().split('-').collect();
    let num = |p: &str, len: usize| -> Result<u32, BoundError> {
        if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (y, m, d) = match parts.as_slice() {
        [y, m] => (num(y, 4)?, num(m, 2)?, None),
        [y, m, d] => (num(y, 4)?, num(m, 2)?, Some(num(d, 2)?)),
        _ => return Err(bad()),
    };
    if !(1900..=2999).contains(&y) {
        return Err(BoundError::Year(y));
    }
    if !(1..=12).contains(&m) {
        return Err(BoundError::Month(m));
    }
    let first = NaiveDate::from_ymd_opt(y as i32, m, 1).ok_or_else(bad)?;
    match d {
        Some(d) => NaiveDate::from_ymd_opt(y as i32, m, d)
            .ok_or_else(|| BoundError::NotACalendarDate(s.to_owned())),
        None if is_end => Ok(add_months(first, 1) - Duration::days(1)),
        None => Ok(first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(start: &str, end: &str, g: Granularity) -> WindowError {
        ResolvedWindow::resolve(start, end, g).unwrap_err()
    }

    #[test]
    fn bound_errors_name_their_field() {
        let e = err("2023-1", "2024-01", Granularity::Monthly);
        assert_eq!(e, WindowError::Start(BoundError::NotADate("2023-1".into())));
        assert_eq!(e.field(), Some("start"));
        let e = err("2023-01", "3000-01", Granularity::Monthly);
        assert_eq!(e, WindowError::End(BoundError::Year(3000)));
        assert_eq!(e.field(), Some("end"));
        assert_eq!(e.to_string(), "end: year 3000 is outside 1900-2999");
        let e = err("2023-02-30", "2024-01", Granularity::Monthly);
        assert_eq!(
            e,
            WindowError::Start(BoundError::NotACalendarDate("2023-02-30".into()))
        );
    }

    #[test]
    fn whole_window_errors_have_no_field() {
        let e = err("2024-01", "2023-01", Granularity::Monthly);
        assert_eq!(e.field(), None);
        assert_eq!(
            e.to_string(),
            "the window ends (2023-01) before it starts (2024-01)"
        );
        let e = err("1990-01", "2023-12", Granularity::Monthly);
        assert_eq!(
            e,
            WindowError::TooLong {
                n: 408,
                granularity: Granularity::Monthly,
                cap: 360
            }
        );
        assert_eq!(
            e.to_string(),
            "the window spans 408 monthly periods; at most 360 are allowed"
        );
    }
}
