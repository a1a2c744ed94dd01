//! Fingerprints every migration at build time.
//!
//! Diesel records only a version and a time for each applied migration. To report drift
//! (an applied migration whose SQL changed since) the binary needs the checksum of each
//! `up.sql` it embeds; this script writes them to `$OUT_DIR/migration_checksums.rs`.

#[path = "src/db/checksum.rs"]
mod checksum;

use std::{env, fs, path::Path};

fn main() {
    // A new or edited migration must always rebuild the binary that embeds it.
    println!("cargo:rerun-if-changed=migrations");

    let mut entries: Vec<(String, String, String)> = Vec::new();
    for dir in fs::read_dir("migrations").expect("read migrations/") {
        let dir = dir.expect("read migrations/ entry").path();
        let up = dir.join("up.sql");
        if !up.is_file() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", up.display());
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        // Diesel's rule: the version is everything before the first underscore.
        let (version, _) = folder.split_once('_').unwrap_or((folder.as_str(), ""));
        let sql = fs::read(&up).expect("read up.sql");
        entries.push((
            version.to_owned(),
            folder.clone(),
            checksum::up_sql_checksum(&sql),
        ));
    }
    entries.sort();

    let mut out = String::from(
        "/// `(version, folder name, sha256 of up.sql)` of every embedded migration, by version.\n\
         pub const EMBEDDED_CHECKSUMS: &[(&str, &str, &str)] = &[\n",
    );
    for (version, folder, sum) in &entries {
        out.push_str(&format!("    ({version:?}, {folder:?}, {sum:?}),\n"));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("migration_checksums.rs");
    fs::write(dest, out).expect("write migration_checksums.rs");
}
