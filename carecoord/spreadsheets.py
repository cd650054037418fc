"""Cells of the CSV files people open in a spreadsheet."""

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = frozenset("=+-@")


def formula_safe(text: str) -> str:
    """``text`` as a cell a spreadsheet shows and never runs (CSV formula injection): one that starts
    with a formula character gets a leading apostrophe, which spreadsheets take as "this is text"."""
    return "'" + text if text and text[0] in FORMULA_STARTS else text
