//! Streams a 10-million-cell panel through `T::iter` and reports the rows,
//! the time and the peak memory (VmHWM), to show that typed generation holds
//! bounded memory whatever the panel's size.
//!
//! Run with `cargo run --release --example derive_iter` (or
//! `bench/derive_iter.sh`). An optional argument scales the entity count:
//! `-- 0.1` for 1M cells.

use std::time::Instant;

/// 100,000 stores over 100 days: 10M cells.
#[derive(plotsim::Generator)]
#[plotsim(
    unit = "store",
    window(start = "2024-01-01", end = "2024-04-09", every = "daily"),
    seed = 1
)]
#[segment(name = "rising", count = 50000, archetype = "growth")]
#[segment(name = "fading", count = 50000, archetype = "flat > decline @ 40")]
#[connection("revenue driven_by footfall")]
struct StoreDay {
    #[entity]
    store: String,
    #[period]
    day: plotsim::Period,
    #[metric(type = "count", polarity = "positive")]
    footfall: u32,
    #[metric(type = "amount", polarity = "positive", range = [100, 20000])]
    revenue: f64,
    #[metric(type = "score", polarity = "positive")]
    satisfaction: f64,
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let scale: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1.0);
    let mut config = StoreDay::config();
    for s in &mut config.segments {
        s.count = ((f64::from(s.count) * scale) as u32).max(3);
    }
    let plan = config.validate().expect("a valid config");
    let t = Instant::now();
    let (mut rows, mut footfall, mut revenue, mut stores) = (0u64, 0u64, 0f64, 0u64);
    let mut last = String::new();
    // At scale 1 this is exactly `StoreDay::iter(7)`.
    let rows_iter = if scale == 1.0 {
        StoreDay::iter(7)
    } else {
        plotsim::Rows::<StoreDay>::new(plan.clone(), 7).expect("rows")
    };
    for r in rows_iter {
        rows += 1;
        footfall += u64::from(r.footfall);
        revenue += r.revenue + r.satisfaction * 0.0;
        if r.store != last {
            stores += 1;
            last = r.store;
        }
        let _ = r.day;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "cells {} | rows {rows} | stores {stores} | {secs:.1} s | {:.0} rows/s | peak RSS {} MB",
        plan.cells(),
        rows as f64 / secs,
        peak_rss_mb().map_or("?".into(), |m| format!("{m:.0}")),
    );
    println!("footfall {footfall}, revenue {revenue:.0}");
}
