//! The stylesheet, icons and images. They are inside the binary, with brotli and gzip variants
//! made at build time by `build.rs`, and served from memory (`embedded.rs`) under the same
//! tower-http layers as every route: the site is styled whichever directory the binary starts
//! in, installed or not. `--static-dir` serves a directory as it is instead, with tower-http's
//! `ServeDir`, for working on the stylesheet.

mod embedded;
mod encoding;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use self::embedded::EmbeddedFiles;

/// Static files change only with a release; a day of caching, then a cheap revalidation. A
/// fingerprinted URL (`?v=` the content's hash) never changes its content: a year, immutable.
pub const STATIC_CACHE_CONTROL: &str = "public, max-age=86400";
pub const FINGERPRINTED_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// (file name, bytes), the variants named `{name}.br` and `{name}.gz`.
const EMBEDDED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/static_files.rs"));

/// Where the static files come from, and the stylesheet's fingerprint for its URL.
#[derive(Clone)]
pub struct StaticAssets {
    pub source: Source,
    /// The first hex digits of the stylesheet's SHA-256 ("dev" when a development directory has
    /// none): `style.css?v={version}`.
    pub version: String,
    /// The same for the script: `site.js?v={script_version}`.
    pub script_version: String,
}

#[derive(Clone)]
pub enum Source {
    /// The files built into the binary, from memory.
    Embedded(EmbeddedFiles),
    /// `--static-dir`, whose files change while the server runs: never cached as immutable.
    Development(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum StaticError {
    #[error("the static directory {0} does not exist")]
    Missing(PathBuf),
}

impl StaticAssets {
    /// The embedded files, or `development_dir` as it is when given (it must exist).
    pub async fn prepare(development_dir: Option<&Path>) -> Result<Self, StaticError> {
        let Some(dir) = development_dir else {
            return Ok(Self::embedded());
        };
        let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        if !tokio::fs::metadata(&absolute)
            .await
            .is_ok_and(|m| m.is_dir())
        {
            return Err(StaticError::Missing(absolute));
        }
        let version_of = |name: &'static str| {
            let path = absolute.join(name);
            async move {
                match tokio::fs::read(&path).await {
                    Ok(bytes) => fingerprint(&bytes),
                    Err(error) => {
                        tracing::warn!(%error, file = %path.display(), "not in the static directory");
                        "dev".to_owned()
                    }
                }
            }
        };
        let version = version_of("style.css").await;
        let script_version = version_of("site.js").await;
        Ok(Self {
            source: Source::Development(absolute),
            version,
            script_version,
        })
    }

    pub fn embedded() -> Self {
        let files = EmbeddedFiles::new(EMBEDDED);
        let version = files.fingerprint("style.css").unwrap_or("dev").to_owned();
        let script_version = files.fingerprint("site.js").unwrap_or("dev").to_owned();
        Self {
            source: Source::Embedded(files),
            version,
            script_version,
        }
    }

    /// Files whose URL carries their fingerprint may be cached for good.
    pub fn development(&self) -> bool {
        matches!(self.source, Source::Development(_))
    }

    /// For the start-up log.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::Embedded(_) => "embedded in the binary".to_owned(),
            Source::Development(dir) => dir.display().to_string(),
        }
    }
}

fn fingerprint(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..6])
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
