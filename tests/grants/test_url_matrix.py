"""Every URL of the application, as every role, aimed at another authority's and another
association's objects: no leak, no forbidden write, no server error.

The URL patterns are read from django.urls.get_resolver(): a new pattern without an entry in
URL_PARAMS fails `test_every_url_pattern_is_covered` ("URL non couverte : <name>"), so every
future view is tested by construction. For each pattern, each role GETs it, then POSTs it with a
valid CSRF token (taken from a form the role was served) and the form's own fields as an
administrator sees them (a valid payload where the form has no file to upload).

What counts:
- a leak: a 200 (or a file) whose content shows a marker of objects the role may not see
  (another authority's objects for staff; another association's for a manager; both for
  anonymous), or any file download of such an object;
- a forbidden write: a POST on a foreign object that changed it or created a row, or any write
  by the read-only roles (anonymous, consultation);
- a 5xx.
"""

import datetime
import html.parser
import io
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from simple_history.models import HistoricalChanges

from associations.indicators.models import IndicatorReport
from associations.models import BankDetails
from conventions.models import Convention, Justificatif
from conventions.notifications.models import Notification
from grants.models import (
    AssociationAccessRequest,
    FinancialReport,
    ImportBatch,
    Job,
    NotificationLetter,
    Role,
)
from grants.requests.models import RequestEvent, RequestVersion
from grants.smallgrants.models import LetterKind
from tests.associations.budgets.factories import AssociationBudgetFactory
from tests.associations.indicators.factories import IndicatorFactory, IndicatorSetFactory
from tests.conventions.factories import JustificatifFactory
from tests.deliberations.factories import (
    BodyFactory,
    DeliberationFactory,
    MemberFactory,
    SessionFactory,
)
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    GrantFactory,
    ManagerFactory,
    UserFactory,
)
from tests.grants.finance.factories import (
    BudgetLineFactory,
    ClawbackFactory,
    CommitmentFactory,
    ConventionFactory,
    PaymentFactory,
)
from tests.grants.requests.factories import (
    AidSchemeFactory,
    CampaignFactory,
    SubsidyRequestFactory,
    deposited,
)
from tests.grants.smallgrants.factories import light_deliberation

pytestmark = pytest.mark.django_db

# Not walked, on purpose: Django's admin (its own permission system, platform admins only,
# tested in tests/grants/test_admin.py); static and media files are not URL patterns (whitenoise
# serves static/, MEDIA_ROOT is never served).
EXCLUDED_NAMESPACES = {"admin"}
# Not POSTed: logging out would end the role's session for the rest of the walk.
NOT_POSTED = {"logout"}

FOREIGN_AUTHORITY = "XFOREIGNAUTH"  # the marker of authority B's objects
FOREIGN_ASSOCIATION = "XFOREIGNASSO"  # the marker of association A2's objects (authority A)

# Public by design: the open data (SCDL) of every authority is published for everyone, so the
# names of another authority, its associations and its published grants may appear there; so are
# the aid campaigns an authority opens to associations (/aides/<SIREN>/). On
# these pages the walk checks the texts that are never published instead (payments, clawbacks,
# commitments, justificatifs, budgets, messages, exports, financial reports), and a CSV of
# another authority is not counted as a file leak.
#
# The sign-up page of an authority is public too, and every association manager may ask any
# authority to attach their association: the authority's name shows there, nothing else of it.
PUBLIC_PAGES = {
    "opendata_public",
    "opendata_csv",
    "signup",
    "association_attach_start",
    "association_attach",
    "association_attach_create",
    "public_campaigns",
    # The login page names the authorities taking requests (links to their public pages).
    "login",
}
# Parameters that name no object (a dashboard block): requested once per role, their content
# checked for every hidden marker like a page without parameters.
NOT_OBJECT_PARAMS = {"dashboard_export"}


def _foreign_authority_query(key):
    return lambda world: {
        "collectivite": getattr(world[FOREIGN_AUTHORITY]["authority"], key),
        "annee": 2024,
        "toutes": 1,
    }


# Query strings that aim a page without an object in its path at foreign data: the search
# fields typed with the foreign markers (both start with XFOREIGN), the dashboards and the staff
# open-data page asking for the other authority (only the platform administrator may choose).
QUERY_STRINGS = {
    **{
        name: (lambda world: {"q": "XFOREIGN"})
        for name in (
            "autocomplete_associations",
            "autocomplete_deliberations",
            "autocomplete_conventions",
            "autocomplete_budget_lines",
            "autocomplete_users",
        )
    },
    "autocomplete_budgets": lambda world: {
        "association": world[FOREIGN_AUTHORITY]["association"].pk
    },
    "dashboard": _foreign_authority_query("pk"),
    "dashboard_export": _foreign_authority_query("pk"),
    "annex_list": _foreign_authority_query("pk"),
    "annex_xlsx": _foreign_authority_query("pk"),
    "annex_pdf": _foreign_authority_query("pk"),
    "opendata_staff": _foreign_authority_query("siren"),
}


def private_texts(marker):
    """Texts of `marker`'s scope that no public page may ever show."""
    return [
        f"Signataire {marker}",
        f"Motif {marker}",
        f"EJ-{marker}",
        f"{marker}.pdf",
        f"Budget {marker}",
        f"Message {marker}",
        f"Export {marker}",
        f"{marker}-crf.pdf",
        f"LET-{marker}",
    ]


# ---- the objects ------------------------------------------------------------------------------


def build_scope(authority, association, marker):
    """One association's full set of objects, every text carrying `marker`.

    The authority's own objects (bodies, sessions, deliberations, budget lines, indicator sets)
    carry the marker only for another authority: inside authority A they are shared by its
    associations, not another association's data.
    """
    shared = marker if marker != FOREIGN_ASSOCIATION else f"{marker[:4]}-partage"
    body = BodyFactory(authority=authority, name=f"Conseil {shared}")
    member = MemberFactory(body=body, last_name=f"MEMBRE{shared}")
    session = SessionFactory(body=body)
    deliberation = DeliberationFactory(
        authority=authority, session=session, title=f"Soutien {shared}"
    )
    grant = GrantFactory(
        association=association, deliberation=deliberation, object=f"Fonctionnement {marker}"
    )
    convention = ConventionFactory(
        association=association,
        grants=[grant],
        number=f"C-{marker}",
        status=Convention.Status.SIGNED_AUTHORITY,
        association_signed_at=datetime.date(2024, 7, 1),
        authority_signed_at=datetime.date(2024, 7, 1),
    )
    line = BudgetLineFactory(authority=authority, label=f"Ligne {shared}")
    commitment = CommitmentFactory(grant=grant, budget_line=line, number=f"EJ-{marker}")
    payment = PaymentFactory(convention=convention, signer_name=f"Signataire {marker}")
    clawback = ClawbackFactory(convention=convention, reason=f"Motif {marker}")
    justificatif = JustificatifFactory(convention=convention, original_name=f"{marker}.pdf")
    budget = AssociationBudgetFactory(association=association, label=f"Budget {marker}")
    indicator_set = IndicatorSetFactory(
        authority=authority,
        structure_type=association.structure_type,
        year=2022 if marker == FOREIGN_ASSOCIATION else 2023,
        title=f"Indicateurs {shared}",
    )
    indicator = IndicatorFactory(indicator_set=indicator_set, label=f"Indicateur {shared}")
    IndicatorReport.objects.create(indicator_set=indicator_set, association=association)
    owner = (
        ManagerFactory(associations=[association], last_name=f"Compte{marker}")
        if marker == FOREIGN_ASSOCIATION
        else UserFactory(role=Role.INSTRUCTOR, authority=authority, last_name=f"Compte{marker}")
    )
    export_job = Job.objects.create(
        kind="export",
        label=f"Export {marker}",
        owner=owner,
        authority=authority,
        dedup_key=f"export:{marker}",
        filename=f"{marker}.xlsx",
        status=Job.Status.DONE,
    )
    bank_details = BankDetails.objects.in_force(association)  # made with the convention
    notification = Notification.objects.create(
        recipient=owner, kind=Notification.Kind.choices[0][0], message=f"Message {marker}"
    )
    light = light_deliberation(
        authority, number=f"L{marker[-4:]}", title=f"Attribution {shared}", executory=False
    )
    small = GrantFactory(
        association=association,
        deliberation=light,
        amount=Decimal("8000.00"),
        year=2024,
        object=f"Atelier {marker}",
    )
    now = timezone.now()
    NotificationLetter.objects.create(
        grant=small,
        kind=LetterKind.choices[0][0],
        reference=f"LET-{marker}",
        date=datetime.date(2024, 7, 1),
        pdf_file=SimpleUploadedFile(f"{marker}-lettre.pdf", b"%PDF-1.4 test"),
        pdf_sha256="0" * 64,
        generated_at=now,
    )
    FinancialReport.objects.create(
        grant=small,
        file=SimpleUploadedFile(f"{marker}-crf.pdf", b"%PDF-1.4 test"),
        original_name=f"{marker}-crf.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
        uploaded_at=now,
        uploaded_by=owner,
    )
    filing = _filing_objects(authority, association, marker)
    import_batch = ImportBatch.objects.create(
        authority=authority,
        user=owner,
        original_name=f"Import {shared}.csv",
        status=ImportBatch.Status.PREVIEWED,
    )
    requester = ManagerFactory(last_name=f"Demandeur{marker}")
    access_request = AssociationAccessRequest.objects.create(
        user=requester, authority=authority, association=association, rna="W133012345"
    )
    scheme = AidSchemeFactory(
        authority=authority, name=f"Dispositif {shared}", required_pieces=["statuts", "rib"]
    )
    campaign = CampaignFactory(scheme=scheme, title=f"Campagne {shared}")
    subsidy_request = deposited(
        SubsidyRequestFactory(
            campaign=campaign,
            association=association,
            reference=f"DEM-{marker}",
            title=f"Projet {marker}",
        )
    )
    RequestVersion.objects.create(
        request=subsidy_request,
        number=1,
        submitted_at=now,
        submitted_by=subsidy_request.created_by,
        data={"title": f"Projet {marker}"},
    )
    RequestEvent.objects.create(
        request=subsidy_request, kind=RequestEvent.Kind.MESSAGE, text=f"Message {marker}"
    )
    instructed_request = deposited(
        SubsidyRequestFactory(
            campaign=campaign, association=association, title=f"Demande {marker}"
        ),
        status="instruite",
        reference=f"DEM-I-{marker}",
    )
    refused_request = deposited(
        SubsidyRequestFactory(
            campaign=campaign, association=association, title=f"Refusée {marker}"
        ),
        status="refusee",
        reference=f"DEM-R-{marker}",
        decision_reason=f"Motif {marker}",
        refusal_letter=SimpleUploadedFile(f"refus-{marker}.pdf", b"%PDF-1.4 test"),
        refusal_letter_sha256="0" * 64,
    )
    return {
        "authority": authority,
        "association": association,
        "access_request": access_request,
        "instructed_request": instructed_request,
        "refused_request": refused_request,
        "body": body,
        "member": member,
        "session": session,
        "deliberation": deliberation,
        "grant": grant,
        "convention": convention,
        "budget_line": line,
        "commitment": commitment,
        "payment": payment,
        "clawback": clawback,
        "justificatif": justificatif,
        "budget": budget,
        "indicator_set": indicator_set,
        "indicator": indicator,
        "export_job": export_job,
        "notification": notification,
        "light_deliberation": light,
        "small_grant": small,
        "import_batch": import_batch,
        "bank_details": bank_details,
        "owner": owner,
        "scheme": scheme,
        "campaign": campaign,
        "subsidy_request": subsidy_request,
        **filing,
    }


def _filing_objects(authority, association, marker):
    """A campaign, a request and a piece of « Mes documents ». The sibling association's
    campaign is closed, so that its manager's neighbour cannot start a (legitimate) request in
    it during the walk; another authority's request is deposited, the others are drafts."""
    from tests.associations.documents.factories import AssociationDocumentFactory
    from tests.grants.requests.factories import (
        AidSchemeFactory,
        CampaignFactory,
        SubsidyRequestFactory,
        deposited,
    )

    today = timezone.localdate()
    shared = marker if marker != FOREIGN_ASSOCIATION else f"{marker[:4]}-partage"
    closed = {
        "opens_on": today - datetime.timedelta(days=60),
        "closes_on": today - datetime.timedelta(days=1),
    }
    campaign = CampaignFactory(
        scheme=AidSchemeFactory(authority=authority, name=f"Dispositif de dépôt {shared}"),
        **(closed if marker == FOREIGN_ASSOCIATION else {}),
    )
    subsidy_request = SubsidyRequestFactory(
        campaign=campaign, association=association, title=f"Demande {marker}"
    )
    if marker == FOREIGN_AUTHORITY:
        deposited(subsidy_request)
    document = AssociationDocumentFactory(
        association=association, original_name=f"{marker}-statuts.pdf", label=f"Statuts {marker}"
    )
    return {"filing_campaign": campaign, "draft_request": subsidy_request, "document": document}


@pytest.fixture
def world():
    home = AuthorityFactory(name="Métropole A")
    foreign = AuthorityFactory(name=f"Métropole {FOREIGN_AUTHORITY}")
    own = AssociationFactory(authority=home, name="Association A1")
    sibling = AssociationFactory(authority=home, name=f"Association {FOREIGN_ASSOCIATION}")
    other = AssociationFactory(authority=foreign, name=f"Association {FOREIGN_AUTHORITY}")
    own_objects = build_scope(home, own, "OWNA1")
    users = {
        "anonyme": None,
        "administrateur plateforme": UserFactory(role=Role.ADMIN, authority=None),
        "administrateur A": UserFactory(role=Role.ADMIN, authority=home),
        "instructeur A": UserFactory(role=Role.INSTRUCTOR, authority=home),
        "financier A": UserFactory(role=Role.FINANCE, authority=home),
        "consultation A": UserFactory(role=Role.VIEWER, authority=home),
        "gestionnaire A1": ManagerFactory(associations=[own]),
    }
    return {
        "own": own_objects,
        FOREIGN_AUTHORITY: build_scope(foreign, other, FOREIGN_AUTHORITY),
        FOREIGN_ASSOCIATION: build_scope(home, sibling, FOREIGN_ASSOCIATION),
        "users": users,
    }


# ---- how to fill each URL's parameters with a foreign object -----------------------------------

NO_PARAMS = None


def _pk(key):
    return lambda objects: {"pk": objects[key].pk}


URL_PARAMS = {
    "home": NO_PARAMS,
    "login": NO_PARAMS,
    "logout": NO_PARAMS,
    "password_change": NO_PARAMS,
    "password_change_done": NO_PARAMS,
    "password_reset": NO_PARAMS,
    "password_reset_done": NO_PARAMS,
    "password_reset_confirm": lambda o: {
        "uidb64": urlsafe_base64_encode(force_bytes(o["owner"].pk)),
        "token": "set-password",
    },
    "password_reset_complete": NO_PARAMS,
    "budget_list": NO_PARAMS,
    "budget_template": NO_PARAMS,
    "budget_detail": _pk("budget"),
    "budget_edit": _pk("budget"),
    "budget_import": _pk("budget"),
    "budget_export": _pk("budget"),
    "budget_delete": _pk("budget"),
    "association_budget_list": _pk("association"),
    "budget_create": _pk("association"),
    "association_list": NO_PARAMS,
    "association_create": NO_PARAMS,
    "association_detail": _pk("association"),
    "bank_details_submit": _pk("association"),
    "staff_list": NO_PARAMS,
    "staff_create": NO_PARAMS,
    "staff_edit": _pk("owner"),
    "bank_details_pending": NO_PARAMS,
    "bank_details_review": _pk("bank_details"),
    "bank_details_rib": _pk("bank_details"),
    "association_edit": _pk("association"),
    "governance_change_create": _pk("association"),
    "deliberation_list": NO_PARAMS,
    "deliberation_create": NO_PARAMS,
    "deliberation_detail": _pk("deliberation"),
    "deliberation_edit": _pk("deliberation"),
    "deliberation_transmission": _pk("deliberation"),
    "deliberation_delete": _pk("deliberation"),
    "deliberation_extract": _pk("deliberation"),
    "deliberation_extract_regenerate": _pk("deliberation"),
    "session_list": NO_PARAMS,
    "session_create": NO_PARAMS,
    "session_detail": _pk("session"),
    "session_edit": _pk("session"),
    "session_attendance": _pk("session"),
    "body_list": NO_PARAMS,
    "body_create": NO_PARAMS,
    "body_detail": _pk("body"),
    "body_edit": _pk("body"),
    "member_create": _pk("body"),
    "member_bulk_create": _pk("body"),
    "member_edit": _pk("member"),
    "convention_list": NO_PARAMS,
    "convention_create": NO_PARAMS,
    "grants_missing_convention": NO_PARAMS,
    "convention_detail": _pk("convention"),
    "convention_edit": _pk("convention"),
    "convention_annex_edit": lambda o: {"pk": o["convention"].pk, "annex": "contributions"},
    "convention_pdf": _pk("convention"),
    "convention_pdf_generate": _pk("convention"),
    "convention_signed_upload": _pk("convention"),
    "convention_step": lambda o: {"pk": o["convention"].pk, "step": "notification"},
    "amendment_create": _pk("convention"),
    "justificatif_queue": NO_PARAMS,
    "justificatif_review": lambda o: {"justificatif_pk": o["justificatif"].pk},
    "justificatif_list": _pk("convention"),
    "justificatif_upload": lambda o: {
        "pk": o["convention"].pk,
        "kind": Justificatif.Kind.RAPPORT_ACTIVITE,
    },
    "justificatif_download": lambda o: {
        "pk": o["convention"].pk,
        "justificatif_pk": o["justificatif"].pk,
    },
    "finance_queue": NO_PARAMS,
    "payment_export": NO_PARAMS,
    "payment_certify": _pk("payment"),
    "payment_reject": _pk("payment"),
    "payment_order": _pk("payment"),
    "payment_paid": _pk("payment"),
    "budget_line_list": NO_PARAMS,
    "budget_line_export": NO_PARAMS,
    "budget_line_create": NO_PARAMS,
    "budget_line_detail": _pk("budget_line"),
    "budget_line_edit": _pk("budget_line"),
    "finance_grant_list": NO_PARAMS,
    "grant_export": NO_PARAMS,
    "grant_commit": _pk("grant"),
    "commitment_cancel": _pk("commitment"),
    "payment_timeline": _pk("convention"),
    "payment_request": lambda o: {"pk": o["convention"].pk, "kind": "solde"},
    "clawback_create": _pk("convention"),
    "clawback_list": NO_PARAMS,
    "clawback_export": NO_PARAMS,
    "export_job_detail": _pk("export_job"),
    "export_job_download": _pk("export_job"),
    "indicator_report_list": NO_PARAMS,
    "indicator_comparison": NO_PARAMS,
    "indicator_report_detail": lambda o: {
        "association_pk": o["association"].pk,
        "set_pk": o["indicator_set"].pk,
    },
    "indicator_report_edit": lambda o: {
        "association_pk": o["association"].pk,
        "set_pk": o["indicator_set"].pk,
    },
    "indicator_report_submit": lambda o: {
        "association_pk": o["association"].pk,
        "set_pk": o["indicator_set"].pk,
    },
    "indicator_report_reopen": lambda o: {
        "association_pk": o["association"].pk,
        "set_pk": o["indicator_set"].pk,
    },
    "indicator_set_list": NO_PARAMS,
    "indicator_set_create": NO_PARAMS,
    "indicator_set_detail": _pk("indicator_set"),
    "indicator_set_edit": _pk("indicator_set"),
    "indicator_set_copy": _pk("indicator_set"),
    "indicator_create": _pk("indicator_set"),
    "indicator_edit": _pk("indicator"),
    "indicator_delete": _pk("indicator"),
    "notification_list": NO_PARAMS,
    "notification_mark_all_read": NO_PARAMS,
    "notification_open": _pk("notification"),
    # accounts: the invitation link carries a token; a forged one must answer 400, never log in.
    "invite_manager": _pk("association"),
    "invitation_accept": lambda o: {
        "uidb64": urlsafe_base64_encode(force_bytes(o["owner"].pk)),
        "token": "invitation-forgee",
    },
    # accounts opened by associations: a forged confirmation link answers 400, never logs in.
    "signup": lambda o: {"siren": o["authority"].siren},
    "signup_sent": NO_PARAMS,
    "signup_resend": NO_PARAMS,
    "signup_confirm": lambda o: {
        "uidb64": urlsafe_base64_encode(force_bytes(o["owner"].pk)),
        "token": "confirmation-forgee",
    },
    "association_attach_start": NO_PARAMS,
    "association_attach": lambda o: {"siren": o["authority"].siren},
    "association_attach_create": lambda o: {"siren": o["authority"].siren},
    "access_request_list": NO_PARAMS,
    "access_request_review": _pk("access_request"),
    "deliberation_light_create": NO_PARAMS,
    "deliberation_light_edit": _pk("light_deliberation"),
    "deliberation_light_complete": _pk("light_deliberation"),
    "deliberation_convention_pdfs": _pk("deliberation"),
    "convention_choices": NO_PARAMS,
    "convention_paper_edit": _pk("convention"),
    "small_grant_detail": _pk("small_grant"),
    "small_grant_letter_generate": _pk("small_grant"),
    "small_grant_letter_download": _pk("small_grant"),
    "single_payment_request": _pk("small_grant"),
    "financial_report_upload": _pk("small_grant"),
    "financial_report_download": _pk("small_grant"),
    "campaign_deliberation_prepare": _pk("campaign"),
    "deliberation_request_documents": _pk("deliberation"),
    "request_refusal_letter_generate": _pk("refused_request"),
    "request_refusal_letter_download": _pk("refused_request"),
    "job_detail": _pk("export_job"),
    "job_status": _pk("export_job"),
    "job_download": _pk("export_job"),
    "job_retry": _pk("export_job"),
    "opendata_staff": NO_PARAMS,
    "opendata_import_upload": NO_PARAMS,
    "opendata_batch": _pk("import_batch"),
    "opendata_batch_mapping": _pk("import_batch"),
    "opendata_batch_confirm": _pk("import_batch"),
    "opendata_batch_cancel": _pk("import_batch"),
    # PUBLIC by design (PUBLIC_PAGES): the open data of any authority, published for everyone.
    "opendata_public": lambda o: {"siren": o["authority"].siren},
    "opendata_csv": lambda o: {"siren": o["authority"].siren, "year": 2024},
    "dashboard": NO_PARAMS,
    "dashboard_export": lambda o: {"block": "beneficiaires"},
    "annex_list": NO_PARAMS,
    "annex_xlsx": NO_PARAMS,
    "annex_pdf": NO_PARAMS,
    "autocomplete_associations": NO_PARAMS,
    "autocomplete_deliberations": NO_PARAMS,
    "autocomplete_conventions": NO_PARAMS,
    "autocomplete_budgets": NO_PARAMS,
    "autocomplete_budget_lines": NO_PARAMS,
    "autocomplete_users": NO_PARAMS,
    # subsidy requests: staff's schemes, campaigns and instruction; the request for both sides.
    "request_index": NO_PARAMS,
    "scheme_list": NO_PARAMS,
    "scheme_create": NO_PARAMS,
    "scheme_edit": _pk("scheme"),
    "campaign_create": _pk("scheme"),
    "campaign_detail": _pk("campaign"),
    "campaign_edit": _pk("campaign"),
    "campaign_bulk": _pk("campaign"),
    "request_detail": _pk("subsidy_request"),
    "request_version": lambda o: {"pk": o["subsidy_request"].pk, "number": 1},
    "request_move": lambda o: {"pk": o["subsidy_request"].pk, "target": "instruction"},
    "request_assign": _pk("subsidy_request"),
    "request_piece_check": lambda o: {"pk": o["subsidy_request"].pk, "kind": "statuts"},
    "request_message": _pk("subsidy_request"),
    # PUBLIC by design (PUBLIC_PAGES): the aid campaigns of any authority, for everyone.
    "public_campaigns": lambda o: {"siren": o["authority"].siren},
    # subsidy requests: the association's filing
    "request_list_mine": NO_PARAMS,
    "request_new": lambda o: {"campaign_pk": o["filing_campaign"].pk},
    "request_resume": _pk("subsidy_request"),
    "request_step": lambda o: {"pk": o["draft_request"].pk, "step": "identification"},
    "request_step_autosave": lambda o: {"pk": o["draft_request"].pk, "step": "montant"},
    "request_budget": lambda o: {"pk": o["draft_request"].pk, "which": "annuel"},
    "request_submit": _pk("subsidy_request"),
    "association_documents": _pk("association"),
    "association_document_upload": lambda o: {"pk": o["association"].pk, "kind": "statuts"},
    "association_document_download": lambda o: {
        "pk": o["association"].pk,
        "document_pk": o["document"].pk,
    },
}

# Pairs of URL parameters taken from two scopes: one's own convention or association with a
# foreign child (an object reached through the wrong parent must answer 404 too).
MIXED_PARAMS = {
    "association_document_download": lambda own, foreign: {
        "pk": own["association"].pk,
        "document_pk": foreign["document"].pk,
    },
    "justificatif_download": lambda own, foreign: {
        "pk": own["convention"].pk,
        "justificatif_pk": foreign["justificatif"].pk,
    },
    "indicator_report_detail": lambda own, foreign: {
        "association_pk": own["association"].pk,
        "set_pk": foreign["indicator_set"].pk,
    },
    "indicator_report_edit": lambda own, foreign: {
        "association_pk": own["association"].pk,
        "set_pk": foreign["indicator_set"].pk,
    },
}


def url_patterns(resolver=None, namespace=None):
    """(name, pattern) of every URL pattern, included ones too, minus the excluded namespaces."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            yield from url_patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield entry.name, entry


def test_every_url_pattern_is_covered():
    missing = [
        f"URL non couverte : {name or pattern.pattern}"
        for name, pattern in url_patterns()
        if name not in URL_PARAMS
    ]
    assert not missing, "\n".join(missing)
    parameterised = {name for name, pattern in url_patterns() if pattern.pattern.converters}
    for name, fill in URL_PARAMS.items():
        assert (fill is not NO_PARAMS) == (name in parameterised), name


# ---- requests ---------------------------------------------------------------------------------


class FormParser(html.parser.HTMLParser):
    """The fields of the page's POST forms other than the logout form, as a browser sends them."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = [], None, None, None
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = {"action": attrs.get("action") or "", "fields": [], "files": False}
            self.forms.append(self.current)
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.tokens.append(attrs.get("value"))
        if self.current is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            self._input(name, attrs)
        elif tag == "select" and name:
            self.select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None and value:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["selected"] = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def _input(self, name, attrs):
        kind = (attrs.get("type") or "text").lower()
        if kind == "file":
            self.current["files"] = True
        elif kind in {"checkbox", "radio"}:
            if "checked" in attrs or (kind == "checkbox" and "required" in attrs):
                self.current["fields"].append((name, attrs.get("value") or "on"))
        elif kind not in {"submit", "button", "reset"}:
            self.current["fields"].append((name, attrs.get("value") or ""))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.current is not None:
            value = self.select["selected"] or self.select["first"] or ""
            self.current["fields"].append((self.select["name"], value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current["fields"].append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.current = None


def parse(content):
    parser = FormParser()
    parser.feed(content.decode("utf-8", "replace"))
    forms = [f for f in parser.forms if "deconnexion" not in f["action"]]
    return forms, parser.tokens


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def readable(response):
    """The text a person could read in the response (the cells of an XLSX file too)."""
    content = body(response)
    if content.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return b"".join(archive.read(name) for name in archive.namelist())
        except zipfile.BadZipFile:
            return content
    return content


def is_file(response):
    kind = response.headers.get("Content-Type", "")
    return not kind.startswith("text/html") and response.status_code == 200


# ---- what changed ------------------------------------------------------------------------------

IGNORED_TABLES = ("django_session", "axes_")


def business_models():
    return [
        model
        for model in apps.get_models()
        if not issubclass(model, HistoricalChanges)
        and not model._meta.db_table.startswith(IGNORED_TABLES)
    ]


def counts_sql():
    tables = [connection.ops.quote_name(m._meta.db_table) for m in business_models()]
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)


def foreign_rows(world, scopes):
    rows = {}
    for scope in scopes:
        for key, obj in world[scope].items():
            if hasattr(obj, "_meta"):
                model = type(obj)
                values = model._base_manager.filter(pk=obj.pk).values().first()
                rows[(scope, key)] = values
    return rows


def db_state(world, scopes):
    with connection.cursor() as cursor:
        cursor.execute(counts_sql())
        counts = cursor.fetchone()
    return counts, foreign_rows(world, scopes)


def describe_change(before, after):
    (counts_before, rows_before), (counts_after, rows_after) = before, after
    changed = [
        model._meta.label
        for model, a, b in zip(business_models(), counts_before, counts_after, strict=True)
        if a != b
    ]
    changed += [
        f"{scope}.{key}" for (scope, key), v in rows_before.items() if rows_after[(scope, key)] != v
    ]
    return ", ".join(changed)


# ---- the walk ------------------------------------------------------------------------------------

ROLES = [
    "anonyme",
    "administrateur plateforme",
    "administrateur A",
    "instructeur A",
    "financier A",
    "consultation A",
    "gestionnaire A1",
]
READ_ONLY = {"anonyme", "consultation A"}


def hidden_scopes(role):
    """The scopes whose objects the role must never see."""
    if role == "administrateur plateforme":
        return []
    if role == "gestionnaire A1" or role == "anonyme":
        return [FOREIGN_AUTHORITY, FOREIGN_ASSOCIATION]
    return [FOREIGN_AUTHORITY]


def targets(world, role):
    """(label, url name, kwargs, scopes that must stay untouched) for every request."""
    for name, _pattern in url_patterns():
        fill = URL_PARAMS[name]
        if fill is NO_PARAMS:
            yield name, name, {}, []
            continue
        if name in NOT_OBJECT_PARAMS:
            yield name, name, fill(world["own"]), []
            continue
        for scope in (FOREIGN_AUTHORITY, FOREIGN_ASSOCIATION):
            if scope in hidden_scopes(role):
                yield f"{name} ({scope})", name, fill(world[scope]), [scope]
        if name in MIXED_PARAMS and hidden_scopes(role):
            scope = hidden_scopes(role)[0]
            kwargs = MIXED_PARAMS[name](world["own"], world[scope])
            yield f"{name} (mixte {scope})", name, kwargs, [scope]
        if not hidden_scopes(role):  # the platform admin: everything, for the 5xx check
            yield f"{name} ({FOREIGN_AUTHORITY})", name, fill(world[FOREIGN_AUTHORITY]), []


def admin_forms(world):
    """The POST payload of every form page, as the platform administrator is served it."""
    client = Client()
    client.force_login(world["users"]["administrateur plateforme"])
    payloads = {}
    for scope in (FOREIGN_AUTHORITY, FOREIGN_ASSOCIATION):
        for name in URL_PARAMS:
            fill = URL_PARAMS[name]
            kwargs = {} if fill is NO_PARAMS else fill(world[scope])
            url = reverse(name, kwargs=kwargs)
            if name in NOT_POSTED or url in payloads:
                continue
            response = client.get(url)
            if response.status_code == 200 and not is_file(response):
                forms, _ = parse(body(response))
                candidates = [f for f in forms if not f["files"]] or forms
                if candidates:
                    payloads[url] = [
                        (k, v) for k, v in candidates[0]["fields"] if k != "csrfmiddlewaretoken"
                    ]
    return payloads


def csrf_token(client):
    response = client.get(reverse("home"), follow=True)
    _, tokens = parse(body(response))
    assert tokens, "no CSRF token on the home or login page"
    return tokens[0]


def walk(world, role, payloads, stats):
    user = world["users"][role]
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    token = csrf_token(client)
    markers = [m.encode() for m in hidden_scopes(role)]
    problems = []
    for label, name, kwargs, untouched in targets(world, role):
        path = reverse(name, kwargs=kwargs)
        url = path
        if name in QUERY_STRINGS:
            url += "?" + urlencode(QUERY_STRINGS[name](world))
        for method in ("GET", "POST"):
            if method == "POST" and name in NOT_POSTED:
                continue
            watched = untouched if method == "POST" else []
            check_writes = method == "POST" and (untouched or role in READ_ONLY)
            before = db_state(world, watched) if check_writes else None
            if method == "GET":
                response = client.get(url)
            else:
                data = [("csrfmiddlewaretoken", token), *payloads.get(path, [])]
                response = client.post(url, _multidict(data))
            where = f"{role} {method} {url} [{label}]"
            stats["requests"] += 1
            stats["status"][response.status_code] = stats["status"].get(response.status_code, 0) + 1
            if name in PUBLIC_PAGES:
                hidden = [t.encode() for m in hidden_scopes(role) for t in private_texts(m)]
                problems += check_response(response, where, [], hidden, stats)
            else:
                problems += check_response(response, where, untouched, markers, stats)
            if check_writes and response.status_code < 500:
                after = db_state(world, watched)
                if after != before:
                    change = describe_change(before, after)
                    problems.append(f"écriture interdite ({change}) : {where}")
                    stats["writes"] += 1
    return problems


def check_response(response, where, untouched, markers, stats):
    if response.status_code >= 500:
        stats["5xx"] += 1
        return [f"5xx ({response.status_code}) : {where}"]
    if response.status_code == 403 and b"CSRF" in body(response):
        return [f"jeton CSRF refusé : {where}"]
    if response.status_code != 200:
        return []
    if untouched and is_file(response):
        stats["leaks"] += 1
        return [f"fuite (fichier d'un objet étranger) : {where}"]
    text = readable(response)
    shown = [m.decode() for m in markers if m in text]
    if shown:
        stats["leaks"] += 1
        return [f"fuite ({', '.join(shown)}) : {where}"]
    return []


def new_stats():
    return {"requests": 0, "leaks": 0, "writes": 0, "5xx": 0, "status": {}}


def _multidict(pairs):
    data = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


@pytest.fixture
def quiet_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_no_url_leaks_writes_or_fails_for_any_role(world, settings, quiet_tasks, capsys):
    payloads = admin_forms(world)
    stats = new_stats()
    problems = []
    for role in ROLES:
        problems += walk(world, role, payloads, stats)
    patterns = len(list(url_patterns()))
    with capsys.disabled():
        print(
            f"\nMatrice des URL : {patterns} motifs × {len(ROLES)} rôles, "
            f"{stats['requests']} requêtes (GET et POST), {stats['leaks']} fuites, "
            f"{stats['writes']} écritures interdites, {stats['5xx']} erreurs 5xx, "
            f"{len(payloads)} formulaires remplis ; réponses : "
            + ", ".join(f"{code} × {n}" for code, n in sorted(stats["status"].items()))
        )
    assert not problems, f"{len(problems)} problèmes :\n" + "\n".join(problems)


def test_the_walk_detects_a_leak_and_a_forbidden_write(world, monkeypatch):
    """The checks themselves can fail: a view that ignores the access rule is caught."""
    from grants.finance import views

    real = views.budget_line_detail

    def leaky(request, pk):
        from grants.models import BudgetLine

        BudgetLine.objects.filter(pk=pk).update(voted_credits=F("voted_credits") + Decimal("1"))
        request.user = world["users"]["administrateur plateforme"]
        return real(request, pk)

    monkeypatch.setattr(views, "budget_line_detail", leaky)
    from django.urls import clear_url_caches

    import grants.finance.urls as finance_urls

    for entry in finance_urls.urlpatterns:
        if entry.name == "budget_line_detail":
            monkeypatch.setattr(entry, "callback", leaky)
    clear_url_caches()
    stats = new_stats()
    problems = walk(world, "instructeur A", {}, stats)
    assert any("fuite" in p and "budget_line_detail" in p for p in problems), problems
    assert any("écriture interdite" in p and "budget_line_detail" in p for p in problems)
