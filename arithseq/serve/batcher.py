"""One thread owns each model: requests that arrive together are answered in one batch.

TensorFlow answers 200 expressions in about the time it answers one, so the worker
takes everything queued (up to a limit of lines), answers it in one call, and hands
each request its own rows. Requests never see each other's lines: every answer is
independent of its batch (``Run.answer`` pads each line as training did).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

Answerer = Callable[[list[str]], list[dict[str, Any]]]


class Batcher:
    """Queue lists of expressions; a worker thread answers whatever is queued together."""

    def __init__(self, answer: Answerer, max_lines: int = 1024) -> None:
        self._answer = answer
        self._max_lines = max_lines
        self._queue: queue.Queue[tuple[list[str], Future] | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="arithseq-batcher", daemon=True)
        self._worker.start()

    def submit(self, expressions: list[str]) -> Future:
        done: Future = Future()
        self._queue.put((list(expressions), done))
        return done

    def close(self) -> None:
        self._queue.put(None)
        self._worker.join(timeout=10)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            taken, lines = [item], len(item[0])
            while lines < self._max_lines:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                taken.append(more)
                lines += len(more[0])
            self._run(taken)

    def _run(self, taken: list[tuple[list[str], Future]]) -> None:
        everything = [text for expressions, _ in taken for text in expressions]
        try:
            results = self._answer(everything)
        except Exception as exc:  # one bad batch must not stop the worker; each request hears why
            for _, done in taken:
                done.set_exception(exc)
            return
        start = 0
        for expressions, done in taken:
            done.set_result(results[start : start + len(expressions)])
            start += len(expressions)
