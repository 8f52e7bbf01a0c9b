#!/usr/bin/env python3
"""The platform under load (make bench-api): `datastory serve` on the embedded default (SQLite +
local files) on a loopback port, measured from outside as a user would meet it.

  1. upload -> completed for the 500-row example (the one-step form, then its progress stream):
     median and p95 over RUNS runs;
  2. GET /api/v1/stories/:id with a session cookie, wrk with 256 connections for SECONDS, while
     1,000 progress streams are open: requests/s, latency percentiles, errors, the server's RSS;
  3. a ~1 GB upload: how much the server's RSS grows while it streams to storage;
  4. 20 concurrent one-step stories of the 1M-row file: stories per minute, CPU use, and the most
     threads seen running at once against the thread budget.

Usage: bench/api_bench.py BINARY EXAMPLE_500 ROWS_1M ROWS_1G   (env: RUNS=50 SECONDS=30)
Python's standard library only; wrk and curl from Debian.
"""
import http.client
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BINARY, EXAMPLE, ROWS_1M, ROWS_1G = sys.argv[1:5]
RUNS = int(os.environ.get("RUNS", "50"))
SECONDS = int(os.environ.get("SECONDS", "30"))
STREAMS = int(os.environ.get("STREAMS", "1000"))
CONCURRENT = int(os.environ.get("CONCURRENT", "20"))
SECRET = "bench-secret-0123456789abcdef-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    """One `datastory serve` process in `workdir`."""

    def __init__(self, workdir, workers=None):
        self.port = free_port()
        self.workdir = workdir
        env = dict(os.environ, DATASTORY_LISTEN=f"127.0.0.1:{self.port}", DATASTORY_SECRET=SECRET,
                   DATASTORY_BCRYPT_COST="10", DATASTORY_UPLOADS_PER_HOUR="1000")
        if workers is not None:
            env["DATASTORY_WORKERS"] = str(workers)
        self.env = env
        self.log = open(os.path.join(workdir, f"serve-{self.port}.log"), "w")
        self.process = subprocess.Popen([BINARY, "serve"], cwd=workdir, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start: see " + self.log.name)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)
        self.log.close()

    def status(self, field):  # a /proc/PID/status line, in KiB or a count
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def running_threads(self, prefix=""):
        """Threads on a core or waiting for one now, of those whose name starts with `prefix`."""
        running = 0
        for task in os.listdir(f"/proc/{self.process.pid}/task"):
            try:
                with open(f"/proc/{self.process.pid}/task/{task}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            running += name.startswith(prefix) and stat.rsplit(")", 1)[1].split()[0] == "R"
        return running

    def call(self, method, path, body=None, headers=None, timeout=600):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), data


def register(platform, email):
    status, headers, body = platform.call(
        "POST", "/api/v1/auth/register",
        json.dumps({"email": email, "password": "correct horse"}),
        {"Content-Type": "application/json"})
    assert status == 201, body
    return headers["Set-Cookie"].split(";")[0]


def one_step_story(platform, cookie, body, filename):
    """Starts a story with the CSV as the body; returns the job id."""
    status, _, answer = platform.call(
        "POST", f"/api/v1/stories?filename={filename}", body,
        {"Content-Type": "text/csv", "Cookie": cookie, "Origin": f"http://127.0.0.1:{platform.port}"})
    assert status == 202, answer
    return json.loads(answer)["job"]["id"]


def wait_for_end(platform, cookie, job_id):
    """Follows the job's progress stream to its end; returns the last event's data."""
    connection = http.client.HTTPConnection("127.0.0.1", platform.port, timeout=3600)
    connection.request("GET", f"/api/v1/jobs/{job_id}/events", headers={"Cookie": cookie})
    response = connection.getresponse()
    last = None
    while True:
        line = response.fp.readline()
        if not line:
            break
        if line.startswith(b"data: "):
            last = json.loads(line[6:])
    connection.close()
    return last


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def set_tier(workdir, email, tier):
    subprocess.run([BINARY, "admin", "set-tier", email, tier], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def open_streams(platform, cookie, job_id, count):
    """`count` progress streams on a job that stays queued, each past its response headers."""
    sockets = []
    request = (f"GET /api/v1/jobs/{job_id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Cookie: {cookie}\r\n\r\n").encode()
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", platform.port))
        s.sendall(request)
        sockets.append(s)
    for s in sockets:
        s.settimeout(30)
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(4096)
        assert head.startswith(b"HTTP/1.1 200"), head[:100]
    return sockets


def still_open(sockets):
    alive = 0
    for s in sockets:
        s.setblocking(False)
        try:
            alive += s.recv(65536) != b""
        except BlockingIOError:
            alive += 1  # nothing to read, not closed
        except OSError:
            pass
    return alive


def wrk(platform, cookie, path):
    out = subprocess.run(
        ["wrk", "-t2", "-c256", f"-d{SECONDS}s", "--latency", "-H", f"Cookie: {cookie}",
         f"http://127.0.0.1:{platform.port}{path}"],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": ms(50), "p90": ms(90), "p99": ms(99),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "none"}


def sample_while(platform, work, every=0.05):
    """Runs `work` while sampling the server: (result, peak RSS KiB, most job threads running
    at once: the workers, named ds-worker-N)."""
    peak_rss, peak_running = [platform.status("VmRSS")], [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak_rss[0] = max(peak_rss[0], platform.status("VmRSS"))
            peak_running[0] = max(peak_running[0], platform.running_threads("ds-worker"))
            time.sleep(every)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = work()
    finally:
        done.set()
        sampler.join()
    return result, peak_rss[0], peak_running[0]


def main():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it too
    example = open(EXAMPLE, "rb").read()
    with tempfile.TemporaryDirectory(prefix="datastory-bench-api-") as workdir:
        results = {}
        platform = Platform(workdir)
        cookie = register(platform, "bench@example.com")
        set_tier(workdir, "bench@example.com", "enterprise")

        # 1. upload -> completed, the 500-row example.
        times, story_id = [], None
        for _ in range(RUNS):
            started = time.perf_counter()
            job = one_step_story(platform, cookie, example, "sales.csv")
            last = wait_for_end(platform, cookie, job)
            times.append((time.perf_counter() - started) * 1000)
            assert last["status"] == "completed", last
            story_id = last["storyId"]
        results["upload_to_completed_ms"] = {
            "runs": RUNS, "median": statistics.median(times), "p95": percentile(times, 95),
            "min": min(times), "max": max(times)}
        print(f"upload -> completed, 500 rows, {RUNS} runs: median {statistics.median(times):.1f} ms,"
              f" p95 {percentile(times, 95):.1f} ms", flush=True)

        # 3. a ~1 GB upload: the RSS while it streams.
        rss_before = platform.status("VmRSS")
        origin = f"http://127.0.0.1:{platform.port}"

        def big_upload():
            return subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-X", "POST",
                 "-T", ROWS_1G, "-H", "Content-Type: text/csv", "-H", f"Cookie: {cookie}",
                 "-H", f"Origin: {origin}",
                 f"{origin}/api/v1/uploads?filename=big.csv"],
                capture_output=True, text=True, check=True).stdout.split()

        (code, seconds), peak, _ = sample_while(platform, big_upload)
        size = os.path.getsize(ROWS_1G)
        results["big_upload"] = {"bytes": size, "status": int(code), "seconds": float(seconds),
                                 "rss_before_mib": rss_before / 1024,
                                 "rss_growth_mib": (peak - rss_before) / 1024}
        print(f"upload of {size / 1e9:.2f} GB: HTTP {code} in {float(seconds):.1f} s, RSS "
              f"{rss_before / 1024:.0f} MiB -> peak {peak / 1024:.0f} MiB "
              f"(+{(peak - rss_before) / 1024:.1f} MiB)", flush=True)

        # 4. concurrent one-step stories of the 1M-row file.
        threads_total = platform.status("Threads")
        cpu_before, wall_before = platform.cpu_seconds(), time.perf_counter()

        def concurrent_stories():
            ends = []

            def one():
                with open(ROWS_1M, "rb") as body:
                    job = one_step_story(platform, cookie, body, "rows_1m.csv")
                ends.append(wait_for_end(platform, cookie, job)["status"])

            workers = [threading.Thread(target=one) for _ in range(CONCURRENT)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            return ends

        ends, peak, most_running = sample_while(platform, concurrent_stories, every=0.02)
        wall = time.perf_counter() - wall_before
        cpu = platform.cpu_seconds() - cpu_before
        results["concurrent_1m"] = {
            "stories": CONCURRENT, "completed": ends.count("completed"), "seconds": wall,
            "stories_per_minute": 60 * ends.count("completed") / wall,
            "cpu_cores_busy": cpu / wall, "most_threads_running": most_running,
            "threads_in_process": threads_total, "peak_rss_mib": peak / 1024}
        print(f"{CONCURRENT} concurrent 1M-row stories: {ends.count('completed')} completed in "
              f"{wall:.1f} s = {60 * ends.count('completed') / wall:.1f} stories/min; "
              f"{cpu / wall:.2f} of {os.cpu_count()} cores busy; at most {most_running} job threads "
              f"running at once, for a budget of {os.cpu_count()} ({threads_total} threads in the "
              f"process); peak RSS "
              f"{peak / 1024:.0f} MiB", flush=True)
        platform.stop()

        # 2. GET a story while 1,000 progress streams stay open: a server without workers, so
        # the streams' job stays queued.
        platform = Platform(workdir, workers=0)
        status, headers, body = platform.call(
            "POST", "/api/v1/auth/login",
            json.dumps({"email": "bench@example.com", "password": "correct horse"}),
            {"Content-Type": "application/json"})
        assert status == 200, body
        cookie = headers["Set-Cookie"].split(";")[0]
        queued = one_step_story(platform, cookie, example, "sales.csv")
        rss_idle = platform.status("VmRSS")
        streams = open_streams(platform, cookie, queued, STREAMS)
        rss_streams = platform.status("VmRSS")
        (load, peak, _) = sample_while(platform, lambda: wrk(platform, cookie,
                                                             f"/api/v1/stories/{story_id}"))
        alive = still_open(streams)
        results["get_story"] = dict(load, streams_open=alive, rss_idle_mib=rss_idle / 1024,
                                    rss_with_streams_mib=rss_streams / 1024,
                                    rss_peak_mib=peak / 1024)
        print(f"GET /api/v1/stories/:id, 256 connections, {SECONDS} s, {alive} of {STREAMS} "
              f"progress streams open: {load['rps']:,.0f} requests/s, p50 {load['p50']:.2f} ms, "
              f"p90 {load['p90']:.2f} ms, p99 {load['p99']:.2f} ms, non-2xx {load['non2xx']}, "
              f"socket errors {load['socket_errors']}; RSS {rss_idle / 1024:.0f} MiB idle, "
              f"{rss_streams / 1024:.0f} MiB with the streams, peak {peak / 1024:.0f} MiB",
              flush=True)
        for s in streams:
            s.close()
        platform.stop()
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
