"""Find, and with --delete remove, stored files that no row refers to (dry run by default)."""

import datetime
from pathlib import PurePosixPath

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalChanges


def file_fields():
    """(model, field) for every FileField of the project's current models (not the history)."""
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges):
            continue  # a historical model: it keeps names of files that were replaced
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and field.storage is default_storage:
                yield model, field


def managed_folders(fields, referenced):
    """The top folders the application writes to: the upload_to's and the stored names."""
    folders = set()
    for model, field in fields:
        upload_to = field.upload_to
        if callable(upload_to):
            try:
                upload_to = upload_to(model(), "x")
            except Exception:  # noqa: BLE001 - a name needing a real instance: found below
                continue
        if upload_to:
            folders.add(PurePosixPath(str(upload_to)).parts[0])
    folders.update(PurePosixPath(name).parts[0] for name in referenced if "/" in name)
    return folders


def walk(storage, folder):
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from walk(storage, f"{folder}/{directory}")


def find_orphans(min_age=datetime.timedelta(hours=1)):
    """(orphan names, number of files examined, names referenced by rows but missing)."""
    fields = list(file_fields())
    referenced = set()
    for model, field in fields:
        referenced.update(
            model._base_manager.exclude(**{field.attname: ""})
            .exclude(**{f"{field.attname}__isnull": True})
            .values_list(field.attname, flat=True)
        )
    storage = default_storage
    stored = {
        name
        for folder in sorted(managed_folders(fields, referenced))
        for name in walk(storage, folder)
    }
    threshold = timezone.now() - min_age
    orphans = sorted(
        name
        for name in stored - referenced
        # A file younger than min_age may belong to a transaction that has not committed yet.
        if storage.get_modified_time(name) <= threshold
    )
    missing = sorted(referenced - stored)
    return orphans, len(stored), missing


class Command(BaseCommand):
    help = (
        "Liste les fichiers déposés ou produits (MEDIA_ROOT) qu'aucune ligne de la base ne "
        "référence ; --delete les supprime."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Supprimer les orphelins.")
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help="Ignorer les fichiers plus récents (transaction en cours). Défaut : 60.",
        )

    def handle(self, *args, delete=False, min_age_minutes=60, **options):
        orphans, examined, missing = find_orphans(datetime.timedelta(minutes=min_age_minutes))
        for name in orphans:
            self.stdout.write(f"orphelin : {name}")
        for name in missing:
            self.stdout.write(f"référencé mais absent : {name}")
        size = sum(default_storage.size(name) for name in orphans)
        self.stdout.write(
            f"{examined} fichiers examinés, {len(orphans)} orphelins ({size} octets), "
            f"{len(missing)} références sans fichier."
        )
        if not delete:
            if orphans:
                self.stdout.write("Simulation : rien n'est supprimé (ajoutez --delete).")
            return
        for name in orphans:
            default_storage.delete(name)
        self.stdout.write(self.style.SUCCESS(f"{len(orphans)} fichiers orphelins supprimés."))
