//! Numeric scenario parameters that may be uncertain: a fixed number or a distribution.
//!
//! ```toml
//! approval_share = 0.25
//! approval_share = { dist = "triangular", min = 0.1, mode = 0.25, max = 0.4 }
//! delay_days     = { dist = "uniform", min = 30, max = 60 }
//! quota_t_per_month = { dist = "normal", mean = 500, sd = 100 }
//! inventory_days_defense = { dist = "lognormal", mu = 4.8, sigma = 0.3 }
//! ```
//!
//! Each key has an allowed range (a share lies in [0, 1], days are ≥ 0). Fixed values and the
//! bounds of uniform and triangular distributions must lie inside it (checked at load);
//! draws of normal and lognormal distributions are clamped to it.

use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal, Triangular, Uniform};

/// A number or a distribution to draw it from, with the range it is clamped to.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The shape.
    pub kind: ParamKind,
    /// Smallest allowed value.
    pub lo: f64,
    /// Largest allowed value.
    pub hi: f64,
}

/// The shapes a parameter can take.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamKind {
    /// Always this value.
    Fixed(f64),
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on [min, max] with its peak at `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Lognormal: `exp` of a normal with mean `mu` and standard deviation `sigma`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm (> 0).
        sigma: f64,
    },
}

impl Param {
    /// A fixed value.
    pub fn fixed(v: f64, lo: f64, hi: f64) -> Param {
        Param {
            kind: ParamKind::Fixed(v),
            lo,
            hi,
        }
    }

    /// Whether the parameter varies between runs.
    pub fn is_random(&self) -> bool {
        !matches!(self.kind, ParamKind::Fixed(_))
    }

    /// The central value (fixed value, mode, mean or median), used by single runs and
    /// calibration.
    pub fn central(&self) -> f64 {
        let v = match self.kind {
            ParamKind::Fixed(v) => v,
            ParamKind::Uniform { min, max } => 0.5 * (min + max),
            ParamKind::Triangular { mode, .. } => mode,
            ParamKind::Normal { mean, .. } => mean,
            ParamKind::LogNormal { mu, .. } => mu.exp(),
        };
        v.clamp(self.lo, self.hi)
    }

    /// One draw, clamped to the allowed range. Parameters were validated at load, so the
    /// distribution constructors cannot fail; if they did, the central value is used.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let v = match self.kind {
            ParamKind::Fixed(v) => v,
            ParamKind::Uniform { min, max } => Uniform::new_inclusive(min, max)
                .map(|d| d.sample(rng))
                .unwrap_or(min),
            ParamKind::Triangular { min, mode, max } => Triangular::new(min, max, mode)
                .map(|d| d.sample(rng))
                .unwrap_or(mode),
            ParamKind::Normal { mean, sd } => {
                Normal::new(mean, sd).map(|d| d.sample(rng)).unwrap_or(mean)
            }
            ParamKind::LogNormal { mu, sigma } => LogNormal::new(mu, sigma)
                .map(|d| d.sample(rng))
                .unwrap_or(mu.exp()),
        };
        v.clamp(self.lo, self.hi)
    }

    /// Parses a TOML value: a number, or a table `{ dist = …, … }`. `Err` carries a message
    /// saying what is wrong and what is allowed.
    pub fn from_toml(value: &toml::Value, lo: f64, hi: f64) -> Result<Param, String> {
        let range = |v: f64, what: &str| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(v)
            } else {
                Err(format!(
                    "{what} {} is outside the allowed range [{lo}, {hi}]",
                    crate::model::readable(v)
                ))
            }
        };
        let kind = match value {
            toml::Value::Integer(i) => ParamKind::Fixed(range(*i as f64, "value")?),
            toml::Value::Float(f) => ParamKind::Fixed(range(*f, "value")?),
            toml::Value::Table(t) => {
                let dist = t.get("dist").and_then(|d| d.as_str()).ok_or_else(|| {
                    "a distribution needs `dist = \"uniform\"|\"triangular\"|\"normal\"|\"lognormal\"`"
                        .to_string()
                })?;
                let num = |k: &str| -> Result<f64, String> {
                    match t.get(k) {
                        Some(toml::Value::Integer(i)) => Ok(*i as f64),
                        Some(toml::Value::Float(f)) if f.is_finite() => Ok(*f),
                        Some(_) => Err(format!("`{k}` must be a number")),
                        None => Err(format!("distribution `{dist}` needs `{k}`")),
                    }
                };
                let allowed: &[&str] = match dist {
                    "uniform" => &["dist", "min", "max"],
                    "triangular" => &["dist", "min", "mode", "max"],
                    "normal" => &["dist", "mean", "sd"],
                    "lognormal" => &["dist", "mu", "sigma"],
                    other => {
                        return Err(format!(
                            "unknown distribution `{other}`; expected uniform, triangular, normal or lognormal"
                        ));
                    }
                };
                if let Some(k) = t.keys().find(|k| !allowed.contains(&k.as_str())) {
                    return Err(format!(
                        "unknown field `{k}` for distribution `{dist}`; expected {}",
                        allowed[1..].join(", ")
                    ));
                }
                match dist {
                    "uniform" => {
                        let (min, max) = (range(num("min")?, "min")?, range(num("max")?, "max")?);
                        if min > max {
                            return Err(format!("min {min} is greater than max {max}"));
                        }
                        ParamKind::Uniform { min, max }
                    }
                    "triangular" => {
                        let min = range(num("min")?, "min")?;
                        let mode = range(num("mode")?, "mode")?;
                        let max = range(num("max")?, "max")?;
                        if !(min <= mode && mode <= max) || min == max {
                            return Err(format!(
                                "triangular needs min <= mode <= max and min < max (got {min}, {mode}, {max})"
                            ));
                        }
                        ParamKind::Triangular { min, mode, max }
                    }
                    "normal" => {
                        let (mean, sd) = (num("mean")?, num("sd")?);
                        if sd <= 0.0 {
                            return Err(format!("sd must be > 0 (got {sd})"));
                        }
                        range(mean, "mean")?;
                        ParamKind::Normal { mean, sd }
                    }
                    _ => {
                        let (mu, sigma) = (num("mu")?, num("sigma")?);
                        if sigma <= 0.0 {
                            return Err(format!("sigma must be > 0 (got {sigma})"));
                        }
                        if mu.abs() > 700.0 {
                            return Err(format!("mu {mu} is out of range"));
                        }
                        ParamKind::LogNormal { mu, sigma }
                    }
                }
            }
            other => {
                return Err(format!(
                    "expected a number or a distribution table, found {}",
                    other.type_str()
                ));
            }
        };
        Ok(Param { kind, lo, hi })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn parse(s: &str) -> Result<Param, String> {
        let t: toml::Table = toml::from_str(&format!("v = {s}")).unwrap();
        Param::from_toml(&t["v"], 0.0, 1.0)
    }

    #[test]
    fn draws_stay_in_range_and_repeat_for_a_seed() {
        let p = parse("{ dist = \"normal\", mean = 0.5, sd = 2.0 }").unwrap();
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..100 {
            let x = p.sample(&mut a);
            assert!((0.0..=1.0).contains(&x));
            assert_eq!(x, p.sample(&mut b));
        }
    }

    #[test]
    fn rejects_bad_parameters_with_a_reason() {
        assert!(parse("1.5").unwrap_err().contains("outside"));
        assert!(parse("{ dist = \"triangular\", min = 0.5, mode = 0.2, max = 0.9 }").is_err());
        assert!(parse("{ dist = \"normal\", mean = 0.5, sd = 0 }").is_err());
        assert!(
            parse("{ dist = \"beta\", a = 1 }")
                .unwrap_err()
                .contains("unknown")
        );
        assert!(
            parse("{ dist = \"uniform\", min = 0.1 }")
                .unwrap_err()
                .contains("max")
        );
        assert!(parse("\"half\"").is_err());
    }

    #[test]
    fn central_value_is_mode_or_mean() {
        assert_eq!(
            parse("{ dist = \"triangular\", min = 0.1, mode = 0.25, max = 0.4 }")
                .unwrap()
                .central(),
            0.25
        );
        assert_eq!(parse("0.3").unwrap().central(), 0.3);
    }
}
