"""Bubblewrap sandbox and the warm per-process runners that live in it.

Each worker process keeps at most one warm runner (a "zygote", see :mod:`._zygote`) per
language, started lazily on first use and stopped at interpreter exit. The zygote runs inside
``bwrap`` with: no network (``--unshare-net``), its own PID, IPC and UTS namespaces, a read-only
root made of read-only binds of ``/usr`` and the interpreter's prefix only (no ``/work``, no
``/home``, no ``/root``), a size-capped private ``tmpfs`` on ``/tmp`` in which each run gets a
fresh 0700 directory owned by the sandbox uid, and ``--die-with-parent`` so nothing outlives the
worker. Expected outputs never cross into it; comparisons happen in the worker
(REFERENCE.md section 3, "Defences that work").
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import queue
import secrets
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

_HEADER = struct.Struct(">I")
_MAX_REPLY = 1 << 30
_ZYGOTE_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_zygote.py")
_ZYGOTE_IN_SANDBOX = "/opt/rewardkit/zygote.py"
#: Capabilities the zygote keeps inside the sandbox (children drop all of them with setuid).
_ZYGOTE_CAPS = (
    "CAP_SETUID",
    "CAP_SETGID",
    "CAP_KILL",
    "CAP_SYS_RESOURCE",
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
)
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/ssl/openssl.cnf",
    "/etc/localtime",
)
_START_TIMEOUT_S = 20.0


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start (bwrap missing, namespaces refused, interpreter missing)."""


class SandboxFailure(RuntimeError):
    """The sandbox broke while running a test (an infrastructure error, never a verdict)."""


@dataclass(frozen=True)
class SandboxConfig:
    """How to start a zygote.

    Attributes:
        bwrap: path or name of the bubblewrap binary.
        python: interpreter that runs the zygote (and Python candidates).
        tmp_mb: size of the sandbox's private ``/tmp`` tmpfs.
        language: the runner's language (one zygote per language per process).
    """

    bwrap: str
    python: str
    tmp_mb: int
    language: str


def default_python() -> str:
    """The base interpreter of the running Python (a venv's site-packages never enter)."""
    exe = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(exe)


def _prefix_of(executable: str) -> str | None:
    """Directory tree to bind for an interpreter that does not live under ``/usr``."""
    real = os.path.realpath(executable)
    if real.startswith("/usr/"):
        return None
    return os.path.dirname(os.path.dirname(real))


def bwrap_command(config: SandboxConfig, bwrap: str, uid: int) -> list[str]:
    """The bubblewrap command line that starts a zygote for ``uid``."""
    cmd = [
        bwrap,
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
    ]
    for cap in _ZYGOTE_CAPS:
        cmd += ["--cap-add", cap]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        host = "/" + name
        if os.path.islink(host):
            cmd += ["--symlink", os.readlink(host), host]
        elif os.path.isdir(host):
            cmd += ["--ro-bind", host, host]
    cmd += ["--perms", "0755", "--dir", "/etc", "--perms", "0755", "--dir", "/etc/ssl"]
    for path in _ETC_FILES:
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    prefix = _prefix_of(config.python)
    if prefix:
        # bwrap would create the missing parents (e.g. /root, mode 0700 on the host) unreadable
        # for the sandbox uid: create them world-traversable first.
        parents = []
        parent = os.path.dirname(prefix)
        while parent not in ("/", ""):
            parents.append(parent)
            parent = os.path.dirname(parent)
        for path in reversed(parents):
            cmd += ["--perms", "0755", "--dir", path]
        cmd += ["--ro-bind", prefix, prefix]
    cmd += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(config.tmp_mb << 20),
        "--tmpfs",
        "/tmp",
        "--perms",
        "0755",
        "--dir",
        "/opt",
        "--perms",
        "0755",
        "--dir",
        "/opt/rewardkit",
        "--ro-bind",
        _ZYGOTE_SRC,
        _ZYGOTE_IN_SANDBOX,
        "--chdir",
        "/tmp",
        "--remount-ro",
        "/",
        "--",
        config.python,
        "-I",
        "-S",
        "-B",
        _ZYGOTE_IN_SANDBOX,
        str(uid),
    ]
    return cmd


class _Spawner:
    """Starts sandboxes from one long-lived thread.

    ``bwrap --die-with-parent`` uses ``PR_SET_PDEATHSIG``, which fires when the *thread* that
    forked it exits. Scorers may run on short-lived threads, so every sandbox is forked from this
    daemon thread, which lives as long as the process: the sandbox dies with the worker, never
    with a thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[list[str], queue.SimpleQueue[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def _loop(self) -> None:
        while True:
            cmd, reply = self._jobs.get()
            try:
                reply.put(
                    subprocess.Popen(
                        cmd,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        close_fds=True,
                        start_new_session=True,
                        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                    )
                )
            except BaseException as exc:  # handed back to the caller
                reply.put(exc)

    def popen(self, cmd: list[str]) -> subprocess.Popen[bytes]:
        """``Popen(cmd)`` with pipes, run on the spawner thread."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._jobs = queue.SimpleQueue()
                self._thread = threading.Thread(
                    target=self._loop, name="rewardkit-sandbox-spawner", daemon=True
                )
                self._thread.start()
            reply: queue.SimpleQueue[Any] = queue.SimpleQueue()
            self._jobs.put((cmd, reply))
            out = reply.get()
        if isinstance(out, BaseException):
            raise out
        proc: subprocess.Popen[bytes] = out
        return proc


_SPAWNER = _Spawner()


class Zygote:
    """A warm sandboxed runner owned by one worker process.

    Requests are serialised by a lock (one test at a time per zygote). Any protocol failure kills
    the whole sandbox and raises :class:`SandboxFailure`; the next request starts a fresh one.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.uid = 1_000_000 + secrets.randbelow(3_000_000)
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        #: Held by a caller for a whole run (begin, tests, end): runs never interleave.
        self.run_lock = threading.RLock()
        self._owner_pid = os.getpid()

    @property
    def pid(self) -> int | None:
        """Host pid of the outer bwrap process, when running."""
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        """Whether the sandbox process is running."""
        return self._proc is not None and self._proc.poll() is None

    def _start(self) -> None:
        bwrap = shutil.which(self.config.bwrap) if "/" not in self.config.bwrap else None
        bwrap = bwrap or (self.config.bwrap if os.path.isfile(self.config.bwrap) else None)
        if bwrap is None:
            raise SandboxUnavailable(
                f"bubblewrap not found ({self.config.bwrap!r}); install the Debian package 'bubblewrap'"
            )
        if not os.path.isfile(self.config.python):
            raise SandboxUnavailable(f"interpreter not found: {self.config.python}")
        cmd = bwrap_command(self.config, bwrap, self.uid)
        try:
            proc = _SPAWNER.popen(cmd)
        except OSError as exc:
            raise SandboxUnavailable(f"cannot start bubblewrap: {exc}") from exc
        self._proc = proc
        try:
            hello = self._read_reply(time.monotonic() + _START_TIMEOUT_S)
        except SandboxFailure as exc:
            err = b""
            if proc.stderr is not None:
                try:
                    os.set_blocking(proc.stderr.fileno(), False)
                    err = proc.stderr.read() or b""
                except OSError:
                    pass
            self._kill()
            detail = err.decode("utf-8", "replace").strip()[-500:]
            raise SandboxUnavailable(f"sandbox did not start: {exc}; {detail}") from exc
        if not hello.get("ready"):
            self._kill()
            raise SandboxUnavailable(f"sandbox answered {hello!r} instead of ready")
        # bwrap's own stderr is not read afterwards: close it so it can never block the zygote.
        if proc.stderr is not None:
            proc.stderr.close()

    def request(self, msg: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one message and wait at most ``timeout`` seconds for the answer."""
        with self._lock:
            if os.getpid() != self._owner_pid:  # inherited through fork: start our own
                self._proc = None
                self._owner_pid = os.getpid()
            if not self.alive():
                self._proc = None
                self._start()
            deadline = time.monotonic() + timeout
            try:
                self._write(json.dumps(msg).encode(), deadline)
                reply = self._read_reply(deadline)
            except SandboxFailure:
                self._kill()
                raise
            if not reply.get("ok"):
                raise SandboxFailure(str(reply.get("error") or "sandbox refused the request"))
            return reply

    def _write(self, body: bytes, deadline: float) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        fd = self._proc.stdin.fileno()
        data = memoryview(_HEADER.pack(len(body)) + body)
        os.set_blocking(fd, False)
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_WRITE)
            while data:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SandboxFailure("sandbox stopped reading (deadline)")
                if not sel.select(left):
                    continue
                try:
                    n = os.write(fd, data)
                except BlockingIOError:
                    continue
                except OSError as exc:
                    raise SandboxFailure(f"sandbox pipe closed: {exc}") from exc
                data = data[n:]

    def _read_exact(self, fd: int, n: int, deadline: float, sel: selectors.BaseSelector) -> bytes:
        chunks = bytearray()
        while len(chunks) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SandboxFailure("sandbox did not answer before the deadline")
            if not sel.select(left):
                continue
            try:
                chunk = os.read(fd, min(n - len(chunks), 1 << 20))
            except BlockingIOError:
                continue
            if not chunk:
                raise SandboxFailure("sandbox exited unexpectedly")
            chunks += chunk
        return bytes(chunks)

    def _read_reply(self, deadline: float) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        os.set_blocking(fd, False)
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            (size,) = _HEADER.unpack(self._read_exact(fd, _HEADER.size, deadline, sel))
            if size > _MAX_REPLY:
                raise SandboxFailure("sandbox reply too large")
            body = self._read_exact(fd, size, deadline, sel)
        try:
            reply = json.loads(body)
        except ValueError as exc:
            raise SandboxFailure(f"unreadable sandbox reply: {exc}") from exc
        if not isinstance(reply, dict):
            raise SandboxFailure("unreadable sandbox reply")
        return reply

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            proc.kill()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def close(self) -> None:
        """Stop the sandbox: ask the zygote to clean up and exit, then kill what remains."""
        with self._lock:
            proc = self._proc
            if proc is None or os.getpid() != self._owner_pid:
                self._proc = None
                return
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._kill()


_ZYGOTES: dict[SandboxConfig, Zygote] = {}
_ZYGOTES_LOCK = threading.Lock()
_ZYGOTES_PID = os.getpid()


def get_zygote(config: SandboxConfig) -> Zygote:
    """The warm runner of this worker process for ``config``, created lazily."""
    global _ZYGOTES_PID
    with _ZYGOTES_LOCK:
        if os.getpid() != _ZYGOTES_PID:  # a forked worker never shares its parent's runners
            _ZYGOTES.clear()
            _ZYGOTES_PID = os.getpid()
        zygote = _ZYGOTES.get(config)
        if zygote is None:
            zygote = _ZYGOTES[config] = Zygote(config)
        return zygote


def shutdown_all() -> None:
    """Stop every runner this process started (registered with :mod:`atexit`)."""
    with _ZYGOTES_LOCK:
        zygotes = list(_ZYGOTES.values()) if os.getpid() == _ZYGOTES_PID else []
        _ZYGOTES.clear()
    for zygote in zygotes:
        zygote.close()


atexit.register(shutdown_all)


def decode_b64(text: Any) -> bytes:
    """Decode a base64 field of a zygote reply (empty on anything unexpected)."""
    if not isinstance(text, str):
        return b""
    try:
        return base64.b64decode(text)
    except ValueError:
        return b""
