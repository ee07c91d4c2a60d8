"""The analysis of `sentiment-ls check --ray`: a Ray Data job that runs the forward stage.

Everything else is the local run's (`run.py`): the driver chooses and reads the files (so
the cluster's nodes need not share its disk), splits them and judges each file with
`findings()`. The job takes each distinct sentence to a pool of actors, each holding one
model copy, that turn batches of sentences into logits; only the logits come back, made
into analyses here by the engine's `analysis_of_logits` with the labels of the model's
identity. The driver loads no model (the caller does only when the model cannot be
identified from its files: to say why it cannot load, or to learn the names its loader
makes up).

On a shared cluster (one that runs the team service, say) the job takes what is free when it
starts: an actor a free CPU, at least one, started one at a time as Ray Data's autoscaler sees
work waiting. When no CPU frees up, or no actor starts, within `--ray-timeout`, the run says
what was missing instead of waiting for ever. Ray's own lines stay off the user's terminal:
its workers' logs are not forwarded, the driver's Ray logger says warnings only and Ray
Data's console handler nothing (its log file keeps all), and the progress shown is check's
own bar (on a terminal only).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time
import warnings
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
from sentiment_ls.check.terminal import ProgressBar

BATCH_SIZE = 256
POLL_S = 0.5  # how often the wait for a free CPU asks the cluster


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


class ClusterUnavailable(Exception):
    """The cluster cannot be joined, or cannot run the job in time; the message says why."""


def pool_bounds(free_cpus: float) -> tuple[int, int]:
    """The fewest and the most actors of the pool: one for each whole CPU free as the job
    starts (an actor takes one), at least one. The job has no task but the actors' (the
    sentences come from the driver's memory, the logits go back to it), so none is kept
    free for Ray Data; the most is a bound, not a reservation: the pool starts with one
    actor and grows while there is work waiting and CPUs to take."""
    return 1, max(1, int(free_cpus))


def _mute_ray_data_on_the_terminal() -> None:
    """Ray Data's lines on stderr (that its progress bars are off, its plan, the internal
    trace of a job that could not start) are not check's to say: check shows its own bar
    and says why a job cannot run. Its log file (`ray-data.log` in the Ray session's
    folder) still has them."""
    for handler in logging.getLogger("ray.data").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setLevel(logging.CRITICAL + 1)


class RayAnalysis:
    """Sentences analysed on a Ray cluster: the one at `address`, else a local one started
    for the run (none is started when the process is already connected to one)."""

    def __init__(
        self,
        request: LoadRequest,
        address: str | None,
        labelled: ModelIdentity | LoadedModel,
        timeout_s: float,
    ) -> None:
        # An actor is given one CPU and runs one onnxruntime thread (THREADS_ENV): not the
        # batch run's one worker per core of the machine it lands on; and it runs its own
        # forward passes, never a team service's.
        self.request = dataclasses.replace(request, batch=False, team_service=None)
        self.address = address
        self.labelled = labelled
        self.timeout_s = timeout_s
        self.analysed = 0  # sentences that reached the cluster's model

    @property
    def where(self) -> str:
        return f"the cluster at {self.address}" if self.address else "a local Ray cluster"

    def analyse(self, texts: list[str]) -> dict[str, SentenceAnalysis] | None:
        """Every text's analysis, or None once why the cluster could not run the job was
        said on stderr."""
        wanted = list(dict.fromkeys(texts))
        if not wanted:
            return {}
        try:
            logits = self._logits(wanted)
        except ClusterUnavailable as error:
            print(f"sentiment-ls check: error: {error}", file=sys.stderr)
            return None
        self.analysed += len(wanted)
        id2label, problem_type = self.labelled.id2label, self.labelled.problem_type
        return {
            wanted[index]: analysis_of_logits(wanted[index], row, id2label, problem_type)
            for index, row in logits
        }

    def _logits(self, texts: list[str]) -> list[tuple[int, npt.NDArray[np.float32]]]:
        """(index in `texts`, logits) of every text, from the job."""
        import ray

        started_here = not ray.is_initialized()
        if started_here:
            self._join()
        try:
            logits, workers = self._job(texts, self._free_cpus())
        finally:
            if started_here:
                ray.shutdown()
        global last_job
        last_job = JobStats(len(logits), frozenset(workers))
        return logits

    def _join(self) -> None:
        import ray

        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        # Ray's "Connecting to ..." and its workers' output are not check's to say.
        quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
        try:
            if self.address:
                ray.init(address=self.address, **quiet)
            else:
                # Ray's default for a cluster it starts, said explicitly: then it does not
                # warn, on the user's terminal, that it chose it.
                os.environ.setdefault("RAY_AUTH_MODE", "token")
                ray.init(include_dashboard=False, **quiet)
        # Ray says a cluster it cannot reach or start with ConnectionError, its
        # AuthenticationError, or a plain Exception (a node that timed out starting).
        except Exception as error:
            raise ClusterUnavailable(f"cannot join {self.where}: {error}") from None

    def _free_cpus(self) -> float:
        """The CPUs free on the cluster once one is, waiting up to the timeout for one."""
        import ray

        deadline = time.monotonic() + self.timeout_s
        while True:
            # A resource none is left of is absent from the map, not 0.
            free = float(ray.available_resources().get("CPU", 0.0))  # type: ignore[no-untyped-call]
            if free >= 1:
                return free
            if time.monotonic() >= deadline:
                raise ClusterUnavailable(
                    f"no CPU free on {self.where} for {self.timeout_s:g} s: "
                    f"{self._cpus_in_use()}, and each of check's actors needs a whole one; "
                    "free one, or wait longer with --ray-timeout"
                )
            time.sleep(POLL_S)

    def _cpus_in_use(self) -> str:
        import ray

        total = float(ray.cluster_resources().get("CPU", 0.0))  # type: ignore[no-untyped-call]
        free = float(ray.available_resources().get("CPU", 0.0))  # type: ignore[no-untyped-call]
        return f"{total - free:g} of its {total:g} CPUs are held (a service's replicas, other jobs)"

    def _job(
        self, texts: list[str], free_cpus: float
    ) -> tuple[list[tuple[int, npt.NDArray[np.float32]]], set[int]]:
        """The logits of every text, by index, and the processes of the actors that made
        them."""
        import ray
        from ray.data import ActorPoolStrategy, DataContext

        context = DataContext.get_current()
        context.enable_progress_bars = False  # check's own bar is shown instead
        # Ray Data waits this long for the pool's first actor (a CPU taken by someone else
        # since it was seen free, or a model that cannot load), then raises.
        context.wait_for_min_actors_s = int(self.timeout_s)
        _mute_ray_data_on_the_terminal()
        fewest, most = pool_bounds(free_cpus)
        items = [{"index": index, "text": text} for index, text in enumerate(texts)]
        with warnings.catch_warnings():
            # max_restarts has no named parameter in Ray Data 2.60 (the pinned version):
            # passing it as a plain remote argument is deprecated there, not yet removed.
            warnings.filterwarnings("ignore", "`ray_remote_args` is deprecated")
            dataset = ray.data.from_items(items).map_batches(
                LogitsActor,
                fn_constructor_kwargs={"request": self.request},
                compute=ActorPoolStrategy(min_size=fewest, max_size=most),
                batch_size=BATCH_SIZE,
                num_cpus=1,
                runtime_env={"env_vars": {THREADS_ENV: "1"}},
                # Ray Data hands its actors their constructor's arguments through the
                # object store (its map function and context, however small), and Ray
                # core prints an `E ... core_worker.cc` line about that on the driver's
                # terminal for every actor that may be restarted. A check run is short:
                # an actor that dies fails it, and the user runs it again.
                max_restarts=0,
            )
        logits: list[tuple[int, npt.NDArray[np.float32]]] = []
        workers: set[int] = set()
        # Shown for any number of sentences (on a terminal): a job waits seconds for its
        # actors to start and load the model, however few sentences it has.
        bar = ProgressBar(len(texts), unit="sentence", minimum=1)
        with bar.counting("analysing on Ray") as advance:
            try:
                for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                    logits += zip(batch["index"].tolist(), batch["logits"], strict=True)
                    workers.update(batch["worker"].tolist())
                    advance(len(batch["index"]))
            except ray.exceptions.GetTimeoutError:
                raise ClusterUnavailable(
                    f"{self.where} started none of check's actors in {self.timeout_s:g} s: "
                    f"{self._cpus_in_use()}; free a CPU, or wait longer with --ray-timeout"
                ) from None
        return logits, workers
