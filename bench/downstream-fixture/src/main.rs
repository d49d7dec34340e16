//! Times `ShopMonth::generate` in this crate's (default dev) profile.
use plotsim_fixture_timing::ShopMonth;
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let rows = ShopMonth::generate(1);
    let first = t.elapsed();
    let t = Instant::now();
    let n: u32 = 10;
    for seed in 2..2 + u64::from(n) {
        assert_eq!(ShopMonth::generate(seed).len(), rows.len());
    }
    let per = t.elapsed() / n;
    println!(
        "generate: {} rows, first call {:.1} ms, then {:.1} ms per call",
        rows.len(),
        first.as_secs_f64() * 1e3,
        per.as_secs_f64() * 1e3
    );
}
