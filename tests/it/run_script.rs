//! `scripts/run.sh` with `.env.example` copied as `.env`, the way a new user starts: the
//! placeholders are replaced by generated secrets (and kept), nothing in the example sets
//! `DATABASE_URL` (which would skip the script's own database set-up), and CORS stays at its
//! documented default (off). `cargo` is replaced by a stub that prints what it was given, so
//! this runs in milliseconds and touches no database (`DATABASE_URL` is passed explicitly).

use std::{os::unix::fs::PermissionsExt, path::Path, process::Command};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn run(dir: &Path, env: &[(&str, &str)]) -> String {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(dir.join("scripts/run.sh"));
    cmd.env_clear()
        .env("PATH", path)
        .env("DATABASE_URL", "postgres://given@db.example/x");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn dotenv_value(dir: &Path, key: &str) -> String {
    std::fs::read_to_string(dir.join(".env"))
        .expect(".env")
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")).map(str::to_owned))
        .unwrap_or_else(|| panic!(".env has no {key}"))
}

#[test]
fn env_example_copied_as_dotenv_runs_with_generated_secrets_and_no_database_override() {
    let example = std::fs::read_to_string(Path::new(ROOT).join(".env.example")).expect("example");
    let active: Vec<&str> = example
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('='))
        .collect();
    for key in ["DATABASE_URL=", "CORS_ALLOWED_ORIGINS="] {
        assert!(
            !active.iter().any(|l| l.starts_with(key)),
            ".env.example must leave {key} at its default (commented out)"
        );
    }

    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &Path::new(ROOT).join("scripts"),
        &dir.path().join("scripts"),
    );
    std::fs::write(dir.path().join(".env"), &example).expect(".env");
    let stub = dir.path().join("bin/cargo");
    std::fs::create_dir_all(stub.parent().expect("bin")).expect("bin");
    std::fs::write(
        &stub,
        "#!/bin/sh\necho \"ADMIN_TOKEN=$ADMIN_TOKEN\"\necho \"JWT_SECRET=$JWT_SECRET\"\n\
         echo \"CORS=${CORS_ALLOWED_ORIGINS:-none}\"\necho \"ARGS=$*\"\n",
    )
    .expect("stub");
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let first = run(dir.path(), &[]);
    let admin = dotenv_value(dir.path(), "ADMIN_TOKEN");
    let jwt = dotenv_value(dir.path(), "JWT_SECRET");
    for secret in [&admin, &jwt] {
        assert!(
            !secret.starts_with("change-me"),
            "placeholder kept: {secret}"
        );
        assert_eq!(secret.len(), 64, "32 random bytes in hex: {secret}");
    }
    assert!(first.contains(&format!("ADMIN_TOKEN={admin}")), "{first}");
    assert!(first.contains(&format!("JWT_SECRET={jwt}")), "{first}");
    assert!(first.contains("CORS=none"), "{first}");
    assert!(
        first.contains("ARGS=run --release --locked -- serve"),
        "{first}"
    );

    // The generated secrets are kept: the next run uses the same ones.
    let second = run(dir.path(), &[]);
    assert!(second.contains(&format!("ADMIN_TOKEN={admin}")), "{second}");
    assert_eq!(dotenv_value(dir.path(), "JWT_SECRET"), jwt);
    // A value given in the environment wins over .env, placeholder or not (the server then
    // refuses a placeholder by name: see startup.rs).
    let given = run(dir.path(), &[("ADMIN_TOKEN", "change-me-given")]);
    assert!(given.contains("ADMIN_TOKEN=change-me-given"), "{given}");
}
