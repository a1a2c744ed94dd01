//! The demo world's vocabulary: brands, industries, and what each industry sells.
//!
//! Static data only, in the table `catalog.txt` (one brand, industry, variant list or category
//! a line), read once by [`parse`]. Everything random (which brand gets which industry,
//! prices, demand) is decided in `world.rs` and `sql.rs` from the seed; the table only says
//! what is plausible, so a reviewer can change the flavour of the demo without touching logic.

use std::sync::LazyLock;

/// An industry a client works in: how its products are named and priced, how seasonal and
/// bulky its demand is, and how long its supply chain takes.
pub(super) struct Industry {
    /// Stored in `clients.industry` (and used as a benchmark cohort).
    pub key: &'static str,
    /// Second word of the client's name ("Northwind Apparel").
    pub label: &'static str,
    /// Last letter of the SKU prefix ("NWA").
    pub code: &'static str,
    /// How strongly demand follows the Q4 peak and summer dip (1.0 = the reference curve).
    pub season_amp: f64,
    /// Typical units per order line (case packs for food, single units for electronics).
    pub units_per_line: f64,
    /// Supplier and shipping lead-time ranges in days (inclusive).
    pub supplier_days: (i32, i32),
    pub shipping_days: (i32, i32),
    /// Appended to item names: colours, sizes, flavours.
    pub variants: Vec<&'static str>,
    pub categories: Vec<Category>,
}

/// A product category: its `products.category`, the word in its SKUs, the items it holds and
/// the range of their unit costs in dollars.
pub(super) struct Category {
    pub name: &'static str,
    pub sku: &'static str,
    pub items: Vec<&'static str>,
    pub cost: (f64, f64),
}

/// Brands, industries and categories, in the table's order.
pub(super) struct Catalog {
    /// Brand names and the two letters each contributes to SKU prefixes ("Northwind" →
    /// "NW"). The codes are distinct, so SKU prefixes are distinct for the first
    /// `brands.len() * industries.len()` clients.
    pub brands: Vec<(&'static str, &'static str)>,
    pub industries: Vec<Industry>,
}

/// The table, parsed at first use (it is part of the binary: a mistake in it fails the unit
/// test below, not a seed run).
pub(super) static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    parse(include_str!("catalog.txt")).unwrap_or_else(|e| panic!("src/seed/catalog.txt: {e}"))
});

/// Reads the `|`-separated records of `catalog.txt`; the error names the line.
fn parse(text: &'static str) -> Result<Catalog, String> {
    let mut catalog = Catalog {
        brands: Vec::new(),
        industries: Vec::new(),
    };
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        record(&mut catalog, &fields).map_err(|e| format!("line {}: {e}: {line}", number + 1))?;
    }
    Ok(catalog)
}

/// One record into the catalog; a variants or category line belongs to the last industry.
fn record(catalog: &mut Catalog, fields: &[&'static str]) -> Result<(), String> {
    match *fields {
        ["brand", name, code] => catalog.brands.push((name, code)),
        [
            "industry",
            key,
            label,
            code,
            season_amp,
            units_per_line,
            supplier,
            shipping,
        ] => catalog.industries.push(Industry {
            key,
            label,
            code,
            season_amp: number(season_amp)?,
            units_per_line: number(units_per_line)?,
            supplier_days: range(supplier)?,
            shipping_days: range(shipping)?,
            variants: Vec::new(),
            categories: Vec::new(),
        }),
        ["variants", ref variants @ ..] if !variants.is_empty() => {
            last(catalog)?.variants.extend_from_slice(variants)
        }
        ["category", name, sku, cost, ref items @ ..] if !items.is_empty() => {
            last(catalog)?.categories.push(Category {
                name,
                sku,
                items: items.to_vec(),
                cost: range(cost)?,
            })
        }
        _ => return Err("not a brand, industry, variants or category record".to_owned()),
    }
    Ok(())
}

fn last(catalog: &mut Catalog) -> Result<&mut Industry, String> {
    let industry = catalog.industries.last_mut();
    industry.ok_or_else(|| "no industry line above it".to_owned())
}

fn number<T: std::str::FromStr>(field: &str) -> Result<T, String> {
    field
        .parse()
        .map_err(|_| format!("{field:?} is not a number"))
}

/// `min-max`, both inclusive.
fn range<T: std::str::FromStr>(field: &str) -> Result<(T, T), String> {
    let (min, max) = field
        .split_once('-')
        .ok_or_else(|| format!("{field:?} is not a range like 3-9"))?;
    Ok((number(min)?, number(max)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_with_distinct_brand_codes_and_usable_ranges() {
        let catalog = parse(include_str!("catalog.txt")).unwrap();
        assert_eq!(catalog.brands.len(), 30);
        assert_eq!(catalog.industries.len(), 10);
        let mut codes: Vec<_> = catalog.brands.iter().map(|b| b.1).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), catalog.brands.len());
        for industry in &catalog.industries {
            assert!(!industry.variants.is_empty() && !industry.categories.is_empty());
            assert!(industry.supplier_days.0 <= industry.supplier_days.1);
            assert!(industry.shipping_days.0 <= industry.shipping_days.1);
            for category in &industry.categories {
                assert!(category.cost.0 < category.cost.1, "{}", category.name);
            }
        }
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = parse("brand | Northwind | NW\ncategory | Shoes | SHOE | 1-2 | Boot")
            .err()
            .unwrap();
        assert!(
            err.starts_with("line 2: no industry line above it"),
            "{err}"
        );
    }
}
