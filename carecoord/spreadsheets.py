"""Cells of the CSV files people open in a spreadsheet.

- :func:`formula_safe`: one text cell that a spreadsheet shows and never runs.
- :func:`csv_writer`: a ``csv.writer`` that does so for every text cell it writes. Reports, the
  accounting of disclosures and hand-over files use it; the tracking-list export calls
  :func:`formula_safe` on its free-text cells only (it writes hundreds of thousands of cells).
"""
import csv

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = frozenset("=+-@")


def formula_safe(text: str) -> str:
    """``text`` as a cell a spreadsheet shows and never runs (CSV formula injection): one that starts
    with a formula character gets a leading apostrophe, which spreadsheets take as "this is text"."""
    return "'" + text if text and text[0] in FORMULA_STARTS else text


class _FormulaSafeWriter:
    def __init__(self, file):
        self._writer = csv.writer(file)

    def writerow(self, row):
        # Returns what csv's writerow returns: a streamed response yields it.
        return self._writer.writerow([formula_safe(cell) if isinstance(cell, str) else cell for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file) -> _FormulaSafeWriter:
    """``csv.writer(file)`` whose text cells never start a formula; numbers, dates and None are
    written as csv writes them."""
    return _FormulaSafeWriter(file)
