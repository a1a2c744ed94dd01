//! Collects every invalid field of a request, so one 422 names them all.
//!
//! [`validate`] is the way in: it hands a [`Validator`] to a closure that builds the
//! validated value, and returns that value or the 422 listing every failing field. There is
//! no `finish()` to forget.

use bigdecimal::BigDecimal;

use super::{
    decimal::Decimal,
    error::{ApiError, ApiResult, FieldError},
    patch::Patch,
};

/// Builds a validated value; any error recorded on the way makes the whole result a 422 that
/// names every failing field, and the half-built value is dropped.
pub fn validate<T>(build: impl FnOnce(&mut Validator) -> T) -> ApiResult<T> {
    let mut v = Validator::new();
    let value = build(&mut v);
    v.finish().map(|()| value)
}

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

    /// A field a create body must have: `None` records "is required". Create bodies declare
    /// required fields as `Option<T>` so one 422 names every missing field, not the first.
    pub fn required<'a, T>(&mut self, field: &str, value: Option<&'a T>) -> Option<&'a T> {
        if value.is_none() {
            self.error(field, "is required");
        }
        value
    }

    /// A PATCHed field that can be cleared: absent keeps `current`, `null` clears it, a value
    /// goes through `check`.
    pub fn patch<R, T: Clone>(
        &mut self,
        patch: &Patch<R>,
        current: &Option<T>,
        check: impl FnOnce(&mut Self, &R) -> T,
    ) -> Option<T> {
        match patch {
            Patch::Absent => current.clone(),
            Patch::Null => None,
            Patch::Value(value) => Some(check(self, value)),
        }
    }

    /// A PATCHed field that cannot be cleared: absent keeps `current`, `null` is an error.
    pub fn patch_required<R, T: Clone>(
        &mut self,
        field: &str,
        patch: &Patch<R>,
        current: &T,
        check: impl FnOnce(&mut Self, &R) -> T,
    ) -> T {
        match patch {
            Patch::Absent => current.clone(),
            Patch::Null => {
                self.error(field, "must not be null");
                current.clone()
            }
            Patch::Value(value) => check(self, value),
        }
    }

    /// A PATCHed column written as a SET clause, without reading the row: absent is `None`
    /// (the column stays), `null` is `Some(None)` (cleared), a value goes through `check`.
    pub fn change<R, T>(
        &mut self,
        patch: &Patch<R>,
        check: impl FnOnce(&mut Self, &R) -> T,
    ) -> Option<Option<T>> {
        match patch {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(value) => Some(Some(check(self, value))),
        }
    }

    /// A PATCHed optional text: absent keeps, `null` or empty clears, a value is trimmed and
    /// checked like [`Validator::opt_text`].
    pub fn patch_text(
        &mut self,
        field: &str,
        patch: &Patch<String>,
        current: &Option<String>,
        max: usize,
    ) -> Option<String> {
        match patch {
            Patch::Absent => current.clone(),
            Patch::Null => None,
            Patch::Value(text) => self.opt_text(field, Some(text), max),
        }
    }

    /// Money: non-negative, at most two decimal places (`NUMERIC(12,2)`).
    pub fn money(&mut self, field: &str, value: &Decimal) -> Decimal {
        Decimal(self.decimal(field, value, super::decimal::money))
    }

    /// An annual rate: a fraction from 0 to 1, at most four decimal places.
    pub fn rate(&mut self, field: &str, value: &Decimal) -> Decimal {
        Decimal(self.decimal(field, value, super::decimal::rate))
    }

    /// A word of a [`Vocabulary`](crate::db::text_enum::Vocabulary), as its enum.
    pub fn word<E: crate::db::text_enum::Vocabulary>(
        &mut self,
        field: &str,
        value: &str,
    ) -> Option<E> {
        let word = E::from_word(value.trim());
        if word.is_none() {
            self.error(field, format!("must be one of: {}", E::WORDS.join(", ")));
        }
        word
    }

    /// Errors recorded so far: a check that builds on earlier ones (a sum of two fields) runs
    /// only when those passed.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}
