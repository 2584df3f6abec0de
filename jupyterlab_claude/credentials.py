"""Taking the Claude credentials out of the server's environment when the extension loads.

Kernels and terminals start with a copy of the Jupyter server's environment (jupyter_client's
provisioner and terminado copy ``os.environ``), so a key left there can be printed by any cell,
``%env`` or package. The server reads the credentials once, keeps them in its configuration
(:class:`~jupyterlab_claude.config.ClaudeProxy`) and removes them from its environment, including
the block the kernel could read back through ``/proc/<server pid>/environ``.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import MutableMapping, Sequence

#: Environment variables holding credentials. ``ANTHROPIC_BASE_URL`` is not a secret and stays.
#: ``AWS_BEARER_TOKEN_BEDROCK`` is only ever a Bedrock key, so it is taken whatever the provider.
CREDENTIAL_VARIABLES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "AWS_BEARER_TOKEN_BEDROCK")

#: Taken as well when the provider is Bedrock: the AWS keys then sign for the server, and a kernel
#: that inherited them could call Bedrock (or anything else the keys allow) on the admin's account.
#: With another provider they are the scientist's own keys (S3, ...) and stay for their kernels.
AWS_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def credential_variables(provider: str = "anthropic") -> tuple[str, ...]:
    """The variables :func:`take_from_environment` takes for ``provider``."""
    return CREDENTIAL_VARIABLES + (AWS_CREDENTIAL_VARIABLES if provider == "bedrock" else ())


#: Shortest credential looked for inside longer values (shorter ones only as a whole value).
MIN_CONTAINED_SECRET = 16

#: Every value taken so far in this process, so a second load of the extension (a test run, a
#: launcher that builds two server apps) still finds the credentials after the first emptied them.
_taken: dict[str, str] = {}


def take_from_environment(
    environ: MutableMapping[str, str] | None = None, names: Sequence[str] = CREDENTIAL_VARIABLES
) -> dict[str, str]:
    """Remove the credential variables ``names`` from ``environ`` (the process's by default).

    Returns the values taken in this process so far (a later value of a name replaces an earlier one).
    """
    real = environ is None
    environ = os.environ if environ is None else environ
    removed = []
    for name in names:
        value = environ.pop(name, None)  # os.environ.pop also calls unsetenv()
        if value is None:
            continue
        removed.append(name)
        if value.strip():
            _taken[name] = value
    if real and removed:
        wipe_exec_environment(removed)
    return dict(_taken)


def remove_copies(secrets: Sequence[str], environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Remove every other variable holding a credential (``MY_KEY=$ANTHROPIC_API_KEY``, a header line).

    A variable counts when its value is the credential, or contains it and the credential is long
    enough (16+ characters) not to turn up in unrelated values by chance. Returns the names removed.
    """
    real = environ is None
    environ = os.environ if environ is None else environ
    secrets = [s for s in (s.strip() for s in secrets) if s]
    names = [
        name
        for name, value in list(environ.items())
        if any(value.strip() == s or (len(s) >= MIN_CONTAINED_SECRET and s in value) for s in secrets)
    ]
    for name in names:
        environ.pop(name, None)
    if real and names:
        wipe_exec_environment(names)
    return names


def wipe_exec_environment(names: Sequence[str]) -> bool:
    """Zero ``NAME=value`` in the environment block the process got at exec time (Linux).

    ``unsetenv`` only drops the pointer to that string; the bytes stay where the kernel reports
    them in ``/proc/<pid>/environ``, which any process of the same user (the kernels) can read.
    Best effort: False when the block cannot be located or does not look as expected.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        # Fields after the command name (which may contain spaces) start at field 3;
        # env_start and env_end are fields 50 and 51 (Linux 3.5+).
        fields = stat[stat.rindex(b")") + 2 :].split()
        start, end = int(fields[50 - 3]), int(fields[51 - 3])
        with open("/proc/self/environ", "rb") as f:
            expected = f.read()
    except (OSError, ValueError, IndexError):
        return False
    if not start or end <= start or end - start != len(expected):
        return False
    block = ctypes.string_at(start, end - start)
    if block != expected:  # not the memory we think it is: touch nothing
        return False
    prefixes = tuple(name.encode() + b"=" for name in names)
    offset = 0
    for entry in block.split(b"\0"):
        if entry.startswith(prefixes):
            ctypes.memset(start + offset, 0, len(entry))
        offset += len(entry) + 1
    return True
