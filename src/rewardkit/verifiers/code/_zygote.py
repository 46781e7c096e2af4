"""The warm runner that lives inside the bubblewrap sandbox (stdlib only, never imports rewardkit).

One zygote runs per (worker process, language). It is started by
:mod:`rewardkit.verifiers.code._sandbox` as ``python -I -S _zygote.py UID`` inside ``bwrap`` and
speaks length-prefixed JSON on its stdin/stdout. For every test case it forks a fresh child that

1. starts a new session, wires fresh pipes to fds 0-3 and closes every other descriptor,
2. sets RLIMIT_CPU/AS/NPROC/FSIZE/STACK/CORE explicitly (the zygote may raise them because it keeps
   CAP_SYS_RESOURCE; the worker's own RLIMIT_AS never leaks into the child),
3. drops to an unprivileged per-zygote uid (which clears every capability),
4. reports "setup done" on a private pipe, then runs the candidate: Python is executed in the
   forked interpreter (the speed win), other languages are ``execve``'d.

The zygote enforces the wall-clock limit itself with a pidfd and ``SIGKILL`` (no signals or alarms
inside the candidate), then kills every leftover process of the sandbox uid before answering.
Expected outputs never enter this process: the parent compares.

Python children report through fd 3 with a frame that starts with the per-run nonce; exit codes
are never trusted on their own (REFERENCE.md section 3, "require a per-run random nonce after the
last test rather than trusting exit codes"). Before the candidate runs, an audit hook removes the
introspection routes to the harness's memory (frames, ``gc``, ``ctypes``, ``/proc``).
"""

from __future__ import annotations

import base64
import io
import json
import os
import resource
import selectors
import shutil
import signal
import struct
import sys
import time
import types
from collections.abc import Callable
from typing import Any, NoReturn

# Warm the modules that generated solutions import most, so children start with them loaded.
# The list is a trade-off: every preloaded page makes each fork dearer (statistics, dataclasses
# and traceback roughly double the fork time here), while a module imported in the child costs
# its full import time on every test (typing ~17 ms, re ~10 ms).
for _name in (
    "math", "collections", "itertools", "functools", "heapq", "bisect", "operator", "string",
    "re", "typing", "fractions", "decimal", "random", "datetime", "copy", "array", "atexit",
):  # fmt: skip
    try:
        __import__(_name)
    except Exception:  # a trimmed interpreter may lack one; children import it themselves
        pass
import atexit  # noqa: E402

# The first compile() in a process initialises the parser (about 1.5 ms here); do it once in the
# zygote so that no child pays for it.
exec(compile("def _f(x):\n    return [i for i in range(x)]\n_f(2)\n", "warm.py", "exec"), {})
eval(compile("1 + 1", "warm.py", "eval"), {})
json.loads(json.dumps({"a": [1, 2.5, "x"]}))

_HEADER = struct.Struct(">I")
_MAX_MESSAGE = 1 << 30
_LIMITS = {
    "cpu": resource.RLIMIT_CPU,
    "as": resource.RLIMIT_AS,
    "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE,
    "stack": resource.RLIMIT_STACK,
    "core": resource.RLIMIT_CORE,
}
_SETUP_OK = b"K"


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _recv(fd: int) -> Any:
    head = _read_exact(fd, _HEADER.size)
    if head is None:
        return None
    (size,) = _HEADER.unpack(head)
    if size > _MAX_MESSAGE:
        raise ValueError("message too large")
    body = _read_exact(fd, size)
    if body is None:
        return None
    return json.loads(body)


def _send(fd: int, obj: Any) -> None:
    body = json.dumps(obj).encode()
    data = _HEADER.pack(len(body)) + body
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


# --------------------------------------------------------------------------- process hygiene


def _uid_processes(uid: int) -> list[int]:
    """Pids in this PID namespace whose real or effective uid is ``uid``."""
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Uid:"):
                        ids = line.split()[1:3]
                        if str(uid).encode() in ids:
                            found.append(int(entry))
                        break
        except OSError:
            continue
    return found


def _sweep(uid: int) -> bool:
    """Kill every process of the sandbox uid (stragglers, daemons, fork bombs)."""
    for _ in range(50):
        if not _uid_processes(uid):
            return True
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)  # every process this uid may signal, not us
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.001)
    return not _uid_processes(uid)


# --------------------------------------------------------------------------- the child


def _apply_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        which = _LIMITS[name]
        if name == "cpu":
            # Soft limit sends SIGXCPU (ignorable); the hard limit one second later is SIGKILL.
            resource.setrlimit(which, (int(value), int(value) + 1))
        else:
            resource.setrlimit(which, (int(value), int(value)))


def _child(msg: dict[str, Any], run_dir: str, uid: int, fds: tuple[int, ...]) -> NoReturn:
    """Runs in the forked child: never returns."""
    in_r, out_w, err_w, res_w, setup_w = fds
    try:
        os.setsid()
        os.dup2(in_r, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.dup2(res_w, 3)
        os.dup2(setup_w, 4)
        os.closerange(5, 1 << 16)
        _apply_limits(msg["limits"])
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        os.chdir(run_dir)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": run_dir,
            "TMPDIR": run_dir,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        if msg["mode"] == "argv":
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            os.set_inheritable(4, False)
            os.write(4, _SETUP_OK)  # fd 4 is close-on-exec: gone before the program starts
            argv = msg["argv"]
            try:
                os.execve(argv[0], argv, env)
            except OSError as exc:
                os.write(2, f"cannot execute {argv[0]}: {exc}\n".encode())
            os._exit(127)
        _python_child(msg, env)
    except BaseException as exc:  # setup failed: report on the setup pipe (an infra error)
        try:
            os.write(4, f"E{type(exc).__name__}: {exc}".encode()[:2000])
        finally:
            os._exit(126)
    os._exit(126)


def _make_encoder() -> Callable[[Any], str]:
    """A serialiser for return values that the candidate cannot patch.

    Only exact builtin types are accepted (no subclasses, so no custom ``__eq__``); the output is
    ASCII JSON built from captured primitives (strings travel as hex of their UTF-8 bytes).
    """
    _type, _len, _id = type, len, id
    _int, _float, _str, _bool, _bytes, _complex = int, float, str, bool, bytes, complex
    _list, _tuple, _dict, _set, _frozenset, _none = list, tuple, dict, set, frozenset, type(None)
    _irepr, _frepr = int.__repr__, float.__repr__
    _encode, _hex, _join = str.encode, bytes.hex, str.join
    _items, _append = dict.items, list.append
    _RecursionError = RecursionError
    seqs: dict[Any, str] = {_list: "list", _tuple: "tuple", _set: "set", _frozenset: "frozenset"}
    max_nodes = 2_000_000

    def encode(value: Any) -> str:
        count = [0]
        active: set[int] = set()

        def enc(v: Any, depth: int) -> str:
            count[0] += 1
            if count[0] > max_nodes or depth > 200:
                raise Unserialisable("value too large or too deeply nested")
            t = _type(v)
            if t is _none:
                return '["none",0]'
            if t is _bool:
                return '["bool",true]' if v else '["bool",false]'
            if t is _int:
                return '["int","' + _irepr(v) + '"]'
            if t is _float:
                return '["float","' + _frepr(v) + '"]'
            if t is _str:
                return '["str","' + _hex(_encode(v, "utf-8", "surrogatepass")) + '"]'
            if t is _bytes:
                return '["bytes","' + _hex(v) + '"]'
            if t is _complex:
                return '["complex",["' + _frepr(v.real) + '","' + _frepr(v.imag) + '"]]'
            tag = "dict" if t is _dict else seqs.get(t)
            if tag is not None:
                key = _id(v)
                if key in active:
                    raise Unserialisable("value contains a reference cycle")
                active.add(key)
                parts: list[str] = []
                if t is _dict:
                    for k, item in _items(v):
                        _append(parts, "[" + enc(k, depth + 1) + "," + enc(item, depth + 1) + "]")
                else:
                    for item in v:
                        _append(parts, enc(item, depth + 1))
                active.discard(key)
                return '["' + tag + '",[' + _join(",", parts) + "]]"
            raise Unserialisable("non-builtin type " + _type.__repr__(t)[:100])

        try:
            return enc(value, 0)
        except _RecursionError:
            raise Unserialisable("value too deeply nested") from None

    return encode


class Unserialisable(Exception):
    """A returned value that is not made of exact builtin types."""


_ENCODE = _make_encoder()
_QUOTE = json.encoder.encode_basestring_ascii  # the C function, captured before any candidate runs

# Pristine copies of the builtins and of every preloaded module, taken once here (children share
# them copy-on-write). Tests are evaluated in their own namespace built from these, so a candidate
# that shadows a builtin (``set = lambda *a: 0``, ``abs = ...``), rebinds a setup variable
# (``global expected``) or patches a module (``math.isclose = lambda *a, **k: True``) changes
# nothing the test sees (red-team audit of 2026-12-02).
_PRISTINE_BUILTINS: dict[str, Any] = dict(vars(__import__("builtins")))
_PRISTINE_MODULES: dict[str, dict[str, Any]] = {
    name: dict(vars(mod)) for name, mod in list(sys.modules.items()) if isinstance(mod, types.ModuleType)
}


# The helpers below run after the candidate: every builtin they use is bound as a default
# argument here, so a candidate that patches the ``builtins`` module cannot reach them.
def _pristine(value: Any, _type: Any = type, _module: Any = types.ModuleType, _get: Any = dict.get) -> Any:
    """A module as it was before any candidate ran (a fresh copy); other values unchanged."""
    if _type(value) is not _module:
        return value
    saved = _get(_PRISTINE_MODULES, value.__name__)
    if saved is None:
        return value  # imported by the candidate itself: nothing older to restore
    copy = _module(value.__name__)
    copy.__dict__.update(saved)
    return copy


def _test_namespace(
    candidate: dict[str, Any], _dict: Any = dict, _list: Any = list, _pristine: Any = _pristine
) -> dict[str, Any]:
    """The namespace tests run in: pristine builtins and modules, plus the candidate's own
    definitions (its functions and classes), never its rebinding of a builtin name."""
    ns: dict[str, Any] = {"__builtins__": _dict(_PRISTINE_BUILTINS), "__name__": "__rk_tests__"}
    for key, value in _list(_dict.items(candidate)):
        if key.startswith("__") or key in _PRISTINE_BUILTINS:
            continue
        ns[key] = _pristine(value)
    return ns


def _restore_modules(
    ns: dict[str, Any], _list: Any = list, _items: Any = dict.items, _pristine: Any = _pristine
) -> None:
    """Replace every module bound in ``ns`` (by the setup's own imports) with a pristine copy."""
    for key, value in _list(_items(ns)):
        ns[key] = _pristine(value)


def _install_guard() -> None:
    """Audit hook that closes the routes from candidate code to the harness's memory.

    Frames (``sys._getframe``, traceback/generator frames, tracers), the garbage collector's
    object lists, ``ctypes`` and ``/proc`` (``/proc/self/mem``) are refused. Audit hooks cannot be
    removed once added (PEP 578).
    """
    blocked = frozenset(
        {
            "sys._getframe",
            "sys._current_frames",
            "sys._getframemodulename",
            "sys.settrace",
            "sys.setprofile",
            "gc.get_objects",
            "gc.get_referrers",
            "gc.get_referents",
            "sys.addaudithook",
            "cpython._PySys_ClearAuditHooks",
            "code.__new__",
            "function.__new__",
            "ctypes.dlopen",
            "ctypes.dlsym",
            "ctypes.addressof",
            "ctypes.string_at",
            "ctypes.cdata",
            "ctypes.PyObj_FromPtr",
        }
    )
    frame_attrs = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})
    _realpath, _fspath = os.path.realpath, os.fspath
    _str, _bytes, _isinstance, _RuntimeError = str, bytes, isinstance, RuntimeError
    _ValueError = ValueError
    getframe = frozenset({"sys._getframe", "sys._getframemodulename"})

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in getframe:
            # ValueError is what the stdlib expects when no frame exists ("call stack is not
            # deep enough"): namedtuple, typing.NamedTuple, enum and logging fall back cleanly.
            raise _ValueError(event + " is not available in the rewardkit sandbox")
        if event in blocked:
            raise _RuntimeError(event + " is not available in the rewardkit sandbox")
        if event == "object.__getattr__" and args[1] in frame_attrs:
            raise _RuntimeError("frame access is not available in the rewardkit sandbox")
        if event == "import" and args[0] in ("ctypes", "_ctypes"):
            raise _RuntimeError("ctypes is not available in the rewardkit sandbox")
        if event in ("open", "os.chdir", "os.listdir", "os.scandir") and args:
            path = args[0]
            if _isinstance(path, (_str, _bytes)):
                real = _fspath(_realpath(path))
                if _isinstance(real, _bytes):
                    real = real.decode("utf-8", "replace")
                if real == "/proc" or real.startswith("/proc/"):
                    raise _RuntimeError("/proc is not available in the rewardkit sandbox")

    sys.addaudithook(hook)


def _python_child(msg: dict[str, Any], env: dict[str, str]) -> NoReturn:
    nonce = msg["nonce"].encode()
    case = msg["case"]
    kind = case["kind"]
    args: Any = json.loads(case["args_json"]) if kind == "call" else None
    code = msg["code"]
    setup = case.get("setup") or ""
    exprs = list(case.get("exprs") or ())
    fn_name = case.get("fn")
    del msg
    # Everything used after the candidate starts is captured here: the candidate may patch
    # builtins, ``json``, ``os`` or ``atexit``, but not these local references.
    write, exit_, encode, quote = os.write, os._exit, _ENCODE, _QUOTE
    test_namespace, restore_modules = _test_namespace, _restore_modules
    _len, _str, _type, _int, _getattr = len, str, type, int, getattr
    _irepr, _join, _memoryview = int.__repr__, str.join, memoryview
    _run_exitfuncs = atexit._run_exitfuncs
    _Unserialisable, _SystemExit, _BaseException = Unserialisable, SystemExit, BaseException
    _stdio = (sys.stdout, sys.stderr)

    def describe(exc: BaseException) -> str:
        # Frame objects are closed by the audit hook, so the traceback is told by line numbers.
        try:
            lines, tb, hops = [], exc.__traceback__, 0
            while tb is not None and hops < 50:
                lines.append(_irepr(tb.tb_lineno))
                tb, hops = tb.tb_next, hops + 1
            text = _str.__str__(_type(exc).__name__) + ": " + _str.__str__(_str(exc))
            _stdio[1].write("Traceback (line numbers, innermost last): " + ", ".join(lines))
            _stdio[1].write("\n" + text[:2000] + "\n")
        except _BaseException:
            text = "exception"
        return '{"error":' + quote(text[:500]) + "}"

    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["main.py"]
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(  # type: ignore[misc]
        io.BufferedReader(io.FileIO(0, "r", closefd=False)),
        encoding="utf-8",
        errors="surrogateescape",
    )
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(  # type: ignore[misc]
        io.BufferedWriter(io.FileIO(1, "w", closefd=False), 1 << 16), encoding="utf-8"
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(  # type: ignore[misc]
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    _stdio = (sys.stdout, sys.stderr)
    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = __builtins__
    module.__dict__["__file__"] = os.path.join(os.getcwd(), "main.py")
    sys.modules["__main__"] = module  # hides the zygote's own module from the candidate
    namespace = module.__dict__
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [os.getcwd()] + [p for p in sys.path if p and p != here]
    os.write(4, _SETUP_OK)
    os.close(4)
    _install_guard()

    exit_code = 0
    outcome = None
    try:
        exec(compile(code, "main.py", "exec"), namespace)
        # only tests with code of their own need the isolated namespace (stdin/stdout and plain
        # call cases never evaluate test code: building it there is per-test overhead)
        tests = test_namespace(namespace) if setup or kind == "expr" else namespace
        if setup:
            exec(compile(setup, "tests.py", "exec"), tests)
            restore_modules(tests)
        if kind == "call":
            target: Any = namespace.get(fn_name)
            solution: Any = namespace.get("Solution")
            if target is None and _type(solution) is _type:
                target = _getattr(solution(), fn_name, None)
            if target is None:
                outcome = '{"error":' + quote("NameError: " + fn_name + " is not defined") + "}"
            else:
                outcome = '{"value":' + encode(target(*args)) + "}"
        elif kind == "expr":
            # Every call result inside a test expression must be plain builtin data, so that a
            # custom __eq__/__lt__/__bool__ never decides a comparison (exploit 5). The checker is
            # a local of the evaluation: candidate code cannot rebind it.
            def checker(value: Any) -> Any:
                encode(value)
                return value

            tests["__rk_check__"] = checker
            scope = {"__rk_check__": checker}
            parts = [encode(eval(compile(src, "tests.py", "eval"), tests, scope)) for src in exprs]
            outcome = '{"values":[' + _join(",", parts) + "]}"
        elif kind == "raw":
            outcome = '{"done":true}'
    except _SystemExit as exc:
        status = exc.code
        if status is None:
            exit_code = 0
        elif _type(status) is _int or _type(status) is bool:
            exit_code = _int.__and__(_int(status), 0xFF)
        else:
            exit_code = 1
        if kind != "stdio":
            outcome = '{"error":"SystemExit before the test finished"}'
    except _Unserialisable as exc:
        outcome = '{"unserialisable":' + quote(_str.__str__(exc.args[0])[:200]) + "}"
        exit_code = 1
    except _BaseException as exc:
        outcome = describe(exc)
        exit_code = 1
    if outcome is None:
        outcome = "{}"
    try:
        _run_exitfuncs()
    except _BaseException:
        pass
    try:
        sys.stdout.flush()
    except _BaseException:
        exit_code = 120
    try:
        sys.stderr.flush()
    except _BaseException:
        pass
    report = '{"exit":' + _irepr(exit_code) + ',"outcome":' + outcome + "}"
    data = _str.encode(report, "ascii", "replace")
    frame = nonce + b" " + _str.encode(_irepr(_len(data))) + b"\n" + data
    view = _memoryview(frame)
    while view:
        n = write(3, view)
        view = view[n:]
    exit_(exit_code)


# --------------------------------------------------------------------------- the zygote side


def _fork_child(uid: int) -> dict[str, int]:
    """Fork a child ahead of need; it waits for its test message on a pipe.

    The zygote forks the next child while the current one runs (or right after answering), so
    the fork is off the critical path ("pre-forked"). The spare keeps only its own pipes.
    """
    go_r, go_w = os.pipe()
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    setup_r, setup_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            keep = {0, 1, 2, go_r, in_r, out_w, err_w, res_w, setup_w}
            for name in os.listdir("/proc/self/fd"):
                if int(name) not in keep:
                    try:
                        os.close(int(name))
                    except OSError:
                        pass
            msg = _recv(go_r)
        except BaseException:
            os._exit(0)
        if msg is None:  # the zygote discarded us or exited
            os._exit(0)
        _child(msg, msg["run_dir"], uid, (in_r, out_w, err_w, res_w, setup_w))
    for fd in (go_r, in_r, out_w, err_w, res_w, setup_w):
        os.close(fd)
    return {"pid": pid, "go": go_w, "in": in_w, "out": out_r, "err": err_r, "res": res_r,
            "setup": setup_r}  # fmt: skip


def _discard_child(spare: dict[str, int]) -> None:
    for name in ("go", "in", "out", "err", "res", "setup"):
        try:
            os.close(spare[name])
        except OSError:
            pass
    _kill_group(spare["pid"])
    try:
        os.waitpid(spare["pid"], 0)
    except ChildProcessError:
        pass


def _run_case(msg: dict[str, Any], run_dir: str, uid: int, state: dict[str, Any]) -> dict[str, Any]:
    """Hand one test case to a (pre-forked) child and collect what it produced."""
    timeout = float(msg["timeout"])
    max_out = int(msg["max_output"])
    try:
        stdin_data = msg.get("stdin", "").encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        stdin_data = msg.get("stdin", "").encode("utf-8", "surrogatepass")
    msg["run_dir"] = run_dir
    msg.pop("stdin", None)
    child = state.pop("spare", None) or _fork_child(uid)
    pid = child["pid"]
    in_w, out_r, err_r = child["in"], child["out"], child["err"]
    res_r, setup_r = child["res"], child["setup"]
    start = time.monotonic()
    try:
        _send(child["go"], msg)
    except OSError:  # the child died before its message: it reports no setup, an infra error
        pass
    os.close(child["go"])
    try:
        state["spare"] = _fork_child(uid)  # runs alongside the child on another core
    except OSError:
        pass
    pidfd = os.pidfd_open(pid)
    for fd in (in_w, out_r, err_r, res_r, setup_r):
        os.set_blocking(fd, False)
    sel = selectors.DefaultSelector()
    bufs = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray(), setup_r: bytearray()}
    caps = {out_r: max_out, err_r: 1 << 16, res_r: max_out + 4096, setup_r: 4096}
    over = {out_r: False, err_r: False, res_r: False, setup_r: False}
    for fd in bufs:
        sel.register(fd, selectors.EVENT_READ)
    sel.register(pidfd, selectors.EVENT_READ)
    pending = memoryview(stdin_data)
    if pending:
        sel.register(in_w, selectors.EVENT_WRITE)
    else:
        os.close(in_w)
        in_w = -1
    deadline = start + timeout
    timed_out = output_limit = False
    status = None
    exited_at = None
    while True:
        now = time.monotonic()
        if status is None and now >= deadline:
            timed_out = True
            _kill_group(pid)
        if exited_at is not None and (now - exited_at > 0.05 or len(sel.get_map()) == 0):
            break
        wait = 0.05 if status is not None else max(0.0, deadline - now)
        if status is None and len(sel.get_map()) == 0:
            wait = max(0.0, deadline - now)
        for key, _ in sel.select(min(wait, 1.0)):
            fd = key.fd
            if fd == pidfd:
                sel.unregister(pidfd)
                _, status = os.waitpid(pid, 0)
                exited_at = time.monotonic()
                continue
            if fd == in_w:
                try:
                    n = os.write(in_w, pending[: 1 << 16])
                    pending = pending[n:]
                except BlockingIOError:
                    continue
                except OSError:  # the child closed stdin early
                    pending = pending[:0]
                if not pending:
                    sel.unregister(in_w)
                    os.close(in_w)
                    in_w = -1
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                sel.unregister(fd)
                continue
            buf = bufs[fd]
            if fd == err_r:
                buf += chunk
                if len(buf) > caps[err_r]:
                    del buf[: len(buf) - caps[err_r]]
                    over[err_r] = True
            else:
                room = caps[fd] - len(buf)
                buf += chunk[:room]
                if len(chunk) > room:
                    over[fd] = True
                    if fd == out_r and not output_limit:
                        output_limit = True
                        _kill_group(pid)
        if status is not None and not sel.get_map():
            break
    wall = time.monotonic() - start
    if status is None:  # still running after the loop (should not happen): make sure
        _kill_group(pid)
        _, status = os.waitpid(pid, 0)
    clean = _sweep(uid)
    for key in list(sel.get_map().values()):
        if key.fd != pidfd:
            sel.unregister(key.fileobj)
    sel.close()
    for fd in (out_r, err_r, res_r, setup_r, pidfd):
        os.close(fd)
    if in_w >= 0:
        os.close(in_w)
    setup_msg = bytes(bufs[setup_r])
    return {
        "ok": True,
        "setup": setup_msg.decode("utf-8", "replace"),
        "exit": os.waitstatus_to_exitcode(status),
        "timed_out": timed_out,
        "output_limit": output_limit,
        "wall": wall,
        "stdout": base64.b64encode(bytes(bufs[out_r])).decode(),
        "stderr": bytes(bufs[err_r]).decode("utf-8", "replace"),
        "stderr_truncated": over[err_r],
        "result": base64.b64encode(bytes(bufs[res_r])).decode(),
        "result_overflow": over[res_r],
        "swept": clean,
    }


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _begin(msg: dict[str, Any], uid: int, state: dict[str, Any]) -> dict[str, Any]:
    _end(uid, state)
    run_dir = os.path.join("/tmp", "run-" + os.urandom(12).hex())
    os.mkdir(run_dir, 0o700)
    os.chown(run_dir, uid, uid)
    for name, text in (msg.get("files") or {}).items():
        if "/" in name or name.startswith("."):
            raise ValueError(f"bad file name {name!r}")
        path = os.path.join(run_dir, name)
        with open(path, "w", encoding="utf-8", errors="replace") as fh:
            fh.write(text)
        os.chown(path, uid, uid)
        os.chmod(path, 0o600)
    state["run_dir"] = run_dir
    state["code"] = msg.get("code", "")
    return {"ok": True}


def _end(uid: int, state: dict[str, Any]) -> dict[str, Any]:
    clean = _sweep(uid)
    run_dir = state.pop("run_dir", None)
    state.pop("code", None)
    if run_dir:
        shutil.rmtree(run_dir, ignore_errors=True)
    return {"ok": True, "swept": clean}


def main() -> None:
    uid = int(sys.argv[1])
    # The worker that started us may run under its own RLIMIT_AS/NPROC; children get theirs set
    # explicitly, and the zygote itself must not inherit a tight one.
    for which in (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE):
        try:
            resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        except (ValueError, OSError):
            pass
    cmd_fd, reply_fd = os.dup(0), os.dup(1)
    null = os.open("/dev/null", os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    os.umask(0o077)
    state: dict[str, Any] = {}
    _send(reply_fd, {"ok": True, "ready": True, "pid": os.getpid()})
    while True:
        msg = _recv(cmd_fd)
        if msg is None:
            break
        op = msg.get("op")
        try:
            if op == "begin":
                reply = _begin(msg, uid, state)
            elif op == "exec":
                if not state.get("run_dir"):
                    raise RuntimeError("exec before begin")
                msg["code"] = state.get("code", "")
                reply = _run_case(msg, state["run_dir"], uid, state)
            elif op == "end":
                reply = _end(uid, state)
            elif op == "ping":
                reply = {"ok": True}
            else:
                reply = {"ok": False, "error": f"unknown op {op!r}"}
        except Exception as exc:
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        _send(reply_fd, reply)
        if "spare" not in state:  # the spare serves any later run: the message names the run
            try:
                state["spare"] = _fork_child(uid)
            except OSError:
                pass  # forked on demand instead
    _end(uid, state)
    if "spare" in state:
        _discard_child(state.pop("spare"))


if __name__ == "__main__":
    main()
