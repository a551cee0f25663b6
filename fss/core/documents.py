"""Files the service hands to people: PDFs made from its own HTML, and spreadsheet-safe CSV cells."""

import re


def html_to_pdf(html: str) -> bytes:
    """A PDF of `html` (WeasyPrint). No base URL: the document loads nothing from outside itself."""
    from weasyprint import HTML  # imported when used: it loads Pango, which plain pages never need

    return HTML(string=html).write_pdf()


_NUMBER = re.compile(r"-[\d.,]*")


def spreadsheet_cell(value) -> str:
    """`value` as text a spreadsheet will not run as a formula (a leading ' before =, +, -, @, tab, CR).

    A negative number and a lone "-" (the console's empty marker) stay as they are.
    """
    text = "" if value is None else str(value)
    if text and (text[0] in "=+@\t\r" or (text[0] == "-" and not _NUMBER.fullmatch(text))):
        return "'" + text
    return text
