//! A progress line for a long history audit, on stderr, only when stderr is a terminal and
//! only once the scan has run for a second: objects, percentage of the plan (every pack's
//! entries and the loose objects, counted up front and narrowed as packs are classified),
//! bytes, rate and time left. Stopped and cleared when dropped; machine formats on stdout
//! are never affected.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::progress::Counters;

pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub fn start(counters: &Arc<Counters>) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { stop, thread: None };
        }
        let (stop2, counters) = (Arc::clone(&stop), Arc::clone(counters));
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut shown = false;
            while !stop2.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
                let elapsed = started.elapsed();
                if elapsed < Duration::from_secs(1) {
                    continue;
                }
                let line = line(&counters, elapsed);
                let _ = write!(std::io::stderr().lock(), "\r{line}   ");
                shown = true;
            }
            if shown {
                let _ = write!(std::io::stderr().lock(), "\r{:80}\r", "");
            }
        });
        Progress {
            stop,
            thread: Some(thread),
        }
    }
}

/// `intercept: 120000 objects (42 %), 900 MiB, 450 MiB/s, about 3 s left`.
fn line(counters: &Counters, elapsed: Duration) -> String {
    let objects = counters.objects.load(Ordering::Relaxed);
    let bytes = counters.bytes.load(Ordering::Relaxed);
    let planned = counters.planned.load(Ordering::Relaxed);
    let rate = bytes as f64 / elapsed.as_secs_f64().max(1e-3) / (1 << 20) as f64;
    let (percent, eta) = if objects > 0 && planned >= objects {
        let left = elapsed.as_secs_f64() * (planned - objects) as f64 / objects as f64;
        (
            format!(" ({:.0} %)", 100.0 * objects as f64 / planned as f64),
            format!(", about {left:.0} s left"),
        )
    } else {
        (String::new(), String::new())
    };
    format!(
        "intercept: {objects} objects{percent}, {:.0} MiB, {rate:.0} MiB/s{eta}",
        bytes as f64 / (1 << 20) as f64
    )
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_a_percentage_and_the_time_left() {
        let c = Counters::default();
        c.objects.store(250, Ordering::Relaxed);
        c.planned.store(1000, Ordering::Relaxed);
        c.bytes.store(10 << 20, Ordering::Relaxed);
        let l = line(&c, Duration::from_secs(2));
        assert!(l.contains("250 objects (25 %)"), "{l}");
        assert!(l.contains("about 6 s left"), "{l}");
    }
}
