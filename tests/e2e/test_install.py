"""make install / make uninstall (README "Install"; Makefile) and the shell
completions they install: the four files land under DESTDIR+PREFIX, the
installed binary runs, uninstall removes exactly them; the bash completion
works when sourced, and both completions offer the options --help lists.

The build as a user and a packager run it, on a copy of the sources: a
clean tree builds with plain `make`; ./configure's --prefix, CPPFLAGS and
LDFLAGS reach make install, the compiler and the linker (full RELRO);
no -Werror unless asked; mimalloc is a stated choice; make does not re-run
./configure by itself."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import ASAN, ROOT, SLOW, binary_env

INSTALLED = {
    "bin/cofetch": (0o755, ROOT / "cofetch"),
    "share/man/man1/cofetch.1": (0o644, ROOT / "man" / "cofetch.1"),
    "share/bash-completion/completions/cofetch":
        (0o644, ROOT / "completions" / "cofetch.bash"),
    "share/zsh/site-functions/_cofetch":
        (0o644, ROOT / "completions" / "_cofetch"),
}
BASH_COMP = ROOT / "completions" / "cofetch.bash"
ZSH_COMP = ROOT / "completions" / "_cofetch"
OPT_RE = re.compile(r"(?<![\w-])(--?[A-Za-z0-9][A-Za-z0-9.-]*)")


def make(*args):
    """make -C ROOT args, never rebuilding ./cofetch (-o): the tests run
    the binary the rest of the suite runs, and do not race with a build of
    the working tree."""
    p = subprocess.run(["make", "-C", str(ROOT), "-o", "cofetch"] +
                       list(args),
                       capture_output=True, text=True, env=binary_env(),
                       stdin=subprocess.DEVNULL, timeout=300 * SLOW)
    assert p.returncode == 0, "make %s: %s%s" % (" ".join(args), p.stdout,
                                                p.stderr)
    return p


def help_options():
    p = subprocess.run([str(ROOT / "cofetch"), "--help"],
                       capture_output=True, text=True, env=binary_env(),
                       timeout=10 * SLOW)
    names = set()
    for ln in p.stdout.split("Options:\n", 1)[1].split("\n\n", 1)[0] \
            .split("\n"):
        m = re.match(r"^ {2,8}(-\S.*?)(?: {2,}|$)", ln)
        if m:
            names.update(OPT_RE.findall(m.group(1)))
    assert len(names) > 40
    return names


@pytest.mark.parametrize("prefix", ["/usr/local", "/usr"])
def test_install_and_uninstall(tmp_path, prefix):
    dest = tmp_path / "dest"
    make("install", "DESTDIR=%s" % dest, "PREFIX=%s" % prefix)
    root = dest / prefix.lstrip("/")
    for rel, (mode, src) in INSTALLED.items():
        f = root / rel
        assert f.is_file(), "%s not installed" % f
        assert f.stat().st_mode & 0o777 == mode, "%s: mode %o" % (
            f, f.stat().st_mode & 0o777)
        assert f.read_bytes() == src.read_bytes(), "%s differs from %s" % (
            f, src)
    # Nothing outside DESTDIR+PREFIX.
    outside = [p for p in dest.rglob("*")
               if p.is_file() and root not in p.parents]
    assert not outside, outside

    # The installed binary runs.
    p = subprocess.run([str(root / "bin" / "cofetch"), "-V"],
                       capture_output=True, text=True, env=binary_env(),
                       timeout=10 * SLOW)
    assert p.returncode == 0
    assert re.match(r"^cofetch \d+\.\d+\.\d+\n", p.stdout), p.stdout
    # man finds the installed page.
    if shutil.which("man"):
        p = subprocess.run(["man", "-M", str(root / "share" / "man"), "-w",
                            "cofetch"], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == str(root / "share" / "man" / "man1" /
                                       "cofetch.1")

    # Uninstall removes those four files and nothing else.
    keep = root / "bin" / "other-tool"
    keep.write_text("#!/bin/sh\n")
    make("uninstall", "DESTDIR=%s" % dest, "PREFIX=%s" % prefix)
    for rel in INSTALLED:
        assert not (root / rel).exists(), "%s left behind" % rel
    assert keep.exists(), "uninstall removed another file"


def test_install_honours_the_directory_variables(tmp_path):
    """BINDIR and MANDIR may be set on their own (the Makefile's ?=)."""
    dest = tmp_path / "dest"
    make("install", "DESTDIR=%s" % dest, "PREFIX=/opt/cf",
         "BINDIR=/opt/cf/sbin", "MANDIR=/opt/cf/man")
    assert (dest / "opt/cf/sbin/cofetch").is_file()
    assert (dest / "opt/cf/man/man1/cofetch.1").is_file()
    make("uninstall", "DESTDIR=%s" % dest, "PREFIX=/opt/cf",
         "BINDIR=/opt/cf/sbin", "MANDIR=/opt/cf/man")
    assert not (dest / "opt/cf/sbin/cofetch").exists()
    assert not (dest / "opt/cf/man/man1/cofetch.1").exists()


# -- building from the sources -----------------------------------------

SOURCES = ["Makefile", "configure.ac", "config.mk.in", "src", "man",
           "completions"]
needs_build_tools = pytest.mark.skipif(
    ASAN or not (shutil.which("autoreconf") and shutil.which("readelf")),
    reason="builds the plain binary (the sanitizer pass need not), with "
    "autoreconf and readelf")


def build_env():
    """binary_env() without what a calling make passes down (WERROR=1 in
    MAKEFLAGS) or the caller's compiler flags."""
    env = binary_env()
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "CFLAGS",
              "CPPFLAGS", "LDFLAGS", "PREFIX", "DESTDIR", "WERROR"):
        env.pop(k, None)
    return env


def sources(tmp_path):
    """A copy of the repository's build inputs (no config.mk, configure,
    or build/): what a clean checkout or a release tarball has."""
    src = tmp_path / "src-tree"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name)
        else:
            shutil.copy2(ROOT / name, src / name)
    return src


def sh(cwd, *argv, ok=True):
    p = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True,
                       env=build_env(), stdin=subprocess.DEVNULL,
                       timeout=600)
    if ok:
        assert p.returncode == 0, "%s: %s%s" % (" ".join(argv), p.stdout,
                                                p.stderr)
    return p


def compile_lines(out):
    return [ln for ln in out.split("\n") if re.match(r"^\S*cc\b", ln)]


def readelf(*args):
    return subprocess.run(["readelf", "-W"] + list(args), check=True,
                          capture_output=True, text=True).stdout


@needs_build_tools
def test_packager_build_honours_prefix_cppflags_and_ldflags(tmp_path):
    """README: the packager's build. CPPFLAGS go to every compile (the
    fortified calls are in the binary), LDFLAGS to the link (BIND_NOW and
    GNU_RELRO: full RELRO), --prefix to make install; no -Werror."""
    src = sources(tmp_path)
    sh(src, "autoreconf", "-fi")
    conf = sh(src, "./configure", "--prefix=/usr",
              "CPPFLAGS=-D_FORTIFY_SOURCE=2",
              "LDFLAGS=-Wl,-z,relro,-z,now")
    assert "malloc:   mimalloc" in conf.stdout, conf.stdout
    assert "prefix:   /usr\n" in conf.stdout, conf.stdout
    out = sh(src, "make", "-j2").stdout
    cc = compile_lines(out)
    assert len(cc) > 10, out
    assert all("-D_FORTIFY_SOURCE=2" in ln for ln in cc
               if " -c " in ln), out
    assert all("-Werror" not in ln for ln in cc), out
    assert any("-Wl,-z,relro,-z,now" in ln and " -o cofetch " in ln
               for ln in cc), out
    dest = tmp_path / "pkg"
    sh(src, "make", "install", "DESTDIR=%s" % dest)
    binary = dest / "usr" / "bin" / "cofetch"
    assert binary.is_file()
    assert (dest / "usr/share/man/man1/cofetch.1").is_file()
    assert not (dest / "usr" / "local").exists()

    dyn = readelf("-d", str(binary))
    assert re.search(r"\(FLAGS\)\s+BIND_NOW", dyn) or \
        re.search(r"\(FLAGS_1\).*\bNOW\b", dyn), dyn
    assert "GNU_RELRO" in readelf("-l", str(binary))
    assert re.search(r"__\w+_chk\b", readelf("--dyn-syms", str(binary)))
    assert "libmimalloc" in dyn, dyn

    v = subprocess.run([str(binary), "--version"], capture_output=True,
                       text=True, env=binary_env(), timeout=10)
    assert v.returncode == 0
    assert "\nmalloc: mimalloc\n" in v.stdout, v.stdout


@needs_build_tools
def test_clean_tree_builds_with_make_and_never_reconfigures(tmp_path):
    """README's `make`: a tree without config.mk runs autoreconf and
    ./configure once. After that make never re-runs them: a newer
    configure.ac stops make with the command to run, arguments kept.
    --without-mimalloc builds with the C library's malloc and says so."""
    src = sources(tmp_path)
    out = sh(src, "make", "-j2").stdout
    assert "autoreconf -fi" in out and "./configure" in out, out
    assert all("-Werror" not in ln for ln in compile_lines(out)), out
    v = sh(src, "./cofetch", "--version").stdout
    assert "\nmalloc: mimalloc\n" in v, v

    sh(src, "./configure", "--without-mimalloc", "--prefix=/opt/cf")
    os.utime(src / "configure.ac")
    p = sh(src, "make", ok=False)
    assert p.returncode != 0
    msg = p.stdout + p.stderr
    assert "newer than config.mk" in msg, msg
    assert re.search(r"\./configure '?--without-mimalloc'? "
                     r"'?--prefix=/opt/cf'?\n", msg), msg
    assert "Entering" not in msg and " -c " not in msg, msg

    conf = sh(src, "./configure", "--without-mimalloc")
    assert "malloc:   libc" in conf.stdout, conf.stdout
    out = sh(src, "make", "-j2", "WERROR=1").stdout
    cc = compile_lines(out)
    assert cc and all("-Werror" in ln for ln in cc if " -c " in ln), out
    v = sh(src, "./cofetch", "--version").stdout
    assert "\nmalloc: libc\n" in v, v
    assert "libmimalloc" not in readelf("-d", str(src / "cofetch"))


# -- bash completion ----------------------------------------------------


COMPLETE = r"""
source "$1"; shift
line="$*"
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$line"
COMP_POINT=${#COMP_LINE}
_cofetch cofetch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def complete(cwd, *words):
    """COMPREPLY for COMP_WORDS = cofetch words..., the last word being
    completed."""
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", COMPLETE,
                        "complete", str(BASH_COMP), "cofetch"] + list(words),
                       capture_output=True, text=True, cwd=cwd,
                       env=binary_env(), timeout=10)
    assert p.returncode == 0, p.stderr
    # compopt complains outside a real completion; nothing else may.
    err = [ln for ln in p.stderr.split("\n")
           if ln and "compopt" not in ln]
    assert not err, p.stderr
    return [ln for ln in p.stdout.split("\n") if ln]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "list.txt").write_text("x\n")
    (tmp_path / "lines.jsonl").write_text("x\n")
    (tmp_path / "my list.txt").write_text("x\n")
    (tmp_path / "logs").mkdir()
    return tmp_path


def test_bash_completion_registers_for_cofetch(tmp_path):
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                        'source "$1" && complete -p cofetch', "x",
                        str(BASH_COMP)], capture_output=True, text=True,
                       env=binary_env(), timeout=10)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "complete -F _cofetch cofetch"
    assert subprocess.run(["bash", "-n", str(BASH_COMP)]).returncode == 0


def test_bash_completes_long_option_prefix(files):
    got = complete(files, "--bo")
    assert "--body" in got, got
    assert all(w.startswith("--bo") for w in got), got
    assert complete(files, "--per-host-r") == ["--per-host-rate"]
    assert complete(files, "--stats") == ["--stats"]
    assert sorted(complete(files, "--stat")) == ["--state", "--stats"]


def test_bash_completes_files_after_input(files):
    assert sorted(complete(files, "-i", "li")) == ["lines.jsonl",
                                                   "list.txt"]
    assert complete(files, "--input", "my") == ["my list.txt"]
    got = complete(files, "-i", "")
    assert {"list.txt", "lines.jsonl", "my list.txt"} <= set(got), got
    assert complete(files, "-o", "lis") == ["list.txt"]


def test_bash_completes_values(files):
    assert complete(files, "--body", "=", "j") == ["json"]
    assert complete(files, "--body=j") == ["--body=json"]
    assert sorted(complete(files, "-X", "P")) == ["PATCH", "POST", "PUT"]
    assert complete(files, "--retry-on", "connect,ti") == ["connect,timeout"]
    assert complete(files, "--save", "l") == ["logs"]
    assert complete(files, "-d", "@list") == ["@list.txt"]
    assert complete(files, "-c", "") == []
    assert complete(files, "http://exa") == []


def test_bash_completion_offers_every_option_of_help(files):
    offered = set(complete(files, "-")) - {"--body="}
    assert offered == help_options(), (
        "bash offers, --help lacks: %r; --help has, bash lacks: %r" % (
            sorted(offered - help_options()),
            sorted(help_options() - offered)))
    assert set(complete(files, "--")) == {o for o in offered
                                          if o.startswith("--")} | \
        {"--body="}


# -- zsh completion -----------------------------------------------------


def zsh_options():
    text = ZSH_COMP.read_text()
    block = text.split("_arguments", 1)[1].split("&& ret=0", 1)[0]
    names = set()
    for ln in block.split("\n")[1:]:       # past "_arguments -C -s -S"
        spec = ln.strip().split("[", 1)[0]
        spec = re.sub(r"\([^)]*\)", "", spec)
        names.update(OPT_RE.findall(spec))
    return names


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh not installed")
def test_zsh_completion_loads_and_offers_every_option_of_help(tmp_path):
    assert subprocess.run(["zsh", "-n", str(ZSH_COMP)]).returncode == 0
    d = tmp_path / "site-functions"
    d.mkdir()
    shutil.copy(ZSH_COMP, d / "_cofetch")
    p = subprocess.run(["zsh", "-f", "-c",
                        'fpath=("$1" $fpath); autoload -Uz compinit; '
                        'compinit -u -d "$2"; print -r -- $_comps[cofetch]',
                        "zsh", str(d), str(tmp_path / "zcompdump")],
                       capture_output=True, text=True, env=binary_env(),
                       timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "_cofetch", p.stdout + p.stderr
    got = zsh_options()
    assert got == help_options(), (
        "zsh offers, --help lacks: %r; --help has, zsh lacks: %r" % (
            sorted(got - help_options()), sorted(help_options() - got)))
