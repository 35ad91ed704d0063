//! Page views, counted in memory and written in one transaction a second. A view is not a
//! write anyone waits for: counting it on the writer at every page view made each page wait its
//! turn behind posts (and posts behind pages), with an fsync each.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::{
    db::{self, Writer, places::Source},
    domain::{Place, PlaceKey},
};

/// How often the counts are written.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct ViewCounts {
    writer: Writer,
    source: Source,
    pending: Arc<Mutex<HashMap<PlaceKey, Pending>>>,
    /// Held for a whole flush, so a second flush (a stop, a home page) waits for one running
    /// rather than finding the counts taken and not yet written.
    flushing: Arc<Mutex<()>>,
}

/// Views of one place not yet written.
struct Pending {
    place: Arc<Place>,
    views: i64,
    last_viewed_at: DateTime<Utc>,
}

impl ViewCounts {
    /// Starts the task that writes the counts every second, for as long as the runtime runs.
    pub fn start(writer: Writer, source: Source) -> Self {
        let counts = Self {
            writer,
            source,
            pending: Arc::default(),
            flushing: Arc::default(),
        };
        let flusher = counts.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FLUSH_EVERY);
            loop {
                every.tick().await;
                flusher.flush().await;
            }
        });
        counts
    }

    /// Counts one view of `place`; returns the views not yet written, this one included.
    pub async fn record(&self, place: &Arc<Place>, at: DateTime<Utc>) -> i64 {
        let mut pending = self.pending.lock().await;
        let entry = pending.entry(place.key.clone()).or_insert_with(|| Pending {
            place: place.clone(),
            views: 0,
            last_viewed_at: at,
        });
        entry.views += 1;
        entry.last_viewed_at = entry.last_viewed_at.max(at);
        entry.views
    }

    /// Writes every pending count in one transaction. It runs as a task of its own, so a caller
    /// that goes away (a home page whose client left) cannot cut it short; on failure the
    /// counts go back to pending, to be tried with the next.
    pub async fn flush(&self) {
        let counts = self.clone();
        if let Err(error) = tokio::spawn(async move { counts.flush_now().await }).await {
            tracing::error!(%error, "page views flush task failed");
        }
    }

    #[tracing::instrument(skip(self))]
    async fn flush_now(&self) {
        let _one_at_a_time = self.flushing.lock().await;
        let batch: Vec<Pending> = {
            let mut pending = self.pending.lock().await;
            if pending.is_empty() {
                return;
            }
            pending.drain().map(|(_, p)| p).collect()
        };
        let source = self.source;
        let written = self
            .writer
            .write(async |tx| {
                for p in &batch {
                    db::places::add_views(&mut *tx, source, &p.place, p.views, p.last_viewed_at)
                        .await?;
                }
                Ok(())
            })
            .await;
        if let Err(error) = written {
            tracing::warn!(%error, places = batch.len(), "page views not written yet");
            let mut pending = self.pending.lock().await;
            for p in batch {
                let entry = pending.entry(p.place.key.clone()).or_insert(Pending {
                    place: p.place.clone(),
                    views: 0,
                    last_viewed_at: p.last_viewed_at,
                });
                entry.views += p.views;
                entry.last_viewed_at = entry.last_viewed_at.max(p.last_viewed_at);
            }
        }
    }
}
