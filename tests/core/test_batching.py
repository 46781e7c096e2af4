"""group_batches: the batch cut shared by rk.score_iter and `rewardkit score`."""

import pytest

from rewardkit.core.batching import group_batches


def cut(items, size, key=None, **kw):
    return [list(b) for b in group_batches(items, size, key, **kw)]


def test_without_a_key_batches_are_fixed_size():
    assert cut(range(7), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert cut([], 3) == []


def test_a_group_is_never_cut():
    items = ["a1", "a2", "a3", "b1", "b2", "c1"]
    assert cut(items, 2, key=lambda s: s[0]) == [["a1", "a2", "a3"], ["b1", "b2"], ["c1"]]


def test_an_item_without_a_group_stays_with_the_previous_one():
    items = ["a1", None, "a2", "b1"]
    key = lambda s: None if s is None else s[0]  # noqa: E731
    assert cut(items, 1, key=key) == [["a1", None, "a2"], ["b1"]]


def test_the_cap_bounds_a_huge_group_and_reports_the_split():
    split = []
    got = cut(["a"] * 7, 2, key=lambda s: s, max_batches=2, on_split=split.append)
    assert [len(b) for b in got] == [4, 3]
    assert len(split) == 3  # every item after the forced cut


def test_a_group_that_comes_back_is_reported():
    split = []
    got = cut(["a", "a", "b", "b", "a"], 2, key=lambda s: s, on_split=split.append)
    assert got == [["a", "a"], ["b", "b"], ["a"]]
    assert split == ["a"]


def test_streams_lazily():
    seen = []

    def gen():
        for i in range(10):
            seen.append(i)
            yield i

    it = group_batches(gen(), 3)
    assert next(it) == [0, 1, 2] and seen == [0, 1, 2, 3]


@pytest.mark.parametrize("size,cap", [(0, 1), (1, 0)])
def test_bad_sizes_raise(size, cap):
    with pytest.raises(ValueError, match="must be >= 1"):
        cut([1], size, max_batches=cap)
