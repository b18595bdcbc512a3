"""Staff pages of the aid schemes and campaigns (no Django admin), the campaign's list of
requests with its sums against the envelope and its bulk actions, and the public page of an
authority's campaigns."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from grants import access
from grants.access import staff_required
from grants.models import Authority
from grants.pagination import paginate
from grants.requests import campaigns as campaign_services
from grants.requests import instruction, rules
from grants.requests.filters import RequestFilter
from grants.requests.forms import BulkForm, CampaignForm, SchemeForm
from grants.requests.models import AidScheme, Campaign, SubsidyRequest
from grants.requests.rules import Status


def _managing(user, authority_id):
    if not access.can_manage_campaigns(user, authority_id):
        raise PermissionDenied("Seuls les agents instructeurs gèrent les dispositifs d'aide.")


# ---- the staff index: the campaigns with their counts ---------------------------------------


@login_required
def request_index(request):
    """« Demandes »: the authority's campaigns, the newest first, with their request counts.
    An association manager who types /demandes/ lands on their own requests."""
    if request.user.is_manager:
        return redirect("request_list_mine")
    if not request.user.is_staff_member:
        raise PermissionDenied
    deposited = ~Q(requests__status=Status.DRAFT)
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("scheme", "authority")
        .annotate(
            n_deposited=Count("requests", filter=deposited),
            n_to_instruct=Count(
                "requests",
                filter=Q(requests__status__in=[Status.SUBMITTED, Status.IN_REVIEW]),
            ),
            n_instructed=Count("requests", filter=Q(requests__status=Status.INSTRUCTED)),
        )
        .order_by("-year", "scheme__name", "pk")
    )
    page = paginate(request, campaigns, count_queryset=Campaign.objects.visible_to(request.user))
    return render(
        request,
        "grants/requests/request_index.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "can_manage": access.can_manage_campaigns(request.user),
            "show_authority": request.user.is_platform_admin,
        },
    )


# ---- aid schemes ----------------------------------------------------------------------------


@staff_required
def scheme_list(request):
    schemes = (
        AidScheme.objects.visible_to(request.user)
        .select_related("authority", "convention_template")
        .prefetch_related("campaigns")
        .order_by("authority__name", "name")
    )
    page = paginate(request, schemes, count_queryset=AidScheme.objects.visible_to(request.user))
    return render(
        request,
        "grants/requests/scheme_list.html",
        {
            "page": page,
            "can_manage": access.can_manage_campaigns(request.user),
            "show_authority": request.user.is_platform_admin,
        },
    )


def _user_authority(user):
    return user.authority if not user.is_platform_admin else None


@staff_required
@require_http_methods(["GET", "POST"])
def scheme_create(request):
    _managing(request.user, None)
    authority = _user_authority(request.user)
    form = SchemeForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        scheme = campaign_services.scheme_save(
            user=request.user, form=form, authority=authority or form.cleaned_data["authority"]
        )
        messages.success(request, f"Dispositif « {scheme.name} » créé.")
        return redirect("scheme_list")
    return render(request, "grants/requests/scheme_form.html", {"form": form, "scheme": None})


@staff_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, pk):
    scheme = get_object_or_404(AidScheme.objects.visible_to(request.user), pk=pk)
    _managing(request.user, scheme.authority_id)
    form = SchemeForm(request.POST or None, instance=scheme, authority=scheme.authority)
    if request.method == "POST" and form.is_valid():
        campaign_services.scheme_save(user=request.user, form=form, authority=scheme.authority)
        messages.success(request, f"Dispositif « {scheme.name} » enregistré.")
        return redirect("scheme_list")
    return render(request, "grants/requests/scheme_form.html", {"form": form, "scheme": scheme})


# ---- campaigns ------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_create(request, pk):
    scheme = get_object_or_404(AidScheme.objects.visible_to(request.user), pk=pk)
    _managing(request.user, scheme.authority_id)
    year = timezone.localdate().year + 1
    form = CampaignForm(request.POST or None, scheme=scheme, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        campaign = campaign_services.campaign_save(user=request.user, form=form, scheme=scheme)
        messages.success(request, f"Campagne « {campaign} » créée.")
        return redirect(campaign)
    return render(
        request,
        "grants/requests/campaign_form.html",
        {"form": form, "scheme": scheme, "campaign": None},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("scheme"), pk=pk
    )
    _managing(request.user, campaign.authority_id)
    form = CampaignForm(request.POST or None, instance=campaign, scheme=campaign.scheme)
    if request.method == "POST" and form.is_valid():
        campaign_services.campaign_save(user=request.user, form=form, scheme=campaign.scheme)
        messages.success(request, f"Campagne « {campaign} » enregistrée.")
        return redirect(campaign)
    return render(
        request,
        "grants/requests/campaign_form.html",
        {"form": form, "scheme": campaign.scheme, "campaign": campaign},
    )


def _visible_campaign(user, pk):
    return get_object_or_404(
        Campaign.objects.visible_to(user).select_related("scheme", "authority"), pk=pk
    )


def _campaign_requests(user, campaign):
    return SubsidyRequest.objects.visible_to(user).filter(campaign=campaign)


@staff_required
def campaign_detail(request, pk):
    """The campaign's deposited requests (drafts are the associations' own), filtered, sorted,
    paginated, with the sums against the envelope (one aggregate query)."""
    campaign = _visible_campaign(request.user, pk)
    request_filter = RequestFilter(
        request.GET or None,
        queryset=_campaign_requests(request.user, campaign)
        .select_related("association", "assigned_to")
        .order_by("reference", "pk"),
        campaign=campaign,
    )
    rows = request_filter.qs
    page = paginate(request, rows, count_queryset=rows.select_related(None))
    can_act = access.can_manage_campaigns(request.user, campaign.authority_id)
    return render(
        request,
        "grants/requests/campaign_detail.html",
        {
            "campaign": campaign,
            "filter": request_filter,
            "page": page,
            "sums": instruction.campaign_sums(campaign),
            "can_act": can_act,
            "bulk_form": BulkForm(campaign=campaign, user=request.user) if can_act else None,
            "is_open": campaign.is_open(),
        },
    )


@staff_required
@require_POST
def campaign_bulk(request, pk):
    """A bulk action on the ticked requests: first a confirmation listing what will happen
    (and the rows that cannot move, with why), then, on « Confirmer », all the movable rows in
    one transaction — all or nothing."""
    campaign = _visible_campaign(request.user, pk)
    _managing(request.user, campaign.authority_id)
    form = BulkForm(request.POST, campaign=campaign, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(campaign)
    action = form.cleaned_data["action"]
    selected = list(form.cleaned_data["ids"].select_related("association").order_by("reference"))
    agent = form.cleaned_data.get("agent")
    text = (form.cleaned_data.get("text") or "").strip()
    if action == BulkForm.ASSIGN:
        movable, refused = selected, []
        description = f"Confier à {agent}"
    else:
        movable, refused = instruction.bulk_plan(selected, action)
        description = f"Passer au statut « {Status(action).label} »"
    if "confirm" in request.POST and movable:
        try:
            if action == BulkForm.ASSIGN:
                done = instruction.requests_bulk_assign(
                    user=request.user, requests=movable, agent=agent
                )
                messages.success(request, f"{done} demande(s) confiée(s) à {agent}.")
            else:
                done = instruction.requests_bulk_move(
                    user=request.user, requests=movable, target=action, text=text
                )
                messages.success(
                    request,
                    f"{done} demande(s) passée(s) au statut « {Status(action).label} » ; "
                    "les associations sont prévenues.",
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            return redirect(campaign)
        # Something moved meanwhile: show the plan again, as it now stands.
        selected = [r for r in SubsidyRequest.objects.filter(pk__in=[r.pk for r in selected])]
        if action != BulkForm.ASSIGN:
            movable, refused = instruction.bulk_plan(selected, action)
    return render(
        request,
        "grants/requests/campaign_bulk.html",
        {
            "campaign": campaign,
            "form": form,
            "movable": movable,
            "refused": refused,
            "description": description,
            "text": text,
            "needs_reason": action in rules.NEEDS_REASON,
        },
    )


# ---- public: the campaigns of an authority, for anyone ---------------------------------------


def public_campaigns(request, siren):
    """The campaigns of an authority, open, upcoming and recently closed: no login needed."""
    authority = get_object_or_404(Authority, siren=siren)
    groups = campaign_services.public_campaigns(authority)
    return render(
        request,
        "grants/requests/public_campaigns.html",
        {
            "authority": authority,
            "groups": groups,
            "signup_url": reverse("signup", args=[authority.siren]),
        },
    )
