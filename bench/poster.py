#!/usr/bin/env python3
"""Posts events to a Cityscape server as browsers do (CSRF cookie and token from the place
page, a multipart form with a fresh submission id each time) and reports the posts' latency.
Standard library only; only the given 127.0.0.1 address is contacted.

    bench/poster.py URL --clients 50 --seconds 20            # posts without a photo
    bench/poster.py URL --clients 8 --posts 1 --photo-side 6000   # one big photo each
    bench/poster.py URL --probe /healthz --seconds 20        # also times GET /healthz meanwhile
    bench/poster.py URL --posts 10 --acknowledged acked.txt  # writes the titles answered 303

Prints one line of figures as `key=value` pairs for the calling script.
"""

import argparse
import http.cookiejar
import re
import struct
import threading
import time
import urllib.error
import urllib.request
import uuid
import zlib

PLACE = "/places/us/97229"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), NoRedirect()
    )


def form_token(opener, base):
    html = opener.open(base + PLACE, timeout=30).read().decode()
    match = re.search(r'name="authenticity_token" value="([^"]*)"', html)
    if not match:
        raise SystemExit("no authenticity_token on the place page")
    return (
        match.group(1)
        .replace("&#43;", "+")
        .replace("&#47;", "/")
        .replace("&#61;", "=")
        .replace("&amp;", "&")
    )


def flat_png(side):
    """A grey PNG of side × side pixels: small to send, large to decode."""
    row = b"\x00" + b"\x80" * side
    raw = zlib.compress(row * side, 9)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def multipart(fields, photo):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    if photo is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.png"\r\n'
            f"Content-Type: image/png\r\n\r\n".encode()
            + photo
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--posts", type=int, default=0, help="posts per client; 0: until time is up")
    parser.add_argument("--photo-side", type=int, default=0)
    parser.add_argument("--probe", default="")
    parser.add_argument("--acknowledged", default="", help="file to write the titles answered 303 to")
    args = parser.parse_args()

    photo = flat_png(args.photo_side) if args.photo_side else None
    start_day = time.strftime("%Y-%m-%dT18:30", time.localtime(time.time() + 10 * 86400))
    latencies, failures, probes, acknowledged = [], [], [], []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds
    done = threading.Event()

    def client(n):
        opener = browser()
        token = form_token(opener, args.base)
        sent = 0
        while time.monotonic() < deadline and (args.posts == 0 or sent < args.posts):
            title = f"Bench post {n}.{sent} {uuid.uuid4().hex[:8]}"
            body, content_type = multipart(
                {
                    "authenticity_token": token,
                    "submission_id": uuid.uuid4().hex,
                    "website": "",
                    "title": title,
                    "starts_at": start_day,
                    "ends_at": "",
                    "description": "Posted by the benchmark.",
                    "link": "",
                    "name": "Bench",
                },
                photo,
            )
            request = urllib.request.Request(
                args.base + PLACE + "/events",
                data=body,
                headers={"Content-Type": content_type},
                method="POST",
            )
            began = time.monotonic()
            try:
                status = opener.open(request, timeout=60).status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:
                status = str(error)
            took = time.monotonic() - began
            with lock:
                (latencies if status == 303 else failures).append(
                    took if status == 303 else status
                )
                if status == 303:
                    acknowledged.append(title)
            sent += 1

    def probe():
        while not done.is_set():
            began = time.monotonic()
            try:
                urllib.request.urlopen(args.base + args.probe, timeout=30).read()
                probes.append(time.monotonic() - began)
            except OSError:
                probes.append(float("inf"))
            time.sleep(0.01)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    prober = threading.Thread(target=probe) if args.probe else None
    if prober:
        prober.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    if prober:
        prober.join()

    if args.acknowledged:
        with open(args.acknowledged, "w") as out:
            out.write("".join(t + "\n" for t in acknowledged))
    ms = lambda s: f"{s * 1000:.0f}"
    figures = {
        "posts": len(latencies),
        "failed": len(failures),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(latencies) if latencies else float("nan")),
    }
    if prober:
        figures["probe_p99_ms"] = ms(percentile(probes, 99))
        figures["probe_max_ms"] = ms(max(probes))
    if failures:
        figures["failures"] = ",".join(sorted({str(f) for f in failures}))
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
