"""Import and export of the whole catalogue: JSON (docs/catalog-format.md) and Excel."""

from onewindow.catalog.importexport.excel import import_workbook, read_workbook, write_workbook
from onewindow.catalog.importexport.export import dumps, export_catalog
from onewindow.catalog.importexport.loader import (
    FORMAT,
    ImportFailed,
    ImportIssue,
    ImportReport,
    import_catalog,
)

__all__ = [
    "FORMAT",
    "ImportFailed",
    "ImportIssue",
    "ImportReport",
    "dumps",
    "export_catalog",
    "import_catalog",
    "import_workbook",
    "read_workbook",
    "write_workbook",
]
