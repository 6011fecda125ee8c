"""One model job at a time, first come first served, and each waiting caller told its place.

On 2 cores a second request in parallel only slows both (FINDINGS: 4 requests on 2 slots
15.6 s, in turn 9.5 s), so jobs that call the model take a ticket and wait their turn.
`wait()` yields how many jobs are ahead whenever that number changes, which `Assistant.stream`
passes on as a `WaitingEvent`.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator

from assistant.types import Event, WaitingEvent

_queues: dict[str, FairQueue] = {}
_queues_lock = threading.Lock()


class FairQueue:
    """A FIFO of tickets; `slots` jobs run at once (1 for the embedded model)."""

    def __init__(self, slots: int = 1) -> None:
        self.slots = slots
        self._cond = threading.Condition()
        self._waiting: deque[int] = deque()
        self._running: set[int] = set()
        self._numbers = itertools.count(1)

    def join(self) -> int:
        with self._cond:
            ticket = next(self._numbers)
            self._waiting.append(ticket)
            return ticket

    def ahead(self, ticket: int) -> int:
        """Jobs running or queued before this ticket (0: its turn has come)."""
        with self._cond:
            if ticket in self._running:
                return 0
            return len(self._running) + self._waiting.index(ticket)

    def wait(self, ticket: int, poll: float = 0.5) -> Iterator[int]:
        """Yields the number ahead each time it changes; returns once the ticket runs."""
        last = -1
        while True:
            with self._cond:
                if self._waiting[0] == ticket and len(self._running) < self.slots:
                    self._waiting.popleft()
                    self._running.add(ticket)
                    self._cond.notify_all()
                    return
                ahead = len(self._running) + self._waiting.index(ticket)
            if ahead != last:
                last = ahead
                yield ahead
            with self._cond:
                self._cond.wait(poll)

    def leave(self, ticket: int) -> None:
        """Done (or gave up while waiting): the next ticket may run."""
        with self._cond:
            self._running.discard(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._cond.notify_all()

    @property
    def size(self) -> int:
        with self._cond:
            return len(self._running) + len(self._waiting)


def queue_for(endpoint: str, slots: int = 1) -> FairQueue:
    """The process-wide queue of one endpoint (every `Assistant` on it shares it)."""
    with _queues_lock:
        queue = _queues.get(endpoint)
        if queue is None:
            queue = _queues[endpoint] = FairQueue(slots)
        return queue


def in_turn(queue: FairQueue, events: Callable[[], Iterator[Event]]) -> Iterator[Event]:
    """Wait for the turn (a `WaitingEvent` each time the number ahead changes), then run
    `events`; the place is given up however the caller stops listening."""
    ticket = queue.join()
    try:
        for ahead in queue.wait(ticket):
            yield WaitingEvent(ahead=ahead)
        yield from events()
    finally:
        queue.leave(ticket)
