"""TLS trust (man page, OPTIONS and ENVIRONMENT): a server whose
certificate comes from a CA this test makes (openssl, into a temporary
directory) is refused by default and reached with --cacert, --capath,
SSL_CERT_FILE, SSL_CERT_DIR or CURL_CA_BUNDLE; a server that requires a
client certificate is reached with --cert/--key or --cert FILE:PASS."""

import http.server
import shutil
import ssl
import subprocess
import threading

import pytest

from conftest import kind

pytestmark = pytest.mark.skipif(not shutil.which("openssl"),
                                reason="openssl not installed")


def sh(*args, cwd):
    subprocess.run([str(a) for a in args], cwd=cwd, check=True,
                   capture_output=True, timeout=60)


def make_pki(d):
    """CA, server (127.0.0.1) and client certificates, EC P-256."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    sh("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out",
       "ca.pem", "-days", "2", "-subj", "/CN=cofetch test CA", cwd=d)
    (d / "srv.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                               "extendedKeyUsage=serverAuth\n")
    (d / "cli.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name in ("srv", "cli"):
        sh("openssl", "req", *ec, "-keyout", name + ".key", "-out",
           name + ".csr", "-subj", "/CN=" + name, cwd=d)
        sh("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem",
           "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out",
           name + ".pem", "-extfile", name + ".ext", cwd=d)
    # The client key encrypted, with its certificate in one file, for
    # --cert FILE:PASS.
    sh("openssl", "pkey", "-in", "cli.key", "-aes256", "-passout",
       "pass:kpw", "-out", "cli-enc.key", cwd=d)
    (d / "cli-both.pem").write_text((d / "cli.pem").read_text() +
                                    (d / "cli-enc.key").read_text())
    (d / "cadir").mkdir()
    shutil.copy(d / "ca.pem", d / "cadir" / "ca.pem")
    sh("openssl", "rehash", "cadir", cwd=d)
    return d


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"tls ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def tls_server(pki, need_client_cert):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "srv.pem", pki / "srv.key")
    if need_client_cert:
        ctx.load_verify_locations(pki / "ca.pem")
        ctx.verify_mode = ssl.CERT_REQUIRED
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    srv.daemon_threads = True
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    return srv, "https://127.0.0.1:%d/" % srv.server_address[1]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def https(pki):
    srv, url = tls_server(pki, False)
    yield url
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def https_mtls(pki):
    srv, url = tls_server(pki, True)
    yield url
    srv.shutdown()
    srv.server_close()


NO_CA_ENV = {"CURL_CA_BUNDLE": "", "SSL_CERT_FILE": "", "SSL_CERT_DIR": ""}


def test_private_ca_is_refused_by_default(run, https):
    code, recs, err = run(["--retries", "0", https], env=NO_CA_ENV)
    assert code == 1
    assert kind(recs[0]) == "tls", recs[0]


def test_cacert(run, https, pki):
    code, recs, err = run(["--cacert", pki / "ca.pem", https],
                          env=NO_CA_ENV)
    assert code == 0, err
    assert recs[0]["status"] == 200


def test_capath(run, https, pki):
    code, recs, err = run(["--capath", pki / "cadir", https],
                          env=NO_CA_ENV)
    assert code == 0, (err, recs)


@pytest.mark.parametrize("var", ["SSL_CERT_FILE", "CURL_CA_BUNDLE"])
def test_ca_file_variables(run, https, pki, var):
    env = dict(NO_CA_ENV)
    env[var] = str(pki / "ca.pem")
    code, recs, err = run([https], env=env)
    assert code == 0, (err, recs)


def test_ssl_cert_dir_variable(run, https, pki):
    env = dict(NO_CA_ENV)
    env["SSL_CERT_DIR"] = str(pki / "cadir")
    code, recs, err = run([https], env=env)
    assert code == 0, (err, recs)


def test_cacert_option_wins_over_the_variable(run, https, pki):
    env = dict(NO_CA_ENV)
    env["SSL_CERT_FILE"] = str(pki / "srv.pem")     # not a CA
    code, recs, err = run(["--cacert", pki / "ca.pem", https], env=env)
    assert code == 0, (err, recs)


def test_missing_cacert_file_is_a_usage_error(run, https, tmp_path):
    code, recs, err = run(["--cacert", tmp_path / "nope.pem", https])
    assert code == 2 and recs == []
    assert "--cacert" in err and "nope.pem" in err, err


def test_client_certificate_required(run, https_mtls, pki):
    code, recs, err = run(["--retries", "0", "--cacert", pki / "ca.pem",
                           https_mtls], env=NO_CA_ENV)
    assert code == 1
    assert not recs[0]["ok"]
    assert kind(recs[0]) in ("tls", "recv", "send"), recs[0]
    code, recs, err = run(["--cacert", pki / "ca.pem", "--cert",
                           pki / "cli.pem", "--key", pki / "cli.key",
                           https_mtls], env=NO_CA_ENV)
    assert code == 0, (err, recs)
    assert recs[0]["status"] == 200


def test_client_certificate_with_key_password(run, https_mtls, pki):
    code, recs, err = run(["--cacert", pki / "ca.pem", "--cert",
                           "%s:kpw" % (pki / "cli-both.pem"), https_mtls],
                          env=NO_CA_ENV)
    assert code == 0, (err, recs)
    code, recs, err = run(["--retries", "0", "--cacert", pki / "ca.pem",
                           "--cert", "%s:wrong" % (pki / "cli-both.pem"),
                           https_mtls], env=NO_CA_ENV)
    assert code == 1
    assert kind(recs[0]) == "tls", recs[0]
