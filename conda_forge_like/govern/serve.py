"""Serving a channel over HTTP on 127.0.0.1, labels and a policy applied.

``server = make_server(Path("ch"), port=0, policy=policy)`` -> a ``ThreadingHTTPServer``
(``server.server_address[1]`` is the port; ``serve_forever()`` runs it). It answers only:

- ``/<subdir>/repodata.json``: the channel root's (or, with ``label``, that label's) records
  the policy accepts;
- ``/label/<name>/<subdir>/repodata.json``: a label's records the policy accepts (not when the
  server serves one ``label`` only);
- ``/<subdir>/<package file>``: a package some served repodata lists: a package the policy
  refuses is 403, one nobody lists (or no file) 404.

Each label's own policy (``<channel>/policies/<label>.yaml``) applies too, with ``policy``.
Everything else is 404 (lock files, ``refused.json``, ``work/``), and a path with ``..``,
backslashes or a NUL is 400: nothing outside the channel is ever read.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import urllib.parse
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..errors import CflError, ChannelError
from ..index import channel as disk
from ..index import repodata
from ..records import dataclass, field
from ..subdirs import SUBDIRS
from . import facts, labels, policy_file
from .labels import LABEL_DIR, MAIN
from .policy import Policy, evaluate

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Channel:
    """What the server serves: a channel folder, the label at its root, a policy for all, and
    each label's own (``<channel>/policies/<label>.yaml``, read when the server starts)."""

    root: Path
    label: str = MAIN
    policy: Policy | None = None
    label_policies: Mapping[str, Policy] = field(default_factory=dict)

    @staticmethod
    def open(root: Path, label: str = MAIN, policy: Policy | None = None) -> Channel:
        stored = {}
        for name in labels.names(root):
            found = policy_file.label_policy(root, name)
            if found is not None:
                stored[name] = found
        return Channel(root, label, policy, stored)

    def policies(self, label: str) -> list[Policy]:
        return [p for p in (self.policy, self.label_policies.get(label)) if p is not None]

    def repodata(self, label: str, subdir: str) -> dict[str, Any] | None:
        """A served repodata.json, policy applied; None when there is none to serve."""
        folder = self.root if label == MAIN else self.root / LABEL_DIR / label
        if not (folder / subdir / disk.REPODATA).is_file():
            return None
        data = disk.read(folder / subdir)
        if label == self.label != MAIN:  # a label served as the root: its files lie beside it
            data["info"] = {k: v for k, v in data.get("info", {}).items() if k != "base_url"}
        if not self.policies(label):
            return data
        kept = {
            name: record
            for name, record in repodata.all_records(data).items()
            if not self.refuses(label, subdir, name, record)
        }
        empty: dict[str, Any] = {key: {} for key in repodata.SECTIONS}
        return repodata.with_records({**data, **empty}, kept)

    def refuses(self, label: str, subdir: str, filename: str, record: dict[str, Any]) -> bool:
        path = self.root / subdir / filename
        return any(evaluate(p, facts.facts(path, record, p)) for p in self.policies(label))

    def package_status(self, subdir: str, filename: str) -> HTTPStatus:
        """200 when a served label lists the file and the policy accepts it, else 403/404."""
        if not (self.root / subdir / filename).is_file():
            return HTTPStatus.NOT_FOUND
        served = [self.label] if self.label != MAIN else labels.names(self.root)
        refused = False
        for label in served:
            record = _record(self.root if label == MAIN else labels.label_path(self.root, label),
                             subdir, filename)  # fmt: skip
            if record is not None and not self.refuses(label, subdir, filename, record):
                return HTTPStatus.OK
            if record is not None:
                refused = True
        return HTTPStatus.FORBIDDEN if refused else HTTPStatus.NOT_FOUND


def _record(folder: Path, subdir: str, filename: str) -> dict[str, Any] | None:
    try:
        return repodata.all_records(disk.read(folder / subdir)).get(filename)
    except ChannelError:
        return None


def route(channel: Channel, raw_path: str) -> tuple[HTTPStatus, str, Any]:
    """(status, kind, payload) for a request path (pure but for reading the channel):
    kind ``json`` (payload: the data), ``file`` (payload: the path) or ``error``."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path)
    parts = [p for p in path.split("/") if p]
    if "\\" in path or "\0" in path or any(p in (".", "..") for p in parts):
        return HTTPStatus.BAD_REQUEST, "error", "path outside the channel"
    if posixpath.normpath("/" + "/".join(parts)) != "/" + "/".join(parts):
        return HTTPStatus.BAD_REQUEST, "error", "path outside the channel"
    label = channel.label
    if len(parts) == 4 and parts[0] == LABEL_DIR:
        if channel.label != MAIN or not _is_label(channel.root, parts[1]):
            return HTTPStatus.NOT_FOUND, "error", "no such label"
        label, parts = parts[1], parts[2:]
    if len(parts) != 2 or parts[0] not in SUBDIRS:
        return HTTPStatus.NOT_FOUND, "error", "not found"
    subdir, name = parts
    if name == disk.REPODATA:
        data = channel.repodata(label, subdir)
        if data is None:
            return HTTPStatus.NOT_FOUND, "error", "no repodata"
        return HTTPStatus.OK, "json", data
    if label != channel.label or not name.endswith((".conda", ".tar.bz2")):
        return HTTPStatus.NOT_FOUND, "error", "not found"
    status = channel.package_status(subdir, name)
    if status != HTTPStatus.OK:
        refused = status == HTTPStatus.FORBIDDEN
        return status, "error", "refused by the policy" if refused else "not found"
    return HTTPStatus.OK, "file", channel.root / subdir / name


def _is_label(root: Path, name: str) -> bool:
    try:
        return name != MAIN and labels.label_path(root, name).is_dir()
    except CflError:  # a bad label name is just not a label
        return False


class _Handler(BaseHTTPRequestHandler):
    channel: Channel
    server_version = "cfl-serve"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        try:
            status, kind, payload = route(self.channel, self.path)
        except ChannelError as exc:
            status, kind, payload = HTTPStatus.INTERNAL_SERVER_ERROR, "error", exc.message
        if kind == "file":
            self._send_file(Path(payload), send_body)
            return
        if kind == "json":
            body = repodata.dumps(payload)
        else:
            body = json.dumps({"error": payload}).encode()
        self._headers(status, "application/json", len(body))
        if send_body:
            self.wfile.write(body)

    def _headers(self, status: HTTPStatus, ctype: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

    def _send_file(self, path: Path, send_body: bool) -> None:
        """A package file, streamed (packages can be large)."""
        with path.open("rb") as handle:
            self._headers(
                HTTPStatus.OK, "application/octet-stream", os.fstat(handle.fileno()).st_size
            )
            if send_body:
                shutil.copyfileobj(handle, self.wfile)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the library prints nothing (``cfl serve`` reports the address itself)."""


def make_server(
    root: Path, port: int = 0, label: str = MAIN, policy: Policy | None = None
) -> ThreadingHTTPServer:
    if not root.is_dir():
        raise ChannelError(f"channel directory {root} does not exist")
    labels.require(root, label)
    channel = Channel.open(root.resolve(), label, policy)
    handler = type("ChannelHandler", (_Handler,), {"channel": channel})
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise ChannelError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from exc
