"""`sentiment-ls serve`: the model as a team service on Ray Serve, speaking the KServe Open
Inference Protocol v2 (the part a classifier needs). Token ids go over the wire, never text.

auth.py      bearer tokens: loaded, kept as digests, compared in constant time
host.py      one model copy: rows of ids batched by exact length on onnxruntime
app.py       the Ray Serve deployment with its FastAPI ingress (needs the `ray` extra)
command.py   the command line: options, a Serve config file, refusing an open port

The protocol's JSON, which the service and the `remote` runtime share, is
analysis/runtimes/inference_protocol.py.
"""
