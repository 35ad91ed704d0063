//! Page views, counted in memory and written in one transaction a second, and the home page's
//! lists they make. A view is not a write anyone waits for: counting it on the writer at every
//! page view made each page wait its turn behind posts (and posts behind pages), with an fsync
//! each. A crash loses at most the last second's views.
//!
//! Each place's total is read from SQLite once (then again each `TOTAL_REREAD`, so views counted
//! by another process show too) and kept up to date here, so a page view reads nothing. The
//! recent and most-viewed lists are read once per batch of views written, not once per visit.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use crate::{
    db::{PendingViews, Store, places::ViewedPlace},
    domain::{Spot, SpotKey},
};
use chrono::{DateTime, Utc};

/// How often the counts are written.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How long a stopping server keeps trying to write its last counts when the database does
/// not take them (busy, or briefly away), and how long between tries: the stop is their last
/// chance.
const LAST_FLUSH_PATIENCE: Duration = Duration::from_secs(10);
const LAST_FLUSH_RETRY: Duration = Duration::from_millis(250);
/// How long a place's total is trusted before it is read from SQLite again.
const TOTAL_REREAD: Duration = Duration::from_secs(60);
/// How many places each home-page list shows.
const LIST_LENGTH: i64 = 8;

#[derive(Clone)]
pub struct ViewCounts {
    store: Store,
    counts: Arc<std::sync::Mutex<Counts>>,
    /// Held for a whole flush, so a second flush (a stop, a home page) waits for one running
    /// rather than finding the counts taken and not yet written; and held while a total is read,
    /// so no view is counted both as written and as pending.
    flushing: Arc<tokio::sync::Mutex<()>>,
    /// Counts the flushes that wrote something; lists read before the last one are stale.
    written: Arc<AtomicU64>,
    lists: Arc<std::sync::Mutex<Option<Arc<Lists>>>>,
    /// When the counts were last all written (or the process started).
    last_written: Arc<std::sync::Mutex<Instant>>,
}

#[derive(Default)]
struct Counts {
    /// Views not yet written.
    pending: HashMap<SpotKey, Pending>,
    /// Each place's views, written and pending, as far as this process knows.
    totals: HashMap<SpotKey, Total>,
}

/// Views of one place not yet written.
struct Pending {
    place: Arc<Spot>,
    views: i64,
    last_viewed_at: DateTime<Utc>,
}

struct Total {
    views: i64,
    read_at: Instant,
}

/// The home page's lists, as written.
pub struct Lists {
    pub recent: Vec<ViewedPlace>,
    pub popular: Vec<ViewedPlace>,
    written: u64,
}

impl ViewCounts {
    /// Starts the task that writes the counts every second, for as long as the runtime runs.
    pub fn start(store: Store) -> Self {
        let counts = Self {
            store,
            counts: Arc::default(),
            flushing: Arc::default(),
            written: Arc::default(),
            lists: Arc::default(),
            last_written: Arc::new(std::sync::Mutex::new(Instant::now())),
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

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A panic elsewhere while holding it leaves plain numbers behind: still usable.
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one view of `place`; returns its views so far, this one included.
    pub async fn record(&self, place: &Arc<Spot>, at: DateTime<Utc>) -> Result<i64, sqlx::Error> {
        {
            let mut counts = self.counts();
            let entry = counts
                .pending
                .entry(place.key.clone())
                .or_insert_with(|| Pending {
                    place: place.clone(),
                    views: 0,
                    last_viewed_at: at,
                });
            entry.views += 1;
            entry.last_viewed_at = entry.last_viewed_at.max(at);
            if let Some(total) = counts.totals.get_mut(&place.key)
                && total.read_at.elapsed() < TOTAL_REREAD
            {
                total.views += 1;
                return Ok(total.views);
            }
        }
        // Boxed: the read is rare, and inline it made every view's future larger.
        Box::pin(self.read_total(place)).await
    }

    async fn read_total(&self, place: &Arc<Spot>) -> Result<i64, sqlx::Error> {
        let counted = Instant::now();
        // Not known yet, or not lately: the written count, with no flush moving views from
        // pending to written meanwhile, plus the pending ones (this one among them).
        let _no_flush = self.flushing.lock().await;
        // Another view read it while this one waited, this one included.
        if let Some(total) = self.counts().totals.get(&place.key)
            && total.read_at >= counted
        {
            return Ok(total.views);
        }
        let written = self.store.view_count(&place.key).await?;
        let mut counts = self.counts();
        let views = written + counts.pending.get(&place.key).map_or(0, |p| p.views);
        counts.totals.insert(
            place.key.clone(),
            Total {
                views,
                read_at: Instant::now(),
            },
        );
        Ok(views)
    }

    /// The recently viewed and most viewed places, every view so far included: views still
    /// pending are written first (a no-op when there are none), and the lists are read again
    /// only when views were written since they last were.
    pub async fn lists(&self) -> Result<Arc<Lists>, sqlx::Error> {
        if !self.counts().pending.is_empty() {
            self.flush().await;
        }
        let written = self.written.load(Ordering::SeqCst);
        if let Some(lists) = self.cached_lists()
            && lists.written == written
        {
            return Ok(lists);
        }
        let (recent, popular) = tokio::join!(
            self.store.recently_viewed(LIST_LENGTH),
            self.store.most_viewed(LIST_LENGTH),
        );
        let lists = Arc::new(Lists {
            recent: recent?,
            popular: popular?,
            written,
        });
        *self
            .lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(lists.clone());
        Ok(lists)
    }

    fn cached_lists(&self) -> Option<Arc<Lists>> {
        self.lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How long the oldest view not yet written may have waited, and how many places have views
    /// waiting: what a crash would lose.
    pub fn flush_lag(&self) -> (Duration, usize) {
        let pending = self.counts().pending.len();
        let since = self
            .last_written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .elapsed();
        (if pending == 0 { Duration::ZERO } else { since }, pending)
    }

    fn written_now(&self) {
        *self
            .last_written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    /// Writes what is pending before the process stops, trying again for a while when the
    /// database does not take it; what still cannot be written is said in the log.
    pub async fn flush_before_stop(&self) {
        let deadline = Instant::now() + LAST_FLUSH_PATIENCE;
        loop {
            self.flush().await;
            let pending = self.counts().pending.len();
            if pending == 0 {
                return;
            }
            if Instant::now() >= deadline {
                tracing::error!(places = pending, "page views lost at the stop: not written");
                return;
            }
            tokio::time::sleep(LAST_FLUSH_RETRY).await;
        }
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
            let mut counts = self.counts();
            // Totals not viewed for a while are forgotten rather than kept for every place ever.
            counts
                .totals
                .retain(|_, total| total.read_at.elapsed() < TOTAL_REREAD);
            if counts.pending.is_empty() {
                drop(counts);
                self.written_now();
                return;
            }
            counts.pending.drain().map(|(_, p)| p).collect()
        };
        let rows: Vec<PendingViews> = batch
            .iter()
            .map(|p| (p.place.clone(), p.views, p.last_viewed_at))
            .collect();
        let written = self.store.add_views(&rows).await;
        match written {
            Ok(()) => {
                self.written.fetch_add(1, Ordering::SeqCst);
                self.written_now();
            }
            Err(error) => {
                tracing::warn!(%error, places = batch.len(), "page views not written yet");
                let mut counts = self.counts();
                for p in batch {
                    let entry = counts
                        .pending
                        .entry(p.place.key.clone())
                        .or_insert(Pending {
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
}
