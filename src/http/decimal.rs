//! Exact decimals on the wire: money, rates and quantities travel as JSON strings
//! (`"1234.50"`), never as floats.
//!
//! Input accepts a string, or a plain JSON number (converted through its shortest exact
//! representation, which is the literal the caller wrote for any value of up to 15
//! significant digits). Output is always the plain decimal string with the column's scale
//! (`NUMERIC(12,2)` gives `"0.10"`).

use std::{fmt, str::FromStr};

use bigdecimal::{BigDecimal, Zero};
use diesel::{
    deserialize::{FromSql, FromSqlRow},
    expression::AsExpression,
    pg::{Pg, PgValue},
    serialize::{Output, ToSql},
    sql_types::Numeric,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{ObjectBuilder, RefOr, Schema, Type, schema::SchemaFormat},
};

/// An exact decimal: the wire format above, and a NUMERIC column in Diesel row structs (so
/// rows serialize as plain strings with no `serialize_with` per field).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Numeric)]
pub struct Decimal(pub BigDecimal);

impl ToSql<Numeric, Pg> for Decimal {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
        <BigDecimal as ToSql<Numeric, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Numeric, Pg> for Decimal {
    fn from_sql(bytes: PgValue<'_>) -> diesel::deserialize::Result<Self> {
        <BigDecimal as FromSql<Numeric, Pg>>::from_sql(bytes).map(Decimal)
    }
}

impl PartialEq<BigDecimal> for Decimal {
    fn eq(&self, other: &BigDecimal) -> bool {
        self.0 == *other
    }
}

impl Decimal {
    pub fn into_inner(self) -> BigDecimal {
        self.0
    }
}

impl From<BigDecimal> for Decimal {
    fn from(v: BigDecimal) -> Self {
        Self(v)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_plain_string())
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_plain_string())
    }
}

struct DecimalVisitor;

impl de::Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number as a string, e.g. \"12.50\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        let t = v.trim();
        let plain = !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
        if !plain {
            return Err(E::custom(format!("{v:?} is not a decimal number")));
        }
        BigDecimal::from_str(t)
            .map(Decimal)
            .map_err(|_| E::custom(format!("{v:?} is not a decimal number")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal(BigDecimal::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal(BigDecimal::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(E::custom("not a finite number"));
        }
        // `{}` prints the shortest representation that reads back as the same f64.
        self.visit_str(&format!("{v}"))
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

impl PartialSchema for Decimal {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("decimal".into())))
            .description(Some("An exact decimal as a string"))
            .examples(["1234.50"])
            .into()
    }
}

impl ToSchema for Decimal {}

/// Checks a decimal against a column's rules and returns it at the column's scale.
/// `max_scale`: decimal places the column keeps; more would be silently rounded, so they are
/// refused instead.
pub fn checked(
    value: &Decimal,
    max_scale: i64,
    min: Option<&BigDecimal>,
    max: Option<&BigDecimal>,
) -> Result<BigDecimal, String> {
    let v = value.0.normalized();
    let (_, scale) = v.as_bigint_and_exponent();
    if scale > max_scale {
        return Err(format!("at most {max_scale} decimal places"));
    }
    if let Some(min) = min
        && v < *min
    {
        return Err(if min.is_zero() {
            "must not be negative".to_owned()
        } else {
            format!("must be at least {}", min.to_plain_string())
        });
    }
    if let Some(max) = max
        && v > *max
    {
        return Err(format!("must be at most {}", max.to_plain_string()));
    }
    Ok(v.with_scale(max_scale))
}

/// Money: non-negative, cents, below the column's NUMERIC(12,2) limit.
pub fn money(value: &Decimal) -> Result<BigDecimal, String> {
    let max = BigDecimal::from_str("9999999999.99").expect("literal");
    checked(value, 2, Some(&BigDecimal::zero()), Some(&max))
}

/// An annual rate as a fraction: 0 to 1, four decimal places (NUMERIC(5,4)).
pub fn rate(value: &Decimal) -> Result<BigDecimal, String> {
    checked(
        value,
        4,
        Some(&BigDecimal::zero()),
        Some(&BigDecimal::from(1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn strings_and_numbers_parse_exactly() {
        assert_eq!(parse("\"0.10\"").unwrap().to_string(), "0.10");
        assert_eq!(parse("0.1").unwrap().to_string(), "0.1");
        assert_eq!(parse("1234.5").unwrap().to_string(), "1234.5");
        assert_eq!(parse("42").unwrap().to_string(), "42");
        assert!(parse("\"1e5\"").is_err(), "no exponents in strings");
        assert!(parse("\"abc\"").is_err());
        assert!(parse("true").is_err());
    }

    #[test]
    fn money_keeps_cents_and_refuses_more() {
        let m = |s: &str| money(&parse(s).unwrap()).map(|v| v.to_plain_string());
        assert_eq!(m("\"0.1\"").unwrap(), "0.10");
        assert_eq!(
            m("\"0.100\"").unwrap(),
            "0.10",
            "trailing zeros are not precision"
        );
        assert!(m("\"0.105\"").is_err());
        assert!(m("\"-0.01\"").unwrap_err().contains("negative"));
        assert!(rate(&parse("\"1.0001\"").unwrap()).is_err());
        assert_eq!(
            rate(&parse("0.25").unwrap()).unwrap().to_plain_string(),
            "0.2500"
        );
    }

    #[test]
    fn output_is_a_plain_string() {
        let v = Decimal(BigDecimal::from_str("0.0000001").unwrap());
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"0.0000001\"");
    }
}
