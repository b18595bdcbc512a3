"""The data of a convention document, prepared without rendering (tests call these directly).

`convention_figures` computes every amount and percentage from the data; `render_text` turns a
template section (Markdown with {{ placeholders }}) into sanitised HTML from a restricted set of
values; `document_data` gathers everything the PDF template prints.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest

import markdown
import nh3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from num2words import num2words

from associations.budgets.chart import Side
from conventions.models import PLACEHOLDER_RE, Convention, ProgrammeEvent, TemplateSection
from conventions.multiyear import year_rows, years_phrase
from grants import rules
from grants.templatetags.fr import euros, euros0, percent_fr

ALLOWED_TAGS = {
    "h2", "p", "br", "strong", "em", "b", "i", "u", "sup", "sub", "ul", "ol", "li", "a", "h3", "h4",
    "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "blockquote", "hr", "span",
}  # fmt: skip
MARKDOWN_PLACEHOLDERS = {"objectives", "action_categories"}
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|])")


def amount_in_words(amount):
    """66000 → 'soixante-six mille euros'; 62500.50 → '… euros et cinquante centimes'."""
    amount = rules.to_money(amount)
    units = int(amount)
    cents = int((amount - units) * 100)
    words = num2words(units, lang="fr")
    if words.endswith(("million", "millions", "milliard", "milliards")):
        text = f"{words} d'euros"
    else:
        text = f"{words} euro{'s' if units > 1 else ''}"
    if cents:
        text += f" et {num2words(cents, lang='fr')} centime{'s' if cents > 1 else ''}"
    return text


@dataclass
class Figures:
    amount: Decimal
    amount_words: str
    budget_excluding: Decimal | None  # total des charges (60–69)
    budget_including: Decimal | None  # total général des charges (60–69 + 86)
    share_excluding: Decimal | None
    share_including: Decimal | None


def convention_figures(convention, amount=None):
    amount = convention.amount if amount is None else amount
    budget = convention.forecast_budget if convention.forecast_budget_id else None
    excluding = budget.total_charges if budget else None
    including = budget.grand_total_charges if budget else None
    return Figures(
        amount=amount,
        amount_words=amount_in_words(amount),
        budget_excluding=excluding,
        budget_including=including,
        share_excluding=rules.share_of_budget(amount, excluding) if budget else None,
        share_including=rules.share_of_budget(amount, including) if budget else None,
    )


def approving_deliberation(convention):
    """The deliberation that approves the convention: its own, else the one that voted its
    (first) grant, so that page 1 cites it even when only the grant was linked."""
    if convention.deliberation_id:
        return convention.deliberation
    for grant in sorted(convention.grants.all(), key=lambda g: (g.year, g.pk)):
        if grant.deliberation_id:
            return grant.deliberation
    return None


def signatory_clause(template, values):
    """The authority's signatory clause of page 1; it cites the deliberation (number and date)
    even when the template's text forgot the placeholders."""
    text = render_inline(template.signatory_clause, values)
    used = used_placeholders(template.signatory_clause)
    if values.get("deliberation_date") and not used & {"deliberation_date", "deliberation_number"}:
        text = (
            f"{text.rstrip(' ,.')} par délibération n° {values['deliberation_number']} "
            f"du {values['deliberation_date']}"
        )
    return text


def _court(authority):
    return " ".join(part for part in (authority.court_name, authority.court_address) if part)


def placeholder_values(convention, figures):
    """The only values a template can print: a flat dict of strings."""
    authority, association = convention.authority, convention.association
    template = convention.template
    deliberation = approving_deliberation(convention)
    deliberation_date = ""
    if deliberation is not None and getattr(deliberation, "session_id", None):
        deliberation_date = deliberation.session.date.strftime("%d/%m/%Y")
    return {
        "authority.name": authority.name,
        "authority.label": template.authority_label,
        "authority.city": authority.city,
        "authority.president_title": authority.president_title,
        "authority.president_name": authority.president_name,
        "association.name": association.name,
        "association.acronym": association.acronym,
        "association.representative": association.representative,
        "year": years_phrase(convention.years),
        "years": years_phrase(convention.years),
        "number": convention.number,
        "amount": euros(figures.amount),
        "amount_in_words": figures.amount_words,
        "eligible_cost": euros(figures.budget_including) if figures.budget_including else "",
        "eligible_cost_in_words": amount_in_words(figures.budget_including)
        if figures.budget_including
        else "",
        "budget_excluding_contributions": euros(figures.budget_excluding)
        if figures.budget_excluding
        else "",
        "budget_including_contributions": euros(figures.budget_including)
        if figures.budget_including
        else "",
        "share_excluding_contributions": percent_fr(figures.share_excluding),
        "share_including_contributions": percent_fr(figures.share_including),
        "advance_percentage": percent_fr(convention.advance_percentage, 0),
        "budget_rules_reference": authority.budget_rules_reference,
        "deliberation_date": deliberation_date,
        "deliberation_number": deliberation.number if deliberation else "",
        "court": _court(authority),
        "court_name": authority.court_name,
        "objectives": convention.objectives,
        "action_categories": convention.action_categories,
        "justificatifs_due_date": convention.justificatifs_due_date.strftime("%d/%m/%Y"),
    }


def amounts_table(rows, total):
    """Article 4 of a CPO: the amount voted for each year, in figures and in words, and the
    total (plain HTML built from escaped values)."""
    body = format_html_join(
        "",
        '<tr><td>{}</td><td class="amount">{}</td><td>{}</td></tr>',
        (
            (row.year, euros(row.voted), amount_in_words(row.voted))
            if row.grant
            else (row.year, "à voter", "montant voté par la délibération de l'exercice")
            for row in rows
        ),
    )
    return format_html(
        '<table class="years"><caption>Montant voté par exercice</caption>'
        '<thead><tr><th scope="col">Exercice</th>'
        '<th scope="col">Montant</th><th scope="col">En toutes lettres</th></tr></thead>'
        '<tbody>{}</tbody><tfoot><tr><td>Total</td><td class="amount">{}</td><td>{}</td></tr>'
        "</tfoot></table>",
        body,
        euros(total),
        amount_in_words(total),
    )


def duration_text(convention):
    """Article 2 of a CPO: the years it covers."""
    return format_html(
        "<p>La présente convention pluriannuelle d'objectifs est conclue pour les années {}, à "
        "compter de sa notification. Le montant de chaque année est voté chaque année par "
        "délibération, dans la limite des crédits inscrits au budget de l'exercice ; elle trouvera "
        "son terme au plus tard au versement du solde de l'exercice {}.</p>",
        years_phrase(convention.years),
        convention.last_year,
    )


def multi_year_sections(convention, sections, raw, rows):
    """A CPO states its years in article 2 and its amounts per year in article 4, even when the
    template (written for annual conventions) does not use {{ years }} / {{ amounts_by_year }}:
    the table goes where {{ amounts_by_year }} is, else after the article 4 text that prints the
    amount."""
    table = amounts_table(rows, sum((row.voted for row in rows), Decimal("0.00")))
    placed = False
    for section, data in zip(raw, sections, strict=True):
        used = used_placeholders(section.body)
        is_duration = section.level == TemplateSection.Level.ARTICLE and section.number == "2"
        if is_duration and "years" not in used:
            data["html"] = duration_text(convention)
        if "amounts_by_year" in used:
            data["html"] = mark_safe(data["html"] + table)  # noqa: S308 - escaped above
            placed = True
    if not placed:
        article4 = [
            (section, data)
            for section, data in zip(raw, sections, strict=True)
            if section.number.split(".")[0] == "4"
        ]
        target = next((d for s, d in article4 if "amount" in used_placeholders(s.body)), None)
        target = target or next((d for _, d in article4), None)
        if target is not None:
            target["html"] = mark_safe(target["html"] + table)  # noqa: S308 - escaped above
    return table


def used_placeholders(text):
    return set(PLACEHOLDER_RE.findall(text or ""))


# Bullets pasted from a word processor ("• item", "- ⇒ item", "▪ item") would print a second
# bullet in a Markdown list, or a "•" inside a paragraph when the lines are not a list.
BULLET_LINE_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+][ \t]+)?(?:[•◦▪▫●○■□‣⁃·\uf0b7⇒→➔➜➢►▶✓✔❖]+|–(?=[ \t]))[ \t]*"
)
LIST_LINE_RE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")


def normalise_bullets(text):
    """Turn typed bullet characters into Markdown list items, with the blank line Markdown
    needs before a list that follows a paragraph."""
    lines = []
    for line in (text or "").splitlines():
        line = BULLET_LINE_RE.sub(lambda m: m.group("indent") + "- ", line)
        if LIST_LINE_RE.match(line) and lines and lines[-1].strip():
            previous = lines[-1]
            if not LIST_LINE_RE.match(previous) and not previous.startswith((" ", "\t", "|")):
                lines.append("")
        lines.append(line)
    return "\n".join(lines)


def markdown_to_html(text):
    html = markdown.markdown(normalise_bullets(text), extensions=["tables", "sane_lists"])
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}, "td": {"class"}})


def substitute(text, values):
    """Replace the placeholders by their values; plain values cannot inject Markdown."""

    def replace(match):
        name = match.group(1)
        value = values.get(name, "")
        if name in MARKDOWN_PLACEHOLDERS:
            return value
        return MARKDOWN_SPECIALS.sub(r"\\\1", value)

    return PLACEHOLDER_RE.sub(replace, text or "")


def render_text(text, values):
    return mark_safe(markdown_to_html(substitute(text, values)))  # noqa: S308 - sanitised by nh3


def render_inline(text, values):
    """A one-line text (the signatory clause): escaped, no Markdown."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), ""), text or "")


# ---- annexes --------------------------------------------------------------------------------


def programme_blocks(convention, events):
    """Annex III as a list of ('html', …) and ('table', kind) blocks, the tables placed where the
    text has [[salons]] / [[missions]], or after the text."""
    text = convention.programme_text or ""
    blocks, placed = [], set()
    markers = {
        "[[salons]]": ProgrammeEvent.Kind.TRADE_FAIR,
        "[[missions]]": ProgrammeEvent.Kind.MISSION,
    }
    buffer = []
    for line in text.splitlines():
        kind = markers.get(line.strip().lower())
        if kind:
            blocks.append(("html", mark_safe(markdown_to_html("\n".join(buffer)))))  # noqa: S308
            blocks.append(("table", kind))
            placed.add(kind)
            buffer = []
        else:
            buffer.append(line)
    if buffer:
        blocks.append(("html", mark_safe(markdown_to_html("\n".join(buffer)))))  # noqa: S308
    for kind in (ProgrammeEvent.Kind.TRADE_FAIR, ProgrammeEvent.Kind.MISSION):
        if kind not in placed and any(e.kind == kind for e in events):
            blocks.append(("table", kind))
    tables = {
        kind: [e for e in events if e.kind == kind]
        for kind in (ProgrammeEvent.Kind.TRADE_FAIR, ProgrammeEvent.Kind.MISSION)
    }
    return [
        {"type": kind_of_block, "html": value if kind_of_block == "html" else None,
         "kind": value if kind_of_block == "table" else None,
         "rows": tables.get(value) if kind_of_block == "table" else None}
        for kind_of_block, value in blocks
    ]  # fmt: skip


def _flatten(blocks):
    rows = []
    for block in blocks:
        rows.append(
            {
                "label": f"{block.account} - {block.label}",
                "amount": block.total,  # the chapter carries the sum of its lines
                "is_chapter": True,
            }
        )
        rows += [
            {"label": line.label, "amount": line.amount, "is_chapter": False}
            for line in block.lines
        ]
    return rows  # fmt: skip


def annex1_rows(budget):
    """The Cerfa two-column layout: charges beside produits, then 86 beside 87; totals are
    the sums of the lines, whatever the paper printed."""
    if budget is None:
        return None

    sections = budget.sections()

    def pair(left, right):
        return list(zip_longest(_flatten(sections[left]), _flatten(sections[right])))

    return {
        "main": pair(Side.CHARGE, Side.PRODUCT),
        "contributions": pair(Side.CONTRIBUTION_USE, Side.CONTRIBUTION),
        "total_charges": budget.total_charges,
        "total_products": budget.total_products,
        "grand_total_charges": budget.grand_total_charges,
        "grand_total_products": budget.grand_total_products,
    }


def document_data(convention):
    """Everything the PDF prints, computed from the data."""
    convention = (
        Convention.objects.select_related(
            "authority",
            "association",
            "template",
            "deliberation__session",
            "forecast_budget",
        )
        .prefetch_related("grants__deliberation__session", "forecast_budget__lines")
        .get(pk=convention.pk)
    )
    figures = convention_figures(convention)
    values = placeholder_values(convention, figures)
    raw_sections = list(convention.template.sections.all())
    if convention.is_multi_year:
        rows = year_rows(convention)
        values["amounts_by_year"] = ""  # replaced by the HTML table after rendering
    sections = []
    for section in raw_sections:
        sections.append(
            {
                "anchor": f"s{section.position}",
                "level": section.level,
                "is_preamble": section.level == TemplateSection.Level.PREAMBLE,
                "is_article": section.level == TemplateSection.Level.ARTICLE,
                "heading": section.heading,
                "html": render_text(section.body, values),
            }
        )
    if convention.is_multi_year:
        multi_year_sections(convention, sections, raw_sections, rows)
    events = list(convention.programme_events.all())
    budget = convention.forecast_budget if convention.forecast_budget_id else None
    association = convention.association
    return {
        "convention": convention,
        "authority": convention.authority,
        "association": association,
        "template": convention.template,
        "title_lines": _title_lines(convention),
        "kind_label": "PLURIANNUELLE" if convention.is_multi_year else "ANNUELLE",
        "year_rows": rows if convention.is_multi_year else None,
        "years_label": years_phrase(convention.years),
        "signatory_clause": signatory_clause(convention.template, values),
        "figures": figures,
        "values": values,
        "sections": sections,
        "toc": [s for s in sections if s["level"] <= TemplateSection.Level.ARTICLE],
        "association_signatory": convention.association_signatory_name
        or association.representative_name,
        "association_signatory_title": _with_article(association.representative_title),
        "budget": budget,
        "annex1": annex1_rows(budget),
        "contributions": list(convention.contributions.all()),
        "programme": programme_blocks(convention, events),
        "previous_indicator_groups": _groups(convention.previous_indicators.all()),
        "indicators": list(convention.indicators_to_report.all()),
        "indicators_intro": mark_safe(markdown_to_html(convention.indicators_intro)),  # noqa: S308
        "amount_display": euros(figures.amount),
        "amount_round": euros0(figures.amount),
    }


def _title_lines(convention):
    lines = [line for line in convention.template.title.splitlines() if line.strip()]
    if convention.is_multi_year:
        lines = [line.replace("ANNUELLE", "PLURIANNUELLE") for line in lines]
    return lines


def _with_article(title):
    """'Président' → 'Le Président' (signature block); 'La Présidente' stays."""
    title = (title or "Président").strip()
    if title.lower().startswith(("le ", "la ", "l'")):
        return title
    return ("La " if title.lower().endswith("e") else "Le ") + title


def _groups(indicators):
    groups = {}
    for indicator in indicators:
        groups.setdefault(indicator.group, []).append(indicator)
    return [groups[key] for key in sorted(groups)]
