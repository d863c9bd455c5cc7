"""The public online hall (网上办事大厅): front page, search and browse, service guides.

Every screen works without JavaScript; with htmx the results list refreshes as one types.
Screens read through ``onewindow.catalog.selectors`` only.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from onewindow.catalog import selectors
from onewindow.catalog.models import ItemVersion, ThemeAudience
from onewindow.common.errors import NotFound
from onewindow.portal.forms import SearchForm

PAGE_SIZE = 20


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    themes = list(selectors.themes_with_counts())
    context = {
        "stats": selectors.catalogue_stats(),
        "departments": selectors.departments_with_counts(),
        "person_themes": [t for t in themes if t.audience == ThemeAudience.PERSON],
        "enterprise_themes": [t for t in themes if t.audience == ThemeAudience.ENTERPRISE],
        "levels": selectors.level_counts(),
        "form": SearchForm(),
    }
    return render(request, "portal/home.html", context)


@require_safe
def items(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    q = form.query()
    filters = form.filters()
    results = selectors.search_items(q, **filters)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    departments = list(selectors.departments_with_counts())
    themes = list(selectors.themes_with_counts())
    params = {"q": q, **filters}
    context: dict[str, Any] = {
        "form": form,
        "q": q,
        "filters": filters,
        "page": page,
        "departments": departments,
        "themes": themes,
        "department": next((d for d in departments if d.code == filters.get("department")), None),
        "theme": next((t for t in themes if t.code == filters.get("theme")), None),
        "querystring": urlencode({k: v for k, v in params.items() if v}),
        "filtered": bool(q or filters),
    }
    htmx = getattr(request, "htmx", False)  # django-htmx's middleware sets request.htmx
    template = "portal/items.html#results" if htmx else "portal/items.html"
    return render(request, template, context)


def _guide(code: str) -> ItemVersion:
    try:
        return selectors.item_guide(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_safe
def guide(request: HttpRequest, code: str) -> HttpResponse:
    version = _guide(code)
    context = {
        "v": version,
        "print_url": reverse("portal:guide_print", args=[code]),
        "api_url": reverse("api:get_item", args=[code]),
    }
    return render(request, "portal/guide.html", context)


@require_safe
def guide_print(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "portal/guide_print.html", {"v": _guide(code)})
