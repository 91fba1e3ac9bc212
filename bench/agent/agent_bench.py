#!/usr/bin/env python3
"""The agent's benchmarks, side by side in one run (docs/PERFORMANCE-agent.md):

  throughput  replay as fast as possible through windows, rules, privacy, store and queue, with
              NORMAL and FULL durability, next to raw batched SQLite inserts of the same rows
  latency     ingest-to-event at 10,000 readings/s (MQTT single readings in, events out)
  memory      RSS idle on the default config, under load, and per flow at 1,000 and 10,000 flows
  cpu         CPU seconds per 1,000 readings/s

Usage: agent_bench.py --agent build/bin/pyvc-agent --pyvc build/bin/pyvc [--readings N]
"""
import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "agent"))
import agent_harness as h  # noqa: E402


def write_replay(path, readings, sensors, start_ms):
    rng = random.Random(1)
    per_step = sensors
    with open(path, "w") as out:
        out.write("sensor,timestamp_ms,value\n")
        lines = []
        for i in range(readings):
            step, sensor = divmod(i, per_step)
            lines.append(f"s.{sensor},{start_ms + step * 10},{20.0 + rng.random() * 20.0:.3f}\n")
            if len(lines) == 100_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def config_text(folder, source, durability, metrics_port, extra=""):
    return f"""
agent:
  data_dir: {folder}/data
  kernel_dir: {folder}
  durability: {durability}
  memory_budget: 16MiB
  commit: {{max_readings: 10000, max_delay: 5ms}}
  timestamps: {{max_age: 30d}}
metrics: {{listen: "127.0.0.1:{metrics_port}"}}
privacy: {{policy_inline: {{default: allow, hash_key_file: key, rules: [{{sensor: "s.1*", action: hash}}]}}}}
kernels: {{allow_unsigned: true}}  # the benchmark's own, unsigned build
rules_library: rules.so
store: {{max_size: 4GiB}}
queue: {{max_size: 2GiB}}
sources:
{source}
pipelines:
  - name: bench
    sensors: ["s.*"]
    window: {{type: tumbling, size: 10s}}
    aggregates: {{mean: "windows.so:mean", max: "windows.so:maximum"}}
    rules:
      - {{name: hot, on: readings, when: "value > 39.9", severity: critical}}
      - {{name: spread, on: windows, when: "max - mean > 9.9", severity: warning}}
    store: {{events: true, windows: true, readings: all}}
    sync: {{events: true, windows: true, readings: none}}
{extra}
"""


def prepare(folder, pyvc, source, durability, metrics_port, extra=""):
    h.compile_kernels(os.path.join(REPO, "examples", "windows.py"), f"{folder}/windows.so")
    config = h.write(f"{folder}/agent.yaml",
                     config_text(folder, source, durability, metrics_port, extra))
    h.compile_rules(config, f"{folder}/rules.so")
    return config


def run_agent(agent, config, *args):
    started = time.time()
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([agent, "run", config, *args], capture_output=True, check=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    summary = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return summary, time.time() - started, cpu


def raw_sqlite_inserts(path, replay, synchronous):
    """Batched inserts of the same rows, 10,000 per transaction, into a WAL table keyed like the
    store's: the floor the agent is compared with."""
    rows = []
    with open(replay) as source:
        next(source)
        for line in source:
            sensor, ts, value = line.rstrip("\n").split(",")
            rows.append((sensor, int(ts), float(value)))
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("CREATE TABLE readings (sensor TEXT, timestamp_ms INTEGER, value REAL, "
                       "PRIMARY KEY (sensor, timestamp_ms)) WITHOUT ROWID")
    started = time.time()
    for start in range(0, len(rows), 10_000):
        with connection:
            connection.executemany("INSERT INTO readings VALUES (?, ?, ?)",
                                   rows[start:start + 10_000])
    elapsed = time.time() - started
    connection.close()
    return len(rows) / elapsed


def bench_throughput(args, results):
    start_ms = (int(time.time() * 1000) - 86_400_000) // 10_000 * 10_000
    for durability in ("normal", "full"):
        folder = tempfile.mkdtemp(prefix="pyvc-bench-agent-")
        replay = f"{folder}/replay.csv"
        write_replay(replay, args.readings, 1000, start_ms)
        source = (f"  - {{name: replay, type: replay, path: {replay}, speed: fast, "
                  "batch_size: 8192}")
        config = prepare(folder, args.pyvc, source, durability, h.free_port())
        summary, seconds, cpu = run_agent(args.agent, config, "--exit-when-done",
                                          "--summary", "json")
        agent_rate = summary["readings_processed"] / summary["seconds"]
        raw_rate = raw_sqlite_inserts(f"{folder}/raw.db", replay,
                                      "NORMAL" if durability == "normal" else "FULL")
        results[f"throughput_{durability}"] = {
            "readings": summary["readings_processed"], "agent_per_s": round(agent_rate),
            "raw_sqlite_per_s": round(raw_rate), "ratio": round(agent_rate / raw_rate, 3),
            "cpu_s": round(cpu, 2), "windows": summary["windows"], "events": summary["events"],
            "peak_rss_mib": round(summary["resident_bytes"] / 2**20, 1)}
        print(json.dumps({f"throughput_{durability}": results[f"throughput_{durability}"]}),
              flush=True)


def bench_latency_and_cpu(args, results):
    folder = tempfile.mkdtemp(prefix="pyvc-bench-latency-")
    rate = 10_000
    source = (f"  - name: sim\n    type: simulator\n    rate: {rate}\n    seed: 3\n"
              "    sensors: [{pattern: \"s.{}\", count: 1000, shape: sine, base: 30.0, "
              "amplitude: 10.0, period: 20s}]")
    config = prepare(folder, args.pyvc, source, "normal", h.free_port())
    summary, seconds, cpu = run_agent(args.agent, config, "--duration", "10s",
                                      "--summary", "json")
    results["latency_10k_per_s"] = {"p50_ms": round(summary["latency_p50_ms"], 3),
                                    "p99_ms": round(summary["latency_p99_ms"], 3),
                                    "events": summary["events"]}
    results["cpu"] = {"readings_per_s": rate, "cpu_s": round(cpu, 2), "wall_s": round(seconds, 2),
                      "cpu_ms_per_1000_readings_per_s": round(1000 * cpu / seconds / (rate / 1000), 2),
                      "rss_mib_under_load": round(summary["resident_bytes"] / 2**20, 1)}
    print(json.dumps({k: results[k] for k in ("latency_10k_per_s", "cpu")}), flush=True)


def bench_memory(args, results):
    # Idle on the embedded default config.
    folder = tempfile.mkdtemp(prefix="pyvc-bench-idle-")
    done = subprocess.run([args.agent, "run", "--duration", "5s", "--summary", "json"],
                          capture_output=True, cwd=folder)
    if done.returncode == 0:
        summary = json.loads(done.stdout.decode().strip().splitlines()[-1])
        results["rss_idle_default_mib"] = round(summary["resident_bytes"] / 2**20, 1)
    for flows in (1000, 10_000):
        folder = tempfile.mkdtemp(prefix="pyvc-bench-flows-")
        source = (f"  - name: sim\n    type: simulator\n    rate: {flows * 2}\n    seed: 3\n"
                  f"    sensors: [{{pattern: \"s.{{}}\", count: {flows}, shape: constant}}]")
        config = prepare(folder, args.pyvc, source, "normal", h.free_port())
        summary, _, _ = run_agent(args.agent, config, "--duration", "6s", "--summary", "json")
        results[f"flows_{flows}"] = {"rss_mib": round(summary["resident_bytes"] / 2**20, 1)}
    base = results["flows_1000"]["rss_mib"]
    top = results["flows_10000"]["rss_mib"]
    results["bytes_per_flow"] = round((top - base) * 2**20 / 9000)
    print(json.dumps({k: v for k, v in results.items() if k.startswith(("rss", "flows", "bytes"))}),
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agent", default="build/bin/pyvc-agent")
    parser.add_argument("--pyvc", default="build/bin/pyvc")
    parser.add_argument("--readings", type=int, default=2_000_000)
    parser.add_argument("--only", choices=["throughput", "latency", "memory"])
    args = parser.parse_args()
    # Absolute: the idle memory run starts the agent in a temporary folder.
    args.agent, args.pyvc = os.path.abspath(args.agent), os.path.abspath(args.pyvc)
    h.TOOLS["agent"], h.TOOLS["pyvc"] = args.agent, args.pyvc
    results = {}
    if args.only in (None, "throughput"):
        bench_throughput(args, results)
    if args.only in (None, "latency"):
        bench_latency_and_cpu(args, results)
    if args.only in (None, "memory"):
        bench_memory(args, results)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
