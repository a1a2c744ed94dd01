//! Collects every invalid field of a request, so one 422 names them all.

use bigdecimal::BigDecimal;

use super::{
    decimal::Decimal,
    error::{ApiError, ApiResult, FieldError},
};

#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A required text: trimmed, not empty, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.contains('\0') {
            self.error(field, "must not contain NUL characters");
        } else if v.is_empty() {
            self.error(field, "must not be empty");
        } else if v.chars().count() > max {
            self.error(field, format!("must be at most {max} characters"));
        }
        v.to_owned()
    }

    /// An optional text: trimmed; empty becomes None.
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        if v.contains('\0') {
            self.error(field, "must not contain NUL characters");
        } else if v.chars().count() > max {
            self.error(field, format!("must be at most {max} characters"));
        }
        Some(v.to_owned())
    }

    pub fn email(&mut self, field: &str, value: &str) -> String {
        let v = value.trim();
        let valid = v.len() <= 254
            && !v.chars().any(|c| c.is_whitespace() || c.is_control())
            && v.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        if !valid {
            self.error(field, "must be an email address like name@example.com");
        }
        v.to_owned()
    }

    /// A whole number within bounds.
    pub fn int_range(&mut self, field: &str, value: i64, min: i64, max: i64) -> i32 {
        if value < min || value > max {
            self.error(field, format!("must be between {min} and {max}"));
            return 0;
        }
        value as i32
    }

    /// A decimal checked by one of `decimal::{money, rate}`.
    pub fn decimal(
        &mut self,
        field: &str,
        value: &Decimal,
        check: fn(&Decimal) -> Result<BigDecimal, String>,
    ) -> BigDecimal {
        match check(value) {
            Ok(v) => v,
            Err(message) => {
                self.error(field, message);
                BigDecimal::default()
            }
        }
    }

    /// One of a fixed vocabulary.
    pub fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) -> String {
        if !allowed.contains(&value) {
            self.error(field, format!("must be one of: {}", allowed.join(", ")));
        }
        value.to_owned()
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}
