//! Where photos live: `{data_dir}/photos/{sha256}.jpg` and `{sha256}-thumb.jpg`. Names come from
//! the content, so a file never changes once written and can be cached forever, and the same
//! photo posted twice is stored once.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use tokio::{
    io::AsyncWriteExt,
    sync::{Mutex, MutexGuard, Semaphore},
};

use crate::domain::photo::{self, PhotoError, PhotoSizes, ProcessedPhoto};

#[derive(Debug, Clone)]
pub struct PhotoStore {
    dir: PathBuf,
    /// Held from saving a photo's files to storing its event, and from deleting an event with
    /// a photo to removing its files: the same files serve every event with the same photo.
    /// Other instances are held off by the store's lock (`EventWrites`), taken after this one.
    lock: Arc<Mutex<()>>,
    /// One decode per core at a time: each may take up to ~200 MB and a core for a second.
    decodes: Arc<Semaphore>,
    /// Set when a file could not be written for want of space, cleared by a probe that could.
    out_of_space: Arc<AtomicBool>,
}

/// Why a photo's files could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("no space left for photo files: {0}")]
    OutOfSpace(std::io::Error),
    #[error("photo file not written: {0}")]
    Io(std::io::Error),
}

/// The URL path prefix photos are served under.
pub const URL_PREFIX: &str = "/photos";

impl PhotoStore {
    /// Opens the directory, and removes what a crash left half-written in it.
    pub async fn open(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join("photos");
        tokio::fs::create_dir_all(&dir).await?;
        remove_leftovers(&dir).await?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self {
            dir,
            lock: Arc::default(),
            decodes: Arc::new(Semaphore::new(cores)),
            out_of_space: Arc::default(),
        })
    }

    /// Judges and re-encodes an upload off the async threads, a bounded number at a time.
    pub async fn process(&self, bytes: Vec<u8>) -> Result<ProcessedPhoto, PhotoError> {
        let _turn = self
            .decodes
            .acquire()
            .await
            .map_err(|_| PhotoError::Encoding)?;
        tokio::task::spawn_blocking(move || photo::process(&bytes))
            .await
            .unwrap_or_else(|error| {
                tracing::error!(%error, "photo task failed");
                Err(PhotoError::Encoding)
            })
    }

    /// See `lock` on the struct.
    pub async fn lock(&self) -> MutexGuard<'_, ()> {
        self.lock.lock().await
    }

    /// The sizes of a stored photo's two files, read from their headers (for photos stored
    /// before sizes were kept); `None` when a file is missing or unreadable.
    pub async fn sizes_of(&self, hash: &str) -> Option<PhotoSizes> {
        let files = [
            self.dir.join(display_name(hash)),
            self.dir.join(thumbnail_name(hash)),
        ];
        tokio::task::spawn_blocking(move || {
            let size = |path: &PathBuf| {
                image::ImageReader::open(path)
                    .ok()?
                    .with_guessed_format()
                    .ok()?
                    .into_dimensions()
                    .ok()
            };
            Some(PhotoSizes {
                display: size(&files[0])?,
                thumbnail: size(&files[1])?,
            })
        })
        .await
        .ok()
        .flatten()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes both sizes; each file appears whole or not at all (written aside, synced, then
    /// renamed). A file already there under the same name is kept only if it holds exactly
    /// these bytes: a file left short by an earlier fault is replaced.
    pub async fn save(&self, photo: &ProcessedPhoto) -> Result<(), SaveError> {
        let written = async {
            self.write_whole(&display_name(&photo.hash), &photo.display)
                .await?;
            self.write_whole(&thumbnail_name(&photo.hash), &photo.thumbnail)
                .await
        }
        .await;
        match written {
            // Files already there prove nothing about space: only the probe clears the flag.
            Ok(()) => Ok(()),
            Err(error) if is_out_of_space(&error) => {
                self.out_of_space.store(true, Ordering::SeqCst);
                Err(SaveError::OutOfSpace(error))
            }
            Err(error) => Err(SaveError::Io(error)),
        }
    }

    async fn write_whole(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.dir.join(name);
        if tokio::fs::read(&target)
            .await
            .is_ok_and(|stored| stored == bytes)
        {
            // Its name may not be on disk yet: the save that wrote it may have ended (a client
            // gone, a fault) between the rename and the directory's sync.
            return sync_directory(&self.dir).await;
        }
        self.write_aside_then_rename(&target, bytes).await
    }

    async fn write_aside_then_rename(&self, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = self
            .dir
            .join(format!(".{name}.{}.part", rand::random::<u64>()));
        let written = async {
            let mut file = tokio::fs::File::create(&temporary).await?;
            file.write_all(bytes).await?;
            // tokio's file buffers: without this flush a failed last write (ENOSPC) would go
            // unreported, and `sync_all` would sync a short file.
            file.flush().await?;
            // On disk before it gets its name, so a crash never leaves a named, short file.
            file.sync_all().await?;
            let on_disk = file.metadata().await?.len();
            if on_disk != bytes.len() as u64 {
                return Err(std::io::Error::other(format!(
                    "{on_disk} of {} bytes reached the disk",
                    bytes.len()
                )));
            }
            tokio::fs::rename(&temporary, target).await?;
            // The new name is an entry in the directory: synced too, so a crash cannot keep the
            // event that names the file and lose the file's name.
            sync_directory(&self.dir).await
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&temporary).await;
        }
        written
    }

    /// Whether the last photo could not be written for want of space.
    pub fn out_of_space(&self) -> bool {
        self.out_of_space.load(Ordering::SeqCst)
    }

    /// Writes and removes a small file: whether photos can be stored again.
    pub async fn probe_space(&self) -> std::io::Result<()> {
        let probe = self
            .dir
            .join(format!(".probe.{}.part", rand::random::<u64>()));
        let written = self
            .write_aside_then_rename(&probe, &[0u8; 64 * 1024])
            .await;
        let _ = tokio::fs::remove_file(&probe).await;
        written?;
        self.out_of_space.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Removes both files of a photo no event shows any more (either may not exist: a save
    /// that failed halfway).
    pub async fn remove(&self, hash: &str) {
        for name in [display_name(hash), thumbnail_name(hash)] {
            match tokio::fs::remove_file(self.dir.join(&name)).await {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    tracing::warn!(%error, name, "could not remove a photo file");
                }
                _ => {}
            }
        }
    }
}

async fn sync_directory(dir: &Path) -> std::io::Result<()> {
    tokio::fs::File::open(dir).await?.sync_all().await
}

fn is_out_of_space(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// How long a `.part` file may go unwritten before it is taken for a crash's leftover. Writing
/// one takes well under a second; a younger one may be another instance's, writing now into
/// the same shared directory.
const LEFTOVER_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the `.part` files a crash left behind mid-write.
async fn remove_leftovers(dir: &Path) -> std::io::Result<()> {
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with('.') && name.ends_with(".part")) {
            continue;
        }
        // A file gone since it was listed (renamed into place, or removed by another instance
        // starting too) leaves nothing to do.
        let idle = match entry.metadata().await {
            Ok(metadata) => metadata.modified()?.elapsed().unwrap_or_default(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if idle >= LEFTOVER_AFTER {
            tracing::info!(%name, "removing a photo file left half-written");
            match tokio::fs::remove_file(entry.path()).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    #[tokio::test]
    async fn a_start_removes_old_half_written_files_but_not_one_being_written() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let photos = dir.path().join("photos");
        std::fs::create_dir_all(&photos).unwrap_or_else(|e| panic!("{e}"));
        let file = |name: &str, age: Duration| {
            let path = photos.join(name);
            let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
            file.set_modified(SystemTime::now() - age)
                .unwrap_or_else(|e| panic!("{e}"));
            path
        };
        let crashed = file(".a.jpg.1.part", Duration::from_secs(3600));
        let being_written = file(".b.jpg.2.part", Duration::from_secs(1));
        let photo = file("c.jpg", Duration::from_secs(3600));

        PhotoStore::open(dir.path())
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        assert!(!crashed.exists(), "an hour-old half-written file is kept");
        assert!(
            being_written.exists(),
            "another instance's file was removed"
        );
        assert!(photo.exists());
    }
}
