//! Random streams and samplers, identical on 32- and 64-bit targets and in wasm.
//!
//! One root seed; each node gets its own `Pcg64` stream derived from the seed and a hash of
//! the node's id (so adding a node never shifts another node's numbers). Transcendental
//! functions come from `libm` (pure Rust), never from the platform's maths library, so a
//! sample is the same bit pattern natively and in wasm.

use rand::{Rng, RngExt};
use rand_pcg::Pcg64;

use crate::scenario::{KeyDistribution, ServiceTime};
use crate::time::SimDuration;

/// FNV-1a over bytes.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream of the node called `id` under root seed `seed`.
pub(crate) fn node_stream(seed: u64, id: &str) -> Pcg64 {
    let h = fnv1a(id.as_bytes());
    let state = (u128::from(splitmix64(seed)) << 64) | u128::from(splitmix64(seed ^ h));
    Pcg64::new(state, u128::from(h))
}

/// Uniform in [0, 1).
pub(crate) fn uniform(rng: &mut Pcg64) -> f64 {
    rng.random::<f64>()
}

/// Uniform integer in [0, n) for n ≥ 1 (u32 samples only, never usize).
pub(crate) fn below(rng: &mut Pcg64, n: u32) -> u32 {
    rng.random_range(0..n.max(1))
}

/// Exponential with the given mean.
#[inline(always)]
pub(crate) fn exponential(rng: &mut Pcg64, mean: f64) -> f64 {
    mean * exp1(rng)
}

/// Tables of Marsaglia and Tsang's ziggurat for the unit exponential (256 layers), built
/// with `libm` so that they are the same bits everywhere.
struct Ziggurat {
    k: [u32; 256],
    w: [f64; 256],
    f: [f64; 256],
}

const ZIG_R: f64 = 7.697_117_470_131_05;
const ZIG_V: f64 = 3.949_659_822_581_572e-3;

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        const M: f64 = 4_294_967_296.0;
        let mut z = Ziggurat { k: [0; 256], w: [0.0; 256], f: [0.0; 256] };
        let mut de = ZIG_R;
        let mut te = de;
        let q = ZIG_V / libm::exp(-de);
        z.k[0] = ((de / q) * M) as u32;
        z.k[1] = 0;
        z.w[0] = q / M;
        z.w[255] = de / M;
        z.f[0] = 1.0;
        z.f[255] = libm::exp(-de);
        for i in (1..=254).rev() {
            de = -libm::log(ZIG_V / de + libm::exp(-de));
            z.k[i + 1] = ((de / te) * M) as u32;
            te = de;
            z.f[i] = libm::exp(-de);
            z.w[i] = de / M;
        }
        z
    })
}

/// Unit exponential by the ziggurat method: one 64-bit draw and a table look-up almost
/// always (inlined); the rare edge and tail cases are [`exp1_beyond`].
#[inline(always)]
pub(crate) fn exp1(rng: &mut Pcg64) -> f64 {
    let z = ziggurat();
    let bits = rng.next_u64();
    let i = (bits & 0xff) as usize;
    let j = (bits >> 32) as u32;
    if j < z.k[i] {
        return f64::from(j) * z.w[i];
    }
    exp1_beyond(rng, bits)
}

/// The ziggurat from a draw `bits` that fell outside its layer's rectangle: the tail, the
/// wedge test with `libm`, and fresh draws until one is accepted.
#[cold]
#[inline(never)]
fn exp1_beyond(rng: &mut Pcg64, mut bits: u64) -> f64 {
    let z = ziggurat();
    loop {
        let i = (bits & 0xff) as usize;
        let j = (bits >> 32) as u32;
        let x = f64::from(j) * z.w[i];
        if j < z.k[i] {
            return x;
        }
        if i == 0 {
            // The tail beyond R is R plus a unit exponential.
            return ZIG_R - libm::log(1.0 - uniform(rng));
        }
        if z.f[i] + uniform(rng) * (z.f[i - 1] - z.f[i]) < libm::exp(-x) {
            return x;
        }
        bits = rng.next_u64();
    }
}

/// Standard normal (Box–Muller, one of the pair).
fn standard_normal(rng: &mut Pcg64) -> f64 {
    let u1 = 1.0 - uniform(rng);
    let u2 = uniform(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

/// A service time sample, already in integer nanoseconds, multiplied by `factor`.
#[inline(always)]
pub(crate) fn service_time(rng: &mut Pcg64, s: &ServiceTime, factor: f64) -> SimDuration {
    let ms = match *s {
        ServiceTime::Exponential { mean_ms } => exponential(rng, mean_ms),
        ServiceTime::LogNormal { mean_ms, sigma } => {
            let mu = libm::log(mean_ms) - sigma * sigma / 2.0;
            libm::exp(mu + sigma * standard_normal(rng))
        }
        ServiceTime::Constant { ms } => ms,
    };
    SimDuration::from_millis_f64(ms * factor)
}

/// Draws keys from a [`KeyDistribution`]; Zipf uses a precomputed CDF and a binary search.
#[derive(Clone, Debug)]
pub(crate) struct KeySampler {
    dist: KeyDistribution,
    zipf_cdf: Vec<f64>,
}

impl KeySampler {
    pub(crate) fn new(dist: &KeyDistribution) -> KeySampler {
        let zipf_cdf = match *dist {
            KeyDistribution::Zipf { key_count, s } => {
                let mut acc = 0.0;
                let mut cdf: Vec<f64> = (1..=key_count)
                    .map(|k| {
                        acc += 1.0 / libm::pow(f64::from(k), s);
                        acc
                    })
                    .collect();
                for c in &mut cdf {
                    *c /= acc;
                }
                cdf
            }
            _ => Vec::new(),
        };
        KeySampler { dist: dist.clone(), zipf_cdf }
    }

    pub(crate) fn sample(&self, rng: &mut Pcg64) -> u32 {
        match self.dist {
            KeyDistribution::Uniform { key_count } => below(rng, key_count),
            KeyDistribution::Zipf { key_count, .. } => {
                let u = uniform(rng);
                let i = self.zipf_cdf.partition_point(|&c| c <= u);
                (i as u32).min(key_count - 1)
            }
            KeyDistribution::HotKey { key_count, hot_fraction } => {
                if uniform(rng) < hot_fraction {
                    0
                } else {
                    below(rng, key_count)
                }
            }
        }
    }
}
