"""One importer per exchange-v1 file kind; ``IMPORTERS`` maps the kind to it."""

from waterportal.exchange.importers.base import Check, Importer, Target
from waterportal.exchange.importers.bills import BillImporter
from waterportal.exchange.importers.customers import CustomerImporter
from waterportal.exchange.importers.payments import PaymentImporter

IMPORTERS: dict[str, Importer] = {
    importer.kind: importer for importer in (CustomerImporter(), BillImporter(), PaymentImporter())
}

__all__ = ["IMPORTERS", "Check", "Importer", "Target"]
