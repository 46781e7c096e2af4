"""Worker lifecycle (issue 2 point 4): workers never multiply and never outlive their owner.

Guards against two engine defects found in an audit, where one helper script left over 1,200
orphaned ``rewardkit.core._worker`` processes and a load average of ~1,500:

* the unguarded-script fork bomb: a worker re-runs the user's script to find the verifiers it
  defines; a top-level ``rk.score(..., workers=2)`` in that script started two more workers
  inside every worker, recursively;
* orphans: a parent killed with SIGKILL while a worker was stuck in a sample left the worker
  running forever (it only noticed the parent on its next read of the pipe).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import faulty_verifiers  # noqa: F401  registers test.faulty / test.len

import rewardkit as rk
from rewardkit.core._worker import PARENT_PID_ENV

VERIFIER = """
import sys, time
import rewardkit as rk

@rk.verifier("script.echo")
def echo():
    "Scores 1 when the response equals the reference; 'hang' sleeps."
    def score(sample):
        if sample.response == "hang":
            time.sleep(600)
        return rk.RewardResult.ok(float(sample.response == sample.reference))
    return score

SPEC = {"terms": [{"verifier": "script.echo"}]}
"""


def _workers_of(pid: int) -> list[int]:
    """Live (non-zombie) processes whose pool belongs to ``pid``."""
    found = []
    marker = f"{PARENT_PID_ENV}={pid}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _wait_until(cond, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def _script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "score_script.py"
    path.write_text(VERIFIER + textwrap.dedent(body))
    return path


def test_unguarded_script_gets_a_clear_error_not_a_fork_bomb(tmp_path):
    script = _script(
        tmp_path,
        """
        import json, os
        print("PID", os.getpid(), flush=True)
        results = rk.score([rk.Sample(response="a", reference="a")] * 3, SPEC, workers=2, timeout=20)
        print("RESULTS", json.dumps([r.to_dict() for r in results]), flush=True)
        """,
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    results = json.loads(lines["RESULTS"])
    assert [r["status"] for r in results] == ["error"] * 3
    assert all('if __name__ == "__main__":' in r["details"]["reason"] for r in results)
    assert proc.stdout.count("PID") == 1  # the script body ran once, in the parent only
    assert _wait_until(lambda: not _workers_of(int(lines["PID"])), 10)


def test_guarded_script_scores_its_own_verifier_in_workers(tmp_path):
    script = _script(
        tmp_path,
        """
        if __name__ == "__main__":
            import json
            samples = [rk.Sample(response=r, reference="a") for r in ["a", "b", "a"]]
            results = rk.score(samples, SPEC, workers=2, timeout=20)
            print(json.dumps([r.value for r in results]))
        """,
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [1.0, 0.0, 1.0]


def test_workers_die_with_a_killed_parent_even_mid_sample(tmp_path):
    script = _script(
        tmp_path,
        """
        if __name__ == "__main__":
            rk.score([rk.Sample(response="hang", reference=r) for r in "ab"], SPEC, workers=2, timeout=600)
        """,
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.DEVNULL)
    try:
        assert _wait_until(lambda: len(_workers_of(proc.pid)) == 2, 60), "workers did not start"
        time.sleep(1.0)  # both workers are now inside the hanging sample, not reading the pipe
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert _wait_until(lambda: not _workers_of(proc.pid), 10), _workers_of(proc.pid)


def test_score_inside_a_worker_runs_inline():
    """A verifier that calls ``rk.score(workers=4)`` itself gets results, and no nested pool."""
    results = rk.score(
        [rk.Sample(response="nested", reference="x")], {"terms": [{"verifier": "test.faulty"}]}, workers=1
    )
    assert results[0].status == "ok", results[0]
    assert results[0].details["nested_workers"] == []
    assert results[0].details["nested_status"] == "ok"


def test_pool_started_from_a_short_lived_thread_survives_it():
    """Workers arm PR_SET_PDEATHSIG, which follows the thread that forked them."""
    import threading

    from rewardkit.core.pool import WorkerPool

    pool = WorkerPool(1, memory_mb=None)
    spec = {"terms": [{"verifier": "test.len"}]}
    key = rk.load_spec(spec).fingerprint
    modules = [("faulty_verifiers", None)]
    units = [(0, 0, rk.Sample(response="abc", reference="").to_dict())]
    out: dict = {}
    t = threading.Thread(target=lambda: out.update(pool.run(key, spec, modules, units, 30.0)))
    t.start()
    t.join()
    try:
        assert out[0].status == "ok"
        time.sleep(0.5)  # the starting thread has ended
        again = pool.run(key, spec, modules, [(1, 0, units[0][2])], 30.0)
        assert again[1].status == "ok", again[1]
        assert _workers_of(os.getpid())
    finally:
        pool.close()
