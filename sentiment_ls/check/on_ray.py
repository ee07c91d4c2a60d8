"""The analysis of `sentiment-ls check --ray`: a Ray Data job that runs the forward stage.

Everything else is the local run's (`run.py`): the driver chooses and reads the files (so
the cluster's nodes need not share its disk), splits them and judges each file with
`findings()`. The job takes each distinct sentence to a pool of actors, each holding one
model copy, that turn batches of sentences into logits; only the logits come back, made
into analyses here by the engine's `analysis_of_logits` with the labels of the model's
identity. The driver loads no model (the caller does only when the model cannot be
identified from its files: to say why it cannot load, or to learn the names its loader
makes up).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine, analysis_of_logits
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_identity import ModelIdentity, identify
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.runtimes.ort import THREADS_ENV

BATCH_SIZE = 256


@dataclass(frozen=True)
class JobStats:
    rows: int  # rows that came back: one per distinct sentence
    workers: frozenset[int]  # the processes of the actors that analysed them


last_job: JobStats | None = None  # the latest job's, for tests and benchmarks


def model_identity(request: LoadRequest) -> ModelIdentity | None:
    """The identity, and so the labels, of the model the actors will load, without loading
    it; its files are hashed now (a Ray run keeps no cache to remember their hashes)."""
    return identify(request, lambda path, digest: digest(path))


class LogitsActor:
    """An actor of the pool: the model loaded once, sentences turned into logits a batch at
    a time."""

    def __init__(self, request: LoadRequest) -> None:
        self.engine = SentimentEngine(load_model(request))

    def __call__(self, batch: dict[str, npt.NDArray[Any]]) -> dict[str, npt.NDArray[Any]]:
        analyses = self.engine.analyze([str(text) for text in batch["text"]])
        logits = np.asarray([a.prediction.logits for a in analyses], dtype=np.float32)
        worker = np.full(len(analyses), os.getpid(), dtype=np.int64)
        return {"index": batch["index"], "logits": logits, "worker": worker}


def pool_size() -> int:
    """An actor for each CPU of the cluster: the driver reads and splits before the job and
    only waits for it."""
    import ray

    return max(1, int(ray.available_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]


class RayAnalysis:
    """Sentences analysed on a Ray cluster: the one at `address`, else a local one started
    for the run (none is started when the process is already connected to one)."""

    def __init__(
        self,
        request: LoadRequest,
        address: str | None,
        labelled: ModelIdentity | LoadedModel,
        files: int,
    ) -> None:
        # An actor is given one CPU and runs one onnxruntime thread (THREADS_ENV): not the
        # batch run's one worker per core of the machine it lands on; and it runs its own
        # forward passes, never a team service's.
        self.request = dataclasses.replace(request, batch=False, team_service=None)
        self.address = address
        self.labelled = labelled
        self.show_progress = sys.stderr.isatty() and files >= 10
        self.analysed = 0  # sentences that reached the cluster's model

    def analyse(self, texts: list[str]) -> dict[str, SentenceAnalysis]:
        wanted = list(dict.fromkeys(texts))
        if not wanted:
            return {}
        self.analysed += len(wanted)
        id2label, problem_type = self.labelled.id2label, self.labelled.problem_type
        return {
            wanted[index]: analysis_of_logits(wanted[index], logits, id2label, problem_type)
            for index, logits in self._logits(wanted)
        }

    def _logits(self, texts: list[str]) -> list[tuple[int, npt.NDArray[np.float32]]]:
        """(index in `texts`, logits) of every text, from the job."""
        import ray
        from ray.data import ActorPoolStrategy, DataContext

        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        started_here = not ray.is_initialized()
        if started_here:
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(include_dashboard=False, log_to_driver=False)
        try:
            context = DataContext.get_current()
            context.enable_progress_bars = self.show_progress
            if not self.show_progress:  # and no word about their absence either
                logging.getLogger("ray.data").setLevel(logging.ERROR)
            items = [{"index": index, "text": text} for index, text in enumerate(texts)]
            dataset = ray.data.from_items(items).map_batches(
                LogitsActor,
                fn_constructor_kwargs={"request": self.request},
                compute=ActorPoolStrategy(size=pool_size()),
                batch_size=BATCH_SIZE,
                num_cpus=1,
                runtime_env={"env_vars": {THREADS_ENV: "1"}},
            )
            rows = dataset.take_all()
        finally:
            if started_here:
                ray.shutdown()
        global last_job
        last_job = JobStats(len(rows), frozenset(int(row["worker"]) for row in rows))
        return [(int(row["index"]), np.asarray(row["logits"])) for row in rows]
