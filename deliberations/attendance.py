"""What a session's attendance adds up to: the counts the register prints, derived from the
attendance rows and never typed, and the proxy rules (CGCT L.2121-17, L.2121-20)."""

import unicodedata
from dataclasses import dataclass, field

from django.db import models

from deliberations import rules


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Présent"
    REPRESENTED = "represente", "Représenté (pouvoir)"
    EXCUSED = "excuse", "Absent excusé"
    ABSENT = "absent", "Absent"


def sort_key(member):
    """Alphabetical order of the register: last name, then first name, accents ignored."""

    def plain(text):
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

    return (plain(member.last_name), plain(member.first_name), member.pk or 0)


@dataclass
class AttendanceSummary:
    """What the register prints about a session, derived from its attendance."""

    session: object  # the Session
    in_office: list
    present: list = field(default_factory=list)
    proxies: list = field(default_factory=list)  # (giver, holder) pairs
    excused: list = field(default_factory=list)
    absent: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # in office, no attendance recorded
    outside: list = field(default_factory=list)  # recorded but not in office that day
    proxy_problems: list = field(default_factory=list)

    @classmethod
    def build(cls, session, members, records):
        members = sorted(members, key=sort_key)
        by_id = {m.pk: m for m in members}
        summary = cls(session=session, in_office=members)
        status_of = {}
        for record in records:
            member = by_id.get(record.member_id)
            if member is None:
                summary.outside.append(record)
                continue
            status_of[member.pk] = record.status
            if record.status == AttendanceStatus.PRESENT:
                summary.present.append(member)
            elif record.status == AttendanceStatus.REPRESENTED:
                summary.proxies.append((member, by_id.get(record.proxy_holder_id)))
            elif record.status == AttendanceStatus.EXCUSED:
                summary.excused.append(member)
            else:
                summary.absent.append(member)
        summary.missing = [m for m in members if m.pk not in status_of]
        for items in (summary.present, summary.excused, summary.absent):
            items.sort(key=sort_key)
        summary.proxies.sort(key=lambda pair: sort_key(pair[0]))
        summary.proxy_problems = summary._check_proxies(status_of)
        return summary

    def _check_proxies(self, status_of):
        problems = []
        held = {}
        for giver, holder in self.proxies:
            if holder is None:
                problems.append(
                    f"{giver} donne pouvoir à un membre qui n'est pas en exercice à la date de la "
                    "séance."
                )
                continue
            held.setdefault(holder, []).append(giver)
            if status_of.get(holder.pk) != AttendanceStatus.PRESENT:
                problems.append(
                    f"{giver} donne pouvoir à {holder}, qui n'est pas présent : un pouvoir ne "
                    "peut être confié qu'à un membre présent."
                )
        for holder, givers in held.items():
            if len(givers) > 1:
                names = " et ".join(str(g) for g in givers)
                problems.append(
                    f"{holder} détient {len(givers)} pouvoirs ({names}) : un membre ne peut en "
                    "détenir qu'un seul (CGCT L.2121-20)."
                )
        return problems

    # Counts: derived, never typed.
    @property
    def in_office_count(self):
        return len(self.in_office)

    @property
    def present_count(self):
        return len(self.present)

    @property
    def proxies_count(self):
        return len(self.proxies)

    @property
    def votes_count(self):
        return rules.votes_available(self.present_count, self.proxies_count)

    @property
    def excused_count(self):
        return len(self.excused)

    @property
    def absent_count(self):
        return len(self.absent)

    @property
    def not_present_count(self):
        """Absent, excused or not, without a proxy."""
        return self.excused_count + self.absent_count

    @property
    def recorded(self):
        return bool(self.present or self.proxies or self.excused or self.absent)

    @property
    def complete(self):
        return self.recorded and not self.missing

    @property
    def quorum_threshold(self):
        return rules.quorum_threshold(self.in_office_count)

    @property
    def quorum_reached(self):
        return rules.quorum_reached(self.present_count, self.in_office_count)

    @property
    def can_adopt(self):
        """CGCT L.2121-17: without quorum, only a session on second convocation deliberates."""
        return self.complete and (self.quorum_reached or self.session.second_convocation)

    @property
    def proxy_lines(self):
        """« Mme Ingrid ARNAUD donne pouvoir à Mme Françoise BERGER »."""
        return [f"{giver} donne pouvoir à {holder}" for giver, holder in self.proxies if holder]
