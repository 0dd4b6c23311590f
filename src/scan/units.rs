//! A source's units of work (the commits of a push) on every core, their results reaching
//! the sink in unit order, within the run's time budget.
//!
//! Units are dealt out in turn to one thread per core (up to 8; one for short lists, where
//! starting threads costs more than it saves). Each thread has its own [`Worker`] (blob
//! cache, buffers) and hands each unit's results on in a [`Collected`] buffer; the session
//! replays them in order. When the budget runs out, no further unit is started and the run
//! says how far it got.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use super::out::{Collected, Out};
use super::worker::Worker;
use super::Session;
use crate::content::Decoders;
use crate::source::{self, Emit, Item, Scanner, UnitWork};

/// Threads for `units` units: one per core, up to 8, and one for short lists.
pub fn threads_for(units: usize) -> usize {
    if units < 16 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// The session as a source sees it while it works on one unit.
struct Behind<'w, 'd> {
    worker: &'w mut Worker,
    decoders: &'w Decoders<'d>,
    out: &'w mut dyn Out,
}

impl Emit for Behind<'_, '_> {
    fn item(&mut self, item: Item<'_>) {
        self.worker.item(self.decoders, item, self.out);
    }

    fn problem(&mut self, problem: source::Error) {
        let path = problem.path().map(<[u8]>::to_vec);
        self.out.problem(path, problem.to_string());
    }

    fn notice(&mut self, notice: String) {
        self.out.notice(None, notice);
    }

    fn skipped(&mut self, _n: u64) {}

    fn count(&mut self, objects: u64, bytes: u64) {
        self.out.count(objects, bytes);
    }

    fn units(&mut self, units: usize, _what: &'static str, work: &UnitWork<'_>) {
        for unit in 0..units {
            work(0, unit, self);
        }
    }

    fn threads_for(&self, _units: usize) -> usize {
        1
    }

    fn concurrently(&mut self, run: &mut dyn FnMut(&Scanner<'_>)) {
        let mut held = Collected::default();
        super::held::scan(self.decoders, &mut held, run);
        held.replay(self.out);
    }
}

/// Works on `units` with `work`, on as many threads as [`threads_for`] says.
pub fn run(session: &mut Session<'_>, units: usize, what: &'static str, work: &UnitWork<'_>) {
    let threads = threads_for(units);
    let budget = session.budget;
    let out_of_time = AtomicBool::new(false);
    let checked = AtomicUsize::new(0);
    // Whether unit `i` may start: `false` once the budget has run out.
    let may_start = || {
        if out_of_time.load(Ordering::Relaxed) || budget.exceeded().is_some() {
            out_of_time.store(true, Ordering::Relaxed);
            return false;
        }
        true
    };
    let mut emitted = 0;
    if threads == 1 {
        // A hook's usual push: no thread to start.
        let Session {
            decoders,
            emit,
            worker,
            ..
        } = session;
        for unit in 0..units {
            if !may_start() {
                break;
            }
            work(
                0,
                unit,
                &mut Behind {
                    worker,
                    decoders,
                    out: emit,
                },
            );
            checked.fetch_add(1, Ordering::Relaxed);
            emitted += 1;
        }
    } else {
        let (tx, rx) = mpsc::sync_channel::<(usize, Option<Collected>)>(64);
        let decoders = &session.decoders;
        let emitter = &mut session.emit;
        std::thread::scope(|scope| {
            for thread in 0..threads {
                let tx = tx.clone();
                let (may_start, checked) = (&may_start, &checked);
                scope.spawn(move || {
                    let mut worker = Worker::default();
                    for unit in (thread..units).step_by(threads) {
                        // An empty result for each unit left keeps the order going.
                        let out = may_start().then(|| {
                            let mut out = Collected::default();
                            work(
                                thread,
                                unit,
                                &mut Behind {
                                    worker: &mut worker,
                                    decoders,
                                    out: &mut out,
                                },
                            );
                            checked.fetch_add(1, Ordering::Relaxed);
                            out
                        });
                        if tx.send((unit, out)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            let mut waiting: BTreeMap<usize, Option<Collected>> = BTreeMap::new();
            for (unit, out) in rx {
                waiting.insert(unit, out);
                while let Some(out) = waiting.remove(&emitted) {
                    if let Some(out) = out {
                        out.replay(emitter);
                    }
                    emitted += 1;
                }
            }
        });
    }
    let checked = checked.into_inner();
    if out_of_time.into_inner() {
        let limit = budget.exceeded().unwrap_or_default();
        session.problem(format!(
            "ran out of its time budget ({:.1} s) after checking {checked} of {units} {what}, so the rest was \
             not checked. Raise the budget (INTERCEPT_TIME_BUDGET=<seconds>) or push fewer commits at a time",
            limit.as_secs_f64(),
        ));
    } else if emitted < units || checked < units {
        session.problem(
            "an internal error stopped part of the check (a worker thread panicked), so not every commit was \
             checked. Please report it",
        );
    }
}
