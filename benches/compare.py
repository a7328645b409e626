#!/usr/bin/env python3
"""okx-monitor against the Prometheus blackbox exporter, in one run on this machine.

nginx serves a small page on loopback. (A) okx-monitor's daemon runs N http
checks every second; (B) prometheus-blackbox-exporter is driven at the same
rate through its /probe endpoint; (C) wrk with fresh connections (Connection:
close) gives the floor. For each prober process (never the load generator, never
nginx) it reports CPU time per probe and peak RSS, and the ratios.

Usage: benches/compare.py [--rate N] [--seconds T] [--rounds R] [--bin PATH]

The machine's speed drifts (other tenants): the three run in turn R times
(default 3), the ratios are taken round by round, and their median is the
figure.
"""
import argparse, http.client, json, os, re, resource, shutil, signal, subprocess, sys, tempfile, threading, time, urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer")


def start_nginx(work):
    port = free_port()
    root = os.path.join(work, "www")
    os.makedirs(root)
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write("<html><body>OKX Help Center</body></html>\n")
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""")
    # nginx's workers run as nobody: the page must be readable by all.
    for d in (work, root):
        os.chmod(d, 0o755)
    os.chmod(os.path.join(root, "index.html"), 0o644)
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/")
    except SystemExit:
        proc.terminate()
        raise
    return proc, port


def metric_sum(text, name):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def run_okx(binary, work, page_port, rate, seconds):
    cfg = os.path.join(work, "okx")
    os.makedirs(cfg)
    with open(os.path.join(cfg, "checks.toml"), "w") as f:
        for i in range(rate):
            f.write(f'[[check]]\nname = "web-{i}"\nchannel = "help_center"\nkind = "http"\n'
                    f'url = "http://127.0.0.1:{page_port}/"\nschedule = "* * * * * *"\ntimeout = "5s"\n')
    port = free_port()
    proc = subprocess.Popen([binary, "--config", cfg, "run", "--listen", f"127.0.0.1:{port}",
                             "--db", os.path.join(work, "okx.db"), "--max-per-host", str(max(rate, 8))],
                            stderr=open(os.path.join(work, "okx.log"), "w"))
    wait_http(f"http://127.0.0.1:{port}/healthz")
    time.sleep(3)  # warm-up
    m0 = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    c0, t0 = cpu_seconds(proc.pid), time.time()
    time.sleep(seconds)
    m1 = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    c1, t1 = cpu_seconds(proc.pid), time.time()
    rss = peak_rss_mb(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    probes = metric_sum(m1, "okx_monitor_probes_total") - metric_sum(m0, "okx_monitor_probes_total")
    ok = metric_sum(m1, 'okx_monitor_probe_success')
    return {"probes": probes, "seconds": t1 - t0, "cpu": c1 - c0, "rss": rss, "ok": ok}


def run_blackbox(work, page_port, rate, seconds):
    conf = os.path.join(work, "blackbox.yml")
    with open(conf, "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n")
    port = free_port()
    proc = subprocess.Popen(["prometheus-blackbox-exporter", f"--config.file={conf}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "blackbox.log"), "w"))
    wait_http(f"http://127.0.0.1:{port}/metrics")
    path = f"/probe?module=http_2xx&target=http://127.0.0.1:{page_port}/"
    done = {"n": 0, "ok": 0}
    lock = threading.Lock()
    stop = threading.Event()
    measuring = threading.Event()

    # The driver: `rate` probes a second over keep-alive connections, as
    # Prometheus would scrape, spread over threads so that one slow answer
    # never holds the rate back.
    threads = 16

    def drive(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        interval = threads / rate
        nxt = time.time() + k * interval / threads
        while not stop.is_set():
            now = time.time()
            if now < nxt:
                time.sleep(nxt - now)
            nxt += interval
            try:
                conn.request("GET", path)
                body = conn.getresponse().read().decode()
                good = "probe_success 1" in body
            except Exception:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                good = False
            if measuring.is_set():
                with lock:
                    done["n"] += 1
                    done["ok"] += good

    ts = [threading.Thread(target=drive, args=(k,), daemon=True) for k in range(threads)]
    for t in ts:
        t.start()
    time.sleep(3)  # warm-up
    measuring.set()
    c0, t0 = cpu_seconds(proc.pid), time.time()
    time.sleep(seconds)
    c1, t1 = cpu_seconds(proc.pid), time.time()
    measuring.clear()
    stop.set()
    rss = peak_rss_mb(proc.pid)
    proc.terminate()
    proc.wait(timeout=30)
    return {"probes": done["n"], "seconds": t1 - t0, "cpu": c1 - c0, "rss": rss, "ok": done["ok"]}


def run_wrk(page_port, seconds):
    start = time.time()
    proc = subprocess.Popen(["wrk", "-H", "Connection: close", "-t", "2", "-c", "8", "-d", f"{seconds}s",
                             f"http://127.0.0.1:{page_port}/"], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    m = re.search(r"(\d+) requests in", out)
    requests = int(m.group(1)) if m else 0
    return {"probes": requests, "seconds": time.time() - start, "cpu": usage.ru_utime + usage.ru_stime,
            "rss": usage.ru_maxrss / 1024, "ok": requests}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=200, help="probes per second for (A) and (B)")
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3,
                    help="(A), (B), (C) in turn this many times; the ratios are taken round by round")
    ap.add_argument("--bin", default="target/release/okx-monitor")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="okx-compare-")
    nginx, page = start_nginx(work)
    names = ["okx-monitor (A)", "blackbox exporter (B)", "wrk, Connection: close (C)"]
    rounds = []
    try:
        for k in range(a.rounds):
            round_work = os.path.join(work, f"round-{k}")
            os.makedirs(round_work)
            rounds.append([run_okx(a.bin, round_work, page, a.rate, a.seconds),
                           run_blackbox(round_work, page, a.rate, a.seconds),
                           run_wrk(page, a.seconds)])
    finally:
        nginx.terminate()
        nginx.wait()
    print(f"machine: {os.cpu_count()} cores; rate {a.rate}/s for (A) and (B); {a.seconds} s measured after 3 s warm-up; "
          f"{a.rounds} round(s) of A, B, C in turn")
    print(f"{'round':>5} {'prober':28} {'probes/s':>9} {'CPU µs/probe':>13} {'peak RSS MB':>12}")
    vs_bb, vs_wrk = [], []
    for k, rows in enumerate(rounds, 1):
        per = [r["cpu"] / max(r["probes"], 1) * 1e6 for r in rows]
        for name, r, p in zip(names, rows, per):
            print(f"{k:>5} {name:28} {r['probes'] / r['seconds']:>9.0f} {p:>13.0f} {r['rss']:>12.1f}")
        vs_bb.append(per[0] / per[1])
        vs_wrk.append(per[0] / per[2])
    med = lambda xs: sorted(xs)[len(xs) // 2]
    print("ratios by round: okx-monitor / blackbox = " + ", ".join(f"{x:.3f}" for x in vs_bb)
          + "; okx-monitor / wrk = " + ", ".join(f"{x:.2f}" for x in vs_wrk))
    side = lambda i: med([r[i]["cpu"] / max(r[i]["probes"], 1) * 1e6 for r in rounds])
    print(f"CPU per HTTP probe, okx-monitor / blackbox exporter: {med(vs_bb):.3f}x "
          f"({side(0):.0f} / {side(1):.0f} µs, medians of {len(rounds)} round(s); goal 0.06x)")
    print(f"CPU per HTTP probe, okx-monitor / wrk Connection: close: {med(vs_wrk):.2f}x "
          f"({side(0):.0f} / {side(2):.0f} µs; goal 1.5x)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
