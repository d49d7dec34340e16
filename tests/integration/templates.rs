use plotsim::Config;

#[test]
fn every_template_validates_and_round_trips() {
    for t in plotsim::templates::TEMPLATES {
        let config = t.config().unwrap_or_else(|e| panic!("{}: {e}", t.name));
        let plan = config
            .validate()
            .unwrap_or_else(|e| panic!("{}:\n{e}", t.name));
        assert!(plan.n_entities() >= 95, "{}", t.name);
        assert_eq!(plan.window.n_periods, 24, "{}", t.name);
        assert!(config.seed.is_some(), "{} has a fixed seed", t.name);
        let back = Config::from_yaml_str(&config.to_yaml()).unwrap();
        assert_eq!(back, config, "{} round trip", t.name);
    }
}

#[test]
fn templates_match_the_originals_in_shape() {
    // (name, unit, entities, metrics, tables incl. bridges)
    let expected = [
        ("banking", "customer", 98, 7, 10),
        ("health", "patient", 102, 7, 11),
        ("hr", "employee", 104, 6, 10),
        ("marketing", "campaign", 95, 9, 9),
        ("quickstart", "customer", 100, 4, 3),
        ("retail", "customer", 100, 7, 11),
        ("saas", "company", 100, 7, 9),
    ];
    let names: Vec<&str> = plotsim::templates::names().collect();
    assert_eq!(names, expected.iter().map(|e| e.0).collect::<Vec<_>>());
    for (name, unit, entities, metrics, tables) in expected {
        let plan = plotsim::templates::get(name).unwrap().plan().unwrap();
        assert_eq!(plan.config.unit, unit, "{name}");
        assert_eq!(plan.n_entities(), entities, "{name}");
        assert_eq!(plan.metrics.len(), metrics, "{name}");
        assert_eq!(plan.tables.len(), tables, "{name}");
    }
}

#[test]
fn quickstart_uses_the_auto_schema() {
    let plan = plotsim::templates::get("quickstart")
        .unwrap()
        .plan()
        .unwrap();
    assert!(plan.auto_schema);
    let names: Vec<&str> = plan.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["dim_date", "dim_customer", "fct_customer"]);
    let dim = plan.table("dim_customer").unwrap();
    let cols: Vec<&str> = dim.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["customer_id", "customer_name", "plan"]);
    assert!(plan.metrics.iter().any(|m| m.lag.is_some()));
}

#[path = "../../examples/saas_builder.rs"]
#[allow(dead_code, unreachable_pub)]
// the example's `main` is run by `cargo run --example saas_builder`
mod saas_builder;

#[test]
fn builder_example_equals_the_saas_template() {
    let loaded = plotsim::templates::get("saas").unwrap().config().unwrap();
    assert_eq!(saas_builder::saas(), loaded);
}
