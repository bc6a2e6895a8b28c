"""The engine threads' scheduler: results reach the event loop in order, chunks shrink as sessions multiply, and
sessions share the engine by what their turns cost."""
import asyncio
import threading
import time

from nnplayground.server.scheduler import Scheduler
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


def test_frames_of_several_turns_share_a_wake_up_of_the_loop_and_all_arrive_in_order():
    """An engine thread's deliveries with soon=False wait (up to DELIVERY_DELAY, or until the worker has nothing left
    to run) and go in one wake-up of the loop; a soon one wakes it at once, behind those made before it."""
    scheduler = Scheduler(workers=1)
    received, wake_ups = [], []

    class Chatty:
        closed, work_seconds, turns = False, 0.0, 0

        def urgent(self):
            return False

        def turn(self):
            self.turns += 1
            scheduler.flush()                          # as a turn does when its engine work begins
            scheduler.deliver(loop, received.append, self.turns, soon=self.turns == 30)
            return self.turns < 40

    async def flow():
        nonlocal loop
        loop = asyncio.get_running_loop()
        real = scheduler._run_deliveries
        scheduler._run_deliveries = lambda owner: (wake_ups.append(len(received)), real(owner))
        scheduler.wake(Chatty())
        for _ in range(200):
            if len(received) == 40:
                break
            await asyncio.sleep(0.01)

    loop = None
    try:
        run(flow())
    finally:
        scheduler.close()
    assert received == list(range(1, 41))
    assert len(wake_ups) < 20                          # 40 deliveries, far fewer wake-ups


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



class Turns:
    """Sessions whose turns cost what they say on a clock of the test's own (the scheduler charges by it), and the
    order in which they ran: the accounting, without timing anything. `hooks` run at a given turn count."""

    def __init__(self, limit: int, hooks: dict | None = None):
        self.now, self.limit, self.hooks, self.order = 0.0, limit, hooks or {}, []
        self.done = threading.Event()

    def clock(self) -> float:
        return self.now

    def session(self, name: str, cost: float, costs: dict | None = None, rest_after: int = 0):
        """A session whose turns cost `cost`, or costs[k] for its own k-th turn; it stops asking for turns after
        its `rest_after`-th (until woken again)."""
        turns = self

        class Fake:
            work_seconds, closed = 0.0, False

            def urgent(self):
                return False

            def turn(self):
                turns.order.append(name)
                turns.now += (costs or {}).get(turns.order.count(name), cost)
                if len(turns.order) in turns.hooks:
                    turns.hooks[len(turns.order)]()
                if len(turns.order) >= turns.limit:
                    turns.done.set()
                    return False
                return turns.order.count(name) != rest_after
        return Fake()

    def run(self, scheduler, *sessions) -> list:
        """Wake `sessions` together and run until `limit` turns; the names in the order they ran."""
        try:
            with scheduler._lock:                   # all queued before the worker takes the first
                for session in sessions:
                    scheduler.wake(session)
            assert self.done.wait(10)
        finally:
            scheduler.close()
        return self.order


def test_a_session_whose_turns_cost_ten_times_more_gets_a_tenth_of_the_turns():
    turns = Turns(limit=550)
    order = turns.run(Scheduler(workers=1, cpu_time=turns.clock), turns.session("light", 0.001),
                      turns.session("heavy", 0.010))
    light, heavy = order.count("light"), order.count("heavy")
    assert 9 <= light / heavy <= 11, (light, heavy)
    # spread out, not bunched: between two heavy turns the light session runs about ten times
    gaps = [len(run) for run in "".join("L" if name == "light" else "H" for name in order).split("H")[1:-1]]
    assert min(gaps) >= 8 and max(gaps) <= 12, gaps


def test_a_session_back_from_rest_joins_at_the_clock_and_banked_no_time():
    turns = Turns(limit=400)
    scheduler = Scheduler(workers=1, cpu_time=turns.clock)
    resting = turns.session("rest", 0.001, rest_after=20)
    turns.hooks[200] = lambda: scheduler.wake(resting)
    order = turns.run(scheduler, resting, turns.session("a", 0.001), turns.session("b", 0.001))
    back = order.index("rest", 100)
    assert back <= 203                               # at once, not behind the others' turns meanwhile …
    assert 45 <= order[back:back + 150].count("rest") <= 55     # … then a third of the turns, no catching up


def test_one_long_turn_is_charged_as_a_few_usual_ones():
    """A stall in one turn that is nobody's doing (a garbage collection) must not freeze that session's page: it
    is charged at most SPIKE usual turns (and never more than MAX_DEBT ahead of the others)."""
    turns = Turns(limit=300)
    order = turns.run(Scheduler(workers=1, cpu_time=turns.clock), turns.session("a", 0.001, costs={50: 0.5}),
                      turns.session("b", 0.001))
    stalled = [k for k, name in enumerate(order) if name == "a"][49]
    assert order[stalled + 1:stalled + 31].count("a") >= 10, order[stalled + 1:stalled + 31]


def test_a_command_jumps_the_queue_even_for_a_session_charged_ahead():
    turns = Turns(limit=100_000)
    scheduler = Scheduler(workers=1, cpu_time=turns.clock)
    heavy, light = turns.session("heavy", 0.010), turns.session("light", 0.001)
    try:
        with scheduler._lock:
            scheduler.wake(light)
            scheduler.wake(heavy)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with scheduler._lock:                    # between turns: heavy waits, charged well ahead of light
                if heavy in scheduler._queued and light in scheduler._queued \
                        and scheduler._charged[heavy] > scheduler._charged[light] + 0.005:
                    scheduler.wake(heavy, urgent=True)
                    mark = len(turns.order)
                    break
        else:
            raise AssertionError("heavy never waited behind light")
        while len(turns.order) <= mark:
            time.sleep(0.001)
        assert turns.order[mark] == "heavy"
    finally:
        turns.done.set()
        scheduler.close()
