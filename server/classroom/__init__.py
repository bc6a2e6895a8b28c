"""The classroom: a teacher leads, the class follows, explores on its own copies, and shows its networks
(docs/classroom.md)."""
from .room import Classroom
from .store import ClassStore, FrameFanout, LocalFanout, MemoryClassStore

__all__ = ["Classroom", "ClassStore", "FrameFanout", "LocalFanout", "MemoryClassStore"]
