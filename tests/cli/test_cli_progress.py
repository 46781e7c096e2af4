"""The CLI's progress lines when stderr is not a terminal (CI logs)."""

import io

from rewardkit.cli.score import Progress


def test_final_line_is_not_repeated_in_a_log():
    """Regression: the last batch's line and the final line were the same line, printed twice."""
    out = io.StringIO()
    p = Progress(10, out)
    p.last = -1e9  # the throttle has expired
    p.update(10)
    p.update(10, final=True)
    assert out.getvalue().count("10/10") == 1


def test_final_line_is_written_when_rows_were_added_since():
    out = io.StringIO()
    p = Progress(10, out)
    p.last = -1e9
    p.update(4)
    p.update(10, final=True)
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["4/10", "10/10"]


def test_total_counts_rows_not_blank_lines(tmp_path):
    """Regression: blank lines (skipped by the reader) made the bar's total too large."""
    from rewardkit.cli._io import count_rows

    path = tmp_path / "in.jsonl"
    path.write_text('{"a": 1}\n\n   \n{"a": 2}\n\n{"a": 3}')  # no newline after the last row
    assert count_rows(str(path)) == 3
