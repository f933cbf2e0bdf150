//! Sliding-window limits for the public complaint form: so many submissions per client in a
//! window, and so many from everyone together per minute. Kept in memory (a client key is
//! never written anywhere): a restart forgets, which costs an abuser one window at most.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits; `Config` carries them so a deployment (or a benchmark) can set its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub per_client: usize,
    pub client_window: Duration,
    pub overall_per_minute: usize,
}

impl Default for Limits {
    /// A household reports a few addresses, not dozens; a city-wide wave of reports stays
    /// far below 300 a minute.
    fn default() -> Self {
        Limits { per_client: 5, client_window: Duration::from_secs(600), overall_per_minute: 300 }
    }
}

/// Which limit refused a submission, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Client(Duration),
    Overall(Duration),
}

#[derive(Default)]
struct Windows {
    clients: HashMap<String, VecDeque<Instant>>,
    overall: VecDeque<Instant>,
    checks: u64,
}

pub struct RateLimiter {
    limits: Limits,
    windows: Mutex<Windows>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl RateLimiter {
    pub fn new(limits: Limits) -> RateLimiter {
        RateLimiter { limits, windows: Mutex::new(Windows::default()) }
    }

    /// Counts a submission of `client` now, or refuses it (and then counts nothing).
    pub fn admit(&self, client: &str) -> Result<(), Refused> {
        self.admit_at(client, Instant::now())
    }

    fn admit_at(&self, client: &str, now: Instant) -> Result<(), Refused> {
        let mut w = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let l = self.limits;
        while w.overall.front().is_some_and(|t| now.duration_since(*t) >= MINUTE) {
            w.overall.pop_front();
        }
        w.checks += 1;
        if w.checks.is_multiple_of(1024) {
            // Forget clients whose window has passed, so the map does not grow forever.
            w.clients.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < l.client_window));
        }
        if w.overall.len() >= l.overall_per_minute {
            let wait = w.overall.front().map_or(MINUTE, |t| MINUTE.saturating_sub(now.duration_since(*t)));
            return Err(Refused::Overall(wait));
        }
        let times = w.clients.entry(client.to_string()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= l.client_window) {
            times.pop_front();
        }
        if times.len() >= l.per_client {
            let wait =
                times.front().map_or(l.client_window, |t| l.client_window.saturating_sub(now.duration_since(*t)));
            return Err(Refused::Client(wait));
        }
        times.push_back(now);
        w.overall.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_and_everyone_together_have_a_limit() {
        let limits = Limits { per_client: 2, client_window: Duration::from_secs(600), overall_per_minute: 3 };
        let r = RateLimiter::new(limits);
        let t0 = Instant::now();
        assert!(r.admit_at("a", t0).is_ok() && r.admit_at("a", t0).is_ok());
        assert!(matches!(r.admit_at("a", t0), Err(Refused::Client(_))));
        assert!(r.admit_at("b", t0).is_ok());
        assert!(matches!(r.admit_at("c", t0), Err(Refused::Overall(_))), "three in a minute from everyone");
        // A minute on, everyone may again; client a only once its window has passed.
        let later = t0 + Duration::from_secs(61);
        assert!(r.admit_at("c", later).is_ok());
        assert!(matches!(r.admit_at("a", later), Err(Refused::Client(w)) if w <= Duration::from_secs(540)));
        assert!(r.admit_at("a", t0 + Duration::from_secs(601)).is_ok());
    }
}
