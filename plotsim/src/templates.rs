//! The bundled templates: complete, valid configs to start from.
//!
//! They live in the repository's top-level `templates/` directory and are
//! embedded at compile time, so `plotsim template saas` works anywhere.

use crate::{Config, ConfigError};

/// A bundled template.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Name, as given to `plotsim template NAME`.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// The YAML text.
    pub yaml: &'static str,
}

impl Template {
    /// Parses the template into a [`Config`].
    ///
    /// # Example
    /// ```
    /// let t = plotsim::templates::get("saas").unwrap();
    /// let config = t.config().unwrap();
    /// assert_eq!(config.unit, "company");
    /// ```
    pub fn config(&self) -> Result<Config, ConfigError> {
        Config::from_yaml_str(self.yaml)
    }

    /// Parses and validates the template.
    ///
    /// # Errors
    /// [`crate::Error::Load`] or [`crate::Error::Invalid`] (never for a
    /// bundled template: every one is tested to validate).
    ///
    /// # Example
    /// ```
    /// let plan = plotsim::templates::get("quickstart").unwrap().plan().unwrap();
    /// assert_eq!(plan.window.n_periods, 24);
    /// ```
    pub fn plan(&self) -> Result<crate::Plan, crate::Error> {
        Ok(self.config()?.validate()?)
    }
}

/// Every bundled template, sorted by name.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "banking",
        description: "Retail banking customers: balances, credit use, delinquency and defaults",
        yaml: include_str!("../templates/banking.yaml"),
    },
    Template {
        name: "health",
        description: "Patients: encounters, vitals, adherence and readmission risk",
        yaml: include_str!("../templates/health.yaml"),
    },
    Template {
        name: "hr",
        description: "Employees: performance, engagement, absence, compensation and attrition",
        yaml: include_str!("../templates/hr.yaml"),
    },
    Template {
        name: "marketing",
        description: "Campaigns: spend, impressions, conversion, revenue and ROI",
        yaml: include_str!("../templates/marketing.yaml"),
    },
    Template {
        name: "quickstart",
        description: "The smallest useful config: three segments, four metrics, the auto schema",
        yaml: include_str!("../templates/quickstart.yaml"),
    },
    Template {
        name: "retail",
        description: "Shoppers: orders, basket value, loyalty, returns and NPS",
        yaml: include_str!("../templates/retail.yaml"),
    },
    Template {
        name: "saas",
        description: "B2B SaaS companies: engagement, recurring revenue, support and churn",
        yaml: include_str!("../templates/saas.yaml"),
    },
];

/// The template called `name`.
///
/// # Example
/// ```
/// assert!(plotsim::templates::get("quickstart").is_some());
/// assert!(plotsim::templates::get("nope").is_none());
/// ```
pub fn get(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// Every template name, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|t| t.name)
}
