"""Load a sequence-classification model: the embedded one, a local folder or a Hub id.

Which runtime serves it is decided by the model (`choose_runtime`): onnxruntime where an ONNX
export exists (the embedded model, a folder with `model.graph.onnx` or `model.onnx`), PyTorch
through transformers otherwise. Both give the same three stages: the `tokenizers` tokenizer,
a runtime's logits, and post-processing.

Safety rules: never `trust_remote_code`; safetensors (or ONNX) only unless the caller allows
pickle weights; no network unless the caller allows downloads (Hub ids otherwise resolve from
the local Hugging Face cache alone).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tokenizers import Tokenizer

from sentiment_ls.analysis.runtimes import ExtraMissing, Runtime, torch_missing
from sentiment_ls.analysis.runtimes.ort import GRAPH_ONLY, SELF_CONTAINED
from sentiment_ls.analysis.spec import ServiceSpec
from sentiment_ls.embedded import EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID, WEIGHTS_DIR
from sentiment_ls.extras import torch_available

if TYPE_CHECKING:
    from sentiment_ls.analysis.runtimes.torch_runtime import TorchModel

RuntimeName = Literal["auto", "onnxruntime", "torch"]


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class LoadedModel:
    model_id: str
    tokenizer: Tokenizer  # from `preprocess.windowing_tokenizer`: windows of `max_length`
    runtime: Runtime
    id2label: dict[int, str]
    max_length: int
    problem_type: str | None
    pad_id: int
    warnings: tuple[str, ...] = ()  # fallbacks the user should hear about
    precision: str = "fp32"
    # Batches the forward stage runs at once (a batch run on onnxruntime: one per core, each
    # on one thread; the runtime's `logits` is then called from that many threads).
    workers: int = 1
    # The PyTorch model that the gradient attribution methods differentiate, built on first
    # use (an onnxruntime-served model has none until then); None: this model has none.
    load_torch_model: Callable[[], TorchModel] | None = field(default=None, compare=False)
    _torch: dict[str, TorchModel] = field(default_factory=dict, compare=False, repr=False)

    @property
    def labels(self) -> list[str]:
        return [self.id2label[i] for i in sorted(self.id2label)]

    @property
    def where(self) -> str:
        return f"{self.runtime.name} on {self.runtime.where}"

    def torch_model(self, purpose: str) -> TorchModel:
        """The PyTorch model, loading it on first use; `purpose` names the feature in the
        error raised when torch is not installed or the model has no PyTorch weights."""
        if "model" not in self._torch:
            if not torch_available():
                raise torch_missing(purpose)
            if self.load_torch_model is None:
                raise ExtraMissing(
                    f"{purpose} needs PyTorch weights, and {self.model_id!r} has none"
                )
            self._torch["model"] = self.load_torch_model()
        return self._torch["model"]


@dataclass(frozen=True)
class LoadRequest:
    spec: str
    device: str = "auto"
    allow_download: bool = False
    precision: str = "fp32"
    allow_pickle: bool = False
    # A team service for the forward passes (the `remote` runtime); None: local only.
    service: ServiceSpec | None = None
    runtime: RuntimeName = "auto"  # the local runtime, for the remote one's fallback
    # A run that ends (`check`, `eval`) rather than the server: every core, see runtimes/ort.py.
    batch: bool = False


def onnx_folder(spec: str) -> Path | None:
    """The folder holding this model's ONNX export, if it has one: a self-contained
    `model.onnx`, or a `model.graph.onnx` with the `model.safetensors` it reads."""
    if spec == EMBEDDED_MODEL_ID:
        return WEIGHTS_DIR
    if spec == EMBEDDED_SST2_ID:
        return None
    folder = Path(spec).expanduser()
    graph_only = (folder / GRAPH_ONLY).is_file() and (folder / "model.safetensors").is_file()
    if graph_only or (folder / SELF_CONTAINED).is_file():
        return folder
    return None


def choose_runtime(request: LoadRequest, runtime: RuntimeName) -> tuple[str, list[str]]:
    """The runtime for a model and settings, and what the user should hear about the choice."""
    has_onnx = onnx_folder(request.spec) is not None
    has_torch = torch_available()
    if runtime == "torch" and not has_torch:
        missing = torch_missing("the `torch` runtime")
        if not has_onnx:
            raise ModelLoadError(str(missing))
        return "onnxruntime", [f"{missing}; running the model on onnxruntime"]
    if runtime == "onnxruntime" and not has_onnx:
        raise ModelLoadError(
            f"the model {request.spec!r} has no ONNX export ({GRAPH_ONLY} or {SELF_CONTAINED}"
            " in its folder): set the runtime to `torch` or `auto`"
        )
    if runtime != "auto":
        return runtime, []
    if not has_onnx:
        if not has_torch:
            raise ModelLoadError(str(torch_missing(f"the model {request.spec!r} (no ONNX export)")))
        return "torch", []
    wants_torch = []
    if request.device in ("cuda", "mps"):
        wants_torch.append(f"device `{request.device}`")
    if request.precision == "int8":
        wants_torch.append("precision `int8`")
    if not wants_torch:
        return "onnxruntime", []
    if has_torch:
        return "torch", []
    missing = torch_missing(" and ".join(wants_torch))
    return "onnxruntime", [f"{missing}; running fp32 on the CPU with onnxruntime"]


def load_model(
    spec: str,
    device: str = "auto",
    allow_download: bool = False,
    precision: str = "fp32",
    allow_pickle: bool = False,
    runtime: RuntimeName = "auto",
    service: ServiceSpec | None = None,
    batch: bool = False,
) -> LoadedModel:
    """Load `spec` ("embedded", a folder or a Hub id) on the runtime `choose_runtime` picks;
    `precision` "int8" adds an int8 copy for inference where the device allows it; pickle
    weights only when `allow_pickle`; `service` sends the forward passes to a team service
    (the `remote` runtime); `batch` for a command that uses every core."""
    request = LoadRequest(
        spec,
        device,
        allow_download,
        precision,
        allow_pickle,
        service=service,
        runtime=runtime,
        batch=batch,
    )
    return load_request(request)


def load_request(request: LoadRequest) -> LoadedModel:
    """`load_model` for a request already made (a command's, whose cache asks about the
    same request before anything loads)."""
    refuse_missing(request)
    if request.service is not None and request.service.mode != "off":
        return LOADERS["remote"](request)
    chosen, notes = choose_runtime(request, request.runtime)
    loaded = LOADERS[chosen](request)
    if notes:
        return _with_warnings(loaded, notes)
    return loaded


def refuse_missing(request: LoadRequest) -> None:
    """Say at once that a model is nowhere to be found: neither embedded, nor a folder, nor
    in the local Hugging Face cache (with downloads off). Before any runtime is imported:
    transformers and torch took 17 s to say the same."""
    spec = request.spec
    if spec in (EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID) or Path(spec).expanduser().is_dir():
        return
    if Path(spec).expanduser().exists():
        raise ModelLoadError(f"the model {spec} is a file: give the folder that holds it")
    if spec.startswith((".", "/", "~")):
        raise ModelLoadError(f"the model folder {spec} does not exist")
    if not request.allow_download and hub_snapshot(spec) is None:
        # Said before transformers tries: its own message speaks of failing to connect,
        # which reads as a network problem when no connection was ever attempted.
        raise ModelLoadError(
            f"the model {spec!r} is not in the local Hugging Face cache, and downloads are "
            "off: set `sentimentLs.allowDownload` to true to fetch it from the Hub, or give "
            "the path of a local model folder"
        )


def hub_snapshot(repo_id: str) -> Path | None:
    """The folder of `repo_id` in the local Hugging Face cache (the revision `main` points
    to, else the newest snapshot) when it holds a config.json; read from the cache's layout,
    without importing huggingface_hub (0.3 s) or transformers."""
    from huggingface_hub.constants import HF_HUB_CACHE

    parts = repo_id.split("/")
    if not 1 <= len(parts) <= 2 or not all(parts) or any(p in (".", "..") for p in parts):
        return None  # not a repository id
    repository = Path(HF_HUB_CACHE) / ("models--" + "--".join(parts))
    snapshots = repository / "snapshots"
    try:
        main = (repository / "refs" / "main").read_text(encoding="utf-8").strip()
    except OSError:
        main = ""
    candidates = [snapshots / main] if main else []
    with contextlib.suppress(OSError):
        candidates += sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    return next((c for c in candidates if (c / "config.json").is_file()), None)


def _with_warnings(loaded: LoadedModel, notes: list[str]) -> LoadedModel:
    import dataclasses

    return dataclasses.replace(loaded, warnings=(*notes, *loaded.warnings), _torch=loaded._torch)


def load_onnx(request: LoadRequest) -> LoadedModel:
    from sentiment_ls.analysis.preprocess import load_tokenizer
    from sentiment_ls.analysis.runtimes.ort import open_session, physical_cores, read_weights

    folder = onnx_folder(request.spec)
    assert folder is not None, "choose_runtime picks onnxruntime only for an ONNX export"
    config = _read_json(folder / "config.json")
    tokenizer_config = _read_json(folder / "tokenizer_config.json", required=False)
    id2label = {int(k): str(v) for k, v in config.get("id2label", {"0": "LABEL_0"}).items()}
    max_length = _max_length(config, tokenizer_config)
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ModelLoadError(f"the folder {folder} has no tokenizer.json")
    tokenizer = load_tokenizer(tokenizer_file, max_length)
    # A batch run: one single-threaded run per physical core, side by side (onnxruntime's
    # `run` is thread-safe and releases the GIL): 2 workers x 1 thread measured faster than
    # 1 x 2 intra-op threads, which split each small matrix product between cores.
    workers = physical_cores() if request.batch else 1
    threads = 1 if request.batch else None
    try:
        if (folder / GRAPH_ONLY).is_file():
            weights = read_weights(folder / "model.safetensors")
            runtime = open_session(folder / GRAPH_ONLY, weights, threads=threads)
        else:
            runtime = open_session(folder / SELF_CONTAINED, threads=threads)
    except (ValueError, OSError) as error:
        raise ModelLoadError(f"cannot load the model {request.spec!r}: {error}") from error
    pad_token = str(tokenizer_config.get("pad_token") or "[PAD]")
    pad_id = config.get("pad_token_id")
    if pad_id is None:
        pad_id = tokenizer.token_to_id(pad_token)
    return LoadedModel(
        model_id=request.spec,
        tokenizer=tokenizer,
        runtime=runtime,
        id2label=id2label,
        max_length=max_length,
        problem_type=config.get("problem_type"),
        pad_id=int(pad_id or 0),
        workers=workers,
        load_torch_model=_torch_model_of_onnx_folder(request, folder),
    )


def _torch_model_of_onnx_folder(
    request: LoadRequest, folder: Path
) -> Callable[[], TorchModel] | None:
    """How to build the same model in PyTorch, for the gradient methods."""
    if request.spec != EMBEDDED_MODEL_ID and not any(folder.glob("*.safetensors")):
        return None

    def build() -> TorchModel:
        from sentiment_ls.analysis.runtimes import torch_runtime
        from sentiment_ls.analysis.runtimes.hf import load_hf

        model, _ = load_hf(request)
        device, _ = torch_runtime.resolve_device("cpu")
        return torch_runtime.prepare(model, device)

    return build


def load_torch(request: LoadRequest) -> LoadedModel:
    from sentiment_ls.analysis.preprocess import windowing_tokenizer
    from sentiment_ls.analysis.runtimes import torch_runtime
    from sentiment_ls.analysis.runtimes.hf import load_hf

    model, hf_tokenizer = load_hf(request)
    if not getattr(hf_tokenizer, "is_fast", False):
        raise ModelLoadError(
            f"the tokenizer of {request.spec!r} has no fast (Rust) version: sentiment-ls "
            "needs its offset mapping to place tokens in the text"
        )
    device, warning = torch_runtime.resolve_device(request.device)
    prepared = torch_runtime.prepare(model, device)
    if request.batch:
        from sentiment_ls.analysis.runtimes.ort import physical_cores

        torch_runtime.use_threads(physical_cores())
    config = model.config
    warnings = [warning] if warning else []
    fast_model = None
    precision = request.precision
    if precision == "int8" and device.type == "cpu":
        fast_model = torch_runtime.quantize_int8(model)
    elif precision == "int8":
        warnings.append(f"int8 inference is for the CPU; running fp32 on {device.type}")
        precision = "fp32"
    limit = int(getattr(config, "max_position_embeddings", 512) or 512)
    tokenizer_limit = int(getattr(hf_tokenizer, "model_max_length", limit) or limit)
    max_length = min(limit, tokenizer_limit, 512)
    pad_id = hf_tokenizer.pad_token_id
    loaded = LoadedModel(
        model_id=request.spec,
        tokenizer=windowing_tokenizer(hf_tokenizer.backend_tokenizer, max_length),
        runtime=torch_runtime.TorchRuntime(prepared, fast_model),
        id2label={int(k): str(v) for k, v in config.id2label.items()},
        max_length=max_length,
        problem_type=getattr(config, "problem_type", None),
        pad_id=0 if pad_id is None else int(pad_id),
        warnings=tuple(warnings),
        precision=precision,
    )
    loaded._torch["model"] = prepared
    return loaded


def load_remote(request: LoadRequest) -> LoadedModel:
    """The configured model loaded here (tokenizer, labels, and `prefer`'s fallback), its
    forward passes sent to the service; the service's health and model checked at once."""
    import dataclasses

    from sentiment_ls.analysis.runtimes.remote import (
        RemoteRuntime,
        ServiceClient,
        ServiceError,
        connect_problems,
    )
    from sentiment_ls.serve.host import weights_sha256

    assert request.service is not None
    local = load_model(
        request.spec,
        request.device,
        request.allow_download,
        request.precision,
        request.allow_pickle,
        request.runtime,
    )
    client = ServiceClient(request.service)
    remote = RemoteRuntime(client, local.runtime, len(local.id2label))
    notes = []
    try:
        card = client.connect()
    except ServiceError as error:
        remote.mark_down()
        then = "using the local model" if request.service.mode == "prefer" else "nothing analysed"
        notes.append(f"the service at {client.base} is unavailable ({error}); {then} until it is")
    else:
        digest = weights_sha256(request.spec)
        notes += connect_problems(client, card, local.labels, digest, local.max_length)
    return dataclasses.replace(
        local, runtime=remote, warnings=(*local.warnings, *notes), _torch=local._torch
    )


# One line per runtime: how a model is loaded onto it.
LOADERS: dict[str, Callable[[LoadRequest], LoadedModel]] = {
    "onnxruntime": load_onnx,
    "torch": load_torch,
    "remote": load_remote,
}


def _read_json(path: Path, required: bool = True) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise ModelLoadError(f"the folder {path.parent} has no {path.name}: it is not a model")
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"cannot read {path}: {error}") from error
    if not isinstance(found, dict):
        raise ModelLoadError(f"{path} is not a JSON object")
    return found


def _max_length(config: dict[str, Any], tokenizer_config: dict[str, Any]) -> int:
    limit = int(config.get("max_position_embeddings") or 512)
    tokenizer_limit = tokenizer_config.get("model_max_length")
    if not isinstance(tokenizer_limit, int) or tokenizer_limit <= 0:
        tokenizer_limit = limit
    return min(limit, tokenizer_limit, 512)
