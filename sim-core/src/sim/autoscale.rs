//! Autoscaling groups: instances launched from a server template, scale-out and scale-in on
//! measured utilisation, draining and terminating instances.

use super::*;

#[derive(Clone, Debug)]
pub(super) struct GroupState {
    pub(super) rr: u32,
    pub(super) tick_gen: u32,
    pub(super) instances: Vec<NodeIx>,
    pub(super) templates: Vec<EdgeSpec>,
    pub(super) above_since: Option<SimTime>,
    pub(super) below_since: Option<SimTime>,
    pub(super) last_action: Option<SimTime>,
    pub(super) launched: u32,
    pub(super) last_tick: SimTime,
}

impl GroupState {
    /// A group with no instances yet.
    pub(super) fn new(now: SimTime) -> GroupState {
        GroupState {
            rr: 0,
            tick_gen: 0,
            instances: Vec::new(),
            templates: Vec::new(),
            above_since: None,
            below_since: None,
            last_action: None,
            launched: 0,
            last_tick: now,
        }
    }
}

impl Sim {
    /// Starts a group's evaluation ticks and launches its missing initial instances.
    pub(super) fn start_group(&mut self, node: NodeIx) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let (NodeKind::AutoscalingGroup(a), Runtime::Group(g)) = (&n.kind, &mut n.rt) else { return };
        g.tick_gen += 1;
        g.last_tick = now;
        let gen = g.tick_gen;
        let at = now.after(SimDuration::from_secs_f64(a.evaluation_interval_s));
        let missing = a.initial_instances.saturating_sub(g.instances.len() as u32);
        self.schedule(at, Timer::GroupTick { node, gen });
        for _ in 0..missing {
            self.launch_instance(node, false);
        }
    }

    pub(super) fn launch_instance(&mut self, group: NodeIx, boot: bool) {
        let now = self.now;
        let g_node = &mut self.nodes[group];
        let (NodeKind::AutoscalingGroup(a), Runtime::Group(g)) = (&g_node.kind, &mut g_node.rt) else { return };
        g.launched += 1;
        let spec = NodeSpec {
            id: format!("{}-{}", g_node.id, g.launched),
            label: None,
            x: None,
            y: None,
            region: None,
            kind: NodeKind::Server(a.server.clone()),
        };
        let templates = g.templates.clone();
        let group_id = g_node.id.clone();
        let boot_s = a.boot_s;
        let Ok(idx) = self.add_node(&spec) else { return };
        if let Runtime::Group(g) = &mut self.nodes[group].rt {
            g.instances.push(idx);
        }
        let link = EdgeSpec {
            from: group_id.clone(),
            to: spec.id.clone(),
            latency_ms: 0.0,
            jitter_ms: 0.0,
            weight: 1,
            state: EdgeState::Up,
            breaker: None,
            bulkhead: None,
            bulkhead_wait_ms: None,
            kinds: None,
        };
        // The group's own edge to the instance is a real edge, not a template.
        let e = EdgeIx(self.edges.len() as u32);
        self.edges.push(Edge::new(group, idx, link, true));
        self.nodes[group].out_edges.push(e);
        for mut t in templates {
            t.from = spec.id.clone();
            let _ = self.add_edge(&t, false);
        }
        if boot {
            self.nodes[idx].booting = true;
            self.schedule(now.after(SimDuration::from_secs_f64(boot_s)), Timer::BootDone { node: idx });
        }
    }

    pub(super) fn on_group_tick(&mut self, node: NodeIx, gen: u32) {
        let now = self.now;
        let n = &self.nodes[node];
        let (NodeKind::AutoscalingGroup(a), Runtime::Group(g)) = (&n.kind, &n.rt) else { return };
        if g.tick_gen != gen || n.removed {
            return;
        }
        let a = a.clone();
        let dt = now.since(g.last_tick).0;
        let instances = g.instances.clone();
        let (mut busy, mut capacity) = (0u128, 0u128);
        let (mut running, mut total) = (0u32, 0u32);
        for &i in &instances {
            let inst = &mut self.nodes[i];
            let area = inst.stats.busy.at(now);
            let delta = area - inst.stats.group_mark_busy.min(area);
            inst.stats.group_mark_busy = area;
            if inst.draining || inst.removed {
                continue;
            }
            total += 1;
            if inst.serving() {
                running += 1;
                busy += delta;
                capacity += u128::from(inst.workers()) * u128::from(dt);
            }
        }
        let util = if capacity > 0 { busy as f64 / capacity as f64 } else { 0.0 };
        let Runtime::Group(g) = &mut self.nodes[node].rt else { return };
        g.last_tick = now;
        if util > a.scale_out_utilisation {
            g.above_since.get_or_insert(now);
        } else {
            g.above_since = None;
        }
        if util < a.scale_in_utilisation {
            g.below_since.get_or_insert(now);
        } else {
            g.below_since = None;
        }
        let window = SimDuration::from_secs_f64(a.window_s);
        let cooled = g.last_action.is_none_or(|t| now.since(t) >= SimDuration::from_secs_f64(a.cooldown_s));
        let held = |since: Option<SimTime>| since.is_some_and(|s| now.since(s) >= window);
        let id = self.nodes[node].id.clone();
        let Runtime::Group(g) = &mut self.nodes[node].rt else { return };
        if cooled && held(g.above_since) && total < a.max_instances {
            let k = a.step.min(a.max_instances - total);
            g.last_action = Some(now);
            g.above_since = None;
            self.log(format!(
                "{id} scaling out to {} at {} (utilisation {:.0}% above {:.0}% for {:.0} s)",
                total + k,
                fmt_s(now),
                util * 100.0,
                a.scale_out_utilisation * 100.0,
                a.window_s
            ));
            for _ in 0..k {
                self.launch_instance(node, true);
            }
        } else if cooled && held(g.below_since) && running > a.min_instances {
            let k = a.step.min(running - a.min_instances);
            g.last_action = Some(now);
            g.below_since = None;
            let mut drained = 0;
            for &i in instances.iter().rev() {
                let inst = &mut self.nodes[i];
                if drained < k && inst.serving() && !inst.draining {
                    inst.draining = true;
                    drained += 1;
                }
            }
            self.log(format!("{id} scaling in to {} at {} (utilisation {:.0}%)", total - k, fmt_s(now), util * 100.0));
        }
        // Remove drained instances once idle.
        for &i in &instances {
            let inst = &self.nodes[i];
            if inst.draining && !inst.removed && inst.stats.in_flight == 0 {
                let iid = inst.id.clone();
                self.remove_node(i);
                self.log(format!("{iid} terminated at {}", fmt_s(now)));
            }
        }
        let gone: Vec<NodeIx> = instances.iter().copied().filter(|&i| self.nodes[i].removed).collect();
        if let Runtime::Group(g) = &mut self.nodes[node].rt {
            g.instances.retain(|i| !gone.contains(i));
        }
        let at = now.after(SimDuration::from_secs_f64(a.evaluation_interval_s));
        self.schedule(at, Timer::GroupTick { node, gen });
    }
}
