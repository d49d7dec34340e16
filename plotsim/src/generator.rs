//! Typed rows: the [`Generator`] trait that `#[derive(Generator)]` implements,
//! and [`Rows`], the streaming iterator behind `T::iter`.
//!
//! This module turns the engine's per-entity panels into values of the user's
//! struct, one per active (entity, period). It runs the very same engine as
//! [`crate::generate`] (same streams, same calibration), so the rows carry
//! exactly the values of the `fct_<unit>` table. It must not touch the
//! writers or the manifest.

use std::sync::Arc;

use plotsim_config::{Config, MetricType, Period, Plan};

use crate::pipeline::Job;
use crate::{Dataset, Error, Result};

/// A struct whose values are rows of a generated panel: one per entity and
/// active period of the fact `fct_<unit>`.
///
/// Implement it with `#[derive(plotsim::Generator)]` (see the derive's
/// documentation); the derive also adds the same methods as inherent
/// methods, so calling them needs no trait import. Rows are made on worker
/// threads, one entity block at a time, so the struct is `Send + 'static`
/// (owned fields, as the derive's field types are).
///
/// # Example
/// ```
/// #[derive(plotsim::Generator)]
/// #[plotsim(unit = "store", window(start = "2024-01", end = "2024-06"), seed = 3)]
/// #[segment(name = "steady", count = 4, archetype = "flat")]
/// struct StoreMonth {
///     #[entity] store: String,
///     #[period] month: plotsim::Period,
///     #[metric(type = "count", polarity = "positive")] visits: u32,
/// }
///
/// use plotsim::Generator;
/// fn total_visits<T: Generator>(rows: &[T], visits: impl Fn(&T) -> u32) -> u32 {
///     rows.iter().map(visits).sum()
/// }
/// let rows = StoreMonth::generate(1);
/// assert_eq!(rows.len(), 4 * 6);
/// assert!(total_visits(&rows, |r| r.visits) > 0);
/// assert_eq!(rows[0].store, "s-001");
/// # let _ = (&rows[0].month,);
/// ```
pub trait Generator: Sized + Send + 'static {
    /// The equivalent runtime config (`Config::to_yaml` exports it). Its seed
    /// is the struct's `seed` attribute, if any.
    fn config() -> Config;

    /// The struct's metric fields, in field order.
    #[doc(hidden)]
    fn __metrics() -> &'static [crate::__private::MetricField];

    /// Builds one row from one cell of the panel.
    #[doc(hidden)]
    fn __from_cell(cell: &crate::__private::Cell<'_>) -> Self;

    /// The validated plan of [`Generator::config`].
    ///
    /// # Panics
    /// Only if the derive's compile-time check and the runtime's rules
    /// disagree, which is a bug in plotsim.
    fn plan() -> Plan {
        match Self::config().validate() {
            Ok(plan) => plan,
            Err(e) => panic!(
                "plotsim bug: a config checked at compile time does not validate at run time:\n{e}"
            ),
        }
    }

    /// Every row of the panel for `seed` (which overrides the attribute seed).
    /// No cell budget applies to typed generation.
    fn generate(seed: u64) -> Vec<Self> {
        Self::iter(seed).collect()
    }

    /// The rows for `seed`, streamed: memory stays bounded by a batch of
    /// entities whatever the panel's size.
    fn iter(seed: u64) -> Rows<Self> {
        match Rows::new(Self::plan(), seed) {
            Ok(rows) => rows,
            Err(e) => panic!("plotsim bug: a derived config cannot be generated: {e}"),
        }
    }

    /// The whole dataset for `seed` in memory: `dim_date`, `dim_<unit>`,
    /// `fct_<unit>` and the manifest, exactly as `plotsim run` writes them.
    fn dataset(seed: u64) -> Dataset {
        match crate::generate_with(&Self::plan(), Some(seed), crate::DEFAULT_BATCH_SIZE) {
            Ok(d) => d,
            Err(e) => panic!("plotsim bug: a derived config cannot be generated: {e}"),
        }
    }

    /// The rows of any plan whose metrics include this struct's metric fields
    /// (by name, with a compatible type), e.g. [`Generator::config`] with
    /// other segment counts.
    ///
    /// # Errors
    /// [`Error::Rows`] when a field has no metric of its name in the plan,
    /// an integer field meets a float metric (or the reverse), or the noise
    /// can null values and a field is not an `Option`; [`Error::Generate`]
    /// for plans this release does not generate.
    fn generate_from(plan: &Plan, seed: u64) -> Result<Vec<Self>> {
        Ok(Rows::new(plan.clone(), seed)?.collect())
    }
}

/// One cell of the panel, as handed to the derived row constructor.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Cell<'a> {
    entity: &'a str,
    segment: &'a str,
    period: Period,
    values: &'a [f64],
    /// The first metric read as a null by a field that cannot hold one.
    null_into_plain: std::cell::Cell<Option<usize>>,
}

impl Cell<'_> {
    /// The entity's primary key, as in `dim_<unit>`.
    pub fn entity(&self) -> &str {
        self.entity
    }

    /// The entity's segment name.
    pub fn segment(&self) -> &str {
        self.segment
    }

    /// The period.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The value of the struct's `i`-th metric field (None when null).
    pub fn value(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied().filter(|v| !v.is_nan())
    }

    /// The value for a field that cannot hold a null; a null is recorded
    /// (see [`Rows::new`]) and read as NaN.
    pub fn required(&self, i: usize) -> f64 {
        self.value(i).unwrap_or_else(|| {
            if self.null_into_plain.get().is_none() {
                self.null_into_plain.set(Some(i));
            }
            f64::NAN
        })
    }
}

/// The rows of a panel, generated an entity block at a time.
///
/// Created by `T::iter(seed)`; the order is entity by entity (segment order),
/// then period by period, as in `fct_<unit>`. Blocks run in parallel through
/// the same driver as [`crate::run`], and the rows do not depend on the
/// number of threads.
pub struct Rows<T> {
    blocks: crate::pipeline::Ordered<Vec<T>>,
    current: std::vec::IntoIter<T>,
    seed: u64,
    left: u64,
    periods: u64,
}

impl<T> std::fmt::Debug for Rows<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("seed", &self.seed)
            .field("entities_left", &self.left)
            .field("buffered", &self.current.len())
            .finish()
    }
}

impl<T: Generator> Rows<T> {
    /// The rows of `plan` with `seed`, checking that `T` fits the plan.
    ///
    /// # Errors
    /// As [`Generator::generate_from`].
    pub fn new(plan: Plan, seed: u64) -> Result<Self> {
        crate::pipeline::supported(&plan)?;
        let map = field_map(&plan, T::__metrics())?;
        if plan.settings.noise.mcar_rate > 0.0 {
            check_nullable::<T>(&plan)?;
        }
        let pool = crate::pipeline::Pool::Global;
        let job = Arc::new(Job::new(&plan, seed, crate::DEFAULT_BATCH_SIZE, &pool)?);
        let periods: Vec<Period> = plan.window.periods().collect();
        let n_blocks = job.n_blocks();
        let left = job.prepared.entities.len();
        let j = job.clone();
        let work = Arc::new(move |b: u64| {
            j.block_range(b)
                .flat_map(|o| entity_rows::<T>(&j, &periods, &map, o))
                .collect()
        });
        Ok(Rows {
            blocks: crate::pipeline::Ordered::new(pool, n_blocks, work),
            current: Vec::new().into_iter(),
            seed,
            left,
            periods: plan.window.n_periods.into(),
        })
    }
}

/// The rows of one entity.
fn entity_rows<T: Generator>(job: &Job, periods: &[Period], map: &[usize], ordinal: u64) -> Vec<T> {
    let panel = job.panel(ordinal);
    let key = job.keys.key(ordinal);
    let segment = &job.plan.segments[panel.entity.segment].name;
    let mut values = vec![f64::NAN; map.len()];
    (panel.entity.start_period as usize..periods.len())
        .map(|t| {
            for (v, &m) in values.iter_mut().zip(map) {
                *v = panel.value(m, t).unwrap_or(f64::NAN);
            }
            T::__from_cell(&Cell {
                entity: &key,
                segment,
                period: periods[t],
                values: &values,
                null_into_plain: std::cell::Cell::new(None),
            })
        })
        .collect()
}

impl<T: Generator> Iterator for Rows<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        loop {
            if let Some(r) = self.current.next() {
                return Some(r);
            }
            let block = self.blocks.next()?;
            self.current = block.into_iter();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.current.len();
        let max = usize::try_from(self.left.saturating_mul(self.periods))
            .ok()
            .and_then(|l| l.checked_add(buffered));
        (buffered, max)
    }
}

/// With noise that nulls values, every metric field must hold a null: a
/// probe row of nulls tells which field cannot.
fn check_nullable<T: Generator>(plan: &Plan) -> Result<()> {
    let fields = T::__metrics();
    let nulls = vec![f64::NAN; fields.len()];
    let probe = Cell {
        entity: "",
        segment: "",
        period: plan.window.period(0),
        values: &nulls,
        null_into_plain: std::cell::Cell::new(None),
    };
    let _ = T::__from_cell(&probe);
    match probe.null_into_plain.get() {
        Some(i) => Err(Error::Rows(format!(
            "the plan's noise nulls values (mcar_rate {}), but field `{}` is not an `Option`",
            plan.settings.noise.mcar_rate, fields[i].name
        ))),
        None => Ok(()),
    }
}

/// The plan metric of each struct metric field, checked for type.
fn field_map(plan: &Plan, fields: &[crate::__private::MetricField]) -> Result<Vec<usize>> {
    fields
        .iter()
        .map(|f| {
            let i = plan.metric_index(f.name).ok_or_else(|| {
                let names: Vec<&str> = plan.metrics.iter().map(|m| m.name.as_str()).collect();
                Error::Rows(format!(
                    "field `{}` has no metric of that name in the plan; its metrics are {}",
                    f.name,
                    names.join(", ")
                ))
            })?;
            let m = &plan.metrics[i];
            if (m.kind == MetricType::Count) != (f.kind == MetricType::Count) {
                return Err(Error::Rows(format!(
                    "field `{}` is declared `{}` but the plan's metric is `{}`; counts need integer fields and the other types float fields",
                    f.name, f.kind, m.kind
                )));
            }
            Ok(i)
        })
        .collect()
}
