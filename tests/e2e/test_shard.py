"""--shard K/N: process only the requests whose global index i has
i % N == K-1, so N machines given the same list share it without overlap
(SPEC --shard, "Input lines"; issue #3)."""

import pytest

from conftest import assert_record_shape, kind, lines_file
from faults import started_indexes


def mixed_lines(server, n=40):
    """n request lines (URLs with n=<index>, invalid lines) with comments
    and blank lines between them, which are not requests."""
    lines, expect = [], {}
    k = 0
    for j in range(n):
        if j % 9 == 0:
            lines.append("# comment %d" % j)
            lines.append("")
        if j % 7 == 3:
            lines.append("ftp://127.0.0.1/n=%d" % k)
            expect[k] = "invalid_url"
        elif j % 11 == 5:
            lines.append('{"url": "%s", "bogus": %d}' % (
                server.url("/ok?n=%d" % k), k))
            expect[k] = "invalid_input"
        elif j % 13 == 6:
            lines.append('{"url": oops %d' % k)
            expect[k] = "invalid_input"
        else:
            lines.append(server.url("/ok?n=%d" % k))
            expect[k] = None
        k += 1
    return lines, expect


def test_three_shards_cover_every_index_exactly_once(run, server,
                                                     tmp_path):
    lines, expect = mixed_lines(server)
    n = len(expect)
    f = lines_file(tmp_path / "urls", lines)
    seen = []
    for k in (1, 2, 3):
        server.reset()
        code, recs, err = run(["--shard", "%d/3" % k, "-i", f])
        for r in recs:
            assert_record_shape(r)
            assert r["index"] % 3 == k - 1, (k, r["index"])
            assert kind(r) == expect[r["index"]], r
            if expect[r["index"]] is None:
                assert r["url"] == server.url("/ok?n=%d" % r["index"])
        mine = {i for i in range(n) if i % 3 == k - 1}
        assert {r["index"] for r in recs} == mine
        bad = any(expect[i] for i in mine)
        assert code == (1 if bad else 0), err
        # Only this shard's requests reached the server.
        assert started_indexes(server) == {i for i in mine
                                           if expect[i] is None}
        seen += [r["index"] for r in recs]
    assert sorted(seen) == list(range(n)), "shards overlap or miss indexes"
    assert any(expect.values()), "the list has no invalid lines"


def test_shard_indexes_are_global_across_sources(run, server, tmp_path):
    args_urls = [server.url("/ok?n=%d" % k) for k in range(4)]
    f1 = lines_file(tmp_path / "a", [server.url("/ok?n=%d" % k)
                                     for k in range(4, 9)])
    f2 = lines_file(tmp_path / "b", ["ftp://x/9"] +
                    [server.url("/ok?n=%d" % k) for k in range(10, 15)])
    seen = []
    for k in (1, 2, 3, 4):
        code, recs, err = run(["--shard", "%d/4" % k] + args_urls +
                              ["-i", f1, "-i", f2])
        got = sorted(r["index"] for r in recs)
        assert got == list(range(k - 1, 15, 4))
        for r in recs:
            if r["index"] != 9:
                assert r["url"].endswith("n=%d" % r["index"])
        seen += got
    assert sorted(seen) == list(range(15))


def test_shard_with_stdin_and_ordered(run, server):
    text = "".join(server.url("/ok?n=%d" % k) + "\n" for k in range(30))
    code, recs, err = run(["--shard", "2/5", "--ordered", "-c", "4"],
                          input=text)
    assert code == 0, err
    assert [r["index"] for r in recs] == list(range(1, 30, 5))


def test_shard_1_of_1_is_everything(run, server):
    urls = [server.url("/ok?n=%d" % k) for k in range(5)]
    code, recs, err = run(["--shard", "1/1"] + urls)
    assert code == 0, err
    assert sorted(r["index"] for r in recs) == list(range(5))


def test_a_shard_with_no_requests_is_empty_and_ok(run, server):
    urls = [server.url("/ok?n=%d" % k) for k in range(3)]
    code, recs, err = run(["--shard", "5/8"] + urls)
    assert code == 0, err
    assert recs == []
    assert server.stats()["count"] == 0


@pytest.mark.parametrize("value", [
    "0/3", "4/3", "1/0", "abc", "", "1/", "/3", "3", "1/3x", "0/0",
    "1/-3", "-1/3", "1/99999999999999999999"])
def test_bad_shard_is_a_usage_error_naming_the_option(run, server, value):
    code, recs, err = run(["--shard", value, server.url("/ok")])
    assert code == 2, "--shard %r accepted (exit %d)" % (value, code)
    assert recs == []
    assert "--shard" in err
    assert "'%s'" % value in err, err
    assert "Try 'cofetch --help'." in err
    assert server.stats()["count"] == 0
