//! Periods of a window and their calendar dates.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::model::Granularity;

/// One period of a panel: its 0-based index in the window and its anchor date
/// (the 1st of the month, the ISO Monday of the week, or the day).
///
/// # Example
/// ```
/// use plotsim_config::{Config, Period};
/// let w = plotsim_config::plan::ResolvedWindow::resolve("2023-01", "2023-03", plotsim_config::Granularity::Monthly).unwrap();
/// let p: Period = w.period(1);
/// assert_eq!(p.to_string(), "2023-02");
/// assert_eq!(p.index(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    start: NaiveDate,
    index: u32,
    granularity: Granularity,
}

impl Period {
    /// A period from its parts.
    pub fn new(granularity: Granularity, index: u32, start: NaiveDate) -> Self {
        Period {
            start,
            index,
            granularity,
        }
    }

    /// 0-based index of the period in its window.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Anchor date: 1st of the month, ISO Monday of the week, or the day.
    pub fn start_date(&self) -> NaiveDate {
        self.start
    }

    /// The window's granularity.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// The anchor date (same as [`Period::start_date`]).
    pub fn date(&self) -> NaiveDate {
        self.start
    }

    /// Calendar year of the anchor date.
    ///
    /// # Example
    /// ```
    /// use plotsim_config::{Granularity, plan::ResolvedWindow};
    /// let w = ResolvedWindow::resolve("2023-11", "2024-02", Granularity::Monthly).unwrap();
    /// let p = w.period(2);
    /// assert_eq!((p.year(), p.month(), p.quarter(), p.week()), (2024, 1, 1, 1));
    /// assert_eq!(p.date().to_string(), "2024-01-01");
    /// ```
    pub fn year(&self) -> i32 {
        self.start.year()
    }

    /// Calendar month of the anchor date, 1-12.
    pub fn month(&self) -> u32 {
        self.start.month()
    }

    /// Calendar quarter of the anchor date, 1-4.
    pub fn quarter(&self) -> u32 {
        self.start.month0() / 3 + 1
    }

    /// ISO week number of the anchor date, 1-53 (as `dim_date.week`).
    pub fn week(&self) -> u32 {
        self.start.iso_week().week()
    }

    /// `date_key`: the anchor date as the integer `YYYYMMDD`.
    pub fn date_key(&self) -> u32 {
        let d = self.start;
        d.year() as u32 * 10_000 + d.month() * 100 + d.day()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.granularity {
            Granularity::Monthly => write!(f, "{}", self.start.format("%Y-%m")),
            Granularity::Daily => write!(f, "{}", self.start.format("%Y-%m-%d")),
            Granularity::Weekly => {
                let w = self.start.iso_week();
                write!(f, "{}-W{:02}", w.year(), w.week())
            }
        }
    }
}

/// Adds `months` calendar months to the first of a month.
pub(crate) fn add_months(first: NaiveDate, months: u32) -> NaiveDate {
    let total = first.year() as i64 * 12 + i64::from(first.month0()) + i64::from(months);
    NaiveDate::from_ymd_opt((total / 12) as i32, (total % 12) as u32 + 1, 1).unwrap_or(first)
}

/// The ISO Monday of the week containing `d`.
pub(crate) fn iso_monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}
