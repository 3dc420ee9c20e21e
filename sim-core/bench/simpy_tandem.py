"""The open tandem network in SimPy: 800/s -> M/M/4 (250/s) -> M/M/2 (500/s), 200 s."""
import json
import random
import sys
import time

import simpy

LAMBDA, MU_WEB, C_WEB, MU_DB, C_DB, DURATION = 800.0, 250.0, 4, 500.0, 2, 200.0


def run(seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    web = simpy.Resource(env, capacity=C_WEB)
    db = simpy.Resource(env, capacity=C_DB)
    sojourns = []

    def request(env):
        start = env.now
        with web.request() as r:
            yield r
            yield env.timeout(rng.expovariate(MU_WEB))
        with db.request() as r:
            yield r
            yield env.timeout(rng.expovariate(MU_DB))
        sojourns.append(env.now - start)

    def source(env):
        while True:
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(request(env))

    env.process(source(env))
    env.run(until=DURATION)
    return sojourns


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    done, wall, total = 0, 0.0, 0.0
    for seed in range(1, seeds + 1):
        t0 = time.perf_counter()
        s = run(seed)
        wall += time.perf_counter() - t0
        done += len(s)
        total += sum(s)
    print(json.dumps({"engine": "SimPy " + simpy.__version__, "requests_per_wall_s": done / wall,
                      "mean_sojourn_ms": total / done * 1e3}))


if __name__ == "__main__":
    main()
