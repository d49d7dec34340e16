//! Rules for `seasonality`: months and strengths of the seasonal effects.

use super::{Ctx, check_len, check_range, root};
use crate::error::ValidationError;
use crate::plan::{ResolvedWindow, SeasonalEffectPlan, SeasonalityPlan};

/// Checks the seasonal effects and sums them per period of the window;
/// `None` when they have errors or the window did not resolve.
pub(super) fn check_seasonality(
    cx: &mut Ctx<'_>,
    window: Option<&ResolvedWindow>,
) -> Option<SeasonalityPlan> {
    let effects = &cx.config.seasonality;
    let before = cx.errors.len();
    check_len(
        cx,
        root().key("seasonality"),
        "seasonal effects",
        effects.len(),
        0,
        12,
    );
    for (i, e) in effects.iter().enumerate() {
        let p = root().key("seasonality").index(i);
        if e.months.is_empty() || e.months.len() > 12 {
            cx.push(
                ValidationError::new(p.key("months"), "1 to 12 months are needed")
                    .found(e.months.len()),
            );
        }
        for (j, &m) in e.months.iter().enumerate() {
            if !(1..=12).contains(&m) {
                cx.push(
                    ValidationError::new(p.key("months").index(j), "not a month")
                        .found(m)
                        .expected("1-12"),
                );
            } else if e.months[..j].contains(&m) {
                cx.push(
                    ValidationError::new(p.key("months").index(j), "month listed twice")
                        .found(m)
                        .expected("distinct months"),
                );
            }
        }
        check_range(cx, p.key("strength"), e.strength, -10.0, 10.0);
    }
    if cx.errors.len() != before {
        return None;
    }
    let effects = effects
        .iter()
        .map(|e| SeasonalEffectPlan {
            months: e.months.clone(),
            strength: e.strength,
        })
        .collect();
    Some(SeasonalityPlan::resolve(effects, window?))
}
