#!/usr/bin/env python3
"""The providers' APIs, emulated for aipost's protocol tests.

One process serves every provider's documented request and response shapes
(docs/protocols.md lists them with their sources) over HTTP and HTTPS on
127.0.0.1, and a storage host ("localhost", other ports) that serves the
result files with range requests and records the headers it receives, so
the tests can assert that no credential ever reached it.

    emulator.py --state DIR --media DIR [--cert PEM --key PEM]
    emulator.py --keys        the test credentials, as shell assignments

The job id chooses the scenario: "SCENARIO" or "SCENARIO_ANYTHING" (for
Veo the last segment of the operation name). Scenarios:

  ok            pending, then running, then finished (three looks)
  done          finished at the first look
  never         never finishes
  multi         finished with two results (index=1 picks the second)
  failed        the job failed, with the provider's message
  moderated     refused by moderation, with the provider's message
  cancelled     cancelled (ElevenLabs: deleted)
  missing       404 for the job
  r429          429 with Retry-After: 1 on the first look, then finished
  r429date      the same with Retry-After as an HTTP date, 2 s ahead
  burst5xx      500, 502, 503 on the first three looks, then finished
  always5xx     503 forever
  arrears       Kling: 429 with code 1102 (resource pack exhausted)
  rl1002        MiniMax: a 200 with base_resp 1002 (rate limit), then finished
  slowjson      the job's JSON sent in ten pieces over 1.5 s
  stall         the first look's body never comes (20 s), then finished
  truncjson     the first look's body is cut short, then finished
  malformed     the first look's JSON is malformed, then finished
  malformedall  every look's JSON is malformed
  hugejson      a 5 MiB JSON document
  chunked       every response of the API host in chunked encoding
  pollhint      Sora: openai-poll-after-ms: 700 on each unfinished look
  expired       the first result URL given out is refused (403, Veo 404),
                the next one works
  expiredall    every result URL is refused
  redirect      the result is on the API host and redirects (302) to the
                storage host
  truncmedia    transfers of the result break off at 3/4 of the file (the
                first two that start before that point)
  stallmedia    the same transfers stall there (20 s)
  noranges      the storage host ignores range requests

Everything received is logged to STATE/requests.jsonl.
"""

import argparse
import base64
import email.utils
import hashlib
import hmac
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEYS = {
    "RUNWAYML_API_SECRET": "key_" + "0123456789abcdef" * 8,
    "LUMAAI_API_KEY": "luma-5f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "KLING_ACCESS_KEY": "AK8d2f4b6a1c3e5f7a9b",
    "KLING_SECRET_KEY": "SKe4c2a0f8d6b4a2c0e8f6d4b2a0c8e6f4",
    "KLING_API_KEY": "kling-static-7c5a3e1f9d7b5a3c1e9f",
    "GEMINI_API_KEY": "AIzaSyTEST-aipost-emulator-0123456789",
    "OPENAI_API_KEY": "sk-test-aipost-6e4c2a0e8c6a4e2c0a8e6c4a",
    "MINIMAX_API_KEY": "mm-test-aipost-93b1d7f5c3a1e9d7b5f3",
    "ELEVENLABS_API_KEY": "sk_el_aipost_0f1e2d3c4b5a69788796",
}

LOCK = threading.Lock()
COUNTS = {}          # (provider, id, what) -> requests so far
TOKENS = {}          # token -> {"file", "expired", "scenario"}
STOP = threading.Event()
ARGS = None
PORTS = {}


def count(provider, jid, what):
    with LOCK:
        key = (provider, jid, what)
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


def scenario_of(jid):
    last = jid.rsplit("/", 1)[-1]
    return last.split("_", 1)[0]


def log(entry):
    with LOCK:
        with open(os.path.join(ARGS.state, "requests.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")


def new_token(file, scenario, expired):
    with LOCK:
        token = "t%06d" % (len(TOKENS) + 1)
        TOKENS[token] = {"file": file, "expired": expired, "scenario": scenario}
        return token


def issue(jid, scenario, file, what="result"):
    """A token for a result of job jid: the first one of 'expired', every
    one of 'expiredall', is refused by the storage host."""
    n = count("issue", jid, what + file)
    expired = scenario == "expiredall" or (scenario == "expired" and n == 1)
    return new_token(file, scenario, expired)


def iso(t, ms=True):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    return s + (".%03dZ" % (round(t * 1000) % 1000) if ms else "Z")


# Generation times the tests check in the records: fixed, in the past.
CREATED = 1731641691.751        # 2024-11-15T03:34:51.751Z


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aipost-emulator/1"

    def log_message(self, fmt, *args):
        pass

    # ---------------------------------------------------------- helpers
    def origin(self):
        scheme = "https" if self.server.tls else "http"
        return "%s://%s" % (scheme, self.headers.get("Host", "127.0.0.1"))

    def storage_origin(self):
        if self.server.tls:
            return "https://localhost:%d" % PORTS["storage_https"]
        return "http://localhost:%d" % PORTS["storage_http"]

    def storage_url(self, token, file):
        return "%s/store/%s/%s?sig=%s" % (self.storage_origin(), token, file,
                                           hashlib.sha256(token.encode()).hexdigest()[:16])

    def send_body(self, status, body, ctype="application/json", headers=None, chunked=False,
                  slow=False, truncate=False, stall=False):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body) + (100 if truncate else 0)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        log({"srv": self.server.name, "status": status, "path": self.path})
        if stall:
            self.wfile.flush()
            STOP.wait(20)
            return
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            return
        if chunked:
            step = max(1, len(body) // 3)
            for i in range(0, len(body), step):
                part = body[i:i + step]
                self.wfile.write(b"%x;ext=1\r\n" % len(part) + part + b"\r\n")
            self.wfile.write(b"0\r\nX-Trailer: 1\r\n\r\n")
            return
        if slow:
            step = max(1, len(body) // 10)
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(0.15)
            return
        self.wfile.write(body)

    def send_file(self, path, ctype, scenario, cut_key, allow_ranges=True, chunked=False):
        data = open(path, "rb").read()
        size = len(data)
        rng = self.headers.get("Range")
        start, end, status = 0, size - 1, 200
        if rng and allow_ranges and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a) if a else 0
            end = min(int(b), size - 1) if b else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                log({"srv": self.server.name, "status": 416, "path": self.path})
                return
            status = 206
        part = data[start:end + 1]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if allow_ranges:
            self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(part)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        log({"srv": self.server.name, "status": status, "path": self.path, "range": rng,
             "start": start, "bytes": len(part)})
        # The break comes at three quarters of the file, in the first two
        # responses that start before it: a demuxer reading a moov-at-end
        # MP4 opens at 0, seeks to the index and comes back, so the second
        # one is the one it reads through; a whole fetch has only one.
        cut = size * 3 // 4
        if scenario in ("truncmedia", "stallmedia") and start < cut and \
                count("cut", cut_key, "before") <= 2:
            self.wfile.write(part[: cut - start])
            self.wfile.flush()
            if scenario == "stallmedia":
                STOP.wait(20)
            else:
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return
        if chunked:
            step = 7000
            for i in range(0, len(part), step):
                p = part[i:i + step]
                self.wfile.write(b"%x\r\n" % len(p) + p + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        try:
            self.wfile.write(part)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # ---------------------------------------------------------- entry
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        log({"srv": self.server.name, "tls": self.server.tls, "method": "GET", "path": self.path,
             "headers": dict(self.headers.items())})
        try:
            if self.server.name == "storage":
                return self.storage(url)
            return self.api(url)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    # ---------------------------------------------------------- storage
    def storage(self, url):
        parts = url.path.split("/")
        # /store/TOKEN/FILE
        if len(parts) != 4 or parts[1] != "store" or parts[2] not in TOKENS:
            return self.send_body(404, "no such object", "text/plain")
        tok = TOKENS[parts[2]]
        if tok["expired"]:
            return self.send_body(403, "<Error><Code>AccessDenied</Code><Message>Request has expired"
                                  "</Message></Error>", "application/xml")
        ctype = "audio/mpeg" if tok["file"].endswith(".mp2") else "video/mp4"
        self.send_file(os.path.join(ARGS.media, tok["file"]), ctype, tok["scenario"], parts[2],
                       allow_ranges=tok["scenario"] != "noranges")

    # ---------------------------------------------------------- API
    def api(self, url):
        path = url.path
        query = urllib.parse.parse_qs(url.query)
        if path.startswith("/cdn/"):                     # redirect scenario
            token = path[5:]
            if token not in TOKENS:
                return self.send_body(404, {"error": "no such object"})
            self.send_response(302)
            self.send_header("Location", self.storage_url(token, TOKENS[token]["file"]))
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            log({"srv": "api", "status": 302, "path": self.path})
            return
        if path.startswith("/v1/tasks/"):
            return self.runway(path[len("/v1/tasks/"):])
        if path.startswith("/dream-machine/v1/generations/"):
            return self.luma(path[len("/dream-machine/v1/generations/"):])
        if path.startswith("/v1/videos/"):
            kind, _, jid = path[len("/v1/videos/"):].partition("/")
            return self.kling(jid, kind)
        if path == "/tasks":
            return self.kling(query.get("task_ids", [""])[0], None)
        if path.startswith("/v1beta/files/"):
            return self.veo_download(path[len("/v1beta/files/"):])
        if path.startswith("/v1beta/"):
            return self.veo(path[len("/v1beta/"):])
        if path.startswith("/openai/v1/videos/"):
            rest = path[len("/openai/v1/videos/"):]
            if rest.endswith("/content"):
                return self.sora_content(rest[: -len("/content")], query)
            return self.sora(rest)
        if path == "/v1/query/video_generation":
            return self.hailuo(query.get("task_id", [""])[0])
        if path == "/v1/files/retrieve":
            return self.hailuo_file(query.get("file_id", [""])[0])
        if path.startswith("/v1/history/"):
            rest = path[len("/v1/history/"):]
            if rest.endswith("/audio"):
                return self.eleven_audio(rest[: -len("/audio")])
            return self.eleven(rest)
        return self.send_body(404, {"error": "no such endpoint"})

    def bearer(self):
        a = self.headers.get("Authorization", "")
        return a[7:] if a.startswith("Bearer ") else None

    def faults(self, provider, jid, err_body):
        """The generic faults of a job-status look. Returns True when it
        answered, else the options for the answer to come."""
        sc = scenario_of(jid)
        n = count(provider, jid, "look")
        if sc in ("r429", "r429date") and n == 1:
            ra = "1" if sc == "r429" else email.utils.formatdate(time.time() + 2, usegmt=True)
            self.send_body(429, err_body("rate limit exceeded"), headers={"Retry-After": ra})
            return True
        if sc == "burst5xx" and n <= 3:
            self.send_body((500, 502, 503)[n - 1], err_body("the service is shedding load"))
            return True
        if sc == "always5xx":
            self.send_body(503, err_body("the service is unavailable"))
            return True
        return {"stall": sc == "stall" and n == 1, "truncate": sc == "truncjson" and n == 1,
                "slow": sc == "slowjson", "chunked": sc == "chunked",
                "malformed": (sc == "malformed" and n == 1) or sc == "malformedall",
                "huge": sc == "hugejson"}

    def answer(self, doc, opts, headers=None):
        if opts.get("malformed"):
            text = json.dumps(doc)
            return self.send_body(200, text[: len(text) // 2] + "}}", headers=headers)
        if opts.get("huge"):
            doc = dict(doc, padding="x" * (5 << 20))
        return self.send_body(200, doc, headers=headers, chunked=opts.get("chunked"),
                              slow=opts.get("slow"), truncate=opts.get("truncate"),
                              stall=opts.get("stall"))

    def served(self, provider, jid):
        """How many answers with a job document so far (1 at the first)."""
        return count(provider, jid, "served")

    def progress_state(self, sc, n):
        """The job's state at its n-th answered look."""
        if sc == "never":
            return "running"
        if sc == "ok":
            return ("pending", "running", "done")[min(n, 3) - 1]
        if sc == "pollhint":
            return "running" if n < 3 else "done"
        if sc in ("failed", "moderated", "cancelled"):
            return sc
        return "done"

    def result_url(self, sc, jid, file):
        token = issue(jid, sc, file)
        if sc == "redirect":
            return "%s/cdn/%s" % (self.origin(), token)
        return self.storage_url(token, file)

    def files_of(self, sc):
        return ["video.mp4", "video2.mp4"] if sc == "multi" else ["video.mp4"]

    # ---------------------------------------------------------- Runway
    def runway(self, jid):
        def err(m):
            return {"error": m}
        key = KEYS["RUNWAYML_API_SECRET"]
        if self.bearer() != key:
            # Echo the key it got: aipost must not let it into its log.
            return self.send_body(401, err("Invalid API key: %s" % self.bearer()))
        if self.headers.get("X-Runway-Version") != "2024-11-06":
            return self.send_body(400, err("X-Runway-Version header is missing or unsupported"))
        sc = scenario_of(jid)
        if sc == "missing":
            return self.send_body(404, err("Task not found"))
        f = self.faults("runway", jid, err)
        if f is True:
            return
        st = self.progress_state(sc, self.served("runway", jid))
        doc = {"id": jid, "createdAt": iso(CREATED)}
        if st == "pending":
            doc["status"] = "THROTTLED"
        elif st == "running":
            doc.update(status="RUNNING", progress=0.42)
        elif st == "failed":
            doc.update(status="FAILED", failure="The generation failed: an internal error occurred",
                       failureCode="INTERNAL.BAD_OUTPUT.CODE01")
        elif st == "moderated":
            doc.update(status="FAILED", failure="Your prompt was flagged by our content moderation",
                       failureCode="SAFETY.INPUT.TEXT")
        elif st == "cancelled":
            doc["status"] = "CANCELLED"
        else:
            doc.update(status="SUCCEEDED", output=[self.result_url(sc, jid, fl) for fl in self.files_of(sc)])
        self.answer(doc, f)

    # ---------------------------------------------------------- Luma
    def luma(self, jid):
        def err(m):
            return {"detail": m}
        if self.bearer() != KEYS["LUMAAI_API_KEY"]:
            return self.send_body(401, err("Invalid API key provided"))
        sc = scenario_of(jid)
        if sc == "missing":
            return self.send_body(404, err("Generation not found"))
        f = self.faults("luma", jid, err)
        if f is True:
            return
        st = self.progress_state(sc, self.served("luma", jid))
        doc = {"id": jid, "generation_type": "video", "created_at": iso(CREATED), "model": "ray-2",
               "failure_reason": None, "assets": None,
               "request": {"prompt": "a slow dolly shot across a misty harbour at dawn, 35mm",
                           "model": "ray-2", "resolution": "720p", "duration": "5s",
                           "aspect_ratio": "16:9", "loop": False}}
        if st == "pending":
            doc["state"] = "queued"
        elif st == "running":
            doc["state"] = "dreaming"
        elif st == "failed":
            doc.update(state="failed", failure_reason="Prompt processing failed")
        elif st == "moderated":
            doc.update(state="failed", failure_reason="Advanced prompt moderation failed")
        elif st == "cancelled":
            doc.update(state="failed", failure_reason="Job was cancelled")
        else:
            doc.update(state="completed", assets={"video": self.result_url(sc, jid, "video.mp4"),
                                                  "image": None, "progress_video": None})
        self.answer(doc, f)

    # ---------------------------------------------------------- Kling
    def kling_auth(self, legacy):
        tok = self.bearer()
        if not tok:
            return 1001, "Authorization is empty"
        if not legacy:
            return (0, "") if tok == KEYS["KLING_API_KEY"] else (1002, "Authorization is invalid")
        try:
            h64, p64, s64 = tok.split(".")

            def dec(s):
                return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
            header, payload, sig = json.loads(dec(h64)), json.loads(dec(p64)), dec(s64)
        except Exception:
            return 1002, "Authorization is invalid"
        want = hmac.new(KEYS["KLING_SECRET_KEY"].encode(), (h64 + "." + p64).encode(), hashlib.sha256).digest()
        if header.get("alg") != "HS256" or header.get("typ") != "JWT" or not hmac.compare_digest(sig, want):
            return 1002, "Authorization is invalid"
        if payload.get("iss") != KEYS["KLING_ACCESS_KEY"]:
            return 1002, "Authorization is invalid"
        now = time.time()
        if payload.get("nbf", 0) > now + 1:
            return 1003, "Authorization is not yet valid"
        if payload.get("exp", 0) <= now or payload.get("exp", 0) > now + 1800 + 5:
            return 1004, "Authorization has expired"
        return 0, ""

    def kling(self, jid, kind):
        legacy = kind is not None
        rid = "req-" + hashlib.sha256(jid.encode()).hexdigest()[:12]

        def err(m, code=1302):
            return {"code": code, "message": m, "request_id": rid}
        code, msg = self.kling_auth(legacy)
        if code:
            return self.send_body(401, err(msg, code))
        sc = scenario_of(jid)
        if sc == "missing":
            return self.send_body(400, err("Task not found", 1201))
        if sc == "arrears":
            return self.send_body(429, err("resource pack exhausted", 1102))
        f = self.faults("kling", jid, err)
        if f is True:
            return
        st = self.progress_state(sc, self.served("kling", jid))
        if st == "moderated":
            # Kling's service code 1301 (content security) comes with HTTP 400.
            return self.send_body(400, err("Failure to pass the risk control system", 1301))
        ms = int(CREATED * 1000)
        files = self.files_of(sc)
        if legacy:
            data = {"task_id": jid, "task_info": {"external_task_id": "ext-" + jid},
                    "created_at": ms, "updated_at": ms + 60000, "final_unit_deduction": "10",
                    "watermark_info": {"enabled": False}}
            word = {"pending": "submitted", "running": "processing", "failed": "failed",
                    "cancelled": "failed", "done": "succeed"}[st]
            data["task_status"] = word
            if st in ("failed", "cancelled"):
                data["task_status_msg"] = "The task failed: generation error"
            if st == "done":
                data["task_result"] = {"videos": [{"id": "v%d" % i, "url": self.result_url(sc, jid, fl),
                                                   "watermark_url": "", "duration": "5.1"}
                                                  for i, fl in enumerate(files)]}
        else:
            word = {"pending": "submitted", "running": "processing", "failed": "failed",
                    "cancelled": "failed", "done": "succeeded"}[st]
            task = {"id": jid, "status": word, "create_time": ms, "update_time": ms + 60000,
                    "external_id": "ext-" + jid, "billing": [{"charge_type": "unit", "amount": "10"}]}
            if st in ("failed", "cancelled"):
                task["message"] = "The task failed: generation error"
            if st == "done":
                task["outputs"] = [{"type": "image", "id": "cover", "url": self.storage_origin() + "/store/none/cover.jpg"}] + \
                    [{"type": "video", "id": "v%d" % i, "url": self.result_url(sc, jid, fl),
                      "watermark_url": "", "duration": "5.1"} for i, fl in enumerate(files)]
            data = [task]
        self.answer({"code": 0, "message": "SUCCEED", "request_id": rid, "data": data}, f)

    # ---------------------------------------------------------- Veo
    def veo_key_ok(self):
        return self.headers.get("x-goog-api-key") == KEYS["GEMINI_API_KEY"]

    def veo_err(self, code, m, status):
        return {"error": {"code": code, "message": m, "status": status}}

    def veo(self, name):
        if not self.veo_key_ok():
            return self.send_body(403, self.veo_err(403, "Method doesn't allow unregistered callers. "
                                                    "Please use an API key.", "PERMISSION_DENIED"))
        sc = scenario_of(name)
        if sc == "missing":
            return self.send_body(404, self.veo_err(404, "Operation not found", "NOT_FOUND"))
        f = self.faults("veo", name, lambda m: self.veo_err(429, m, "RESOURCE_EXHAUSTED"))
        if f is True:
            return
        st = self.progress_state(sc, self.served("veo", name))
        doc = {"name": name, "metadata": {"createTime": iso(CREATED)}}
        if st in ("pending",):
            pass
        elif st == "running":
            doc["done"] = False
        elif st in ("failed", "cancelled"):
            doc.update(done=True, error={"code": 13, "message": "Video generation failed due to an internal error"})
        elif st == "moderated":
            doc.update(done=True, response={"@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                                            "generateVideoResponse": {"raiMediaFilteredCount": 1,
                                                                      "raiMediaFilteredReasons": ["The prompt could not be submitted: it may violate our policies."]}})
        else:
            samples = []
            for fl in self.files_of(sc):
                token = issue(name, sc, fl)
                samples.append({"video": {"uri": "%s/v1beta/files/%s:download?alt=media" % (self.origin(), token)}})
            doc.update(done=True, response={"generateVideoResponse": {"generatedSamples": samples}})
        self.answer(doc, f)

    def veo_download(self, rest):
        if not self.veo_key_ok():
            return self.send_body(403, self.veo_err(403, "API key required", "PERMISSION_DENIED"))
        token = rest.split(":")[0]
        if token not in TOKENS:
            return self.send_body(404, self.veo_err(404, "File not found", "NOT_FOUND"))
        tok = TOKENS[token]
        if tok["expired"]:
            # Veo removes generations after two days: the file is gone.
            return self.send_body(404, self.veo_err(404, "File not found", "NOT_FOUND"))
        if tok["scenario"] == "redirect":
            return self.redirect_to_storage(token)
        self.send_file(os.path.join(ARGS.media, tok["file"]), "video/mp4", tok["scenario"], token,
                       chunked=tok["scenario"] == "chunked")

    def redirect_to_storage(self, token):
        self.send_response(302)
        self.send_header("Location", self.storage_url(token, TOKENS[token]["file"]))
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        log({"srv": "api", "status": 302, "path": self.path})

    # ---------------------------------------------------------- Sora
    def sora_err(self, m, code, typ="invalid_request_error"):
        return {"error": {"message": m, "type": typ, "param": None, "code": code}}

    def sora(self, vid):
        if self.bearer() != KEYS["OPENAI_API_KEY"]:
            return self.send_body(401, self.sora_err("Incorrect API key provided: %s. You can find your "
                                                     "API key at https://platform.openai.com/account/api-keys."
                                                     % self.bearer(), "invalid_api_key"))
        sc = scenario_of(vid)
        if sc == "missing":
            return self.send_body(404, self.sora_err("Video not found", "not_found"))
        f = self.faults("sora", vid, lambda m: self.sora_err(m, "rate_limit_exceeded", "requests"))
        if f is True:
            return
        st = self.progress_state(sc, self.served("sora", vid))
        doc = {"id": vid, "object": "video", "model": "sora-2", "created_at": int(CREATED),
               "prompt": "a paper boat drifting down a rain gutter, macro lens", "seconds": "4",
               "size": "1280x720", "remixed_from_video_id": None, "error": None}
        headers = {}
        if st in ("pending", "running"):
            doc.update(status="queued" if st == "pending" else "in_progress", progress=0 if st == "pending" else 40)
            headers["openai-poll-after-ms"] = "700" if sc == "pollhint" else "50"
        elif st in ("failed", "cancelled"):
            doc.update(status="failed", error={"code": "internal_error", "message": "Video generation failed"})
        elif st == "moderated":
            doc.update(status="failed", error={"code": "moderation_blocked",
                                               "message": "Your request was blocked by our moderation system."})
        else:
            doc.update(status="completed", progress=100, completed_at=int(CREATED) + 95,
                       expires_at=int(time.time()) + 3600)
        self.answer(doc, f, headers)

    def sora_content(self, vid, query):
        if self.bearer() != KEYS["OPENAI_API_KEY"]:
            return self.send_body(401, self.sora_err("Incorrect API key provided", "invalid_api_key"))
        sc = scenario_of(vid)
        variant = query.get("variant", ["video"])[0]
        if variant != "video":
            return self.send_body(400, self.sora_err("variant %s is not emulated" % variant, "invalid_value"))
        n = count("sora-content", vid, "get")
        if sc == "expiredall" or (sc == "expired" and n == 1):
            return self.send_body(403, self.sora_err("The download link has expired", "expired"))
        token = new_token("video.mp4", sc, False)
        if sc == "redirect":
            return self.redirect_to_storage(token)
        self.send_file(os.path.join(ARGS.media, "video.mp4"), "video/mp4", sc, vid,
                       chunked=sc == "chunked")

    # ---------------------------------------------------------- MiniMax
    def base(self, code, msg):
        return {"base_resp": {"status_code": code, "status_msg": msg}}

    def hailuo(self, jid):
        if self.bearer() != KEYS["MINIMAX_API_KEY"]:
            return self.send_body(200, self.base(1004, "login fail: Please carry the API secret key in "
                                                 "the 'Authorization' field of the request header"))
        sc = scenario_of(jid)
        if sc == "missing":
            return self.send_body(200, self.base(2013, "invalid params, task not found"))
        f = self.faults("hailuo", jid, lambda m: self.base(1002, m))
        if f is True:
            return
        if sc == "rl1002" and count("hailuo", jid, "rl") == 1:
            return self.send_body(200, dict(self.base(1002, "rate limit exceeded, please retry later")))
        st = self.progress_state(sc, self.served("hailuo", jid))
        if st == "moderated":
            return self.answer(dict(self.base(1026, "input new_sensitive"), task_id=jid, status=""), f)
        doc = dict(self.base(0, "success"), task_id=jid)
        if st == "pending":
            doc["status"] = "Queueing"
        elif st == "running":
            doc["status"] = "Processing"
        elif st in ("failed", "cancelled"):
            doc.update(status="Fail", file_id="")
        else:
            doc.update(status="Success", file_id="2413426%s" % (sc_num(jid)), video_width=1280, video_height=720)
            with LOCK:
                FILE_JOBS[doc["file_id"]] = jid
        self.answer(doc, f)

    def hailuo_file(self, fid):
        if self.bearer() != KEYS["MINIMAX_API_KEY"]:
            return self.send_body(200, self.base(1004, "login fail"))
        jid = FILE_JOBS.get(fid)
        if not jid:
            return self.send_body(200, self.base(2013, "invalid params, file not found"))
        sc = scenario_of(jid)
        token = issue(jid, sc, "video.mp4")
        url = "%s/cdn/%s" % (self.origin(), token) if sc == "redirect" else self.storage_url(token, "video.mp4")
        size = os.path.getsize(os.path.join(ARGS.media, "video.mp4"))
        self.send_body(200, dict(self.base(0, "success"),
                                 file={"file_id": int(fid), "bytes": size, "created_at": int(CREATED),
                                       "filename": "output_aigc.mp4", "purpose": "video_generation",
                                       "download_url": url}),
                       chunked=sc == "chunked")

    # ---------------------------------------------------------- ElevenLabs
    def eleven_err(self, status, m):
        return {"detail": {"status": status, "message": m}}

    def eleven(self, hid):
        if self.headers.get("xi-api-key") != KEYS["ELEVENLABS_API_KEY"]:
            return self.send_body(401, self.eleven_err("invalid_api_key", "Invalid API key"))
        sc = scenario_of(hid)
        if sc == "missing":
            return self.send_body(404, self.eleven_err("history_item_not_found", "History item not found"))
        f = self.faults("elevenlabs", hid, lambda m: {"detail": {"type": "rate_limit_error",
                                                                  "code": "rate_limit_exceeded", "message": m}})
        if f is True:
            return
        st = self.progress_state(sc, self.served("elevenlabs", hid))
        doc = {"history_item_id": hid, "request_id": "rq-" + hid, "voice_id": "21m00Tcm4TlvDq8ikWAM",
               "voice_name": "Rachel", "voice_category": "premade", "model_id": "eleven_multilingual_v2",
               "text": "Every frame you see was generated; every sound was mixed by hand.",
               "date_unix": int(CREATED), "character_count_change_from": 1000, "character_count_change_to": 1066,
               "content_type": "audio/mpeg", "output_format": "mp3_44100_128", "source": "TTS",
               "settings": {"stability": 0.5, "similarity_boost": 0.75}}
        if st in ("pending", "running"):
            doc["state"] = "processing"
        elif st in ("cancelled", "failed", "moderated"):
            doc["state"] = "deleted"
        else:
            doc["state"] = "created"
        self.answer(doc, f)

    def eleven_audio(self, hid):
        if self.headers.get("xi-api-key") != KEYS["ELEVENLABS_API_KEY"]:
            return self.send_body(401, self.eleven_err("invalid_api_key", "Invalid API key"))
        sc = scenario_of(hid)
        n = count("eleven-audio", hid, "get")
        if sc == "expiredall" or (sc == "expired" and n == 1):
            return self.send_body(404, self.eleven_err("history_item_not_found", "History item audio not found"))
        token = new_token("audio.mp2", sc, False)
        if sc == "redirect":
            return self.redirect_to_storage(token)
        self.send_file(os.path.join(ARGS.media, "audio.mp2"), "audio/mpeg", sc, hid,
                       chunked=sc == "chunked")


FILE_JOBS = {}


def sc_num(jid):
    return "%08d" % (int(hashlib.sha256(jid.encode()).hexdigest()[:8], 16) % 100000000)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, name, tls_ctx):
        super().__init__(("127.0.0.1", 0), Handler)
        self.name = name
        self.tls = tls_ctx is not None
        if tls_ctx:
            self.socket = tls_ctx.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request, client_address):
        pass


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--state")
    ap.add_argument("--media")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--keys", action="store_true")
    ARGS = ap.parse_args()
    if ARGS.keys:
        for k, v in KEYS.items():
            print("%s='%s'" % (k, v))
        return
    os.makedirs(ARGS.state, exist_ok=True)
    ctx = None
    if ARGS.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
    servers = {"api_http": Server("api", None), "storage_http": Server("storage", None)}
    if ctx:
        servers["api_https"] = Server("api", ctx)
        servers["storage_https"] = Server("storage", ctx)
    for n, s in servers.items():
        PORTS[n] = s.server_address[1]
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = os.path.join(ARGS.state, "ports.json.tmp")
    with open(tmp, "w") as f:
        json.dump(PORTS, f)
    os.rename(tmp, os.path.join(ARGS.state, "ports.json"))

    def stop(*_):
        STOP.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not STOP.wait(0.5):
        pass
    for s in servers.values():
        s.shutdown()
        s.server_close()


if __name__ == "__main__":
    main()
