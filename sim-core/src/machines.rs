//! The machine catalogue: the sizes a server, database or group template runs on, with
//! their vCPUs, memory and hourly on-demand price.
//!
//! Prices are AWS on-demand list prices for Linux in us-east-1 as published in 2024
//! (general purpose `m7i`; the top box is the memory-optimised `x1.32xlarge`, 128 vCPUs and
//! about 2 TiB, which costs about twice as much per vCPU). `m.small` (1 vCPU, 2 GiB) has no
//! `m7i` twin: it is priced at half an `m7i.large`.

/// One size in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Machine {
    /// Name used in scenario files, e.g. `"m.large"`.
    pub name: &'static str,
    /// Cores: at most this many requests run their CPU work at once.
    pub vcpus: u32,
    /// Memory, GiB.
    pub memory_gib: u32,
    /// On-demand price, $ per hour.
    pub usd_per_hour: f64,
}

/// Hours in a month (365 × 24 / 12), for monthly prices.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Memory one cache entry takes on a cache's machine, KiB: a cached object of a few KiB
/// (a rendered fragment, an API answer) with its key, metadata and the allocator's overhead.
pub const CACHE_ENTRY_KIB: u64 = 16;

impl Machine {
    /// On-demand price, $ per month (the figure the cost estimate uses).
    pub fn usd_per_month(&self) -> f64 {
        self.usd_per_hour * HOURS_PER_MONTH
    }

    /// The most cache entries its memory holds, at [`CACHE_ENTRY_KIB`] each.
    pub fn cache_entries(&self) -> u64 {
        u64::from(self.memory_gib) * 1024 * 1024 / CACHE_ENTRY_KIB
    }
}

/// Whether a cache of `capacity_keys` entries fits in the memory of `m` (the reason when
/// it does not).
pub fn cache_fits(capacity_keys: u32, m: &Machine) -> Result<(), String> {
    let max = m.cache_entries();
    if u64::from(capacity_keys) > max {
        return Err(format!(
            "must be at most {max} on {} ({} GiB at {CACHE_ENTRY_KIB} KiB an entry), got {capacity_keys}",
            m.name, m.memory_gib
        ));
    }
    Ok(())
}

/// Every size, smallest first.
pub const MACHINES: &[Machine] = &[
    Machine { name: "m.small", vcpus: 1, memory_gib: 2, usd_per_hour: 0.0504 },
    Machine { name: "m.large", vcpus: 2, memory_gib: 8, usd_per_hour: 0.1008 },
    Machine { name: "m.xlarge", vcpus: 4, memory_gib: 16, usd_per_hour: 0.2016 },
    Machine { name: "m.2xlarge", vcpus: 8, memory_gib: 32, usd_per_hour: 0.4032 },
    Machine { name: "m.4xlarge", vcpus: 16, memory_gib: 64, usd_per_hour: 0.8064 },
    Machine { name: "m.8xlarge", vcpus: 32, memory_gib: 128, usd_per_hour: 1.6128 },
    Machine { name: "m.16xlarge", vcpus: 64, memory_gib: 256, usd_per_hour: 3.2256 },
    Machine { name: "m.24xlarge", vcpus: 96, memory_gib: 384, usd_per_hour: 4.8384 },
    Machine { name: "x.32xlarge", vcpus: 128, memory_gib: 1952, usd_per_hour: 13.338 },
];

/// Looks a size up by name.
pub fn machine(name: &str) -> Option<&'static Machine> {
    MACHINES.iter().find(|m| m.name == name)
}

/// The next size up (`step` = 1) or down (`step` = -1) from `name`; `None` past either end.
pub fn step_machine(name: &str, step: i32) -> Option<&'static Machine> {
    let i = MACHINES.iter().position(|m| m.name == name)?;
    MACHINES.get(usize::try_from(i as i64 + i64::from(step)).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_grow_and_the_top_costs_more_per_vcpu() {
        for w in MACHINES.windows(2) {
            assert!(
                w[1].vcpus > w[0].vcpus && w[1].memory_gib > w[0].memory_gib && w[1].usd_per_hour > w[0].usd_per_hour
            );
        }
        let per_vcpu = |m: &Machine| m.usd_per_hour / f64::from(m.vcpus);
        let top = MACHINES[MACHINES.len() - 1];
        assert_eq!((top.vcpus, top.memory_gib / 1000), (128, 1));
        assert!(per_vcpu(&top) > 1.5 * per_vcpu(&MACHINES[1]));
        assert_eq!(machine("m.large").map(|m| m.vcpus), Some(2));
        assert_eq!(step_machine("m.large", 1).map(|m| m.name), Some("m.xlarge"));
        assert_eq!(step_machine("m.small", -1), None);
        assert_eq!(step_machine("x.32xlarge", 1), None);
    }

    #[test]
    fn a_cache_entry_takes_16_kib() {
        let small = machine("m.small").unwrap();
        assert_eq!(small.cache_entries(), 2 * 1024 * 1024 / 16);
        assert!(cache_fits(131_072, small).is_ok());
        let e = cache_fits(131_073, small).unwrap_err();
        assert_eq!(e, "must be at most 131072 on m.small (2 GiB at 16 KiB an entry), got 131073");
    }
}
