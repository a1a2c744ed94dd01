//! Exact decimals on the wire: money, rates and quantities travel as JSON strings
//! (`"1234.50"`), never as floats.
//!
//! Input accepts a string, or a plain JSON number (converted through its shortest exact
//! representation, which is the literal the caller wrote for any value of up to 15
//! significant digits). Output is always the plain decimal string with the column's scale
//! (`NUMERIC(12,2)` gives `"0.10"`).

use std::{fmt, str::FromStr};

use bigdecimal::{BigDecimal, ToPrimitive, Zero, num_bigint::BigInt};
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
        match small_numeric(bytes.as_bytes()) {
            Some(d) => Ok(d),
            None => <BigDecimal as FromSql<Numeric, Pg>>::from_sql(bytes).map(Decimal),
        }
    }
}

/// NUMERIC's binary form (digit count, weight, sign, display scale, then base-10 000 digits)
/// read straight into an `i128` when the value fits, as every money, rate and quantity column
/// does. Diesel's general path builds a `Vec` of digits and a `BigUint` with a multiplication
/// and an allocation per digit; a page of 50 products reads 200 decimals. `None` (NaN,
/// infinities, more than 38 digits, anything unexpected) leaves the value to that path.
fn small_numeric(b: &[u8]) -> Option<Decimal> {
    let word = |i: usize| b.get(2 * i..2 * i + 2).map(|w| [w[0], w[1]]);
    let count = usize::from(u16::from_be_bytes(word(0)?));
    let weight = i64::from(i16::from_be_bytes(word(1)?));
    let negative = match u16::from_be_bytes(word(2)?) {
        0 => false,
        0x4000 => true,
        _ => return None,
    };
    let scale = i64::from(u16::from_be_bytes(word(3)?));
    if b.len() != 8 + 2 * count {
        return None;
    }
    let mut unscaled: i128 = 0;
    for i in 0..count {
        let digit = i128::from(u16::from_be_bytes(word(4 + i)?));
        if digit >= 10_000 {
            return None;
        }
        // The digit's power of ten in the unscaled value (value × 10^scale).
        let power = 4 * (weight - i64::try_from(i).ok()?) + scale;
        let term = if power >= 0 {
            digit.checked_mul(10i128.checked_pow(u32::try_from(power).ok()?)?)?
        } else {
            let divisor = 10i128.checked_pow(u32::try_from(-power).ok()?)?;
            if digit % divisor != 0 {
                return None;
            }
            digit / divisor
        };
        unscaled = unscaled.checked_add(term)?;
    }
    if negative {
        unscaled = -unscaled;
    }
    Some(Decimal(BigDecimal::new(BigInt::from(unscaled), scale)))
}

/// The plain decimal text (`to_plain_string`'s) of a value of up to 38 digits with a scale of
/// 0 to 40, written into `out` without a heap allocation (`to_plain_string` makes four: the
/// integer's digits, their bytes, the padded text, the result). `None`: use `to_plain_string`.
fn plain_str<'a>(value: &BigDecimal, out: &'a mut [u8; 64]) -> Option<&'a str> {
    let (unscaled, scale) = value.as_bigint_and_scale();
    let scale = usize::try_from(scale).ok().filter(|s| *s <= 40)?;
    let unscaled = unscaled.to_i128()?;
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(unscaled.unsigned_abs()).as_bytes();
    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        out[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    if unscaled < 0 {
        push(b"-");
    }
    if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        push(whole);
        if scale > 0 {
            push(b".");
            push(fraction);
        }
    } else {
        push(b"0.");
        for _ in digits.len()..scale {
            push(b"0");
        }
        push(digits);
    }
    std::str::from_utf8(&out[..len]).ok()
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
        match plain_str(&self.0, &mut [0; 64]) {
            Some(text) => f.write_str(text),
            None => f.write_str(&self.0.to_plain_string()),
        }
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match plain_str(&self.0, &mut [0; 64]) {
            Some(text) => s.serialize_str(text),
            None => s.serialize_str(&self.0.to_plain_string()),
        }
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

    /// Both fast paths give what the general ones give, digit for digit and scale for scale.
    #[test]
    fn fast_paths_match_bigdecimal() {
        use diesel::pg::data_types::PgNumeric;
        let encode = |n: &PgNumeric| {
            let (sign, weight, scale, digits) = match n {
                PgNumeric::Positive {
                    weight,
                    scale,
                    digits,
                } => (0u16, *weight, *scale, digits),
                PgNumeric::Negative {
                    weight,
                    scale,
                    digits,
                } => (0x4000, *weight, *scale, digits),
                PgNumeric::NaN => unreachable!(),
            };
            let mut b = Vec::new();
            for w in [digits.len() as u16, weight as u16, sign, scale] {
                b.extend_from_slice(&w.to_be_bytes());
            }
            digits
                .iter()
                .for_each(|d| b.extend_from_slice(&d.to_be_bytes()));
            b
        };
        for text in [
            "0",
            "0.00",
            "0.10",
            "1.25",
            "-1.25",
            "-0.05",
            "0.0000001",
            "9999999999.99",
            "12345678.9012",
            "100",
            "10000",
            "100000000",
            "0.2500",
            "1e3",
            "-7",
            "123456789012345678901234567890.12345678",
            "0.000000000000000000000000000000000000001",
        ] {
            let v = BigDecimal::from_str(text).unwrap();
            let general = v.to_plain_string();
            assert_eq!(Decimal(v.clone()).to_string(), general, "{text}");
            let numeric = PgNumeric::from(&v);
            let expected = BigDecimal::try_from(&numeric).unwrap();
            match small_numeric(&encode(&numeric)) {
                Some(fast) => {
                    assert_eq!(
                        fast.0.to_plain_string(),
                        expected.to_plain_string(),
                        "{text}"
                    );
                    assert_eq!(fast.0, expected, "{text}");
                }
                None => assert!(text.len() > 38, "{text} took the slow path"),
            }
        }
    }

    #[test]
    fn output_is_a_plain_string() {
        let v = Decimal(BigDecimal::from_str("0.0000001").unwrap());
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"0.0000001\"");
    }
}
