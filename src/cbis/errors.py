"""Errors a user can cause. Library code raises these; only the CLI turns them into a message and exit code."""

from cbis.status import ExitStatus


class CbisError(Exception):
    status: ExitStatus = ExitStatus.ERROR


class UsageError(CbisError):
    status = ExitStatus.USAGE


class NoCaseError(UsageError):
    """No case directory was given and none could be found."""


class CaseExistsError(UsageError):
    pass


class CaseLocationError(UsageError):
    """The case directory and the evidence overlap: cbis would write inside the evidence."""


class ReportLocationError(UsageError):
    """The report directory is inside the evidence, or holds files cbis did not write (or another case's report)."""


class ReportWriteError(CbisError):
    """The report could not be written: the directory cannot be made, the disk is full, a name is taken."""


class ReportToolError(CbisError):
    """A program a report needs is missing or failed: chromium (and Playwright, which drives it) for --pdf."""


class EvidenceError(UsageError):
    """The evidence path is missing or not a directory."""


class NewerSchemaError(CbisError):
    status = ExitStatus.NEWER_CASE


class OlderSchemaError(CbisError):
    """A read-only command (or the viewer) was given a case an older cbis made: it never migrates, so it cannot
    read it until `cbis case upgrade` has."""


class DamagedCaseError(CbisError):
    """The case database is not a database, is cut short, or fails its own integrity check."""

    status = ExitStatus.DAMAGED


class CaseReadOnlyError(CbisError):
    """A command that writes was given a case on read-only storage (or in a directory this user cannot write)."""


class CaseLockedError(CbisError):
    status = ExitStatus.REFUSED


class ModelUnavailableError(CbisError):
    """A classifier was asked for but its weights are not on this machine."""


class UnknownModelError(UsageError, ModelUnavailableError):
    """--model names no classifier cbis has: a usage mistake (exit 2), and still a model that is unavailable."""


class WeightsError(CbisError):
    """A weights file could not be read or does not fit the architecture."""


class CaseDatabaseError(CbisError):
    """The case database failed while a command ran: the server went away, the disk filled, the file is locked."""


class CaseBusyError(CaseLockedError):
    """Another command held the case database's write lock for longer than a writer waits."""


class AccountError(UsageError):
    """A user name or password that cannot be used, or an account that does not exist."""


class HashSetError(CbisError):
    """A hash-set file cannot be read as the format it is given or detected as (the line or field is named), a
    set name is taken or unknown, or an NSRL database a set points at is no longer where it was imported from."""


class ReviewError(UsageError):
    """A review change that cannot be made: an unknown category or file, an empty tag, no examiner."""
