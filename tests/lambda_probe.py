"""Run by tests/test_packaging.py in a fresh Python that sees only one function's unzipped
code and layers (``python -I -S``: no site-packages), as Lambda lays them out.

    python -I -S lambda_probe.py TASK OPT_PYTHON HANDLER [JOB_INPUT_JSON EARLIER_OUTPUTS_JSON]

Imports the handler (module.function) and prints, as JSON on its last line of output, the
top-level modules that the import loaded. With a job input, the function is a worker: the
probe creates the job in the SQLite store that SQLITE_PATH names, serves stand-in model APIs
on 127.0.0.1 (Bedrock's Converse API at AWS_BEDROCK_RUNTIME_ENDPOINT, Anthropic's Messages API
at ANTHROPIC_API_BASE: LiteLLM reads both) that refuse the first request and answer the next
ones in the requested schema, invokes the handler twice as Lambda would, and prints both
results: LiteLLM's error path, then its answer. Only the standard library and what the
function ships are used.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

task, layers, handler_path = sys.argv[1:4]
sys.path[0:1] = [task, layers]  # /var/task, then /opt/python, as Lambda orders them
PACKAGE = handler_path.split(".")[0]
JSON_TOOL = "json_tool_call"  # the tool LiteLLM asks for when the model answers in a schema
REFUSAL = "the stand-in model API refuses this request"
TOKENS = {"input": 11, "output": 7}


def sample_for(schema: dict) -> object:
    sample = importlib.import_module(f"{PACKAGE}.runtime.offline").sample
    return sample(schema, schema.get("$defs", {}), "live")


class ModelApis(BaseHTTPRequestHandler):
    """POST /model/<id>/converse (Bedrock) and /v1/messages (Anthropic)."""

    refusals_left = 1

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        bedrock = self.path.endswith("/converse")
        if ModelApis.refusals_left:
            ModelApis.refusals_left -= 1
            if bedrock:
                self.reply(400, {"message": REFUSAL}, {"x-amzn-ErrorType": "ValidationException"})
            else:
                error = {"type": "invalid_request_error", "message": REFUSAL}
                self.reply(400, {"type": "error", "error": error})
            return
        self.reply(200, self.converse(body) if bedrock else self.messages(body))

    def converse(self, body: dict) -> dict:
        specs = [tool["toolSpec"] for tool in body.get("toolConfig", {}).get("tools", [])]
        tools = {spec["name"]: spec for spec in specs}
        text_format = body.get("outputConfig", {}).get("textFormat")
        if text_format:
            schema = json.loads(text_format["structure"]["jsonSchema"]["schema"])
            content, stop = [{"text": json.dumps(sample_for(schema))}], "end_turn"
        elif JSON_TOOL in tools:
            answer = sample_for(tools[JSON_TOOL]["inputSchema"]["json"])
            content = [{"toolUse": {"toolUseId": "t1", "name": JSON_TOOL, "input": answer}}]
            stop = "tool_use"
        else:
            content, stop = [{"text": "live answer"}], "end_turn"
        return {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": {
                "inputTokens": TOKENS["input"],
                "outputTokens": TOKENS["output"],
                "totalTokens": sum(TOKENS.values()),
            },
            "metrics": {"latencyMs": 1},
        }

    def messages(self, body: dict) -> dict:
        tools = {tool["name"]: tool for tool in body.get("tools", [])}
        output_format = body.get("output_format")
        if output_format:
            content = [{"type": "text", "text": json.dumps(sample_for(output_format["schema"]))}]
            stop = "end_turn"
        elif JSON_TOOL in tools:
            answer = sample_for(tools[JSON_TOOL]["input_schema"])
            content = [{"type": "tool_use", "id": "t1", "name": JSON_TOOL, "input": answer}]
            stop = "tool_use"
        else:
            content, stop = [{"type": "text", "text": "live answer"}], "end_turn"
        return {
            "id": "msg-probe",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": TOKENS["input"], "output_tokens": TOKENS["output"]},
        }

    def reply(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def invoke_worker(handler, job_input: dict, earlier: dict[str, dict]) -> list[dict]:
    """The worker's results for a job in which ``earlier`` agents left their outputs: refused
    on the first attempt, answered on the second (when the worker calls its model)."""
    settings = importlib.import_module(f"{PACKAGE}.runtime.settings").get_settings()
    store = importlib.import_module(f"{PACKAGE}.runtime.stores").open_store(settings)
    create_job = importlib.import_module(f"{PACKAGE}.runtime.jobs").create_job
    agent_result = importlib.import_module(f"{PACKAGE}.runtime.records").AgentResult
    job = create_job(store, job_input, user_id="probe")
    for agent, output in earlier.items():
        store.put_result(agent_result(job_id=job.id, agent=agent, status="ok", output=output))
    return [handler({"job_id": job.id, "attempt": attempt}, None) for attempt in (1, 2)]


def main() -> None:
    module_name, _, function_name = handler_path.rpartition(".")
    server = ThreadingHTTPServer(("127.0.0.1", 0), ModelApis)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    os.environ.update(AWS_BEDROCK_RUNTIME_ENDPOINT=url, ANTHROPIC_API_BASE=url)
    handler = getattr(importlib.import_module(module_name), function_name)
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    job = [json.loads(argument) for argument in sys.argv[4:6]]
    results = invoke_worker(handler, *job) if job else []
    server.shutdown()
    print(json.dumps({"loaded": loaded, "results": results}))


main()
