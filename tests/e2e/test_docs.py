"""The documentation agrees with itself and with the program: the man page
lints clean; --help, the man page's OPTIONS and the README's option table
name the same options with the same defaults; every command in the man
page's EXAMPLES runs and succeeds against local servers; the README opens
with the build-and-run and the test commands, which the Makefile has.

The man page is the repository's copy of the contract (what users read):
--help and the README are checked against it, and nothing outside the
repository is read."""

import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

from conftest import (BINARY, ROOT, SLOW, binary_env, check_sanitizer,
                      lines_file, parse_records)

MAN = ROOT / "man" / "cofetch.1"
README = ROOT / "README"
MAKEFILE = ROOT / "Makefile"
LOCALHOST = "http://localhost:8080"
# A default that is a value (a number, a size, a list, a method), not
# prose like "on when stderr is a terminal".
VALUE_RE = re.compile(r"^([\d./]+[KMG]?|[a-z0-9,]+,[a-z0-9,]+|[A-Z]+)$")

OPT_RE = re.compile(r"(?<![\w-])(--?[A-Za-z0-9][A-Za-z0-9.-]*)")


# -- the sources -----------------------------------------------------


def man_section(name):
    """Lines of the man page's .Sh NAME section (without the .Sh)."""
    out, on = [], False
    for ln in MAN.read_text().split("\n"):
        if ln.startswith(".Sh "):
            on = ln[4:].strip() == name
            continue
        if on:
            out.append(ln)
    assert out, "no .Sh %s in %s" % (name, MAN)
    return out


def fl_names(line):
    """Option names of an mdoc line: "Fl i" is -i, "Fl Fl input" --input."""
    toks = line.split()
    names = []
    i = 0
    while i < len(toks):
        if toks[i] == "Fl" and i + 1 < len(toks):
            if toks[i + 1] == "Fl" and i + 2 < len(toks):
                names.append("--" + toks[i + 2])
                i += 3
                continue
            if re.match(r"^[A-Za-z0-9]", toks[i + 1]):
                names.append("-" + toks[i + 1])
            i += 2
            continue
        i += 1
    return names


def man_option_entries():
    """{option name: plain text of its entry} for every .It Fl item of
    OPTIONS; the names of one item share its text."""
    entries = {}
    cur_names, cur_text = None, []

    def flush():
        if cur_names:
            text = " ".join(cur_text)
            for n in cur_names:
                assert n not in entries, "%s listed twice in OPTIONS" % n
                entries[n] = text

    for ln in man_section("OPTIONS"):
        if ln.startswith(".It Fl") or ln.startswith(".Ss"):
            flush()
            cur_names, cur_text = None, []
            if ln.startswith(".It Fl"):
                cur_names = fl_names(ln)
            continue
        if cur_names is not None:
            cur_text.append(man_plain(ln))
    flush()
    return entries


def man_plain(ln):
    """An mdoc line as rough text: macro names dropped."""
    if ln.startswith(".\\\""):
        return ""
    if ln.startswith("."):
        toks = [t for t in ln[1:].split()
                if not re.match(r"^[A-Z][a-z]{1,2}$", t)]
        return " ".join(toks)
    return ln


def help_entries():
    """{option name: its --help text, continuation lines joined}."""
    p = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                       env=binary_env(), timeout=10 * SLOW)
    assert p.returncode == 0
    assert p.stderr == ""
    entries = {}
    names = None
    on = False
    for ln in p.stdout.split("\n"):
        if ln.startswith("Options:"):
            on = True
            continue
        if not on:
            continue
        if not ln.strip():
            break
        m = re.match(r"^ {2,8}(-\S.*?)(?: {2,}(.*))?$", ln)
        if m:
            names = OPT_RE.findall(m.group(1))
            assert names, ln
            for n in names:
                assert n not in entries, "%s twice in --help" % n
                entries[n] = m.group(2) or ""
        else:
            assert names, "help text before any option: %r" % ln
            for n in names:
                entries[n] += " " + ln.strip()
    assert entries, "no Options: section in --help"
    return {k: " ".join(v.split()) for k, v in entries.items()}


def md_option_table(text):
    """[(option names, default cell)] of a Markdown option table (rows
    whose first cell starts with `-)."""
    rows = []
    for ln in text.split("\n"):
        if not ln.startswith("| `-"):
            continue
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        names = OPT_RE.findall(" ".join(re.findall(r"`([^`]*)`",
                                                   cells[0])))
        rows.append((names, cells[1]))
    return rows


def table_names(rows):
    out = []
    for names, _ in rows:
        out.extend(names)
    return out


# -- lint ------------------------------------------------------------


def test_man_page_lints_clean():
    if not shutil.which("mandoc"):
        pytest.fail("mandoc not installed (make deps)")
    p = subprocess.run(["mandoc", "-Tlint", "-W", "warning", str(MAN)],
                       capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == "", \
        p.stdout + p.stderr


def test_man_page_renders():
    p = subprocess.run(["mandoc", "-Tascii", str(MAN)], capture_output=True,
                       text=True)
    assert p.returncode == 0 and p.stderr == ""
    text = re.sub(".\x08", "", p.stdout)      # no overstrike
    for head in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS",
                 "INPUT FORMAT", "OUTPUT FORMAT", "EXIT STATUS",
                 "EXAMPLES"):
        assert re.search("^%s$" % head, text, re.M), head


# -- the option sets ---------------------------------------------------


def test_help_and_man_name_the_same_options():
    man = set(man_option_entries())
    helps = set(help_entries())
    assert len(man) > 40, "too few options in the man page's OPTIONS"
    assert helps == man, (
        "--help has, man lacks: %s; man has, --help lacks: %s" % (
            sorted(helps - man), sorted(man - helps)))


def test_readme_option_table_is_the_man_pages():
    rows = md_option_table(README.read_text())
    names = table_names(rows)
    assert len(names) == len(set(names)), "README lists an option twice"
    man = man_option_entries()
    assert set(names) == set(man), (
        "README has, man lacks: %s; man has, README lacks: %s" % (
            sorted(set(names) - set(man)), sorted(set(man) - set(names))))
    checked = 0
    problems = []
    for opts, cell in rows:
        value = cell.strip("`").split(" ")[0].strip("`")
        if not VALUE_RE.match(value):
            continue
        checked += 1
        long = [n for n in opts if n.startswith("--")][0]
        if not default_re(value).search(man[long]):
            problems.append("README says %s defaults to %s; man: %r" % (
                long, value, man[long][-200:]))
    assert checked >= 10, "README's defaults not found"
    assert not problems, "\n".join(problems)


def test_synopsis_covers_every_option():
    """Each option of OPTIONS appears in SYNOPSIS, by its short or its
    long name."""
    syn = set()
    for ln in man_section("SYNOPSIS"):
        m = re.match(r"^\.Op Fl ([A-Za-z]+)$", ln)     # .Op Fl bhkqVv
        if m:
            syn.update("-" + c for c in m.group(1))
        else:
            syn.update(fl_names(ln))
    entries = man_option_entries()
    items = {}
    for ln in man_section("OPTIONS"):
        if ln.startswith(".It Fl"):
            names = fl_names(ln)
            items[tuple(names)] = names
    missing = [n for n in items if not set(n) & syn]
    assert not missing, "not in SYNOPSIS: %r" % missing
    assert syn <= set(entries), "SYNOPSIS has options OPTIONS lacks: %r" % (
        sorted(syn - set(entries)),)


def default_re(value):
    return re.compile(r"default(?: is|,|:)?\s+" + re.escape(value) +
                      r"(?![\w/]|\.\d)")


def man_defaults():
    """{long option: the default its man entry states}, for the defaults
    that are values."""
    out = {}
    for name, text in man_option_entries().items():
        m = re.search(r"\b[Tt]he default is (\S+)", text)
        if not name.startswith("--") or not m:
            continue
        value = m.group(1).rstrip(".,:;")
        if VALUE_RE.match(value):
            out[name] = value
    return out


def test_defaults_agree_in_man_and_help():
    """Every default the man page gives as a value is the one --help
    states."""
    helps = help_entries()
    defaults = man_defaults()
    assert len(defaults) >= 10, "the man page's defaults not found: %r" % (
        defaults,)
    problems = ["--help %s does not say default %s: %r" % (
        name, value, helps.get(name, "")) for name, value in
        sorted(defaults.items())
        if not default_re(value).search(helps.get(name, ""))]
    assert not problems, "\n".join(problems)


def test_man_and_readme_list_the_same_exit_statuses():
    man = set()
    for ln in man_section("EXIT STATUS"):
        m = re.match(r"^\.It (\d+)$", ln)
        if m:
            man.add(int(m.group(1)))
    text = README.read_text().split("Exit status\n-----------\n", 1)[1]
    text = text.split("\n\n\n", 1)[0]
    readme = {int(m) for m in re.findall(r"^ {4}(\d+) ", text, re.M)}
    assert man and man == readme, (sorted(man), sorted(readme))


# -- README's opening -----------------------------------------------------


def test_readme_opens_with_the_build_and_the_test_commands():
    """The README's first two lines: build and run on the sample list,
    then the test suite; the Makefile has each target they name, and the
    sample list is in the repository."""
    lines = README.read_text().split("\n")
    # A code fence around them is tolerated, nothing else.
    body = [ln for ln in lines if ln.strip()]
    if body[0].startswith("```"):
        assert body[3].startswith("```"), "fence not closed after them"
        body = body[1:]
    cmds = [ln.split("#", 1)[0].strip() for ln in body[:2]]
    assert re.match(r"^make deps && make && \./cofetch -i urls\.sample\b",
                    cmds[0]), cmds
    assert cmds[1] == "make check", cmds
    assert (ROOT / "urls.sample").is_file()
    targets = set(re.findall(r"^([\w-]+):", MAKEFILE.read_text(), re.M))
    for t in ("deps", "all", "check"):
        assert t in targets, "Makefile has no target %s" % t


# -- EXAMPLES ----------------------------------------------------------


MDOC_ESCAPES = [("\\e", "\\"), ("\\-", "-"), ("\\&", ""), ("\\(aq", "'"),
                ("\\(dq", '"'), ("\\(ti", "~"), ("\\(ha", "^")]


def man_examples():
    """The commands of the .Bd blocks of EXAMPLES, mdoc escapes undone:
    [(the sentence before the block, command)]."""
    out = []
    block, prose = None, []
    for ln in man_section("EXAMPLES"):
        if ln.startswith(".Bd"):
            block = []
            continue
        if ln.startswith(".Ed"):
            cmd = "\n".join(block)
            for a, b in MDOC_ESCAPES:
                cmd = cmd.replace(a, b)
            assert "\\" not in cmd.replace("\\n", ""), \
                "an mdoc escape not understood: %r" % cmd
            out.append((" ".join(prose).strip(), cmd))
            block, prose = None, []
            continue
        if block is not None:
            block.append(ln)
        elif ln.startswith(".Pp"):
            prose = []
        else:
            prose.append(man_plain(ln))
    return out


EXAMPLES = man_examples()


# Upstream httpbin's GET /json, which the EXAMPLES assume at localhost:8080
# but Debian's python3-httpbin (0.7.0+dfsg) does not serve.
HTTPBIN_JSON = {"slideshow": {
    "author": "Yours Truly", "date": "date of publication",
    "slides": [{"title": "Wake up to WonderWidgets!", "type": "all"},
               {"items": ["Why <em>WonderWidgets</em> are great",
                          "Who <em>buys</em> WonderWidgets"],
                "title": "Overview", "type": "all"}],
    "title": "Sample Slide Show"}}


class _Stub(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/json":
            self.send_error(404)
            return
        body = json.dumps(HTTPBIN_JSON, indent=2).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def httpbin_stub():
    """Serves what the EXAMPLES need from httpbin and Debian's lacks."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield "http://127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def serves(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=5):
            return True
    except urllib.error.HTTPError as e:
        return e.code != 404
    except OSError:
        return False


SHIM = """#!/bin/sh
{real} "$@"
rc=$?
echo "{name} $rc" >> {log}
exit $rc
"""


@pytest.fixture
def example_env(tmp_path, server, httpbin, httpbin_stub):
    """A working directory with urls.txt (all of them fetch fine: every
    example should then exit 0) and run1.jsonl (a run with two failures:
    one that will succeed when fetched again, one invalid line), and PATH
    with cofetch and jq wrappers that log each exit status."""
    work = tmp_path / "work"
    work.mkdir()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "exits.log"
    jq = shutil.which("jq")
    if not jq:
        pytest.fail("jq not installed (make deps)")
    for name, real in (("cofetch", BINARY), ("jq", jq)):
        p = bindir / name
        p.write_text(SHIM.format(real=real, name=name, log=log))
        p.chmod(0o755)
    urls = [server.url("/ok"), server.url("/delay?ms=50"),
            server.url("/ok", 1), server.url("/json", 1),
            httpbin.url("/response-headers?Strict-Transport-Security="
                        "max-age%3D60"),
            httpbin.url("/get")]
    lines_file(work / "urls.txt", urls)
    flaky = server.url("/flaky?key=docs-example&fail=1")
    lines_file(work / "run1.in", [server.url("/ok"), flaky, "ftp://x/y"])
    p = subprocess.run([BINARY, "--retries", "0", "-i", "run1.in", "-o",
                        "run1.jsonl"], cwd=work, env=binary_env(),
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30 * SLOW)
    assert p.returncode == 1, p.stderr
    env = binary_env({"PATH": "%s:%s" % (bindir, os.environ["PATH"])})
    return {"dir": work, "env": env, "log": log, "urls": urls,
            "flaky": flaky, "bases": [httpbin.url(""), httpbin_stub]}


def run_example(cmd, ex):
    """Run cmd with localhost:8080 replaced by the first local server that
    serves every path the command asks of it (httpbin, else the stub)."""
    paths = re.findall(re.escape(LOCALHOST) + r"(/[^\s'\"]*)", cmd)
    if paths:
        for base in ex["bases"]:
            if all(serves(base, p) for p in paths):
                break
        else:
            pytest.fail("no local server serves %r" % paths)
        cmd = cmd.replace(LOCALHOST, base)
    assert "localhost:" not in cmd, cmd
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ex["dir"],
                       env=ex["env"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60 * SLOW)
    check_sanitizer(p.stderr)
    exits = []
    if ex["log"].exists():
        exits = [ln.split() for ln in ex["log"].read_text().splitlines()]
        ex["log"].unlink()
    return p, exits


def check_example(cmd, p, ex):
    """What each known example should print (beyond succeeding)."""
    out = p.stdout
    d = ex["dir"]
    urls = ex["urls"]
    if "/get | jq ." in cmd:
        rec = json.loads(out)
        assert rec["ok"] and rec["status"] == 200, out
    elif "slideshow.title" in cmd:
        assert out == "Sample Slide Show\n", out
    elif "printf" in cmd and "/post" in cmd:
        assert sorted((json.loads(ln) for ln in out.splitlines()),
                      key=lambda r: r["id"]) == [
            {"id": "a1", "status": 200}, {"id": "b7", "status": 200}], out
    elif "run2.jsonl" in cmd:
        recs = parse_records((d / "run2.jsonl").read_bytes())
        assert [(r["url"], r["ok"]) for r in recs] == [(ex["flaky"], True)]
    elif "strict-transport-security" in cmd:
        assert out.split() == [urls[4]], out
    elif "--save pages" in cmd:
        assert sorted(out.split()) == sorted("pages/%d" % i
                                             for i in range(len(urls)))
        for i in range(len(urls)):
            assert (d / "pages" / str(i)).is_file()
    elif "--resume" in cmd:
        assert out == "0\n", out
        n = len((d / "out.jsonl").read_text().splitlines())
        assert n == len(urls)
        # The same line again: nothing left to do, nothing appended.
        p2, exits = run_example(cmd, ex)
        assert p2.returncode == 0 and p2.stdout == "0\n", p2.stderr
        assert len((d / "out.jsonl").read_text().splitlines()) == n
    elif "--shard" in cmd:
        recs = parse_records(out.encode())
        assert [r["index"] for r in recs] == list(range(len(urls)))
        assert all(r["ok"] for r in recs)
    elif "uniq -c" in cmd:
        assert out.split() == [str(len(urls)), "200"], out
    elif "select(.ok | not)" in cmd:
        assert out == "", out     # urls.txt has no failures
    else:
        pytest.fail("an EXAMPLES command this test does not know; add "
                    "what it should print: %r" % cmd)


def test_examples_found():
    assert len(EXAMPLES) >= 8, EXAMPLES
    for prose, cmd in EXAMPLES:
        assert cmd.strip() and "\n" not in cmd.strip(), cmd


@pytest.mark.parametrize("prose,cmd", EXAMPLES,
                         ids=["ex%d" % i for i in range(len(EXAMPLES))])
def test_man_example_runs(example_env, prose, cmd):
    p, exits = run_example(cmd, example_env)
    assert p.returncode == 0, "exit %d: %r\nstderr: %s" % (
        p.returncode, cmd, p.stderr)
    for name, rc in exits:
        assert rc == "0", "%s exited %s in %r; stderr: %s" % (
            name, rc, cmd, p.stderr)
    names = [n for n, _ in exits]
    assert "cofetch" in names, "cofetch did not run: %r" % cmd
    if re.search(r"\bjq\b", cmd):
        assert "jq" in names, "jq did not run: %r" % cmd
    assert "cofetch:" not in p.stderr, p.stderr
    check_example(cmd, p, example_env)
