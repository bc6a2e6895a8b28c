"""One page watching a session: its WebSocket, an ordered outbox of state messages and a one-slot frame mailbox,
drained by the page's own send task at most `fps` frames a second.

Sessions (server/turns.py) put messages and frames in from the event loop; a page that reads slowly gets only the
newest frame (the rows of the frames it missed joined in), so it never slows training or grows memory.
"""
import asyncio
import collections
import logging
import time

from . import frames
from .protocol import dumps, error_message

log = logging.getLogger("nnplayground.session")

MAX_ROWS = 2000                 # history rows kept for a page that missed frames
MAX_OUTBOX = 100                # queued messages per page; beyond, new error replies are dropped
# what a page gets instead of a message that could not be sent, with a log line
UNSENDABLE = dumps(error_message("internal", "a message could not be sent to this page (it was not valid text); "
                                 "the session goes on"))


class Subscriber:
    """One page: an ordered outbox of state messages (coalesced by kind) and a one-slot frame mailbox, drained by
    its own send task at most `fps` frames a second."""

    def __init__(self, websocket, fps: float):
        self.ws = websocket
        self.interval = 1.0 / fps
        self.outbox: collections.deque = collections.deque()   # [key, text]
        self.slot: frames.Frame | None = None
        self.slot_rows: list = []
        self.sending = False
        self.closed = False
        self.wake = asyncio.Event()
        self.next_frame_at = 0.0
        self.task: asyncio.Task | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.frames_sent = 0
        self.frames_dropped = 0
        self.read_only: str | None = None     # why this page may only watch its session (a class), or None

    @property
    def ready(self) -> bool:
        """True when a new frame would be sent soon (this page is not behind)."""
        return not self.closed and self.slot is None and not self.sending

    def send_message(self, text: str, key: str | None = None) -> None:
        if self.closed:
            return
        if key is not None:
            for entry in self.outbox:
                if entry[0] == key:
                    entry[1] = text
                    self.wake.set()
                    return
        elif len(self.outbox) >= MAX_OUTBOX:
            return            # the page is not reading; refusals are advisory, state messages are coalesced
        self.outbox.append([key, text])
        self.wake.set()

    def put_frame(self, frame: frames.Frame) -> None:
        if self.closed:
            return
        if self.slot is not None:
            self.frames_dropped += 1
            rows = self.slot_rows + frame.rows
            self.slot_rows = rows[-MAX_ROWS:]
        else:
            self.slot_rows = frame.rows
        self.slot = frame
        self.wake.set()

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run(), name="nnp-sender")

    def _due(self) -> None:
        self._timer = None
        self.wake.set()

    async def stop(self) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass

    async def _run(self) -> None:
        try:
            while not self.closed:
                await self.wake.wait()
                self.wake.clear()
                while self.outbox:
                    _, text = self.outbox.popleft()
                    await self.ws.send_text(self._sendable(text))
                if self.slot is None:
                    continue
                delay = self.next_frame_at - time.monotonic()
                if delay > 0:
                    if self._timer is None:         # wake up when the frame is due (or earlier, for a message)
                        self._timer = asyncio.get_running_loop().call_later(delay, self._due)
                    continue
                frame, rows = self.slot, self.slot_rows
                self.slot, self.slot_rows = None, []
                self.sending = True
                started = time.monotonic()
                # a steady cadence of `interval` (a late frame does not push the schedule back; at most one
                # frame comes early, by half an interval, after a pause)
                self.next_frame_at = max(self.next_frame_at + self.interval, started + 0.5 * self.interval)
                try:
                    text = frame.text_with(rows)    # strict JSON and valid UTF-8 (protocol.dumps) …
                except ValueError as error:         # … or not, with the rows of dropped frames joined in
                    text = self._unsendable(error)
                await self.ws.send_text(text)
                if text is not UNSENDABLE:          # the binary frame goes only after its frame message
                    await self.ws.send_bytes(frame.binary)
                for text in frame.extras:
                    await self.ws.send_text(self._sendable(text))
                self.sending = False
                self.frames_sent += 1
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the socket failed: close it, so that the page sees it and resumes (not deaf)
            self.closed = True
            log.info("a page's sender stopped (%s); its socket is closed", type(error).__name__)
            try:
                await asyncio.wait_for(self.ws.close(1011), 0.5)
            except Exception:
                pass

    @classmethod
    def _sendable(cls, text: str) -> str:
        """`text` if a socket can send it (valid UTF-8); else UNSENDABLE, an `error` for this page, and a log line."""
        try:
            if not text.isascii():
                text.encode("utf-8")
            return text
        except UnicodeEncodeError as error:
            return cls._unsendable(error)

    @staticmethod
    def _unsendable(error: ValueError) -> str:
        log.error("a message could not be sent to a page, which gets an error instead: %s", error)
        return UNSENDABLE
