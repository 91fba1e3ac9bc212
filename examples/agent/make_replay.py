"""Writes replay.csv, the readings examples/agent/gateway.yaml replays: 2,000 readings from 8
sensors, one round per second from 2023-11-14 22:13:20 UTC, deterministic (a fixed linear
congruential generator, no `random`), so the file and every test built on it repeat exactly.

    python3 examples/agent/make_replay.py [OUTPUT]    (default: replay.csv next to this script)
"""
import math
import os
import sys

START_MS = 1700000000000
ROUNDS = 250

# name, unit, centre, swing, period in rounds
SENSORS = [
    ("temp.room1", "C", 21.0, 2.0, 60),
    ("temp.room2", "C", 22.5, 1.5, 90),
    ("temp.server", "C", 30.0, 4.0, 40),
    ("vibration.pump1", "mm/s", 2.0, 1.0, 7),
    ("vibration.pump2", "mm/s", 3.0, 1.5, 11),
    ("power.main", "kW", 12.0, 3.0, 120),
    ("door.entrance", "", 0.5, 0.5, 30),  # hashed by policy.json
    ("gps.van1.lat", "deg", 48.137, 0.01, 200),  # dropped by policy.json
]


class Lcg:
    """Numerical Recipes' 32-bit LCG: uniform floats in [0, 1) that every Python gives alike."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def uniform(self) -> float:
        self.state = (1664525 * self.state + 1013904223) % 2**32
        return self.state / 2**32


def readings():
    noise = Lcg(42)
    for round_index in range(ROUNDS):
        for offset, (name, unit, centre, swing, period) in enumerate(SENSORS):
            timestamp = START_MS + round_index * 1000 + offset * 10
            value = centre + swing * math.sin(2 * math.pi * round_index / period)
            value += (noise.uniform() - 0.5) * 0.2
            # The server room overheats twice: the reading rule `value > 35.0` fires there.
            if name == "temp.server" and round_index in (57, 58, 59, 201):
                value += 8.0
            if name == "door.entrance":
                value = 1.0 if value > 0.5 else 0.0
            yield name, timestamp, value, unit


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "replay.csv")
    with open(output, "w", newline="\n") as out:
        out.write("sensor,timestamp_ms,value,unit\n")
        for name, timestamp, value, unit in readings():
            out.write(f"{name},{timestamp},{value:.4f},{unit}\n")


if __name__ == "__main__":
    main()
