#!/usr/bin/env python3
"""A loopback HTTP receiver for the main job: takes the agent's uplink POSTs on 127.0.0.1,
answers 200, and on SIGTERM writes what it received (requests, items by kind, body bytes on
the wire) as one JSON line to the file named by --report. Prints its port on stdout first."""
import argparse
import collections
import http.server
import json
import signal
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--report", required=True)
arguments = parser.parse_args()
totals = {"requests": 0, "wire_bytes": 0, "items": collections.Counter(), "batches": set()}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            totals["requests"] += 1
            totals["wire_bytes"] += len(body)
            if self.headers.get("Content-Encoding") == "gzip":
                import gzip
                body = gzip.decompress(body)
            batch = json.loads(body)
            if batch["batch_id"] not in totals["batches"]:
                totals["batches"].add(batch["batch_id"])
                for item in batch["items"]:
                    totals["items"][item.get("kind", "?") if isinstance(item, dict) else "?"] += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def finish(*_):
    with lock:
        report = {"requests": totals["requests"], "wire_bytes": totals["wire_bytes"],
                  "items": dict(totals["items"])}
    with open(arguments.report, "w") as out:
        out.write(json.dumps(report) + "\n")
    threading.Thread(target=server.shutdown).start()


signal.signal(signal.SIGTERM, finish)
print(server.server_address[1], flush=True)
server.serve_forever()
