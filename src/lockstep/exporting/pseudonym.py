"""Keyed pseudonyms for account ids and handles, so findings can be shared without republishing handles.

Researchers often may not republish account names. A pseudonym is ``acct_`` plus the first 16 hex digits
of HMAC-SHA256(key, "platform:account_id"); handles map the same way (``h_`` prefix). The same key gives the
same pseudonyms in every export, so files from one investigation join up; without the key they cannot be
reversed or recomputed. Keep the key private (``--key`` or the ``LOCKSTEP_PSEUDONYM_KEY`` variable).
"""

from __future__ import annotations

import hashlib
import hmac

from lockstep.errors import InputError


class Pseudonymizer:
    """Maps account ids and handles to keyed pseudonyms.

    Examples:
        >>> p = Pseudonymizer("a secret key")
        >>> p.account("twitter", "12345") == p.account("twitter", "12345"), p.account("twitter", "12345")[:5]
        (True, 'acct_')
    """

    def __init__(self, key: str) -> None:
        if not key or len(key) < 8:
            raise InputError(
                "a pseudonymisation key needs at least 8 characters (pass --key or set LOCKSTEP_PSEUDONYM_KEY)"
            )
        self._key = key.encode("utf-8")

    def _digest(self, text: str) -> str:
        return hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    def account(self, platform: str, account_id: str) -> str:
        """Pseudonym of an account id."""
        return "acct_" + self._digest(f"{platform}:{account_id}")

    def handle(self, platform: str, handle: str | None) -> str | None:
        """Pseudonym of a handle (``None`` stays ``None``)."""
        return None if handle is None else "h_" + self._digest(f"{platform}:@{handle.lower()}")
