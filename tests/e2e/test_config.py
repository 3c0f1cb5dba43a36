"""The config file (man page, FILES): --config FILE, by default
$XDG_CONFIG_HOME/cofetch/config (or ~/.config/cofetch/config) when it
exists, --no-config; one long option a line, '#' comments, the command
line's parser and checks, errors naming the file and line; --help says
where it looked."""

import subprocess

from conftest import BINARY, binary_env


def echoed(rec, name):
    assert rec["ok"], rec
    return [v for k, v in rec["body"]["headers"] if k.lower() == name]


def xdg(tmp_path, text):
    d = tmp_path / "xdg"
    (d / "cofetch").mkdir(parents=True, exist_ok=True)
    (d / "cofetch" / "config").write_text(text)
    return {"XDG_CONFIG_HOME": str(d)}, d / "cofetch" / "config"


CONFIG = """# cofetch defaults for this test
--header X-From-Config: yes
user-agent = "config agent"

--retries 0
body json
ordered
"""


def test_default_config_is_applied(run, server, tmp_path):
    env, _ = xdg(tmp_path, CONFIG)
    code, recs, err = run([server.url("/echo")], env=env)
    assert code == 0, err
    assert echoed(recs[0], "x-from-config") == ["yes"]
    assert echoed(recs[0], "user-agent") == ["config agent"]
    assert recs[0]["body_encoding"] == "json"


def test_home_config_when_no_xdg(run, server, tmp_path):
    home = tmp_path / "home"
    (home / ".config" / "cofetch").mkdir(parents=True)
    (home / ".config" / "cofetch" / "config").write_text("body\n")
    code, recs, err = run([server.url("/json")],
                          env={"XDG_CONFIG_HOME": "", "HOME": str(home)})
    assert code == 0, err
    assert recs[0]["body_encoding"] == "json"


def test_command_line_overrides_config(run, server, tmp_path):
    env, _ = xdg(tmp_path, CONFIG)
    code, recs, err = run(["-A", "cli agent", "-H", "X-Cli: 1",
                           server.url("/echo")], env=env)
    assert code == 0, err
    assert echoed(recs[0], "user-agent") == ["cli agent"]
    # Lists add up: the config's header and the command line's.
    assert echoed(recs[0], "x-from-config") == ["yes"]
    assert echoed(recs[0], "x-cli") == ["1"]


def test_no_config_skips_it(run, server, tmp_path):
    env, _ = xdg(tmp_path, CONFIG)
    code, recs, err = run(["--no-config", server.url("/echo")], env=env)
    assert code == 0, err
    assert "body" not in recs[0]


def test_explicit_config_file(run, server, tmp_path):
    f = tmp_path / "other.conf"
    f.write_text("body=json\nheader X-Other: 2\n")
    env, _ = xdg(tmp_path, CONFIG)
    code, recs, err = run(["--config", f, server.url("/echo")], env=env)
    assert code == 0, err
    assert echoed(recs[0], "x-other") == ["2"]
    assert echoed(recs[0], "x-from-config") == []


def test_missing_explicit_config_is_an_error(run, server, tmp_path):
    code, recs, err = run(["--config", tmp_path / "nope", server.url("/ok")])
    assert code == 2 and recs == []
    assert "nope" in err and "No such file" in err, err


def bad(run, server, tmp_path, text):
    env, path = xdg(tmp_path, text)
    code, recs, err = run([server.url("/ok")], env=env)
    assert code == 2 and recs == [], err
    assert server.stats()["count"] == 0
    return err, path


def test_bad_value_names_file_and_line(run, server, tmp_path):
    err, path = bad(run, server, tmp_path, "# c\n\nconcurrency 0\n")
    assert err.startswith("cofetch: %s:3: --concurrency: '0' is not valid: "
                          % path), err


def test_unknown_option_with_suggestion(run, server, tmp_path):
    err, path = bad(run, server, tmp_path, "concurency 5\n")
    assert "%s:1: unknown option '--concurency'; did you mean " \
        "'--concurrency'?" % path in err, err


def test_flag_with_value_and_missing_value(run, server, tmp_path):
    err, path = bad(run, server, tmp_path, "ordered yes\n")
    assert "%s:1: option '--ordered' takes no value" % path in err, err
    err, path = bad(run, server, tmp_path, "timeout\n")
    assert "%s:1: option '--timeout' needs a value" % path in err, err


def test_command_line_only_options(run, server, tmp_path):
    err, path = bad(run, server, tmp_path, "config /etc/passwd\n")
    assert "%s:1: --config is for the command line only" % path in err


def test_help_says_where_it_looked(tmp_path):
    def helptext(args, env):
        p = subprocess.run([BINARY, "--help"] + args, capture_output=True,
                           text=True, env=binary_env(env), timeout=10)
        assert p.returncode == 0
        return p.stdout

    env, path = xdg(tmp_path, "body\n")
    assert "Config file: %s (read)" % path in helptext([], env)
    assert "Config file: %s (skipped (--no-config))" % path in \
        helptext(["--no-config"], env)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "empty")}
    assert "Config file: %s (not present)" % (
        tmp_path / "empty" / "cofetch" / "config") in helptext([], env)


def test_short_option_in_config_file_is_named_as_written(run, tmp_path):
    cfg = tmp_path / "config"
    cfg.write_text("# limits\n-c 3\n")
    code, recs, err = run(["--config", str(cfg), "http://127.0.0.1:9/"])
    assert code == 2 and recs == []
    assert "%s:2: '-c': a config file takes long options only" % cfg in err
