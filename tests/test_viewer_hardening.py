"""The viewer under hostile requests: no 500 and no hang, local Host headers only, a real server."""

from __future__ import annotations

import http.client
import shutil
import socket
import threading
import time

import pytest

import viewer.routes.pages
from viewer import create_app

from .conftest import SAMPLES


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(SAMPLES, root)
    shutil.copy(SAMPLES / "somark" / "annual_report_async_check.json", root / "年报.json")
    return root


@pytest.fixture
def client(served):
    return create_app(str(served), index_budget=600).test_client()  # every row in the first answer


def test_a_non_latin1_file_name_downloads(client):
    for name in ("md", "html", "json", "tables-csv"):
        response = client.get(f"/export/{name}?f=年报.json")
        assert response.status_code == 200 and response.get_data()
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''%E5%B9%B4%E6%8A%A5" in disposition
    plain = client.get("/export/md?f=somark/annual_report_async_check.json").headers["Content-Disposition"]
    assert plain == 'attachment; filename="annual_report_async_check.md"'


@pytest.mark.parametrize("query", ["/view?f=年报.json&i=²", "/view?f=年报.json&i=" + "9" * 5000,
                                   "/view?f=年报.json&i=-1", "/api/slice?f=年报.json&start=²",
                                   "/api/slice?f=年报.json&start=" + "1" * 5000, "/api/slice?f=年报.json&page=٣",
                                   "/view?f=年报.json&page=" + "7" * 5000, "/compare?a=年报.json&ai=¹&b=年报.json",
                                   "/compare?a=年报.json&b=年报.json&start=" + "5" * 4500])
def test_odd_numbers_are_a_clear_refusal(client, query):
    response = client.get(query)
    assert response.status_code in (400, 404)
    assert b"expected" in response.get_data()


def test_a_file_deleted_after_the_listing(client, served, monkeypatch):
    store = client.application.extensions["docnorm"].store
    listed = store.files()
    (served / "somark" / "status_queuing.json").unlink()
    monkeypatch.setattr(store, "files", lambda: listed)  # the listing was made before the file went
    index = client.get("/")
    assert index.status_code == 200 and b"status_queuing.json" in index.get_data()
    assert b"no such result file" in index.get_data()
    assert client.get("/view?f=somark/status_queuing.json").status_code == 404


def test_an_unreadable_image_is_a_404(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(viewer.routes.pages, "open", refuse, raising=False)
    assert client.get("/asset/same_report/page_2_image_1.png").status_code == 404


def test_error_rows_name_files_relative_to_the_folder(client, served, monkeypatch):
    import normalizer.api
    def unreadable(path):
        raise normalizer.NormalizeError("$", f"cannot read {str(path)!r}: Permission denied")
    monkeypatch.setattr(viewer.store, "load", unreadable)
    html = client.get("/").get_data(as_text=True)
    assert str(served) not in html and "cannot read &#39;somark/status_queuing.json&#39;" in html


@pytest.mark.parametrize("host, status", [("localhost", 200), ("localhost:8000", 200), ("127.0.0.1:8000", 200),
                                          ("[::1]:8000", 200), ("[::1]", 200), ("evil.example", 400),
                                          ("evil.example:8000", 400), ("127.0.0.1.evil.example", 400),
                                          ("localhost.evil.example:80", 400)])
def test_only_local_host_headers_are_answered(served, host, status):
    client = create_app(str(served)).test_client()
    assert client.get("/", headers={"Host": host}).status_code == status
    assert client.get("/export/md?f=年报.json", headers={"Host": host}).status_code == status


def test_the_host_served_on_is_answered_too(served):
    client = create_app(str(served), hosts=("192.0.2.7",)).test_client()
    assert client.get("/", headers={"Host": "192.0.2.7:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "192.0.2.8:8000"}).status_code == 400


def test_serve_uses_a_bounded_server_that_names_no_versions(served):
    """`docnorm serve` runs waitress: idle connections take no thread each, and no Server header is sent."""
    from viewer.cli.serve import SERVER_THREADS, make_server
    before = {t.ident for t in threading.enumerate()}  # other tests' daemon threads (page workers, audits) may linger
    server = make_server(create_app(str(served)), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(300)]
    try:
        time.sleep(0.3)
        threads = [t.name for t in threading.enumerate() if t.ident not in before]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")  # answered at all (the connection's timeout fails a hang) past 300 idle ones
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200 and b"Saved results" in body
        assert response.getheader("Server") in (None, "")
        assert len(threads) <= SERVER_THREADS + 2, threads  # the workers, the server's loop, the one serving
    finally:
        for s in idle:
            s.close()
        server.close()
