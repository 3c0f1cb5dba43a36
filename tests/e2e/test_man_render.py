"""The man page as a reader sees it (mandoc -Tascii), not only as
mandoc -Tlint checks it: lint does not catch a macro nested where it
renders garbled, such as a Ql inside a one-line .Pq (issue 14)."""

import pathlib
import re
import shutil
import subprocess

import pytest

MAN = pathlib.Path(__file__).resolve().parents[2] / "man" / "cofetch.1"


def rendered():
    if not shutil.which("mandoc"):
        pytest.fail("mandoc not installed (make deps)")
    p = subprocess.run(["mandoc", "-Tascii", str(MAN)], capture_output=True,
                       check=True)
    # Drop overstrike (bold, underline) and join the filled lines.
    text = re.sub(r".\x08", "", p.stdout.decode())
    return " ".join(text.split())


def test_stats_paragraph_renders_with_balanced_quotes():
    text = rendered()
    start = text.index("--stats At the end")
    para = text[start:text.index("-q, --quiet", start)]
    assert ("`status' (counts by class, `1xx' to `5xx', and `none'), "
            "`errors' (counts by error kind)") in para, para
    assert ("`latency' (`min', `p50', `p90', `p99', `max') in seconds"
            in para), para
    assert "names every error kind" in para


def test_every_quote_in_the_page_is_closed():
    """Each `quoted' word closes before the next opens: a garbled
    nesting shows as `a `b''."""
    text = rendered()
    bad = re.findall(r"`[^'`]{0,60}`", text)
    assert not bad, bad[:5]
