"""The engine threads' scheduler: results reach the event loop in order, and chunks shrink as sessions multiply."""
import asyncio
import threading

from server.scheduler import Scheduler
from wire import run


def test_results_from_engine_threads_arrive_on_the_loop_in_the_order_they_were_made():
    scheduler = Scheduler(workers=1)
    received, loop_threads = [], set()

    def receive(value):
        received.append(value)
        loop_threads.add(threading.get_ident())

    async def flow():
        loop = asyncio.get_running_loop()
        producers = [threading.Thread(target=lambda: [scheduler.deliver(loop, receive, k) for k in range(500)])]
        for thread in producers:
            thread.start()
        for thread in producers:
            thread.join()
        scheduler.deliver(loop, receive, "last")
        for _ in range(100):
            if received and received[-1] == "last":
                break
            await asyncio.sleep(0.01)
        return threading.get_ident()

    try:
        loop_thread = run(flow())
    finally:
        scheduler.close()
    assert received == list(range(500)) + ["last"]
    assert loop_threads == {loop_thread}


def test_a_failing_delivery_does_not_lose_the_ones_after_it():
    scheduler = Scheduler(workers=1)
    received = []

    def broken(_):
        raise RuntimeError("a bug in one page's delivery")

    async def flow():
        loop = asyncio.get_running_loop()
        scheduler.deliver(loop, received.append, 1)
        scheduler.deliver(loop, broken, 2)
        scheduler.deliver(loop, received.append, 3)
        await asyncio.sleep(0.05)

    try:
        run(flow())
    finally:
        scheduler.close()
    assert received == [1, 3]


def test_chunks_shrink_as_more_sessions_train_and_leave_room_for_frames():
    scheduler = Scheduler(workers=1, fps=30)
    try:
        scheduler.overhead = 0.0003
        owners = [object() for _ in range(100)]
        scheduler.set_active(owners[0], True)
        alone = scheduler.chunk_seconds()
        for owner in owners[1:10]:
            scheduler.set_active(owner, True)
        ten = scheduler.chunk_seconds()
        for owner in owners[10:]:
            scheduler.set_active(owner, True)
        hundred = scheduler.chunk_seconds()
    finally:
        scheduler.close()
    assert alone == scheduler.max_chunk
    # ten sessions: a turn each per frame, training plus the rest of the turn fitting in 80 % of a frame
    assert 10 * (ten + scheduler.overhead) <= 0.8 / 30 + 1e-9 and ten < alone
    assert hundred == scheduler.min_chunk
