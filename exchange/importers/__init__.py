"""One importer per exchange-v1 file kind; ``IMPORTERS`` maps the kind to it."""

from exchange.importers.base import Check, Importer, Target
from exchange.importers.bills import BillImporter
from exchange.importers.customers import CustomerImporter
from exchange.importers.payments import PaymentImporter

IMPORTERS: dict[str, Importer] = {
    importer.kind: importer for importer in (CustomerImporter(), BillImporter(), PaymentImporter())
}

__all__ = ["IMPORTERS", "Check", "Importer", "Target"]
