"""`paperchat model serve|start|status|stop|path`: the shared warm server by hand."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable

from assistant.model.warm import WarmServer, alive, describe
from assistant.model.weights import resolve_gguf
from assistant.settings import Settings


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def model_command(
    action: str, settings: Settings, as_json: bool = False, echo: Callable[[str], None] = print
) -> int:
    if action == "path":
        echo(str(resolve_gguf(settings)))
        return 0
    if action == "status":
        state = WarmServer(settings).status()
        echo(state.model_dump_json(indent=1) if as_json and state else
             "null" if as_json else describe(state))  # fmt: skip
        return 0
    if action == "stop":
        stopped = WarmServer(settings).stop()
        if as_json:
            echo(json.dumps({"stopped": stopped.pid if stopped else None}))
        else:
            echo(f"Stopped the model server (pid {stopped.pid})." if stopped else
                 "No model server running.")  # fmt: skip
        return 0
    if action == "start":
        state = WarmServer(settings).ensure()
        echo(state.model_dump_json(indent=1) if as_json else describe(state))
        return 0
    return serve(settings, echo)


def serve(settings: Settings, echo: Callable[[str], None]) -> int:
    """In the foreground until Ctrl-C; other commands share it meanwhile (it never idles
    out while served like this)."""
    warm = WarmServer(settings, keep_alive=-1)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill`/service stop: same clean exit
    echo("Loading the model …")
    state = None
    try:
        state = warm.ensure()
        echo(f"Serving {describe(state)}")
        echo(
            f"Use it from elsewhere with: OPENAI_BASE_URL={state.base_url} "
            f"PAPERCHAT_LLM__PROVIDER=llamacpp PAPERCHAT_LLM__MODEL={state.alias}. Ctrl-C stops."
        )
        while alive(state.pid):
            time.sleep(1.0)
        echo(f"The server exited; see {state.log}")
        return 1
    except KeyboardInterrupt:
        echo("Stopping …")
        return 0
    finally:
        if state is not None:
            warm.stop()
