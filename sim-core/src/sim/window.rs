//! Metric windows: the per-window series of the golden signals, per node and per edge, and
//! the SLO alerts checked at the end of each window.

use super::*;

impl Sim {
    pub(super) fn on_window(&mut self) {
        let now = self.now;
        let w = self.window.as_secs_f64();
        let g = &mut self.global;
        let failed = g.failed.total();
        let done = (g.completed - g.mark_completed) + (failed - g.mark_failed);
        let [p50_ms, p95_ms, p99_ms] = g.latency.close_window([0.5, 0.95, 0.99]);
        let point = GlobalPoint {
            t_s: now.as_secs_f64(),
            rps: (g.completed - g.mark_completed) as f64 / w,
            error_rate: if done > 0 { (failed - g.mark_failed) as f64 / done as f64 } else { 0.0 },
            p50_ms,
            p95_ms,
            p99_ms,
            in_flight: g.in_flight.value,
            completed: g.completed - g.mark_completed,
            failed: failed - g.mark_failed,
        };
        g.series.push(point);
        g.mark_completed = g.completed;
        g.mark_failed = failed;
        for n in self.nodes.iter_mut().filter(|n| !n.removed) {
            let workers = n.kind_workers_f64();
            let st = &mut n.stats;
            let busy = st.busy.at(now);
            let errors = st.errors.total();
            let p = NodePoint {
                t_s: now.as_secs_f64(),
                rps: (st.completed - st.mark_completed) as f64 / w,
                errors_per_s: (errors - st.mark_errors) as f64 / w,
                p95_ms: st.latency.close_window([0.95])[0],
                utilisation: if workers > 0.0 {
                    (busy - st.mark_busy.min(busy)) as f64 / (workers * self.window.0 as f64)
                } else {
                    0.0
                },
                queue_len: st.queue.value,
            };
            st.series.push(p);
            st.mark_completed = st.completed;
            st.mark_errors = errors;
            st.mark_busy = busy;
        }
        for e in &mut self.edges {
            e.window_rps = (e.sent - e.mark_sent) as f64 / w;
            e.mark_sent = e.sent;
        }
        self.cache_windows();
        self.check_slos(point);
        self.span_window();
        self.check_pause(&point);
        self.schedule(now.after(self.window), Timer::Window);
    }

    pub(super) fn check_slos(&mut self, p: GlobalPoint) {
        let now = self.now;
        let checks = [
            (
                AlertKind::P95,
                self.metrics_cfg
                    .slo_p95_ms
                    .map(|t| (p.p95_ms > t, format!("p95 {:.1} ms over target {t} ms", p.p95_ms))),
            ),
            (
                AlertKind::ErrorRate,
                self.metrics_cfg.slo_error_rate.map(|t| {
                    (p.error_rate > t, format!("error rate {:.1}% over budget {:.1}%", p.error_rate * 100.0, t * 100.0))
                }),
            ),
        ];
        for (kind, check) in checks {
            let Some((firing, message)) = check else { continue };
            let active = self.alerts.iter().position(|a| a.kind == kind);
            match (firing, active) {
                (true, None) => {
                    self.log(format!("ALERT {message} at {}", fmt_s(now)));
                    self.alerts.push(Alert { kind, since_s: now.as_secs_f64(), message });
                }
                (false, Some(i)) => {
                    self.alerts.remove(i);
                    self.log(format!("resolved: {kind} back within SLO at {}", fmt_s(now)));
                }
                _ => {}
            }
        }
    }

    /// Ends a window of the caches' hit-ratio series.
    pub(super) fn cache_windows(&mut self) {
        for n in &mut self.nodes {
            if let Ext::Cache(st) = &mut n.ext {
                st.close_window();
            }
        }
    }
}
