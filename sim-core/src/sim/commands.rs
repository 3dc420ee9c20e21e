//! Commands: live edits and faults applied at the current instant (recorded for replay), and
//! the scenario's timeline of scheduled commands.

use super::*;

impl Sim {
    /// Applies a command at the current instant and records it for replay.
    pub fn apply(&mut self, command: Command) -> Result<(), Error> {
        validate_command("command", &command)?;
        self.execute(&command)?;
        self.recorded.push(RecordedCommand { at: self.now, after_events: self.events, command });
        Ok(())
    }

    pub(super) fn execute(&mut self, command: &Command) -> Result<(), Error> {
        let now = self.now;
        match command {
            Command::AddNode(spec) => {
                validate_node("command.add_node", spec)?;
                let id = spec.id.clone();
                self.add_node(spec).map_err(|e| Error::new("command.add_node.id", e.message))?;
                self.log(format!("{id} added at {}", fmt_s(now)));
            }
            Command::RemoveNode { id } => {
                let n = self.node_index(id, "command.remove_node.id")?;
                self.remove_node(n);
                self.log(format!("{id} removed at {}", fmt_s(now)));
            }
            Command::ReconfigureNode { id, kind } => {
                let n = self.node_index(id, "command.reconfigure_node.id")?;
                let node = &mut self.nodes[n];
                if std::mem::discriminant(&node.kind) != std::mem::discriminant(kind) {
                    return Err(Error::new(
                        "command.reconfigure_node.kind",
                        format!("{id} is a {}, not a {}", node.kind.name(), kind.name()),
                    ));
                }
                node.set_kind(kind.clone());
                if let (NodeKind::Client(c), Runtime::Client { keys, .. }) = (&node.kind, &mut node.rt) {
                    *keys = KeySampler::new(&c.keys);
                }
                self.start_node(n);
                self.start_next(n);
                self.edges_changed(n, None);
                self.log(format!("{id} reconfigured at {}", fmt_s(now)));
            }
            Command::AddEdge(spec) => {
                self.add_edge(spec, true).map_err(|e| Error::new(format!("command.add_edge.{}", e.path), e.message))?;
            }
            Command::RemoveEdge { from, to } => {
                let f = self.node_index(from, "command.remove_edge.from")?;
                for e in self.edges_for(from, to)? {
                    self.remove_edge(e);
                }
                if let Runtime::Group(g) = &mut self.nodes[f].rt {
                    g.templates.retain(|t| &t.to != to);
                }
            }
            Command::ReconfigureEdge(spec) => {
                for e in self.edges_for(&spec.from, &spec.to)? {
                    let from = self.edges[e].spec.from.clone();
                    self.edges[e].spec = EdgeSpec { from, ..spec.clone() };
                    self.edges[e].set_options();
                    if !self.edges[e].waiters.is_empty() {
                        // A larger bulkhead (or none) may let waiting calls go now.
                        self.bulkhead_room(e);
                    }
                }
                let f = self.node_index(&spec.from, "command.reconfigure_edge.from")?;
                if let Runtime::Group(g) = &mut self.nodes[f].rt {
                    for t in g.templates.iter_mut().filter(|t| t.to == spec.to) {
                        *t = spec.clone();
                    }
                }
            }
            Command::Kill { id } => {
                let n = self.node_index(id, "command.kill.id")?;
                self.kill(n);
                self.log(format!("{id} killed at {}", fmt_s(now)));
            }
            Command::Revive { id } => {
                let n = self.node_index(id, "command.revive.id")?;
                if self.revive(n) {
                    self.log(format!("{id} revived at {}", fmt_s(now)));
                }
            }
            Command::Slow { id, factor } => {
                let n = self.node_index(id, "command.slow.id")?;
                self.nodes[n].slow = *factor;
                self.log(format!("{id} slowed ×{factor} at {}", fmt_s(now)));
            }
            Command::Partition { from, to } => self.set_link_state(from, to, EdgeState::Partitioned)?,
            Command::Heal { from, to } => self.set_link_state(from, to, EdgeState::Up)?,
            Command::Loss { from, to, fraction } => {
                self.set_link_state(from, to, EdgeState::Lossy { fraction: *fraction })?
            }
            Command::Cap { from, to, rps } => self.set_link_state(from, to, EdgeState::Capped { rps: *rps })?,
            Command::SetRate { client, rate_rps } => {
                let n = self.client_index(client, "command.set_rate.client")?;
                if let NodeKind::Client(c) = &mut self.nodes[n].kind {
                    c.rate_rps = *rate_rps;
                }
                self.restart_arrivals(n);
                self.log(format!("{client} rate set to {rate_rps} rps at {}", fmt_s(now)));
            }
            Command::SetMix { client, mix } => {
                let n = self.client_index(client, "command.set_mix.client")?;
                if let NodeKind::Client(c) = &mut self.nodes[n].kind {
                    c.mix = mix.clone();
                }
            }
            Command::SetKeys { client, keys } => {
                let n = self.client_index(client, "command.set_keys.client")?;
                let node = &mut self.nodes[n];
                if let (NodeKind::Client(c), Runtime::Client { keys: sampler, .. }) = (&mut node.kind, &mut node.rt) {
                    c.keys = keys.clone();
                    *sampler = KeySampler::new(keys);
                }
            }
            Command::FlushCache { id } => {
                let n = self.node_index(id, "command.flush_cache.id")?;
                self.flush_cache(n).map_err(|m| Error::new("command.flush_cache.id", m))?;
            }
            Command::RegionOutage { region } => self.region_outage(region, true),
            Command::PartitionRegions { a, b } => self.partition_regions(a, b, true),
            Command::DeployAssets {} => self.deploy_assets(),
            Command::HealRegions { a, b } => self.partition_regions(a, b, false),
            Command::RegionRecover { region } => self.region_outage(region, false),
            Command::KillWorker { id } => {
                let n = self.node_index(id, "command.kill_worker.id")?;
                self.kill_worker(n).map_err(|m| Error::new("command.kill_worker.id", m))?;
            }
            Command::Spike { client, multiplier, duration_s } => {
                let n = self.client_index(client, "command.spike.client")?;
                let Runtime::Client { spike, spike_gen, .. } = &mut self.nodes[n].rt else {
                    return Err(Error::new("command.spike.client", "not a client"));
                };
                *spike = *multiplier;
                *spike_gen += 1;
                let gen = *spike_gen;
                self.schedule(now.after(SimDuration::from_secs_f64(*duration_s)), Timer::SpikeEnd { node: n, gen });
                self.restart_arrivals(n);
                self.log(format!("spike ×{multiplier} on {client} for {duration_s} s at {}", fmt_s(now)));
            }
            Command::SetMachine { id, machine } => {
                let n = self.node_index(id, "command.set_machine.id")?;
                self.set_machine(n, machine).map_err(|m| Error::new("command.set_machine.id", m))?;
                self.log(format!("{id} moved to {machine} at {}", fmt_s(now)));
            }
            Command::SetSchedule { events } => self.set_schedule(events, false),
        }
        Ok(())
    }

    /// Replaces the timeline: events after now (or at now too, with `with_now`) are put on
    /// the agenda, in list order; the old timeline's pending events become stale.
    pub(super) fn set_schedule(&mut self, events: &[ScheduledCommand], with_now: bool) {
        self.schedule_gen = self.schedule_gen.wrapping_add(1);
        let gen = self.schedule_gen;
        self.scheduled = events.iter().map(|e| e.command.clone()).collect();
        for (i, e) in events.iter().enumerate() {
            let at = SimTime::from_secs_f64(e.at_s);
            if at > self.now || (with_now && at == self.now) {
                self.schedule(at, Timer::Scheduled { index: i as u32, gen });
            }
        }
    }

    /// Scheduled commands that failed since the last call (when, why); the event log says
    /// so too.
    pub fn take_schedule_failures(&mut self) -> Vec<(SimTime, Error)> {
        std::mem::take(&mut self.schedule_failures)
    }
}
