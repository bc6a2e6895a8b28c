"""The class socket's messages (docs/classroom.md): what a student and the teacher may send, each field bounded,
and what the server sends, validated in the tests like every other message. Built on server/protocol.py's models
and parser, so a class message is refused exactly as a playground message would be."""
import unicodedata
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, Field, TypeAdapter

from ..protocol import DATASET_NAMES, ERROR_CODES, Out, Strict, parse_client
from .store import PHASES

MAX_NAME = 32                   # characters of a display name
MAX_SHOWN = 4                   # students side by side on the projector
MAX_TARGET = 1e6
MEMBER_ID = r"^[0-9a-f]{8}$"
# where the teacher may send every page (send_to): a page of the site, with a lesson or not (its id checked by shape)
DESTINATIONS = r"^/(race|gradient-descent|perceptron|lessons)?(\?lesson=[a-z0-9_-]{1,40})?$"
assert {"read_only", "class_key", "class_full", "name_taken"} <= set(ERROR_CODES)


def display_name(text: str) -> str:
    """A name as the class shows it: NFC, runs of white space as one space, trimmed; 1–MAX_NAME characters of
    printable text (no control, format or private-use character, no lone surrogate)."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not text:
        raise ValueError("a name needs at least one visible character")
    if len(text) > MAX_NAME:
        raise ValueError(f"names are at most {MAX_NAME} characters")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ValueError(f"names cannot hold U+{ord(char):04X}")
    return text


DisplayName = Annotated[str, Field(max_length=4 * MAX_NAME), AfterValidator(display_name)]
MemberId = Annotated[str, Field(pattern=MEMBER_ID)]


# ------------------------------------------------------------------------------------------ student → server
class Join(Strict):
    type: Literal["join"]
    name: DisplayName | None          # None: the class makes one up


# ------------------------------------------------------------------------------------------ teacher → server
class Phase(Strict):
    type: Literal["phase"]
    phase: Literal[PHASES]


class SendTo(Strict):
    type: Literal["send_to"]
    path: Annotated[str, Field(max_length=60, pattern=DESTINATIONS)] | None


class Show(Strict):
    type: Literal["show"]
    members: Annotated[list[MemberId], Field(max_length=MAX_SHOWN)]


class Anonymise(Strict):
    type: Literal["anonymise"]
    on: bool


class Challenge(Strict):
    """A goal for the class: a data set and a target on the test set, within optional limits."""
    dataset: Literal[tuple(n for n in DATASET_NAMES if n not in ("points", "csv"))]
    metric: Literal["test_loss", "test_accuracy"]
    target: Annotated[float, Field(gt=0, le=MAX_TARGET)]
    max_neurons: Annotated[int, Field(ge=1, le=10_000)] | None = None
    max_epochs: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    plain_inputs: bool = False      # only the raw inputs x1, x2 as features


class SetChallenge(Strict):
    type: Literal["challenge"]
    challenge: Challenge | None


class CopyToAll(Strict):
    type: Literal["copy_to_all"]
    member: MemberId | None         # None: the teacher's network


class Remove(Strict):
    type: Literal["remove"]
    member: MemberId


STUDENT_TYPES = ("join",)
TEACHER_TYPES = ("phase", "send_to", "show", "anonymise", "challenge", "copy_to_all", "remove")
CLASS_TYPES = STUDENT_TYPES + TEACHER_TYPES
_adapter = TypeAdapter(Annotated[Union[Join, Phase, SendTo, Show, Anonymise, SetChallenge, CopyToAll, Remove],
                                 Field(discriminator="type")])


def parse_class(text: str):
    """One message on a class socket → its model, or ProtocolError (as protocol.parse_client)."""
    return parse_client(text, _adapter, CLASS_TYPES)


# ------------------------------------------------------------------------------------------ server → pages
class ClassStateMessage(Out):
    type: Literal["class_state"]
    phase: Literal[PHASES]
    path: str | None
    challenge: dict | None
    shown: list[str]
    anonymise: bool
    students: int


class SeatMessage(Out):
    type: Literal["seat"]
    seat: str
    member: str
    name: str


class ProgressMessage(Out):
    type: Literal["progress"]
    reached: bool
    epoch: int | None
    rank: int | None


class TeacherMessage(Out):
    type: Literal["teacher"]
    student_link: str
    max_students: int


class Thumbnail(Out):
    size: int
    count: int
    task: str
    lo: list[float]
    hi: list[float]
    q: str                          # base64 of the maps' u8 codes, count × size²


class StudentCard(Out):
    member: str
    name: str
    active: bool
    idle_seconds: float
    state: str | None
    epoch: int | None
    train_loss: float | None
    test_loss: float | None
    test_accuracy: float | None
    shape: list[int] | None
    n_params: int | None
    dataset: str | None
    map: Thumbnail | None


class ResultRow(Out):
    member: str
    name: str
    epoch: int
    seconds: float
    shape: list[int]
    test_loss: float | None
    test_accuracy: float | None


class DashboardMessage(Out):
    type: Literal["dashboard"]
    students: list[StudentCard]
    results: list[ResultRow]


class RemovedMessage(Out):
    type: Literal["removed"]
    message: str


CLASS_MESSAGES = {"class_state": ClassStateMessage, "seat": SeatMessage, "progress": ProgressMessage,
                  "teacher": TeacherMessage, "dashboard": DashboardMessage, "removed": RemovedMessage}
