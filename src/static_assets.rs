//! The stylesheet, icons and images. They are inside the binary (with brotli and gzip variants
//! made at build time by `build.rs`) and laid out once per build under the data directory, where
//! tower-http's `ServeDir` serves them with each variant's own length: the site is styled
//! whichever directory the binary starts in, installed or not. `--static-dir` serves a directory
//! as it is instead, for working on the stylesheet.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::protect::to_hex;

/// (file name, bytes), the variants named `{name}.br` and `{name}.gz`.
const EMBEDDED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/static_files.rs"));

/// Where the static files are served from, and the stylesheet's fingerprint for its URL.
#[derive(Debug, Clone)]
pub struct StaticAssets {
    pub dir: PathBuf,
    /// The first hex digits of the stylesheet's SHA-256 ("dev" when a development directory has
    /// none): `style.css?v={version}`.
    pub version: String,
    /// Served from `--static-dir`, whose files change while the server runs: never cached as
    /// immutable.
    pub development: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StaticError {
    #[error("the static directory {0} does not exist")]
    Missing(PathBuf),
    #[error("could not lay out the static files in {0}: {1}")]
    LayOut(PathBuf, std::io::Error),
}

impl StaticAssets {
    /// `development_dir` as it is when given (it must exist), else the embedded files.
    pub async fn prepare(
        development_dir: Option<&Path>,
        data_dir: &Path,
    ) -> Result<Self, StaticError> {
        match development_dir {
            Some(dir) => {
                let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
                if !tokio::fs::metadata(&absolute)
                    .await
                    .is_ok_and(|m| m.is_dir())
                {
                    return Err(StaticError::Missing(absolute));
                }
                let version = match tokio::fs::read(absolute.join("style.css")).await {
                    Ok(bytes) => fingerprint(&bytes),
                    Err(error) => {
                        tracing::warn!(%error, dir = %absolute.display(), "no style.css in the static directory");
                        "dev".to_owned()
                    }
                };
                Ok(Self {
                    dir: absolute,
                    version,
                    development: true,
                })
            }
            None => {
                let dir = std::path::absolute(data_dir)
                    .unwrap_or_else(|_| data_dir.to_owned())
                    .join(format!("static-{}", build_fingerprint()));
                lay_out(&dir)
                    .await
                    .map_err(|e| StaticError::LayOut(dir.clone(), e))?;
                let version = EMBEDDED
                    .iter()
                    .find(|(name, _)| *name == "style.css")
                    .map(|(_, bytes)| fingerprint(bytes))
                    .unwrap_or_else(|| "dev".to_owned());
                Ok(Self {
                    dir,
                    version,
                    development: false,
                })
            }
        }
    }
}

fn fingerprint(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes)[..6])
}

/// One name per build's files, so a new build never serves an old build's leftovers.
fn build_fingerprint() -> String {
    let mut hash = Sha256::new();
    for (name, bytes) in EMBEDDED {
        hash.update(name.as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    to_hex(&hash.finalize()[..8])
}

/// Writes each embedded file that is not there whole yet (aside, then renamed).
async fn lay_out(dir: &Path) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    for (name, bytes) in EMBEDDED {
        let target = dir.join(name);
        if tokio::fs::read(&target)
            .await
            .is_ok_and(|stored| stored == *bytes)
        {
            continue;
        }
        let temporary = dir.join(format!(".{name}.{}.part", rand::random::<u64>()));
        tokio::fs::write(&temporary, bytes).await?;
        tokio::fs::rename(&temporary, &target).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_carries_the_stylesheet_and_its_smaller_variants() {
        let size = |wanted: &str| {
            EMBEDDED
                .iter()
                .find(|(name, _)| *name == wanted)
                .map(|(_, bytes)| bytes.len())
        };
        let css = size("style.css").unwrap_or(0);
        assert!(css > 1000);
        assert!(size("style.css.br").is_some_and(|n| n < css));
        assert!(size("style.css.gz").is_some_and(|n| n < css));
        assert!(size("favicon.ico").is_some());
    }
}
