"""The store: the only code that opens or queries SQLite (`archive.sqlite3` under the archive home).

Everything else reaches the database through `Store`'s typed methods, one module per group of tables
(documents, chunks and their change log, embeddings, near-duplicate groups), and one filter builder
(`filters.py`) that list, search, related and the app share. Writes run inside `Store.transaction()`;
`writes.py` holds the ones ingest makes there.
"""

import sqlite3

from archive.store.core import STORE_FILE, Store, sqlite_errors
from archive.store.filters import Filters, outlet_key
from archive.store.sql import batches, marks

Transaction = sqlite3.Connection  # what `Store.transaction()` yields, for the functions in `writes.py` alone

__all__ = ["STORE_FILE", "Filters", "Store", "Transaction", "batches", "marks", "outlet_key", "sqlite_errors"]
