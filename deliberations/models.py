from django.db import models


class Deliberation(models.Model):
    """A deliberation of an elected body; it decides grants."""

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="deliberations",
    )
    number = models.CharField("numéro", max_length=50)
    title = models.CharField("titre", max_length=500)

    class Meta:
        verbose_name = "délibération"
        verbose_name_plural = "délibérations"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "number"],
                name="deliberation_unique_number_per_authority",
                violation_error_message="Ce numéro de délibération existe déjà.",
            )
        ]

    def __str__(self):
        return f"Délibération n° {self.number}"
