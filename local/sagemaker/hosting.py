"""A SageMaker real-time endpoint on this machine: the hosting container and the runtime API in front.

    python hosting.py --model-archive model.tar.gz --model-dir <dir> [--endpoint-name local]
                      [--host 127.0.0.1] [--port 0] [--workers 1]

The container side follows the SageMaker PyTorch serving container (TorchServe driven by
aws/sagemaker-pytorch-inference-toolkit, whose handler service is
aws/sagemaker-inference-toolkit's; file names below are in those repositories):

- The model archive is unpacked into --model-dir, which stands for /opt/ml/model
  (model_archive.py); `code/` in it is put first on the import path and on PYTHONPATH
  (torchserve.py `_set_python_path`, default_handler_service.py `initialize`), and the user
  module is SAGEMAKER_PROGRAM without ".py", default `inference` (environment.py).
- Each worker process imports the module and calls `model_fn(model_dir)` once
  (transformer.py `validate_and_initialize`). A module with `transform_fn` and any of
  input/predict/output_fn is refused, as the toolkit refuses it.
- Per request (transformer.py `transform`): the content type is the first header named like
  Content-Type; Accept defaults to SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT (application/json)
  when missing or `*/*`; a body of type application/json or text/csv is decoded to text,
  any other stays bytes (a bytearray, as TorchServe passes it); then
  `input_fn(body, content_type)`, `predict_fn(data, model)`, `output_fn(prediction, accept)`,
  each given the context as an extra argument when its signature has one more parameter
  (`_run_handler_function`). A tuple result is (body, content type); otherwise the content
  type is the Accept value.
- Errors (transformer.py `handle_error`): an exception derived from the toolkit's
  BaseInferenceToolkitError is answered with its status_code and phrase, any other with 500
  and str(exception); the body is "<message>\\n<traceback>".
- `GET /ping`: 200 {"status": "Healthy"} once the workers have loaded the model; while none
  has (loading, or model_fn failed) 500 {"status": "Unhealthy"}. (TorchServe before 0.8 said
  "Unhealthy" with a 200, which let endpoints with a failed model go InService,
  aws/deep-learning-containers#2917; the hosting contract wants a 200 only when ready.)
  `POST /invocations` with no live worker: 503 ServiceUnavailableException, as TorchServe.

The runtime side is the route the SDK calls, `POST /endpoints/<name>/invocations`: a request
without a SigV4 Authorization header gets 403 MissingAuthenticationTokenException, an unknown
endpoint name 400 ValidationError, a body over 6 MiB 400 ValidationError (the real-time
payload limit); Content-Type, Accept and X-Amzn-SageMaker-Custom-Attributes are passed to the
container; a 2xx answer comes back as is with x-Amzn-Invoked-Production-Variant; any other
becomes 424 ModelError carrying OriginalStatusCode, OriginalMessage (the container's body)
and LogStreamArn, with the service's "Received client error (400) from primary with message
..." text.

Events go to stdout as JSON lines: listening (port), worker_started (pid), model_loaded /
model_load_failed (per worker), invocation (status and per-stage milliseconds). The container's own log (tracebacks)
goes to stderr.
"""

import argparse
import importlib
import inspect
import json
import multiprocessing
import os
import queue
import re
import signal
import sys
import threading
import time
import traceback
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLKIT_DIR = os.path.join(HERE, "toolkit")
sys.path.insert(0, HERE)

import lifetime  # noqa: E402
import model_archive  # noqa: E402

CONTENT_TYPE_HEADER = re.compile("^[Cc]ontent-?[Tt]ype")  # sagemaker_inference/utils.py
UTF8_TYPES = ("application/json", "text/csv")  # sagemaker_inference/content_types.py
ANY = "*/*"
RUNTIME_ROUTE = re.compile(r"^/endpoints/([^/]+)/invocations$")
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # real-time InvokeEndpoint payload limit
ACCOUNT = "000000000000"


_EMIT_LOCK = threading.Lock()


def emit(event, **fields):
    # One write per line, under a lock: print() from two threads can interleave two lines.
    line = json.dumps({"event": event, **fields}) + "\n"
    with _EMIT_LOCK:
        sys.stdout.write(line)
        sys.stdout.flush()


# --------------------------------------------------------------------------- the worker (torch lives here)


class Context:
    """The part of TorchServe's context a handler may read: system_properties["model_dir"]."""

    def __init__(self, model_dir):
        self.system_properties = {"model_dir": model_dir, "gpu_id": None}
        self.model_name = "model"


class UserHandlers:
    """The user module's functions, checked as transformer.py `_validate_user_module_and_set_functions`."""

    def __init__(self, module, context):
        self.context = context
        self.model_fn = getattr(module, "model_fn", None)
        self.transform_fn = getattr(module, "transform_fn", None)
        self.input_fn = getattr(module, "input_fn", None)
        self.predict_fn = getattr(module, "predict_fn", None)
        self.output_fn = getattr(module, "output_fn", None)
        if self.transform_fn and (self.input_fn or self.predict_fn or self.output_fn):
            raise ValueError(
                "Cannot use transform_fn implementation in conjunction with "
                "input_fn, predict_fn, and/or output_fn implementation"
            )
        missing = [
            name
            for name in ("model_fn",) + (() if self.transform_fn else ("input_fn", "predict_fn", "output_fn"))
            if getattr(self, name) is None
        ]
        if missing:
            raise ValueError(
                f"{module.__name__} lacks {', '.join(missing)}; the PyTorch container would fall back to its "
                "default handlers, which this local container does not implement"
            )

    def run(self, func, *argv):
        """transformer.py `_run_handler_function`: pass the context when the function takes one more argument."""
        count = len(inspect.signature(func).parameters)
        if count == len(argv):
            return func(*argv)
        if count == len(argv) + 1:
            return func(*argv, self.context)
        raise TypeError(f"{func.__name__} takes {count} arguments but {len(argv)} were given.")


def _milliseconds(since):
    return round((time.perf_counter() - since) * 1000, 3)


def transform(handlers, model, request, default_accept, toolkit_error):
    """One request through the handlers; returns {"status", "phrase", "body", "content_type", "ms"}."""
    timings = {}
    try:
        headers = request["headers"]
        content_type = next((value for key, value in headers if CONTENT_TYPE_HEADER.match(key)), None)
        lookup = dict(headers)
        accept = lookup.get("Accept") or lookup.get("accept")
        if not accept or accept == ANY:
            accept = default_accept
        body = bytearray(request["body"])
        if content_type in UTF8_TYPES:
            body = body.decode("utf-8")
        if handlers.transform_fn:
            result = _timed(timings, "transform_fn", handlers.run, handlers.transform_fn, model, body, content_type, accept)
        else:
            data = _timed(timings, "input_fn", handlers.run, handlers.input_fn, body, content_type)
            prediction = _timed(timings, "predict_fn", handlers.run, handlers.predict_fn, data, model)
            result = _timed(timings, "output_fn", handlers.run, handlers.output_fn, prediction, accept)
        response, response_type = (result[0], result[1]) if isinstance(result, tuple) else (result, accept)
        return {"status": 200, "phrase": "OK", "body": _as_bytes(response), "content_type": response_type, "ms": timings}
    except Exception as err:  # noqa: BLE001 - every failure becomes an HTTP answer, as in the toolkit
        trace = traceback.format_exc()
        print(f"Transform failed for model: model. Error traceback: {trace.splitlines()}", file=sys.stderr, flush=True)
        if isinstance(err, toolkit_error):
            status, message, phrase = err.status_code, err.message, err.phrase
        else:
            status, message, phrase = 500, str(err), str(err)
        return {
            "status": status,
            "phrase": str(phrase).replace("\r", " ").replace("\n", " "),
            "body": f"{message}\n{trace}".encode("utf-8"),
            "content_type": "text/plain; charset=utf-8",
            "ms": timings,
        }


def _timed(timings, stage, call, *args):
    started = time.perf_counter()
    try:
        return call(*args)
    finally:
        timings[stage] = _milliseconds(started)


def _as_bytes(response):
    if isinstance(response, (bytes, bytearray)):
        return bytes(response)
    if isinstance(response, str):
        return response.encode("utf-8")
    return json.dumps(response).encode("utf-8")


def worker_main(index, conn, inherited, model_dir, program, default_accept):
    lifetime.die_with_parent()  # if the front dies, even by SIGKILL, the worker goes too
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:  # the front's ends of the other workers' pipes, copied by fork
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends a worker at once, without a traceback
    code_dir = os.path.join(model_dir, "code")
    sys.path[:0] = [code_dir, TOOLKIT_DIR]
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [code_dir, os.environ.get("PYTHONPATH")]))
    started = time.perf_counter()
    try:
        from sagemaker_inference.errors import BaseInferenceToolkitError

        module_name = program[:-3] if program.endswith(".py") else program
        handlers = UserHandlers(importlib.import_module(module_name), Context(model_dir))
        model = handlers.run(handlers.model_fn, model_dir)
    except BaseException as err:  # noqa: BLE001 - a failed load is reported, never raised
        trace = traceback.format_exc()
        print(trace, file=sys.stderr, flush=True)
        conn.send({"kind": "failed", "error": f"{type(err).__name__}: {err}", "seconds": _milliseconds(started) / 1000})
        return
    conn.send({"kind": "ready", "seconds": round(_milliseconds(started) / 1000, 3)})
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(transform(handlers, model, request, default_accept, BaseInferenceToolkitError))


# --------------------------------------------------------------------------- the front (no torch)


class Worker:
    def __init__(self, index, process, conn):
        self.index = index
        self.process = process
        self.conn = conn
        self.lock = threading.Lock()


class WorkerPool:
    def __init__(self, count, model_dir, program, default_accept, timeout_seconds):
        context = multiprocessing.get_context("fork")
        self.timeout = timeout_seconds
        self.expected = count
        self.idle = queue.Queue()
        self.ready = 0
        self.failed = []
        self.state = threading.Condition()
        self.workers = []
        fronts = []
        for index in range(count):
            front, back = context.Pipe()
            process = context.Process(
                target=worker_main,
                args=(index, back, list(fronts), model_dir, program, default_accept),
                name=f"model-worker-{index}",
                daemon=True,
            )
            process.start()
            back.close()
            fronts.append(front)
            emit("worker_started", worker=index, pid=process.pid)
            self.workers.append(Worker(index, process, front))
        for worker in self.workers:
            threading.Thread(target=self._await_start, args=(worker,), daemon=True).start()

    def _await_start(self, worker):
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            message = {"kind": "failed", "error": f"worker exited with status {worker.process.exitcode}", "seconds": 0}
        with self.state:
            if message["kind"] == "ready":
                self.ready += 1
                self.idle.put(worker)
                emit("model_loaded", worker=worker.index, seconds=message["seconds"])
            else:
                self.failed.append(message["error"])
                emit("model_load_failed", worker=worker.index, error=message["error"])
            self.state.notify_all()

    def health(self):
        with self.state:
            if self.ready == self.expected:
                return 200, "Healthy"
            if self.ready > 0:
                return 200, "Partial Healthy"
            return 500, "Unhealthy"

    def invoke(self, request):
        with self.state:
            live = self.ready > 0 or len(self.failed) < self.expected
        if not live:
            return _service_unavailable()
        try:
            worker = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return _service_unavailable()
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                raise TimeoutError(f"the worker did not answer within {self.timeout} s")
            result = worker.conn.recv()
        except (EOFError, OSError, TimeoutError) as err:
            with self.state:
                self.ready -= 1
                self.failed.append(str(err))
            worker.process.terminate()
            return {"status": 500, "phrase": "Internal Server Error", "body": str(err).encode(), "content_type": "text/plain", "ms": {}}
        self.idle.put(worker)
        return result

    def close(self):
        for worker in self.workers:
            worker.conn.close()
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


def _service_unavailable():
    message = 'Model "model" has no worker to serve inference request. Please use scale workers API to add workers.'
    body = json.dumps({"code": 503, "type": "ServiceUnavailableException", "message": message}, indent=2)
    return {"status": 503, "phrase": "Service Unavailable", "body": body.encode(), "content_type": "application/json", "ms": {}}


class EndpointHandler(BaseHTTPRequestHandler):
    server_version = "local-sagemaker-endpoint"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass  # one JSON event per invocation instead

    def do_GET(self):
        if self.path.split("?", 1)[0] != "/ping":
            return self._send(404, "application/json", b'{"message": "not found"}')
        status, text = self.server.pool.health()
        self._send(status, "application/json", json.dumps({"status": text}, indent=2).encode())

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path == "/invocations":
            body = self._read_body()
            if body is None:
                return None
            result = self._invoke(list(self.headers.items()), body, "container")
            return self._send(result["status"], result["content_type"], result["body"], phrase=result["phrase"])
        match = RUNTIME_ROUTE.match(path)
        if match:
            return self._runtime_invoke(unquote(match.group(1)))
        return self._send(404, "application/json", b'{"message": "not found"}')

    # ---------------------------------------------------------------- runtime API

    def _runtime_invoke(self, endpoint_name):
        if not (self.headers.get("Authorization") or "").startswith("AWS4-HMAC-SHA256 "):
            self._drain()
            return self._runtime_error(403, "MissingAuthenticationTokenException", {"message": "Missing Authentication Token"})
        if endpoint_name != self.server.endpoint_name:
            self._drain()
            return self._runtime_error(
                400, "ValidationError", {"Message": f"Endpoint {endpoint_name} of account {ACCOUNT} not found."}
            )
        body = self._read_body(runtime=True)
        if body is None:
            return None
        forwarded = [
            (name, self.headers[name])
            for name in ("Content-Type", "Accept", "X-Amzn-SageMaker-Custom-Attributes")
            if self.headers.get(name) is not None
        ]
        result = self._invoke(forwarded, body, "runtime")
        if 200 <= result["status"] < 300:
            return self._send(
                200, result["content_type"], result["body"], extra={"x-Amzn-Invoked-Production-Variant": "AllTraffic"}
            )
        status = result["status"]
        original = result["body"].decode("utf-8", errors="replace")
        kind = "client" if 400 <= status < 500 else "server"
        region = os.environ.get("AWS_REGION", "us-east-1")
        log_group = f"/aws/sagemaker/Endpoints/{self.server.endpoint_name}"
        message = (
            f'Received {kind} error ({status}) from primary with message "{original}". See '
            f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group={log_group} "
            f"in account {ACCOUNT} for more information."
        )
        return self._runtime_error(
            424,
            "ModelError",
            {
                "Message": message,
                "OriginalStatusCode": status,
                "OriginalMessage": original,
                "LogStreamArn": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{log_group}",
            },
        )

    def _runtime_error(self, status, error_type, payload):
        headers = {"x-amzn-errortype": f"{error_type}:http://internal.amazon.com/coral/com.amazonaws.sagemaker/"}
        self._send(status, "application/json", json.dumps(payload).encode(), extra=headers)

    # ---------------------------------------------------------------- plumbing

    def _invoke(self, headers, body, route):
        started = time.perf_counter()
        result = self.server.pool.invoke({"headers": headers, "body": body})
        emit("invocation", route=route, status=result["status"], bytes=len(body), ms={**result["ms"], "total": _milliseconds(started)})
        return result

    def _read_body(self, runtime=False):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_PAYLOAD_BYTES:
            self.close_connection = True
            if runtime:
                self._runtime_error(400, "ValidationError", {"Message": f"Request payload is {length} bytes; the limit is {MAX_PAYLOAD_BYTES}."})
            else:
                self._send(413, "application/json", b'{"message": "payload too large"}')
            return None
        return self.rfile.read(length)

    def _drain(self):
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= MAX_PAYLOAD_BYTES:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _send(self, status, content_type, body, phrase=None, extra=None):
        if phrase is None:
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = ""
        self.send_response_only(status, phrase[:200])
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class EndpointServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="hosting.py", description=__doc__.splitlines()[0])
    parser.add_argument("--model-archive", required=True, help="model.tar.gz as the training job wrote it")
    parser.add_argument("--model-dir", required=True, help="where to unpack it (stands for /opt/ml/model)")
    parser.add_argument("--endpoint-name", default="local")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "0")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS", "1")))
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    lifetime.die_with_parent()

    try:
        model_archive.unpack(args.model_archive, args.model_dir)
    except model_archive.ArchiveError as err:
        emit("model_load_failed", worker=None, error=str(err))
        print(f"hosting.py: {err}", file=sys.stderr)
        return 1
    program = os.environ.get("SAGEMAKER_PROGRAM", "inference.py")
    default_accept = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")
    timeout = int(os.environ.get("SAGEMAKER_MODEL_SERVER_TIMEOUT", "60"))

    pool = WorkerPool(args.workers, os.path.abspath(args.model_dir), program, default_accept, timeout)
    server = EndpointServer((args.host, args.port), EndpointHandler)
    server.pool = pool
    server.endpoint_name = args.endpoint_name

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    emit("listening", host=args.host, port=server.server_address[1], endpoint=args.endpoint_name, workers=args.workers)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
