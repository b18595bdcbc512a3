# ruff: noqa: E501  (the table of who may act reads best on one line per action)
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from associations.models import Association
from grants.models import Role
from tests.factories import AssociationFactory, AuthorityFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    amp, sem = AuthorityFactory(), AuthorityFactory()
    return {
        "scs": AssociationFactory(authority=amp, name="SCS"),
        "voisine": AssociationFactory(authority=amp, name="Voisine"),
        "minalogic": AssociationFactory(authority=sem, name="Minalogic"),
        "amp": amp,
    }


def visible(user):
    return sorted(Association.objects.visible_to(user).values_list("name", flat=True))


def test_one_access_rule_for_every_role(world):
    assert visible(AnonymousUser()) == []
    assert visible(UserFactory(role=Role.ADMIN, authority=None)) == ["Minalogic", "SCS", "Voisine"]
    for role in [Role.ADMIN, Role.INSTRUCTOR, Role.FINANCE, Role.VIEWER]:
        assert visible(UserFactory(role=role, authority=world["amp"])) == ["SCS", "Voisine"]
    assert visible(ManagerFactory(associations=[world["scs"]])) == ["SCS"]
    assert visible(ManagerFactory(associations=[world["scs"], world["minalogic"]])) == [
        "Minalogic",
        "SCS",
    ]
    assert visible(ManagerFactory()) == []


# ---- who may act: every role × every action ------------------------------------------------
#
# The objects belong to authority A and to its association "SCS". "instr. B" is an instructor of
# another authority, "gest. autre" the manager of another association. The predicates are read
# after the object was fetched through `visible_to(user)`; they are a second lock, so even a user
# who could not see the object must be refused here.

ROLES = ["anonyme", "admin plateforme", "admin A", "instr. A", "financier A", "consult. A",
         "instr. B", "gest. SCS", "gest. autre"]  # fmt: skip

ACTIONS = """
action                            anonyme  admin plateforme  admin A  instr. A  financier A  consult. A  instr. B  gest. SCS  gest. autre
ensure_can_edit                   non      oui               oui      oui       non          non         non       non        non
can_edit_budgets                  non      oui               oui      oui       non          non         non       oui        non
can_define_sets                   non      oui               oui      oui       non          non         oui       non        non
can_fill_report (brouillon)       non      oui               oui      oui       non          non         non       oui        non
can_fill_report (soumis)          non      oui               oui      oui       non          non         non       non        non
can_submit_report                 non      oui               oui      oui       non          non         non       oui        non
can_reopen_report                 non      oui               oui      oui       non          non         non       non        non
can_prepare                       non      oui               oui      oui       non          non         non       non        non
can_record_association_signature  non      oui               oui      oui       non          non         non       oui        non
can_upload                        non      non               non      non       non          non         non       oui        non
can_review                        non      oui               oui      oui       non          non         non       non        non
can_manage_budget                 non      oui               non      non       oui          non         non       non        non
can_request_payment               non      non               non      non       non          non         non       oui        non
can_certify                       non      oui               oui      oui       non          non         non       non        non
can_order                         non      oui               non      non       oui          non         non       non        non
can_import_grants                 non      oui               oui      oui       oui          non         oui       non        non
can_view_dashboards               non      oui               oui      oui       oui          oui         oui       non        non
can_generate_convention_pdfs      non      oui               oui      oui       non          non         non       non        non
can_notify_grant                  non      oui               oui      oui       non          non         non       non        non
can_request_single_payment        non      oui               oui      oui       non          non         non       oui        non
can_upload_financial_report       non      non               non      non       non          non         non       oui        non
can_see_history                   non      oui               oui      oui       oui          oui         oui       non        non
can_invite_manager                non      oui               oui      oui       non          non         non       non        non
can_submit_bank_details           non      oui               oui      oui       non          non         non       oui        non
can_validate_bank_details         non      oui               oui      oui       non          non         non       non        non
can_see_full_bank_details         non      oui               oui      oui       oui          oui         non       oui        non
can_manage_staff                  non      non               oui      non       non          non         non       non        non
can_manage_campaigns              non      oui               oui      oui       non          non         non       non        non
can_file_request                  non      non               non      non       non          non         non       oui        non
can_edit_request (brouillon)      non      non               non      non       non          non         non       oui        non
can_edit_request (déposée)        non      non               non      non       non          non         non       non        non
can_instruct_request              non      oui               oui      oui       non          non         non       non        non
can_message_request               non      oui               oui      oui       non          non         non       oui        non
can_attach_association            non      non               non      non       non          non         non       oui        oui
can_review_access_request         non      oui               oui      oui       non          non         non       non        non
can_propose_deliberation          non      oui               oui      oui       non          non         non       non        non
can_download_refusal_letter       non      oui               oui      oui       oui          oui         non       oui        non
can_upload_documents              non      non               non      non       non          non         non       oui        non
"""


def parse_table(text):
    header, *rows = [line for line in text.strip().splitlines()]
    # Columns are separated by two spaces or more; role names hold single spaces.
    import re

    split = re.compile(r"\s{2,}")
    columns = split.split(header.strip())[1:]
    assert columns == ROLES
    return {
        cells[0]: dict(zip(columns, [c == "oui" for c in cells[1:]], strict=True))
        for cells in (split.split(row.strip()) for row in rows)
    }


@pytest.fixture
def people(world):
    from tests.factories import AuthorityFactory

    amp, other = world["amp"], AuthorityFactory()
    return {
        "anonyme": AnonymousUser(),
        "admin plateforme": UserFactory(role=Role.ADMIN, authority=None),
        "admin A": UserFactory(role=Role.ADMIN, authority=amp),
        "instr. A": UserFactory(role=Role.INSTRUCTOR, authority=amp),
        "financier A": UserFactory(role=Role.FINANCE, authority=amp),
        "consult. A": UserFactory(role=Role.VIEWER, authority=amp),
        "instr. B": UserFactory(role=Role.INSTRUCTOR, authority=other),
        "gest. SCS": ManagerFactory(associations=[world["scs"]]),
        "gest. autre": ManagerFactory(associations=[world["voisine"]]),
    }


def test_who_may_act_role_by_role(world, people):
    from types import SimpleNamespace

    from grants import access

    scs, amp = world["scs"], world["amp"]
    convention = SimpleNamespace(authority_id=amp.pk, association_id=scs.pk)
    draft = SimpleNamespace(association=scs, is_submitted=False)
    submitted = SimpleNamespace(association=scs, is_submitted=True)
    draft_request = SimpleNamespace(
        authority_id=amp.pk, association_id=scs.pk, is_editable_by_association=True
    )
    deposited_request = SimpleNamespace(
        authority_id=amp.pk, association_id=scs.pk, is_editable_by_association=False
    )

    def allowed_to_edit(user):
        try:
            access.ensure_can_edit(user, amp.pk)
        except PermissionDenied:
            return False
        return True

    checks = {
        "ensure_can_edit": allowed_to_edit,
        "can_edit_budgets": lambda u: access.can_edit_budgets(u, scs),
        "can_define_sets": access.can_define_sets,
        "can_fill_report (brouillon)": lambda u: access.can_fill_report(u, scs, draft),
        "can_fill_report (soumis)": lambda u: access.can_fill_report(u, scs, submitted),
        "can_submit_report": lambda u: access.can_submit_report(u, draft),
        "can_reopen_report": lambda u: access.can_reopen_report(u, submitted),
        "can_prepare": lambda u: access.can_prepare(u, convention),
        "can_record_association_signature": lambda u: access.can_record_association_signature(
            u, convention
        ),
        "can_upload": lambda u: access.can_upload(u, convention),
        "can_review": lambda u: access.can_review(u, convention),
        "can_manage_budget": lambda u: access.can_manage_budget(u, amp.pk),
        "can_request_payment": lambda u: access.can_request_payment(u, convention),
        "can_certify": lambda u: access.can_certify(u, convention),
        "can_order": lambda u: access.can_order(u, convention),
        "can_import_grants": access.can_import_grants,  # into the user's own authority
        "can_view_dashboards": access.can_view_dashboards,  # of the user's own authority
        "can_generate_convention_pdfs": lambda u: access.can_generate_convention_pdfs(
            u, SimpleNamespace(authority_id=amp.pk)
        ),
        # A grant of 23 000 € or less carries the same two ids as a convention.
        "can_notify_grant": lambda u: access.can_notify_grant(u, convention),
        "can_request_single_payment": lambda u: access.can_request_single_payment(u, convention),
        "can_upload_financial_report": lambda u: access.can_upload_financial_report(u, convention),
        "can_see_history": access.can_see_history,  # of the records the user may see
        "can_invite_manager": lambda u: access.can_invite_manager(u, scs),
        "can_submit_bank_details": lambda u: access.can_submit_bank_details(u, scs),
        # Submitted by someone else: who submits never validates (see test_bank_details.py).
        "can_validate_bank_details": lambda u: access.can_validate_bank_details(
            u, SimpleNamespace(association=scs, requested_by_id=-1)
        ),
        "can_see_full_bank_details": lambda u: access.can_see_full_bank_details(u, scs),
        "can_manage_staff": lambda u: access.can_manage_staff(u, amp.pk),
        "can_manage_campaigns": lambda u: access.can_manage_campaigns(u, amp.pk),
        "can_file_request": lambda u: access.can_file_request(u, scs),
        "can_edit_request (brouillon)": lambda u: access.can_edit_request(u, draft_request),
        "can_edit_request (déposée)": lambda u: access.can_edit_request(u, deposited_request),
        "can_instruct_request": lambda u: access.can_instruct_request(u, deposited_request),
        "can_message_request": lambda u: access.can_message_request(u, deposited_request),
        "can_attach_association": access.can_attach_association,
        # A request of someone else to manage SCS (authority A).
        "can_review_access_request": lambda u: access.can_review_access_request(
            u, SimpleNamespace(authority_id=amp.pk, association_id=scs.pk)
        ),
        "can_propose_deliberation": lambda u: access.can_propose_deliberation(
            u, SimpleNamespace(authority_id=amp.pk)
        ),
        "can_download_refusal_letter": lambda u: access.can_download_refusal_letter(
            u, deposited_request
        ),
        "can_upload_documents": lambda u: access.can_upload_documents(u, scs),
    }
    expected = parse_table(ACTIONS)
    assert set(expected) == set(checks), "every predicate has its row"
    actual = {
        action: {role: bool(check(people[role])) for role in ROLES}
        for action, check in checks.items()
    }
    assert actual == expected


def test_every_predicate_of_the_module_is_in_the_table():
    from grants import access

    predicates = {name for name in dir(access) if name.startswith(("can_", "ensure_can"))}
    rows = {row.split(" (")[0] for row in parse_table(ACTIONS)}
    assert predicates == rows


def test_require_refuses_with_a_french_message():
    from grants.access import require

    require(True)
    with pytest.raises(PermissionDenied, match="Votre rôle ne permet pas cette action."):
        require(False)
