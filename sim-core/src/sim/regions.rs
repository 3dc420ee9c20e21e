//! Regions: the round trip between regions charged on the hops between them, region outages
//! and partitions between regions.

use super::store::cluster_of;
use super::*;

impl Sim {
    /// Remembers the region of a new node.
    pub(super) fn set_region(&mut self, node: NodeIx, region: Option<&str>) {
        let i = node.ix();
        if self.data.regions.len() <= i {
            self.data.regions.resize(i + 1, None);
        }
        self.data.regions[i] = region.map(str::to_string);
        self.data.regions_used |= region.is_some();
    }

    /// Round trip between the regions of a hop, charged on the way there; a GeoDNS hop starts
    /// in the region of the request's client. Nothing within a region or without regions.
    pub(super) fn region_rtt(&self, from: NodeIx, to: NodeIx, origin: u16) -> SimDuration {
        let from = if matches!(self.nodes[from].kind, NodeKind::GeoDns(_)) { NodeIx::of_origin(origin) } else { from };
        match (self.data.region(from), self.data.region(to)) {
            (Some(a), Some(b)) if a != b => SimDuration::from_millis_f64(self.data.rtt_ms(a, b)),
            _ => SimDuration(0),
        }
    }

    /// Kills (or revives) every node of a region except clients.
    pub(super) fn region_outage(&mut self, region: &str, down: bool) {
        let members: Vec<NodeIx> = NodeIx::all(self.nodes.len())
            .filter(|&i| {
                let n = &self.nodes[i];
                self.data.region(i) == Some(region) && !n.removed && !matches!(n.kind, NodeKind::Client(_))
            })
            .collect();
        for i in members {
            if down && self.nodes[i].up {
                self.kill(i);
            } else if !down {
                self.revive(i);
            }
        }
        let what = if down { "outage" } else { "recovered" };
        self.log(format!("region {region} {what} at {}", fmt_s(self.now)));
    }

    /// Cuts or heals the link between two regions; healing reconciles every cluster.
    pub(super) fn partition_regions(&mut self, a: &str, b: &str, cut: bool) {
        let now = self.now;
        if cut {
            self.data.cut(a, b, now);
            self.log(format!("regions {a} | {b} partitioned at {}", fmt_s(now)));
            return;
        }
        let Some(since) = self.data.heal(a, b) else { return };
        let stores: Vec<NodeIx> = NodeIx::all(self.nodes.len())
            .filter(|&i| !self.nodes[i].removed && cluster_of(&self.nodes[i].kind).is_some())
            .collect();
        let mut done = Vec::new();
        let mut conflicts = 0;
        for &s in &stores {
            if done.contains(&s) {
                continue;
            }
            let members: Vec<NodeIx> = self.members(s).into_iter().filter(|&m| self.nodes[m].serving()).collect();
            done.extend(&members);
            conflicts += self.reconcile(&members, since);
        }
        self.log(format!(
            "regions {a} | {b} healed at {}; {conflicts} conflicting writes lost to last-writer-wins",
            fmt_s(now)
        ));
    }
}
