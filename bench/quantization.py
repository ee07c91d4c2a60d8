"""int8 on onnxruntime, measured: dynamic against static (calibrated) quantization of the
embedded model, against its float32 graph (issue 12).

For each: sentences/s on 2,000 prose sentences batched by length (as the forward stage
batches), one sentence's latency, agreement of its labels with float32 on SST-2 validation
(and accuracy there), the largest logit change against float32, and batch dependence: the
largest change of a sentence's logits between running alone and running in a batch of 32
sentences of its length. Dynamic quantization scales activations per batch, so the last can
be non-zero; static quantization fixes the scales at calibration, on 300 training sentences.
One intra-op thread.

    .venv/bin/python bench/quantization.py   (needs the train extra: onnx)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, plain_arguments, write_section
from serving import VALIDATION, prose_sentences

from sentiment_ls.analysis.model_files import GRAPH_ONLY
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.analysis.runtimes.ort import read_weights
from sentiment_ls.embedded import WEIGHTS_DIR
from sentiment_ls.training.data import read_labelled_tsv

TRAIN = VALIDATION.parent / "train.tsv"


def full_model(folder: Path) -> Path:
    """The graph with its weights inside, as the quantizers want it."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(WEIGHTS_DIR / GRAPH_ONLY), load_external_data=False)
    weights = read_weights(WEIGHTS_DIR / "model.safetensors")
    for init in graph.graph.initializer:
        init.CopyFrom(numpy_helper.from_array(weights[init.name], init.name))
    path = folder / "model.fp32.onnx"
    onnx.save(graph, str(path))
    return path


def session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run(sess: Any, rows: list[list[int]]) -> np.ndarray:
    ids = np.array(rows, dtype=np.int64)
    return np.asarray(
        sess.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
    )


def batched(sess: Any, rows: list[list[int]]) -> np.ndarray:
    by_length: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_length[len(row)].append(i)
    out = np.zeros((len(rows), sess.get_outputs()[0].shape[-1] or 2), dtype=np.float32)
    for indices in by_length.values():
        for start in range(0, len(indices), 32):
            chunk = indices[start : start + 32]
            out[chunk] = run(sess, [rows[i] for i in chunk])
    return out


def main() -> None:
    args = plain_arguments(__doc__)
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest

    loaded = load_model(LoadRequest(model="embedded", device="cpu", runtime="onnxruntime"))
    tokenizer = loaded.tokenizer

    def ids(texts: list[str]) -> list[list[int]]:
        return [list(encode(tokenizer, t).windows[0]) for t in texts]

    prose = ids(prose_sentences(2000))
    validation = read_labelled_tsv(VALIDATION)
    val_rows = ids([e.text for e in validation])
    calibration = ids([e.text for e in read_labelled_tsv(TRAIN)[:300]])

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.rows = iter(calibration)

        def get_next(self) -> dict[str, np.ndarray] | None:
            row = next(self.rows, None)
            if row is None:
                return None
            array = np.array([row], dtype=np.int64)
            return {"input_ids": array, "attention_mask": np.ones_like(array)}

    lines = []
    with tempfile.TemporaryDirectory() as folder:
        base = full_model(Path(folder))
        dynamic = Path(folder) / "model.dynamic.onnx"
        quantize_dynamic(str(base), str(dynamic), weight_type=QuantType.QInt8, per_channel=True)
        static = Path(folder) / "model.static.onnx"
        quantize_static(
            str(base),
            str(static),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QInt8,
            weight_type=QuantType.QInt8,
        )
        reference = batched(session(base), val_rows)
        labels = np.array([e.label for e in validation])
        for name, path in (("float32", base), ("dynamic int8", dynamic), ("static int8", static)):
            sess = session(path)
            batched(sess, prose[:64])
            rates = []
            for _ in range(3):
                started = time.perf_counter()
                batched(sess, prose)
                rates.append(len(prose) / (time.perf_counter() - started))
            started = time.perf_counter()
            for row in prose[:300]:
                run(sess, [row])
            one_ms = (time.perf_counter() - started) / 300 * 1000
            logits = batched(sess, val_rows)
            agree = float((logits.argmax(1) == reference.argmax(1)).mean())
            accuracy = float((logits.argmax(1) == labels).mean()) if logits.shape[1] == 2 else None
            drift = float(np.abs(logits - reference).max())
            # Batch dependence: alone against within a batch of 32 rows of one length.
            by_length: dict[int, list[int]] = defaultdict(list)
            for i, row in enumerate(prose):
                by_length[len(row)].append(i)
            worst = 0.0
            for indices in by_length.values():
                if len(indices) < 8:
                    continue
                chunk = indices[:32]
                together = run(sess, [prose[i] for i in chunk])
                alone = np.stack([run(sess, [prose[i]])[0] for i in chunk])
                worst = max(worst, float(np.abs(together - alone).max()))
            size = path.stat().st_size / 1e6
            lines.append(
                f"| {name} | {statistics.median(rates):.0f} | {one_ms:.1f} | {agree:.4f} | "
                f"{'' if accuracy is None else f'{accuracy:.4f}'} | {drift:.3f} | {worst:.2g} "
                f"| {size:.0f} |"
            )
    body = "\n".join(
        [
            "## int8 on onnxruntime (`bench/quantization.py`)",
            "",
            machine_line(),
            "",
            "| graph | sentences/s (2,000 prose, by length) | one sentence ms | labels as "
            "float32 (SST-2 validation) | accuracy (two-label models) | largest logit change "
            "vs float32 | largest change alone vs in a batch | file MB |",
            "|:--|--:|--:|--:|--:|--:|--:|--:|",
            *lines,
        ]
    )
    print(body)
    if args.write:
        write_section("quantization", body)


if __name__ == "__main__":
    main()
