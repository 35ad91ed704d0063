//! Where photos live: `{data_dir}/photos/{sha256}.jpg` and `{sha256}-thumb.jpg`. Names come from
//! the content, so a file never changes once written and can be cached forever, and the same
//! photo posted twice is stored once.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use tokio::sync::{Mutex, MutexGuard};

use crate::domain::photo::ProcessedPhoto;

#[derive(Debug, Clone)]
pub struct PhotoStore {
    dir: PathBuf,
    /// Held from saving a photo's files to storing its event, and from deleting an event to
    /// removing its files: the same files serve every event with the same photo.
    lock: Arc<Mutex<()>>,
}

/// The URL path prefix photos are served under.
pub const URL_PREFIX: &str = "/photos";

impl PhotoStore {
    pub async fn open(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join("photos");
        tokio::fs::create_dir_all(&dir).await?;
        remove_leftovers(&dir).await?;
        Ok(Self {
            dir,
            lock: Arc::default(),
        })
    }

    /// See `lock` on the struct.
    pub async fn lock(&self) -> MutexGuard<'_, ()> {
        self.lock.lock().await
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes both sizes; each file appears whole or not at all (written aside, then renamed).
    pub async fn save(&self, photo: &ProcessedPhoto) -> std::io::Result<()> {
        self.write_atomically(&display_name(&photo.hash), &photo.display)
            .await?;
        self.write_atomically(&thumbnail_name(&photo.hash), &photo.thumbnail)
            .await
    }

    async fn write_atomically(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.dir.join(name);
        if tokio::fs::try_exists(&target).await.unwrap_or(false) {
            return Ok(());
        }
        let temporary = self
            .dir
            .join(format!(".{name}.{}.part", rand::random::<u64>()));
        let written = async {
            let mut file = tokio::fs::File::create(&temporary).await?;
            tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
            // On disk before it gets its name, so a crash never leaves a named, empty file.
            file.sync_all().await?;
            tokio::fs::rename(&temporary, &target).await
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&temporary).await;
        }
        written
    }

    /// Removes both files of a photo no event shows any more.
    pub async fn remove(&self, hash: &str) {
        for name in [display_name(hash), thumbnail_name(hash)] {
            if let Err(error) = tokio::fs::remove_file(self.dir.join(&name)).await {
                tracing::warn!(%error, name, "could not remove a photo file");
            }
        }
    }
}

/// Removes the `.part` files a crash left behind mid-write.
async fn remove_leftovers(dir: &Path) -> std::io::Result<()> {
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".part") {
            tracing::info!(%name, "removing a photo file left half-written");
            tokio::fs::remove_file(entry.path()).await?;
        }
    }
    Ok(())
}

fn display_name(hash: &str) -> String {
    format!("{hash}.jpg")
}

fn thumbnail_name(hash: &str) -> String {
    format!("{hash}-thumb.jpg")
}

pub fn display_url(hash: &str) -> String {
    format!("{URL_PREFIX}/{}", display_name(hash))
}

pub fn thumbnail_url(hash: &str) -> String {
    format!("{URL_PREFIX}/{}", thumbnail_name(hash))
}
