"""``rewardkit score INPUT [-o OUTPUT] [--spec SPEC] [--workers N] [--timeout S]``.

Exit codes: 0 every row was read and scored; 1 some row was unreadable (it is still written, with
``status="invalid_input"``); 2 the spec, the arguments, the input file or the output path is
unusable (nothing is scored, no output file is written); 3 the spec says ``on_error = "raise"``
and a row failed (the rows of the batches finished before it are written).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from typing import Any, TextIO

from rewardkit.cli._io import InputFileError, RowWriter, count_rows, input_schema, read_rows
from rewardkit.core import batching
from rewardkit.core.engine import DEFAULT_MEMORY_MB, score
from rewardkit.core.errors import RewardError
from rewardkit.core.rows import result_to_row, row_to_sample
from rewardkit.core.spec import load_spec
from rewardkit.core.types import RewardResult, Sample

BATCH_ROWS = 1024
#: With ``[[shaping]]`` a batch grows past BATCH_ROWS until the current group ends, at most
#: this many times BATCH_ROWS (a bound on memory when a file has no group boundaries).
MAX_GROUP_BATCHES = batching.MAX_GROUP_BATCHES
#: Exit codes (README, "Command line").
EXIT_UNREADABLE_ROW = 1
EXIT_UNUSABLE = 2
EXIT_RAISED = 3


def add_parser(sub: Any) -> None:
    """Register the ``score`` subcommand."""
    p = sub.add_parser("score", help="score a JSONL, JSON or Parquet file of responses")
    p.add_argument("input", help="input file (.jsonl, .json, .parquet; '-' for JSONL on stdin)")
    p.add_argument("-o", "--output", help="output file (.jsonl or .parquet); default stdout")
    p.add_argument("--spec", default="math", help="built-in spec name or spec file (default: math)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument("--timeout", type=float, default=None, help="per-sample deadline in seconds")
    p.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="per-worker memory cap")
    p.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")
    p.set_defaults(func=run)


class Progress:
    """A progress bar with rate and ETA on stderr (a line every few seconds when not a TTY)."""

    def __init__(self, total: int | None, stream: TextIO, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.shown: int | None = None  # rows in the last line drawn

    def update(self, done: int, final: bool = False) -> None:
        """Redraw for ``done`` rows finished."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        if final and not self.tty and done == self.shown:
            return  # that line is already in the log
        self.shown = done
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        if self.total:
            frac = min(done / self.total, 1.0)
            bar = "#" * int(frac * 30) + "." * (30 - int(frac * 30))
            eta = (self.total - done) / rate if rate > 0 else 0.0
            text = f"[{bar}] {done}/{self.total} {frac:6.1%} {rate:8.1f} rows/s ETA {_fmt_time(eta)}"
        else:
            text = f"{done} rows {rate:8.1f} rows/s elapsed {_fmt_time(elapsed)}"
        self.stream.write(("\r" + text) if self.tty else text + "\n")
        if final and self.tty:
            self.stream.write("\n")
        self.stream.flush()


def _fmt_time(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class Summary:
    """Counts rows by status and averages rewards per term."""

    def __init__(self) -> None:
        self.status: Counter[str] = Counter()
        self.sums: dict[str, float] = defaultdict(float)
        self.counts: Counter[str] = Counter()
        self.unreadable = 0

    def add(self, result: RewardResult, readable: bool = True) -> None:
        """Account for one output row."""
        self.status[result.status] += 1
        if not readable:
            self.unreadable += 1
        if result.status == "ok" and result.value is not None:
            self.sums["reward"] += result.value
            self.counts["reward"] += 1
        for name, value in result.components.items():
            self.sums[name] += value
            self.counts[name] += 1

    def render(self) -> str:
        """The summary table as text."""
        total = sum(self.status.values())
        lines = [f"rows: {total}" + (f" (unreadable: {self.unreadable})" if self.unreadable else "")]
        lines.append(f"{'status':<16}{'rows':>10}{'share':>10}")
        for status in ("ok", "timeout", "error", "invalid_input"):
            n = self.status.get(status, 0)
            share = n / total if total else 0.0
            lines.append(f"{status:<16}{n:>10}{share:>10.1%}")
        lines.append(f"{'term':<24}{'mean':>10}{'rows':>10}")
        names = ["reward"] + sorted(k for k in self.counts if k != "reward")
        for name in names:
            n = self.counts.get(name, 0)
            mean = f"{self.sums[name] / n:.4f}" if n else "-"  # no rows: no mean (never nan)
            lines.append(f"{name:<24}{mean:>10}{n:>10}")
        return "\n".join(lines)


class _Stopped(Exception):
    """A row failed under ``on_error = "raise"``: stop, keeping the rows already written."""

    def __init__(self, line: int, error: RewardError) -> None:
        reason = " ".join(str(error.reason).split())
        if len(reason) > 300:
            reason = reason[:300] + "..."
        super().__init__(
            f"line {line}: {error.status}: {reason}; stopped because the spec says "
            'on_error = "raise" (rows of earlier batches were written)'
        )
        self.line = line


def _check_args(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments, before anything is read or scored."""
    if args.workers is not None and args.workers < 0:
        return f"--workers must be >= 0, got {args.workers}"
    if args.timeout is not None and not args.timeout > 0:
        return f"--timeout must be a positive number of seconds, got {args.timeout}"
    if args.memory_mb is not None and args.memory_mb < 0:
        return f"--memory-mb must be >= 0 (0: no cap), got {args.memory_mb}"
    out = args.output
    if out and out != "-" and args.input != "-" and os.path.exists(out) and os.path.exists(args.input):
        if os.path.samefile(args.input, out):
            return f"{out}: the output is the input file; write the scored rows to another file"
    return None


def run(args: argparse.Namespace) -> int:
    """Score the input file; the exit codes are in the module docstring."""
    spec = load_spec(args.spec)
    problem = _check_args(args)
    if problem is not None:
        print(f"rewardkit score: {problem}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        total = count_rows(args.input)
        rows = read_rows(args.input)
        writer = RowWriter(args.output, schema=input_schema(args.input))
    except (OSError, ValueError) as exc:
        print(f"rewardkit score: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    progress = Progress(total, sys.stderr, enabled=not args.no_progress)
    summary = Summary()
    done = 0

    def flush(batch: list[tuple[int, Any]]) -> None:
        nonlocal done
        samples: list[Sample] = []
        lines: list[int] = []
        slots: list[int] = []
        outcomes: list[tuple[dict[str, Any], RewardResult | None, bool]] = []
        for line, item in batch:
            if isinstance(item, ValueError):
                outcomes.append(_bad_row(line, item, None))
                continue
            try:
                sample = row_to_sample(item)
            except (TypeError, ValueError) as exc:
                outcomes.append(_bad_row(line, exc, item))
                continue
            slots.append(len(outcomes))
            samples.append(sample)
            lines.append(line)
            outcomes.append((item, None, True))
        base = done

        def report(n: int, _total: int) -> None:
            progress.update(base + (n * len(samples) // max(_total, 1)))

        try:
            results = score(
                samples,
                spec,
                workers=args.workers,
                timeout=args.timeout,
                progress=report,
                memory_mb=args.memory_mb or None,
            )
        except RewardError as exc:
            raise _Stopped(lines[exc.index], exc) from exc
        for slot, result in zip(slots, results, strict=True):
            outcomes[slot] = (outcomes[slot][0], result, True)
        out_rows = []
        for row, maybe, readable in outcomes:
            assert maybe is not None
            summary.add(maybe, readable)
            out_rows.append(result_to_row(row, maybe))
        writer.write(out_rows)
        done += len(batch)
        progress.update(done)

    warned = False

    def on_split(entry: tuple[int, Any]) -> None:
        nonlocal warned
        if not warned:
            warned = True
            print(
                f"rewardkit score: line {entry[0]}: its group was already scored in an earlier batch; "
                "keep the samples of a group on consecutive lines so they are shaped together",
                file=sys.stderr,
            )

    # Shaping needs every sample of a group in the same batch (same cut as rk.score_iter).
    key = (lambda entry: _group_of(entry[1])) if spec.shaping else None
    stopped: _Stopped | None = None
    try:
        for batch in batching.group_batches(
            rows, BATCH_ROWS, key, max_batches=MAX_GROUP_BATCHES, on_split=on_split
        ):
            flush(batch)
    except InputFileError as exc:  # the whole file is unreadable (e.g. invalid JSON document)
        writer.abort()
        print(f"rewardkit score: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except _Stopped as exc:
        stopped = exc
    except BaseException:
        writer.abort()  # a crash or ^C leaves no half-written file under the output's name
        raise
    try:
        writer.close()  # atomic: the output appears under its name only now
    except OSError as exc:
        print(f"rewardkit score: cannot write {args.output}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    progress.update(done, final=True)
    print(summary.render(), file=sys.stderr)
    if stopped is not None:
        print(f"rewardkit score: {stopped}", file=sys.stderr)
        return EXIT_RAISED
    return EXIT_UNREADABLE_ROW if summary.unreadable else 0


def _group_of(item: Any) -> str | None:
    """The shaping group of an input row (``None`` for an unreadable row)."""
    if not isinstance(item, dict):
        return None
    from rewardkit.shaping.stage import group_key

    try:
        return group_key(row_to_sample(item))
    except (TypeError, ValueError):
        return None


def _bad_row(
    line: int, exc: Exception, row: dict[str, Any] | None
) -> tuple[dict[str, Any], RewardResult, bool]:
    reason = f"line {line}: {exc}"
    print(f"rewardkit score: {reason}", file=sys.stderr)
    result = RewardResult.fail("invalid_input", reason)
    return ({"line": line} if row is None else {"line": line, **row}), result, False
