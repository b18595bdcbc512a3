"""Demo bank details: SCS, Minalogic and the small association get validated details (test
IBANs, checked with python-stdnum) and a one-page RIB, so that finance may order their payments.

Idempotent: an association that already has bank details (validated, pending or refused, maybe
typed by someone trying the demo) is left as it is.
"""

from django.core.files.base import ContentFile
from django.db.models import Q

from associations.bank.services import clean_bic, clean_iban
from associations.models import Association, BankDetails
from grants.demo import paris_datetime
from grants.files import atomic_with_files
from grants.models import Payment, User

DEMO_DETAILS = [
    # (how the association is found, holder, IBAN, BIC, manager, instructor)
    (Q(acronym="SCS") | Q(managers__username="asso-scs"), "Pôle SCS",
     "FR7630006000011234567890189", "AGRIFRPP", "asso-scs", "instructeur"),
    (Q(name="Minalogic") | Q(managers__username="asso-minalogic"), "Association Minalogic",
     "FR7630004000031234567890143", "BNPAFRPPXXX", "asso-minalogic", "instructeur-sem"),
    (Q(name="Les Jardins partagés du Panier") | Q(managers__username="asso-petite"),
     "Les Jardins partagés du Panier", "FR6310278089000002030640175", "CMCIFR2A",
     "asso-petite", "instructeur"),
]  # fmt: skip


def rib_pdf(lines):
    """A one-page PDF printing `lines` (ASCII): the demo's RIB document."""
    text = " ".join(
        f"({line.replace('\\', '').replace('(', '').replace(')', '')}) Tj 0 -18 Td"
        for line in lines
    )
    stream = f"BT /F1 12 Tf 60 760 Td {text} ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def load_bank_details(out, context):
    names = {name for row in DEMO_DETAILS for name in row[4:]}
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    loaded = 0
    for found_by, holder, iban, bic, manager, instructor in DEMO_DETAILS:
        association = Association.objects.filter(found_by).distinct().first()
        if association is None or association.bank_details.exists():
            continue
        iban, bic = clean_iban(iban), clean_bic(bic)  # the demo's numbers pass the checks
        with atomic_with_files() as files:
            details = BankDetails(
                association=association,
                iban=iban,
                bic=bic,
                holder=holder,
                rib_name="RIB.pdf",
                rib_content_type="application/pdf",
                status=BankDetails.Status.VALIDATED,
                requested_by=users.get(manager),
                requested_at=paris_datetime(2023, 3, 1),
                decided_by=users.get(instructor),
                decided_at=paris_datetime(2023, 3, 2),
            )
            pdf = rib_pdf(["Releve d'identite bancaire", f"Titulaire : {holder}",
                           f"IBAN : {details.iban_display}", f"BIC : {bic}"])  # fmt: skip
            files.save(details.rib_file, f"rib-{association.pk}.pdf", ContentFile(pdf))
            details.save()
        loaded += 1
        # The demo's payment orders paid to these details.
        Payment.objects.filter(
            Q(convention__association=association) | Q(grant__association=association),
            order_date__isnull=False,
            bank_details__isnull=True,
        ).update(bank_details=details)
    out.write(f"  Coordonnées bancaires : {loaded} jeu(x) validé(s) ajouté(s).")
    return {}
