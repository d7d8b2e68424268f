import datetime as dt
from types import SimpleNamespace

from gunicorn.config import Config

from waterportal.lib.access_log import AccessLogger


def atoms(path: str, query: str = "", referer: str = "-") -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    return AccessLogger(Config()).atoms(response, request, environ, dt.timedelta(seconds=1))


def test_the_access_log_has_no_query_string():
    logged = atoms("/help", "q=山田太郎 090-1234-5678")

    assert logged["r"] == "GET /help HTTP/1.1"
    assert "山田" not in str(logged) and "1234-5678" not in str(logged)


def test_the_access_log_hides_an_inquiry_token():
    logged = atoms(
        "/inquiries/t/secret-token-abc", referer="https://p.example.jp/inquiries/t/x1?a=b"
    )

    assert "secret-token-abc" not in str(logged)
    assert logged["r"] == "GET /inquiries/t/… HTTP/1.1"
    # The Referer is never logged: it holds the page before's path and query.
    assert logged["f"] == "-" and "x1" not in str(logged)
