//! Rules for `seasonality`: months and strengths of the seasonal effects.

use super::{Ctx, check_len, check_range, root};
use crate::error::ValidationError;

pub(super) fn check_seasonality(cx: &mut Ctx<'_>) {
    let effects = &cx.config.seasonality;
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
}
