#!/usr/bin/env python3
"""vigie's reliability campaigns (issue 10): crash safety, soak and overload.

    python3 scripts/reliability-campaign.py crash --rounds 50 --seed 7
    python3 scripts/reliability-campaign.py soak --minutes 60 --csv docs/reliability/soak.csv
    python3 scripts/reliability-campaign.py flood --seconds 20

Each campaign starts, on 127.0.0.1 at free ports and in a temporary directory, an aiosmtpd
relay (crates/notify/tests/smtpd/relay.py), Debian's `snmpd` as a polled device, and
`vigie serve` (--bin, default target/release/vigie) with a configuration that polls both the
built-in agent and snmpd and mails every linkDown alarm to the relay. Load is generated
here, without a subprocess per packet: SNMPv2c traps and informs are encoded by the small BER
writer below; an inform counts as acknowledged only when its Response (same request-id)
came back, which vigie sends once the event is stored.

- crash: rounds of load then SIGKILL at a seeded random moment, restart on the same data
  directory, then check that the database passes `PRAGMA integrity_check`, that every
  acknowledged inform is an event in `GET /api/v1/events`, that every event id the API
  returned before the kill is still listed; at the end, that every outbox notification was
  received by the relay (by Message-ID) and that every acknowledged linkDown inform was mailed.
- soak: mixed load (traps, informs, polls, e-mails, API reads) for --minutes, sampling every
  --sample seconds the resident memory, open file descriptors, p99 latency of the API and of
  inform→acknowledgement (the inform is acknowledged once stored), into a CSV.
- flood: traps as fast as this machine sends them, in several processes, for --seconds;
  samples RSS every second; then checks that what was read equals what was stored plus the
  counted drops in /metrics, that a system alarm was raised, and that afterwards it clears
  and new traps are stored.

Everything it starts is stopped by PID on exit. Exit status 0 when every check passed.
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RELAY = os.path.join(ROOT, "crates/notify/tests/smtpd/relay.py")

# OIDs (RFC 3418, RFC 2863) by number: Debian's Net-SNMP ships no MIB files.
SYS_UPTIME_0 = "1.3.6.1.2.1.1.3.0"
SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0"
LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
IF_ADMIN = "1.3.6.1.2.1.2.2.1.7"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"
# RFC 5612's documentation enterprise: a trap no rule matches, and the marker varbind.
PLAIN_TRAP = "1.3.6.1.4.1.32473.99.0.1"
MARKER = "1.3.6.1.4.1.32473.99.1.0"


# ---------------------------------------------------------------- BER (X.690), the minimum


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def ber_int(value, tag=0x02):
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)
    return tlv(tag, raw)


def ber_unsigned(value, tag):
    raw = value.to_bytes((value.bit_length() + 8) // 8 or 1, "big")
    return tlv(tag, raw)


def ber_oid(text):
    arcs = [int(a) for a in text.split(".")]
    out = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return tlv(0x06, bytes(out))


def varbind(oid, value):
    return tlv(0x30, ber_oid(oid) + value)


def notification(community, pdu_tag, request_id, trap_oid, extra):
    """A v2c SNMPv2-Trap (0xA7) or InformRequest (0xA6), RFC 3416 §4.2.6-7."""
    uptime = int(time.monotonic() * 100) & 0xFFFFFFFF
    binds = varbind(SYS_UPTIME_0, ber_unsigned(uptime, 0x43))
    binds += varbind(SNMP_TRAP_OID_0, ber_oid(trap_oid))
    for oid, value in extra:
        binds += varbind(oid, value)
    pdu = tlv(pdu_tag, ber_int(request_id) + ber_int(0) + ber_int(0) + tlv(0x30, binds))
    return tlv(0x30, ber_int(1) + tlv(0x04, community) + pdu)


def read_tlv(data, at):
    tag = data[at]
    n = data[at + 1]
    at += 2
    if n & 0x80:
        count = n & 0x7F
        n = int.from_bytes(data[at:at + count], "big")
        at += count
    return tag, data[at:at + n], at + n


def response_request_id(data):
    """The request-id of a v2c Response (0xA2), or None."""
    try:
        tag, message, _ = read_tlv(data, 0)
        if tag != 0x30:
            return None
        _, _, at = read_tlv(message, 0)  # version
        _, _, at = read_tlv(message, at)  # community
        tag, pdu, _ = read_tlv(message, at)
        if tag != 0xA2:
            return None
        tag, raw, _ = read_tlv(pdu, 0)
        return int.from_bytes(raw, "big", signed=True)
    except (IndexError, ValueError):
        return None


def link_trap(community, pdu_tag, request_id, down, if_index, marker):
    return notification(
        community,
        pdu_tag,
        request_id,
        LINK_DOWN if down else LINK_UP,
        [
            (f"{IF_INDEX}.{if_index}", ber_int(if_index)),
            (f"{IF_ADMIN}.{if_index}", ber_int(1)),
            (f"{IF_OPER}.{if_index}", ber_int(2 if down else 1)),
            (MARKER, tlv(0x04, marker.encode())),
        ],
    )


def plain_trap(community, request_id, marker, pdu_tag=0xA7):
    return notification(
        community, pdu_tag, request_id, PLAIN_TRAP, [(MARKER, tlv(0x04, marker.encode()))]
    )


# ---------------------------------------------------------------- peers and the station


def free_port(kind):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def p99(values):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class Peers:
    """The relay and snmpd, stopped by PID on close."""

    def __init__(self, work):
        self.procs = []
        self.mail_dir = os.path.join(work, "mail")
        os.makedirs(self.mail_dir)
        relay = subprocess.Popen(
            [sys.executable, RELAY, "--mode", "plain", "--out", self.mail_dir],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(relay)
        line = relay.stdout.readline().decode().strip()
        if not line.startswith("READY "):
            raise SystemExit(f"the relay did not start: {line!r} (pip install aiosmtpd)")
        self.smtp_port = int(line.split()[1])
        self.snmpd_port = free_port("udp")
        conf = os.path.join(work, "snmpd.conf")
        with open(conf, "w") as f:
            f.write("rocommunity public 127.0.0.1\n")
        persist = os.path.join(work, "snmpd-persist")
        os.makedirs(persist)
        snmpd = subprocess.Popen(
            ["snmpd", "-f", "-C", "-c", conf, "-I", "-smux", "-Lf", os.path.join(work, "snmpd.log"),
             "-p", os.path.join(work, "snmpd.pid"), f"udp:127.0.0.1:{self.snmpd_port}"],
            env={**os.environ, "SNMP_PERSISTENT_DIR": persist},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(snmpd)

    def mails(self):
        """Message-ID → content, for every message the relay stored."""
        out = {}
        for name in os.listdir(self.mail_dir):
            if not name.endswith(".eml"):
                continue
            with open(os.path.join(self.mail_dir, name), "rb") as f:
                content = f.read().decode("utf-8", "replace")
            message_id = None
            for line in content.splitlines():
                if line.lower().startswith("message-id:"):
                    message_id = line.split(":", 1)[1].strip().strip("<>")
                    break
                if not line:
                    break
            out.setdefault(message_id, []).append(content)
        return out

    def close(self):
        for proc in self.procs:
            proc.kill()
            proc.wait()


class Station:
    """`vigie serve` on free ports and a data directory that outlives its restarts."""

    def __init__(self, binary, work, peers, poll_interval, extra_config="", nice=0):
        self.binary = binary
        self.work = work
        self.nice = nice
        self.data = os.path.join(work, "data")
        self.http = f"127.0.0.1:{free_port('tcp')}"
        self.traps_port = free_port("udp")
        self.agent = f"127.0.0.1:{free_port('udp')}"
        self.config = os.path.join(work, "vigie.toml")
        with open(self.config, "w") as f:
            f.write(f"""[receiver]
communities = ["public"]

[poller]
interval = "{poll_interval}"

[[devices]]
name = "snmpd"
address = "127.0.0.1:{peers.snmpd_port}"
community = "public"

[smtp]
host = "127.0.0.1"
port = {peers.smtp_port}
encryption = "none"
from = "vigie@localhost"

[[actions]]
name = "mail-noc"
kind = "email"
to = ["noc@example.net"]

[[rules]]
name = "links-to-noc"
actions = ["mail-noc"]
notifications = ["IF-MIB::linkDown"]
group_by = ["alarm_key"]
group_wait = "0s"
{extra_config}""")
        self.proc = None
        self.starts = 0
        self.token = None

    def start(self, timeout=60):
        log = open(os.path.join(self.work, f"serve-{self.starts}.log"), "wb")
        self.starts += 1
        self.proc = subprocess.Popen(
            ["nice", "-n", str(self.nice), self.binary, "serve", "--config", self.config,
             "--data-dir", self.data, "--http", self.http,
             "--traps", f"127.0.0.1:{self.traps_port}", "--agent", self.agent],
            stdout=log,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"vigie serve exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                urllib.request.urlopen(f"http://{self.http}/api/v1/health", timeout=2).read()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    self.kill()
                    raise SystemExit(f"vigie serve did not answer HTTP:\n{self.logs()}")
                time.sleep(0.05)
        if self.token is None:
            self.token = subprocess.run(
                [self.binary, "token", "create", "campaign", "--data-dir", self.data],
                capture_output=True, check=True, text=True,
            ).stdout.strip()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def last_log(self):
        """The log of the current start."""
        path = os.path.join(self.work, f"serve-{self.starts - 1}.log")
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def logs(self):
        out = []
        for n in range(self.starts):
            path = os.path.join(self.work, f"serve-{n}.log")
            if os.path.exists(path):
                with open(path, "rb") as f:
                    out.append(f.read().decode("utf-8", "replace")[-4000:])
        return "\n".join(out)

    def get(self, path, timeout=10):
        request = urllib.request.Request(
            f"http://{self.http}{path}", headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
        return body

    def get_json(self, path, timeout=10):
        return json.loads(self.get(path, timeout))

    def all_events(self):
        """Every stored event, id → the event's JSON text."""
        events = {}
        path = "/api/v1/events?limit=1000"
        while True:
            page = self.get_json(path, timeout=60)
            for item in page["items"]:
                events[item["id"]] = json.dumps(item)
            if not page.get("next"):
                return events
            path = f"/api/v1/events?limit=1000&before={page['next']}"

    def metrics(self):
        values = {}
        for line in self.get("/metrics").decode().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rpartition(" ")
            try:
                values[name] = float(value)
            except ValueError:
                pass
        return values

    def database(self):
        return os.path.join(self.data, "vigie.db")

    def sample(self):
        """(RSS in KiB, open file descriptors) of the running process."""
        pid = self.proc.pid
        rss = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return rss, len(os.listdir(f"/proc/{pid}/fd"))

    def memory_split(self):
        """(anonymous, file-backed) resident memory in KiB, and the thread count. Anonymous
        is the heap and the stacks; file-backed the pages of the executable and libraries,
        which the kernel may drop and read again."""
        split = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("RssAnon", "RssFile", "Threads"):
                    split[key] = int(line.split()[1])
        return split.get("RssAnon", 0), split.get("RssFile", 0), split.get("Threads", 0)

    def anonymous_split(self):
        """Resident KiB of the [heap] mapping (glibc's main arena) and of the other anonymous
        mappings (the other threads' arenas, thread stacks, large blocks)."""
        heap = other = 0
        kind = None
        with open(f"/proc/{self.proc.pid}/smaps") as f:
            for line in f:
                fields = line.split()
                if not fields:
                    continue
                if "-" in fields[0] and not fields[0].endswith(":"):
                    path = fields[5] if len(fields) > 5 else ""
                    kind = "heap" if path == "[heap]" else "anon" if path == "" else None
                elif fields[0] == "Rss:" and kind == "heap":
                    heap += int(fields[1])
                elif fields[0] == "Rss:" and kind == "anon":
                    other += int(fields[1])
        return heap, other

    def cpu_seconds(self):
        """User and system CPU time of the running process."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def integrity(path):
    connection = sqlite3.connect(path, timeout=30)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def outbox(path):
    """(id, state, Message-ID or None) of every outbox notification."""
    connection = sqlite3.connect(path, timeout=30)
    try:
        rows = connection.execute(
            "SELECT id, state, kind, payload FROM outbox_notifications"
        ).fetchall()
    finally:
        connection.close()
    out = []
    for row_id, state, kind, payload in rows:
        message_id = None
        if kind == "email":
            message_id = json.loads(payload).get("message_id")
        out.append((row_id, state, message_id))
    return out


# ---------------------------------------------------------------- load


class Load:
    """Traps, informs and API reads in threads, until stop()."""

    def __init__(self, station, run, trap_rate, inform_rate, api_rate, link_every, if_range,
                 clear_after=None):
        self.station = station
        self.run = run
        self.trap_rate = trap_rate
        self.inform_rate = inform_rate
        self.api_rate = api_rate
        self.link_every = link_every
        self.if_range = if_range
        # With a number N: the inform after each fresh linkDown is the linkUp of the fresh
        # ifIndex N before it, so that open alarms stay bounded (a steady state for the
        # soak) while every fresh link still raises, mails and then clears its own alarm.
        self.clear_after = clear_after
        self.stopping = threading.Event()
        # Set while a crash round checks the store: no new traps or informs, so that each
        # round's check costs the same.
        self.paused = threading.Event()
        self.lock = threading.Lock()
        self.acked = {}  # marker -> ("plain" | "link" | "linkup", ifIndex or None)
        self.sent_informs = 0
        self.sent_traps = 0
        self.seen_ids = set()
        self.api_latencies = []
        self.inform_latencies = []
        self.api_errors = 0
        self.sequence = 0
        self.threads = []

    def start(self):
        self.stopping.clear()
        self.threads = [
            threading.Thread(target=self.traps, daemon=True),
            threading.Thread(target=self.informs, daemon=True),
            threading.Thread(target=self.api, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def take_latencies(self):
        with self.lock:
            api, self.api_latencies = self.api_latencies, []
            informs, self.inform_latencies = self.inform_latencies, []
        return api, informs

    def paced(self, rate):
        """Yields at `rate` per second until stopped."""
        if rate <= 0:
            self.stopping.wait()
            return
        period = 1.0 / rate
        due = time.monotonic()
        while not self.stopping.is_set():
            now = time.monotonic()
            if now < due:
                time.sleep(min(due - now, 0.5))
                continue
            due = max(due + period, now - 1.0)
            if self.paused.is_set():
                continue
            yield

    def traps(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        target = ("127.0.0.1", self.station.traps_port)
        n = 0
        for _ in self.paced(self.trap_rate):
            n += 1
            marker = f"{self.run}-t{n}"
            if n % 2:
                datagram = plain_trap(b"public", n, marker)
            else:
                # Every ifIndex of the range goes down, then every one comes up: alarms
                # raised and cleared, their number bounded by the range.
                k = n // 2
                if_index = 1000 + k % self.if_range
                down = (k // self.if_range) % 2 == 0
                datagram = link_trap(b"public", 0xA7, n, down, if_index, marker)
            sock.sendto(datagram, target)
            self.sent_traps += 1
        sock.close()

    def informs(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(0.2)
        target = ("127.0.0.1", self.station.traps_port)
        # request-id -> [datagram, marker, kind, first_sent, last_sent, tries]
        pending = {}
        receiver = threading.Thread(target=self.acknowledgements, args=(sock, pending),
                                    daemon=True)
        receiver.start()
        n = 0
        for _ in self.paced(self.inform_rate):
            n += 1
            request_id = 100000 + n
            marker = f"{self.run}-i{n}"
            if self.link_every and n % self.link_every == 0:
                # A fresh ifIndex for every linkDown inform: its own alarm, its own e-mail.
                with self.lock:
                    self.sequence += 1
                    if_index = 100000 + self.sequence
                kind = ("link", if_index)
                datagram = link_trap(b"public", 0xA6, request_id, True, if_index, marker)
            elif (self.link_every and self.clear_after and n % self.link_every == 1
                  and n > self.link_every and self.sequence > self.clear_after):
                if_index = 100000 + self.sequence - self.clear_after
                kind = ("linkup", if_index)
                datagram = link_trap(b"public", 0xA6, request_id, False, if_index, marker)
            else:
                kind = ("plain", None)
                datagram = plain_trap(b"public", request_id, marker, pdu_tag=0xA6)
            now = time.monotonic()
            with self.lock:
                pending[request_id] = [datagram, marker, kind, now, now, 1]
            sock.sendto(datagram, target)
            self.sent_informs += 1
            self.resend(sock, pending, target)
        receiver.join()
        sock.close()

    def acknowledgements(self, sock, pending):
        """Matches Responses to informs by request-id, as they arrive."""
        while not self.stopping.is_set():
            try:
                data = sock.recv(65536)
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                return
            now = time.monotonic()
            request_id = response_request_id(data)
            with self.lock:
                entry = pending.pop(request_id, None)
                if entry is not None:
                    self.acked[entry[1]] = entry[2]
                    self.inform_latencies.append(now - entry[3])

    def resend(self, sock, pending, target):
        now = time.monotonic()
        with self.lock:
            due = []
            for request_id, entry in list(pending.items()):
                # Resent as Net-SNMP does (1 s, 5 tries), then given up: never acknowledged.
                if now - entry[4] > 1.0:
                    if entry[5] >= 5:
                        del pending[request_id]
                        continue
                    entry[4] = now
                    entry[5] += 1
                    due.append(entry[0])
        for datagram in due:
            try:
                sock.sendto(datagram, target)
            except OSError:
                pass

    def api(self):
        paths = ["/api/v1/events?limit=100", "/api/v1/alarms", "/metrics",
                 "/api/v1/devices", "/api/v1/events?limit=100"]
        n = 0
        for _ in self.paced(self.api_rate):
            path = paths[n % len(paths)]
            n += 1
            started = time.monotonic()
            try:
                body = self.station.get(path, timeout=10)
            except (urllib.error.URLError, OSError, ValueError):
                with self.lock:
                    self.api_errors += 1
                continue
            elapsed = time.monotonic() - started
            ids = ()
            if path.startswith("/api/v1/events"):
                ids = [item["id"] for item in json.loads(body)["items"]]
            with self.lock:
                self.api_latencies.append(elapsed)
                self.seen_ids.update(ids)


# ---------------------------------------------------------------- campaigns


def wait_outbox_drained(station, timeout):
    deadline = time.monotonic() + timeout
    while True:
        rows = outbox(station.database())
        waiting = [r for r in rows if r[1] in ("pending", "in_flight")]
        if not waiting or time.monotonic() > deadline:
            return rows, waiting
        time.sleep(0.2)


def crash(args, work, peers):
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print(f"crash campaign: {args.rounds} rounds, seed {seed}", flush=True)
    rng = random.Random(seed)
    station = Station(args.bin, work, peers, "2s", nice=args.nice)
    load = Load(station, f"s{seed}", args.trap_rate, args.inform_rate, args.api_rate,
                link_every=5, if_range=20)
    failures = []
    started = time.monotonic()
    replayed_total = 0
    rounds_replaying = 0
    try:
        station.start()
        load.start()
        for round_number in range(1, args.rounds + 1):
            alive = rng.uniform(args.min_alive, args.max_alive)
            time.sleep(alive)
            station.kill()
            load.paused.set()
            with load.lock:
                seen = set(load.seen_ids)
            down_started = time.monotonic()
            station.start()
            restart = time.monotonic() - down_started
            # Informs sent before the kill may still be acknowledged (resent) now.
            time.sleep(1.5)
            with load.lock:
                acked = dict(load.acked)
            check = integrity(station.database())
            # Alarm decisions the kill caught between their commit and the outbox: response
            # management logs how many it found pending at start and handles again.
            replayed = re.search(r"left pending are handled again.*decisions=(\d+)|"
                                 r"decisions=(\d+).*left pending are handled again",
                                 station.last_log())
            replayed = int(next(g for g in replayed.groups() if g)) if replayed else 0
            replayed_total += replayed
            rounds_replaying += 1 if replayed else 0
            events = station.all_events()
            texts = "\n".join(events.values())
            lost_ids = seen - set(events)
            lost_informs = [m for m in acked if f'"{m}"' not in texts]
            status = "ok"
            if check != "ok" or lost_ids or lost_informs:
                status = "FAILED"
                failures.append((round_number, check, sorted(lost_ids)[:10], lost_informs[:10]))
            print(f"round {round_number:>3}: killed after {alive:5.2f} s, restarted in "
                  f"{restart:5.2f} s, integrity {check}, {replayed} pending decisions "
                  f"handled again, {len(events)} events, "
                  f"{len(acked)} informs acknowledged, {len(seen)} ids seen: {status}"
                  + (f" lost ids {sorted(lost_ids)[:5]} lost informs {lost_informs[:5]}"
                     if status != "ok" else ""), flush=True)
            load.paused.clear()
        load.stop()
        # Informs acknowledged after the last check.
        events = station.all_events()
        texts = "\n".join(events.values())
        with load.lock:
            acked = dict(load.acked)
        lost_informs = [m for m in acked if f'"{m}"' not in texts]
        if lost_informs:
            failures.append(("final", "ok", [], lost_informs[:10]))
        rows, waiting = wait_outbox_drained(station, args.drain)
        mails = peers.mails()
        undelivered = [r for r in rows if r[2] is not None and r[2] not in mails]
        link_markers = [m for m, kind in acked.items() if kind[0] == "link"]
        bodies = "\n".join(c for contents in mails.values() for c in contents)
        unmailed = [m for m in link_markers if m not in bodies]
        duplicates = sum(len(c) - 1 for c in mails.values())
        print(f"end: {len(events)} events, {len(acked)} informs acknowledged "
              f"(of {load.sent_informs} sent), {load.sent_traps} traps sent; outbox "
              f"{len(rows)} notifications, {len(waiting)} still waiting, "
              f"{len(undelivered)} never received; relay {sum(len(c) for c in mails.values())} "
              f"messages, {duplicates} duplicates; {len(link_markers)} acknowledged linkDown "
              f"informs, {len(unmailed)} without an e-mail; {replayed_total} pending alarm "
              f"decisions handled again after {rounds_replaying} of the kills; "
              f"{time.monotonic() - started:.0f} s", flush=True)
        if waiting or undelivered:
            failures.append(("outbox", len(waiting), undelivered[:5]))
        if unmailed:
            # The alarm decision of an acknowledged inform is stored, with its pending row for
            # response management, before the acknowledgement (docs/reliability.md, "Crash
            # safety"): an acknowledged linkDown without an e-mail is a lost notification.
            print(f"GAP: {len(unmailed)} acknowledged linkDown informs without an e-mail: "
                  f"{unmailed[:10]}", flush=True)
            if args.strict_mail:
                failures.append(("unmailed", unmailed[:10]))
    finally:
        load.stopping.set()
        station.stop()
    if failures:
        print(f"FAILED (seed {seed}): {failures}\n--- logs ---\n{station.logs()}", flush=True)
        return 1
    print(f"PASSED (seed {seed})", flush=True)
    return 0


def soak(args, work, peers):
    station = Station(args.bin, work, peers, "10s", nice=args.nice)
    load = Load(station, "soak", args.trap_rate, args.inform_rate, args.api_rate,
                link_every=50, if_range=50, clear_after=args.clear_after)
    csv_path = args.csv
    os.makedirs(os.path.dirname(os.path.abspath(csv_path)), exist_ok=True)
    station.start()
    load.start()
    started = time.monotonic()
    try:
        with open(csv_path, "w") as csv:
            csv.write("minute,rss_kib,fds,api_p99_ms,inform_p99_ms,api_requests,"
                      "informs_acked,traps_sent,informs_sent,events_stored,api_errors,loadavg,cpu_percent,"
                      "rss_anon_kib,rss_file_kib,threads,heap_kib,anon_mmap_kib\n")
            minute = 0
            last_cpu = station.cpu_seconds()
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(max(0.0, started + (minute + 1) * args.sample - time.monotonic()))
                minute += 1
                api, informs = load.take_latencies()
                rss, fds = station.sample()
                try:
                    stored = int(station.metrics().get("vigie_events_stored_total", -1))
                except (urllib.error.URLError, OSError, ValueError):
                    stored = ""
                with open("/proc/loadavg") as f:
                    load1 = f.read().split()[0]
                cpu = station.cpu_seconds()
                cpu_share = round((cpu - last_cpu) / args.sample * 100, 1)
                last_cpu = cpu
                row = [minute, rss, fds,
                       round(p99(api) * 1000, 1) if api else "",
                       round(p99(informs) * 1000, 1) if informs else "",
                       len(api), len(informs), load.sent_traps, load.sent_informs, stored,
                       load.api_errors, load1, cpu_share, *station.memory_split(),
                       *station.anonymous_split()]
                csv.write(",".join(str(v) for v in row) + "\n")
                csv.flush()
                print(" ".join(f"{k}={v}" for k, v in zip(
                    ["minute", "rss_kib", "fds", "api_p99_ms", "inform_p99_ms", "api",
                     "acked", "traps", "informs", "stored", "api_errors", "load", "cpu%",
                     "rss_anon_kib", "rss_file_kib", "threads", "heap_kib", "anon_mmap_kib"],
                    row)), flush=True)
    finally:
        load.stop()
        station.stop()
    rows, waiting = wait_outbox_drained(station, 1)
    print(f"soak done: {len(rows)} outbox notifications, {len(waiting)} waiting", flush=True)
    return 0


def api_probe(station, count, timeout=10):
    """(answered, failed, p99 seconds, worst seconds) of `count` GETs of /api/v1/alarms."""
    latencies, failed = [], 0
    for _ in range(count):
        started = time.monotonic()
        try:
            station.get("/api/v1/alarms", timeout=timeout)
            latencies.append(time.monotonic() - started)
        except (urllib.error.URLError, OSError, ValueError):
            failed += 1
    return len(latencies), failed, p99(latencies), max(latencies, default=None)


def slow(args, work, peers):
    """Idle and slowloris HTTP clients: the API must keep answering, fds and RSS bounded."""
    station = Station(args.bin, work, peers, "10s", nice=args.nice)
    station.start()
    failures = []
    try:
        rss0, fds0 = station.sample()
        answered, failed, latency, worst = api_probe(station, 20)
        print(f"before: rss {rss0} KiB, {fds0} fds; API {answered} answered, {failed} failed, "
              f"p99 {latency * 1000:.1f} ms", flush=True)
        host, port = station.http.split(":")
        idle, slowloris, refused = [], [], 0
        for n in range(args.connections):
            try:
                sock = socket.create_connection((host, int(port)), timeout=5)
            except OSError:
                refused += 1
                continue
            if n % 2:
                sock.sendall(b"GET /api/v1/alarms HTTP/1.1\r\nHost: x\r\n")
                slowloris.append(sock)
            else:
                idle.append(sock)
        print(f"opened {len(idle)} idle and {len(slowloris)} slowloris connections "
              f"({refused} refused)", flush=True)
        started = time.monotonic()
        peak_rss, peak_fds, worst_probe = 0, 0, 0.0
        probes_failed, probes = 0, 0
        closed_by_server = 0
        while time.monotonic() - started < args.seconds:
            # A header line every second from each slowloris client.
            for sock in list(slowloris):
                try:
                    sock.sendall(b"X-a: b\r\n")
                except OSError:
                    slowloris.remove(sock)
                    closed_by_server += 1
                    sock.close()
            rss, fds = station.sample()
            peak_rss, peak_fds = max(peak_rss, rss), max(peak_fds, fds)
            answered, failed, latency, worst = api_probe(station, 3, timeout=5)
            probes += 3
            probes_failed += failed
            if worst is not None:
                worst_probe = max(worst_probe, worst)
            print(f"t={time.monotonic() - started:4.0f} s rss {rss} KiB, {fds} fds, API "
                  f"{answered}/3 answered, worst {0 if worst is None else worst * 1000:.0f} ms, "
                  f"{len(slowloris)} slowloris still open", flush=True)
            time.sleep(1)
        idle_open = 0
        for sock in idle:
            sock.setblocking(False)
            try:
                idle_open += sock.recv(1) != b""
            except BlockingIOError:
                idle_open += 1
            except OSError:
                pass
        print(f"after {args.seconds:.0f} s: {idle_open} of {len(idle)} idle connections still "
              f"open, {len(slowloris)} of the slowloris ones; peak rss {peak_rss} KiB, peak "
              f"{peak_fds} fds; API probes {probes - probes_failed}/{probes} answered, "
              f"worst {worst_probe * 1000:.0f} ms", flush=True)
        for sock in idle + slowloris:
            sock.close()
        time.sleep(2)
        rss1, fds1 = station.sample()
        answered, failed, latency, _ = api_probe(station, 20)
        print(f"recovered: rss {rss1} KiB, {fds1} fds; API {answered} answered, {failed} "
              f"failed, p99 {latency * 1000:.1f} ms", flush=True)
        if probes_failed or failed:
            failures.append(f"{probes_failed + failed} API requests failed")
        if fds1 > fds0 + 10:
            failures.append(f"fds {fds0} -> {fds1}")
    finally:
        station.stop()
    if failures:
        print(f"FAILED: {failures}", flush=True)
        return 1
    print("PASSED", flush=True)
    return 0


def flood(args, work, peers):
    """Traps far above capacity from several processes, `--floods` times against one process
    with a recovery between: the counts must add up each time; resident memory before, at the
    peak and after each recovery shows whether the footprint keeps its bound."""
    station = Station(args.bin, work, peers, "10s", nice=args.nice)
    station.start()
    failures = []
    memory = []
    try:
        # Let the first polls and the agent's coldStart settle.
        time.sleep(3)
        for round_ in range(1, args.floods + 1):
            if args.floods > 1:
                print(f"flood {round_} of {args.floods}", flush=True)
            memory.append(flood_once(args, station, failures))
    finally:
        station.stop()
    if len(memory) > 1:
        print("resident memory by flood, KiB (before, peak, after recovery): "
              + "; ".join(f"{b} {p} {a}" for b, p, a in memory), flush=True)
    if failures:
        print(f"FAILED: {failures}", flush=True)
        return 1
    print("PASSED", flush=True)
    return 0


def flood_once(args, station, failures):
    """One flood and its recovery; appends what failed to `failures`; returns resident memory
    (KiB) before, at the peak and after the recovery."""
    before = station.metrics()
    rss0, fds0 = station.sample()
    stop_at = time.time() + args.seconds
    senders = []
    for n in range(args.senders):
        code = (
            "import socket, sys, time\n"
            f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
            "import importlib.util as u\n"
            f"spec = u.spec_from_file_location('c', {os.path.abspath(__file__)!r})\n"
            "c = u.module_from_spec(spec); spec.loader.exec_module(c)\n"
            f"d = [c.plain_trap(b'public', i, 'flood{n}-' + str(i)) for i in range(1000)]\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"t = ('127.0.0.1', {station.traps_port}); sent = 0\n"
            f"while time.time() < {stop_at}:\n"
            "    for x in d:\n"
            "        try:\n"
            "            s.sendto(x, t); sent += 1\n"
            "        except OSError:\n"
            "            pass\n"
            "print(sent)\n"
        )
        senders.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE))
    peak_rss, peak_fds, alarm_seen = rss0, fds0, False
    while any(p.poll() is None for p in senders):
        time.sleep(1)
        rss, fds = station.sample()
        peak_rss, peak_fds = max(peak_rss, rss), max(peak_fds, fds)
        try:
            # Open ones: a later flood must raise the alarm again, not find the last one's.
            alarms = station.get_json("/api/v1/alarms?state=open", timeout=5)["items"]
            alarm_seen |= any(a["key"].startswith("system/queue-full") for a in alarms)
        except (urllib.error.URLError, OSError, ValueError):
            pass
    sent = sum(int(p.stdout.read().decode().strip() or 0) for p in senders)
    # The queue drains; then the counts settle.
    settle = time.monotonic() + 60
    while time.monotonic() < settle:
        time.sleep(1)
        m1 = station.metrics()
        time.sleep(1)
        m2 = station.metrics()
        if m1 == m2:
            break
    after = station.metrics()
    diff = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    received = sum(v for k, v in diff.items() if k.startswith("vigie_notifications_received_total"))
    dropped = {k.split('"')[1]: v for k, v in diff.items()
               if k.startswith("vigie_notifications_dropped_total") and v}
    stored = diff.get("vigie_events_stored_total", 0)
    # Datagrams the kernel dropped from the receiver's socket buffer, as /metrics reads them
    # from /proc/net/udp for each receiver socket.
    socket_drops = sum(v for k, v in diff.items()
                       if k.startswith("vigie_receiver_kernel_drops_total"))
    # Every datagram read is stored or counted as dropped; those shed undecoded while the
    # queue was full are dropped without ever being "received" (decoded).
    read = stored + sum(dropped.values())
    kernel = udp_drops()
    print(f"flood: {args.senders} senders for {args.seconds:.0f} s sent {sent} traps "
          f"({sent / args.seconds:.0f}/s); vigie read {read:.0f} (decoded {received:.0f}), "
          f"stored {stored:.0f}, dropped {dropped}; dropped by the kernel from the "
          f"receiver's socket buffer {socket_drops:.0f}; rss {rss0} -> peak {peak_rss} KiB, "
          f"fds {fds0} -> peak {peak_fds}; queue-full alarm seen: {alarm_seen}; "
          f"host RcvbufErrors now {kernel}", flush=True)
    if sent != read + socket_drops:
        failures.append(f"sent {sent} != read {read} + kernel drops {socket_drops}: "
                        f"some traps are not accounted for")
    if dropped.get("queue_full") and not alarm_seen:
        failures.append("queue_full drops without a system alarm")
    # Recovery: the alarm clears after its quiet period, new traps are stored.
    cleared_in = None
    started = time.monotonic()
    while time.monotonic() - started < 60:
        alarms = station.get_json("/api/v1/alarms?state=open")["items"]
        if not any(a["key"].startswith("system/queue-full") for a in alarms):
            cleared_in = time.monotonic() - started
            break
        time.sleep(0.5)
    queue_alarms = [a for a in station.get_json("/api/v1/alarms")["items"]
                    if a["key"].startswith("system/queue-full")]
    for a in queue_alarms:
        print(f"alarm #{a['id']} {a['key']}: {a['state']}, {a['severity']}, "
              f"{a.get('count')} raises, \"{a['text']}\"", flush=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stored_before = station.metrics().get("vigie_events_stored_total", 0)
    for i in range(100):
        sock.sendto(plain_trap(b"public", i, f"after-{i}"), ("127.0.0.1", station.traps_port))
        time.sleep(0.002)
    time.sleep(2)
    stored_after = station.metrics().get("vigie_events_stored_total", 0)
    rss1, fds1 = station.sample()
    print(f"recovery: alarm cleared {'after %.1f s' % cleared_in if cleared_in is not None else 'NOT within 60 s'}; "
          f"{stored_after - stored_before:.0f} of 100 new traps stored; rss {rss1} KiB, "
          f"{fds1} fds", flush=True)
    if cleared_in is None and alarm_seen:
        failures.append("the queue-full alarm did not clear")
    if stored_after - stored_before < 100:
        failures.append("traps after the flood not all stored")
    return rss0, peak_rss, rss1


def get_request(community, request_id, oids):
    binds = b"".join(varbind(oid, tlv(0x05, b"")) for oid in oids)
    pdu = tlv(0xA0, ber_int(request_id) + ber_int(0) + ber_int(0) + tlv(0x30, binds))
    return tlv(0x30, ber_int(1) + tlv(0x04, community) + pdu)


def snmp_get_number(address, oid, timeout=1.0):
    """The first varbind's value of a v2c GET, as an integer; None without an answer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    try:
        sock.sendto(get_request(b"public", 7, [oid]), address)
        data = sock.recv(65536)
    except OSError:
        return None
    finally:
        sock.close()
    try:
        _, message, _ = read_tlv(data, 0)
        _, _, at = read_tlv(message, 0)
        _, _, at = read_tlv(message, at)
        _, pdu, _ = read_tlv(message, at)
        _, _, at = read_tlv(pdu, 0)
        _, _, at = read_tlv(pdu, at)
        _, _, at = read_tlv(pdu, at)
        _, binds, _ = read_tlv(pdu, at)
        _, bind, _ = read_tlv(binds, 0)
        _, _, at = read_tlv(bind, 0)
        _, value, _ = read_tlv(bind, at)
        return int.from_bytes(value, "big")
    except (IndexError, ValueError):
        return None


def agentflood(args, work, peers):
    """GET requests far above what `vigie agent` answers; RSS bounded, answers afterwards."""
    port = free_port("udp")
    address = ("127.0.0.1", port)
    log = open(os.path.join(work, "agent.log"), "wb")
    agent = subprocess.Popen(
        [args.bin, "agent", "--listen", f"127.0.0.1:{port}", "--rocommunity", "public",
         "--state-dir", os.path.join(work, "agent-state")],
        stdout=log, stderr=log,
    )
    log.close()
    failures = []
    in_pkts = "1.3.6.1.2.1.11.1.0"
    try:
        deadline = time.monotonic() + 30
        while snmp_get_number(address, in_pkts) is None:
            if time.monotonic() > deadline or agent.poll() is not None:
                raise SystemExit("vigie agent did not answer")
            time.sleep(0.1)
        status = lambda: int(open(f"/proc/{agent.pid}/status").read().split("VmRSS:")[1].split()[0])
        rss0 = status()
        before = snmp_get_number(address, in_pkts)
        stop_at = time.time() + args.seconds
        senders = []
        for n in range(args.senders):
            code = (
                "import socket, time, importlib.util as u\n"
                f"spec = u.spec_from_file_location('c', {os.path.abspath(__file__)!r})\n"
                "c = u.module_from_spec(spec); spec.loader.exec_module(c)\n"
                "oids = ['1.3.6.1.2.1.1.%d.0' % i for i in range(1, 8)] + ['1.3.6.1.2.1.2.1.0']\n"
                "d = [c.get_request(b'public', i, oids) for i in range(1, 1000)]\n"
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)\n"
                f"t = ('127.0.0.1', {port}); sent = 0; got = 0\n"
                f"while time.time() < {stop_at}:\n"
                "    for x in d:\n"
                "        try:\n"
                "            s.sendto(x, t); sent += 1\n"
                "        except OSError:\n"
                "            pass\n"
                "    while True:\n"
                "        try:\n"
                "            s.recv(65536); got += 1\n"
                "        except OSError:\n"
                "            break\n"
                "print(sent, got)\n"
            )
            senders.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE))
        peak = rss0
        during = []
        while any(p.poll() is None for p in senders):
            time.sleep(1)
            peak = max(peak, status())
            started = time.monotonic()
            answered = snmp_get_number(address, in_pkts, timeout=1.0) is not None
            during.append((answered, time.monotonic() - started))
        totals = [p.stdout.read().decode().split() for p in senders]
        sent = sum(int(t[0]) for t in totals)
        answered = sum(int(t[1]) for t in totals)
        time.sleep(1)
        started = time.monotonic()
        after = snmp_get_number(address, in_pkts)
        latency = time.monotonic() - started
        rss1 = status()
        read = None if after is None or before is None else after - before
        print(f"agent flood: {args.senders} senders for {args.seconds:.0f} s sent {sent} GETs "
              f"({sent / args.seconds:.0f}/s) of 8 varbinds; the agent read {read} "
              f"(snmpInPkts), the senders got {answered} answers (their own socket buffers "
              f"drop the rest); rss {rss0} -> peak {peak} -> {rss1} KiB; during the flood "
              f"{sum(a for a, _ in during)}/{len(during)} probe GETs answered within 1 s; "
              f"after: answered in {latency * 1000:.1f} ms", flush=True)
        if after is None:
            failures.append("no answer after the flood")
    finally:
        agent.kill()
        agent.wait()
    if failures:
        print(f"FAILED: {failures}", flush=True)
        return 1
    print("PASSED", flush=True)
    return 0


def udp_drops():
    with open("/proc/net/snmp") as f:
        lines = [line.split() for line in f if line.startswith("Udp:")]
    header, values = lines[0], lines[1]
    return int(values[header.index("RcvbufErrors")])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("campaign", choices=["crash", "soak", "slow", "flood", "agentflood"])
    parser.add_argument("--connections", type=int, default=2000,
                        help="slow: idle and slowloris connections to open")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="slow and flood: how long")
    parser.add_argument("--senders", type=int, default=3, help="flood: sending processes")
    parser.add_argument("--floods", type=int, default=1,
                        help="flood: floods in a row against one process, a recovery between")
    parser.add_argument("--bin", default=os.path.join(ROOT, "target/release/vigie"))
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--min-alive", type=float, default=1.0)
    parser.add_argument("--max-alive", type=float, default=6.0)
    parser.add_argument("--drain", type=float, default=120.0,
                        help="seconds to wait, at the end, for the outbox to empty")
    parser.add_argument("--trap-rate", type=float, default=100.0)
    parser.add_argument("--inform-rate", type=float, default=20.0)
    parser.add_argument("--api-rate", type=float, default=5.0)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--sample", type=float, default=60.0)
    parser.add_argument("--csv", default=os.path.join(ROOT, "docs/reliability/soak.csv"))
    parser.add_argument("--nice", type=int, default=0)
    parser.add_argument("--clear-after", type=int, default=100,
                        help="soak: each fresh linkDown inform's alarm is cleared by a linkUp "
                             "inform this many fresh links later (0: never, open alarms grow)")
    parser.add_argument("--strict-mail", action="store_true",
                        help="crash: fail when an acknowledged linkDown inform was not mailed")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix=f"vigie-{args.campaign}.")
    peers = Peers(work)
    try:
        campaigns = {"crash": crash, "soak": soak, "slow": slow, "flood": flood,
                     "agentflood": agentflood}
        status = campaigns[args.campaign](args, work, peers)
    finally:
        peers.close()
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            subprocess.run(["rm", "-rf", work], check=False)
    sys.exit(status)


if __name__ == "__main__":
    main()
