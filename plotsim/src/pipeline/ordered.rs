//! An ordered, bounded stream of block results computed on a thread pool:
//! at most `max_in_flight` blocks are being made or waiting at any time, and
//! they come out in block order whatever order the workers finish in.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

/// Where block work runs.
#[derive(Clone)]
pub(crate) enum Pool {
    /// rayon's global pool.
    Global,
    /// A pool of the run's own.
    Own(Arc<rayon::ThreadPool>),
}

impl Pool {
    /// A pool of `threads` workers (rayon's global pool when `None`).
    pub(crate) fn new(threads: Option<usize>) -> Pool {
        match threads.and_then(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok()) {
            Some(p) => Pool::Own(Arc::new(p)),
            None => Pool::Global,
        }
    }

    /// Worker threads.
    pub(crate) fn threads(&self) -> usize {
        match self {
            Pool::Global => rayon::current_num_threads(),
            Pool::Own(p) => p.current_num_threads(),
        }
    }

    /// Runs `f` inside the pool (so its own parallel loops use it).
    pub(crate) fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match self {
            Pool::Global => f(),
            Pool::Own(p) => p.install(f),
        }
    }

    fn spawn(&self, f: impl FnOnce() + Send + 'static) {
        match self {
            Pool::Global => rayon::spawn(f),
            Pool::Own(p) => p.spawn(f),
        }
    }
}

type Work<T> = Arc<dyn Fn(u64) -> T + Send + Sync>;
type Done<T> = (u64, std::thread::Result<T>);

/// Block results in block order.
pub(crate) struct Ordered<T> {
    pool: Pool,
    work: Work<T>,
    n: u64,
    submitted: u64,
    taken: u64,
    max_in_flight: u64,
    tx: Sender<Done<T>>,
    rx: Receiver<Done<T>>,
    pending: BTreeMap<u64, T>,
}

impl<T: Send + 'static> Ordered<T> {
    /// The results of `work(0..n)`, computed on `pool`.
    pub(crate) fn new(pool: Pool, n: u64, work: Work<T>) -> Self {
        let (tx, rx) = channel();
        let max_in_flight = (pool.threads() as u64 * 2).max(2);
        Ordered {
            pool,
            work,
            n,
            submitted: 0,
            taken: 0,
            max_in_flight,
            tx,
            rx,
            pending: BTreeMap::new(),
        }
    }

    fn top_up(&mut self) {
        while self.submitted < self.n && self.submitted - self.taken < self.max_in_flight {
            let (i, work, tx) = (self.submitted, self.work.clone(), self.tx.clone());
            self.pool.spawn(move || {
                let r = std::panic::catch_unwind(AssertUnwindSafe(|| work(i)));
                // The receiver is gone only when the stream was dropped.
                let _ = tx.send((i, r));
            });
            self.submitted += 1;
        }
    }

    /// Waits for one finished block. A thread of a rayon pool helps with the
    /// pool's work while it waits, so a caller inside the pool cannot
    /// deadlock it.
    fn wait(&mut self) -> Option<Done<T>> {
        if rayon::current_thread_index().is_none() {
            return self.rx.recv().ok();
        }
        loop {
            match self.rx.try_recv() {
                Ok(d) => return Some(d),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => match rayon::yield_now() {
                    Some(rayon::Yield::Executed) => {}
                    _ => std::thread::yield_now(),
                },
            }
        }
    }
}

impl<T: Send + 'static> Iterator for Ordered<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.taken >= self.n {
            return None;
        }
        self.top_up();
        loop {
            if let Some(v) = self.pending.remove(&self.taken) {
                self.taken += 1;
                self.top_up();
                return Some(v);
            }
            let (i, r) = self.wait()?;
            match r {
                Ok(v) => {
                    self.pending.insert(i, v);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    }
}
