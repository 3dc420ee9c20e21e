//! GeoDNS: each request goes to the healthy region nearest to its client; probes of each
//! region.

use super::*;

impl Sim {
    pub(super) fn start_geo_checks(&mut self, node: NodeIx) {
        let n = &mut self.nodes[node];
        let (NodeKind::GeoDns(p), Ext::Geo(gen)) = (&n.kind, &mut n.ext) else { return };
        *gen += 1;
        let ev = DataEv::GeoCheck { node, gen: *gen };
        let at = self.now.after(SimDuration::from_millis_f64(p.health_check.interval_ms));
        self.schedule(at, Ev::Data(ev));
    }

    /// The healthy outgoing edge of a GeoDNS node nearest to the client's region.
    pub(super) fn nearest_region(&self, node: NodeIx, origin: u16) -> Option<EdgeIx> {
        let from = self.data.region(NodeIx::of_origin(origin));
        let n = &self.nodes[node];
        let rtt = |e: EdgeIx| match (from, self.data.region(self.edges[e].to)) {
            (Some(a), Some(b)) => self.data.rtt_ms(a, b),
            _ => 0.0,
        };
        let mut best: Option<(EdgeIx, f64)> = None;
        for &e in &n.out_edges {
            if !self.edges[e].healthy {
                continue;
            }
            let d = rtt(e);
            if best.is_none_or(|(_, b)| d < b) {
                best = Some((e, d));
            }
        }
        best.map(|(e, _)| e)
    }

    pub(super) fn on_geo_check(&mut self, node: NodeIx, gen: u32) {
        let n = &self.nodes[node];
        let (NodeKind::GeoDns(p), Ext::Geo(g)) = (&n.kind, &n.ext) else { return };
        if *g != gen || !n.serving() {
            return;
        }
        let h = p.health_check.clone();
        let dns = n.id.clone();
        for e in n.out_edges.clone() {
            let ed = &self.edges[e];
            let to = ed.to;
            let alive = self.nodes[to].serving() && !matches!(ed.spec.state, EdgeState::Partitioned);
            let ed = &mut self.edges[e];
            let changed = if alive {
                ed.hc_fails = 0;
                ed.hc_oks += 1;
                let up = !ed.healthy && ed.hc_oks >= h.healthy_threshold;
                ed.healthy |= up;
                up.then_some("healthy")
            } else {
                ed.hc_oks = 0;
                ed.hc_fails += 1;
                let down = ed.healthy && ed.hc_fails >= h.unhealthy_threshold;
                ed.healthy &= !down;
                down.then_some("unhealthy")
            };
            if let Some(state) = changed {
                let text = format!("{} marked {state} at {} by {dns}", self.nodes[to].id, fmt_s(self.now));
                self.log(text);
            }
        }
        let at = self.now.after(SimDuration::from_millis_f64(h.interval_ms));
        self.schedule(at, Ev::Data(DataEv::GeoCheck { node, gen }));
    }
}
