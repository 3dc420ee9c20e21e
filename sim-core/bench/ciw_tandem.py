"""The open tandem network in Ciw: 800/s -> M/M/4 (250/s) -> M/M/2 (500/s), 200 s."""
import json
import sys
import time

import ciw

LAMBDA, MU_WEB, C_WEB, MU_DB, C_DB, DURATION = 800.0, 250.0, 4, 500.0, 2, 200.0


def run(seed):
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAMBDA), None],
        service_distributions=[ciw.dists.Exponential(rate=MU_WEB), ciw.dists.Exponential(rate=MU_DB)],
        routing=[[0.0, 1.0], [0.0, 0.0]],
        number_of_servers=[C_WEB, C_DB],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(DURATION)
    first_arrival, sojourns = {}, []
    for r in sim.get_all_records():
        if r.node == 1:
            first_arrival[r.id_number] = r.arrival_date
    for r in sim.get_all_records():
        if r.node == 2 and r.id_number in first_arrival:
            sojourns.append(r.exit_date - first_arrival[r.id_number])
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
    print(json.dumps({"engine": "Ciw " + ciw.__version__, "requests_per_wall_s": done / wall,
                      "mean_sojourn_ms": total / done * 1e3}))


if __name__ == "__main__":
    main()
