"""The Open Inference Protocol v2 (KServe), the part a sequence classifier needs: its
requests, parsed and bounded here without Ray or a web framework, so that each rule is unit
tested on its own and the service and its clients share one reading of the protocol (the
messages both sides write are `inference_messages.py`).

A request carries either token ids or text. Ids: `input_ids` (INT64, [batch, tokens]) and
optionally `attention_mask` of the same shape; a mask may only pad rows on the right (ones,
then zeros). Padded rows are cut to their length before the model sees them: the model runs
rows of one exact length together, unpadded, so a row's logits never depend on its
batch-mates (as in the local runtime). Text: `text` (BYTES, [batch], one sentence a row, as
JSON strings or, with the binary tensor extension, each row a 4-byte little-endian length
and its UTF-8 bytes), for a client whose tokenizer is not the served model's; the service
tokenizes it (`serve/host.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from sentiment_ls.analysis.runtimes import IdArray

# The one model a service serves, by the name its URLs use (/v2/models/<name>).
MODEL_NAME = "sentiment-ls"

INPUT_IDS = "input_ids"
ATTENTION_MASK = "attention_mask"
LOGITS = "logits"
TEXT = "text"


@dataclass(frozen=True)
class Limits:
    """What one request may hold; past any of them the answer is 413."""

    max_bytes: int = 4 * 1024 * 1024
    max_rows: int = 512
    max_tokens: int = 64 * 1024  # ids in all rows together (text: once tokenized)
    max_text_bytes: int = 256 * 1024  # UTF-8 bytes of text in all rows together


class ProtocolError(Exception):
    """A request the service refuses; `status` is the HTTP status (400 or 413). The message
    never quotes the request's data."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class InferRequest:
    rows: list[IdArray]  # each row cut to its attention mask's length; none for text
    request_id: str | None
    binary_output: bool = False  # the logits as raw bytes (the binary tensor extension)
    texts: list[str] | None = None  # the sentences of a `text` request


BINARY_TYPES: dict[str, np.dtype[np.signedinteger[Any]]] = {
    "INT64": np.dtype("<i8"),
    "INT32": np.dtype("<i4"),
}


def parse_infer_request(
    body: bytes,
    limits: Limits,
    max_length: int,
    vocabulary: int | None = None,
    json_length: int | None = None,
) -> InferRequest:
    """The rows (or texts) of an infer request; ProtocolError (400, 413) says which rule it broke.
    `vocabulary`: ids must lie in [0, vocabulary), checked here so that the runtime never
    fails on one (its error would quote the id). `json_length` (the header
    Inference-Header-Content-Length of the binary tensor extension, as Triton's clients send
    by default): the JSON is that many bytes, the tensors' raw data follows in input order."""
    if len(body) > limits.max_bytes:
        raise ProtocolError(413, f"the request has {len(body)} bytes; at most {limits.max_bytes}")
    binary = b""
    if json_length is not None:
        if not 0 < json_length <= len(body):
            raise ProtocolError(400, "Inference-Header-Content-Length is not within the body")
        body, binary = body[:json_length], body[json_length:]
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProtocolError(400, f"the body is not JSON: {type(error).__name__}") from None
    if not isinstance(document, dict):
        raise ProtocolError(400, "the body must be a JSON object")
    request_id = document.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise ProtocolError(400, "`id` must be a string")
    inputs = document.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise ProtocolError(400, "`inputs` must be a non-empty list of tensors")
    tensors: dict[str, Any] = {}
    for tensor in inputs:
        if not isinstance(tensor, dict) or not isinstance(tensor.get("name"), str):
            raise ProtocolError(400, "each input must be an object with a `name`")
        if tensor["name"] not in (INPUT_IDS, ATTENTION_MASK, TEXT):
            raise ProtocolError(400, f"unknown input {tensor['name'][:64]!r}")
        tensors[tensor["name"]] = tensor
    raw = _binary_parts(inputs, binary)
    if TEXT in tensors:
        if len(tensors) > 1:
            raise ProtocolError(400, f"`{TEXT}` comes alone, without token ids")
        texts = _texts(tensors[TEXT], limits, raw.get(TEXT))
        return InferRequest([], request_id, _wants_binary(document), texts)
    if INPUT_IDS not in tensors:
        raise ProtocolError(400, f"the input `{INPUT_IDS}` (or `{TEXT}`) is missing")
    ids = _tensor(tensors[INPUT_IDS], limits, raw.get(INPUT_IDS))
    mask = (
        _tensor(tensors[ATTENTION_MASK], limits, raw.get(ATTENTION_MASK))
        if ATTENTION_MASK in tensors
        else None
    )
    if mask is not None and mask.shape != ids.shape:
        raise ProtocolError(400, "`attention_mask` must have the shape of `input_ids`")
    if vocabulary is not None and (ids.min() < 0 or ids.max() >= vocabulary):
        raise ProtocolError(400, f"`{INPUT_IDS}` must lie between 0 and {vocabulary - 1}")
    rows = _cut_rows(ids, mask)
    if any(len(row) > max_length for row in rows):
        raise ProtocolError(413, f"a row is longer than the model's {max_length} tokens")
    return InferRequest(rows, request_id, _wants_binary(document))


def _binary_parts(inputs: list[dict[str, Any]], binary: bytes) -> dict[str, bytes]:
    """Each input's raw bytes, in input order, as `parameters.binary_data_size` says."""
    parts: dict[str, bytes] = {}
    offset = 0
    for tensor in inputs:
        parameters = tensor.get("parameters")
        size = parameters.get("binary_data_size") if isinstance(parameters, dict) else None
        if size is None:
            continue
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ProtocolError(400, "`binary_data_size` must be a byte count")
        if offset + size > len(binary):
            raise ProtocolError(400, f"the binary data of `{tensor['name']}` is cut short")
        parts[tensor["name"]] = binary[offset : offset + size]
        offset += size
    if offset != len(binary):
        raise ProtocolError(400, "binary data that no input claims follows the JSON")
    return parts


def _wants_binary(document: dict[str, Any]) -> bool:
    parameters = document.get("parameters")
    if isinstance(parameters, dict) and parameters.get("binary_data_output") is True:
        return True
    outputs = document.get("outputs")
    if not isinstance(outputs, list):
        return False
    return any(
        isinstance(o, dict)
        and o.get("name") == LOGITS
        and isinstance(o.get("parameters"), dict)
        and o["parameters"].get("binary_data") is True
        for o in outputs
    )


def _tensor(tensor: dict[str, Any], limits: Limits, raw: bytes | None = None) -> IdArray:
    name = tensor["name"]
    if tensor.get("datatype") not in ("INT64", "INT32"):
        raise ProtocolError(400, f"`{name}` must be INT64")
    shape = tensor.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise ProtocolError(400, f"`{name}` must have a shape [batch, tokens]")
    rows, width = shape
    if rows > limits.max_rows:
        raise ProtocolError(413, f"{rows} rows in one request; at most {limits.max_rows}")
    if rows * width > limits.max_tokens:
        raise ProtocolError(
            413, f"{rows * width} tokens in one request; at most {limits.max_tokens}"
        )
    if rows == 0 or width == 0:
        raise ProtocolError(400, f"`{name}` is empty")
    if raw is not None:
        dtype = BINARY_TYPES[tensor["datatype"]]
        if len(raw) != rows * width * dtype.itemsize:
            raise ProtocolError(400, f"`{name}` must hold {rows * width} integers")
        decoded: IdArray = np.frombuffer(raw, dtype=dtype).astype(np.int64)
        return decoded.reshape(rows, width)
    data = tensor.get("data")
    if not isinstance(data, list):
        raise ProtocolError(400, f"`{name}` needs its `data`")
    flat = _flatten(data)
    if len(flat) != rows * width or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in flat
    ):
        raise ProtocolError(400, f"`{name}` must hold {rows * width} integers")
    try:
        array = np.array(flat, dtype=np.int64).reshape(rows, width)
    except OverflowError:
        raise ProtocolError(400, f"`{name}` holds an integer out of INT64's range") from None
    return array


def _texts(tensor: dict[str, Any], limits: Limits, raw: bytes | None) -> list[str]:
    """The sentences of a BYTES tensor of shape [batch] (or [batch, 1])."""
    if tensor.get("datatype") != "BYTES":
        raise ProtocolError(400, f"`{TEXT}` must be BYTES")
    shape = tensor.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) not in (1, 2)
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in shape)
        or (len(shape) == 2 and shape[1] != 1)
        or shape[0] < 0
    ):
        raise ProtocolError(400, f"`{TEXT}` must have a shape [batch], one sentence a row")
    rows = shape[0]
    if rows > limits.max_rows:
        raise ProtocolError(413, f"{rows} rows in one request; at most {limits.max_rows}")
    if rows == 0:
        raise ProtocolError(400, f"`{TEXT}` is empty")
    if raw is not None:
        try:
            texts = [element.decode("utf-8") for element in _length_prefixed(raw)]
        except UnicodeDecodeError:
            raise ProtocolError(400, f"`{TEXT}` must be UTF-8") from None
    else:
        data = tensor.get("data")
        if not isinstance(data, list):
            raise ProtocolError(400, f"`{TEXT}` needs its `data`")
        texts = _flatten(data)
        # JSON may escape a lone surrogate; the tokenizer stage replaces it (preprocess).
        if not all(isinstance(v, str) for v in texts):
            raise ProtocolError(400, f"`{TEXT}` must hold strings")
    if len(texts) != rows:
        raise ProtocolError(400, f"`{TEXT}` must hold {rows} strings")
    size = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    if size > limits.max_text_bytes:
        raise ProtocolError(
            413, f"{size} bytes of text in one request; at most {limits.max_text_bytes}"
        )
    return texts


def _length_prefixed(raw: bytes) -> list[bytes]:
    """The elements of a BYTES tensor in the binary extension: each a 4-byte little-endian
    length, then that many bytes."""
    elements, offset = [], 0
    while offset < len(raw):
        if offset + 4 > len(raw):
            raise ProtocolError(400, f"the binary data of `{TEXT}` is cut short")
        length = int.from_bytes(raw[offset : offset + 4], "little")
        offset += 4
        if offset + length > len(raw):
            raise ProtocolError(400, f"the binary data of `{TEXT}` is cut short")
        elements.append(raw[offset : offset + length])
        offset += length
    return elements


def _flatten(data: list[Any]) -> list[Any]:
    """The protocol allows the data flat (row-major) or nested as the shape; one level of
    nesting per dimension here, [batch][tokens]."""
    if data and isinstance(data[0], list):
        return [v for row in data for v in (row if isinstance(row, list) else [row])]
    return data


def _cut_rows(ids: IdArray, mask: IdArray | None) -> list[IdArray]:
    if mask is None:
        return list(ids)
    if not np.isin(mask, (0, 1)).all():
        raise ProtocolError(400, "`attention_mask` must hold only 0 and 1")
    lengths = mask.sum(axis=1)
    for row, length in zip(mask, lengths, strict=True):
        if length == 0 or not row[:length].all():
            raise ProtocolError(400, "`attention_mask` may only pad rows on the right")
    return [ids[i, : int(n)] for i, n in enumerate(lengths)]
