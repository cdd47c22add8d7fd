"""What can go wrong when talking to BioSamples, sorted by what the submitter can do about it.

Every network trouble becomes one of these, with a message that is safe to
show, so the submission job decides per kind (pause and retry later, ask for
credentials, put refusals in the report) and never shows a traceback.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive could not be used; the message is safe to show."""


class ArchiveUnavailable(ArchiveError):
    """Transient: refused connections, timeouts, 5xx, a long Retry-After. Trying again later may work."""


class ArchiveCredentialsRefused(ArchiveError):
    """401/403 from Webin or BioSamples: the username, password or token is not accepted."""


class ArchiveProtocolError(ArchiveError):
    """BioSamples answered something this client does not understand (a bug on one side)."""


class DocumentRefused(ArchiveError):
    """400: BioSamples refused this one document; `messages` say why, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages
