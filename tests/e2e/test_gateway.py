"""The gateway's HTTP behaviour on one connection: inference requests are answered on the event
loop that read them, in front of the router, so these tests speak raw HTTP/1.1 to check what a
client would notice if that path got it wrong — answers out of order on a pipelined connection,
a body that arrives in pieces or chunked, `Connection: close`, request ids, and errors in the
protocol's own shape."""

from __future__ import annotations

import json
import re
import socket
import time

import numpy as np
import pytest
import requests

from e2e_support import register_onnx, unique

pytestmark = pytest.mark.mlflow_differs(reason="deployments are Cairn's own API")


@pytest.fixture(scope="module")
def deployed(server, tmp_path_factory):
    """One deployment of a small ONNX classifier, with the rows to send and the labels expected."""
    import onnxruntime as ort
    from skl2onnx import to_onnx
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    features, labels = make_classification(n_samples=200, n_features=4, random_state=5)
    features = features.astype(np.float32)
    model = to_onnx(LogisticRegression().fit(features, labels), features[:1], options={"zipmap": False}).SerializeToString()
    name = register_onnx(server.url, model, tmp_path_factory.mktemp("gateway") / "v1", "gateway")
    deployment = unique("gw")
    created = requests.post(f"{server.url}/api/v1/deployments", json={"name": deployment, "model_name": name, "model_version": 1}, timeout=120)
    assert created.status_code == 200, created.text
    rows = features[:3]
    expected = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"X": rows})[0].tolist()
    yield deployment, rows, expected
    requests.delete(f"{server.url}/api/v1/deployments/{deployment}", timeout=120)


def v2_body(rows) -> bytes:
    return json.dumps({"inputs": [{"name": "X", "shape": list(rows.shape), "datatype": "FP32", "data": rows.ravel().tolist()}]}).encode()


def post(path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()


class Connection:
    """One keep-alive connection that reads answers one at a time (Content-Length bodies)."""

    def __init__(self, url: str):
        host, port = url.removeprefix("http://").split(":")
        self.socket = socket.create_connection((host, int(port)), timeout=30)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode().split("\r\n")
        headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)}
        length = int(headers["content-length"])
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def closed_by_server(self) -> bool:
        try:
            return self.socket.recv(1) == b""
        except ConnectionResetError:
            return True

    def _fill(self) -> None:
        data = self.socket.recv(65536)
        if not data:
            raise ConnectionError("closed by the server mid-answer")
        self.buffer += data

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.socket.close()


def labels(body: bytes) -> list[int]:
    return next(output for output in json.loads(body)["outputs"] if output["name"] == "label")["data"]


def test_pipelined_requests_are_answered_in_order(server, deployed):
    deployment, rows, expected = deployed
    with Connection(server.url) as connection:
        # Inference, a router path, an unknown deployment, inference again, then KServe V1 and
        # MLflow scoring — all written before any answer is read.
        connection.send(post(f"/v2/models/{deployment}/infer", v2_body(rows), {"X-Request-Id": "first"})
                        + get("/health")
                        + post("/v2/models/no-such-deployment/infer", v2_body(rows))
                        + post(f"/v2/models/{deployment}/infer", v2_body(rows[:1]), {"X-Request-Id": "fourth"})
                        + post(f"/v1/models/{deployment}:predict", json.dumps({"instances": rows.tolist()}).encode())
                        + post(f"/deployments/{deployment}/invocations", json.dumps({"instances": rows.tolist()}).encode()))
        status, headers, body = connection.answer()
        assert (status, headers["x-request-id"], headers["x-cairn-revision"], labels(body)) == (200, "first", "1", expected)
        assert headers["content-type"] == "application/json" and headers["server"] == "cairn" and "date" in headers
        assert connection.answer()[::2] == (200, b"OK")
        status, _, body = connection.answer()
        assert status == 404 and "no-such-deployment" in json.loads(body)["error"]
        status, headers, body = connection.answer()
        assert (status, headers["x-request-id"], labels(body)) == (200, "fourth", expected[:1])
        status, _, body = connection.answer()
        assert (status, json.loads(body)) == (200, {"predictions": expected})
        status, _, body = connection.answer()
        assert status == 200 and [p["label"] for p in json.loads(body)["predictions"]] == expected


def test_a_body_sent_in_pieces_or_chunked_reaches_the_replica_whole(server, deployed):
    deployment, rows, expected = deployed
    body = v2_body(rows)
    with Connection(server.url) as connection:
        request = post(f"/v2/models/{deployment}/infer", body)
        head_end = request.index(b"\r\n\r\n") + 4
        connection.send(request[:head_end])
        time.sleep(0.05)
        connection.send(body[:10])
        time.sleep(0.05)
        connection.send(body[10:])
        status, _, answer = connection.answer()
        assert (status, labels(answer)) == (200, expected)

        chunked = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in (body[:7], body[7:40], body[40:])) + b"0\r\n\r\n"
        connection.send(f"POST /v2/models/{deployment}/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n".encode() + chunked)
        status, _, answer = connection.answer()
        assert (status, labels(answer)) == (200, expected)


def test_connection_close_is_honoured_after_the_answer(server, deployed):
    deployment, rows, expected = deployed
    with Connection(server.url) as connection:
        connection.send(post(f"/v2/models/{deployment}/infer", v2_body(rows), {"Connection": "close"}))
        status, headers, body = connection.answer()
        assert (status, headers.get("connection"), labels(body)) == (200, "close", expected)
        assert connection.closed_by_server()


def test_answers_carry_a_request_id_and_errors_keep_each_protocols_shape(server, deployed):
    deployment, rows, _ = deployed
    given = requests.post(f"{server.url}/v2/models/{deployment}/infer", data=v2_body(rows), headers={"X-Request-Id": "order-77"}, timeout=30)
    assert given.headers["X-Request-Id"] == "order-77"
    made = {requests.post(f"{server.url}/v2/models/{deployment}/infer", data=v2_body(rows), timeout=30).headers["X-Request-Id"] for _ in range(5)}
    assert len(made) == 5 and all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", made_id) for made_id in made)

    # The replica refuses a malformed tensor; its 400 and message come back as they are.
    refused = requests.post(f"{server.url}/v2/models/{deployment}/infer", json={"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32",
                                                                                             "data": [1.0]}]}, timeout=30)
    assert refused.status_code == 400 and refused.headers["X-Cairn-Revision"] == "1" and "error" in refused.json()
    # An unknown deployment: V2 and V1 say {"error": ...}; MLflow scoring says {"error_code", "message"}.
    for path in ("/v2/models/nowhere/infer", "/v1/models/nowhere:predict"):
        missing = requests.post(f"{server.url}{path}", data=v2_body(rows), timeout=30)
        assert missing.status_code == 404 and "nowhere" in missing.json()["error"]
    missing = requests.post(f"{server.url}/deployments/nowhere/invocations", json={"instances": rows.tolist()}, timeout=30)
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_a_client_that_stops_sending_still_gets_every_answer(server, deployed):
    deployment, rows, expected = deployed
    with Connection(server.url) as connection:
        connection.send(post(f"/v2/models/{deployment}/infer", v2_body(rows)) + post(f"/v2/models/{deployment}/infer", v2_body(rows[:1])))
        connection.socket.shutdown(socket.SHUT_WR)
        status, _, body = connection.answer()
        assert (status, labels(body)) == (200, expected)
        status, _, body = connection.answer()
        assert (status, labels(body)) == (200, expected[:1])


def test_a_malformed_request_behind_an_inference_is_refused_after_its_answer(server, deployed):
    deployment, rows, expected = deployed
    with Connection(server.url) as connection:
        connection.send(post(f"/v2/models/{deployment}/infer", v2_body(rows)) + b"NOT HTTP AT ALL\r\n\r\n")
        status, _, body = connection.answer()
        assert (status, labels(body)) == (200, expected)
        try:
            status, _, _ = connection.answer()
        except ConnectionError:
            status = None  # closed without an answer is also a refusal
        assert status in (400, None)
        assert connection.closed_by_server()
