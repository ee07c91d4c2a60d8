"""The Open Inference Protocol v2 messages that both sides write: the model's metadata (its
card: labels, limits, tokenizer, which inputs it takes), the request bodies a client sends
(token ids, or text), and the responses and errors the service sends back. What a service
accepts of a request, and why it refuses one, is `inference_protocol.py`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sentiment_ls.analysis.runtimes import FloatArray, IdArray
from sentiment_ls.analysis.runtimes.inference_protocol import (
    ATTENTION_MASK,
    INPUT_IDS,
    LOGITS,
    TEXT,
)


def binary_infer_response(
    logits: FloatArray, model_name: str, request_id: str | None
) -> tuple[bytes, int]:
    """The response with the logits as raw little-endian FP32 after the JSON; the body and
    the JSON's length (for Inference-Header-Content-Length)."""
    raw = np.ascontiguousarray(logits, dtype="<f4").tobytes()
    header = infer_response(logits, model_name, request_id)
    output = header["outputs"][0]
    del output["data"]
    output["parameters"] = {"binary_data_size": len(raw)}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    return encoded + raw, len(encoded)


def infer_response(logits: FloatArray, model_name: str, request_id: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "model_name": model_name,
        "outputs": [
            {
                "name": LOGITS,
                "datatype": "FP32",
                "shape": list(logits.shape),
                "data": [float(v) for v in logits.reshape(-1)],
            }
        ],
    }
    if request_id is not None:
        response["id"] = request_id
    return response


@dataclass(frozen=True)
class ModelCard:
    """What a client checks at connect: which labels the service's model gives, and whether
    it reads the client's token ids (the same tokenizer) or needs the text."""

    name: str
    model: str  # the served model as `--model` named it (`embedded`, a folder)
    labels: tuple[str, ...]
    weights_sha256: str | None
    max_length: int
    tokenizer_sha256: str | None = None  # of its tokenizer.json; None: not declared
    model_name: str = ""  # the model's name for people: `embedded`, the folder's name
    reads_text: bool = False  # declares the BYTES input `text`

    @property
    def title(self) -> str:
        return self.model_name or self.model or self.name

    def metadata(self) -> dict[str, Any]:
        inputs = [
            {"name": INPUT_IDS, "datatype": "INT64", "shape": [-1, -1]},
            {"name": ATTENTION_MASK, "datatype": "INT64", "shape": [-1, -1]},
        ]
        if self.reads_text:
            inputs.append({"name": TEXT, "datatype": "BYTES", "shape": [-1]})
        return {
            "name": self.name,
            "versions": ["1"],
            "platform": "onnxruntime_onnx",
            "inputs": inputs,
            "outputs": [{"name": LOGITS, "datatype": "FP32", "shape": [-1, len(self.labels)]}],
            "parameters": {
                "model": self.model,
                "model_name": self.model_name,
                "labels": list(self.labels),
                "weights_sha256": self.weights_sha256,
                "tokenizer_sha256": self.tokenizer_sha256,
                "max_length": self.max_length,
            },
        }


def card_from_metadata(metadata: Any) -> ModelCard:
    """The card a service's metadata describes; ValueError if it is not ours to read."""
    if not isinstance(metadata, dict):
        raise ValueError("the model metadata is not a JSON object")
    parameters = metadata.get("parameters")
    if not isinstance(parameters, dict):
        raise ValueError("the model metadata has no `parameters` (labels, max_length)")
    labels = parameters.get("labels")
    max_length = parameters.get("max_length")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ValueError("the model metadata's `labels` is not a list of names")
    if not isinstance(max_length, int) or max_length <= 0:
        raise ValueError("the model metadata's `max_length` is not a positive integer")
    inputs = metadata.get("inputs")
    reads_text = isinstance(inputs, list) and any(
        isinstance(i, dict) and i.get("name") == TEXT and i.get("datatype") == "BYTES"
        for i in inputs
    )
    return ModelCard(
        str(metadata.get("name", "")),
        str(parameters.get("model", "")),
        tuple(labels),
        _digest(parameters.get("weights_sha256")),
        max_length,
        _digest(parameters.get("tokenizer_sha256")),
        str(parameters.get("model_name") or ""),
        reads_text,
    )


def _digest(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def infer_body(rows: Sequence[Sequence[int]] | IdArray) -> bytes:
    """A request of equal-length rows."""
    array = np.asarray(rows, dtype=np.int64)
    return json.dumps({"inputs": [_tensor_json(INPUT_IDS, array)]}, separators=(",", ":")).encode()


def padded_infer_body(rows: Sequence[Sequence[int]], pad_id: int = 0) -> bytes:
    """A request of rows of any lengths: padded on the right, the mask saying where each
    ends (the service cuts them again, so padding changes no logits)."""
    width = max(len(row) for row in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    tensors = [_tensor_json(INPUT_IDS, ids), _tensor_json(ATTENTION_MASK, mask)]
    return json.dumps({"inputs": tensors}, separators=(",", ":")).encode()


def text_infer_body(texts: Sequence[str]) -> bytes:
    """A request of sentences as text, one a row: the service tokenizes them."""
    tensor = {"name": TEXT, "datatype": "BYTES", "shape": [len(texts)], "data": list(texts)}
    return json.dumps({"inputs": [tensor]}, separators=(",", ":")).encode()


def binary_text_infer_body(texts: Sequence[str]) -> tuple[bytes, int]:
    """The same with the binary tensor extension: each row its 4-byte little-endian length
    and its UTF-8 bytes after the JSON; the body and the JSON's length."""
    raw = b"".join(struct.pack("<I", len(b)) + b for b in (t.encode() for t in texts))
    tensor = {
        "name": TEXT,
        "datatype": "BYTES",
        "shape": [len(texts)],
        "parameters": {"binary_data_size": len(raw)},
    }
    header = json.dumps({"inputs": [tensor]}, separators=(",", ":")).encode()
    return header + raw, len(header)


def _tensor_json(name: str, array: IdArray) -> dict[str, Any]:
    return {
        "name": name,
        "datatype": "INT64",
        "shape": list(array.shape),
        "data": array.reshape(-1).tolist(),
    }


def logits_from_response(document: Any, rows: int, labels: int) -> FloatArray:
    """The logits of an infer response; ValueError when it is not what was asked for."""
    if not isinstance(document, dict) or not isinstance(document.get("outputs"), list):
        raise ValueError("the infer response has no `outputs`")
    for output in document["outputs"]:
        if isinstance(output, dict) and output.get("name") == LOGITS:
            if output.get("shape") != [rows, labels]:
                raise ValueError(f"the logits have the shape {output.get('shape')}")
            data = np.asarray(output.get("data"), dtype=np.float32)
            if data.size != rows * labels:
                raise ValueError("the logits' data does not fill their shape")
            return data.reshape(rows, labels)
    raise ValueError("the infer response has no `logits`")


def error_body(message: str) -> dict[str, str]:
    """The protocol's error object."""
    return {"error": message}
