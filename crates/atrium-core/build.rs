//! Embeds `migrations/{control,tenant}/*.sql` so the binary carries its own schema.
use std::{env, fmt::Write, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut out = String::new();
    for set in ["control", "tenant", "clickhouse"] {
        let dir = root.join(set);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        writeln!(out, "pub const {}: &[Migration] = &[", set.to_uppercase()).ok();
        for path in files {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            let (num, label) = name
                .split_once('_')
                .unwrap_or_else(|| panic!("{name}: expected NNNN_name.sql"));
            let version: i32 = num
                .parse()
                .unwrap_or_else(|_| panic!("{name}: expected a numeric prefix"));
            writeln!(
                out,
                "    Migration {{ version: {version}, name: {label:?}, sql: include_str!({:?}) }},",
                path.canonicalize().expect("path").display().to_string()
            )
            .ok();
        }
        writeln!(out, "];").ok();
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("migrations.rs");
    fs::write(dest, out).expect("write migrations.rs");
}
