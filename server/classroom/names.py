"""Names the class makes up for a student who would rather not type one: an adjective and an animal, unused."""
import secrets

ADJECTIVES = ("Agile", "Bold", "Brave", "Bright", "Calm", "Clever", "Curious", "Eager", "Gentle", "Happy", "Keen",
              "Kind", "Lively", "Lucky", "Mighty", "Nimble", "Patient", "Quick", "Quiet", "Sharp", "Steady", "Swift",
              "Witty", "Wise")
ANIMALS = ("Badger", "Beaver", "Crane", "Dolphin", "Falcon", "Fox", "Gecko", "Heron", "Ibis", "Koala", "Lemur",
           "Lynx", "Marmot", "Otter", "Owl", "Panda", "Puffin", "Quokka", "Raven", "Seal", "Stork", "Tapir", "Wombat",
           "Yak")


def made_up_name(taken: set[str]) -> str:
    """A random "Adjective Animal" whose case-folded form is not in `taken`, with a number after it when all of the
    576 pairs are taken."""
    for _ in range(50):
        name = f"{secrets.choice(ADJECTIVES)} {secrets.choice(ANIMALS)}"
        if name.casefold() not in taken:
            return name
    number = 2
    while f"quick fox {number}" in taken:
        number += 1
    return f"Quick Fox {number}"
