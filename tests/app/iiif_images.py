"""A local image server for the IIIF tests: real JPEG, PNG and TIFF files made with Pillow at known sizes, and
hostile answers (a decompression bomb's header, text/html, a truncated file, a redirect loop, a server that
ignores Range and sends 20 MB). It honours one byte range like a real one and counts requests and bytes sent."""
from __future__ import annotations

import io
import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

SIZES = {"a.jpg": (640, 480), "b.png": (300, 200), "c.tif": (120, 90), "big.jpg": (4000, 3000)}


def _image(name: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    kind = {"jpg": "JPEG", "png": "PNG", "tif": "TIFF"}[name.rsplit(".", 1)[1]]
    Image.new("RGB", size, (200, 30, 40)).save(out, kind)
    return out.getvalue()


def _bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims 10¹⁰ pixels (a few bytes of data)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


class ImageServer:
    """Serves FILES (name → (content type, bytes)) at http://127.0.0.1:PORT/NAME; `stats` per path."""

    def __init__(self):
        self.files: dict[str, tuple[str, bytes]] = {n: (("image/tiff" if n.endswith(".tif") else
                                                          "image/png" if n.endswith(".png") else "image/jpeg"),
                                                         _image(n, s)) for n, s in SIZES.items()}
        self.files["bomb.png"] = ("image/png", _bomb_png())
        self.files["page.jpg"] = ("text/html", b"<html>not an image</html>" * 10)
        self.files["cut.png"] = ("image/png", self.files["b.png"][1][:20])
        self.files["norange.jpg"] = ("image/jpeg", self.files["a.jpg"][1] + b"\0" * (20 * 1024 * 1024))
        self.requests: dict[str, int] = {}
        self.sent: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                name = self.path.lstrip("/").split("?")[0]
                server.requests[name] = server.requests.get(name, 0) + 1
                if name.startswith("loop"):  # loop1 → loop2 → loop1
                    self.send_response(302)
                    self.send_header("Location", "/loop2.jpg" if name == "loop1.jpg" else "/loop1.jpg")
                    self.end_headers()
                    return
                if name not in server.files:
                    self.send_error(404)
                    return
                media, data = server.files[name]
                match = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
                if match and name != "norange.jpg":
                    start, end = int(match[1]), min(int(match[2]), len(data) - 1)
                    body = data[start:end + 1]
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
                else:
                    body = data
                    self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                sent = 0
                try:
                    for offset in range(0, len(body), 64 * 1024):
                        self.wfile.write(body[offset:offset + 64 * 1024])
                        sent += min(64 * 1024, len(body) - offset)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: what we want of a prober
                server.sent[name] = server.sent.get(name, 0) + sent

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
