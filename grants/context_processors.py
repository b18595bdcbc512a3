from django.urls import reverse

from grants import rules
from grants.access import can_manage_staff, can_view_dashboards
from grants.templatetags.fr import euros0

# The legal thresholds as pages print them ("23 000 €"), built from grants/rules.py.
THRESHOLDS = {
    "convention": euros0(rules.CONVENTION_THRESHOLD),
    "certified_accounts": euros0(rules.CERTIFIED_ACCOUNTS_THRESHOLD),
    "auditor": euros0(rules.AUDITOR_THRESHOLD),
}


def thresholds(request):
    """`{{ thresholds.convention }}` and the others in every page."""
    return {"thresholds": THRESHOLDS}


def _everyone(user):
    return True


def _staff(user):
    return user.is_staff_member


def _reviews_access(user):
    return user.can_instruct


def _admin(user):
    return user.is_platform_admin


# The main navigation: (label, url name, who sees it). Each app adds its entries here.
NAVIGATION = [
    ("Accueil", "home", _everyone),
    ("Associations", "association_list", _everyone),
    ("Mes demandes", "request_list_mine", lambda user: user.is_manager),
    ("Délibérations", "deliberation_list", _staff),
    ("Budgets", "budget_list", _everyone),
    ("Conventions", "convention_list", _everyone),
    ("Justificatifs", "justificatif_queue", _staff),
    ("Indicateurs", "indicator_report_list", _everyone),
    ("Demandes", "request_index", _staff),
    ("Finances", "finance_queue", _staff),
    ("Données ouvertes", "opendata_staff", _staff),
    ("Tableaux de bord", "dashboard", can_view_dashboards),
    ("Demandes d'accès", "access_request_list", _reviews_access),
    ("Agents", "staff_list", can_manage_staff),
    ("Administration", "admin:index", _admin),
]


def navigation(request):
    """The navigation links of the signed-in user's role, the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = []
    for label, url_name, visible in NAVIGATION:
        if not visible(user):
            continue
        if url_name == "association_list" and user.is_manager:
            label = "Mon association"
        link = {"label": label, "url": reverse(url_name), "current": False}
        if url_name == "access_request_list":
            # Read with the signed-in user's row (NotificationCountBackend): no query of its own.
            link["badge"] = getattr(user, "pending_access_request_count", 0)
        links.append(link)
    # Only the most specific link containing the page is current (/associations/budgets/ is
    # "Budgets", not "Associations").
    matches = [link for link in links if _contains(link["url"], request.path)]
    if matches:
        max(matches, key=lambda link: len(link["url"]))["current"] = True
    return {"nav_links": links}


def _contains(url, path):
    return path == url or (url != "/" and path.startswith(url))
