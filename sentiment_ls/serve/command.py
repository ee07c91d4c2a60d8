"""`sentiment-ls serve`: start (or join) a Ray cluster and run the service on it until
interrupted. Options come from the command line, over a Serve config file's when one is
given (`--config`: Ray's schema, the subset read here: `http_options` host and port, the
first application's `args`, and its `SentimentService` deployment's `num_replicas`,
`autoscaling_config` and `ray_actor_options.num_cpus`)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentiment_ls import extras
from sentiment_ls.embedded import EMBEDDED_MODEL_ID
from sentiment_ls.options import integer_from, is_loopback

APP_NAME = "sentiment-ls"
DEFAULT_PORT = 8000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=None,
        help="address to listen on; beyond loopback only with tokens (default: 127.0.0.1)",
    )
    parser.add_argument(
        "--port", type=integer_from(0, 65535), default=None, help=f"(default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--replicas", type=integer_from(1), default=None, help="model copies (default: 1)"
    )
    parser.add_argument(
        "--cpus-per-replica",
        type=float,
        default=None,
        help="CPUs, and onnxruntime threads, per model copy (default: 1)",
    )
    parser.add_argument(
        "--model", default=None, help=f"the model to serve (default: {EMBEDDED_MODEL_ID})"
    )
    parser.add_argument(
        "--tokens-file",
        default=None,
        help="accepted bearer tokens, one a line, added to SENTIMENT_LS_SERVICE_TOKEN (one) "
        "and SENTIMENT_LS_SERVICE_TOKENS (comma-separated) (default: none)",
    )
    parser.add_argument(
        "--config",
        default=None,
        help="a Ray Serve config file (YAML); options given here win (default: none)",
    )
    parser.add_argument(
        "--address", default=None, help="a Ray cluster to join (default: start one here)"
    )


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    args: dict[str, Any] | None = None  # the application builder's args
    replicas: int = 1
    cpus_per_replica: float = 1.0
    autoscaling: dict[str, Any] | None = None


def options_from(args: argparse.Namespace) -> ServeOptions:
    file: dict[str, Any] = {}
    if args.config:
        import yaml  # type: ignore[import-untyped]  # a dependency of ray, without stubs

        file = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {}
    http = file.get("http_options") or {}
    application = (file.get("applications") or [{}])[0]
    deployment: dict[str, Any] = next(
        (d for d in application.get("deployments") or [] if d.get("name") == "SentimentService"),
        {},
    )
    builder_args = dict(application.get("args") or {})
    if args.model:
        builder_args["model"] = args.model
    if args.tokens_file:
        builder_args["tokens_file"] = args.tokens_file
    cpus = (deployment.get("ray_actor_options") or {}).get("num_cpus", 1.0)
    return ServeOptions(
        host=args.host or http.get("host", "127.0.0.1"),
        port=args.port if args.port is not None else int(http.get("port", DEFAULT_PORT)),
        args=builder_args,
        replicas=args.replicas or int(deployment.get("num_replicas", 1)),
        cpus_per_replica=args.cpus_per_replica or float(cpus),
        autoscaling=None if args.replicas else deployment.get("autoscaling_config"),
    )


def deploy(options: ServeOptions, blocking: bool = False) -> str:
    """Start Serve's HTTP proxy on host:port in the connected cluster and run the app on it;
    the base URL. The cluster must be initialised (ray.init) by the caller."""
    from ray import serve

    from sentiment_ls.serve.app import Scaling, application, config_from_args

    config = config_from_args(options.args or {})
    scaling = Scaling(options.replicas, options.cpus_per_replica, options.autoscaling)
    serve.start(http_options={"host": options.host, "port": options.port})
    serve.run(application(config, scaling), name=APP_NAME, route_prefix="/", blocking=blocking)
    return f"http://{options.host}:{options.port}"


def run_serve(args: argparse.Namespace) -> int:
    from sentiment_ls.serve.auth import read_tokens

    try:
        options = options_from(args)
        tokens_file = (options.args or {}).get("tokens_file")
        tokens = read_tokens(file=Path(tokens_file) if tokens_file else None)
    except (OSError, ValueError) as error:
        print(f"sentiment-ls serve: error: {error}", file=sys.stderr)
        return 2
    if not tokens and not is_loopback(options.host):
        print(
            f"sentiment-ls serve: error: refusing to listen on {options.host} without tokens: "
            "set SENTIMENT_LS_SERVICE_TOKEN (or SENTIMENT_LS_SERVICE_TOKENS, comma-separated) "
            "or pass --tokens-file",
            file=sys.stderr,
        )
        return 2
    if not tokens:
        print(
            "sentiment-ls serve: no tokens: anyone on this machine may use the service",
            file=sys.stderr,
        )
    if not extras.ray_available():
        print(f"sentiment-ls serve: error: {extras.RAY_MISSING}", file=sys.stderr)
        return 2
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray
    from ray import serve

    if args.address:
        ray.init(address=args.address)
    else:
        ray.init(include_dashboard=False)
    try:
        url = deploy(options)
        print(f"sentiment-ls serve: {url}/v2/models/{APP_NAME} ready", file=sys.stderr)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.wait(0.5):  # a timed wait: signal handlers run between waits
            pass
        print("sentiment-ls serve: stopping", file=sys.stderr)
    finally:
        serve.shutdown()  # type: ignore[no-untyped-call]  # serve's shutdown has no annotations
        ray.shutdown()
    return 0
