"""Exit codes: a documented interface that scripts rely on (see README, "Exit status")."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2  # bad arguments or no case found (Typer uses 2 for usage errors too)
    REFUSED = 3  # another `cbis index` holds the case lock
    NEWER_CASE = 4  # the case was written by a newer cbis schema
    DIFFERS = 5  # `cbis verify` found changed, missing or added evidence, or a broken audit chain
    DAMAGED = 6  # the case database is damaged: not a database, cut short, or failing its own integrity check
    INTERRUPTED = 130
