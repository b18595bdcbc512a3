"""Pure rules of a session's arithmetic and of a vote (CGCT L.2121-17, L.2121-20).

Applied to the bodies of an EPCI through CGCT L.5211-1. No database access here: the models and
forms call these functions, the tests check them at the edges.
"""

import datetime
from dataclasses import dataclass

from grants.templatetags.fr import plural

# CGCT L.2121-12: the convocation is sent five clear days before the session (communes of
# 3 500 inhabitants or more, applied to EPCI); L.2121-17: a second convocation at least three
# days before a session held without quorum.
CONVOCATION_CLEAR_DAYS = 5
SECOND_CONVOCATION_DAYS = 3


def quorum_threshold(in_office):
    """The smallest number of members present that makes a quorum: more than half."""
    return in_office // 2 + 1


def quorum_reached(present, in_office):
    """More than half of the members in office are present (34 of 68: no; 35 of 68: yes)."""
    return in_office > 0 and 2 * present > in_office


def votes_available(present, proxies):
    """Each present member votes once, plus once for the proxy they hold (at most one)."""
    return present + proxies


def clear_days_between(convocation_date, session_date):
    """Clear days (jours francs): neither the day of sending nor the day of the session count."""
    return (session_date - convocation_date).days - 1


@dataclass(frozen=True)
class Vote:
    """The result of a vote as recorded in the register."""

    for_: int
    against: int = 0
    abstentions: int = 0
    not_participating: int = 0

    @property
    def cast(self):
        """Votes cast (suffrages exprimés): abstentions and non-participation do not count."""
        return self.for_ + self.against

    @property
    def total(self):
        """Every vote accounted for, to compare with the votes available in the session."""
        return self.for_ + self.against + self.abstentions + self.not_participating

    @property
    def adopted(self):
        """Adopted by the absolute majority of the votes cast (CGCT L.2121-20)."""
        return self.for_ > self.against

    @property
    def unanimous(self):
        """Adopted with nobody voting against or abstaining ("adopté à l'unanimité")."""
        return self.for_ > 0 and self.against == 0 and self.abstentions == 0

    def result_sentence(self):
        """The sentence the register prints after the decisions."""
        if self.unanimous:
            sentence = "Ce dossier a été adopté à l'unanimité."
            if self.not_participating:
                sentence = sentence[:-1] + f" ({_not_participating(self.not_participating)})."
            return sentence
        details = [plural(self.for_, "voix pour", "voix pour")]
        details.append(plural(self.against, "voix contre", "voix contre"))
        if self.abstentions:
            details.append(plural(self.abstentions, "abstention", "abstentions"))
        if self.not_participating:
            details.append(_not_participating(self.not_participating))
        verb = "adopté à la majorité" if self.adopted else "rejeté"
        return f"Ce dossier a été {verb} ({', '.join(details)})."


def _not_participating(count):
    if count == 1:
        return "1 membre n'a pas pris part au vote"
    return f"{count} membres n'ont pas pris part au vote"


def convocation_problems(convocation_date, session_date, second_convocation=False):
    """French messages about the convocation date; an empty list when it is in order."""
    if convocation_date is None or session_date is None:
        return []
    if convocation_date > session_date:
        return ["La date de convocation est postérieure à la date de la séance."]
    days = clear_days_between(convocation_date, session_date)
    if second_convocation:
        if (session_date - convocation_date).days < SECOND_CONVOCATION_DAYS:
            return [
                "Après une première séance sans quorum, la seconde convocation doit précéder la "
                f"séance d'au moins {SECOND_CONVOCATION_DAYS} jours (CGCT L.2121-17)."
            ]
        return []
    if days < CONVOCATION_CLEAR_DAYS:
        return [
            f"Convocation envoyée {max(days, 0)} jour{'s' if days > 1 else ''} franc"
            f"{'s' if days > 1 else ''} avant la séance : le délai est de "
            f"{CONVOCATION_CLEAR_DAYS} jours francs (CGCT L.2121-12), sauf urgence motivée."
        ]
    return []


def executory_date(received_on, published_on):
    """A deliberation is executory once transmitted and published (CGCT L.2131-1)."""
    if received_on is None or published_on is None:
        return None
    return max(received_on, published_on)


def is_before_or_on(day, reference=None):
    return day <= (reference or datetime.date.today())
