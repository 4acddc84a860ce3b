class Row(dict):
    """A row: field name to value; joins add keys holding a row or a list of rows."""
