import datetime

from django.core.management.base import BaseCommand, CommandError

from conventions.notifications.reminders import Stage, send_reminders
from conventions.notifications.tasks import send_reminders_task


class Command(BaseCommand):
    help = (
        "Envoie les relances des justificatifs (30 jours et 7 jours avant l'échéance, puis en "
        "cas de retard), une seule fois chacune. À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Date du jour à utiliser, au format AAAA-MM-JJ (par défaut : aujourd'hui).",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Confier les relances à un processus db_worker au lieu de les envoyer ici.",
        )

    def handle(self, *args, date=None, enqueue=False, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"Date invalide : {date} (attendu : AAAA-MM-JJ).") from error
        if enqueue:
            result = send_reminders_task.enqueue(today.isoformat() if today else None)
            self.stdout.write(
                self.style.SUCCESS(f"Relances confiées à la file des tâches ({result.id}).")
            )
            return
        summary = send_reminders(today)
        self.stdout.write(f"Conventions examinées : {summary.checked}")
        for stage in Stage:
            self.stdout.write(
                f"  {stage.label} : {summary.sent[stage.value]} relance(s) envoyée(s)"
            )
        self.stdout.write(f"Relances déjà envoyées auparavant : {summary.already_sent}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.total_sent} relance(s) envoyée(s) à {summary.notifications} "
                "destinataire(s) (à l'écran et par courriel)."
            )
        )
