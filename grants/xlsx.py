"""Spreadsheet cells that a user's text cannot turn into a formula.

A text starting with = + - @ (or a tab or carriage return) is a formula for Excel and LibreOffice
when it is typed, pasted or re-entered, and openpyxl itself stores a string starting with "=" as
a formula. Every writer of the application passes its values through `safe_cell_value` (write-only
workbooks) or `set_safe_value` (ordinary ones): such a text is written as a string cell
(data type "s") with the "quote prefix" style, so it is shown as typed and never evaluated.
"""

from openpyxl.cell import WriteOnlyCell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell_value(sheet, value):
    """`value` as it may be appended to a write-only `sheet`: unchanged unless formula-like."""
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet)
    cell.value = value
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_row(sheet, values):
    return [safe_cell_value(sheet, value) for value in values]


def set_safe_value(cell, value):
    """Assign `value` to an ordinary workbook's cell, formula-like text kept as plain text."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
