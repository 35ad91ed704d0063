//! Puts `static/` inside the binary, with brotli and gzip variants made here, once, rather than
//! on every request: `src/static_assets/` serves them from memory.

use std::{
    error::Error,
    fmt::Write as _,
    fs,
    io::Write as _,
    path::{Path, PathBuf},
};

/// Only text compresses; pictures already are.
const COMPRESSIBLE: &[&str] = &["css", "js", "svg", "html", "txt", "json", "ico"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=static");
    // The binary's 53,000 relative relocations as a compact bitmap (DT_RELR, glibc 2.36 and
    // later) instead of 24 bytes each: 1.2 MB the loader reads at start and that then stays
    // resident for the server's life.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("static");
    fs::create_dir_all(&out)?;
    let mut names: Vec<String> = Vec::new();
    for entry in fs::read_dir("static")? {
        let path = entry?.path();
        if path.is_dir() {
            // Served by name from one directory: a file in a folder would be a 404.
            return Err(format!(
                "{} is a directory; static/ holds files only",
                path.display()
            )
            .into());
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        let bytes = fs::read(&path)?;
        fs::write(out.join(&name), &bytes)?;
        names.push(name.clone());
        if compressible(&path) {
            for (suffix, compressed) in [("br", brotli(&bytes)?), ("gz", gzip(&bytes)?)] {
                // A variant no smaller than the file is of no use to anyone.
                if compressed.len() < bytes.len() {
                    let variant = format!("{name}.{suffix}");
                    fs::write(out.join(&variant), compressed)?;
                    names.push(variant);
                }
            }
        }
    }
    names.sort();
    let mut table = String::from("&[\n");
    for name in &names {
        writeln!(
            table,
            "    ({name:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/static/{name}\"))),"
        )?;
    }
    table.push(']');
    fs::write(
        PathBuf::from(std::env::var("OUT_DIR")?).join("static_files.rs"),
        table,
    )?;
    Ok(())
}

fn compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e))
}

fn brotli(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(bytes)?;
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}
