"""A stand-in for mpv that speaks its JSON IPC protocol over a real Unix socket (tests run it as "mpv").

It takes mpv's command line (``--input-ipc-server=``, ``--pause=``, ``--speed=``, ``-- TARGET``;
other options are ignored), waits for a client to observe ``eof-reached`` (up to 10 s), "plays" for ``FAKE_MPV_DURATION`` seconds (default 2) of simulated
time, sends ``property-change`` events for observed properties (time-pos ``FAKE_MPV_RATE``
times a second, default 50, so coalescing has work to do), ``end-file`` at the end, and exits 0
as ``--idle=no`` mpv does. ``FAKE_MPV_LOG``: a file its argv is appended to, a JSON line per
start; ``FAKE_MPV_ENVIRONMENT``: a file it writes its environment's names to. ``FAKE_MPV_FAIL=audio``: it fails as mpv does without an audio device. ``FAKE_MPV_STUBBORN``: it
ignores ``quit`` and SIGTERM (a hung mpv). A second client
can send ``fake-crash`` (it dies with exit code 3) or ``fake-close-socket`` (it closes its socket
and keeps running until it is terminated).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path


class FakeMpv:
    def __init__(self, argv: list[str]) -> None:
        options, target = argv, ""
        if "--" in argv:
            cut = argv.index("--")
            options, target = argv[:cut], argv[cut + 1] if cut + 1 < len(argv) else ""
        values = dict(a[2:].split("=", 1) for a in options if a.startswith("--") and "=" in a)
        self.socket = values["input-ipc-server"]
        self.paused = values.get("pause", "no") == "yes"
        self.speed = float(values.get("speed", "1"))
        self.target = target
        self.duration = float(os.environ.get("FAKE_MPV_DURATION", "2"))
        self.rate = float(os.environ.get("FAKE_MPV_RATE", "50"))
        self.position = 0.0
        self.clients: dict[asyncio.StreamWriter, dict[int, str]] = {}
        self.server: asyncio.base_events.Server | None = None
        self.done = asyncio.Event()
        self.observed = asyncio.Event()

    def value(self, name: str) -> object:
        return {
            "time-pos": self.position,
            "duration": self.duration,
            "pause": self.paused,
            "speed": self.speed,
            "eof-reached": self.position >= self.duration,
            "path": self.target,
        }.get(name)

    def send(self, writer: asyncio.StreamWriter, message: dict) -> None:
        try:
            writer.write((json.dumps(message) + "\n").encode())
        except (OSError, RuntimeError):
            pass

    def broadcast_event(self, event: dict) -> None:
        for writer in list(self.clients):
            self.send(writer, event)

    def changed(self, name: str) -> None:
        for writer, observed in list(self.clients.items()):
            for number, observed_name in observed.items():
                if observed_name == name:
                    self.send(
                        writer, {"event": "property-change", "id": number, "name": name, "data": self.value(name)}
                    )

    async def client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.clients[writer] = {}
        try:
            while line := await reader.readline():
                request = json.loads(line)
                reply = self.handle(writer, request.get("command", []))
                reply["request_id"] = request.get("request_id", 0)
                self.send(writer, reply)
                await writer.drain()
        except (OSError, ValueError):
            pass
        finally:
            self.clients.pop(writer, None)

    def handle(self, writer: asyncio.StreamWriter, command: list) -> dict:
        name, args = (command[0], command[1:]) if command else ("", [])
        if name == "observe_property":
            self.clients[writer][int(args[0])] = args[1]
            if args[1] == "eof-reached":  # the last one the app observes
                self.observed.set()
            self.send(writer, {"event": "property-change", "id": args[0], "name": args[1], "data": self.value(args[1])})
        elif name == "get_property":
            return {"error": "success", "data": self.value(args[0])}
        elif name == "set_property" and args[0] == "pause":
            self.paused = bool(args[1])
            self.changed("pause")
        elif name == "cycle" and args[0] == "pause":
            self.paused = not self.paused
            self.changed("pause")
        elif name == "set_property" and args[0] == "speed":
            self.speed = float(args[1])
            self.changed("speed")
        elif name == "seek":
            where = float(args[0])
            if len(args) < 2 or args[1] == "relative":
                where += self.position
            self.position = max(0.0, min(self.duration, where))
            self.changed("time-pos")
        elif name == "quit":
            if not os.environ.get("FAKE_MPV_STUBBORN"):
                self.done.set()
        elif name == "fake-crash":
            os._exit(3)
        elif name == "fake-close-socket":
            asyncio.get_running_loop().call_soon(self.close_socket)
        else:
            return {"error": "invalid parameter"}
        return {"error": "success", "data": None}

    def close_socket(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in list(self.clients):
            writer.close()
        Path(self.socket).unlink(missing_ok=True)

    async def run(self) -> int:
        self.server = await asyncio.start_unix_server(self.client, self.socket)
        try:  # the file "loads" while the first client connects and observes
            await asyncio.wait_for(self.observed.wait(), 10)
        except asyncio.TimeoutError:
            pass
        if os.environ.get("FAKE_MPV_FAIL") == "audio":
            self.broadcast_event(
                {"event": "end-file", "reason": "error", "file_error": "audio output initialization failed"}
            )
            await asyncio.sleep(0.05)
            return 2
        self.broadcast_event({"event": "file-loaded"})
        self.broadcast_event({"event": "playback-restart"})
        last = time.monotonic()
        while not self.done.is_set():
            try:
                await asyncio.wait_for(self.done.wait(), 1 / self.rate)
            except asyncio.TimeoutError:
                pass
            now = time.monotonic()
            if not self.paused:
                self.position = min(self.duration, self.position + (now - last) * self.speed)
                self.changed("time-pos")
            last = now
            if self.position >= self.duration:
                self.changed("eof-reached")
                self.broadcast_event({"event": "end-file", "reason": "eof"})
                break
        for writer in list(self.clients):
            try:
                await writer.drain()
            except (OSError, RuntimeError):
                pass
        self.close_socket()
        return 0


def main() -> int:
    if os.environ.get("FAKE_MPV_STUBBORN"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    log = os.environ.get("FAKE_MPV_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(json.dumps(sys.argv[1:]) + "\n")
    environment = os.environ.get("FAKE_MPV_ENVIRONMENT")
    if environment:
        Path(environment).write_text(json.dumps(sorted(os.environ)), encoding="utf-8")
    return asyncio.run(FakeMpv(sys.argv[1:]).run())


if __name__ == "__main__":
    sys.exit(main())
