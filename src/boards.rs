//! The places' events boards, from memory. Every place-page view shows its place's board; read
//! from SQLite each time, that was two queries per view. A board is kept until one of two things
//! changes it: a write to any event (post, edit, delete: `changed`, called once the write is
//! committed and before the answer to it is sent, so the poster's next view shows it), or the
//! moment its soonest upcoming event is over and moves to the past list.
//!
//! Another instance's writes reach this one through the database: a count of event writes,
//! kept by triggers, read every `OTHER_INSTANCES_POLL` (`watch_other_instances`).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Utc};
use moka::future::Cache;

use crate::{
    db::{Store, events::StoredEvent},
    domain::SpotKey,
};

/// Upcoming events listed on the page, and recent past ones (collapsed).
const UPCOMING_EVENTS: i64 = 50;
const PAST_EVENTS: i64 = 10;
/// However quiet a board, it is read again after this (bounds what a write made by another
/// process, which `changed` never hears of, can leave unseen).
const LONGEST_KEPT: TimeDelta = TimeDelta::seconds(60);
/// Boards of this many places are kept; the least used go first.
const PLACES_KEPT: u64 = 10_000;
/// How often the count of event writes is read, for those of other instances: what another
/// instance's post may take to show here, at a few small reads a second.
const OTHER_INSTANCES_POLL: Duration = Duration::from_millis(250);

/// One place's board as read at some moment.
pub struct Board {
    pub upcoming: Vec<StoredEvent>,
    pub past: Vec<StoredEvent>,
    /// The writes seen when the read began: any write since makes it stale.
    generation: u64,
    /// The last moment the lists are right: when the soonest upcoming event is over (it moves
    /// to the past), or `LONGEST_KEPT` after the read.
    valid_until: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Boards {
    cache: Cache<SpotKey, Arc<Board>>,
    /// Counts event writes; a board read before the last one is stale.
    generation: Arc<AtomicU64>,
    store: Store,
}

impl Boards {
    pub fn new(store: Store) -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(PLACES_KEPT)
                .time_to_live(Duration::from_secs(
                    LONGEST_KEPT.num_seconds().unsigned_abs(),
                ))
                .build(),
            generation: Arc::default(),
            store,
        }
    }

    /// Called after every write to events, committed or not.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Starts the task that reads the count of event writes, for as long as the runtime runs:
    /// when it moved, another instance (or this one) wrote, and every board is read again.
    /// The count moves only once a write is committed, so a board read after it is current.
    pub fn watch_other_instances(&self) {
        let boards = self.clone();
        tokio::spawn(async move {
            let mut seen = None;
            let mut ticks = tokio::time::interval(OTHER_INSTANCES_POLL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match boards.store.event_writes().await {
                    Ok(writes) => {
                        if seen.is_some_and(|seen| seen != writes) {
                            boards.changed();
                        }
                        seen = Some(writes);
                    }
                    // Compared with the next count read: a database too busy to answer is not
                    // made busier by every board read again.
                    Err(error) => tracing::debug!(%error, "count of event writes not read"),
                }
            }
        });
    }

    /// The board of `key` as of `now`: from memory when nothing changed it since it was read.
    pub async fn board(
        &self,
        key: &SpotKey,
        now: DateTime<Utc>,
    ) -> Result<Arc<Board>, Arc<sqlx::Error>> {
        let fresh = |board: &Board| {
            board.generation == self.generation.load(Ordering::SeqCst) && now <= board.valid_until
        };
        if let Some(board) = self.cache.get(key).await {
            if fresh(&board) {
                return Ok(board);
            }
            self.cache.invalidate(key).await;
        }
        // Boxed: the reads are rare, and inline they made every view's future kilobytes larger.
        Box::pin(self.read_through(key, now, fresh)).await
    }

    async fn read_through(
        &self,
        key: &SpotKey,
        now: DateTime<Utc>,
        fresh: impl Fn(&Board) -> bool,
    ) -> Result<Arc<Board>, Arc<sqlx::Error>> {
        // Readers of the same place wait on one read.
        let board = self
            .cache
            .try_get_with_by_ref(key, async { self.read(key, now).await.map(Arc::new) })
            .await?;
        if fresh(&board) {
            return Ok(board);
        }
        // A read that began before a write ended (or that another reader began earlier): this
        // view reads for itself.
        self.cache.invalidate(key).await;
        self.read(key, now).await.map(Arc::new).map_err(Arc::new)
    }

    async fn read(&self, key: &SpotKey, now: DateTime<Utc>) -> Result<Board, sqlx::Error> {
        let generation = self.generation.load(Ordering::SeqCst);
        let (upcoming, past) = tokio::join!(
            self.store.upcoming_events(key, now, UPCOMING_EVENTS, 0),
            self.store.past_events(key, now, PAST_EVENTS),
        );
        let upcoming = upcoming?;
        let valid_until = upcoming
            .iter()
            .map(|event| event.ends_at.unwrap_or(event.starts_at))
            .min()
            .map_or(now + LONGEST_KEPT, |over| over.min(now + LONGEST_KEPT));
        Ok(Board {
            upcoming,
            past: past?,
            generation,
            valid_until,
        })
    }
}
