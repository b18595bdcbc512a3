"""Demo: one person who signed up and asks to manage the Pôle SCS (Aix-Marseille-Provence), so
that the staff's « Demandes d'accès » page shows a pending request. Idempotent; the other demo
accounts are left as they are."""

from grants.demo import DEMO_PASSWORD
from grants.models import AccountSignup, AssociationAccessRequest, Role, User

USERNAME = "camille.roux@example.org"


def load_access_requests(out, context):
    authority = (context.get("authorities") or {}).get("amp")
    scs = context.get("scs")
    if authority is None or scs is None:
        out.write("  Demande d'accès : non chargée (collectivité ou association absente).")
        return {}
    person, created = User.objects.get_or_create(
        username=USERNAME,
        defaults={
            "email": USERNAME,
            "first_name": "Camille",
            "last_name": "Roux",
            "role": Role.MANAGER,
            "authority": None,
        },
    )
    if created:
        person.set_password(DEMO_PASSWORD)
        person.save()
    AccountSignup.objects.get_or_create(user=person, defaults={"authority": authority})
    if not AssociationAccessRequest.objects.filter(user=person, association=scs).exists():
        AssociationAccessRequest.objects.create(
            user=person, authority=authority, association=scs, siren=scs.siren or "494233885"
        )
    out.write(
        f"  {USERNAME:<16} mot de passe : {DEMO_PASSWORD:<6} Inscrite, demande à gérer le "
        "Pôle SCS (en attente : « Demandes d'accès » d'instructeur)"
    )
    return {"access_request_person": person}
