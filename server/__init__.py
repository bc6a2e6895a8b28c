"""nnplayground's server: live training sessions over a WebSocket (see docs/protocol.md and server/protocol.py)."""
from .app import create_app
from .protocol import PROTOCOL_VERSION
from .settings import ServerSettings

__all__ = ["PROTOCOL_VERSION", "ServerSettings", "create_app"]
