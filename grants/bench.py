"""Page timings, in process, with DEBUG off: what a user waits for on the pages used daily.

Each page is fetched as the role that uses it (Django's test Client, force_login), once to warm
up, then five times: the median is reported, with the number of SQL queries (counted on a
separate run), the size of the HTML and, for the lists, the ratio to a floor: hand-written SQL
returning what the page prints (the page of 25 and the count, and the page's totals row, tabs'
counts and filter <option>s where it has them), formatted as a bare HTML table and served
through the same middleware (session, login, CSRF…) by a bare view of `grants.bench_urls`,
timed in the same run: "raw SQL + HTTP". A ratio near 1 means the page costs little more than
its data. The same floor pages serve the load test (settings `grants.bench_settings`).
"""

import datetime
import statistics
import time
from dataclasses import dataclass, field
from html import escape

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from associations.models import Association, AssociationBudget
from conventions.models import Convention
from deliberations.models import Deliberation, Session
from grants import rules
from grants.finance.filters import PaymentFilter
from grants.models import BudgetLine, Grant, Payment, User
from grants.requests.models import Campaign, SubsidyRequest
from grants.requests.rules import Status

RUNS = 5
PAGE = 25
FLOORS = {}  # slug → floor callable, served by grants.bench_urls


@dataclass
class Page:
    label: str
    url: str
    user: str
    floor: object = None  # a callable(cursor) returning the floor's HTML
    result: dict = field(default_factory=dict)

    @property
    def slug(self):
        return "".join(c if c.isalnum() else "-" for c in self.label)

    @property
    def floor_url(self):
        return f"/__plancher__/{self.slug}/"


def _floor_html(rows, count):
    cells = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<p>{count} résultats</p><table>{cells}</table>"


def sql_floor(rows_sql, count_sql, params=(), count_params=None, extra=()):
    """A floor: the page's rows and its count (and totals), by hand-written SQL; `extra`, the
    (sql, params) of what else the page reads (sums, side lists), their rows added to the table.
    Without `count_sql` (a list that is not paginated), the count is the rows'."""

    def run(cursor):
        cursor.execute(rows_sql, params)
        rows = cursor.fetchall()
        if count_sql is None:
            count = len(rows)
        else:
            cursor.execute(count_sql, params if count_params is None else count_params)
            count = cursor.fetchone()[0]
        for sql, extra_params in extra:
            cursor.execute(sql, extra_params)
            rows += cursor.fetchall()
        return _floor_html(rows, count)

    return run


def _ids(authority_id):
    """The records the detail pages and forms open: the largest of the authority's."""

    conventions = Convention.objects.filter(authority_id=authority_id)
    return {
        "convention": conventions.filter(status=Convention.Status.IN_EXECUTION)
        .order_by("pk")[0]
        .pk,
        "draft": conventions.filter(status=Convention.Status.DRAFT).order_by("-pk")[0].pk,
        "association": Association.objects.filter(authority_id=authority_id).order_by("-pk")[0].pk,
        "deliberation": Deliberation.objects.filter(authority_id=authority_id)
        .order_by("-pk")[0]
        .pk,
        "session": Session.objects.filter(body__authority_id=authority_id).order_by("-pk")[0].pk,
        "budget": AssociationBudget.objects.filter(
            conventions__status=Convention.Status.DRAFT,
            association__authority_id=authority_id,
        )
        .order_by("-pk")[0]
        .pk,
        "budget_line": BudgetLine.objects.filter(authority_id=authority_id).order_by("-pk")[0].pk,
        "grant": (
            Grant.objects.filter(authority_id=authority_id, commitment__isnull=True).first()
            or Grant.objects.filter(authority_id=authority_id).order_by("-pk")[0]
        ).pk,  # one not committed yet, if any (else the page redirects)
        "requested": Payment.objects.filter(
            convention__authority_id=authority_id, status=Payment.Status.REQUESTED
        )
        .order_by("-pk")[0]
        .pk,
        "certified": Payment.objects.filter(
            convention__authority_id=authority_id, status=Payment.Status.CERTIFIED
        )
        .order_by("-pk")[0]
        .pk,
        **_request_ids(authority_id),
    }


def staff_home_floor(a):
    """What the instructor's home prints: the totals of the latest five years, the number of
    associations and the five newest, and the instructor's lines of work (their counts)."""
    adopted = "('adoptee', 'transmise', 'publiee', 'executoire')"
    latest = (
        "SELECT DISTINCT year FROM grants_grant WHERE authority_id = %s ORDER BY year DESC LIMIT 5"
    )
    totals = (
        "SELECT g.year, count(*), "
        f"sum(g.amount) FILTER (WHERE d.status IS NULL OR d.status NOT IN {adopted}), "
        f"sum(g.amount) FILTER (WHERE d.status IN {adopted}), "
        "sum(g.committed_amount), sum(g.paid_amount) FROM grants_grant g "
        "LEFT JOIN deliberations_deliberation d ON d.id = g.deliberation_id "
        f"WHERE g.authority_id = %s AND g.year IN ({latest}) GROUP BY g.year ORDER BY g.year DESC"
    )
    newest = (
        "SELECT s.id, s.name, s.acronym, s.city, t.name FROM associations_association s "
        "LEFT JOIN associations_structuretype t ON t.id = s.structure_type_id "
        "WHERE s.authority_id = %s ORDER BY s.created_at DESC LIMIT 5"
    )
    counts = (
        "SELECT (SELECT count(*) FROM associations_association WHERE authority_id = %s), "
        "(SELECT count(*) FROM conventions_justificatif WHERE authority_id = %s "
        "AND is_current AND status = 'depose'), "
        "(SELECT count(*) FROM associations_bankdetails k JOIN associations_association s "
        "ON s.id = k.association_id WHERE s.authority_id = %s AND k.status = 'en_attente'), "
        "(SELECT count(*) FROM grants_payment WHERE authority_id = %s AND status = 'demande'), "
        "(SELECT count(*) FROM conventions_convention WHERE authority_id = %s "
        "AND status = 'prete_signature'), "
        "(SELECT count(*) FROM conventions_convention WHERE authority_id = %s "
        "AND status = 'signee_association'), "
        "(SELECT count(*) FROM grants_grant WHERE authority_id = %s AND amount > 23000 "
        "AND NOT has_convention)"
    )

    def run(cursor):
        cursor.execute(totals, (a, a))
        rows = cursor.fetchall()
        cursor.execute(newest, (a,))
        rows += cursor.fetchall()
        cursor.execute(counts, (a,) * 7)
        return _floor_html(rows, cursor.fetchone())

    return run


def _request_ids(authority_id):
    """The biggest campaign (most deposited requests), one of its requests in instruction,
    and the demo manager whose « Mes demandes » is measured."""
    campaign = (
        Campaign.objects.filter(authority_id=authority_id)
        .annotate(n=Count("requests", filter=~Q(requests__status=Status.DRAFT)))
        .order_by("-n", "-pk")
        .first()
    )
    in_review = SubsidyRequest.objects.filter(
        authority_id=authority_id, status=Status.IN_REVIEW
    ).order_by("-pk")
    if campaign is not None:
        in_review = in_review.filter(campaign=campaign)
    request = in_review.first()
    manager = User.objects.filter(username="asso-scs").first()
    return {
        "campaign": campaign.pk if campaign else None,
        "request": request.pk if request else None,
        "manager": manager.pk if manager else None,
    }


def _request_pages(a, ids):
    """The subsidy requests' pages: a campaign's list (staff), a request (staff) and the
    association's « Mes demandes »; skipped where the database has none."""
    found = []
    today = timezone.localdate().isoformat()
    if ids["campaign"]:
        c = ids["campaign"]
        deposited = "r.campaign_id = %s AND r.authority_id = %s AND r.status <> 'brouillon'"
        found.append(
            Page(
                "campaign requests",
                reverse("campaign_detail", args=[c]),
                "instructeur",
                sql_floor(
                    # grants/requests/campaign_views.campaign_detail: the page of 25 by number.
                    "SELECT r.id, r.reference, r.title, s.name, r.status, u.first_name, "
                    "u.last_name, u.username, r.submitted_at, r.amount_requested, "
                    "r.proposed_amount FROM grants_subsidyrequest r "
                    "JOIN associations_association s ON s.id = r.association_id "
                    "LEFT JOIN grants_user u ON u.id = r.assigned_to_id "
                    f"WHERE {deposited} ORDER BY r.reference, r.id LIMIT 25",
                    f"SELECT count(*) FROM grants_subsidyrequest r WHERE {deposited}",
                    (c, a),
                    extra=[
                        # The campaign itself, with its scheme.
                        (
                            "SELECT k.id, k.year, k.title, k.opens_on, k.closes_on, k.envelope, "
                            "sc.name FROM grants_campaign k JOIN grants_aidscheme sc "
                            "ON sc.id = k.scheme_id WHERE k.id = %s AND k.authority_id = %s",
                            (c, a),
                        ),
                        # The envelope's sums per status (instruction.campaign_sums).
                        (
                            "SELECT r.status, count(*), sum(r.amount_requested), "
                            "sum(r.proposed_amount) FROM grants_subsidyrequest r "
                            "WHERE r.campaign_id = %s AND r.status <> 'brouillon' "
                            "GROUP BY r.status",
                            (c,),
                        ),
                        # « Vers la délibération » (decisions.proposals_summary).
                        (
                            "SELECT count(*) FILTER (WHERE r.status = 'instruite' "
                            "AND r.grant_id IS NULL), sum(r.proposed_amount) FILTER (WHERE "
                            "r.status = 'instruite' AND r.grant_id IS NULL), count(*) FILTER "
                            "(WHERE r.status = 'instruite' AND r.grant_id IS NOT NULL), "
                            "sum(r.proposed_amount) FILTER (WHERE r.status = 'instruite' AND "
                            "r.grant_id IS NOT NULL), count(*) FILTER (WHERE r.status = "
                            "'votee'), sum(g.amount) FILTER (WHERE r.status = 'votee'), "
                            "count(*) FILTER (WHERE r.status = 'refusee') "
                            "FROM grants_subsidyrequest r LEFT JOIN grants_grant g "
                            "ON g.id = r.grant_id WHERE r.campaign_id = %s",
                            (c,),
                        ),
                        # The deliberations that decide its requests.
                        (
                            "SELECT DISTINCT d.id, d.number, d.status "
                            "FROM deliberations_deliberation d JOIN grants_grant g "
                            "ON g.deliberation_id = d.id JOIN grants_subsidyrequest r "
                            "ON r.grant_id = g.id WHERE r.campaign_id = %s ORDER BY d.number DESC",
                            (c,),
                        ),
                    ],
                ),
            )
        )
    if ids["request"]:
        found.append(
            Page("request detail", reverse("request_detail", args=[ids["request"]]), "instructeur")
        )
    if ids["manager"]:
        m = ids["manager"]
        mine = (
            "r.association_id IN (SELECT association_id FROM grants_user_managed_associations "
            "WHERE user_id = %s)"
        )
        found.append(
            Page(
                "my requests",
                reverse("request_list_mine"),
                "asso-scs",
                sql_floor(
                    # grants/requests/filing_views.request_list_mine: the 200 latest.
                    "SELECT r.id, r.title, r.reference, r.status, r.amount_requested, "
                    "r.submitted_at, s.name, k.year, k.closes_on, sc.name "
                    "FROM grants_subsidyrequest r "
                    "JOIN associations_association s ON s.id = r.association_id "
                    "JOIN grants_campaign k ON k.id = r.campaign_id "
                    "JOIN grants_aidscheme sc ON sc.id = k.scheme_id "
                    f"WHERE {mine} ORDER BY r.created_at DESC, r.id DESC LIMIT 200",
                    None,
                    (m,),
                    extra=[
                        # The user's associations, then the open campaigns of their authorities.
                        (
                            "SELECT s.id, s.name, s.authority_id FROM associations_association s "
                            "WHERE s.id IN (SELECT association_id FROM "
                            "grants_user_managed_associations WHERE user_id = %s) ORDER BY s.name",
                            (m,),
                        ),
                        (
                            "SELECT k.id, k.year, k.closes_on, sc.name, sc.description, au.name "
                            "FROM grants_campaign k JOIN grants_aidscheme sc "
                            "ON sc.id = k.scheme_id JOIN grants_authority au "
                            "ON au.id = k.authority_id WHERE k.authority_id IN (SELECT "
                            "s.authority_id FROM associations_association s WHERE s.id IN "
                            "(SELECT association_id FROM grants_user_managed_associations "
                            "WHERE user_id = %s)) AND k.opens_on <= %s AND k.closes_on >= %s "
                            "AND sc.is_active ORDER BY k.closes_on, k.id",
                            (m, today, today),
                        ),
                    ],
                ),
            )
        )
    return found


def pages(authority_id):
    # The beneficiaries of a deliberation, in the grants' order (SQLite before 3.44 has no
    # ORDER BY inside an aggregate: there the order is the engine's).
    short_name = "COALESCE(NULLIF(s.acronym, ''), s.name)"
    if connection.vendor == "postgresql":
        names_agg = f"string_agg({short_name}, ', ' ORDER BY g.year DESC, s.name, g.id)"
        domains_agg = "string_agg(d.name, ' ' ORDER BY d.name)"
        year_of = "date_trunc('year', se.date)"
    else:
        names_agg = f"group_concat({short_name}, ', ')"
        domains_agg = "group_concat(d.name, ' ')"
        year_of = "strftime('%%Y', se.date)"

    a = authority_id
    ids = _ids(a)
    # What the lists' filters print: the <option>s of their small-table <select>s.
    structure_types = ("SELECT id, name FROM associations_structuretype ORDER BY name", ())
    domains = ("SELECT id, name FROM associations_thematicdomain ORDER BY name", ())
    bodies = ("SELECT id, name FROM deliberations_body WHERE authority_id = %s ORDER BY name", (a,))
    session_years = (
        f"SELECT DISTINCT {year_of} FROM deliberations_session se JOIN deliberations_body b "
        "ON b.id = se.body_id WHERE b.authority_id = %s AND se.date IS NOT NULL ORDER BY 1 DESC",
        (a,),
    )
    thematics = (
        "SELECT DISTINCT thematic FROM deliberations_deliberation WHERE authority_id = %s "
        "AND thematic <> '' ORDER BY 1",
        (a,),
    )
    conv_rows = (
        "SELECT c.id, c.number, c.year, c.status, c.amount_total, s.name, s.acronym, "
        "c.authority_signed_at, c.association_signed_at FROM conventions_convention c "
        "JOIN associations_association s ON s.id = c.association_id {j} "
        "WHERE c.authority_id = %s {w} "
        "ORDER BY c.year DESC, c.number LIMIT 25"
    )
    conv_count = "SELECT count(*) FROM conventions_convention c {j} WHERE c.authority_id = %s {w}"

    def conventions(where="", params=(), join=""):
        return sql_floor(
            conv_rows.format(w=where, j=join), conv_count.format(w=where, j=join), (a, *params)
        )

    queue_rows = (
        "SELECT p.id, p.kind, p.status, p.amount, p.requested_at, p.certified_at, c.number, "
        "s.name FROM grants_payment p JOIN conventions_convention c ON c.id = p.convention_id "
        "JOIN associations_association s ON s.id = c.association_id "
        "WHERE p.authority_id = %s {w} ORDER BY p.requested_at DESC LIMIT 25"
    )
    queue_count = "SELECT count(*) FROM grants_payment p WHERE p.authority_id = %s {w}"
    # The queue's tabs: to certify, to order (and overdue), ordered (finance.views._queue_counts).
    overdue = timezone.now() - datetime.timedelta(days=rules.PAYMENT_ORDER_TARGET_DAYS)
    queue_tabs = (
        "SELECT count(*) FILTER (WHERE status = 'demande'), count(*) FILTER (WHERE status = "
        "'service_fait'), count(*) FILTER (WHERE status = 'service_fait' AND certified_at < %s), "
        "count(*) FILTER (WHERE status = 'mandate') FROM grants_payment WHERE authority_id = %s "
        "AND status IN ('demande', 'service_fait', 'mandate')",
        (overdue, a),
    )
    u = reverse
    return [
        Page("staff home", u("home"), "instructeur", staff_home_floor(a)),
        Page(
            "associations",
            u("association_list"),
            "instructeur",
            sql_floor(
                # Each row's thematic domains too (a column of the list).
                "SELECT s.id, s.name, s.acronym, s.city, t.name, "
                f"(SELECT {domains_agg} FROM associations_thematicdomain d "
                "JOIN associations_association_domains ad ON ad.thematicdomain_id = d.id "
                "WHERE ad.association_id = s.id) FROM associations_association s "
                "LEFT JOIN associations_structuretype t ON t.id = s.structure_type_id "
                "WHERE s.authority_id = %s ORDER BY s.name LIMIT 25",
                "SELECT count(*) FROM associations_association WHERE authority_id = %s",
                (a,),
                extra=[structure_types, domains],
            ),
        ),
        Page(
            "deliberations",
            u("deliberation_list"),
            "instructeur",
            sql_floor(
                # What each row prints: number, session (date and body) or the light entry's,
                # thematic, title, beneficiaries (acronym else name, in the grants' order),
                # total and status.
                "SELECT d.id, d.number, d.title, d.thematic, d.status, d.decided_on, "
                "d.session_date, d.body_name, se.date, b.name, "
                f"(SELECT {names_agg} FROM grants_grant g "
                "JOIN associations_association s ON s.id = g.association_id "
                "WHERE g.deliberation_id = d.id), "
                "(SELECT sum(g.amount) FROM grants_grant g WHERE g.deliberation_id = d.id) "
                "FROM deliberations_deliberation d "
                "LEFT JOIN deliberations_session se ON se.id = d.session_id "
                "LEFT JOIN deliberations_body b ON b.id = se.body_id "
                "WHERE d.authority_id = %s ORDER BY d.decided_on DESC, d.number DESC LIMIT 25",
                "SELECT count(*) FROM deliberations_deliberation WHERE authority_id = %s",
                (a,),
                extra=[session_years, thematics, bodies],
            ),
        ),
        Page(
            "sessions",
            u("session_list"),
            "instructeur",
            sql_floor(
                # Each row's members in office at the date, present, represented, and its
                # deliberations (deliberations.selectors.sessions_for_list).
                "SELECT se.id, se.date, se.second_convocation, b.name, "
                "(SELECT count(*) FROM deliberations_member m WHERE m.body_id = se.body_id "
                "AND m.mandate_start <= se.date AND (m.mandate_end IS NULL "
                "OR m.mandate_end >= se.date)), "
                "(SELECT count(*) FROM deliberations_attendance t WHERE t.session_id = se.id "
                "AND t.status = 'present'), "
                "(SELECT count(*) FROM deliberations_attendance t WHERE t.session_id = se.id "
                "AND t.status = 'represente'), "
                "(SELECT count(*) FROM deliberations_deliberation d WHERE d.session_id = se.id) "
                "FROM deliberations_session se "
                "JOIN deliberations_body b ON b.id = se.body_id WHERE b.authority_id = %s "
                "ORDER BY se.date DESC, b.name LIMIT 25",
                "SELECT count(*) FROM deliberations_session se JOIN deliberations_body b "
                "ON b.id = se.body_id WHERE b.authority_id = %s",
                (a,),
                extra=[session_years, bodies],
            ),
        ),
        Page("conventions", u("convention_list"), "instructeur", conventions()),
        Page(
            "conventions ?year=",
            u("convention_list") + "?year=2024",
            "instructeur",
            conventions("AND c.year = %s", (2024,)),
        ),
        Page(
            "conventions ?status=",
            u("convention_list") + "?status=en_execution",
            "instructeur",
            conventions("AND c.status = %s", ("en_execution",)),
        ),
        Page(
            "conventions ?association=",
            u("convention_list") + "?association=culture",
            "instructeur",
            conventions(
                "AND c.association_id IN (SELECT id FROM associations_association "
                "WHERE UPPER(name) LIKE UPPER(%s) OR UPPER(acronym) LIKE UPPER(%s))",
                ("%culture%", "%culture%"),
            ),
        ),
        Page(
            "conventions ?obligation=commissaire",
            u("convention_list") + "?obligation=commissaire",
            "instructeur",
            conventions(
                "AND c.forecast_budget_id IN (SELECT id FROM associations_associationbudget "
                "WHERE stored_public_subsidies > 153000)"
            ),
        ),
        Page(
            "conventions ?obligation=certification",
            u("convention_list") + "?obligation=certification",
            "instructeur",
            conventions(
                "AND (c.amount_total > 75000 OR (b.stored_total_charges > 0 "
                "AND c.amount_total > b.stored_total_charges * 0.5))",
                join="LEFT JOIN associations_associationbudget b ON b.id = c.forecast_budget_id",
            ),
        ),
        Page(
            "conventions ?obligation=sans_budget",
            u("convention_list") + "?obligation=sans_budget",
            "instructeur",
            conventions("AND c.forecast_budget_id IS NULL"),
        ),
        Page("convention detail", u("convention_detail", args=[ids["convention"]]), "instructeur"),
        Page(
            "association detail", u("association_detail", args=[ids["association"]]), "instructeur"
        ),
        Page(
            "budgets",
            u("budget_list"),
            "instructeur",
            sql_floor(
                "SELECT b.id, b.year, b.kind, s.name FROM associations_associationbudget b "
                "JOIN associations_association s ON s.id = b.association_id "
                "WHERE s.authority_id = %s ORDER BY b.year DESC, b.kind LIMIT 25",
                "SELECT count(*) FROM associations_associationbudget b "
                "JOIN associations_association s ON s.id = b.association_id "
                "WHERE s.authority_id = %s",
                (a,),
            ),
        ),
        Page("budget detail", u("budget_detail", args=[ids["budget"]]), "instructeur"),
        Page(
            "justificatifs queue",
            u("justificatif_queue"),
            "instructeur",
            sql_floor(
                "SELECT j.id, j.kind, j.uploaded_at, j.due_date, c.number, s.name "
                "FROM conventions_justificatif j JOIN conventions_convention c "
                "ON c.id = j.convention_id JOIN associations_association s "
                "ON s.id = c.association_id WHERE j.authority_id = %s AND j.is_current "
                "AND j.status = 'depose' ORDER BY j.uploaded_at, j.id LIMIT 25",
                "SELECT count(*) FROM conventions_justificatif j WHERE j.authority_id = %s "
                "AND j.is_current AND j.status = 'depose'",
                (a,),
            ),
        ),
        Page(
            "finance queue",
            u("finance_queue"),
            "financier",
            sql_floor(queue_rows.format(w=""), queue_count.format(w=""), (a,), extra=[queue_tabs]),
        ),
        Page(
            "payments (paid)",
            u("finance_queue") + f"?state={PaymentFilter.PAID}",
            "financier",
            sql_floor(
                queue_rows.format(w="AND p.status = 'paye'"),
                queue_count.format(w="AND p.status = 'paye'"),
                (a,),
                extra=[queue_tabs],
            ),
        ),
        Page(
            "budget lines",
            u("budget_line_list"),
            "financier",
            # The committed, ordered and paid sums stored on each line (grants.finance.sums).
            sql_floor(
                "SELECT l.id, l.year, l.service_codes, l.nature, l.label, l.voted_credits, "
                "l.committed_amount, l.ordered_amount, l.paid_amount, "
                "l.voted_credits - l.committed_amount FROM grants_budgetline l "
                "WHERE l.authority_id = %s "
                "ORDER BY l.year DESC, l.service_codes, l.nature LIMIT 25",
                "SELECT count(*), sum(voted_credits), sum(committed_amount), "
                "sum(ordered_amount), sum(paid_amount), sum(voted_credits - committed_amount) "
                "FROM grants_budgetline WHERE authority_id = %s",
                (a,),
            ),
        ),
        Page(
            "commitments",
            u("finance_grant_list"),
            "financier",
            sql_floor(
                "SELECT g.id, g.year, g.amount, s.name, d.number, m.number, m.amount "
                "FROM grants_grant g JOIN associations_association s ON s.id = g.association_id "
                "LEFT JOIN deliberations_deliberation d ON d.id = g.deliberation_id "
                "LEFT JOIN grants_commitment m ON m.grant_id = g.id WHERE g.authority_id = %s "
                "ORDER BY g.year DESC, s.name LIMIT 25",
                # The count and the totals row: voted and committed.
                "SELECT count(*), sum(amount), sum(committed_amount) FROM grants_grant "
                "WHERE authority_id = %s",
                (a,),
            ),
        ),
        Page(
            "clawbacks",
            u("clawback_list"),
            "financier",
            sql_floor(
                "SELECT k.id, k.amount, k.title_number, k.title_date, c.number, s.name "
                "FROM grants_clawback k JOIN conventions_convention c ON c.id = k.convention_id "
                "JOIN associations_association s ON s.id = c.association_id "
                "WHERE c.authority_id = %s ORDER BY k.title_date DESC, k.id DESC LIMIT 25",
                "SELECT count(*), sum(k.amount) FROM grants_clawback k "
                "JOIN conventions_convention c ON c.id = k.convention_id "
                "WHERE c.authority_id = %s",
                (a,),
            ),
        ),
        *_request_pages(a, ids),
        Page("indicator comparison", u("indicator_comparison"), "instructeur"),
        Page("manager home", u("home"), "asso-scs"),
        Page("notifications", u("notification_list"), "asso-scs"),
        # Forms
        Page("association form", u("association_create"), "instructeur"),
        Page("association edit", u("association_edit", args=[ids["association"]]), "instructeur"),
        Page("convention form", u("convention_create"), "instructeur"),
        Page("convention edit", u("convention_edit", args=[ids["draft"]]), "instructeur"),
        Page("deliberation form", u("deliberation_create"), "instructeur"),
        Page(
            "deliberation edit form",
            u("deliberation_edit", args=[ids["deliberation"]]),
            "instructeur",
        ),
        Page("session form", u("session_create"), "instructeur"),
        Page("session edit", u("session_edit", args=[ids["session"]]), "instructeur"),
        Page("budget form", u("budget_create", args=[ids["association"]]), "instructeur"),
        Page("budget entry", u("budget_edit", args=[ids["budget"]]), "instructeur"),
        Page("budget line form", u("budget_line_create"), "financier"),
        Page("budget line edit", u("budget_line_edit", args=[ids["budget_line"]]), "financier"),
        Page("commitment form", u("grant_commit", args=[ids["grant"]]), "financier"),
        Page("amendment form", u("amendment_create", args=[ids["convention"]]), "instructeur"),
        Page("certify form", u("payment_certify", args=[ids["requested"]]), "instructeur"),
        Page("order form", u("payment_order", args=[ids["certified"]]), "financier"),
        Page("indicator set form", u("indicator_set_create"), "instructeur"),
    ]


def register_floors(all_pages):
    FLOORS.update({page.slug: page.floor for page in all_pages if page.floor is not None})


def floor_view(request, slug):
    """The floor page: the hand-written SQL's rows as a bare table (login required)."""
    from django.http import Http404, HttpResponse

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    if slug not in FLOORS:
        register_floors(pages(User.objects.get(username="instructeur").authority_id))
    if slug not in FLOORS:
        raise Http404
    with connection.cursor() as cursor:
        body = FLOORS[slug](cursor)
    return HttpResponse(f"<!doctype html><html><body>{body}</body></html>")


def _time(fn):
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def measure(page, clients):
    """The page's and its floor's medians of RUNS, the two fetched in turn (page, floor, page,
    floor…) so that both see the same moments of the machine."""
    client = clients[page.user]
    response = client.get(page.url)
    status = response.status_code
    if page.floor is not None:
        client.get(page.floor_url)
    times, floor_times = [], []
    for _ in range(RUNS):
        times.append(_time(lambda: client.get(page.url))[0])
        if page.floor is not None:
            floor_times.append(_time(lambda: client.get(page.floor_url))[0])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    page.result = {
        "status": status,
        "ms": statistics.median(times),
        "queries": len(queries),
        "kb": len(response.content) / 1024,
    }
    if floor_times:
        page.result["floor_ms"] = statistics.median(floor_times)
        page.result["ratio"] = page.result["ms"] / page.result["floor_ms"]
    return page.result


def run(out, only=None):

    users = {
        u.username: u
        for u in User.objects.filter(username__in=["instructeur", "financier", "asso-scs"])
    }
    authority_id = users["instructeur"].authority_id
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    results = []
    all_pages = pages(authority_id)
    register_floors(all_pages)
    overrides = {
        "DEBUG": False,
        "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"],
        "ROOT_URLCONF": "grants.bench_urls",
    }
    with override_settings(**overrides):
        for page in all_pages:
            if only and only not in page.label:
                continue
            r = measure(page, clients)
            ratio = f"{r['ratio']:6.1f}×  ({r['floor_ms']:.1f} ms)" if "ratio" in r else ""
            out.write(
                f"{page.label:<38} {page.user:<12} {r['status']:>3} {r['ms']:8.0f} ms "
                f"{r['queries']:4d} q {r['kb']:8.0f} KB  {ratio}"
            )
            results.append(page)
    return results


def summary(results):
    ratios = [p for p in results if "ratio" in p.result]
    worst = max(ratios, key=lambda p: p.result["ratio"]) if ratios else None
    slowest = max(results, key=lambda p: p.result["ms"])
    largest = max(results, key=lambda p: p.result["kb"])
    worst_text = f"{worst.result['ratio']:.1f}× floor" if worst else "no floor"
    return (
        f"worst: {worst_text}, slowest {slowest.result['ms']:.0f} ms ({slowest.label}), "
        f"largest {largest.result['kb']:.0f} KB ({largest.label})"
    )
