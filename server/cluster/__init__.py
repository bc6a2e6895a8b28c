"""Several processes behind one Redis (docs/cluster.md): the line to Redis (link.py), what crosses it and how it is
checked (records.py), sessions' snapshots and ownership leases (keeper.py), sockets carried to the process that owns
their session (tunnel.py), and the command that runs N processes on one port (supervisor.py)."""
from .link import STORE_ERRORS, Link, StoreUnavailable

__all__ = ["STORE_ERRORS", "Link", "StoreUnavailable"]
