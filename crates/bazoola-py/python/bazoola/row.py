class Row(dict):
    """A row: field name to value; joins add keys holding a row or a list of rows."""

    # No per-row attribute dict or weakref slot, as the original's plain dict rows had
    # none: 24 bytes less per row (and per joined row) of a big result.
    __slots__ = ()
