"""Export a sequence-classification model as a graph-only ONNX file (`model.graph.onnx`).

The graph holds the operators and no weights: each initializer keeps its state-dict name and
is marked as external data, so the onnxruntime runtime fills it from the safetensors file
beside it (the packed embedded weights, or a Hugging Face `model.safetensors`). The weights
then exist once, and the same file serves both runtimes. Exporting needs torch and onnx (the
`sentiment-ls[train]` extra); serving the result needs neither.

Constant folding is off on purpose: folding would store transposed copies of the linear
weights under generated names, which no state dict holds. onnxruntime folds them itself when
it opens the session.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentiment_ls.analysis.model_files import GRAPH_ONLY
from sentiment_ls.analysis.runtimes.ort import SUPPLIED_AT_LOAD
from sentiment_ls.embedded.packed import SCALE_SUFFIX

if TYPE_CHECKING:
    from transformers import PreTrainedModel

OPSET = 17
PREFIX = "model."  # the wrapper's attribute name, which the exporter puts before every name


def export_graph(model: PreTrainedModel, folder: Path, row_quantized: Sequence[str] = ()) -> Path:
    """Write `folder/model.graph.onnx` for `model`; raises ValueError if the graph's
    initializers are not exactly the model's state dict. An embedding table named in
    `row_quantized` is read as the packed file stores it, int8 values and a float32 scale
    per row (`embedded.packed`), and dequantized per looked-up row inside the graph."""
    import onnx
    import torch

    class Logits(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            logits: torch.Tensor = self.model(
                input_ids=input_ids, attention_mask=attention_mask
            ).logits
            return logits

    model.eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    buffer = io.BytesIO()
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        Logits(model),
        (ids, torch.ones_like(ids)),
        buffer,  # type: ignore[arg-type]  # the TorchScript exporter writes to any file object
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
        do_constant_folding=False,
    )
    graph = onnx.load_from_string(buffer.getvalue())
    renamed = {init.name: init.name.removeprefix(PREFIX) for init in graph.graph.initializer}
    expected = set(model.state_dict())
    if set(renamed.values()) != expected:
        raise ValueError(
            "the exported graph's initializers are not the state dict: "
            f"extra {sorted(set(renamed.values()) - expected)}, "
            f"missing {sorted(expected - set(renamed.values()))}"
        )
    for init in graph.graph.initializer:
        init.name = renamed[init.name]
        init.ClearField("raw_data")
        init.data_location = onnx.TensorProto.EXTERNAL
        del init.external_data[:]
        entry = init.external_data.add()
        entry.key, entry.value = "location", SUPPLIED_AT_LOAD
    for node in graph.graph.node:
        for index, name in enumerate(node.input):
            if name in renamed:
                node.input[index] = renamed[name]
    for name in row_quantized:
        _dequantize_rows_in_graph(graph, name)
    graph.producer_name = "sentiment-ls export-onnx"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / GRAPH_ONLY
    onnx.save(graph, str(target))
    return target


def _dequantize_rows_in_graph(graph: Any, name: str) -> None:
    """`Gather(table, ids)` becomes `Cast(Gather(q, ids)) * Unsqueeze(Gather(scale, ids))`:
    the same float32 products `packed.unpack` computes, for the looked-up rows only, so the
    session holds the table in int8 (11.7 MB instead of 46.9 for the word embeddings)."""
    import onnx
    from onnx import helper

    (table,) = [init for init in graph.graph.initializer if init.name == name]
    table.data_type = onnx.TensorProto.INT8
    scale = graph.graph.initializer.add()
    scale.CopyFrom(table)
    scale.name, scale.data_type = name + SCALE_SUFFIX, onnx.TensorProto.FLOAT
    del scale.dims[1:]
    axes = helper.make_tensor(name + ".axes", onnx.TensorProto.INT64, [1], [-1])
    graph.graph.initializer.append(axes)
    nodes = list(graph.graph.node)
    (index,) = [i for i, n in enumerate(nodes) if n.op_type == "Gather" and n.input[0] == name]
    gather = nodes[index]
    ids, output, stem = gather.input[1], gather.output[0], name + ".rows"
    replacement = [
        helper.make_node("Gather", [name, ids], [stem + ".q"], axis=0),
        helper.make_node("Cast", [stem + ".q"], [stem + ".f"], to=onnx.TensorProto.FLOAT),
        helper.make_node("Gather", [scale.name, ids], [stem + ".s"], axis=0),
        helper.make_node("Unsqueeze", [stem + ".s", axes.name], [stem + ".s1"]),
        helper.make_node("Mul", [stem + ".f", stem + ".s1"], [output]),
    ]
    del graph.graph.node[:]
    graph.graph.node.extend(nodes[:index] + replacement + nodes[index + 1 :])


def export_embedded_graph(folder: Path | None = None) -> Path:
    """The embedded model's graph, by default into the package's weights folder: its word
    embeddings stay int8 as the packed file holds them."""
    from sentiment_ls.embedded import WEIGHTS_DIR, load_embedded
    from sentiment_ls.embedded.packed import ROW_QUANTIZED

    model, _ = load_embedded()
    return export_graph(model, folder or WEIGHTS_DIR, row_quantized=ROW_QUANTIZED)


def export_folder_graph(folder: Path) -> Path:
    """The graph of a Hugging Face sequence-classification folder (a trained teacher, say),
    written into that folder beside the `model.safetensors` it reads: `sentiment-ls serve
    --model FOLDER` and the onnxruntime runtime then load it without torch."""
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        folder, local_files_only=True, use_safetensors=True
    )
    return export_graph(model, folder)
