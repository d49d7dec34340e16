//! A 64-case property test over generated panels.
use plotsim::proptest::panels;
use plotsim_fixture_timing::ShopMonth;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn revenue_stays_in_range(panel in panels::<ShopMonth>()) {
        prop_assert!(panel.rows.iter().all(|r| (100.0..=20000.0).contains(&r.revenue)));
    }
}
