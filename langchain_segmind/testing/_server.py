"""The HTTP/1.1 server: sockets, keep-alive, connection counting, quiet handlers."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from ._faults import StalledAnswer
from ._gateway import Gateway, Incoming
from ._state import GatewayState
from ._wire import Answer, json_answer, text_answer

# How many bytes a truncated answer promises beyond those it writes.
_TRUNCATION_SHORTFALL = 64
# An endless body stops here all the same, so a forgotten client cannot keep
# a server thread busy forever.
_ENDLESS_BODY_LIMIT = 8 * 1024**3
_ENDLESS_CHUNK = b" " * 65_536
_MAX_CHUNK_LINE = 65_537
# A stalled answer gives up here, for the same reason.
_STALL_LIMIT_SECONDS = 30.0


class EmulatorServer(ThreadingHTTPServer):
    """A threading HTTP server that counts and can sever its connections."""

    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 drops connections in a burst (an
    # abatch of 64 at once); the real gateway takes them.
    request_queue_size = 256

    def __init__(self, host: str, port: int, state: GatewayState) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.state = state
        self.gateway: Gateway | None = None
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Count the accepted connection, then serve it on its own thread."""
        self.state.connection_opened()
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(
        self, request: socket.socket | tuple[bytes, socket.socket]
    ) -> None:
        """Forget a finished connection and close it."""
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Stay quiet: clients hanging up mid-answer are routine here."""

    def sever_connections(self) -> None:
        """Shut down every open connection, waking their idle keep-alive threads."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stalls on keep-alive
    server_version = "SegmindEmulator/1"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no request log on stderr."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def _serve(self) -> None:
        server = cast(EmulatorServer, self.server)
        raw_body = self._read_body()
        if raw_body is None or server.gateway is None:
            self.close_connection = True
            self._write(text_answer(400, "Bad request"))
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        # A forward proxy's absolute-form target (`POST http://host/v1/...`) is
        # served as its path: the emulator can stand in as an HTTP proxy.
        target = self.path
        if "://" in target.split("?", 1)[0]:
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        incoming = Incoming(self.command, target, headers, raw_body)
        try:
            answer = server.gateway.serve(incoming)
        except Exception as exc:  # e.g. a Fault with a body JSON cannot encode
            answer = json_answer(500, {"error": f"emulator failure: {exc!r}"})
        self._write(answer)

    def _read_body(self) -> bytes | None:
        """The request body, or `None` if its framing is broken."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            return None
        return self.rfile.read(size) if size >= 0 else None

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        while True:
            line = self.rfile.readline(_MAX_CHUNK_LINE)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                return None
            if size == 0:
                break
            chunks.append(self.rfile.read(size))
            self.rfile.readline(_MAX_CHUNK_LINE)
        while self.rfile.readline(_MAX_CHUNK_LINE).strip():
            pass  # trailer fields
        return b"".join(chunks)

    def _write(self, answer: Answer) -> None:
        if answer.reset:
            self._reset()
            return
        if isinstance(answer, StalledAnswer):
            self._stall(answer)
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("x-segmind-emulator", "1")
        self.send_header("Content-Type", answer.content_type)
        if answer.endless:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._write_endless()
            return
        declared = len(answer.body) + (_TRUNCATION_SHORTFALL if answer.truncate else 0)
        self.send_header("Content-Length", str(declared))
        if self.close_connection and not answer.truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self._write_body(answer)
        if answer.truncate or answer.close_after:
            self.close_connection = True

    def _write_body(self, answer: Answer) -> None:
        if not answer.drip:
            self.wfile.write(answer.body)
            return
        self.wfile.flush()
        for index in range(len(answer.body)):
            try:
                self.wfile.write(answer.body[index : index + 1])
                self.wfile.flush()
            except OSError:  # the client gave up: stop dripping
                self.close_connection = True
                return
            time.sleep(answer.drip)

    def _write_endless(self) -> None:
        self.close_connection = True
        chunk = b"%x\r\n%s\r\n" % (len(_ENDLESS_CHUNK), _ENDLESS_CHUNK)
        with contextlib.suppress(OSError):  # the client hung up, as expected
            for _ in range(_ENDLESS_BODY_LIMIT // len(_ENDLESS_CHUNK)):
                self.wfile.write(chunk)

    def _stall(self, answer: StalledAnswer) -> None:
        """Write a head that never ends, one piece every `answer.interval` seconds."""
        self.close_connection = True
        piece = b"HTTP/1.1 102 Processing\r\n\r\n"
        with contextlib.suppress(OSError):  # the client hung up, as expected
            if answer.dripping_headers:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                piece = b"a"
            end = time.monotonic() + _STALL_LIMIT_SECONDS
            while time.monotonic() < end:
                if answer.interval < 0.001:  # a flood: always bytes to read
                    self.wfile.write(piece * 10000)
                else:
                    self.wfile.write(piece)
                    time.sleep(answer.interval)

    def _reset(self) -> None:
        """Close the socket with SO_LINGER 0, so the peer gets a TCP RST."""
        self.close_connection = True
        linger = struct.pack("ii", 1, 0)
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        self.rfile.close()  # drops the makefile reference, so close() is real
        self.connection.close()
