"""No text typed by a user makes the PDF renderer fetch a URL or read a local file.

Every text field that reaches the convention PDF or the register extract is filled with hostile
CSS, HTML and Markdown naming a local HTTP server (which counts its hits) and a local PNG file
(whose image would then be embedded in the PDF); the documents are rendered for real and read
back. The fetcher itself (`grants.pdf.resolve`) is checked URL by URL.
"""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from associations.budgets.demo import load_budgets
from conventions.demo import load_conventions
from conventions.models import Convention, ConventionTemplate, TemplateSection
from conventions.pdf import render_convention_html, render_convention_pdf
from deliberations import demo as deliberations_demo
from deliberations import pdf as extract_pdf
from deliberations.models import Deliberation
from grants import pdf as safe_pdf
from grants.demo import load_foundation
from grants.models import Authority
from grants.validators import validate_reference_number

pytestmark = pytest.mark.django_db

SENTINEL_SIZE = (7, 3)  # the size of the local PNG, looked for among the PDF's images


class Out:
    def write(self, text):
        pass


@pytest.fixture
def server():
    """A local HTTP server that counts the requests it gets (and answers a tiny PNG)."""
    hits = []
    png = io.BytesIO()
    Image.new("RGB", (5, 5), "red").save(png, "PNG")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png.getvalue())

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{httpd.server_address[1]}", "hits": hits}
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sentinel(tmp_path):
    path = tmp_path / "secret.png"
    Image.new("RGB", SENTINEL_SIZE, "blue").save(path, "PNG")
    return path


def embedded_image_sizes(content):
    """(width, height) of every image object of the PDF, wherever it is drawn."""
    reader = PdfReader(io.BytesIO(content))
    sizes = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(IndirectObject(number, 0, reader))
        except Exception:  # free entries of the cross-reference table
            continue
        if hasattr(obj, "get") and obj.get("/Subtype") == "/Image":
            sizes.append((int(obj["/Width"]), int(obj["/Height"])))
    return sizes


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def number_payload(server, name):
    """A number that leaves the CSS string of the old footer (a newline) and names a URL."""
    return f"1\n}}}}*{{background:url({server['url']}/{name})}}"


def text_payload(server, sentinel, name):
    """Markdown, raw HTML and CSS that would each fetch something if they were interpreted."""
    url = f"{server['url']}/{name}"
    return (
        f'x"; }} }} html {{ background: url({url}-css) }} p {{ background: url({sentinel}) }}\n\n'
        f"![image]({url}-md)\n\n"
        f'<img src="{url}-img"> <img src="file://{sentinel}"> <img src="{sentinel}">\n\n'
        f'<link rel="stylesheet" href="{url}-link">'
        f"<style>@import url({url}-import); * {{ background: url(file://{sentinel}) }}</style>\n\n"
        f'<a rel="attachment" href="{url}-attachment">pièce</a> '
        f'<object data="{url}-object"></object><iframe src="{url}-iframe"></iframe>'
        f'<svg><image href="{url}-svg"/></svg>'
        f'<p style="background: url({url}-style)">style</p>\n\n'
        f"[lien]({url}-link-md) [fichier](file://{sentinel})"
    )


@pytest.fixture
def hostile_convention(server, sentinel):
    context = {}
    for loader in (load_foundation, load_budgets, load_conventions):
        context.update(loader(Out(), context) or {})
    convention = context["convention_scs"]
    text = text_payload(server, sentinel, "convention")
    # Written past the forms (legacy data, the admin, a bug): the renderer must hold anyway.
    Convention.objects.filter(pk=convention.pk).update(
        number=number_payload(server, "n"),
        objectives=text,
        action_categories=text,
        programme_text=text,
        indicators_intro=text,
        indicators_title=text,
        previous_indicators_title=text[:300],
        association_signatory_name=text[:150],
    )
    ConventionTemplate.objects.filter(pk=convention.template_id).update(
        title=text, signatory_clause=text, authority_label=text[:100]
    )
    TemplateSection.objects.filter(template_id=convention.template_id).update(
        title=text[:300], body=text + "\n\n{{ objectives }} {{ association.name }} {{ number }}"
    )
    type(convention.association).objects.filter(pk=convention.association_id).update(
        name=text[:200], acronym=text[:50], representative_name=text[:150]
    )
    Authority.objects.filter(pk=convention.authority_id).update(name=text[:200])
    convention.programme_events.update(name=text[:200], comment=text)
    convention.indicators_to_report.update(label=text[:400])
    convention.contributions.update(description=text[:300])
    return Convention.objects.get(pk=convention.pk)


def test_no_convention_text_makes_the_renderer_fetch_anything(hostile_convention, server):
    content = render_convention_pdf(hostile_convention)
    assert server["hits"] == []
    assert SENTINEL_SIZE not in embedded_image_sizes(content)
    text = pdf_text(content)
    assert "Page 1 sur" in text
    assert "background:url(" in text  # the hostile number is printed as text in the footer


def test_the_convention_number_is_not_inside_the_stylesheet(hostile_convention):
    html = render_convention_html(hostile_convention)
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "127.0.0.1" not in style


@pytest.fixture
def hostile_deliberation(server, sentinel):
    out = io.StringIO()
    context = load_foundation(out, {})
    context.update(deliberations_demo.load_deliberations(out, context))
    deliberation = context["deliberation_minalogic"]
    text = text_payload(server, sentinel, "deliberation")
    Deliberation.objects.filter(pk=deliberation.pk).update(
        number=number_payload(server, "n"), title=text[:500], statement=text
    )
    deliberation.decisions.update(text=text)
    session = deliberation.session
    type(session.body).objects.filter(pk=session.body_id).update(name=text[:150])
    type(session.presiding).objects.filter(pk=session.presiding_id).update(last_name=text[:100])
    return Deliberation.objects.select_related(
        "authority", "session__body", "session__presiding", "session__secretary"
    ).get(pk=deliberation.pk)


def test_no_deliberation_text_makes_the_renderer_fetch_anything(hostile_deliberation, server):
    html = extract_pdf.extract_html(hostile_deliberation)
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "127.0.0.1" not in style
    content = extract_pdf.render_pdf(html, authority=hostile_deliberation.authority)
    assert server["hits"] == []
    assert SENTINEL_SIZE not in embedded_image_sizes(content)
    text = pdf_text(content)
    assert "Délibération n° 1" in text and " — page 1 sur " in text


def test_a_hostile_svg_logo_fetches_nothing(server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    authority = Authority.objects.create(name="Métropole test", siren="200054807")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10" height="10"><image width="10" height="10" '
        f'xlink:href="{server["url"]}/svg-logo"/><image href="file:///etc/passwd"/></svg>'
    )
    authority.logo.save("logo.svg", ContentFile(svg.encode()), save=True)
    html = f'<p>Logo</p><img src="{safe_pdf.logo_uri(authority)}">'
    content = safe_pdf.render_pdf(html, authority=authority)
    assert content.startswith(b"%PDF-")
    assert server["hits"] == []


# ---- the fetcher, URL by URL ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "/etc/passwd",
        "etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "https://example.org/logo.png",
        "ftp://127.0.0.1/x",
        "//127.0.0.1/x",
        "data:text/html,<script>alert(1)</script>",
        "data:text/css,*{background:url(http://127.0.0.1/)}",
        "data:application/pdf;base64,JVBERi0=",
        "data:image/png;base64,@@@",
        "app:/static/../../grants/settings.py",
        "app:/static/%2e%2e/%2e%2e/grants/settings.py",
        "app:/static//etc/passwd",
        "app:/static/css/does-not-exist.css",
        "app:/logo/logos/someone-elses-logo.svg",
        "app:/logo/../../etc/passwd",
        "app:/media/anything",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses(url):
    with pytest.raises(safe_pdf.RefusedURL):
        safe_pdf.resolve(url)


def test_the_fetcher_serves_static_files_and_the_authority_logo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.contrib.staticfiles import finders

    static_name = next(
        path for path, _storage in next(iter(finders.get_finders())).list([]) if path
    )
    body, _type = safe_pdf.resolve(safe_pdf.static_uri(static_name))
    assert body == Path(finders.find(static_name)).read_bytes()

    authority = Authority.objects.create(name="Métropole test", siren="200054807")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    authority.logo.save("logo.svg", ContentFile(svg), save=True)
    # The logo reaches the document as a data: URI read through the storage API.
    assert safe_pdf.resolve(safe_pdf.logo_uri(authority)) == (svg, "image/svg+xml")
    # Never by a name the renderer would read from storage itself, not even its own logo.
    with pytest.raises(safe_pdf.RefusedURL):
        safe_pdf.resolve("app:/logo/" + authority.logo.name)
    png = "data:image/png;base64,iVBORw0KGgo="
    assert safe_pdf.resolve(png) == (b"\x89PNG\r\n\x1a\n", "image/png")


# ---- the number pattern --------------------------------------------------------------------


@pytest.mark.parametrize("number", ["2024.00344", "2024/CONV-017", "AMP_2024 12", "Délib 12", ""])
def test_a_reference_number_may_hold_letters_digits_and_separators(number):
    validate_reference_number(number)


@pytest.mark.parametrize(
    "number",
    ["2024\n", "1\n}*{x}", '12"', "12'", "url(x)", "a;b", "a{b}", "a\\b", "a\tb", "a:b", "a<b"],
)
def test_a_reference_number_refuses_what_could_leave_a_string(number):
    with pytest.raises(ValidationError) as error:
        validate_reference_number(number)
    assert "Le numéro ne peut contenir que" in error.value.messages[0]


def test_the_number_fields_carry_the_pattern():
    for model in (Convention, Deliberation):
        assert validate_reference_number in model._meta.get_field("number").validators
