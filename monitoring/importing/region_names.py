"""Which name a region keeps when a file names it (pure).

CBS StatLine cuts region names at 40 characters ("Wijk 06 Van Stolkpark en Scheveningse Bo"),
while the wijk- en buurtkaart and other editions carry the whole name ("Wijk 06 Van Stolkpark en
Scheveningse Bosjes"). Files arrive in any order, so a cut name must never replace the whole
one, and a whole name completes a cut one. A name that is not the start of the other is a real
renaming: the file read last wins, as before.
"""

from __future__ import annotations


def _plain(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def is_cut_from(short: str, long: str) -> bool:
    """True when ``short`` is ``long`` cut off (spaces and case aside), and shorter."""
    short, long = _plain(short), _plain(long)
    return bool(short) and len(short) < len(long) and long.startswith(short)


def region_name_kept(current: str, incoming: str) -> str:
    """The name to store: ``incoming`` unless it is empty, the same, or ``current`` cut off."""
    incoming = " ".join(str(incoming or "").split())
    if not incoming or _plain(incoming) == _plain(current or ""):
        return current
    if is_cut_from(incoming, current or ""):
        return current  # the longest known name stays
    return incoming


def completes(current: str, incoming: str, *, code: str = "") -> bool:
    """True when ``incoming`` is the whole of a cut ``current`` (a code standing in for a name,
    as OData files leave it, is not a cut name)."""
    return bool(current) and current != code and is_cut_from(current, incoming)
