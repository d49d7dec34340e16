//! Builds the bundled `saas` template in code with `Config::builder()` and
//! checks that it equals the YAML template loaded from disk: the builder and
//! the YAML are the same structs, field for field.
//!
//! Run with `cargo run --example saas_builder`.

use indexmap::IndexMap;
use plotsim::BaselineLevel::{High, Mid};
use plotsim::{
    Column, Config, DimPer, Dimension, Event, Fact, JoinMode, Lifecycle, Metric, MetricType, Noise,
    Output, Polarity, QualityIssue, QualityIssueKind, RangeHandling, Realism, SeasonalEffect,
    Segment, Trigger,
};

fn metric(name: &str, label: &str, ty: MetricType, polarity: Polarity) -> Metric {
    Metric::builder()
        .name(name)
        .label(label)
        .r#type(ty)
        .polarity(polarity)
        .build()
}

fn segment(
    name: &str,
    count: u32,
    archetype: &str,
    label: &str,
    attributes: [(&str, Vec<&str>); 3],
    baseline: &[(&str, plotsim::BaselineLevel)],
) -> Segment {
    let mut seg = Segment::builder()
        .name(name)
        .count(count)
        .archetype(archetype)
        .label(label)
        .build();
    seg.attributes = attributes
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
    seg.baseline = baseline
        .iter()
        .map(|(m, l)| ((*m).to_owned(), *l))
        .collect::<IndexMap<_, _>>();
    seg
}

fn col(name: &str, ty: &str) -> Column {
    Column::new(name, ty)
}

/// The saas template, built in code.
pub fn saas() -> Config {
    use MetricType::{Amount, Count, Score};
    use Polarity::{Negative, Positive};
    Config::builder()
        .about("Customer success, product usage and recurring revenue of B2B SaaS companies")
        .unit("company")
        .seed(1729)
        .noise(
            Noise::builder()
                .gaussian_sigma(0.04)
                .outlier_rate(0.005)
                .mcar_rate(0.0)
                .scale_with_trajectory(true)
                .build(),
        )
        .output(Output::builder().denormalized(true).build())
        .realism(Realism::builder().range(RangeHandling::Truncate).joins(JoinMode::Continuous).build())
        .window(("2023-01", "2024-12"))
        .seasonality(vec![
            SeasonalEffect::builder().months(vec![11, 12]).strength(0.30).build(),
            SeasonalEffect::builder().months(vec![6, 7, 8]).strength(-0.12).build(),
        ])
        .metrics(vec![
            metric("engagement", "Engagement with the product", Score, Positive),
            metric("feature_adoption", "Share of features in use", Score, Positive),
            Metric { range: Some([50.0, 50000.0]), ..metric("mrr", "Monthly recurring revenue", Amount, Positive) },
            Metric { range: Some([0.0, 100.0]), ..metric("nps", "Net promoter score, 0 to 100", Amount, Positive) },
            metric("support_tickets", "Support tickets in the month", Count, Negative),
            Metric {
                seasonal_sensitivity: 0.0,
                ..metric("churn_risk", "Likelihood of churning", Score, Negative)
            },
            Metric {
                follows: Some("engagement".into()),
                delay: Some(2),
                ..metric("expansion", "Likelihood of expanding", Score, Positive)
            },
        ])
        .connections(vec![
            "mrr driven_by engagement".into(),
            "expansion related feature_adoption".into(),
            "churn_risk opposes engagement".into(),
            "support_tickets -0.40 engagement".into(),
            "nps 0.55 engagement".into(),
        ])
        .segments(vec![
            segment(
                "rapid_adopter", 18, "growth", "Ramps up quickly and adopts widely within a quarter",
                [("industry", vec!["saas", "fintech"]), ("region", vec!["na", "emea"]), ("plan_tier", vec!["growth", "enterprise"])],
                &[("engagement", High), ("feature_adoption", High)],
            ),
            segment(
                "steady_grower", 24, "accelerating", "Adds seats steadily, revenue compounds",
                [("industry", vec!["saas", "ecommerce", "education"]), ("region", vec!["na", "emea", "apac"]), ("plan_tier", vec!["starter", "growth"])],
                &[("engagement", Mid), ("mrr", Mid)],
            ),
            segment(
                "enterprise_steady", 14, "plateau(level=0.8)", "Established enterprise accounts holding a high level",
                [("industry", vec!["healthcare", "finance", "manufacturing"]), ("region", vec!["na", "emea"]), ("plan_tier", vec!["enterprise"])],
                &[("engagement", High), ("mrr", High), ("nps", High)],
            ),
            segment(
                "churning", 18, "plateau(level=0.6) > decline @ 10", "Coasts through the first months, then fades out",
                [("industry", vec!["retail", "ecommerce", "media"]), ("region", vec!["na", "latam"]), ("plan_tier", vec!["free", "starter"])],
                &[("churn_risk", High)],
            ),
            segment(
                "expansion_play", 12, "flat > growth @ 8", "Flat during evaluation, grows once the pilot succeeds",
                [("industry", vec!["saas", "fintech"]), ("region", vec!["na", "emea"]), ("plan_tier", vec!["growth", "enterprise"])],
                &[("engagement", Mid), ("expansion", High)],
            ),
            segment(
                "at_risk", 14, "growth > spike_then_crash > flat @ 6 @ 12", "Strong start, a setback around month six, no recovery",
                [("industry", vec!["media", "retail", "education"]), ("region", vec!["latam", "apac"]), ("plan_tier", vec!["starter", "growth"])],
                &[("engagement", Mid), ("churn_risk", High)],
            ),
        ])
        .lifecycle(
            Lifecycle::builder()
                .track("engagement")
                .stages(vec![("trial", 0.0).into(), ("active", 0.2).into(), ("engaged", 0.5).into(), ("power_user", 0.75).into()])
                .build(),
        )
        .dimensions(vec![
            Dimension::builder()
                .name("dim_date")
                .per(DimPer::Period)
                .columns(vec![col("date_key", "id"), col("date", "date"), col("year", "int"), col("month", "int"), col("quarter", "int")])
                .build(),
            Dimension::builder()
                .name("dim_company")
                .per(DimPer::Unit)
                .columns(vec![
                    col("company_id", "id"),
                    col("company_name", "faker.company"),
                    col("signup_year", "faker.year"),
                    col("cohort_size", "segment.count"),
                    col("industry", "pool.industry"),
                    col("region", "pool.region"),
                    Column::builder()
                        .name("plan_tier")
                        .r#type("scd")
                        .tracks("mrr")
                        .tiers(vec!["free".into(), "starter".into(), "growth".into(), "enterprise".into()])
                        .at(vec![0.25, 0.55, 0.8])
                        .build(),
                ])
                .build(),
            Dimension::builder()
                .name("dim_user")
                .per(DimPer::Unit)
                .count(4)
                .columns(vec![
                    col("user_id", "id"),
                    col("company_id", "ref.dim_company"),
                    col("user_name", "faker.name"),
                    col("user_email", "faker.email"),
                    col("user_role", "static.admin,member,member,member,viewer"),
                ])
                .build(),
            Dimension::builder()
                .name("dim_support_category")
                .reference(true)
                .columns(vec![
                    col("category_id", "id"),
                    col("category_name", "static.bug,billing,onboarding,integration,feature_request,access,outage,docs"),
                    col("severity_band", "static.high,medium,medium,low,low,medium,high,low"),
                ])
                .build(),
        ])
        .facts(vec![
            Fact::builder()
                .name("fct_engagement")
                .metrics(vec!["engagement".into(), "feature_adoption".into()])
                .columns(vec![
                    col("date_key", "ref.dim_date"),
                    col("company_id", "ref.dim_company"),
                    col("engagement", "metric.engagement"),
                    col("feature_adoption", "metric.feature_adoption"),
                    Column::builder().name("active_seats").r#type("range").range([1.into(), 200.into()]).build(),
                ])
                .build(),
            Fact::builder()
                .name("fct_revenue")
                .metrics(vec!["mrr".into(), "expansion".into()])
                .cdc(true)
                .columns(vec![
                    col("date_key", "ref.dim_date"),
                    col("company_id", "ref.dim_company"),
                    col("mrr", "metric.mrr"),
                    col("expansion", "metric.expansion"),
                    Column::builder().name("discount_pct").r#type("range").range([0.into(), 25.into()]).build(),
                ])
                .build(),
            Fact::builder()
                .name("fct_support")
                .metrics(vec!["support_tickets".into(), "nps".into(), "churn_risk".into()])
                .columns(vec![
                    col("date_key", "ref.dim_date"),
                    col("company_id", "ref.dim_company"),
                    col("category_id", "ref.dim_support_category"),
                    col("support_tickets", "metric.support_tickets"),
                    col("nps", "metric.nps"),
                    col("churn_risk", "metric.churn_risk"),
                ])
                .build(),
        ])
        .events(vec![
            Event::builder()
                .name("evt_login")
                .trigger(Trigger::Proportional)
                .driver("engagement")
                .scale(10.0)
                .columns(vec![col("event_id", "id"), col("date_key", "ref.dim_date"), col("company_id", "ref.dim_company"), col("event_ts", "timestamp")])
                .build(),
            Event::builder()
                .name("evt_churn")
                .trigger(Trigger::Threshold)
                .metric("churn_risk")
                .above(0.7)
                .r#for(2)
                .columns(vec![
                    col("event_id", "id"),
                    col("date_key", "ref.dim_date"),
                    col("company_id", "ref.dim_company"),
                    col("reason", "faker.sentence"),
                    col("voluntary", "flag"),
                ])
                .build(),
        ])
        .quality(vec![
            QualityIssue::builder().table("fct_engagement").issue(QualityIssueKind::NullInjection).rate(0.03).column("engagement").build(),
            QualityIssue::builder().table("evt_login").issue(QualityIssueKind::DuplicateRows).rate(0.015).build(),
            QualityIssue::builder().table("fct_revenue").issue(QualityIssueKind::LateArrival).rate(0.02).build(),
        ])
        .build()
}

fn main() {
    let built = saas();
    let loaded = plotsim::templates::get("saas")
        .expect("bundled")
        .config()
        .expect("template loads");
    assert_eq!(built, loaded, "the builder and the YAML template differ");
    let plan = built.validate().expect("the saas template is valid");
    println!(
        "saas built in code equals templates/saas.yaml: {} entities x {} periods, {} tables",
        plan.n_entities(),
        plan.window.n_periods,
        plan.tables.len()
    );
}
