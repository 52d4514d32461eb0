"""One error family for earlyhelp.

Every error the user can act on is an :class:`EarlyHelpError`. The CLI turns it into a
one-line message on stderr and an exit code in one place (``cli._Group.invoke``); library
code raises, never prints.
"""

from __future__ import annotations

__all__ = ["ConfigError", "EarlyHelpError", "InputError", "ValidationFailed"]


class EarlyHelpError(Exception):
    """Base of every error that earlyhelp reports to the user.

    ``exit_code`` is what the command line exits with: 2 for bad input or configuration,
    1 for anything else that went wrong.
    """

    exit_code = 1


class ConfigError(EarlyHelpError):
    """The configuration file is missing, unreadable or has a wrong key or value."""

    exit_code = 2


class InputError(EarlyHelpError):
    """An input file cannot be read or used as it is."""

    exit_code = 2


class ValidationFailed(InputError):
    """Validation found one or more errors; ``report`` holds every problem found."""

    def __init__(self, report):  # report: earlyhelp.validation.ValidationReport
        self.report = report
        n = len(report.errors)
        first = report.errors[0].line() if n else ""
        more = f" (and {n - 1} more; see the validation report)" if n > 1 else ""
        super().__init__(f"{first}{more}")

    def __reduce__(self) -> tuple:  # rebuilt whole in another process (forking.beside)
        return (_validation_failed, (self.report, self.__dict__))


def _validation_failed(report, state: dict) -> ValidationFailed:
    error = ValidationFailed(report)
    error.__dict__.update(state)
    return error
