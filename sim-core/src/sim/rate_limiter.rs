//! Rate limiters: a token bucket in front of the nodes behind them.

use super::*;

/// Takes a token from `n`'s bucket, refilled at its rate since the last request; false when
/// the bucket is empty (the request is refused). Nodes other than rate limiters admit all.
#[inline(always)]
pub(super) fn take_token(n: &mut Node, now: SimTime) -> bool {
    let (NodeKind::RateLimiter(r), Runtime::Limiter { tokens, last }) = (&n.kind, &mut n.rt) else { return true };
    let dt = now.since(*last).as_secs_f64();
    *tokens = (*tokens + dt * r.rate_rps).min(f64::from(r.burst));
    *last = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        true
    } else {
        false
    }
}
