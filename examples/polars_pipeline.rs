//! Generates the quickstart dataset in memory, takes the fact table as a
//! polars DataFrame and averages spend per segment (joined from the manifest's
//! archetype assignments).
//!
//! Run with `cargo run --example polars_pipeline --features plotsim/polars`.

use plotsim::polars::prelude::*;
use plotsim::tables::ColumnData;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let plan = plotsim::templates::get("quickstart")
        .ok_or("no quickstart template")?
        .config()?
        .validate()?;
    let data = plotsim::generate(&plan)?;
    let frames = data.to_polars()?;
    let fact = &frames
        .iter()
        .find(|(n, _)| n == "fct_customer")
        .ok_or("no fact")?
        .1;

    // The answer key: which segment (archetype) each customer belongs to.
    let (ids, segments): (Vec<String>, Vec<String>) = data.manifest()["archetype_assignments"]
        .as_array()
        .ok_or("no assignments")?
        .iter()
        .map(|a| {
            (
                a["entity_id"].as_str().unwrap_or_default().to_owned(),
                a["archetype"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .unzip();
    let Some(keys) = data
        .table("fct_customer")
        .and_then(|t| t.column("customer_id"))
        .map(ColumnData::texts)
    else {
        return Err("no customer_id column".into());
    };
    let segment: Vec<String> = keys
        .iter()
        .map(|k| {
            ids.iter()
                .position(|i| Some(i) == k.as_ref())
                .map(|j| segments[j].clone())
                .unwrap_or_default()
        })
        .collect();
    let mut fact = fact.clone();
    fact.with_column(Column::new("segment".into(), segment))?;

    #[allow(deprecated)] // the eager group-by is enough here; no need for the lazy engine
    let mean = fact
        .group_by(["segment"])?
        .select(["spend", "usage"])
        .mean()?;
    let mean = mean.sort(["segment"], SortMultipleOptions::default())?;
    println!("{mean}");
    assert_eq!(mean.height(), 3);
    Ok(())
}
