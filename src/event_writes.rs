//! Writing events, with the files of their photos. A photo's files are named by its content and
//! shared by every event that shows it, so each write that may add or remove files holds the
//! photo against this instance's other writes and every other instance's: a post saves the
//! files before its row goes in, a delete removes them only when no other event shows them,
//! and a post that fails leaves no file behind. Every write also
//! tells the boards kept in memory. Handlers parse and answer; this keeps rows and files in step.

use chrono::{DateTime, Utc};
use tokio::sync::MutexGuard;

use crate::{
    boards::Boards,
    db::{
        PhotoLock, Store,
        events::{Stored, StoredEvent, Submission},
    },
    domain::{Spot, event::NewEvent, photo::ProcessedPhoto},
    error::AppError,
    photo_store::PhotoStore,
};

/// What an event's write touches: the rows, the photo files, the boards.
pub struct EventWrites<'a> {
    pub store: &'a Store,
    pub photos: &'a PhotoStore,
    pub boards: &'a Boards,
}

/// What a new event is stored with besides its fields.
pub struct NewPost<'a> {
    pub photo: Option<&'a ProcessedPhoto>,
    pub edit_token_hash: &'a str,
    pub submission_id: &'a str,
}

impl EventWrites<'_> {
    /// Stores a new event and its photo's files: the files first, under the photo lock, so no
    /// delete removes them before the row that shows them is in. Files no stored event shows
    /// (a save that failed halfway, a failed insert, a repeated form's) go before the lock does.
    pub async fn post(
        &self,
        spot: &Spot,
        event: &NewEvent,
        post: NewPost<'_>,
        now: DateTime<Utc>,
    ) -> Result<Stored, AppError> {
        let _photo_files = match post.photo {
            Some(photo) => {
                let held = self.lock_photo(&photo.hash).await?;
                if let Err(error) = self.photos.save(photo).await {
                    self.remove_if_unused(&photo.hash).await;
                    return Err(error.into());
                }
                Some(held)
            }
            None => None,
        };
        let submission = Submission {
            photo: post.photo.map(|p| (p.hash.as_str(), p.sizes)),
            edit_token_hash: post.edit_token_hash,
            submission_id: post.submission_id,
        };
        let stored = self.store.insert_event(spot, event, &submission, now).await;
        self.boards.changed();
        if let Some(photo) = post.photo
            && !matches!(stored, Ok(Stored::New(_)))
        {
            self.remove_if_unused(&photo.hash).await;
        }
        Ok(stored?)
    }

    /// Changes an event's fields, only with its token's hash and at the version the change was
    /// made from; whether it was there, at that version, to change.
    pub async fn update(
        &self,
        id: i64,
        token_hash: &str,
        version: i64,
        event: &NewEvent,
    ) -> Result<bool, AppError> {
        let updated = self
            .store
            .update_event(id, token_hash, version, event)
            .await;
        self.boards.changed();
        Ok(updated?)
    }

    /// Deletes an event, only with its token's hash, and its photo's files when no other event
    /// shows them.
    pub async fn delete(&self, event: &StoredEvent, token_hash: &str) -> Result<(), AppError> {
        let _photo_files = match &event.photo {
            Some(photo) => Some(self.lock_photo(photo).await?),
            None => None,
        };
        let deleted = self.store.delete_event(event.id, token_hash).await;
        self.boards.changed();
        if let Some(orphan) = deleted? {
            self.photos.remove(&orphan).await;
        }
        Ok(())
    }

    /// Holds a photo's files: this instance's other writes first (a lock in memory, so that
    /// each instance holds at most one database connection for photos), then other instances'.
    async fn lock_photo(&self, hash: &str) -> Result<(PhotoLock, MutexGuard<'_, ()>), AppError> {
        let this_instance = self.photos.lock().await;
        let other_instances = self.store.lock_photo(hash).await?;
        Ok((other_instances, this_instance))
    }

    /// Removes a photo's files unless an event may show them (kept when that cannot be told).
    async fn remove_if_unused(&self, hash: &str) {
        if !self.store.photo_in_use(hash).await.unwrap_or(true) {
            self.photos.remove(hash).await;
        }
    }
}
