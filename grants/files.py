"""Files written together with the rows that refer to them: all of it or nothing.

A storage is not transactional: a file written inside transaction.atomic() stays on disk when the
transaction rolls back, and a file deleted there is gone even if the row that names it survives.
`atomic_with_files()` is transaction.atomic() for such writes: every file saved through it is
deleted if the block fails, and the files it replaces are deleted only once the transaction has
committed. What a crash still leaves (the process killed between the write and the commit) is
found by `manage.py cleanup_orphan_files`.
"""

import logging
from contextlib import contextmanager

from django.db import transaction

logger = logging.getLogger(__name__)


class FileChanges:
    def __init__(self):
        self.written = []
        self.replaced = []

    def save(self, field_file, name, content):
        """Store `content` as the new file of `field_file` (the model is saved by the caller)."""
        if field_file.name:
            self.replaced.append((field_file.storage, field_file.name))
        field_file.save(name, content, save=False)
        self.written.append((field_file.storage, field_file.name))
        return field_file.name

    def delete(self, field_file):
        """Forget the file of `field_file`; it is removed from the storage once committed."""
        if field_file.name:
            self.replaced.append((field_file.storage, field_file.name))
        field_file.name = None

    def _remove(self, files):
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:  # logged, and found later by cleanup_orphan_files
                logger.exception("Could not delete %s", name)

    def delete_written(self):
        self._remove(self.written)

    def delete_replaced(self):
        kept = {(id(storage), name) for storage, name in self.written}
        self._remove(
            [(storage, name) for storage, name in self.replaced if (id(storage), name) not in kept]
        )


@contextmanager
def atomic_with_files(using=None):
    """transaction.atomic() that also undoes the files written in it if it fails."""
    changes = FileChanges()
    try:
        with transaction.atomic(using=using):
            yield changes
            transaction.on_commit(changes.delete_replaced, using=using)
    except BaseException:
        changes.delete_written()
        raise
