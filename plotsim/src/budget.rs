//! The cell budget: a soft limit on entity-period cells that guards against
//! accidentally huge runs. It is not a validation rule (validation is pure);
//! `plotsim run` and `RunOptions` apply it, `info` and `validate` report it.

use std::fmt;

/// Cells allowed when neither the config nor the environment sets a budget.
pub const DEFAULT_CELL_BUDGET: u64 = 2_000_000;

/// Environment variable that sets the budget when the config does not.
pub const CELL_BUDGET_ENV: &str = "PLOTSIM_CELL_BUDGET";

/// A resolved cell budget and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellBudget {
    /// Cells allowed; `0` means no limit.
    pub limit: u64,
    /// Where the limit came from.
    pub source: BudgetSource,
}

/// Where a [`CellBudget`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetSource {
    /// `output.cell_budget` in the config.
    Config,
    /// The `PLOTSIM_CELL_BUDGET` environment variable.
    Environment,
    /// [`DEFAULT_CELL_BUDGET`].
    Default,
}

impl CellBudget {
    /// Resolves the budget: the config's `output.cell_budget`, else the value
    /// of `PLOTSIM_CELL_BUDGET` (passed in by the caller; a non-integer is
    /// ignored), else the default.
    ///
    /// # Example
    /// ```
    /// use plotsim::budget::{CellBudget, BudgetSource};
    /// let b = CellBudget::resolve(None, Some("500"));
    /// assert_eq!((b.limit, b.source), (500, BudgetSource::Environment));
    /// assert_eq!(CellBudget::resolve(Some(0), Some("500")).limit, 0);
    /// assert_eq!(CellBudget::resolve(None, Some("lots")).limit, plotsim::budget::DEFAULT_CELL_BUDGET);
    /// ```
    pub fn resolve(config: Option<u64>, env: Option<&str>) -> CellBudget {
        if let Some(limit) = config {
            return CellBudget {
                limit,
                source: BudgetSource::Config,
            };
        }
        if let Some(limit) = env.and_then(|v| v.trim().parse().ok()) {
            return CellBudget {
                limit,
                source: BudgetSource::Environment,
            };
        }
        CellBudget {
            limit: DEFAULT_CELL_BUDGET,
            source: BudgetSource::Default,
        }
    }

    /// Whether `cells` exceed the budget (never, when the limit is 0).
    pub fn exceeded_by(&self, cells: u64) -> bool {
        self.limit != 0 && cells > self.limit
    }
}

impl fmt::Display for CellBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = match self.source {
            BudgetSource::Config => "output.cell_budget",
            BudgetSource::Environment => CELL_BUDGET_ENV,
            BudgetSource::Default => "default",
        };
        if self.limit == 0 {
            write!(f, "no cell budget: {from} is 0")
        } else {
            write!(f, "cell budget {} ({from})", group(self.limit))
        }
    }
}

/// `2400000` -> `2,400,000`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
