//! `Patch<T>`: one field of a PATCH body, telling "absent" (leave it as it is) from `null`
//! (clear it) from a value (set it). Declare fields as `#[serde(default)] pub f: Patch<T>`;
//! [`Validator::patch`](super::validation::Validator::patch) and
//! [`Validator::patch_required`](super::validation::Validator::patch_required) merge them
//! into the current row, so no feature writes its own merge helpers.

use serde::{Deserialize, Deserializer};
use utoipa::{
    __dev::ComposeSchema,
    ToSchema,
    openapi::{
        RefOr, Schema,
        schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type},
    },
};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// The field was not sent: keep the current value.
    #[default]
    Absent,
    /// `null`: clear the field (refused for fields that cannot be cleared).
    Null,
    /// A new value, still to be validated.
    Value(T),
}

impl<T> Patch<T> {
    /// The value sent, if any (absent and `null` both give `None`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(|v| v.map_or(Self::Null, Self::Value))
    }
}

/// In the OpenAPI document a `Patch<T>` is what it accepts: a `T` or `null`, written the way
/// utoipa writes an `Option<T>` (a type list for inline schemas, `oneOf` for references).
impl<T> ComposeSchema for Patch<T> {
    fn compose(generics: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        match generics.into_iter().next() {
            Some(RefOr::T(Schema::Object(mut object))) => {
                object.schema_type = match object.schema_type {
                    SchemaType::Type(t) => SchemaType::Array(vec![t, Type::Null]),
                    SchemaType::Array(mut types) => {
                        types.push(Type::Null);
                        SchemaType::Array(types)
                    }
                    any => any,
                };
                RefOr::T(Schema::Object(object))
            }
            Some(other) => OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .item(other)
                .into(),
            None => ObjectBuilder::new().into(),
        }
    }
}

impl<T: ToSchema> ToSchema for Patch<T> {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        a: Patch<i64>,
        #[serde(default)]
        b: Patch<i64>,
        #[serde(default)]
        c: Patch<i64>,
    }

    #[test]
    fn absent_null_and_value_are_three_things() {
        let body: Body = serde_json::from_str(r#"{"b": null, "c": 3}"#).expect("parses");
        assert_eq!(body.a, Patch::Absent);
        assert_eq!(body.b, Patch::Null);
        assert_eq!(body.c, Patch::Value(3));
    }
}
