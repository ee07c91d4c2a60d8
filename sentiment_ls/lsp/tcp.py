"""LSP over TCP, for debugging: pygls's `start_tcp`, with what a person at the terminal needs.

pygls's own loop says nothing when it listens, lets a port in use escape as an `OSError`
traceback, and its `exit` handler calls `sys.exit` inside the connection's callback, which
asyncio logs as an unhandled exception. Here: a line on stderr once listening (with the
real port, for `--port 0`), one line when the port cannot be had, and `exit` ends the
process quietly with the status LSP gives it. As in pygls, one client is served, and its
disconnection ends the server.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import socket
import sys
import threading

from pygls.io_ import run_async
from pygls.lsp.server import LanguageServer

LOG = logging.getLogger(__name__)
EXIT_CANNOT_LISTEN = 1


def serve_tcp(server: LanguageServer, host: str, port: int) -> int:
    """Serve one client on `host:port`; the exit status."""
    try:
        return asyncio.run(_serve(server, host, port))
    except OSError as error:  # raised by start_server: the address is taken or not ours
        print(f"sentiment-ls: cannot listen on {host}:{port}: {_reason(error)}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN
    except KeyboardInterrupt:
        return 130


async def _serve(server: LanguageServer, host: str, port: int) -> int:
    finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    stop = threading.Event()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if finished.done():  # a second client while the first one's exit is under way
            writer.close()
            return
        server.protocol.set_writer(writer)
        status = 0
        try:
            await run_async(
                stop_event=stop,
                reader=reader,
                protocol=server.protocol,
                logger=LOG,
                error_handler=server.report_server_error,
            )
        except SystemExit as exit_request:  # LSP `exit`: pygls ends the process this way
            status = exit_request.code if isinstance(exit_request.code, int) else 1
        finally:
            server.shutdown()  # type: ignore[no-untyped-call]  # pygls leaves it unannotated
            if not finished.done():
                finished.set_result(status)

    listener = await asyncio.start_server(connection, host, port)
    where = ", ".join(_address(sock.getsockname()) for sock in listener.sockets)
    print(f"sentiment-ls: listening for LSP on {where}", file=sys.stderr, flush=True)
    async with listener:
        return await finished


def _reason(error: OSError) -> str:
    if isinstance(error, socket.gaierror):  # the host name did not resolve
        return str(error.strerror)
    if error.errno == errno.EADDRINUSE:
        return "the port is in use (another server?); choose another with --port"
    # asyncio wraps bind's error in a sentence of its own; the system's words are shorter.
    return os.strerror(error.errno) if error.errno else str(error)


def _address(name: tuple[str, int] | tuple[str, int, int, int]) -> str:
    host, port = name[0], name[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
