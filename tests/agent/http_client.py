"""A client of the agent's HTTP source: posts JSON batches of readings and remembers which the
agent acknowledged (2xx), which it refused for now (503) and which it refused as bad (400)."""
import http.client
import json
import threading


class IngestClient:
    def __init__(self, port, path="/ingest"):
        self.port = port
        self.path = path
        self.acked = []      # readings (sensor, ts, value) the agent acknowledged
        self.statuses = {}   # status -> count
        self.lock = threading.Lock()

    def post(self, readings, timeout=30):
        """Posts `readings` [(sensor, ts, value)]; returns the status, or None on a dropped
        connection (the agent was killed)."""
        body = json.dumps([{"sensor": s, "timestamp_ms": t, "value": v} for s, t, v in readings])
        return self.post_raw(body.encode(), readings, timeout)

    def post_raw(self, body, readings=(), timeout=30, content_type="application/json"):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            connection.request("POST", self.path, body=body,
                               headers={"Content-Type": content_type})
            answer = connection.getresponse()
            answer.read()
            status = answer.status
            connection.close()
        except (OSError, http.client.HTTPException):
            status = None
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status is not None and 200 <= status < 300:
                self.acked.extend(readings)
        return status

    def post_answer(self, body, timeout=30):
        """Posts raw bytes; returns (status, headers, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        connection.request("POST", self.path, body=body,
                           headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        result = (answer.status, dict(answer.getheaders()), answer.read())
        connection.close()
        return result
