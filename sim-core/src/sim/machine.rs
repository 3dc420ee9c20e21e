//! The machine a station runs on: its cores decide how much CPU work runs at once.
//!
//! A request's service time is CPU work on one core. With a machine, at most `vcpus`
//! requests run their CPU work at once; the rest wait for a core in arrival order (a
//! core runs one request at full speed rather than sharing its time, so the station is
//! the M/M/c queue with c = vCPUs). A worker waiting on a downstream call holds no core.
//! Each core is kept as the time it next falls free, so a request's start is known the
//! moment it asks for a core. A request given up while it waits for a core still runs
//! its work (the server does not learn its caller left). Without a machine every worker
//! has a core of its own, as before machines existed.

use super::*;

/// The name of the machine a node runs on, if it has one (a group's instances run on its
/// template's).
pub(super) fn name_of(kind: &NodeKind) -> Option<&str> {
    match kind {
        NodeKind::Server(s) => s.machine.as_deref(),
        NodeKind::AutoscalingGroup(a) => a.server.machine.as_deref(),
        NodeKind::Database(d) => d.machine.as_deref(),
        NodeKind::Cache(c) => c.machine.as_deref(),
        _ => None,
    }
}

/// The cores of a node's machine (none without a machine).
pub(super) fn cores_of(kind: &NodeKind) -> Vec<SimTime> {
    let vcpus = match kind {
        NodeKind::Server(_) | NodeKind::Database(_) => {
            name_of(kind).and_then(crate::machines::machine).map_or(0, |m| m.vcpus)
        }
        _ => 0,
    };
    vec![SimTime::ZERO; vcpus as usize]
}

/// How long CPU work of `d` asked for at `now` takes to finish, waiting for the first free
/// core of `cores`, which it then holds.
#[inline(never)]
pub(super) fn run_on_cores(cores: &mut [SimTime], now: SimTime, d: SimDuration) -> SimDuration {
    let mut first = 0;
    for (i, t) in cores.iter().enumerate() {
        if *t < cores[first] {
            first = i;
        }
    }
    let start = cores[first].max(now);
    let end = start.after(d);
    cores[first] = end;
    end.since(now)
}

impl Sim {
    /// Moves a server, database, cache or group (its template and its instances) to
    /// `machine`; requests already on a core finish there, new ones use the new machine's
    /// cores. A cache moves only to a machine whose memory holds its capacity.
    pub(super) fn set_machine(&mut self, node: NodeIx, machine: &str) -> Result<(), String> {
        let mut kind = self.nodes[node].kind.clone();
        let slot = match &mut kind {
            NodeKind::Server(s) => &mut s.machine,
            NodeKind::Database(d) => &mut d.machine,
            NodeKind::AutoscalingGroup(a) => &mut a.server.machine,
            NodeKind::Cache(c) => {
                let m = crate::machines::machine(machine).ok_or_else(|| format!("unknown machine {machine:?}"))?;
                crate::machines::cache_fits(c.capacity_keys, m).map_err(|e| format!("its capacity_keys {e}"))?;
                &mut c.machine
            }
            k => return Err(format!("a {} runs on no machine", k.name())),
        };
        *slot = Some(machine.to_string());
        self.nodes[node].set_kind(kind);
        if let Runtime::Group(g) = &self.nodes[node].rt {
            for i in g.instances.clone() {
                self.set_machine(i, machine)?;
            }
        }
        self.start_next(node);
        Ok(())
    }
}
