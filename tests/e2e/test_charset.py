"""A text body in the charset its Content-Type declares comes out as
UTF-8 text in the record (--body=text and auto), not as base64 (issue 14,
as httpie does)."""
import pytest

from rawserver import RawServer, response

BODIES = {
    "/latin1": (u"caf\u00e9 na\u00efve \u00bd".encode("iso-8859-1"),
                "text/plain; charset=iso-8859-1"),
    "/quoted": (u"\u041f\u0440\u0438\u0432\u0435\u0442".encode("koi8-r"),
                'text/html; Charset="KOI8-R"'),
    "/sjis": (u"\u65e5\u672c\u8a9e".encode("shift_jis"),
              "text/plain;charset=Shift_JIS"),
    "/unknown": (b"\xff\xfe plain", "text/plain; charset=x-no-such-set"),
    "/utf8": (u"d\u00e9j\u00e0".encode("utf-8"),
              "text/plain; charset=utf-8"),
    "/badutf16": (b"\xd8\x00", "text/plain; charset=utf-16be"),
}


@pytest.fixture
def srv():
    def respond(req):
        body, ctype = BODIES[req.target]
        return response(200, body, [("Content-Type", ctype)]), "keep"
    s = RawServer(respond)
    yield s
    s.stop()


@pytest.mark.parametrize("mode", ["text", "auto"])
def test_declared_charsets_become_utf8_text(run, srv, mode):
    urls = [srv.url(p) for p in ("/latin1", "/quoted", "/sjis", "/utf8")]
    code, recs, err = run(["--body=" + mode, "--ordered"] + urls)
    assert code == 0, err
    got = [(r["body"], r["body_encoding"]) for r in recs]
    assert got == [(u"caf\u00e9 na\u00efve \u00bd", "text"),
                   (u"\u041f\u0440\u0438\u0432\u0435\u0442", "text"),
                   (u"\u65e5\u672c\u8a9e", "text"),
                   (u"d\u00e9j\u00e0", "text")]


def test_unknown_or_invalid_charset_keeps_the_old_rules(run, srv):
    code, recs, err = run(["--body", "--ordered", srv.url("/unknown"),
                           srv.url("/badutf16")])
    assert code == 0, err
    # Not valid UTF-8 and no charset iconv knows (or bytes that are not
    # valid in it): base64, byte for byte.
    assert [r["body_encoding"] for r in recs] == ["base64", "base64"]
