//! Tables as polars `DataFrame`s (feature `polars`): a copy from plotsim's
//! columns, with integer, float, string, date and boolean dtypes (keys and
//! labels as strings).

use polars::prelude::{Column as PlColumn, DataFrame, DataType, PolarsResult};

/// The polars prelude, for users of [`crate::Dataset::to_polars`].
pub use polars::prelude;

use crate::tables::{ColumnData, Table};

/// One table as a `DataFrame`.
pub fn table_to_polars(t: &Table) -> PolarsResult<DataFrame> {
    let columns = t
        .columns
        .iter()
        .map(|c| {
            let name = c.name.as_str().into();
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            Ok(match &c.data {
                ColumnData::Int(v) => PlColumn::new(name, v.to_options()),
                ColumnData::Float(v) => PlColumn::new(name, v.to_options()),
                ColumnData::Bool(v) => PlColumn::new(name, v.to_options()),
                ColumnData::Date(v) => {
                    let days: Vec<Option<i32>> = v
                        .iter()
                        .map(|d| d.map(|d| (*d - epoch).num_days() as i32))
                        .collect();
                    PlColumn::new(name, days).cast(&DataType::Date)?
                }
                // Text, keys, labels; timestamps as ISO text (the lean polars
                // build has no datetime dtype).
                ColumnData::Text(_)
                | ColumnData::Key(_)
                | ColumnData::Dict(_)
                | ColumnData::Nested(_)
                | ColumnData::Timestamp(_) => PlColumn::new(name, c.data.texts()),
            })
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(t.rows(), columns)
}

impl crate::Dataset {
    /// Every table as a polars `DataFrame`, in write order.
    ///
    /// # Example
    /// ```
    /// let plan = plotsim::templates::get("quickstart").unwrap().config()?.validate()?;
    /// let frames = plotsim::generate(&plan)?.to_polars()?;
    /// let (name, fact) = &frames[2];
    /// assert_eq!(name, "fct_customer");
    /// assert_eq!(fact.height(), 2400);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_polars(&self) -> PolarsResult<Vec<(String, DataFrame)>> {
        self.tables()
            .iter()
            .map(|t| Ok((t.name.clone(), table_to_polars(t)?)))
            .collect()
    }

    /// The entity features table as a `DataFrame` (`None` when the config
    /// does not ask for it).
    ///
    /// # Example
    /// ```
    /// let yaml = plotsim::templates::get("quickstart").unwrap().yaml.to_owned()
    ///     + "entity_features: true\n";
    /// let plan = plotsim::Config::from_yaml_str(&yaml)?.validate()?;
    /// let features = plotsim::generate(&plan)?.entity_features_polars().unwrap()?;
    /// assert_eq!(features.height(), 100);
    /// assert!(features.column("archetype").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn entity_features_polars(&self) -> Option<PolarsResult<DataFrame>> {
        self.entity_features().map(table_to_polars)
    }
}
