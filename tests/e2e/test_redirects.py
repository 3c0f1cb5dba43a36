"""Redirects: counted, followed to final_url, bounded, or not followed
(SPEC --no-follow, --max-redirs, final_url, redirects)."""

import json

from conftest import assert_record_shape, kind


def one(run, url, *opts, input=None):
    args = ["--retries", "0"] + list(opts)
    if url:
        args.append(url)
    code, recs, err = run(args, input=input)
    assert len(recs) == 1, err
    assert_record_shape(recs[0])
    return code, recs[0], err


def test_redirects_are_followed_and_counted(run, server):
    code, r, err = one(run, server.url("/redirect/3"))
    assert code == 0, err
    assert r["ok"] and r["status"] == 200
    assert r["redirects"] == 3
    assert r["url"] == server.url("/redirect/3")
    assert r["final_url"] == server.url("/redirect/0")
    assert [q["path"] for q in server.requests()] == [
        "/redirect/3", "/redirect/2", "/redirect/1", "/redirect/0"]


def test_absolute_redirects_to_another_host_are_followed(run, server):
    target = server.url("/ok?moved=1", 1)
    code, r, err = one(run, server.url("/redirect-to?url=" + target))
    assert code == 0, err
    assert r["final_url"] == target
    assert r["redirects"] == 1


def test_no_redirect_means_final_url_is_the_url(run, server):
    code, r, err = one(run, server.url("/ok"))
    assert r["redirects"] == 0
    assert r["final_url"] == server.url("/ok")


def test_no_follow_returns_the_redirect_itself(run, server):
    code, r, err = one(run, server.url("/redirect/3"), "--no-follow")
    assert code == 0, err
    assert r["ok"] is True
    assert r["status"] == 302
    assert r["redirects"] == 0
    assert r["final_url"] == server.url("/redirect/3")
    assert len(server.requests()) == 1


def test_no_follow_does_not_judge_the_location_scheme(run, server):
    code, r, err = one(run, server.url("/to-file"), "--no-follow")
    assert code == 0, err
    assert r["status"] == 302


def test_max_redirs_allows_exactly_that_many(run, server):
    code, r, err = one(run, server.url("/redirect/3"), "--max-redirs", "3")
    assert code == 0, err
    assert r["redirects"] == 3
    code, r, err = one(run, server.url("/redirect/4"), "--max-redirs", "3")
    assert code == 1
    assert kind(r) == "too_many_redirects"


def test_max_redirs_zero_refuses_any_redirect(run, server):
    code, r, err = one(run, server.url("/redirect/1"), "--max-redirs", "0")
    assert code == 1
    assert kind(r) == "too_many_redirects"


def test_303_after_post_becomes_get(run, server):
    url = server.url("/redirect-to?status=303&url=/echo")
    code, r, err = one(run, url, "-d", "payload", "--body=json")
    assert code == 0, err
    assert r["method"] == "POST"
    assert r["body"]["method"] == "GET"


def test_307_keeps_method_and_body(run, server):
    url = server.url("/redirect-to?status=307&url=/echo")
    code, r, err = one(run, url, "-d", "payload", "--body=json")
    assert code == 0, err
    assert r["body"]["method"] == "POST"
    assert r["body"]["body"] == "payload"


def test_redirect_from_a_json_line_is_counted(run, server):
    line = json.dumps({"url": server.url("/redirect/2"), "id": "r"})
    code, r, err = one(run, None, input=line + "\n")
    assert code == 0, err
    assert r["id"] == "r"
    assert r["redirects"] == 2
    assert r["final_url"] == server.url("/redirect/0")
